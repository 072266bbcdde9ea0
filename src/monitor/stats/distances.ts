/**
 * The distance statistics: Wasserstein (earth mover's) distance, Jensen–Shannon distance,
 * the population stability index and the Hellinger distance, each as SciPy or Evidently 0.4
 * defines it. Kernels over typed arrays; the binning they need is in binning.ts.
 */

import { histogramCounts, sturgesEdges, unionDistinct } from "./binning.js";
import type { CategoricalSample, NumericSample } from "./sample.js";

/**
 * The first Wasserstein distance between two sorted samples, ∫|F_a(x) − F_b(x)| dx, as
 * `scipy.stats.wasserstein_distance(a, b)`: one merge pass, adding |F_a − F_b| times the gap
 * to the next distinct value (compensated sum, so a million gaps lose nothing).
 *
 * IN: `a`, `b` ascending, without NaN, not empty.
 * @example
 * wassersteinDistance(Float64Array.from([0, 1, 3]), Float64Array.from([5, 6, 8])); // 5
 */
export function wassersteinDistance(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let sum = 0;
  let comp = 0;
  let v = j >= n2 || (i < n1 && a[i]! <= b[j]!) ? a[i]! : b[j]!;
  for (;;) {
    while (i < n1 && a[i] === v) i++;
    while (j < n2 && b[j] === v) j++;
    if (i >= n1 && j >= n2) break;
    const next = j >= n2 || (i < n1 && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    const term = Math.abs(i / n1 - j / n2) * (next - v);
    const t = sum + term;
    comp += sum >= term ? sum - t + term : term - t + sum;
    sum = t;
    v = next;
  }
  return sum + comp;
}

/** Kullback–Leibler terms x·log(x/y) with SciPy's `rel_entr` conventions (0 when x = 0). */
function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

/**
 * The Jensen–Shannon distance between two distributions given as non-negative weights (each
 * normalised to sum 1 first), natural log, as `scipy.spatial.distance.jensenshannon(p, q)`:
 * √((KL(p‖m) + KL(q‖m))/2) with m = (p + q)/2. Rounding can leave the sum a hair below 0
 * for equal inputs, where SciPy returns NaN; this returns 0.
 *
 * @example
 * jensenShannonDistance(Float64Array.from([0.5, 0.5]), Float64Array.from([0.9, 0.1])); // 0.31898...
 */
export function jensenShannonDistance(p: Float64Array, q: Float64Array): number {
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < p.length; i++) {
    sp += p[i]!;
    sq += q[i]!;
  }
  let left = 0;
  let right = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]! / sp;
    const qi = q[i]! / sq;
    const m = (pi + qi) / 2;
    left += relEntr(pi, m);
    right += relEntr(qi, m);
  }
  const js = left + right;
  return js > 0 ? Math.sqrt(js / 2) : 0;
}

/**
 * Population stability index Σ (r − c)·ln(r/c) over bucket shares, as Evidently's `psi`
 * (whose shares have had empty buckets filled, so no term is infinite).
 *
 * @example
 * populationStabilityIndex(Float64Array.from([0.5, 0.5]), Float64Array.from([0.6, 0.4])); // 0.0405...
 */
export function populationStabilityIndex(reference: Float64Array, current: Float64Array): number {
  let s = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i]!;
    const c = current[i]!;
    s += (r - c) * Math.log(r / c);
  }
  return s;
}

/**
 * Hellinger distance between the category shares of two samples, as Evidently's
 * `hellinger` for categorical features: √(1 − Σ √(rᵢ·cᵢ)), the sum clipped to [0, 1].
 *
 * @example
 * hellingerCategorical(categoricalSample([50, 50]), categoricalSample([90, 10])); // 0.32491...
 */
export function hellingerCategorical(reference: CategoricalSample, current: CategoricalSample): number {
  const n = Math.min(reference.counts.length, current.counts.length);
  let bc = 0;
  for (let i = 0; i < n; i++)
    bc += Math.sqrt((reference.counts[i]! / reference.total) * (current.counts[i]! / current.total));
  return Math.sqrt(1 - Math.min(1, Math.max(0, bc)));
}

/**
 * Hellinger distance between two numeric samples as Evidently's `hellinger` computes it:
 * Sturges bins over the distinct values of both samples (not over the rows), density
 * histograms of each sample on those bins, then √(1 − Σ √(dᵣ·d꜀)·w) with w the mean bin width.
 *
 * @example
 * hellingerNumeric(numericSample(referenceIncome), numericSample(currentIncome)); // in [0, 1]
 */
export function hellingerNumeric(reference: NumericSample, current: NumericSample): number {
  const a = reference.sorted;
  const b = current.sorted;
  const keys = unionDistinct(a, b);
  const edges = sturgesEdges(keys, Math.min(a[0]!, b[0]!), Math.max(a[a.length - 1]!, b[b.length - 1]!));
  const ca = histogramCounts(a, edges);
  const cb = histogramCounts(b, edges);
  const bins = edges.length - 1;
  // numpy's density: count / bin width / total count.
  let ta = 0;
  let tb = 0;
  for (let i = 0; i < bins; i++) {
    ta += ca[i]!;
    tb += cb[i]!;
  }
  const width = (edges[bins]! - edges[0]!) / bins;
  let bc = 0;
  for (let i = 0; i < bins; i++) {
    const db = edges[i + 1]! - edges[i]!;
    bc += Math.sqrt((ca[i]! / db / ta) * (cb[i]! / db / tb)) * width;
  }
  return Math.sqrt(1 - Math.min(1, Math.max(0, bc)));
}
