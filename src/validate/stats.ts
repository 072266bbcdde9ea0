/**
 * Numeric kernels for profiling: pure functions over typed arrays, no allocation per value.
 * Where a result is compared against numpy/pandas, the arithmetic follows theirs step by step
 * (quantile interpolation, histogram bin assignment) so the numbers agree to the last bits.
 */

/** The non-NaN values of `values`, sorted ascending (a new array). IN: values. */
export function sortedPresent(values: Float64Array): Float64Array {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === values[i]) n++;
  const out = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    // -0 and 0 are one value for every statistic here; normalising keeps distinct counts honest.
    if (v === v) out[j++] = v === 0 ? 0 : v;
  }
  // Float64Array.prototype.sort is numeric and native: far faster than a comparator sort.
  return out.sort();
}

/**
 * Quantile `q` of ascending `sorted` by linear interpolation between closest ranks: numpy's
 * default (`method="linear"`), including its lerp, which computes from the upper end when the
 * fraction is ≥ 0.5 so the result is monotone in q. NaN for an empty array.
 */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const virtual = (n - 1) * q;
  const lo = Math.max(0, Math.min(n - 1, Math.floor(virtual)));
  const hi = Math.min(n - 1, lo + 1);
  const t = virtual - lo;
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** Number of distinct values in ascending `sorted`, counting at most `cap + 1`. */
export function distinctSorted(sorted: Float64Array, cap: number): number {
  if (sorted.length === 0) return 0;
  let d = 1;
  for (let i = 1; i < sorted.length && d <= cap; i++) if (sorted[i] !== sorted[i - 1]) d++;
  return d;
}

/** Mean and sample standard deviation (ddof = 1) by two passes, as pandas computes them. */
export function meanStd(values: Float64Array): { mean: number; std: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, std: NaN };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  if (n < 2) return { mean, std: NaN };
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean;
    ss += d * d;
  }
  return { mean, std: Math.sqrt(ss / (n - 1)) };
}

/**
 * Equal-width histogram of `values` (NaN skipped) over [min, max], as `numpy.histogram(a, bins)`:
 * edges are `start + i * step` with the last edge exactly `max`; a constant column gets the
 * range [v − 0.5, v + 0.5]; the last bin is closed on the right. Values are first placed by
 * arithmetic, then nudged by one bin where rounding put them on the wrong side of an edge
 * (numpy does the same correction, so edge cases land in the same bins).
 *
 * OUT: edges (bins + 1), counts (bins).
 */
export function histogram(
  values: Float64Array,
  min: number,
  max: number,
  bins: number,
): { edges: Float64Array; counts: Float64Array } {
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const edges = new Float64Array(bins + 1);
  const step = (last - first) / bins;
  for (let i = 0; i <= bins; i++) edges[i] = i * step + first;
  edges[bins] = last;
  const counts = new Float64Array(bins);
  const denom = last - first;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v || v < first || v > last) continue;
    let k = Math.trunc(((v - first) / denom) * bins);
    if (k === bins) k--;
    if (v < edges[k]!) k--;
    else if (k !== bins - 1 && v >= edges[k + 1]!) k++;
    counts[k]!++;
  }
  return { edges, counts };
}

/** The first index in ascending `sorted` whose value is ≥ `v`. */
export function lowerBound(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index in ascending `sorted` whose value is > `v`. */
export function upperBound(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Length of `s` in Unicode code points (a surrogate pair counts once), as Python's `len`. */
export function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
      const p = s.charCodeAt(i - 1);
      if (p >= 0xd800 && p <= 0xdbff) n--;
    }
  }
  return n;
}
