/**
 * Training the project's candidates and choosing one.
 *
 * For each candidate (file order):
 * 1. search, when it declares one: trials fit on the training rows and are scored on the
 *    validation rows with the `select` metric; the best trial's parameters go on. Gradient
 *    boosting with early stopping and no search gets one fit watched by the validation rows,
 *    which fixes its number of trees the same way;
 * 2. k-fold cross-validation (`cv:`) on train + validation with those parameters;
 * 3. a refit on train + validation, scored on the test rows.
 *
 * The winner has the best CV mean of `select` (ties: see src/tune/select.ts). Test scores are
 * reported for every candidate but never used to choose: the test rows stay an honest estimate.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { SluiceError } from "../errors.js";
import { FitPool } from "../models/fit-worker-pool.js";
import { runFitJob, shareFitData, type FitData } from "../models/fit-worker-job.js";
import { saveModel } from "../models/format.js";
import type { Model, TargetInfo } from "../models/types.js";
import type { ModelConfig } from "../project/config.js";
import { higherIsBetter, metricsFor, type MetricName } from "../project/metric-names.js";
import type { Project } from "../project/project.js";
import type { GradientBoostingParams, ModelKind, ModelParamsByKind } from "../project/schema.js";
import { crossValidateOnPool, type CrossValidation } from "../tune/cv.js";
import { fixIterations, searchModel } from "../tune/model-search.js";
import { scorePredictions } from "../tune/score.js";
import type { TrialResult } from "../tune/search.js";
import { chooseWinner } from "../tune/select.js";
import { resolveThreads } from "../tune/threads.js";
import { writeFileAtomic } from "../util/fs.js";
import { silentProgress, type Progress, type ProgressStep } from "../util/progress.js";
import { didYouMean } from "../util/text.js";
import { SLUICE_VERSION } from "../version.js";
import type { DataPart, PreparedData } from "./prepare.js";

type AnyParams = ModelParamsByKind[ModelKind];

/** Options for {@link trainCandidates}. */
export interface TrainOptions {
  /** Train only these candidates (names from `models:`); default all. */
  candidates?: readonly string[];
  progress?: Progress;
  /** Worker threads for trials and folds; 0 = one per core (default). Results do not depend on it. */
  threads?: number;
  /** Write model.json, features.json and train.json here. */
  outDir?: string;
  /** Also write features.json into `outDir` (default true). */
  writeFeatures?: boolean;
  signal?: AbortSignal;
}

/** A search trial as recorded (the learning curve left out). */
export type TrialRecord = Omit<TrialResult, "curve">;

/** Everything about one candidate. */
export interface CandidateResult {
  name: string;
  kind: ModelKind;
  /** The parameters the CV and the refit used (after search and early stopping). */
  params: AnyParams;
  search?: {
    method: "tpe" | "random";
    trials: TrialRecord[];
    /** Index of the best trial. */
    best: number;
    seconds: number;
    timedOut: boolean;
  };
  /** Trees chosen by early stopping on the validation rows (gradient boosting without a search). */
  earlyStopping?: { trees: number };
  cv: CrossValidation & { seconds: number };
  /** Every metric of the task, of the refit on train + validation, on the test rows. */
  test: Record<string, number>;
  /** Seconds of the refit on train + validation. */
  fitSeconds: number;
  /** Iterations of the refit (trees, solver steps). */
  iterations: number;
  /** Seconds spent on this candidate in all. */
  seconds: number;
}

/** The result of {@link trainCandidates}. */
export interface TrainResult {
  select: MetricName;
  higherIsBetter: boolean;
  /** In file order. */
  candidates: CandidateResult[];
  /** Name of the chosen candidate. */
  winner: string;
  /** The chosen candidate's refit model. */
  model: Model;
  rows: { train: number; validation: number; test: number };
  folds: number;
  seconds: number;
  /** Written files, when `outDir` was given. */
  files?: { model: string; features?: string; report: string };
}

/** The candidates to train: all, or the named subset (in file order). */
export function pickCandidates(
  models: readonly ModelConfig[],
  names: readonly string[] | undefined,
): ModelConfig[] {
  if (names === undefined || names.length === 0) return [...models];
  const known = models.map((m) => m.name);
  for (const n of names)
    if (!known.includes(n))
      throw new SluiceError("E_USAGE", `there is no candidate "${n}" in models:${didYouMean(n, known)}`, {
        details: { candidate: n, candidates: known },
        hint: `the candidates are: ${known.join(", ")}`,
      });
  return models.filter((m) => names.includes(m.name));
}

/** Train and validation rows stacked (train first), as one shared data set. */
function stackParts(a: DataPart, b: DataPart): FitData {
  const nA = a.X.nRows;
  const nB = b.X.nRows;
  const n = nA + nB;
  const p = a.X.nCols;
  const X = new Float64Array(n * p);
  for (let j = 0; j < p; j++) {
    X.set(a.X.data.subarray(j * nA, (j + 1) * nA), j * n);
    X.set(b.X.data.subarray(j * nB, (j + 1) * nB), j * n + nA);
  }
  const y = a.y instanceof Int32Array ? new Int32Array(n) : new Float64Array(n);
  y.set(a.y, 0);
  y.set(b.y, nA);
  let weights: Float64Array | undefined;
  if (a.weights !== undefined && b.weights !== undefined) {
    weights = new Float64Array(n);
    weights.set(a.weights, 0);
    weights.set(b.weights, nA);
  }
  return shareFitData({ nRows: n, nCols: p, names: a.X.names, data: X }, y, weights);
}

