/**
 * The two-sample Kolmogorov–Smirnov test, as `scipy.stats.ks_2samp(a, b)` (two-sided,
 * method "auto") computes it in SciPy 1.10:
 * - the statistic D = maxₓ |F_a(x) − F_b(x)| over both empirical CDFs, here from one merge pass
 *   over the two sorted samples (ties advance both samples together, as SciPy's
 *   `searchsorted(side="right")` does);
 * - when the larger sample has at most 10,000 values, the exact p-value: D is first snapped to
 *   the lattice h/lcm(n₁, n₂) it lives on, then the share of monotone lattice paths from (0, 0)
 *   to (n₁, n₂) that leave the band |x/n₁ − y/n₂| < D. Equal sizes use the closed alternating
 *   sum of Hodges (1958) in Horner form; unequal sizes count paths column by column with the
 *   recursion for 1 − p of Viehmann ("Numerically more stable computation of the p-values for
 *   the two-sample Kolmogorov–Smirnov test", arXiv:2102.08037), as SciPy does;
 * - otherwise (or if the exact sum fails), the asymptotic p-value P(Dₙ ≥ D) of the one-sample
 *   Kolmogorov distribution at n = round(n₁n₂/(n₁+n₂)) (kolmogorov.ts).
 */

import { kolmogorovSf } from "./kolmogorov.js";

/** The larger sample size up to which SciPy's "auto" method computes the exact p-value. */
export const KS_MAX_EXACT_N = 10000;

/** Result of {@link ksTwoSample}. */
export interface KsTwoSampleResult {
  /** D, snapped to the lattice h/lcm(n₁, n₂) when the p-value is exact (as SciPy reports it). */
  readonly statistic: number;
  readonly pValue: number;
  /** How the p-value was computed. */
  readonly pMethod: "exact" | "asymptotic";
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Round half to even, as `numpy.round`. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The KS statistic of two sorted samples: the largest gap between their empirical CDFs.
 * IN: `a`, `b` ascending, no NaN, not empty. Evaluates the CDFs after each distinct value,
 * as the same floating-point expression SciPy uses (i/n₁ − j/n₂), so D is bit-identical.
 */
export function ksStatistic(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let max = 0;
  let min = 0;
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    while (i < n1 && a[i] === v) i++;
    while (j < n2 && b[j] === v) j++;
    const diff = i / n1 - j / n2;
    if (diff > max) max = diff;
    else if (diff < min) min = diff;
  }
  const minS = Math.min(-min, 1);
  return minS > max ? minS : max;
}

/** P(D ≥ h/n) for two samples of equal size n: Hodges' alternating sum, in Horner form. */
function probOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    p = p1 * (1 - p);
  }
  return 2 * p;
}

/**
 * P(D ≥ h/lcm) for sizes m ≠ n: counts lattice paths inside the band |nx/g − my/g| < h one
 * column at a time, over a sliding window of the column, computing 1 − (share inside)
 * directly so that small p-values keep their digits.
 */
function probOutsideBand(m: number, n: number, g: number, h: number): number {
  if (m < n) [m, n] = [n, m];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const a = new Float64Array(lenA).fill(1);
  for (let j = minj; j < maxj; j++) a[j] = 0;
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (a[jj + minj - lastminj]! * i + val * j) / (i + j);
      a[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) a.fill(1, maxj - minj, Math.min(lenA, maxj - minj + (lastlen - curlen)));
  }
  return a[maxj - minj - 1]!;
}

/**
 * The exact p-value P(D ≥ d) for sample sizes n₁, n₂, as SciPy's `_attempt_exact_2kssamp`:
 * d snapped to the lattice h/lcm(n₁, n₂) (returned as `statistic`), and the p-value, or
 * undefined when the sum left [0, 1] (SciPy then falls back to the asymptotic distribution).
 */
export function ksExactPValue(
  n1: number,
  n2: number,
  d: number,
): { statistic: number; pValue: number | undefined } {
  const g = gcd(n1, n2);
  const lcm = (n1 / g) * n2;
  const h = roundHalfEven(d * lcm);
  const statistic = h / lcm;
  if (h === 0) return { statistic, pValue: 1 };
  const p = n1 === n2 ? probOutsideSquare(n1, h) : probOutsideBand(n1, n2, g, h);
  return { statistic, pValue: p >= 0 && p <= 1 ? p : undefined };
}

/**
 * Two-sided two-sample Kolmogorov–Smirnov test on two sorted samples, as
 * `scipy.stats.ks_2samp(a, b)` with its default method.
 *
 * IN: `a`, `b` ascending, without NaN, each with at least one value (see `numericSample`).
 *
 * @example
 * const a = Float64Array.from([0.1, 0.4, 0.7, 1.3]);
 * const b = Float64Array.from([0.5, 0.9, 1.1, 1.6, 2.0]);
 * ksTwoSample(a, b); // { statistic: 0.55, pValue: 0.428571..., pMethod: "exact" } (= 3/7)
 */
export function ksTwoSample(a: Float64Array, b: Float64Array): KsTwoSampleResult {
  const n1 = a.length;
  const n2 = b.length;
  let d = ksStatistic(a, b);
  if (Math.max(n1, n2) <= KS_MAX_EXACT_N) {
    const exact = ksExactPValue(n1, n2, d);
    if (exact.pValue !== undefined)
      return { statistic: exact.statistic, pValue: exact.pValue, pMethod: "exact" };
    d = exact.statistic;
  }
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const en = (m * n) / (m + n);
  const p = kolmogorovSf(d, roundHalfEven(en));
  return { statistic: d, pValue: p < 0 ? 0 : p > 1 ? 1 : p, pMethod: "asymptotic" };
}
