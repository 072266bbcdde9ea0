/**
 * What a pipeline run records in the tracking store: the parent run, one child run per
 * candidate, and under each candidate one child run per cross-validation fold and per search
 * trial; every output file as an artifact with its size and SHA-256.
 *
 * Metric names: test scores under their own name (`roc_auc`), cross-validation as
 * `cv_<metric>` (mean) and `cv_<metric>_std`; a fold run holds its fold's scores, a trial run its
 * validation score as `score` (and under the select metric's name).
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { hostname, userInfo } from "node:os";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Project } from "../project/project.js";
import { openArtifactStore, openStore } from "../track/index.js";
import type { ArtifactStore, Experiment, MetricPoint, RunRecord, Store } from "../track/types.js";
import type { CandidateResult, TrainResult } from "./train.js";

/** An open store, the run's experiment and the artifact store, for one pipeline run. */
export interface Tracking {
  store: Store;
  artifacts: ArtifactStore;
  experiment: Experiment;
  /** Close the store when this tracking opened it. */
  close(): Promise<void>;
}

export interface OpenTrackingOptions {
  /** An already open store (the caller closes it). */
  store?: Store;
  /** Store URL; default: `SLUICE_STORE`, then sluice.yaml's `store:`, then `.sluice/sluice.db`. */
  storeUrl?: string;
  /** Artifact store; default the local folder `.sluice/artifacts`. */
  artifacts?: ArtifactStore;
}

/** Open the project's store and artifact store, and the experiment named after the project. */
export async function openTracking(project: Project, options: OpenTrackingOptions = {}): Promise<Tracking> {
  const owned = options.store === undefined;
  const store =
    options.store ??
    (await openStore(options.storeUrl, {
      projectDir: project.dir,
      ...(project.config.store === undefined ? {} : { configUrl: project.config.store }),
    }));
  try {
    const artifacts = options.artifacts ?? (await openArtifactStore(undefined, { projectDir: project.dir }));
    const experiment = await store.getOrCreateExperiment(project.config.name);
    return {
      store,
      artifacts,
      experiment,
      close: async () => {
        if (owned) await store.close();
      },
    };
  } catch (err) {
    if (owned) await store.close();
    throw err;
  }
}

/** The tracking options for "an open store, a store URL, or the project's default". */
export function storeChoice(store: Store | string | undefined): OpenTrackingOptions {
  return typeof store === "string" ? { storeUrl: store } : store === undefined ? {} : { store };
}

/** Who does something: `--by`, else the OS user. */
export function actor(by?: string): string {
  if (by !== undefined && by.trim() !== "") return by.trim();
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? "unknown";
  }
}

/** Create a run owned by this process (so a crash can be told apart from a live run). */
export function startRun(
  tracking: Tracking,
  input: {
    id?: string;
    name: string;
    parentRunId?: string;
    tags?: Record<string, string>;
    startTime?: number;
  },
): Promise<RunRecord> {
  return tracking.store.createRun({
    experimentId: tracking.experiment.id,
    name: input.name,
    pid: process.pid,
    host: hostname(),
    ...(input.startTime === undefined ? {} : { startTime: input.startTime }),
    ...(input.id === undefined ? {} : { id: input.id }),
    ...(input.parentRunId === undefined ? {} : { parentRunId: input.parentRunId }),
    ...(input.tags === undefined ? {} : { tags: input.tags }),
  });
}

/** The folder of a run's artifacts when the artifact store is a local folder. */
export function localRunFolder(tracking: Tracking, runId: string): string | undefined {
  const root = tracking.artifacts.root;
  return root.startsWith("file:") ? join(fileURLToPath(root), runId) : undefined;
}

/**
 * Record a file the run wrote. When the file already sits in the artifact store's folder for
 * this run, only its record is added; otherwise it is copied in (atomically) first.
 */