function range(from: number, to: number): Int32Array {
  const r = new Int32Array(to - from);
  for (let i = 0; i < r.length; i++) r[i] = from + i;
  return r;
}

/** What every candidate's training shares. */
interface Session {
  pool: FitPool;
  /** Train rows, then validation rows. */
  data: FitData;
  trainRows: Int32Array;
  validRows: Int32Array;
  test: DataPart;
  target: TargetInfo;
  positive?: number;
  metrics: readonly MetricName[];
  select: MetricName;
  seed: number;
  cv: { folds: number; stratify: boolean };
  threads: number;
  progress: Progress;
  hooks: { signal?: AbortSignal };
}

/** Run `fn` as a progress step that fails when `fn` throws. */
async function stepped<T>(step: ProgressStep, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    step.fail();
    throw err;
  }
}

/** The parameters a candidate goes on with: its search's best, or its own with trees fixed by early stopping. */
async function tuneCandidate(
  s: Session,
  candidate: ModelConfig,
): Promise<Pick<CandidateResult, "params" | "search" | "earlyStopping">> {
  const { kind, name } = candidate;
  const params: AnyParams = candidate.params;
  if (candidate.search !== undefined) {
    const step = s.progress.step(`${name}: search (${candidate.search.method})`, candidate.search.trials);
    const found = await stepped(step, () =>
      searchModel(s.pool, kind, params, candidate.search!, s.target, {
        train: s.trainRows,
        validation: s.validRows,
        metric: s.select,
        seed: s.seed,
        ...(s.positive === undefined ? {} : { positive: s.positive }),
        progress: step,
        ...s.hooks,
      }),
    );
    const { trials, best, seconds, timedOut, method } = found.search;
    const pruned = trials.filter((t) => t.pruned).length;
    step.done(
      `best ${s.select} ${formatScore(best!.score)} in trial ${best!.index + 1} of ${trials.length}${pruned > 0 ? `, ${pruned} pruned` : ""}`,
    );
    return {
      params: found.params,
      search: {
        method,
        trials: trials.map(({ curve: _curve, ...t }) => t),
        best: best!.index,
        seconds,
        timedOut,
      },
    };
  }
  if (kind !== "gradient_boosting" || (params as GradientBoostingParams).early_stopping_rounds === null)
    return { params };
  const trees = (params as GradientBoostingParams).trees;
  if (s.validRows.length === 0) {
    s.progress.warn(
      `${name}: early stopping needs validation rows (split.validation is 0); fitting all ${trees} trees`,
    );
    return { params: fixIterations(kind, params, trees) };
  }
  const step = s.progress.step(`${name}: early stopping`);
  const r = await stepped(step, () =>
    s.pool.run(
      {
        kind,
        params,
        target: s.target,
        train: s.trainRows,
        validation: s.validRows,
        seed: s.seed,
        threads: 1,
      },
      { progress: step, ...s.hooks },
    ),
  );
  step.done(`${r.iterations} of ${trees} trees`);
  return { params: fixIterations(kind, params, r.iterations), earlyStopping: { trees: r.iterations } };
}

/** Tune, cross-validate, refit on train + validation and score on test: one candidate. */
async function trainCandidate(
  s: Session,
  candidate: ModelConfig,
): Promise<{ result: CandidateResult; model: Model }> {
  const started = performance.now();
  const { kind, name } = candidate;
  const tuned = await tuneCandidate(s, candidate);
  const { params } = tuned;
  const positive = s.positive === undefined ? {} : { positive: s.positive };

  const cvStep = s.progress.step(`${name}: ${s.cv.folds}-fold cross-validation`, s.cv.folds);
  const cvStarted = performance.now();
  const cv = await stepped(cvStep, () =>
    crossValidateOnPool(
      s.pool,
      { kind, params, target: s.target },
      {
        folds: s.cv.folds,
        stratify: s.cv.stratify,
        seed: s.seed,
        metrics: s.metrics,
        progress: cvStep,
        ...positive,
        ...s.hooks,
      },
    ),
  );
  const cvSeconds = (performance.now() - cvStarted) / 1000;
  cvStep.done(`${s.select} ${formatScore(cv.mean[s.select])} ± ${formatScore(cv.std[s.select])}`);

  const fitStep = s.progress.step(`${name}: fit on train + validation`);
  const fitted = await stepped(fitStep, () =>
    runFitJob(
      s.data,
      { kind, params, target: s.target, seed: s.seed, threads: s.threads },
      { progress: fitStep, ...s.hooks },
    ),
  );
  const { model } = fitted;
  const predictions =
    s.target.task === "classification" ? model.predictProba(s.test.X) : model.predict(s.test.X);
  const test = scorePredictions(s.target.task, s.test.y, predictions, {
    metrics: s.metrics,
    ...(s.target.classes === undefined ? {} : { nClasses: s.target.classes.length }),
    ...positive,
    ...(s.test.weights === undefined ? {} : { weights: s.test.weights }),
  });
  fitStep.done(`${plural(model.iterations, "iteration")}, test ${s.select} ${formatScore(test[s.select])}`);
  return {
    model,
    result: {
      name,
      kind,
      ...tuned,
      cv: { ...cv, seconds: cvSeconds },
      test,
      fitSeconds: fitted.result.fitSeconds,
      iterations: model.iterations,
      seconds: (performance.now() - started) / 1000,
    },
  };
}

