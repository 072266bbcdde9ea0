import type { Command } from "commander";
import pc from "picocolors";
import { runProject, type RunResult } from "../../pipeline/run.js";
import { pickCandidates } from "../../pipeline/train.js";
import { summarizeValidation } from "../../validate/index.js";
import { CheckFailed, type CliContext } from "../main.js";
import { print, printJson } from "../output.js";
import { gateTable, mark, progressFor, projectArg, shown } from "./common.js";
import { candidatesOption, printTraining, threadsOption } from "./train.js";

interface RunFlags {
  candidates?: string[];
  threads?: number;
  store?: string;
  by?: string;
}

function printSummary(result: RunResult, validationText: string): void {
  const { summary } = result;
  print(validationText);
  if (summary.data.quarantined > 0)
    print(
      `  ${summary.data.quarantined.toLocaleString("en-US")} row${summary.data.quarantined === 1 ? "" : "s"} quarantined → ${shown(summary.data.quarantineFile!)}`,
    );
  if (summary.split !== undefined) {
    const s = summary.split;
    print(
      mark(
        true,
        `split: train ${s.train.toLocaleString("en-US")}, validation ${s.validation.toLocaleString("en-US")}, test ${s.test.toLocaleString("en-US")}${s.stratified ? " (stratified)" : ""}`,
      ),
    );
  }
  if (summary.features !== undefined) {
    const f = summary.features;
    const names =
      f.names.length > 8
        ? `${f.names.slice(0, 8).join(", ")}, … (${f.names.length - 8} more)`
        : f.names.join(", ");
    print(mark(true, `features: ${f.inputs} inputs → ${f.outputs} columns: ${pc.dim(names)}`));
  }
  if (result.training !== undefined) {
    print();
    printTraining(result.training);
  }
  if (summary.registry !== undefined) {
    const r = summary.registry;
    print();
    print(gateTable(r.gates));
    print();
    print(
      mark(
        r.gatesPassed,
        r.gatesPassed
          ? `registered ${pc.bold(`${r.name} v${r.version}`)} → ${r.stage}`
          : `registered ${pc.bold(`${r.name} v${r.version}`)}, not promoted: ${r.gates.filter((g) => !g.passed).length} gate(s) failed`,
      ),
    );
    if (r.gatesPassed && r.stage !== "production")
      print(pc.dim(`  to production: sluice promote ${r.name} ${r.version} --to production --reason "…"`));
  }
  print();
  const line = (label: string, path: string): void => print(`${pc.bold(label.padEnd(10))} ${shown(path)}`);
  if (summary.training !== undefined) line("model", summary.training.model);
  if (summary.artifacts.evaluation_report !== undefined)
    line("evaluation", summary.artifacts.evaluation_report);
  if (summary.artifacts.model_card !== undefined) line("card", summary.artifacts.model_card);
  line("validation", summary.validation.report);
  line("run", summary.runDir);
  if (summary.store !== undefined) line("store", `${summary.store.url} (run ${summary.runId})`);
  if (summary.status === "failed") print(`${pc.red("failed")}   ${summary.failure?.message ?? ""}`);
}

export function registerRun(program: Command, ctx: CliContext): void {
  program
    .command("run")
    .description(
      "the main job: validate, fit features, train and choose, evaluate, register and gate a model",
    )
    .argument("[project]", "project folder or sluice.yaml", ".")
    .addOption(candidatesOption())
    .addOption(threadsOption())
    .option(
      "--store <url>",
      "tracking store: postgres://… or a SQLite file (default: sluice.yaml's store:, else .sluice/sluice.db)",
    )
    .option("--by <who>", "who runs it, recorded with the registry changes (default: the OS user)")
    .addHelpText(
      "after",
      `
The pipeline: validate → fit features → train every candidate (search, cross-validation) → pick
by select: → refit → evaluate on the test rows → register a new version → gates → on pass, move
it to registry.on_pass (staging by default). Production only through \`sluice promote\`.

Every run is recorded in the tracking store (.sluice/sluice.db, or PostgreSQL with
SLUICE_STORE=postgres://…): the run, a child run per candidate, fold and trial. Its files go to
.sluice/artifacts/<run id>/: the validation report (validation.html, validation.json), the fitted
features (features.json), the training profile (profile.json, the reference for drift), the
model (model.json), the leaderboard (train.json), the evaluation report (evaluation.html), the
model card (model-card.md, model-card.html), the gates (gates.json) and run.json. Rows that fail
checks are quarantined to the file named by validation.quarantine, when set; otherwise a failed
check stops the run.

Examples:
  $ sluice run                     # the project in this folder
  $ sluice run demo --json         # a summary for scripts
  $ sluice run demo --candidates logistic   # train one candidate only
Exit codes: 0 finished and gated · 1 the data failed validation or a gate failed · 2 bad config,
unreadable data or an unreachable store`,
    )
    .action(async (location: string, flags: RunFlags, command: Command) => {
      const globals = ctx.globals(command);
      const project = projectArg(location);
      pickCandidates(project.config.models, flags.candidates);
      const progress = progressFor(globals);
      const result = await runProject(project, {
        progress,
        ...(flags.candidates === undefined ? {} : { candidates: flags.candidates }),
        ...(flags.threads === undefined ? {} : { threads: flags.threads }),
        ...(flags.store === undefined ? {} : { store: flags.store }),
        ...(flags.by === undefined ? {} : { by: flags.by }),
        handleSignals: true,
      });
      const { summary, validation } = result;
      const gatesFailed = summary.registry !== undefined && !summary.registry.gatesPassed;
      if (globals.json === true) printJson({ ok: summary.status === "finished" && !gatesFailed, ...summary });
      else printSummary(result, summarizeValidation(validation.report, { color: pc.isColorSupported }));
      if (summary.status !== "finished") throw new CheckFailed(summary.failure?.message ?? "run failed");
      if (gatesFailed) throw new CheckFailed("a gate failed: the version is registered but not promoted");
    });
}
