/**
 * The three boosting objectives: what a model's raw outputs mean, where boosting starts
 * (the base score), the gradients each round, and the validation loss.
 *
 * - binary (2 classes): one raw output, the log-odds of class 1; base score the log-odds of
 *   the weighted share of class 1.
 * - multiclass (K > 2): K raw outputs, softmax; K trees per round; base scores the logs of the
 *   weighted class shares, minus their mean.
 * - regression: the value; squared error; base score the weighted mean.
 */
import type { Labels, Task } from "../types.js";
import {
  logisticGradients,
  logisticGradientsUnweighted,
  logisticLoss,
  softmaxGradients,
  softmaxGradientsUnweighted,
  softmaxLoss,
  squaredErrorGradients,
  squaredErrorGradientsUnweighted,
  squaredErrorLoss,
} from "../kernels/loss.js";

export type ObjectiveName = "binary" | "multiclass" | "regression";

/** Shares are kept off 0 and 1 so their logs stay finite (as scikit-learn does). */
const SHARE_EPS = 2.220446049250313e-16;

export function objectiveFor(task: Task, nClasses: number): ObjectiveName {
  if (task === "regression") return "regression";
  return nClasses === 2 ? "binary" : "multiclass";
}

/** Raw outputs per row. */
export function outputsOf(objective: ObjectiveName, nClasses: number): number {
  return objective === "multiclass" ? nClasses : 1;
}

/**
 * The starting raw score of each output.
 *
 * @param w IN: training weight per row (sample × class weights), or undefined when all are 1
 */
export function baseScores(
  objective: ObjectiveName,
  y: Labels,
  w: Float64Array | undefined,
  nClasses: number,
): Float64Array {
  const n = y.length;
  let wsum = 0;
  if (w === undefined) wsum = n;
  else for (let i = 0; i < n; i++) wsum += w[i]!;
  if (objective === "regression") {
    let s = 0;
    if (w === undefined) for (let i = 0; i < n; i++) s += y[i]!;
    else for (let i = 0; i < n; i++) s += w[i]! * y[i]!;
    return Float64Array.of(wsum > 0 ? s / wsum : 0);
  }
  const perClass = new Float64Array(nClasses);
  if (w === undefined) for (let i = 0; i < n; i++) perClass[y[i]!]! += 1;
  else for (let i = 0; i < n; i++) perClass[y[i]!]! += w[i]!;
  const share = (k: number): number => Math.min(1 - SHARE_EPS, Math.max(SHARE_EPS, perClass[k]! / wsum));
  if (objective === "binary") {
    const p = share(1);
    return Float64Array.of(Math.log(p / (1 - p)));
  }
  // Centred (as scikit-learn): softmax does not see a shift, and centred scores stay near 0.
  const logs = Float64Array.from({ length: nClasses }, (_, k) => Math.log(share(k)));
  let mean = 0;
  for (let k = 0; k < nClasses; k++) mean += logs[k]!;
  mean /= nClasses;
  for (let k = 0; k < nClasses; k++) logs[k]! -= mean;
  return logs;
}

/**
 * Gradients of every output of the rows [begin, end) for the current raw scores.
 *
 * @param raw IN: class-major scores (output k of row i at k·n + i)
 * @param w IN: weights, or undefined when all are 1 (squared error: constant hessian, h untouched)
 * @param g,h OUT: class-major
 */
export function computeGradients(
  objective: ObjectiveName,
  raw: Float64Array,
  y: Labels,
  w: Float64Array | undefined,
  K: number,
  g: Float32Array,
  h: Float32Array,
  scratch: Float64Array,
  begin = 0,
  end = y.length,
): void {
  const n = y.length;
  if (objective === "binary") {
    if (w === undefined) logisticGradientsUnweighted(raw, y as Int32Array, g, h, end, begin);
    else logisticGradients(raw, y as Int32Array, w, g, h, end, begin);
  } else if (objective === "multiclass") {
    if (w === undefined) softmaxGradientsUnweighted(raw, y as Int32Array, K, g, h, n, scratch, begin, end);
    else softmaxGradients(raw, y as Int32Array, w, K, g, h, n, scratch, begin, end);
  } else if (w === undefined) squaredErrorGradientsUnweighted(raw, y as Float64Array, g, end, begin);
  else squaredErrorGradients(raw, y as Float64Array, w, g, h, end, begin);
}

/**
 * The loss reported for validation rows and used for early stopping: mean log loss
 * (classification) or mean squared error (regression), weighted.
 *
 * @param raw IN: row-major raw scores (output k of row i at i·K + k)
 */
export function validationLoss(
  objective: ObjectiveName,
  raw: Float64Array,
  y: Labels,
  w: Float64Array | undefined,
  K: number,
): number {
  const n = y.length;
  if (objective === "binary") return logisticLoss(raw, y as Int32Array, w, n);
  if (objective === "multiclass") return softmaxLoss(raw, y as Int32Array, w, K, n);
  return squaredErrorLoss(raw, y as Float64Array, w, n);
}
