import { resolve } from "node:path";
import type { Command } from "commander";
import { columnNotFound } from "../../data/frame.js";
import { readFrame } from "../../data/read.js";
import { writeFileAtomic } from "../../util/fs.js";
import { inferSchema } from "../../validate/index.js";
import { schemaYamlLines } from "../../pipeline/init.js";
import type { CliContext } from "../main.js";
import { print, printJson } from "../output.js";
import { progressFor, shown } from "./common.js";
import { withStep } from "../../util/progress.js";

export function registerSchema(program: Command, ctx: CliContext): void {
  const schema = program
    .command("schema")
    .description("work with dataset schemas")
    .addHelpText(
      "after",
      `
Examples:
  $ sluice schema infer customers.csv --target churned
Exit codes: 0 done · 2 bad usage, or a file that cannot be read`,
    );
  schema
    .command("infer")
    .description("draft a schema for a data file (paste it under schema: in sluice.yaml)")
    .argument("<file>", "CSV or Parquet file")
    .option("--target <column>", "mark this column as the target")
    .option("--out <file>", "write the YAML to <file> instead of stdout")
    .addHelpText(
      "after",
      `
Types each column (integer, number, category, string, boolean, datetime), marks id-like
columns (role: id), lists allowed values of categories with up to 50 values, and sets
nullable / max_null_fraction from the missing values seen. Ranges are not pinned to the data:
add the min/max you know to be true.

Examples:
  $ sluice schema infer customers.csv --target churned
  $ sluice schema infer sales.parquet --out schema.yaml
Exit codes: 0 drafted · 2 a file that cannot be read, or a --target that is not a column`,
    )
    .action(async (file: string, flags: { target?: string; out?: string }, command: Command) => {
      const globals = ctx.globals(command);
      const frame = await withStep(progressFor(globals), `read ${file}`, () => readFrame(resolve(file)));
      if (flags.target !== undefined && !frame.has(flags.target))
        throw columnNotFound(flags.target, frame.names, file);
      const inferred = inferSchema(frame, flags.target === undefined ? {} : { target: flags.target });
      const yaml = `schema:\n${schemaYamlLines(inferred).join("\n")}\n`;
      if (flags.out !== undefined) await writeFileAtomic(resolve(flags.out), yaml);
      if (globals.json === true)
        printJson({
          ok: true,
          schema: inferred,
          ...(flags.out === undefined ? {} : { file: resolve(flags.out) }),
        });
      else if (flags.out !== undefined) print(`wrote ${shown(resolve(flags.out))}`);
      else process.stdout.write(yaml);
    });
}
