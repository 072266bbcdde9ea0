/**
 * Regression metrics, weighted, matching scikit-learn's definitions (the fixtures in
 * ./fixtures record its values).
 */
import { checkFinite, checkRows, checkWeights, type Weights } from "./inputs.js";

function setup(metric: string, y: ArrayLike<number>, pred: ArrayLike<number>, weights: Weights): number {
  const n = checkRows(metric, y, pred, "pred");
  checkFinite(metric, y, "y");
  checkFinite(metric, pred, "pred");
  return checkWeights(metric, weights, n);
}

function weightOf(weights: Weights, i: number): number {
  return weights === undefined ? 1 : weights[i]!;
}

/** Root mean squared error. */
export function rmse(y: ArrayLike<number>, pred: ArrayLike<number>, weights?: Weights): number {
  const total = setup("rmse", y, pred, weights);
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    const d = pred[i]! - y[i]!;
    sum += weightOf(weights, i) * d * d;
  }
  return Math.sqrt(sum / total);
}

/** Mean absolute error. */
export function mae(y: ArrayLike<number>, pred: ArrayLike<number>, weights?: Weights): number {
  const total = setup("mae", y, pred, weights);
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += weightOf(weights, i) * Math.abs(pred[i]! - y[i]!);
  return sum / total;
}

/**
 * Coefficient of determination, 1 − SS_res / SS_tot (weighted). A constant y has no variance to
 * explain: 1 when the predictions are exact, 0 otherwise (scikit-learn's `force_finite`).
 */
export function r2(y: ArrayLike<number>, pred: ArrayLike<number>, weights?: Weights): number {
  const total = setup("r2", y, pred, weights);
  let mean = 0;
  for (let i = 0; i < y.length; i++) mean += weightOf(weights, i) * y[i]!;
  mean /= total;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < y.length; i++) {
    const w = weightOf(weights, i);
    const d = y[i]! - pred[i]!;
    const c = y[i]! - mean;
    res += w * d * d;
    tot += w * c * c;
  }
  if (tot === 0) return res === 0 ? 1 : 0;
  return 1 - res / tot;
}

/** The smallest |y| a percentage error divides by (numpy's float64 eps), as scikit-learn. */
const MAPE_EPS = 2.220446049250313e-16;

/**
 * Mean absolute percentage error as a fraction (0.1 = 10%), scikit-learn's
 * `mean_absolute_percentage_error`: |y − pred| / max(|y|, eps). A y of 0 with a wrong
 * prediction gives a huge value, not Infinity, by the same eps guard.
 */
export function mape(y: ArrayLike<number>, pred: ArrayLike<number>, weights?: Weights): number {
  const total = setup("mape", y, pred, weights);
  let sum = 0;
  for (let i = 0; i < y.length; i++)
    sum += (weightOf(weights, i) * Math.abs(pred[i]! - y[i]!)) / Math.max(Math.abs(y[i]!), MAPE_EPS);
  return sum / total;
}
