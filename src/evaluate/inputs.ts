/**
 * Checks shared by the metric functions: equal lengths, class codes in range, finite
 * probabilities and predictions, usable weights. Each names the metric, the bad value and its
 * row, so a broken model output is caught where it is scored, not as a NaN in a report.
 */
import { SluiceError } from "../errors.js";

/** Per-row sample weights (finite, ≥ 0, not all 0); omitted = every row weighs 1. */
export type Weights = ArrayLike<number> | undefined;

function usage(metric: string, message: string, details: Record<string, unknown> = {}): SluiceError {
  return new SluiceError("E_USAGE", `${metric}: ${message}`, { details });
}

/** Rows of `y`, after checking that there are some and that `other` has as many. */
export function checkRows(
  metric: string,
  y: ArrayLike<number>,
  other: ArrayLike<number>,
  what: string,
): number {
  const n = y.length;
  if (n === 0) throw usage(metric, "no rows to score: pass at least one row");
  if (other.length !== n) throw usage(metric, `y has ${n} rows but ${what} has ${other.length}`);
  return n;
}

/** Check the weights and return their sum. */
export function checkWeights(metric: string, weights: Weights, n: number): number {
  if (weights === undefined) return n;
  if (weights.length !== n) throw usage(metric, `y has ${n} rows but weights has ${weights.length}`);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i]!;
    // `!(w >= 0)` also catches NaN.
    if (!(w >= 0) || w === Infinity)
      throw usage(metric, `weights[${i}] is ${w}; weights must be finite and ≥ 0`, { row: i, value: w });
    sum += w;
  }
  if (!(sum > 0)) throw usage(metric, "the weights sum to 0: no row counts");
  return sum;
}

/** Check that `codes` are class codes 0..K-1 (K = Infinity when unknown). */
export function checkCodes(metric: string, codes: ArrayLike<number>, K: number, what: "y" | "pred"): void {
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= K) {
      const range = K === Infinity ? "an integer ≥ 0" : `an integer in [0, ${K - 1}]`;
      const message = `${what}[${i}] is ${c}, not a class code (${range})`;
      if (what === "y")
        throw new SluiceError("E_LABELS", `${metric}: ${message}`, {
          details: { row: i, value: c },
          hint: "pass class codes 0..K-1 as y, with K the number of probability columns",
        });
      throw usage(metric, message, { row: i, value: c });
    }
  }
}

/** Check that every value is finite (predictions, regression targets). */
export function checkFinite(metric: string, values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++)
    if (!Number.isFinite(values[i]!)) {
      const v = values[i]!;
      const message = `${what}[${i}] is ${v}, not a finite number`;
      if (what === "y")
        throw new SluiceError("E_LABELS", `${metric}: ${message}`, { details: { row: i, value: v } });
      throw usage(metric, message, { row: i, value: v });
    }
}

/** How far outside [0, 1] a probability may stray by rounding (an average of many trees). */
const PROBA_SLACK = 1e-9;

/**
 * The number of classes K of row-major `nRows × K` probabilities, after checking that they are
 * numbers in [0, 1] (give or take rounding) and that the shape fits.
 */
export function checkProba(
  metric: string,
  proba: ArrayLike<number>,
  nRows: number,
  nClasses?: number,
): number {
  const K = nClasses ?? proba.length / nRows;
  if (!Number.isInteger(K) || K < 2 || proba.length !== nRows * K)
    throw usage(
      metric,
      `probabilities have ${proba.length} values, which is not ${nRows} rows × ${nClasses ?? "K ≥ 2"} classes`,
      { nRows, values: proba.length },
    );
  for (let i = 0; i < proba.length; i++) {
    const p = proba[i]!;
    if (!(p >= -PROBA_SLACK && p <= 1 + PROBA_SLACK))
      throw usage(
        metric,
        `the probability of class ${i % K} in row ${Math.floor(i / K)} is ${p}, not a number in [0, 1]`,
        { row: Math.floor(i / K), class: i % K, value: p },
      );
  }
  return K;
}
