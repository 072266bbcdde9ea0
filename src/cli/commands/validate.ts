import { resolve } from "node:path";
import type { Command } from "commander";
import pc from "picocolors";
import { validateProject } from "../../pipeline/validate.js";
import { summarizeValidation } from "../../validate/index.js";
import { CheckFailed, type CliContext } from "../main.js";
import { print, printJson } from "../output.js";
import { progressFor, projectArg, shown } from "./common.js";

interface ValidateFlags {
  data?: string;
  quarantine?: string;
  report?: string;
}

export function registerValidate(program: Command, ctx: CliContext): void {
  program
    .command("validate")
    .description("check the data against the project's schema; report, and quarantine failing rows")
    .argument("[project]", "project folder or sluice.yaml", ".")
    .option("--data <file>", "validate this file instead of data.path (same schema)")
    .option(
      "--quarantine <file>",
      "write rows that fail row-level checks to <file> (with _row and _reason) and go on without them",
    )
    .option("--report <dir>", "write validation.json and validation.html to <dir>", ".sluice/validation")
    .addHelpText(
      "after",
      `
Checks every column against its rule in sluice.yaml (type, nullable, min/max, values, unique,
pattern, max_null_fraction, each with an optional 'mostly' tolerance), the file as a whole
(row count, duplicate rows, unexpected columns), leakage (a feature that alone predicts the
target), and profiles every column. All checks run; every failure is reported with examples.

With --quarantine, rows failing error-level row checks go to the file with the reason, the
rest are kept: rows in = rows kept + rows quarantined. The exit code is then 1 only when a
failure remains that setting rows aside cannot fix (a missing column, leakage, too few rows).

Examples:
  $ sluice validate
  $ sluice validate demo --quarantine bad-rows.csv
  $ sluice validate --data new-batch.csv --json
Exit codes: 0 passed · 1 an error-level check failed · 2 bad config or unreadable data`,
    )
    .action(async (location: string, flags: ValidateFlags, command: Command) => {
      const globals = ctx.globals(command);
      const project = projectArg(location);
      const reportDir = resolve(project.dir, flags.report ?? ".sluice/validation");
      const result = await validateProject(project, {
        progress: progressFor(globals),
        reportDir,
        quarantine: flags.quarantine === undefined ? false : resolve(flags.quarantine),
        ...(flags.data === undefined ? {} : { dataPath: resolve(flags.data) }),
      });
      const { report } = result;
      if (globals.json === true) {
        printJson({
          ok: result.passed,
          passed: result.passed,
          rows: report.rows,
          kept: result.kept.nRows,
          quarantined: result.quarantine?.rows ?? 0,
          ...(result.quarantine === undefined ? {} : { quarantineFile: result.quarantine.path }),
          errors: report.errors,
          warnings: report.warnings,
          failures: report.failures,
          blocking: result.blocking.map((b) => ({ check: b.check, column: b.column, message: b.message })),
          report: result.files,
        });
      } else {
        print(summarizeValidation(report, { color: pc.isColorSupported }));
        if (result.quarantine !== undefined)
          print(
            `  ${result.quarantine.rows.toLocaleString("en-US")} row${result.quarantine.rows === 1 ? "" : "s"} quarantined → ${shown(result.quarantine.path)}; ${result.kept.nRows.toLocaleString("en-US")} kept`,
          );
        if (result.quarantine !== undefined && result.passed && !report.passed)
          print(pc.green("  ✓ every error-level failure was confined to quarantined rows"));
        print(`\n${pc.bold("report")}  ${shown(result.files.html!)}`);
      }
      if (!result.passed) throw new CheckFailed("validation failed");
    });
}
