/**
 * Binning as Evidently and NumPy do it, so binned statistics (PSI, Jensen–Shannon, Hellinger)
 * match theirs:
 * - bin edges as `numpy.histogram_bin_edges(data, bins="sturges" | "doane")`: equal-width bins
 *   over [min, max] (widened by ±0.5 when min = max), their number ⌈(max − min)/width⌉ for the
 *   estimator's width, the edges as `numpy.linspace` computes them (start + i·step, last = stop);
 * - counts as `numpy.histogram(data, edges)`: bin i holds edges[i] ≤ x < edges[i+1], the last
 *   bin also holds x = edges[last];
 * - Evidently's `get_binned_data`: for a numeric feature whose reference has more than 20
 *   distinct values, Sturges bins over reference and current together; otherwise (and for
 *   categories) one bucket per value seen in either sample. Shares are counts over the sample's
 *   non-missing rows. With `fillZeroes` (PSI), empty buckets get Evidently's stand-in share: the
 *   smallest non-zero share / 10⁶ when that is ≤ 10⁻⁴, else 10⁻⁴ ("feel_zeroes").
 */

import type { CategoricalSample, DriftSample, NumericSample } from "./sample.js";

/** Reference distinct values above which Evidently bins numbers (else one bucket per value). */
export const VALUE_BUCKETS_MAX_DISTINCT = 20;

/** `numpy.linspace(start, stop, bins + 1)`: the edges of `bins` equal bins. */
export function linspaceEdges(start: number, stop: number, bins: number): Float64Array {
  const edges = new Float64Array(bins + 1);
  const step = (stop - start) / bins;
  if (step === 0) {
    for (let i = 0; i <= bins; i++) edges[i] = (i / bins) * (stop - start) + start;
  } else {
    for (let i = 0; i <= bins; i++) edges[i] = i * step + start;
  }
  edges[bins] = stop;
  return edges;
}

/** Edges of equal bins over [min, max] for an estimated width (0 → one bin), as NumPy. */
function edgesForWidth(min: number, max: number, width: number): Float64Array {
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const bins = width > 0 ? Math.ceil((last - first) / width) : 1;
  return linspaceEdges(first, last, bins);
}

/**
 * Sturges' rule over `count` values spanning [min, max]: width (max − min)/(log₂ count + 1).
 *
 * @example
 * sturgesEdges(100, 0, 7.8); // 9 edges: 8 bins of width 0.975
 */
export function sturgesEdges(count: number, min: number, max: number): Float64Array {
  return edgesForWidth(min, max, (max - min) / (Math.log2(count) + 1));
}

/** Min, max, count, mean of several sorted samples taken together. */
function pooledStats(samples: readonly Float64Array[]): {
  n: number;
  min: number;
  max: number;
  mean: number;
} {
  let n = 0;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let c = 0;
  for (const s of samples) {
    if (s.length === 0) continue;
    n += s.length;
    if (s[0]! < min) min = s[0]!;
    if (s[s.length - 1]! > max) max = s[s.length - 1]!;
    for (let i = 0; i < s.length; i++) {
      const v = s[i]!;
      const t = sum + v;
      c += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
      sum = t;
    }
  }
  return { n, min, max, mean: (sum + c) / n };
}

/**
 * Doane's rule over several sorted samples taken together (Evidently's choice for its
 * reference-vs-current plots): width (max − min) / (1 + log₂ n + log₂(1 + |g₁|/σ_g₁)), with
 * g₁ the sample skewness and σ_g₁ = √(6(n − 2)/((n + 1)(n + 3))).
 */
export function doaneEdges(samples: readonly Float64Array[]): Float64Array {
  const { n, min, max, mean } = pooledStats(samples);
  let width = 0;
  if (n > 2) {
    const sg1 = Math.sqrt((6 * (n - 2)) / ((n + 1) * (n + 3)));
    let ss = 0;
    for (const s of samples) for (let i = 0; i < s.length; i++) ss += (s[i]! - mean) ** 2;
    const sigma = Math.sqrt(ss / n);
    if (sigma > 0) {
      let cube = 0;
      for (const s of samples)
        for (let i = 0; i < s.length; i++) {
          const z = (s[i]! - mean) / sigma;
          cube += z * z * z;
        }
      const g1 = cube / n;
      width = (max - min) / (1 + Math.log2(n) + Math.log2(1 + Math.abs(g1) / sg1));
    }
  }
  return edgesForWidth(min, max, width);
}

/** Sturges edges over several sorted samples taken together. */
export function pooledSturgesEdges(samples: readonly Float64Array[]): Float64Array {
  let n = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const s of samples) {
    if (s.length === 0) continue;
    n += s.length;
    min = Math.min(min, s[0]!);
    max = Math.max(max, s[s.length - 1]!);
  }
  return sturgesEdges(n, min, max);
}

