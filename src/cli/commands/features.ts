import { resolve } from "node:path";
import type { Command } from "commander";
import pc from "picocolors";
import { prepareData } from "../../pipeline/prepare.js";
import { validateProject } from "../../pipeline/validate.js";
import { writeFileAtomic } from "../../util/fs.js";
import { CheckFailed, type CliContext } from "../main.js";
import { print, printJson, table } from "../output.js";
import { progressFor, projectArg, shown } from "./common.js";

export function registerFeatures(program: Command, ctx: CliContext): void {
  program
    .command("features")
    .description("fit the project's features on the training split and show what a model will see")
    .argument("[project]", "project folder or sluice.yaml", ".")
    .option("--out <file>", "also write the fitted features (versioned JSON) to <file>")
    .addHelpText(
      "after",
      `
Fits the features: section of sluice.yaml on the training rows (after validation and the
split) and lists every output column with where it comes from. The fitted JSON is what ships
with a model: medians, means/stds, vocabularies, bin edges, formulas, output names.

Examples:
  $ sluice features demo
  $ sluice features demo --out features.json --json
Exit codes: 0 fitted · 1 the data failed validation (\`sluice validate\` says why) · 2 bad config
or unreadable data`,
    )
    .action(async (location: string, flags: { out?: string }, command: Command) => {
      const globals = ctx.globals(command);
      const project = projectArg(location);
      const progress = progressFor(globals);
      const validation = await validateProject(project, { progress });
      if (!validation.passed) {
        if (globals.json !== true)
          print(`${pc.red("✗")} the data failed validation; run \`sluice validate\` to see why`);
        throw new CheckFailed("validation failed");
      }
      const prepared = await prepareData(project, validation.kept, { progress });
      const { features } = prepared;
      if (flags.out !== undefined)
        await writeFileAtomic(resolve(flags.out), `${JSON.stringify(features, null, 2)}\n`);
      if (globals.json === true) {
        printJson({
          ok: true,
          inputs: features.inputs,
          outputs: features.outputs,
          ...(flags.out === undefined ? {} : { file: resolve(flags.out) }),
        });
        return;
      }
      print(pc.bold(`${features.inputs.length} inputs`));
      print(
        table(
          features.inputs.map((i) => [
            i.name,
            i.kind,
            i.kind === "categorical" ? `${i.categories.length} categories` : i.dtype,
          ]),
          ["input", "kind", ""],
        ),
      );
      print();
      print(pc.bold(`${features.outputs.length} output columns`));
      print(
        table(
          features.outputs.map((o, j) => [String(j), o.name, o.kind, o.feature]),
          ["#", "column", "kind", "from"],
        ),
      );
      if (flags.out !== undefined) print(`\n${pc.bold("fitted features")}  ${shown(resolve(flags.out))}`);
    });
}
