/** `sluice predict`: score a CSV file with a registered model or a model file. */
import { resolve } from "node:path";
import { Option, type Command } from "commander";
import pc from "picocolors";
import { predictFile } from "../../pipeline/predict-batch.js";
import { openProjectStore, projectStoreInfo } from "../../pipeline/registry.js";
import { SluiceError } from "../../errors.js";
import { parseModelUri } from "../../track/uri.js";
import type { Store } from "../../track/types.js";
import type { CliContext } from "../main.js";
import { print, printJson } from "../output.js";
import { progressFor, shown } from "./common.js";

interface PredictFlags {
  model?: string;
  input: string;
  output: string;
  rejects?: string;
  delimiter?: string;
  invalidValues?: "reject" | "warn";
  store?: string;
  project?: string;
}

/**
 * The project folder: the positional argument, or `-p/--project` as the other verbs take it.
 *
 * @throws SluiceError E_USAGE when both are given and name different folders
 */
function projectLocation(positional: string | undefined, flag: string | undefined): string {
  if (flag === undefined) return positional ?? ".";
  if (positional !== undefined && resolve(positional) !== resolve(flag))
    throw new SluiceError("E_USAGE", `two projects given: "${positional}" and --project "${flag}"`, {
      details: { positional, flag },
      hint: "name the project once, as an argument or with -p/--project",
    });
  return flag;
}

/** The model to score with: the flag, else `models:/<registry.model or project name>@production`. */
function modelSource(location: string, flag: string | undefined): string {
  if (flag !== undefined) return flag;
  const { modelName } = projectStoreInfo(location);
  if (modelName === undefined)
    throw new SluiceError(
      "E_USAGE",
      `no --model given, and ${resolve(location)} has no sluice.yaml to name one`,
      {
        hint: "pass --model models:/NAME@production (or a model.json path), or run inside a project",
      },
    );
  return `models:/${modelName}@production`;
}

export function registerPredict(program: Command, ctx: CliContext): void {
  program
    .command("predict")
    .description("score a CSV file: the rows with prediction columns, invalid rows to a reject file")
    .argument(
      "[project]",
      "project folder or sluice.yaml (its store resolves models:/ references; default: here)",
    )
    .option("-p, --project <dir>", "the project, as the argument (the other verbs' spelling)")
    .option(
      "--model <source>",
      "models:/NAME@production, models:/NAME/3, or a model.json path (default: the project's production model)",
    )
    .requiredOption("--input <file>", "the CSV file to score (header line first)")
    .requiredOption("--output <file>", "where the scored CSV goes (written atomically)")
    .option("--rejects <file>", "where rows that fail validation go (default: <output>.rejects.csv)")
    .option(
      "--delimiter <char>",
      'the input\'s field delimiter: one character such as ";" or "|" ("\\t" for a tab); the output is comma-separated',
    )
    .addOption(
      new Option(
        "--invalid-values <how>",
        "values outside the schema's rules: reject the row, or score it",
      ).choices(["reject", "warn"]),
    )
    .option("--store <url>", "a store URL instead of the project's (postgres://… or a SQLite file)")
    .addHelpText(
      "after",
      `
Streams the file in chunks (constant memory, any size). Every row is checked as the server
checks a request (types, and the schema's min/max, allowed values, patterns and required
fields); rows that fail go to the reject file with _row (the 1-based data row) and _reason,
never dropped. The output holds the input columns plus, for classification, prediction,
probability (of the positive class; one probability_<class> column per class for multiclass),
confidence and risk (when serve.risk is set); for regression, prediction.
Columns the model does not read are passed through. Rows in = rows scored + rows rejected.

Examples:
  $ sluice predict demo --input new-customers.csv --output scored.csv
  $ sluice predict -p demo --input new-customers.csv --output scored.csv
  $ sluice predict --model models:/churn_predictor/3 --input new.csv --output scored.csv --rejects bad.csv
  $ sluice predict --model .sluice/artifacts/RUN_ID/model.json --input new.csv --output scored.csv --json
  $ sluice predict demo --input export.tsv --delimiter '\\t' --output scored.csv
Exit codes: 0 scored (rejects, if any, are in the reject file) · 2 bad usage, a missing model or unreadable input`,
    )
    .action(async (positional: string | undefined, flags: PredictFlags, command: Command) => {
      const globals = ctx.globals(command);
      const location = projectLocation(positional, flags.project);
      const source = modelSource(location, flags.model);
      let store: Store | undefined;
      try {
        if (parseModelUri(source) !== null) store = await openProjectStore(location, flags.store);
        const result = await predictFile({
          model: source,
          ...(store === undefined ? {} : { store }),
          input: flags.input,
          output: flags.output,
          ...(flags.rejects === undefined ? {} : { rejects: flags.rejects }),
          ...(flags.delimiter === undefined
            ? {}
            : { delimiter: flags.delimiter === "\\t" ? "\t" : flags.delimiter }),
          ...(flags.invalidValues === undefined ? {} : { invalidValues: flags.invalidValues }),
          progress: progressFor(globals),
        });
        if (globals.json === true) {
          printJson({ ok: true, ...result });
          return;
        }
        const n = (x: number) => x.toLocaleString("en-US");
        const version = result.model.version === null ? "" : ` v${result.model.version}`;
        print(
          `${pc.green("✓")} ${n(result.scored)} of ${n(result.rows)} rows scored with ${result.model.name ?? source}${version} in ${result.seconds.toFixed(1)} s → ${shown(result.output)}`,
        );
        if (result.rejected > 0)
          print(
            `${pc.yellow("!")} ${n(result.rejected)} rows rejected → ${shown(result.rejects)} (see _reason)`,
          );
      } finally {
        await store?.close();
      }
    });
}
