/**
 * The `sluice` command: a thin shell over the library. Each verb parses its flags, calls one
 * typed library function, and prints the result (text for people, `--json` for scripts).
 *
 * Exit codes: 0 ok, 1 a data check or gate failed, 2 bad usage, bad config or unreadable input.
 */
import { Command, CommanderError, Option } from "commander";
import pc from "picocolors";
import { ExitCode } from "../errors.js";
import { SLUICE_VERSION } from "../version.js";
import { registerCheck } from "./commands/check.js";
import { registerExample } from "./commands/example.js";
import { registerFeatures } from "./commands/features.js";
import { registerInit } from "./commands/init.js";
import { registerLogs } from "./commands/logs.js";
import { registerMonitor } from "./commands/monitor.js";
import { registerPredict } from "./commands/predict.js";
import { registerEvaluate, registerModels, registerPromote } from "./commands/registry.js";
import { registerRun } from "./commands/run.js";
import { registerRuns } from "./commands/runs.js";
import { registerServe } from "./commands/serve.js";
import { registerSchema } from "./commands/schema.js";
import { registerTrain } from "./commands/train.js";
import { registerValidate } from "./commands/validate.js";
import { reportError, type GlobalOptions } from "./output.js";

/** Thrown by a command that finished its work but whose checks failed (exit 1). */
export class CheckFailed extends Error {
  override readonly name = "CheckFailed";
}

/** The shared state of one CLI invocation. */
export interface CliContext {
  /** The options every command accepts, as given. */
  globals(command: Command): GlobalOptions;
}

const TOUR = `
A project is a folder with a sluice.yaml. Start from an example or from your own file:

  $ sluice example churn demo             # a churn project with generated data
  $ sluice run demo                       # validate → features → train → register → gates, with a report
  $ sluice init myproject --data customers.csv --target churned

Then:

  $ sluice check myproject                # is sluice.yaml valid, does it match the data?
  $ sluice validate myproject --quarantine bad-rows.csv
  $ sluice features myproject             # what the model will see
  $ sluice train myproject --candidates gbdt,forest   # search, cross-validate, pick the best
  $ sluice schema infer customers.csv     # a draft schema for a file
  $ sluice models show churn              # versions, stages, metrics and gates (-p DIR for a project)
  $ sluice promote churn 3 --to production --reason "reviewed"
  $ sluice runs list --filter "metrics.roc_auc > 0.8"
  $ sluice serve myproject                # the production model over HTTP, following the registry
  $ sluice predict myproject --input new.csv --output scored.csv   # batch scoring, rejects kept
  $ sluice logs export myproject --since 24h > predictions.csv
  $ sluice monitor myproject              # drift of the served traffic → alert → retrain → gates

Every command takes --json (machine-readable output on stdout) and --help.
Exit codes: 0 ok · 1 a data check or gate failed · 2 bad usage, bad config or unreadable input.
`;

/** Build the program (exported for tests and for `--help` rendering). */
export function buildProgram(): Command {
  const program = new Command("sluice");
  program
    .description(
      "MLOps for tabular data: validate, engineer features, train, register, serve and monitor models.",
    )
    .version(SLUICE_VERSION, "-V, --version")
    .addOption(new Option("--json", "print machine-readable JSON on stdout"))
    .addOption(new Option("-v, --verbose", "print the cause of errors"))
    .addOption(new Option("--no-color", "plain text output"))
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText("after", TOUR)
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(s),
      writeOut: (s) => process.stdout.write(s),
      outputError: (s, write) =>
        write(`${pc.red("error")} ${pc.dim("[E_USAGE]")} ${s.replace(/^error: /, "")}`),
    });

  const ctx: CliContext = {
    globals: (command) => command.optsWithGlobals<GlobalOptions>(),
  };
  registerRun(program, ctx);
  registerValidate(program, ctx);
  registerFeatures(program, ctx);
  registerTrain(program, ctx);
  registerServe(program, ctx);
  registerPredict(program, ctx);
  registerLogs(program, ctx);
  registerMonitor(program, ctx);
  registerEvaluate(program, ctx);
  registerPromote(program, ctx);
  registerModels(program, ctx);
  registerRuns(program, ctx);
  registerCheck(program, ctx);
  registerInit(program, ctx);
  registerExample(program, ctx);
  registerSchema(program, ctx);
  return program;
}

/**
 * Run the CLI with `argv` (as `process.argv`: node, script, args…) and return the exit code.
 * Never calls `process.exit`, so it can run in-process in tests.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return ExitCode.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage mistakes are already printed.
      return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (err instanceof CheckFailed) return ExitCode.checkFailed;
    // Global flags may follow the verb, so read them from argv rather than from one command.
    return reportError(err, {
      json: argv.includes("--json"),
      verbose: argv.includes("--verbose") || argv.includes("-v"),
    });
  }
}
