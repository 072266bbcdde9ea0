/**
 * What a drift report draws per feature: reference and current histograms on shared bin edges
 * for numbers, and reference and current shares per category. Plain objects with number
 * arrays, ready for JSON and for a Vega-Lite spec.
 */

import { doaneEdges, histogramCounts, linspaceEdges, pooledSturgesEdges } from "./binning.js";
import { numericSample, type CategoricalSample, type NumericSample } from "./sample.js";

/** How to choose the bins of {@link numericHistogram}. */
export type HistogramBins = number | "doane" | "sturges";

/** Reference and current histograms on the same edges. */
export interface NumericHistogram {
  /** Bin edges, ascending; bin i is [edges[i], edges[i+1]), the last bin also holds its right edge. */
  readonly edges: number[];
  readonly referenceCounts: number[];
  readonly currentCounts: number[];
  /** Counts over the side's non-missing rows (each side sums to 1). */
  readonly referenceShares: number[];
  readonly currentShares: number[];
  readonly referenceMissing: number;
  readonly currentMissing: number;
}

function shares(counts: Float64Array, total: number): number[] {
  return Array.from(counts, (c) => (total > 0 ? c / total : 0));
}

/**
 * Histograms of reference and current over shared edges computed from both samples together.
 * The default, "doane", is the rule Evidently's reports use for their distribution plots; a
 * number asks for that many equal bins.
 *
 * @example
 * const h = numericHistogram(referenceIncome, currentIncome);
 * h.edges.length === h.referenceCounts.length + 1; // true
 * numericHistogram(a, b, { bins: 20 }).edges.length; // 21
 */
export function numericHistogram(
  reference: ArrayLike<number> | NumericSample,
  current: ArrayLike<number> | NumericSample,
  options: { readonly bins?: HistogramBins } = {},
): NumericHistogram {
  const ref = asNumeric(reference);
  const cur = asNumeric(current);
  const bins = options.bins ?? "doane";
  const samples = [ref.sorted, cur.sorted].filter((s) => s.length > 0);
  let edges: Float64Array;
  if (samples.length === 0) edges = Float64Array.from([0, 1]);
  else if (bins === "doane") edges = doaneEdges(samples);
  else if (bins === "sturges") edges = pooledSturgesEdges(samples);
  else {
    const count = Math.max(1, Math.floor(bins));
    let min = Infinity;
    let max = -Infinity;
    for (const s of samples) {
      min = Math.min(min, s[0]!);
      max = Math.max(max, s[s.length - 1]!);
    }
    if (min === max) {
      min -= 0.5;
      max += 0.5;
    }
    edges = linspaceEdges(min, max, count);
  }
  const rc = histogramCounts(ref.sorted, edges);
  const cc = histogramCounts(cur.sorted, edges);
  return {
    edges: Array.from(edges),
    referenceCounts: Array.from(rc),
    currentCounts: Array.from(cc),
    referenceShares: shares(rc, ref.sorted.length),
    currentShares: shares(cc, cur.sorted.length),
    referenceMissing: ref.missing,
    currentMissing: cur.missing,
  };
}

function asNumeric(x: ArrayLike<number> | NumericSample): NumericSample {
  return !ArrayBuffer.isView(x) && !Array.isArray(x) && (x as { kind?: unknown }).kind === "numeric"
    ? (x as NumericSample)
    : numericSample(x as ArrayLike<number>);
}

/** One category's rows and shares on both sides. */
export interface CategoryShare {
  /** The category's index in the samples' shared order. */
  readonly index: number;
  /** Its label, when labels were given. */
  readonly label?: string;
  readonly referenceCount: number;
  readonly currentCount: number;
  /** Count over the side's non-missing rows. */
  readonly referenceShare: number;
  readonly currentShare: number;
}

/**
 * Reference and current shares per category, for every category seen on either side, largest
 * reference share first (ties: by current share, then index). A category the reference never
 * had shows with reference share 0.
 *
 * @example
 * categoryShares(categoricalSample([60, 40]), categoricalSample([10, 12, 3]), ["M", "F", "X"]);
 * // [{ index: 0, label: "M", referenceShare: 0.6, currentShare: 0.4, … },
 * //  { index: 1, label: "F", referenceShare: 0.4, currentShare: 0.48, … },
 * //  { index: 2, label: "X", referenceShare: 0, currentShare: 0.12, … }]
 */
export function categoryShares(
  reference: CategoricalSample,
  current: CategoricalSample,
  labels?: readonly string[],
): CategoryShare[] {
  const n = Math.max(reference.counts.length, current.counts.length);
  const out: CategoryShare[] = [];
  for (let i = 0; i < n; i++) {
    const rc = reference.counts[i] ?? 0;
    const cc = current.counts[i] ?? 0;
    if (rc === 0 && cc === 0) continue;
    const label = labels?.[i];
    out.push({
      index: i,
      ...(label === undefined ? {} : { label }),
      referenceCount: rc,
      currentCount: cc,
      referenceShare: reference.total > 0 ? rc / reference.total : 0,
      currentShare: current.total > 0 ? cc / current.total : 0,
    });
  }
  return out.sort(
    (a, b) => b.referenceShare - a.referenceShare || b.currentShare - a.currentShare || a.index - b.index,
  );
}
