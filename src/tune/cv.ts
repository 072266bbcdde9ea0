/**
 * k-fold cross-validation: fit on k − 1 folds, score on the held-out one, k times. Folds are
 * stratified by class for classification (`kFolds` in src/data/split.ts), seeded, and fitted
 * side by side on worker threads when there are threads to spare; the scores do not depend on
 * how many.
 */
import { kFolds, type Fold } from "../data/split.js";
import type { FeatureMatrix } from "../features/matrix.js";
import { FitPool } from "../models/fit-worker-pool.js";
import { shareFitData, takeRows, takeValues, type FitJob } from "../models/fit-worker-job.js";
import type { Labels, Learner, TargetInfo } from "../models/types.js";
import { metricsFor, type MetricName } from "../project/metric-names.js";
import type { ModelKind, ModelParamsByKind } from "../project/schema.js";
import type { ProgressStep } from "../util/progress.js";
import { resolveThreads } from "./threads.js";
import { scorePredictions } from "./score.js";

/** A learner as data: what a worker thread needs to build it. */
export interface LearnerSpec {
  kind: ModelKind;
  params: ModelParamsByKind[ModelKind];
  target: TargetInfo;
}

/** One fold's result. */
export interface FoldResult {
  /** Metric → score on the held-out fold. */
  scores: Record<string, number>;
  fitSeconds: number;
  iterations: number;
}

/** Every fold, and each metric's mean and standard deviation over the folds. */
export interface CrossValidation {
  folds: FoldResult[];
  mean: Record<string, number>;
  /** Population standard deviation (ddof 0, as numpy's default). */
  std: Record<string, number>;
}

/** Options for {@link crossValidate}. */
export interface CrossValidateOptions {
  folds: number;
  /**
   * Explicit folds (rows to train on and rows to score, as indices), used instead of `folds`
   * seeded ones: for grouped or time-ordered data, or to reproduce another tool's folds.
   */
  foldRows?: readonly Fold[];
  /** Keep class shares in every fold (classification; default true). */
  stratify?: boolean;
  /** Seed of the fold assignment and of every fit. */
  seed: number;
  weights?: Float64Array;
  /** Default: every metric of the task. */
  metrics?: readonly MetricName[];
  /** Code of the positive class of a binary target. */
  positive?: number;
  /** Folds fitted at once (0 = one per core). Ignored when the learner is a factory function. */
  threads?: number;
  /** Reports folds done. */
  progress?: ProgressStep;
  signal?: AbortSignal;
}

/** Mean and population standard deviation of each metric over the folds. */
export function summarizeFolds(folds: readonly FoldResult[]): Pick<CrossValidation, "mean" | "std"> {
  const mean: Record<string, number> = {};
  const std: Record<string, number> = {};
  const names = folds.length === 0 ? [] : Object.keys(folds[0]!.scores);
  for (const m of names) {
    let sum = 0;
    for (const f of folds) sum += f.scores[m]!;
    const mu = sum / folds.length;
    let ss = 0;
    for (const f of folds) ss += (f.scores[m]! - mu) ** 2;
    mean[m] = mu;
    std[m] = Math.sqrt(ss / folds.length);
  }
  return { mean, std };
}

function allRows(n: number): Int32Array {
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  return rows;
}

/** Options for {@link crossValidateOnPool}. */
export interface PoolCrossValidateOptions extends Omit<CrossValidateOptions, "threads" | "weights"> {
  /** The rows of the pool's data to fold (default: all). */
  rows?: Int32Array;
}

/**
 * Cross-validate a learner over (some of) the rows a {@link FitPool} holds, fitting folds on its
 * workers.
 */
