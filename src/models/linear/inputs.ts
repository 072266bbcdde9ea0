/**
 * Checks every learner runs on what it is given before any work, so that bad input fails with
 * a message naming the bad value (count, first row, feature) instead of producing NaN models.
 * Shared by the linear models and the random forest.
 */
import type { FeatureMatrix } from "../../features/matrix.js";
import type { Labels, TargetInfo, ValidationSet } from "../types.js";
import { SluiceError } from "../../errors.js";

function plural(n: number, word: string): string {
  return `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * The training matrix: at least one row, one label per row.
 * @throws SluiceError E_MATRIX
 */
export function checkTrainingMatrix(X: FeatureMatrix, y: Labels, model: string): void {
  if (X.nRows === 0)
    throw new SluiceError("E_MATRIX", `cannot fit a ${model} on 0 rows`, {
      hint: "check the data file and the split settings: the training part is empty",
    });
  if (X.nCols === 0)
    throw new SluiceError("E_MATRIX", `cannot fit a ${model} on a matrix with no features`, {
      hint: "check the features section of the project: every column was dropped",
    });
  if (y.length !== X.nRows)
    throw new SluiceError(
      "E_MATRIX",
      `the matrix has ${plural(X.nRows, "row")} but there are ${plural(y.length, "label")}`,
      { details: { rows: X.nRows, labels: y.length } },
    );
}

/**
 * The matrix given to a fitted model has the model's number of columns.
 * @throws SluiceError E_MATRIX naming both counts
 */
export function checkPredictMatrix(nCols: number, featureNames: readonly string[]): void {
  if (nCols !== featureNames.length)
    throw new SluiceError(
      "E_MATRIX",
      `the matrix has ${plural(nCols, "column")}, but the model was fitted on ${plural(featureNames.length, "feature")}`,
      {
        details: { columns: nCols, features: featureNames.length },
        hint: "transform the data with the fitted features the model was trained with",
      },
    );
}

/**
 * Class codes, checked against the K classes of `target`.
 *
 * @returns the (unweighted) number of rows of each class
 * @throws SluiceError E_LABELS for NaN, non-integer, negative or ≥ K codes, or a single class
 */
export function checkClassLabels(y: Labels, target: TargetInfo, part = "training"): Float64Array {
  const classes = target.classes;
  if (classes === undefined || classes.length < 2)
    throw new SluiceError(
      "E_LABELS",
      `classification needs at least 2 classes, the target declares ${classes?.length ?? 0}`,
      { hint: "pass the target's classes (TargetInfo.classes) when creating the learner" },
    );
  const K = classes.length;
  const counts = new Float64Array(K);
  let bad = 0;
  let firstBad = -1;
  for (let i = 0; i < y.length; i++) {
    const c = y[i]!;
    if (c >= 0 && c < K && Number.isInteger(c)) counts[c]!++;
    else if (bad++ === 0) firstBad = i;
  }
  if (bad > 0) {
    const v = y[firstBad]!;
    throw new SluiceError(
      "E_LABELS",
      `${plural(bad, part + " label")} ${bad === 1 ? "is" : "are"} not a class code 0..${K - 1}; the first is ${String(v)} at row ${firstBad}`,
      {
        details: { count: bad, row: firstBad, value: v, classes: K },
        hint: "encode the target with encodeTarget, or remove rows with a missing target",
      },
    );
  }
  let present = 0;
  for (let k = 0; k < K; k++) if (counts[k]! > 0) present++;
  if (part === "training" && present < 2) {
    const only = counts.findIndex((c) => c > 0);
    throw new SluiceError(
      "E_LABELS",
      `every training row has the class "${classes[only]!}": a classifier needs at least 2 classes to learn from`,
      {
        details: { class: classes[only], rows: y.length },
        hint: "check the split: with stratify: true every class reaches the training part",
      },
    );
  }
  return counts;
}

/**
 * Regression targets: finite numbers.
 * @throws SluiceError E_LABELS naming the count and the first bad row
 */
export function checkRegressionLabels(y: Labels, part = "training"): void {
  let bad = 0;
  let firstBad = -1;
  for (let i = 0; i < y.length; i++) if (!Number.isFinite(y[i]!) && bad++ === 0) firstBad = i;
  if (bad > 0)
    throw new SluiceError(
      "E_LABELS",
      `${plural(bad, part + " target")} ${bad === 1 ? "is" : "are"} not a finite number; the first is ${String(y[firstBad])} at row ${firstBad}`,
      {
        details: { count: bad, row: firstBad },
        hint: "remove or correct rows with missing or infinite targets",
      },
    );
}

/**
 * Labels of `task`, checked; class counts for classification.
 * @throws SluiceError E_LABELS
 */
export function checkLabels(y: Labels, target: TargetInfo): Float64Array | undefined {
  if (target.task === "classification") return checkClassLabels(y, target);
  checkRegressionLabels(y);
  return undefined;
}

/**
 * Sample weights: one per row, finite, ≥ 0, not all zero.
 * @throws SluiceError E_USAGE naming the count and the first bad row
 */
export function checkWeights(weights: Float64Array | undefined, nRows: number): void {
  if (weights === undefined) return;
  if (weights.length !== nRows)
    throw new SluiceError(
      "E_USAGE",
      `there are ${plural(weights.length, "sample weight")} for ${plural(nRows, "row")}`,
      { details: { weights: weights.length, rows: nRows } },
    );
  let bad = 0;
  let firstBad = -1;
  let total = 0;
  for (let i = 0; i < nRows; i++) {
    const w = weights[i]!;
    if (w >= 0 && w < Infinity) total += w;
    else if (bad++ === 0) firstBad = i;
  }
  if (bad > 0)
    throw new SluiceError(
      "E_USAGE",
      `${plural(bad, "sample weight")} ${bad === 1 ? "is" : "are"} negative, NaN or infinite; the first is ${String(weights[firstBad])} at row ${firstBad}`,
      {
        details: { count: bad, row: firstBad },
        hint: "weights must be finite numbers ≥ 0",
      },
    );
  if (!(total > 0))
    throw new SluiceError("E_USAGE", `every sample weight is 0: there is nothing to fit`, {
      hint: "give at least one row a positive weight",
    });
}

/**
 * A validation set for a model with `nFeatures` columns, trained on classes with `trainCounts`.
 * @throws SluiceError E_MATRIX, E_LABELS (including a class that no training row had)
 */
export function checkValidationSet(
  validation: ValidationSet,
  nFeatures: number,
  target: TargetInfo,
  trainCounts: Float64Array | undefined,
): void {
  const { X, y } = validation;
  if (X.nCols !== nFeatures)
    throw new SluiceError(
      "E_MATRIX",
      `the validation matrix has ${plural(X.nCols, "column")}, the training matrix ${nFeatures}`,
      { details: { validation: X.nCols, training: nFeatures } },
    );
  if (y.length !== X.nRows)
    throw new SluiceError(
      "E_MATRIX",
      `the validation matrix has ${plural(X.nRows, "row")} but there are ${plural(y.length, "label")}`,
    );
  checkWeights(validation.weights, X.nRows);
  if (target.task === "regression") {
    checkRegressionLabels(y, "validation");
    return;
  }
  const counts = checkClassLabels(y, target, "validation");
  for (let k = 0; k < counts.length; k++)
    if (counts[k]! > 0 && trainCounts !== undefined && trainCounts[k] === 0) {
      let row = 0;
      while (y[row] !== k) row++;
      throw new SluiceError(
        "E_LABELS",
        `the validation set has class "${target.classes![k]!}" (first at row ${row}), which no training row has: the model cannot score it`,
        {
          details: { class: target.classes![k], row, count: counts[k] },
          hint: "use a stratified split, or remove classes too rare to reach the training part",
        },
      );
    }
}

/**
 * Every value of `X` is a number, and small enough that products of two stay finite (a linear
 * model's sums of squares would overflow to Infinity and then NaN).
 * @throws SluiceError E_MATRIX naming the feature and the row
 */
export function checkFiniteMatrix(X: FeatureMatrix, model: string): void {
  const { nRows, data } = X;
  for (let j = 0; j < X.nCols; j++) {
    const base = j * nRows;
    for (let i = 0; i < nRows; i++) {
      const v = data[base + i]!;
      // One comparison for the common case; NaN fails it too.
      if (v > -1e150 && v < 1e150) continue;
      const name = X.names[j] ?? `#${j}`;
      if (v !== v)
        throw new SluiceError(
          "E_MATRIX",
          `feature "${name}" is missing (NaN) at row ${i}: a ${model} needs a number in every cell`,
          {
            details: { feature: name, row: i },
            hint: "impute missing values (features.numeric.impute), or use a tree model, which routes missing values itself",
          },
        );
      throw new SluiceError(
        "E_MATRIX",
        `feature "${name}" holds ${v} at row ${i}: a ${model} cannot fit values beyond ±1e150 without overflowing`,
        {
          details: { feature: name, row: i, value: v },
          hint: "scale the feature (features.numeric.scale: standard) or cap its outliers",
        },
      );
    }
  }
}

