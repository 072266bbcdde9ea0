/** What each example is made of: its data file, columns, generator, project file and README. */
import { CHURN_COLUMNS, CHURN_DATA_FILE, churnCsv } from "./churn.js";
import { CHURN_YAML, churnReadme } from "./churn-project.js";
import { FRAUD_COLUMNS, FRAUD_DATA_FILE, fraudCsv } from "./fraud.js";
import { FRAUD_YAML, fraudReadme } from "./fraud-project.js";
import { HOUSING_COLUMNS, HOUSING_DATA_FILE, housingCsv } from "./housing.js";
import { HOUSING_YAML, housingReadme } from "./housing-project.js";
import type { ExampleName } from "./names.js";
import type { ReadmeFacts } from "./readme.js";

export interface ExampleDefinition {
  /** The data file, relative to the project folder. */
  readonly dataFile: string;
  readonly columns: readonly string[];
  /** The CSV text of `rows` rows, header first, in chunks. */
  csv(rows: number, seed: number): Generator<string>;
  readonly projectYaml: string;
  readme(facts: ReadmeFacts): string;
}

export const CATALOG: Readonly<Record<ExampleName, ExampleDefinition>> = Object.freeze({
  churn: {
    dataFile: CHURN_DATA_FILE,
    columns: CHURN_COLUMNS,
    csv: churnCsv,
    projectYaml: CHURN_YAML,
    readme: churnReadme,
  },
  fraud: {
    dataFile: FRAUD_DATA_FILE,
    columns: FRAUD_COLUMNS,
    csv: fraudCsv,
    projectYaml: FRAUD_YAML,
    readme: fraudReadme,
  },
  housing: {
    dataFile: HOUSING_DATA_FILE,
    columns: HOUSING_COLUMNS,
    csv: housingCsv,
    projectYaml: HOUSING_YAML,
    readme: housingReadme,
  },
});
