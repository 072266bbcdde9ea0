import type { Command } from "commander";
import pc from "picocolors";
import { EXAMPLES, writeExample, type ExampleName } from "../../data/examples/index.js";
import type { CliContext } from "../main.js";
import { print, printJson } from "../output.js";
import { intFlag, progressFor, shown } from "./common.js";

interface ExampleFlags {
  rows?: number;
  seed?: number;
  force?: boolean;
}

export function registerExample(program: Command, ctx: CliContext): void {
  program
    .command("example")
    .description(`write an example project with generated data (${EXAMPLES.join(", ")})`)
    .argument("<name>", EXAMPLES.join(" | "))
    .argument("<dir>", "the folder to write (must be empty or absent)")
    .option("--rows <n>", "number of rows to generate", intFlag("--rows"))
    .option("--seed <s>", "random seed: the same seed gives the same bytes", intFlag("--seed", 0))
    .option(
      "--force",
      "write into a folder that is not empty (replaces sluice.yaml, README.md and the data file)",
    )
    .addHelpText(
      "after",
      `
The examples:
  churn    telecom customers and whether they left (classification; ROC AUC ≈ 0.85 reachable)
  fraud    card transactions, about 2% fraud (imbalanced classification, timestamps)
  housing  house prices (regression)

Each has a real, learnable signal plus noise, missing values and a few outliers, a sluice.yaml
that shows the toolkit (schema, derived/binary/binned features, candidate models, gates), and
a README with the commands to try.

Examples:
  $ sluice example churn demo && sluice run demo
  $ sluice example fraud big --rows 1000000 --seed 7
Exit codes: 0 written · 2 an unknown example, a bad --rows or --seed, or a folder that is not
empty (--force writes into it)`,
    )
    .action(async (name: string, dir: string, flags: ExampleFlags, command: Command) => {
      const globals = ctx.globals(command);
      const progress = progressFor(globals);
      const step = progress.step(`generate ${name}`);
      let written;
      try {
        written = await writeExample(name as ExampleName, dir, {
          ...(flags.rows === undefined ? {} : { rows: flags.rows }),
          ...(flags.seed === undefined ? {} : { seed: flags.seed }),
          force: flags.force === true,
          onProgress: (done, total) => step.update(done, total),
        });
      } catch (err) {
        step.fail();
        throw err;
      }
      step.done(`${written.rows.toLocaleString("en-US")} rows`);
      if (globals.json === true) {
        printJson({ ok: true, example: name, ...written });
        return;
      }
      print(`${pc.green("✓")} wrote the ${name} example to ${shown(written.dir)}`);
      print(`  ${shown(written.projectFile)}`);
      print(`  ${shown(written.dataFile)} (${written.rows.toLocaleString("en-US")} rows)`);
      print(`  ${shown(written.readmeFile)}`);
      print(pc.dim(`  next: sluice run ${shown(written.dir)}`));
    });
}
