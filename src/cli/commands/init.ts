import { Option, type Command } from "commander";
import pc from "picocolors";
import { initProject } from "../../pipeline/init.js";
import type { CliContext } from "../main.js";
import { print, printJson } from "../output.js";
import { progressFor, shown } from "./common.js";

interface InitFlags {
  data: string;
  target: string;
  task?: "classification" | "regression";
  name?: string;
  force?: boolean;
}

export function registerInit(program: Command, ctx: CliContext): void {
  program
    .command("init")
    .description("write a working project (sluice.yaml) for any CSV or Parquet file")
    .argument("<dir>", "the project folder to create")
    .requiredOption("--data <file>", "the training data (CSV or Parquet)")
    .requiredOption("--target <column>", "the column to predict")
    .addOption(
      new Option("--task <task>", "classification or regression (default: inferred from the target)").choices(
        ["classification", "regression"],
      ),
    )
    .option("--name <name>", "project name (default: the folder's name)")
    .option("--force", "overwrite an existing sluice.yaml")
    .addHelpText(
      "after",
      `
Reads the file, infers a schema (types, id columns, allowed values, missing shares), picks the
task when --task is not given (text targets and numbers with ≤ 10 distinct integers are
classification), and writes a commented sluice.yaml with default features, three candidate
models and gates. The data stays where it is; sluice.yaml points at it.

Examples:
  $ sluice init churn --data customers.csv --target churned
  $ sluice init prices --data sales.parquet --target price --task regression
Exit codes: 0 written · 2 bad usage, a sluice.yaml already there (--force replaces it), a target
that is not a column, or unreadable data`,
    )
    .action(async (dir: string, flags: InitFlags, command: Command) => {
      const globals = ctx.globals(command);
      const result = await initProject({
        dir,
        data: flags.data,
        target: flags.target,
        ...(flags.task === undefined ? {} : { task: flags.task }),
        ...(flags.name === undefined ? {} : { name: flags.name }),
        force: flags.force === true,
        progress: progressFor(globals),
      });
      if (globals.json === true) {
        printJson({ ok: true, ...result });
        return;
      }
      const cols = Object.keys(result.schema).length;
      print(
        `${pc.green("✓")} wrote ${shown(result.projectFile)}: ${result.task}, ${cols} columns${result.idColumns.length > 0 ? `, id columns: ${result.idColumns.join(", ")}` : ""}`,
      );
      if (result.sampled)
        print(
          pc.dim(
            `  the schema was inferred from a sample of ${result.rowsRead.toLocaleString("en-US")} rows`,
          ),
        );
      print(pc.dim(`  next: sluice check ${shown(dir)} && sluice run ${shown(dir)}`));
    });
}