export async function crossValidateOnPool(
  pool: FitPool,
  learner: LearnerSpec,
  options: PoolCrossValidateOptions,
): Promise<CrossValidation> {
  const { data } = pool;
  const rows = options.rows ?? allRows(data.nRows);
  const { target } = learner;
  const metrics = options.metrics ?? metricsFor(target.task);
  const stratify = target.task === "classification" && options.stratify !== false;
  const folds =
    options.foldRows ??
    kFolds(rows, options.folds, {
      seed: options.seed,
      ...(stratify && data.y instanceof Int32Array
        ? { stratify: data.y, ...(target.classes === undefined ? {} : { classNames: target.classes }) }
        : {}),
    });
  let done = 0;
  options.progress?.update(0, folds.length);
  const results = await Promise.all(
    folds.map(async (fold) => {
      const job: FitJob = {
        kind: learner.kind,
        params: learner.params,
        target,
        train: fold.train,
        score: fold.valid,
        seed: options.seed,
        threads: 1,
      };
      const r = await pool.run(job, options.signal === undefined ? {} : { signal: options.signal });
      options.progress?.update(++done, folds.length);
      const scores = scorePredictions(target.task, takeValues(data.y, fold.valid), r.predictions!, {
        metrics,
        ...(target.classes === undefined ? {} : { nClasses: target.classes.length }),
        ...(options.positive === undefined ? {} : { positive: options.positive }),
        ...(data.weights === undefined ? {} : { weights: takeValues(data.weights, fold.valid) }),
      });
      return { scores, fitSeconds: r.fitSeconds, iterations: r.iterations };
    }),
  );
  return { folds: results, ...summarizeFolds(results) };
}

/**
 * k-fold cross-validation of a learner on X, y.
 *
 * Give the learner as a {@link LearnerSpec} (kind, params, target) to fit folds on worker
 * threads, or as a factory function to fit them one after another on this thread.
 *
 * @throws SluiceError E_SPLIT when the folds cannot be made; the learner's errors otherwise
 * @example
 * const cv = await crossValidate(
 *   { kind: "logistic_regression", params: ModelParams.logistic_regression.parse({}), target },
 *   X, y, { folds: 5, seed: 42, metrics: ["roc_auc"], positive: 1 },
 * );
 * cv.mean.roc_auc; // 0.84
 */
export async function crossValidate(
  learner: LearnerSpec | (() => Learner),
  X: FeatureMatrix,
  y: Labels,
  options: CrossValidateOptions,
): Promise<CrossValidation> {
  if (typeof learner !== "function") {
    const pool = new FitPool(shareFitData(X, y, options.weights), {
      parallel: Math.min(options.foldRows?.length ?? options.folds, resolveThreads(options.threads ?? 0)),
    });
    try {
      return await crossValidateOnPool(pool, learner, options);
    } finally {
      await pool.close();
    }
  }

  const data = {
    nRows: X.nRows,
    names: X.names,
    X: X.data,
    y,
    ...(options.weights === undefined ? {} : { weights: options.weights }),
  };
  const probe = learner();
  const { target } = probe;
  const metrics = options.metrics ?? metricsFor(target.task);
  const stratify = target.task === "classification" && options.stratify !== false && y instanceof Int32Array;
  const folds =
    options.foldRows ??
    kFolds(allRows(X.nRows), options.folds, {
      seed: options.seed,
      ...(stratify
        ? { stratify: y, ...(target.classes === undefined ? {} : { classNames: target.classes }) }
        : {}),
    });
  const results: FoldResult[] = [];
  options.progress?.update(0, folds.length);
  for (const fold of folds) {
    const fit = results.length === 0 ? probe : learner();
    const weights = options.weights === undefined ? undefined : takeValues(options.weights, fold.train);
    const started = performance.now();
    const model = await fit.fit(takeRows(data, fold.train), takeValues(y, fold.train), {
      seed: options.seed,
      ...(weights === undefined ? {} : { weights }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    const fitSeconds = (performance.now() - started) / 1000;
    const V = takeRows(data, fold.valid);
    const predictions = target.task === "classification" ? model.predictProba(V) : model.predict(V);
    const scores = scorePredictions(target.task, takeValues(y, fold.valid), predictions, {
      metrics,
      ...(target.classes === undefined ? {} : { nClasses: target.classes.length }),
      ...(options.positive === undefined ? {} : { positive: options.positive }),
      ...(options.weights === undefined ? {} : { weights: takeValues(options.weights, fold.valid) }),
    });
    results.push({ scores, fitSeconds, iterations: model.iterations });
    options.progress?.update(results.length, folds.length);
  }
  return { folds: results, ...summarizeFolds(results) };
}
