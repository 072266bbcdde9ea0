/**
 * `sluice run`: the main job. It validates the data (quarantining failing rows when the
 * project asks), splits it, fits features on the training rows and transforms every part, then
 * trains every candidate (search, cross-validation, refit) and keeps the best, writing each
 * step's output into a run folder under `.sluice/runs/`.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { SluiceError } from "../errors.js";
import { checkGatesConfig } from "../evaluate/gates.js";
import type { Project } from "../project/project.js";
import { writeFileAtomic } from "../util/fs.js";
import { silentProgress, withStep, type Progress } from "../util/progress.js";
import { profileFrame } from "../validate/index.js";
import type { GateRecord, Stage, Store } from "../track/types.js";
import { SLUICE_VERSION } from "../version.js";
import { buildReference } from "../monitor/reference-build.js";
import type { ServingInfo } from "./bundle.js";
import { checkFolds } from "./folds.js";
import { prepareData, type PreparedData } from "./prepare.js";
import { registerAndGate } from "./register.js";
import { writeReports } from "./report.js";
import {
  actor,
  localRunFolder,
  logTraining,
  openTracking,
  publishArtifact,
  startRun,
  type Tracking,
} from "./tracking.js";
import { trainCandidates, type TrainResult } from "./train.js";
import { validateProject, type ValidateProjectResult } from "./validate.js";

export interface RunOptions {
  progress?: Progress;
  /** The run folder; default `.sluice/runs/<run id>` in the project. */
  runDir?: string;
  /** Train only these candidates (default: all). */
  candidates?: readonly string[];
  /** Worker threads for training; 0 = one per core (default). */
  threads?: number;
  /** Stop after the features, without training. */
  skipTraining?: boolean;
  /**
   * Tracking: an open store (the caller closes it), a store URL, or `false` to track nothing
   * (files only, no registration). Default: `SLUICE_STORE`, sluice.yaml's `store:`, then
   * `.sluice/sluice.db`.
   */
  store?: Store | string | false;
  /** Who runs it, recorded with registry changes (default: the OS user). */
  by?: string;
  /** Mark the run killed when the process gets SIGINT or SIGTERM (the CLI sets it). */
  handleSignals?: boolean;
}

/** One leaderboard row of a run summary. */
export interface RunCandidate {
  name: string;
  kind: string;
  /** CV mean and standard deviation of the select metric. */
  cv: { mean: number; std: number };
  /** Every metric of the task on the test rows. */
  test: Record<string, number>;
  fitSeconds: number;
  trials?: number;
}

/** What a run did, as printed by `sluice run --json`. */
export interface RunSummary {
  runId: string;
  project: string;
  runDir: string;
  status: "finished" | "failed";
  /** Why the run stopped early, when it did. */
  failure?: { code: string; message: string };
  data: {
    path: string;
    rows: number;
    quarantined: number;
    quarantineFile?: string;
  };
  validation: { passed: boolean; errors: number; warnings: number; report: string };
  split?: { train: number; validation: number; test: number; stratified: boolean };
  target?: { task: "classification" | "regression"; classes?: string[]; positive?: string };
  features?: { inputs: number; outputs: number; names: string[]; file: string };
  training?: {
    select: string;
    folds: number;
    winner: string;
    /** In file order. */
    candidates: RunCandidate[];
    model: string;
    report: string;
    seconds: number;
  };
  /** The store the run was recorded in. */
  store?: { url: string; experiment: string };
  /** The registered version and its gates (when the run trained and tracking was on). */
  registry?: {
    name: string;
    version: number;
    stage: Stage;
    uri: string;
    gatesPassed: boolean;
    gates: GateRecord[];
    /** The production version compared against, if any. */
    production?: { version: number; metrics: Record<string, number> };
  };
  artifacts: Record<string, string>;
}