/** Index of the first element ≥ x (right = false) or > x (right = true) in a sorted array. */
function searchSorted(sorted: Float64Array, x: number, right: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (right ? sorted[mid]! <= x : sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Counts per bin of a sorted sample, as `numpy.histogram(sample, edges)[0]`: O(bins · log n).
 * Values outside [edges[0], edges[last]] are not counted.
 */
export function histogramCounts(sorted: Float64Array, edges: Float64Array): Float64Array {
  const bins = edges.length - 1;
  const counts = new Float64Array(bins);
  let below = searchSorted(sorted, edges[0]!, false);
  for (let i = 0; i < bins; i++) {
    const upTo = searchSorted(sorted, edges[i + 1]!, i === bins - 1);
    counts[i] = upTo - below;
    below = upTo;
  }
  return counts;
}

/** Counts per distinct value over the union of two sorted samples' values. */
export interface ValueBuckets {
  /** The distinct values of both samples, ascending. */
  readonly values: Float64Array;
  readonly reference: Float64Array;
  readonly current: Float64Array;
}

/** One bucket per distinct value seen in either sorted sample (one merge pass). */
export function valueBuckets(a: Float64Array, b: Float64Array): ValueBuckets {
  const n1 = a.length;
  const n2 = b.length;
  // First pass: how many distinct values the union has.
  let k = 0;
  for (let i = 0, j = 0; i < n1 || j < n2; k++) {
    const v = j >= n2 || (i < n1 && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    while (i < n1 && a[i] === v) i++;
    while (j < n2 && b[j] === v) j++;
  }
  const values = new Float64Array(k);
  const ra = new Float64Array(k);
  const rb = new Float64Array(k);
  for (let i = 0, j = 0, t = 0; i < n1 || j < n2; t++) {
    const v = j >= n2 || (i < n1 && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    const i0 = i;
    const j0 = j;
    while (i < n1 && a[i] === v) i++;
    while (j < n2 && b[j] === v) j++;
    values[t] = v;
    ra[t] = i - i0;
    rb[t] = j - j0;
  }
  return { values, reference: ra, current: rb };
}

/** Number of distinct values in the union of two sorted samples. */
export function unionDistinct(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  let k = 0;
  for (let i = 0, j = 0; i < n1 || j < n2; k++) {
    const v = j >= n2 || (i < n1 && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    while (i < n1 && a[i] === v) i++;
    while (j < n2 && b[j] === v) j++;
  }
  return k;
}

/** Reference and current counts over the categories present in either sample. */
export function presentCategories(
  reference: CategoricalSample,
  current: CategoricalSample,
): { reference: Float64Array; current: Float64Array; index: Int32Array } {
  const n = Math.max(reference.counts.length, current.counts.length);
  let k = 0;
  for (let i = 0; i < n; i++) if ((reference.counts[i] ?? 0) > 0 || (current.counts[i] ?? 0) > 0) k++;
  const r = new Float64Array(k);
  const c = new Float64Array(k);
  const index = new Int32Array(k);
  for (let i = 0, t = 0; i < n; i++) {
    const ri = reference.counts[i] ?? 0;
    const ci = current.counts[i] ?? 0;
    if (ri > 0 || ci > 0) {
      r[t] = ri;
      c[t] = ci;
      index[t++] = i;
    }
  }
  return { reference: r, current: c, index };
}

/** Evidently's "feel_zeroes": give empty buckets a small stand-in share, in place. */
export function fillZeroShares(shares: Float64Array): Float64Array {
  let min = Infinity;
  for (let i = 0; i < shares.length; i++) if (shares[i] !== 0 && shares[i]! < min) min = shares[i]!;
  const fill = min <= 0.0001 ? min / 10 ** 6 : 0.0001;
  for (let i = 0; i < shares.length; i++) if (shares[i] === 0) shares[i] = fill;
  return shares;
}

/** Shares per bucket of both samples, as Evidently's `get_binned_data`. */
export interface BinnedShares {
  readonly reference: Float64Array;
  readonly current: Float64Array;
  /** "sturges" for binned numbers, "values" for one bucket per value or category. */
  readonly binning: "sturges" | "values";
}

function divide(counts: Float64Array, total: number): Float64Array {
  for (let i = 0; i < counts.length; i++) counts[i]! /= total;
  return counts;
}

/**
 * Shares of reference and current per bucket, as Evidently's `get_binned_data(..., feel_zeroes)`.
 * IN: samples of one kind, each with at least one non-missing value.
 */
export function binnedShares(
  reference: DriftSample,
  current: DriftSample,
  fillZeroes: boolean,
): BinnedShares {
  let r: Float64Array;
  let c: Float64Array;
  let binning: "sturges" | "values";
  if (reference.kind === "numeric") {
    const cur = current as NumericSample;
    if (reference.distinct > VALUE_BUCKETS_MAX_DISTINCT) {
      const edges = pooledSturgesEdges([reference.sorted, cur.sorted]);
      r = divide(histogramCounts(reference.sorted, edges), reference.sorted.length);
      c = divide(histogramCounts(cur.sorted, edges), cur.sorted.length);
      binning = "sturges";
    } else {
      const b = valueBuckets(reference.sorted, cur.sorted);
      r = divide(b.reference, reference.sorted.length);
      c = divide(b.current, cur.sorted.length);
      binning = "values";
    }
  } else {
    const cur = current as CategoricalSample;
    const p = presentCategories(reference, cur);
    r = divide(p.reference, reference.total);
    c = divide(p.current, cur.total);
    binning = "values";
  }
  if (fillZeroes) {
    fillZeroShares(r);
    fillZeroShares(c);
  }
  return { reference: r, current: c, binning };
}
