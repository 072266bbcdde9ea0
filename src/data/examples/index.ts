/**
 * Example projects with generated data: `sluice example churn|fraud|housing DIR` writes a
 * ready project (sluice.yaml, data/<file>.csv, README.md) whose data has a real, learnable
 * signal, some missing values and a few outliers. Same seed, same bytes.
 */
import { CATALOG } from "./catalog.js";
import { parseExampleName, resolveOptions, type ExampleName, type ExampleOptions } from "./names.js";

export {
  DEFAULT_ROWS,
  DEFAULT_SEED,
  EXAMPLES,
  MAX_ROWS,
  parseExampleName,
  type ExampleName,
  type ExampleOptions,
} from "./names.js";
export { writeExample, type WriteExampleOptions, type WrittenExample } from "./write.js";

/**
 * The CSV text of an example's data, header first, in chunks of a few thousand rows, so a file
 * of any length streams in constant memory. Joined, the chunks are exactly the data file that
 * {@link writeExample} writes with the same options.
 *
 * @example
 * for (const chunk of generateExampleCsv("fraud", { rows: 1_000_000, seed: 7 })) stream.write(chunk);
 */
export function generateExampleCsv(name: ExampleName, options?: ExampleOptions): Generator<string> {
  // Not a generator function itself, so a bad name or option throws here and not at the first chunk.
  const example = CATALOG[parseExampleName(name)];
  const { rows, seed } = resolveOptions(name, options);
  return example.csv(rows, seed);
}

/**
 * The sluice.yaml text of an example.
 *
 * @example
 * parseProjectConfig(exampleProjectYaml("housing")).data.task; // "regression"
 */
export function exampleProjectYaml(name: ExampleName): string {
  return CATALOG[parseExampleName(name)].projectYaml;
}

/** The data file of an example, relative to its project folder (`data/customers.csv`). */
export function exampleDataFile(name: ExampleName): string {
  return CATALOG[parseExampleName(name)].dataFile;
}
