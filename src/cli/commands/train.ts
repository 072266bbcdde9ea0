import { join } from "node:path";
import { InvalidArgumentError, Option, type Command } from "commander";
import pc from "picocolors";
import { checkFolds } from "../../pipeline/folds.js";
import { prepareData } from "../../pipeline/prepare.js";
import { newRunId } from "../../pipeline/run.js";
import {
  formatScore,
  pickCandidates,
  trainCandidates,
  trainReport,
  type TrainResult,
} from "../../pipeline/train.js";
import { validateProject } from "../../pipeline/validate.js";
import type { MetricName } from "../../project/metric-names.js";
import { CheckFailed, type CliContext } from "../main.js";
import { print, printJson, table } from "../output.js";
import { intFlag, progressFor, projectArg, shown } from "./common.js";

interface TrainFlags {
  candidates?: string[];
  threads?: number;
}

/** `--candidates a,b`, as `sluice train` and `sluice run` take it. */
export function candidatesOption(): Option {
  return new Option(
    "--candidates <names>",
    "train only these candidates (comma-separated names from models:)",
  ).argParser(candidateList);
}

/** `--threads N`, as `sluice train` and `sluice run` take it. */
export function threadsOption(): Option {
  return new Option(
    "--threads <n>",
    "worker threads for search trials and folds (default: one per core)",
  ).argParser(intFlag("--threads"));
}

/** Parse `--candidates a,b` (a usage error, exit 2, when it names nothing). */
export function candidateList(value: string): string[] {
  const names = value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0)
    throw new InvalidArgumentError(`--candidates expects names such as gbdt,forest, got "${value}"`);
  return names;
}

const fmt = formatScore;

/** The test metrics shown in the leaderboard: the select metric first. */
function shownMetrics(result: TrainResult): MetricName[] {
  const task = result.model.task;
  const usual: MetricName[] =
    task === "classification" ? ["roc_auc", "accuracy", "f1"] : ["rmse", "mae", "r2"];
  return [result.select, ...usual.filter((m) => m !== result.select)];
}

/** The leaderboard table: one row per candidate, best CV score first. */
export function leaderboard(result: TrainResult): string {
  const metrics = shownMetrics(result);
  const sign = result.higherIsBetter ? -1 : 1;
  const rows = [...result.candidates]
    .sort((a, b) => {
      const x = a.cv.mean[result.select]!;
      const y = b.cv.mean[result.select]!;
      if (!Number.isFinite(x)) return Number.isFinite(y) ? 1 : 0;
      if (!Number.isFinite(y)) return -1;
      return sign * (x - y);
    })
    .map((c) => [
      c.name === result.winner ? pc.green(`${c.name} ★`) : c.name,
      c.kind,
      `${fmt(c.cv.mean[result.select])} ± ${fmt(c.cv.std[result.select])}`,
      ...metrics.map((m) => fmt(c.test[m])),
      c.fitSeconds.toFixed(2),
    ]);
  return table(rows, [
    "candidate",
    "kind",
    `CV ${result.select} (${result.folds} folds)`,
    ...metrics.map((m) => `test ${m}`),
    "fit s",
  ]);
}

/** What `sluice train` prints with --json. */
export function trainJson(result: TrainResult): Record<string, unknown> {
  return { ok: true, ...trainReport(result) };
}

export function printTraining(result: TrainResult): void {
  print(leaderboard(result));
  const w = result.candidates.find((c) => c.name === result.winner)!;
  print();
  print(
    `${pc.green("✓")} chose ${pc.bold(w.name)} (${w.kind}): CV ${result.select} ${fmt(w.cv.mean[result.select])} ± ${fmt(w.cv.std[result.select])}, test ${result.select} ${fmt(w.test[result.select])}`,
  );
  for (const c of result.candidates)
    if (c.search !== undefined) {
      const pruned = c.search.trials.filter((t) => t.pruned).length;
      print(
        pc.dim(
          `  ${c.name}: ${c.search.trials.length} ${c.search.method} trials${pruned > 0 ? ` (${pruned} pruned)` : ""}${c.search.timedOut ? ", stopped by the timeout" : ""}; best trial ${c.search.best + 1}`,
        ),
      );
    }
}

export function registerTrain(program: Command, ctx: CliContext): void {
  program
    .command("train")
    .description("train the project's candidate models, cross-validate them and keep the best")
    .argument("[project]", "project folder or sluice.yaml", ".")
    .addOption(candidatesOption())
    .addOption(threadsOption())
    .addHelpText(
      "after",
      `
Validates the data, splits it and fits the features as \`sluice run\` does, then, for each
candidate in models: runs its search (when it has one: trials fit on the training rows and are
scored on the validation rows), cross-validates it (cv:) on train + validation, and refits it
on train + validation to score it on the test rows. The candidate with the best CV score of
select: wins; test scores are shown but never used to choose.

Writes model.json (the chosen model), features.json and train.json (the leaderboard, every
fold and every trial) to .sluice/runs/<run id>/.

Examples:
  $ sluice train demo
  $ sluice train demo --candidates gbdt,forest
  $ sluice train demo --json | jq '.candidates[] | {name, cv: .cv.mean.roc_auc}'
Exit codes: 0 trained · 1 the data failed validation · 2 bad config, a bad candidate name or unreadable data`,
    )
    .action(async (location: string, flags: TrainFlags, command: Command) => {
      const globals = ctx.globals(command);
      const project = projectArg(location);
      // A misspelt candidate fails before any data is read.
      pickCandidates(project.config.models, flags.candidates);
      const progress = progressFor(globals);
      const validation = await validateProject(project, { progress });
      if (!validation.passed) {
        if (globals.json !== true)
          print(`${pc.red("✗")} the data failed validation; run \`sluice validate\` to see why`);
        throw new CheckFailed("validation failed");
      }
      // A cv.folds the rarest class cannot fill is refused before features are fitted.
      checkFolds(project, validation.kept);
      const prepared = await prepareData(project, validation.kept, { progress });
      const result = await trainCandidates(project, prepared, {
        progress,
        outDir: join(project.stateDir, "runs", newRunId()),
        ...(flags.candidates === undefined ? {} : { candidates: flags.candidates }),
        ...(flags.threads === undefined ? {} : { threads: flags.threads }),
      });
      if (globals.json === true) {
        printJson(trainJson(result));
        return;
      }
      printTraining(result);
      print();
      print(`${pc.bold("model")}    ${shown(result.files!.model)}`);
      print(`${pc.bold("report")}   ${shown(result.files!.report)}`);
    });
}