export async function publishArtifact(
  tracking: Tracking,
  runId: string,
  path: string,
  file: string,
): Promise<string> {
  const folder = localRunFolder(tracking, runId);
  const inside = folder === undefined ? ".." : relative(folder, resolve(file));
  if (inside !== "" && !inside.startsWith("..") && !isAbsolute(inside)) {
    const bytes = await readFile(file);
    const uri = pathToFileURL(resolve(file)).href;
    await tracking.store.recordArtifact(runId, {
      path: inside.split(sep).join("/"),
      uri,
      bytes: bytes.length,
      sha256: createHash("sha256").update(bytes).digest("hex"),
    });
    return uri;
  }
  const record = await tracking.artifacts.putFile(runId, path, file);
  await tracking.store.recordArtifact(runId, record);
  return record.uri;
}

function finite(metrics: Record<string, number>, prefix = "", suffix = ""): MetricPoint[] {
  const out: MetricPoint[] = [];
  for (const [key, value] of Object.entries(metrics))
    if (Number.isFinite(value)) out.push({ key: `${prefix}${key}${suffix}`, value });
  return out;
}

function flatParams(params: object): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    out[key] =
      typeof value === "number" || typeof value === "boolean" || typeof value === "string"
        ? value
        : JSON.stringify(value);
  }
  return out;
}

async function logCandidate(
  tracking: Tracking,
  parentRunId: string,
  candidate: CandidateResult,
  select: string,
  winner: boolean,
): Promise<void> {
  const { store } = tracking;
  // Child runs are recorded after the fact: their start is back-dated by their duration.
  const now = Date.now();
  const run = await startRun(tracking, {
    name: candidate.name,
    parentRunId,
    startTime: now - Math.round(candidate.seconds * 1000),
    tags: { "sluice.type": "candidate", "sluice.winner": String(winner) },
  });
  await store.logBatch(run.id, {
    params: { kind: candidate.kind, ...flatParams(candidate.params) },
    metrics: [
      ...finite(candidate.test),
      ...finite(candidate.cv.mean, "cv_"),
      ...finite(candidate.cv.std, "cv_", "_std"),
      { key: "fit_seconds", value: candidate.fitSeconds },
      { key: "iterations", value: candidate.iterations },
    ],
  });
  for (const [i, fold] of candidate.cv.folds.entries()) {
    const foldRun = await startRun(tracking, {
      name: `${candidate.name}/fold-${i + 1}`,
      parentRunId: run.id,
      startTime: now - Math.round(fold.fitSeconds * 1000),
      tags: { "sluice.type": "fold" },
    });
    await store.logBatch(foldRun.id, {
      params: { fold: i + 1 },
      metrics: [
        ...finite(fold.scores),
        { key: "fit_seconds", value: fold.fitSeconds },
        { key: "iterations", value: fold.iterations },
      ],
    });
    // Fold scores also go on the candidate as steps of one metric, for charts.
    await store.logBatch(run.id, {
      metrics: finite(fold.scores, "fold_").map((m) => ({ ...m, step: i + 1 })),
    });
    await store.setRunStatus(foldRun.id, "finished", now);
  }
  if (candidate.search !== undefined) {
    for (const trial of candidate.search.trials) {
      const trialRun = await startRun(tracking, {
        name: `${candidate.name}/trial-${trial.index + 1}`,
        parentRunId: run.id,
        startTime: now - Math.round(trial.seconds * 1000),
        tags: {
          "sluice.type": "trial",
          "sluice.pruned": String(trial.pruned),
          "sluice.best": String(trial.index === candidate.search.best),
        },
      });
      await store.logBatch(trialRun.id, {
        params: flatParams(trial.params),
        metrics: [
          ...(Number.isFinite(trial.score)
            ? [
                { key: "score", value: trial.score },
                { key: select, value: trial.score },
              ]
            : []),
          { key: "iterations", value: trial.iterations },
          { key: "seconds", value: trial.seconds },
        ],
      });
      await store.setRunStatus(trialRun.id, trial.pruned ? "killed" : "finished", now);
    }
  }
  await store.setRunStatus(run.id, "finished", now);
}

/** Record the candidates, their folds and trials as child runs of `parentRunId`. */
export async function logTraining(
  tracking: Tracking,
  parentRunId: string,
  result: TrainResult,
): Promise<void> {
  for (const candidate of result.candidates)
    await logCandidate(tracking, parentRunId, candidate, result.select, candidate.name === result.winner);
}
