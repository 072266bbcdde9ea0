/**
 * The contract every learner keeps: `learner.fit(X, y, options)` → a frozen {@link Model}.
 *
 * - Inputs are a column-major {@link FeatureMatrix} (column j = data[j*nRows, (j+1)*nRows)),
 *   the output of the features part. Missing values are NaN; trees route them natively,
 *   linear models refuse them (features impute, so they only meet NaN when called directly).
 * - Classification targets are class codes 0..K-1 (`Int32Array`); regression targets are
 *   numbers (`Float64Array`).
 * - A model's raw output ("margin") is what its explanation adds up to:
 *   gradient boosting — the sum of tree outputs plus the base score (log-odds for binary,
 *   one score per class for multiclass, the value for regression); logistic regression — the
 *   linear predictor (log-odds / per-class scores); ridge — the prediction; random forest —
 *   the averaged leaf values (class probabilities, or the value for regression).
 *
 * Params are the zod-checked plain objects of src/project/schema.ts (`ModelParams`); `fit`
 * never changes them, and the model records them.
 */
import type { FeatureMatrix } from "../features/matrix.js";
import type { ModelKind, ModelParamsByKind } from "../project/schema.js";
import type { ProgressStep } from "../util/progress.js";

export type Task = "classification" | "regression";

/** What the learner must know about the target besides its values. */
export interface TargetInfo {
  task: Task;
  /** Class labels by code (classification only); K = classes.length ≥ 2. */
  classes?: readonly string[];
}

/** Labels: class codes (classification) or values (regression). */
export type Labels = Int32Array | Float64Array;

/** Held-out rows a learner may watch while fitting (early stopping, pruning, learning curves). */
export interface ValidationSet {
  X: FeatureMatrix;
  y: Labels;
  weights?: Float64Array;
}

export interface FitOptions {
  /** Per-row sample weights, finite and ≥ 0. */
  weights?: Float64Array;
  /** Rows for early stopping (gradient boosting) and the learning curve. */
  validation?: ValidationSet;
  /** Seed for every random draw of the fit (bagging, feature sampling, bootstrap). Default 42. */
  seed?: number;
  /** Worker threads; 0 = one per core; overrides `params.threads`. Results do not depend on it. */
  threads?: number;
  /**
   * Called after each iteration (boosting round, tree, solver step) with the validation loss
   * when there is a validation set (NaN otherwise). Return `false` to stop early: search uses
   * it to prune trials that are doing worse than earlier ones.
   */
  onIteration?: (iteration: number, validationLoss: number) => boolean | void;
  /** Reports iterations done of the total. */
  progress?: ProgressStep;
  /** Stops the fit with an E_ABORTED error. */
  signal?: AbortSignal;
}

/** Per-feature contributions to the raw output (SHAP values). */
export interface Explanation {
  nRows: number;
  nFeatures: number;
  /** Raw outputs per row: 1, or K for multiclass (and for random-forest classification). */
  nOutputs: number;
  featureNames: readonly string[];
  /**
   * Row-major `[row][output][feature]`: value of feature f for output k of row i is
   * `values[(i * nOutputs + k) * nFeatures + f]`.
   */
  values: Float64Array;
  /** The expected raw output per output: contributions + expectedValue = raw output, per row. */
  expectedValue: Float64Array;
}

/** Feature importances of a fitted model, one value per feature. */
export interface Importances {
  featureNames: readonly string[];
  /** Total loss reduction of the splits on each feature (trees). */
  gain?: Float64Array;
  /** Number of splits on each feature (trees). */
  split?: Float64Array;
  /** Mean absolute coefficient across outputs, on the (scaled) features (linear models). */
  coefficient?: Float64Array;
}

/** A fitted model: frozen, safe to share, serialisable as versioned JSON. */
export interface Model {
  readonly kind: ModelKind;
  readonly task: Task;
  /** Class labels by code (classification). */
  readonly classes: readonly string[] | undefined;
  readonly featureNames: readonly string[];
  /** Raw outputs per row (see the file comment). */
  readonly nOutputs: number;
  readonly params: Readonly<ModelParamsByKind[ModelKind]>;
  /** Iterations actually fitted (boosting rounds after early stopping, trees, solver steps). */
  readonly iterations: number;

  /** Raw outputs, row-major `nRows × nOutputs`. */
  predictRaw(X: FeatureMatrix, out?: Float64Array): Float64Array;
  /** Class probabilities, row-major `nRows × K` (classification only; E_USAGE otherwise). */
  predictProba(X: FeatureMatrix, out?: Float64Array): Float64Array;
  /** Predicted values (regression) or the most probable class code (classification), one per row. */
  predict(X: FeatureMatrix, out?: Float64Array): Float64Array;
  /**
   * One row (`nFeatures` values) → probabilities (K values, classification) or the value (1,
   * regression), written into `out`. Allocates nothing when `out` is given.
   */
  predictOne(row: Float64Array, out?: Float64Array): Float64Array;
  /** SHAP values of the raw output: TreeSHAP (path-dependent) for trees, exact for linear models. */
  explain(X: FeatureMatrix): Explanation;
  importances(): Importances;
  /** The model file (see src/models/format.ts). */
  toJSON(): ModelFile;
}

/** Every model file starts with this header; the rest depends on `kind`. */
export interface ModelFileHeader {
  format: "sluice-model";
  formatVersion: number;
  sluiceVersion: string;
  kind: ModelKind;
  task: Task;
  classes?: string[];
  featureNames: string[];
  nOutputs: number;
  params: ModelParamsByKind[ModelKind];
  iterations: number;
}

/** A model file: the header plus the kind's own fields (trees, coefficients). Plain JSON. */
export type ModelFile = ModelFileHeader & Record<string, unknown>;

/** Makes models of one kind. `fit` is async because trees may be grown on worker threads. */
export interface Learner<K extends ModelKind = ModelKind> {
  readonly kind: K;
  readonly params: Readonly<ModelParamsByKind[K]>;
  readonly target: TargetInfo;
  fit(X: FeatureMatrix, y: Labels, options?: FitOptions): Promise<Model>;
}