/**
 * A missing value in a matrix given to a linear model at prediction.
 * @throws SluiceError E_MATRIX naming the feature and the row
 */
export function checkNoMissing(X: FeatureMatrix, model: string): void {
  const { nRows, data } = X;
  for (let j = 0; j < X.nCols; j++) {
    const base = j * nRows;
    for (let i = 0; i < nRows; i++) {
      if (data[base + i] === data[base + i]) continue;
      const name = X.names[j] ?? `#${j}`;
      throw new SluiceError(
        "E_MATRIX",
        `feature "${name}" is missing (NaN) at row ${i}: a ${model} needs a number in every cell`,
        {
          details: { feature: name, row: i },
          hint: "transform the data with the model's fitted features, which impute missing values",
        },
      );
    }
  }
}

/**
 * scikit-learn's "balanced" class weights: n / (K · count_k), from unweighted counts
 * (a class with no rows gets 0, it weighs nothing anyway).
 */
export function balancedClassWeights(counts: Float64Array): Float64Array {
  let n = 0;
  for (let k = 0; k < counts.length; k++) n += counts[k]!;
  const out = new Float64Array(counts.length);
  for (let k = 0; k < counts.length; k++) out[k] = counts[k]! > 0 ? n / (counts.length * counts[k]!) : 0;
  return out;
}

/**
 * Per-row training weights: sample weights × class weights (all 1 when neither is given).
 */
export function rowWeights(
  nRows: number,
  weights: Float64Array | undefined,
  y: Labels,
  classWeights: Float64Array | undefined,
): Float64Array {
  const out = weights === undefined ? new Float64Array(nRows).fill(1) : Float64Array.from(weights);
  if (classWeights !== undefined) for (let i = 0; i < nRows; i++) out[i]! *= classWeights[y[i]!]!;
  return out;
}

/** @throws SluiceError E_ABORTED when `signal` is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, model: string): void {
  if (signal?.aborted)
    throw new SluiceError("E_ABORTED", `fitting the ${model} was stopped by its caller`, {
      cause: signal.reason,
    });
}