/** A sortable, unique run id: `20261121-231502-3f9a`. */
export function newRunId(now = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(
    now.getUTCMinutes(),
  )}${p(now.getUTCSeconds())}`;
  return `${stamp}-${randomBytes(2).toString("hex")}`;
}

/** The result of a finished run: the summary and the prepared data, for callers that go on. */
export interface RunResult {
  summary: RunSummary;
  validation: ValidateProjectResult;
  prepared?: PreparedData;
  training?: TrainResult;
}

/**
 * Run the project's pipeline.
 *
 * A validation failure does not throw: it ends the run with status `failed` (the reports are
 * written, so the reason can be read). Configuration and data errors throw SluiceError.
 *
 * @example
 * const { summary } = await runProject(loadProject("churn"));
 * summary.features?.outputs; // 27
 * summary.training?.winner; // "gbdt"
 */
export async function runProject(project: Project, options: RunOptions = {}): Promise<RunResult> {
  // Refuse gates that name unknown metrics before any work.
  checkGatesConfig(project.config.gates, project.config.data.task);
  const runId = newRunId();
  const tracking =
    options.store === false
      ? undefined
      : await openTracking(
          project,
          typeof options.store === "string"
            ? { storeUrl: options.store }
            : options.store === undefined
              ? {}
              : { store: options.store },
        );
  const runDir =
    options.runDir ??
    (tracking === undefined ? undefined : localRunFolder(tracking, runId)) ??
    join(project.stateDir, "runs", runId);
  const artifacts: Record<string, string> = {};
  let removeSignals = (): void => {};
  try {
    // A run that cannot write its files stops before any work, naming the folder.
    await mkdir(runDir, { recursive: true }).catch((cause: unknown) => {
      throw new SluiceError(
        "E_ARTIFACT",
        `cannot create the run folder ${runDir}: ${(cause as Error).message}`,
        {
          cause,
          details: { path: runDir },
          hint:
            "a run writes its files under the project's .sluice/artifacts: make that folder writable (or remove the file in its way), " +
            "or copy the project to a folder you can write to and run it there",
        },
      );
    });
    if (tracking !== undefined) {
      // Runs left "running" by a process that died (kill -9, power loss) are marked killed.
      await tracking.store.reapOrphanRuns();
      await startRun(tracking, {
        id: runId,
        name: project.config.name,
        tags: {
          "sluice.type": "pipeline",
          "sluice.version": SLUICE_VERSION,
          "sluice.project": project.dir,
          "sluice.user": actor(options.by),
        },
      });
      if (options.handleSignals === true) removeSignals = markKilledOnSignal(tracking, runId);
    }
    const result = await runSteps(project, runId, runDir, artifacts, options, tracking);
    if (tracking !== undefined) {
      await publishAll(tracking, runId, runDir, artifacts);
      await tracking.store.setRunStatus(runId, result.summary.status);
    }
    return result;
  } catch (err) {
    // The run folder says how the run ended, even when an error ends it.
    const failure =
      err instanceof SluiceError
        ? { code: err.code, message: err.message }
        : { code: "E_INTERNAL", message: err instanceof Error ? err.message : String(err) };
    if (existsSync(runDir)) {
      await writeSummary(
        runDir,
        { runId, project: project.config.name, runDir, status: "failed", failure, artifacts },
        artifacts,
      ).catch(() => undefined);
    }
    if (tracking !== undefined) {
      await publishAll(tracking, runId, runDir, artifacts).catch(() => undefined);
      await tracking.store
        .logBatch(runId, { tags: { "sluice.error": `${failure.code}: ${failure.message}`.slice(0, 5000) } })
        .catch(() => undefined);
      await tracking.store.setRunStatus(runId, "failed").catch(() => undefined);
    }
    throw err;
  } finally {
    removeSignals();
    await tracking?.close();
  }
}

/** On SIGINT/SIGTERM: record the run as killed, then end the process as the signal would. */
function markKilledOnSignal(tracking: Tracking, runId: string): () => void {
  const handler = (signal: NodeJS.Signals): void => {
    const code = signal === "SIGINT" ? 130 : 143;
    void tracking.store
      .setRunStatus(runId, "killed")
      .catch(() => undefined)
      .finally(() => process.exit(code));
  };
  process.once("SIGINT", handler);
  process.once("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}

/** Record every file of the run as an artifact (copying it in when the store is not local). */
async function publishAll(
  tracking: Tracking,
  runId: string,
  runDir: string,
  artifacts: Record<string, string>,
): Promise<void> {
  const seen = new Set<string>();
  for (const file of Object.values(artifacts)) {
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    const rel = file.startsWith(runDir + "/") ? file.slice(runDir.length + 1) : file.split("/").pop()!;
    await publishArtifact(tracking, runId, rel, file);
  }
}

async function runSteps(
  project: Project,
  runId: string,
  runDir: string,
  artifacts: Record<string, string>,
  options: RunOptions,
  tracking: Tracking | undefined,
): Promise<RunResult> {
  const progress: Progress = options.progress ?? silentProgress;
  const validation = await validateProject(project, { progress, reportDir: runDir });
  artifacts.validation_report = validation.files.html!;
  artifacts.validation_json = validation.files.json!;
  if (validation.quarantine !== undefined) artifacts.quarantine = validation.quarantine.path;

  const summary: RunSummary = {
    runId,
    project: project.config.name,
    runDir,
    status: "finished",
    data: {
      path: project.dataPath,
      rows: validation.frame.nRows,
      quarantined: validation.quarantine?.rows ?? 0,
      ...(validation.quarantine === undefined ? {} : { quarantineFile: validation.quarantine.path }),
    },
    validation: {
      passed: validation.passed,
      errors: validation.report.errors,
      warnings: validation.report.warnings,
      report: validation.files.html!,
    },
    artifacts,
    ...(tracking === undefined
      ? {}
      : { store: { url: tracking.store.url, experiment: tracking.experiment.name } }),
  };
  if (tracking !== undefined)
    await tracking.store.logBatch(runId, {
      params: {
        data: project.config.data.path,
        target: project.config.data.target,
        task: project.config.data.task,
      },
      metrics: [
        { key: "rows", value: validation.frame.nRows },
        { key: "quarantined_rows", value: validation.quarantine?.rows ?? 0 },
        { key: "validation_errors", value: validation.report.errors },
        { key: "validation_warnings", value: validation.report.warnings },
      ],
    });

  if (!validation.passed) {
    const first = validation.blocking[0];
    summary.status = "failed";
    summary.failure = {
      code: "E_VALIDATION_FAILED",
      message: `data validation failed: ${validation.blocking.length} error-level check${
        validation.blocking.length === 1 ? "" : "s"
      }${first === undefined ? "" : ` (first: ${first.message})`}`,
    };
    await writeSummary(runDir, summary, artifacts);
    return { summary, validation };
  }

  // A fold count the data cannot give is known from the split alone: refuse it before the features.
  if (options.skipTraining !== true) checkFolds(project, validation.kept);
  const prepared = await prepareData(project, validation.kept, { progress });
  const { target, split, features } = prepared;
  summary.split = {
    train: split.train.length,
    validation: split.validation.length,
    test: split.test.length,
    stratified: target.task === "classification" && project.config.split.stratify,
  };
  summary.target =
    target.task === "classification"
      ? {
          task: "classification",
          classes: target.classes,
          ...(target.positive >= 0 ? { positive: target.classes[target.positive]! } : {}),
        }
      : { task: "regression" };

  const profile = profileFrame(prepared.train.frame);
  await withStep(progress, "write artifacts", async () => {
    artifacts.features = join(runDir, "features.json");
    await writeFileAtomic(artifacts.features, `${JSON.stringify(features, null, 2)}\n`);
    // The training rows' profile is the reference that drift is measured against.
    artifacts.profile = join(runDir, "profile.json");
    await writeFileAtomic(artifacts.profile, `${JSON.stringify(profile, null, 2)}\n`);
    // What a server needs besides the model and features: the column rules requests are
    // checked against, which columns identify a record, and the serving settings.
    artifacts.serving = join(runDir, "serving.json");
    await writeFileAtomic(artifacts.serving, `${JSON.stringify(servingInfo(project, prepared), null, 2)}\n`);
    artifacts.split = join(runDir, "split.json");
    await writeFileAtomic(
      artifacts.split,
      `${JSON.stringify({ seed: project.config.split.seed, ...summary.split }, null, 2)}\n`,
    );
  });
  summary.features = {
    inputs: features.inputs.length,
    outputs: features.outputs.length,
    names: features.outputs.map((o) => o.name),
    file: artifacts.features!,
  };
  if (options.skipTraining === true) {
    await writeSummary(runDir, summary, artifacts);
    return { summary, validation, prepared };
  }

  const training = await trainCandidates(project, prepared, {
    progress,
    outDir: runDir,
    writeFeatures: false,
    ...(options.candidates === undefined ? {} : { candidates: options.candidates }),
    ...(options.threads === undefined ? {} : { threads: options.threads }),
  });
  artifacts.model = training.files!.model;
  artifacts.train = training.files!.report;
  // What drift is measured against: a sample of the training rows and the model's predictions.
  await withStep(progress, "monitoring reference", async () => {
    const reference = buildReference({
      features,
      model: training.model,
      frame: prepared.train.frame,
      ...(target.task === "classification" && target.positive >= 0 ? { positive: target.positive } : {}),
      maxRows: project.config.monitor.reference_rows,
      seed: project.config.split.seed,
    });
    artifacts.reference = join(runDir, "reference.json");
    await writeFileAtomic(artifacts.reference, `${JSON.stringify(reference)}\n`);
  });
  summary.training = {
    select: training.select,
    folds: training.folds,
    winner: training.winner,
    candidates: training.candidates.map((c) => ({
      name: c.name,
      kind: c.kind,
      cv: { mean: c.cv.mean[training.select]!, std: c.cv.std[training.select]! },
      test: c.test,
      fitSeconds: c.fitSeconds,
      ...(c.search === undefined ? {} : { trials: c.search.trials.length }),
    })),
    model: training.files!.model,
    report: training.files!.report,
    seconds: training.seconds,
  };
  if (tracking !== undefined) {
    const winner = training.candidates.find((c) => c.name === training.winner)!;
    await tracking.store.logBatch(runId, {
      params: { winner: training.winner, kind: winner.kind, select: training.select, folds: training.folds },
      metrics: [
        ...Object.entries(winner.test)
          .filter(([, v]) => Number.isFinite(v))
          .map(([key, value]) => ({ key, value })),
        { key: "train_rows", value: training.rows.train },
        { key: "validation_rows", value: training.rows.validation },
        { key: "test_rows", value: training.rows.test },
        { key: "train_seconds", value: training.seconds },
      ],
    });
    await withStep(progress, "record candidates, folds and trials", () =>
      logTraining(tracking, runId, training),
    );
    const name = project.config.registry?.model ?? project.config.name;
    const by = actor(options.by);
    const registered = await withStep(
      progress,
      "register, gate",
      () =>
        registerAndGate(tracking, {
          name,
          source: pathToFileURL(training.files!.model).href,
          runId,
          description: project.config.description ?? `${training.winner} (${winner.kind}) from run ${runId}`,
          training,
          prepared,
          gates: project.config.gates,
          onPass: project.config.registry?.on_pass ?? "staging",
          by,
        }),
      (r) =>
        `${name} v${r.version.version}: ${r.gates.filter((g) => g.passed).length}/${r.gates.length} gates passed → ${r.version.stage}`,
    );
    artifacts.gates = join(runDir, "gates.json");
    await writeFileAtomic(artifacts.gates, `${JSON.stringify(registered.gates, null, 2)}\n`);
    summary.registry = {
      name,
      version: registered.version.version,
      stage: registered.version.stage,
      uri: `models:/${name}/${registered.version.version}`,
      gatesPassed: registered.passed,
      gates: registered.gates,
      ...(registered.production === undefined ? {} : { production: registered.production }),
    };
  }
  const reports = await withStep(progress, "evaluation report and model card", () =>
    writeReports(runDir, {
      project,
      prepared,
      training,
      profile,
      rows: validation.kept.nRows,
      quarantined: validation.quarantine?.rows ?? 0,
      runId,
      ...(summary.registry === undefined ? {} : { registry: summary.registry }),
    }),
  );
  Object.assign(artifacts, reports);
  await writeSummary(runDir, summary, artifacts);
  return { summary, validation, prepared, training };
}

/** The contents of serving.json (see {@link ServingInfo}). */
function servingInfo(project: Project, prepared: PreparedData): ServingInfo {
  const { config } = project;
  const target = prepared.target;
  return {
    formatVersion: 1,
    project: config.name,
    target: config.data.target,
    task: target.task,
    ...(target.task === "classification" ? { classes: target.classes } : {}),
    ...(target.task === "classification" && target.positive >= 0
      ? { positive: target.classes[target.positive]! }
      : {}),
    idColumns: Object.entries(config.schema)
      .filter(([, rule]) => rule.role === "id")
      .map(([name]) => name),
    schema: config.schema,
    serve: config.serve,
  };
}

async function writeSummary(
  runDir: string,
  summary: RunSummary | Pick<RunSummary, "runId" | "project" | "runDir" | "status" | "failure" | "artifacts">,
  artifacts: Record<string, string>,
): Promise<void> {
  artifacts.summary = join(runDir, "run.json");
  await writeFileAtomic(
    artifacts.summary,
    `${JSON.stringify({ sluiceVersion: SLUICE_VERSION, ...summary }, null, 2)}\n`,
  );
}

/** Throw the run's failure as an error (for callers that want exceptions rather than a status). */
export function assertRunFinished(summary: RunSummary): void {
  if (summary.status === "failed" && summary.failure !== undefined)
    throw new SluiceError("E_VALIDATION_FAILED", summary.failure.message, {
      details: { runDir: summary.runDir, report: summary.validation.report },
      hint: `read the report: ${summary.validation.report}`,
    });
}
