/**
 * The p-value tests on counts per bucket (a category, or one distinct value of a
 * low-cardinality number): Pearson's chi-square goodness-of-fit of the current counts against
 * the reference shares, and the two-proportion Z test, both as Evidently 0.4 sets them up.
 */

import { chi2Sf, normalSf } from "./special.js";

/** Result of {@link chiSquareTest}. */
export interface ChiSquareResult {
  readonly statistic: number;
  readonly pValue: number;
  readonly degreesOfFreedom: number;
}

/**
 * Chi-square test of current counts against expected counts from the reference shares, as
 * Evidently's `chisquare` test: expected = reference count × (current total / reference total),
 * then `scipy.stats.chisquare(observed, expected)`, whose p-value is the χ² survival function
 * with (buckets − 1) degrees of freedom.
 *
 * IN: counts over the buckets present in either sample (no bucket empty in both).
 * A bucket the reference never saw makes the statistic infinite and the p-value 0: new values
 * are drift. With a single bucket there is nothing to test: SciPy returns NaN (0 degrees of
 * freedom); this returns statistic 0 and p-value 1.
 *
 * @example
 * chiSquareTest(Float64Array.from([50, 30, 20]), Float64Array.from([40, 40, 20]));
 * // { statistic: 5.333..., pValue: 0.0694..., degreesOfFreedom: 2 }
 */
export function chiSquareTest(reference: Float64Array, current: Float64Array): ChiSquareResult {
  const k = reference.length;
  if (k <= 1) return { statistic: 0, pValue: 1, degreesOfFreedom: 0 };
  let nRef = 0;
  let nCur = 0;
  for (let i = 0; i < k; i++) {
    nRef += reference[i]!;
    nCur += current[i]!;
  }
  const scale = nCur / nRef;
  let statistic = 0;
  for (let i = 0; i < k; i++) {
    const expected = reference[i]! * scale;
    const d = current[i]! - expected;
    statistic += (d * d) / expected;
  }
  const df = k - 1;
  return { statistic, pValue: chi2Sf(statistic, df), degreesOfFreedom: df };
}

/** Result of {@link proportionsZTest}. */
export interface ZTestResult {
  /** z = (p_ref − p_cur)/√(P(1−P)(1/n_ref + 1/n_cur)); 0 when both samples hold one same value. */
  readonly statistic: number;
  readonly pValue: number;
}

/**
 * Two-sided two-proportion Z test, as Evidently's `z` test: the share of rows *not* in the
 * first bucket (the smallest value, or the first category) in reference and current, pooled
 * variance, p = 2·P(Z > |z|). When both samples hold a single, identical value the p-value is
 * 1. Evidently writes the tail as 2·(1 − Φ(|z|)), which rounds to 0 below about 1e-16; the
 * normal survival function used here keeps the digits.
 *
 * IN: `firstReference`/`firstCurrent` rows in the first bucket, of `nReference`/`nCurrent`.
 * @example
 * proportionsZTest(40, 100, 55, 100); // { statistic: 2.1239..., pValue: 0.03367... }
 */
export function proportionsZTest(
  firstReference: number,
  nReference: number,
  firstCurrent: number,
  nCurrent: number,
): ZTestResult {
  const onlyFirst = firstReference === nReference && firstCurrent === nCurrent;
  const noneFirst = firstReference === 0 && firstCurrent === 0;
  if (onlyFirst || noneFirst) return { statistic: 0, pValue: 1 };
  const p1 = (nReference - firstReference) / nReference;
  const p2 = (nCurrent - firstCurrent) / nCurrent;
  const pooled = (p1 * nReference + p2 * nCurrent) / (nReference + nCurrent);
  const z = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / nReference + 1 / nCurrent));
  return { statistic: z, pValue: Math.min(1, 2 * normalSf(Math.abs(z))) };
}
