import type { Command } from "commander";
import pc from "picocolors";
import { checkProject } from "../../pipeline/check.js";
import type { CliContext } from "../main.js";
import { print, printJson } from "../output.js";
import { mark, progressFor, projectArg, shown } from "./common.js";

export function registerCheck(program: Command, ctx: CliContext): void {
  program
    .command("check")
    .description(
      "check sluice.yaml (every mistake at once), its formulas against the data's columns, and the target",
    )
    .argument("[project]", "project folder or sluice.yaml", ".")
    .addHelpText(
      "after",
      `
Parses the project file, reports every mistake with its line and path, then reads the data
file's header: the target and every schema column must exist, every formula must compile
against the columns it can read, and binned columns must be numbers. Then it reads the target
column alone: it must have values, two classes or more (numbers for regression), and enough
rows per class for the folds of cv:. Reads no other column's values and trains nothing.

Examples:
  $ sluice check
  $ sluice check demo/sluice.yaml --json
Exit codes: 0 valid · 2 invalid (each problem printed, with the fix)`,
    )
    .action(async (location: string, _flags: unknown, command: Command) => {
      const globals = ctx.globals(command);
      const project = projectArg(location);
      const { header, formulas, target } = await checkProject(project, { progress: progressFor(globals) });
      const { config } = project;
      if (globals.json === true) {
        printJson({
          ok: true,
          project: project.file,
          data: { path: project.dataPath, format: header.format, columns: header.columns },
          formulas,
          target,
          config,
        });
        return;
      }
      print(mark(true, `${shown(project.file)} is valid`));
      print(
        mark(
          true,
          `${shown(project.dataPath)}: ${header.columns.length} columns (${header.format}${header.delimiter === undefined ? "" : `, delimiter ${JSON.stringify(header.delimiter)}`}); target "${config.data.target}" found`,
        ),
      );
      const classes =
        target.classes === undefined
          ? ""
          : `; ${target.classes.length} classes: ${target.classes
              .slice(0, 6)
              .map((c) => `${c.name} (${c.rows.toLocaleString("en-US")})`)
              .join(", ")}${target.classes.length > 6 ? ", …" : ""}`;
      const missing =
        target.missing === 0 ? "" : `; ${target.missing.toLocaleString("en-US")} rows without a target`;
      print(
        `  task      ${config.data.task}${config.data.positive === undefined ? "" : `, positive class "${config.data.positive}"`}${classes}${missing}`,
      );
      print(`  schema    ${Object.keys(config.schema).length} column rules`);
      print(
        `  features  ${Object.keys(config.features.derived).length} derived, ${Object.keys(config.features.binary).length} binary, ${Object.keys(config.features.binned).length} binned${formulas > 0 ? `; ${formulas} formula${formulas === 1 ? "" : "s"} compiled against the header` : ""}`,
      );
      print(
        `  models    ${config.models.map((m) => `${m.name} (${m.kind}${m.search === undefined ? "" : `, search ${m.search.trials} trials`})`).join(", ")}`,
      );
      print(
        `  select    ${config.select}; ${config.cv.folds}-fold cross-validation; registry ${config.registry.model} → ${config.registry.on_pass} on pass`,
      );
      print(pc.dim(`  run \`sluice run ${shown(project.dir) || "."}\` next`));
    });
}