/**
 * Train the project's candidates on prepared data, choose one by cross-validation, and (with
 * `outDir`) write the chosen model, the fitted features and the leaderboard.
 *
 * @throws SluiceError E_USAGE (an unknown candidate), E_CONFIG (a search without validation
 *   rows), E_SPLIT (too few rows for the folds), the learners' errors
 * @example
 * const { kept } = await validateProject(project);
 * const prepared = await prepareData(project, kept);
 * const result = await trainCandidates(project, prepared, { outDir: "out" });
 * result.winner; // "gbdt"
 */
export async function trainCandidates(
  project: Project,
  prepared: PreparedData,
  options: TrainOptions = {},
): Promise<TrainResult> {
  const started = performance.now();
  const progress = options.progress ?? silentProgress;
  const { config } = project;
  const chosen = pickCandidates(config.models, options.candidates);
  const select = config.select;
  const encoded = prepared.target;
  const target: TargetInfo =
    encoded.task === "classification"
      ? { task: "classification", classes: encoded.classes }
      : { task: "regression" };
  const positive = encoded.task === "classification" && encoded.positive >= 0 ? encoded.positive : undefined;
  const threads = resolveThreads(options.threads ?? 0);

  const nTrain = prepared.train.X.nRows;
  const nValid = prepared.validation.X.nRows;
  const data = stackParts(prepared.train, prepared.validation);
  const session: Session = {
    pool: new FitPool(data, { parallel: threads }),
    data,
    trainRows: range(0, nTrain),
    validRows: range(nTrain, nTrain + nValid),
    test: prepared.test,
    target,
    ...(positive === undefined ? {} : { positive }),
    metrics: metricsFor(encoded.task),
    select,
    seed: config.split.seed,
    cv: config.cv,
    threads,
    progress,
    hooks: options.signal === undefined ? {} : { signal: options.signal },
  };
  const results: CandidateResult[] = [];
  const models: Model[] = [];
  try {
    for (const candidate of chosen) {
      const { result, model } = await trainCandidate(session, candidate);
      results.push(result);
      models.push(model);
    }
  } finally {
    await session.pool.close();
  }

  const better = higherIsBetter(select);
  const w = chooseWinner(
    results.map((r) => ({ name: r.name, kind: r.kind, score: r.cv.mean[select]! })),
    better,
  );
  const result: TrainResult = {
    select,
    higherIsBetter: better,
    candidates: results,
    winner: results[w]!.name,
    model: models[w]!,
    rows: { train: nTrain, validation: nValid, test: prepared.test.X.nRows },
    folds: config.cv.folds,
    seconds: (performance.now() - started) / 1000,
  };
  if (options.outDir !== undefined)
    result.files = await writeTrainOutputs(options.outDir, result, prepared, options);
  return result;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * A metric value for people: 4 decimals for scores such as 0.8480, fewer for errors in the
 * units of the target (RMSE 48,612.9), so a column lines up without false precision.
 */
export function formatScore(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return "—";
  const a = Math.abs(x);
  if (a >= 1000) return x.toLocaleString("en-US", { maximumFractionDigits: 1, minimumFractionDigits: 1 });
  if (a >= 10) return x.toFixed(2);
  return x.toFixed(4);
}

/** The leaderboard as written to train.json and printed by `sluice train --json`. */
export function trainReport(result: TrainResult): Record<string, unknown> {
  const { model: _model, ...rest } = result;
  return { sluiceVersion: SLUICE_VERSION, ...rest };
}

async function writeTrainOutputs(
  dir: string,
  result: TrainResult,
  prepared: PreparedData,
  options: TrainOptions,
): Promise<NonNullable<TrainResult["files"]>> {
  const files: NonNullable<TrainResult["files"]> = {
    model: join(dir, "model.json"),
    report: join(dir, "train.json"),
    ...(options.writeFeatures === false ? {} : { features: join(dir, "features.json") }),
  };
  await mkdir(dir, { recursive: true });
  saveModel(result.model, files.model);
  if (files.features !== undefined)
    await writeFileAtomic(files.features, `${JSON.stringify(prepared.features, null, 2)}\n`);
  await writeFileAtomic(files.report, `${JSON.stringify(trainReport({ ...result, files }), null, 2)}\n`);
  return files;
}
