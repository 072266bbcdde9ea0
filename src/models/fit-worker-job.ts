/**
 * One fit as plain data: which learner, which rows to train on, watch and predict, and when to
 * give up. The same function runs a job on the calling thread or inside a worker thread
 * (fit-worker.ts), so a job's result never depends on where it ran.
 *
 * The data is shared, not copied per job: one {@link FitData} (backed by SharedArrayBuffers)
 * holds every row a series of jobs needs (say, train + validation for a search and its
 * cross-validation), and each job names its rows by index.
 */
import { SluiceError } from "../errors.js";
import { featureMatrix, type FeatureMatrix } from "../features/matrix.js";
import type { ModelKind, ModelParamsByKind } from "../project/schema.js";
import type { ProgressStep } from "../util/progress.js";
import type { LossBound } from "./fit-worker-bound.js";
import { exceedsBound } from "./fit-worker-bound.js";
import { learnerFor } from "./learners.js";
import type { Labels, Model, ModelFile, TargetInfo } from "./types.js";

/** Rows shared by a series of fit jobs. */
export interface FitData {
  nRows: number;
  names: readonly string[];
  /** Column-major `nRows × names.length`, as in a FeatureMatrix. */
  X: Float64Array;
  y: Labels;
  weights?: Float64Array;
}

function sharedCopy<T extends Float64Array | Int32Array>(a: T, make: (b: SharedArrayBuffer) => T): T {
  const out = make(new SharedArrayBuffer(a.byteLength));
  out.set(a);
  return out;
}

/**
 * Copy a matrix, its labels and weights into SharedArrayBuffers, so worker threads read them
 * without a copy each.
 */
export function shareFitData(X: FeatureMatrix, y: Labels, weights?: Float64Array): FitData {
  if (y.length !== X.nRows)
    throw new SluiceError("E_LABELS", `got ${y.length} labels for ${X.nRows} rows; give one label per row`, {
      details: { labels: y.length, rows: X.nRows },
    });
  if (weights !== undefined && weights.length !== X.nRows)
    throw new SluiceError(
      "E_USAGE",
      `got ${weights.length} weights for ${X.nRows} rows; give one weight per row`,
      {
        details: { weights: weights.length, rows: X.nRows },
      },
    );
  return {
    nRows: X.nRows,
    names: [...X.names],
    X: sharedCopy(X.data, (b) => new Float64Array(b)),
    y:
      y instanceof Int32Array
        ? sharedCopy(y, (b) => new Int32Array(b))
        : sharedCopy(y, (b) => new Float64Array(b)),
    ...(weights === undefined ? {} : { weights: sharedCopy(weights, (b) => new Float64Array(b)) }),
  };
}

/** One fit, as plain data (it crosses to worker threads by structured clone). */
export interface FitJob {
  kind: ModelKind;
  params: ModelParamsByKind[ModelKind];
  target: TargetInfo;
  /** Rows to train on (indices into the FitData); all rows when absent. */
  train?: Int32Array;
  /** Rows the learner watches (early stopping, the learning curve). */
  validation?: Int32Array;
  /** Rows to predict after the fit; their predictions come back. */
  score?: Int32Array;
  seed: number;
  threads: number;
  /** Stop the fit when its learning curve goes above this bound. */
  stopAbove?: LossBound;
  /** Send the model file back. */
  returnModel?: boolean;
}

/** What a fit job gives back. */
export interface FitJobResult {
  iterations: number;
  /** Seconds spent in `learner.fit`. */
  fitSeconds: number;
  /** Validation loss after each iteration (empty without validation rows). */
  curve: Float64Array;
  /** True when `stopAbove` stopped the fit. */
  stopped: boolean;
  /**
   * Predictions on the `score` rows: class probabilities (row-major `n × K`) for classification,
   * values for regression.
   */
  predictions?: Float64Array;
  model?: ModelFile;
}

/** The rows `rows` of the shared data as a matrix of their own (all rows: no copy). */
export function takeRows(data: FitData, rows: Int32Array | undefined): FeatureMatrix {
  if (rows === undefined) return featureMatrix(data.nRows, data.names, data.X);
  const n = rows.length;
  const p = data.names.length;
  const out = new Float64Array(n * p);
  const src = data.X;
  for (let j = 0; j < p; j++) {
    const from = j * data.nRows;
    const to = j * n;
    for (let i = 0; i < n; i++) out[to + i] = src[from + rows[i]!]!;
  }
  return featureMatrix(n, data.names, out);
}

/** The values of `rows` (all values, uncopied, when `rows` is absent). */
export function takeValues<T extends Labels>(values: T, rows: Int32Array | undefined): T {
  if (rows === undefined) return values;
  const out = (
    values instanceof Int32Array ? new Int32Array(rows.length) : new Float64Array(rows.length)
  ) as T;
  for (let i = 0; i < rows.length; i++) out[i] = values[rows[i]!]!;
  return out;
}

/** Hooks for a job run on the calling thread. */
export interface FitJobHooks {
  /** Iterations done of the total (a refit's trees). */
  progress?: ProgressStep;
  signal?: AbortSignal;
}

/**
 * Run one fit job here and now.
 *
 * @returns the job's result and the fitted model (which stays on this thread)
 */
export async function runFitJob(
  data: FitData,
  job: FitJob,
  hooks: FitJobHooks = {},
): Promise<{ result: FitJobResult; model: Model }> {
  const learner = learnerFor(job.kind, job.params, job.target);
  const X = takeRows(data, job.train);
  const y = takeValues(data.y, job.train);
  const weights = data.weights === undefined ? undefined : takeValues(data.weights, job.train);
  const validation =
    job.validation === undefined
      ? undefined
      : {
          X: takeRows(data, job.validation),
          y: takeValues(data.y, job.validation),
          ...(data.weights === undefined ? {} : { weights: takeValues(data.weights, job.validation) }),
        };
  const curve: number[] = [];
  let best = Infinity;
  let stopped = false;
  const bound = job.stopAbove;
  const started = performance.now();
  const model = await learner.fit(X, y, {
    seed: job.seed,
    threads: job.threads,
    ...(weights === undefined ? {} : { weights }),
    ...(validation === undefined ? {} : { validation }),
    ...(hooks.progress === undefined ? {} : { progress: hooks.progress }),
    ...(hooks.signal === undefined ? {} : { signal: hooks.signal }),
    onIteration: (_iteration, loss) => {
      curve.push(loss);
      if (loss < best) best = loss;
      if (bound !== undefined && exceedsBound(bound, curve.length - 1, best)) {
        stopped = true;
        return false;
      }
      return true;
    },
  });
  const fitSeconds = (performance.now() - started) / 1000;
  let predictions: Float64Array | undefined;
  if (job.score !== undefined) {
    const S = takeRows(data, job.score);
    predictions = job.target.task === "classification" ? model.predictProba(S) : model.predict(S);
  }
  return {
    result: {
      iterations: model.iterations,
      fitSeconds,
      curve: Float64Array.from(curve),
      stopped,
      ...(predictions === undefined ? {} : { predictions }),
      ...(job.returnModel === true ? { model: model.toJSON() } : {}),
    },
    model,
  };
}
