/**
 * Univariate F statistics for feature selection, as scikit-learn's `f_classif` (one-way ANOVA
 * F of a feature across classes) and `f_regression` (F of the correlation with the target).
 * Sums are taken around the means (two passes) rather than sklearn's raw-moment formulas, which
 * is more accurate; the two agree to about 1e-9 relative on ordinary data.
 */

/**
 * One-way ANOVA F of `x` across classes.
 *
 * @param cls class index per row (0 … nClasses − 1), or −1 to skip the row.
 * @returns F; Infinity when classes separate perfectly, NaN when undefined (one class, constant x).
 */
export function fClassif(x: Float64Array, cls: Int32Array, nClasses: number): number {
  const sums = new Float64Array(nClasses);
  const counts = new Float64Array(nClasses);
  let total = 0;
  let n = 0;
  for (let i = 0; i < x.length; i++) {
    const k = cls[i]!;
    if (k < 0) continue;
    sums[k]! += x[i]!;
    counts[k]!++;
    total += x[i]!;
    n++;
  }
  let groups = 0;
  for (let k = 0; k < nClasses; k++) if (counts[k]! > 0) groups++;
  if (groups < 2 || n - groups <= 0) return NaN;
  const mean = total / n;
  const means = new Float64Array(nClasses);
  for (let k = 0; k < nClasses; k++) means[k] = counts[k]! > 0 ? sums[k]! / counts[k]! : 0;
  let ssb = 0;
  for (let k = 0; k < nClasses; k++)
    if (counts[k]! > 0) ssb += counts[k]! * (means[k]! - mean) * (means[k]! - mean);
  let ssw = 0;
  for (let i = 0; i < x.length; i++) {
    const k = cls[i]!;
    if (k < 0) continue;
    const d = x[i]! - means[k]!;
    ssw += d * d;
  }
  const msb = ssb / (groups - 1);
  const msw = ssw / (n - groups);
  if (msw === 0) return msb === 0 ? NaN : Infinity;
  return msb / msw;
}

/**
 * F statistic of the correlation between `x` and `y` (rows where y is NaN are skipped):
 * F = r² / (1 − r²) · (n − 2).
 */
export function fRegression(x: Float64Array, y: Float64Array): number {
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let i = 0; i < x.length; i++) {
    const yi = y[i]!;
    if (yi !== yi) continue;
    sx += x[i]!;
    sy += yi;
    n++;
  }
  if (n < 3) return NaN;
  const mx = sx / n;
  const my = sy / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    const yi = y[i]!;
    if (yi !== yi) continue;
    const dx = x[i]! - mx;
    const dy = yi - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx === 0 || syy === 0) return NaN;
  const r = sxy / Math.sqrt(sxx * syy);
  const r2 = r * r;
  if (r2 >= 1) return Infinity;
  return (r2 / (1 - r2)) * (n - 2);
}

/** Class indices 0…k−1 for target values (distinct values in ascending order); −1 for missing. */
export function classIndices(y: Float64Array | Int32Array): { cls: Int32Array; nClasses: number } {
  const isInt = y instanceof Int32Array;
  const distinct = new Set<number>();
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    if (v === v && !(isInt && v < 0)) distinct.add(v);
  }
  const values = [...distinct].sort((a, b) => a - b);
  const index = new Map(values.map((v, i) => [v, i]));
  const cls = new Int32Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const v = y[i]!;
    cls[i] = v === v && !(isInt && v < 0) ? index.get(v)! : -1;
  }
  return { cls, nClasses: values.length };
}

/**
 * The indices of the `top` highest scores, returned in ascending index order (the matrix order
 * stays stable). Infinite scores rank first, NaN last; ties keep the earlier column.
 */
export function topIndices(scores: readonly number[], top: number): number[] {
  const key = (s: number): number => (s !== s ? -Infinity : s);
  const order = scores.map((_, i) => i).sort((a, b) => key(scores[b]!) - key(scores[a]!) || a - b);
  return order.slice(0, top).sort((a, b) => a - b);
}
