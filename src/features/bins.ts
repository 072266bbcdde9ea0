/**
 * Learning bin edges and naming bins. Quantile edges are NumPy's linear percentiles of the
 * training values (as KBinsDiscretizer's `quantile` strategy), uniform edges are
 * `linspace(min, max, bins + 1)`; repeated edges are removed, so a column with few distinct
 * values gets fewer bins rather than empty ones.
 */
import { quantileSorted } from "./stats.js";

/** Learned edges over sorted non-missing training values. Empty input gives no edges (one bin). */
export function learnEdges(sorted: Float64Array, bins: number, strategy: "quantile" | "uniform"): number[] {
  if (sorted.length === 0) return [];
  const raw: number[] = [];
  if (strategy === "quantile") {
    for (let k = 0; k <= bins; k++) raw.push(quantileSorted(sorted, k / bins));
  } else {
    const lo = sorted[0]!;
    const hi = sorted[sorted.length - 1]!;
    const step = (hi - lo) / bins;
    for (let k = 0; k < bins; k++) raw.push(lo + k * step);
    raw.push(hi);
  }
  return dedupe(raw);
}

/** Keep only strictly increasing edges. */
export function dedupe(edges: readonly number[]): number[] {
  const out: number[] = [];
  for (const e of edges) if (out.length === 0 || e > out[out.length - 1]!) out.push(e);
  return out;
}

/** The number of bins `edges` make: one fewer than the edges, and at least one. */
export function binCount(edges: readonly number[]): number {
  return Math.max(1, edges.length - 1);
}

function formatEdges(edges: readonly number[], exact: boolean): string[] {
  const plain = edges.map((e) => String(e));
  if (exact) return plain;
  // Learned edges such as 29.333333333333332 read better shortened, as long as they stay distinct.
  for (let p = 4; p <= 17; p++) {
    const short = edges.map((e) => String(Number(e.toPrecision(p))));
    if (new Set(short).size === short.length) return short;
  }
  return plain;
}

/** Readable bin names: `[18,30)`, …, `[60,120]` (the last bin is closed). */
export function binLabels(edges: readonly number[], exact: boolean): string[] {
  if (edges.length === 0) return ["all"];
  const s = formatEdges(edges, exact);
  if (edges.length === 1) return [`[${s[0]!}]`];
  const labels: string[] = [];
  for (let k = 0; k < edges.length - 1; k++)
    labels.push(`[${s[k]!},${s[k + 1]!}${k === edges.length - 2 ? "]" : ")"}`);
  return labels;
}
