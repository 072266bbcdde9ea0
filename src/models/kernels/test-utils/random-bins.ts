/**
 * Random binned matrices and gradients for the kernel tests, with naive reference
 * implementations to check the kernels against.
 */
import { Random } from "../../../data/random.js";
import { HIST_STRIDE } from "../histogram.js";
import { mostFrequentBins, packRows, type PackedRows } from "../rowbins.js";

export interface RandomBins {
  nRows: number;
  nFeatures: number;
  /** Column-major bins. */
  bins: Uint8Array;
  /** Value bins per feature (the missing bin is this index). */
  nValueBins: Int32Array;
  binOffset: Int32Array;
  totalBins: number;
  /** Global default bin per feature, or -1. */
  defaultBin: Int32Array;
  g: Float32Array;
  h: Float32Array;
}

/**
 * `nRows × nFeatures` bins: feature f has a random number of value bins (2..maxBins), some
 * features mostly one value (so they get a default bin), some missing values.
 */
export function randomBins(nRows: number, nFeatures: number, seed: number, maxBins = 40): RandomBins {
  const rng = new Random(seed);
  const nValueBins = new Int32Array(nFeatures);
  const binOffset = new Int32Array(nFeatures + 1);
  for (let f = 0; f < nFeatures; f++) {
    nValueBins[f] = 2 + rng.int(maxBins - 1);
    binOffset[f + 1] = binOffset[f]! + nValueBins[f]! + 1;
  }
  const bins = new Uint8Array(nRows * nFeatures);
  for (let f = 0; f < nFeatures; f++) {
    const skewed = f % 3 === 0;
    const missing = f % 4 === 1 ? 0.1 : 0;
    for (let i = 0; i < nRows; i++) {
      let b: number;
      if (rng.next() < missing) b = nValueBins[f]!;
      else if (skewed && rng.next() < 0.8) b = 1;
      else b = rng.int(nValueBins[f]!);
      bins[f * nRows + i] = b;
    }
  }
  const perFeature = Int32Array.from(nValueBins, (v) => v + 1);
  const frequent = new Int32Array(nFeatures);
  const share = new Float64Array(nFeatures);
  mostFrequentBins(bins, nRows, nFeatures, perFeature, frequent, share);
  const defaultBin = new Int32Array(nFeatures).fill(-1);
  for (let f = 0; f < nFeatures; f++) if (share[f]! >= 0.3) defaultBin[f] = binOffset[f]! + frequent[f]!;
  const g = new Float32Array(nRows);
  const h = new Float32Array(nRows);
  for (let i = 0; i < nRows; i++) {
    g[i] = rng.normal();
    h[i] = 0.05 + rng.next();
  }
  return {
    nRows,
    nFeatures,
    bins,
    nValueBins,
    binOffset,
    totalBins: binOffset[nFeatures]!,
    defaultBin,
    g,
    h,
  };
}

/** Packed rows of every feature. */
export function packAll(d: RandomBins, shared = false): PackedRows {
  return packRows(d.bins, d.nRows, 0, d.nFeatures, d.binOffset, d.defaultBin, shared);
}

/** Rows kept with probability `share`, ascending. */
export function randomRows(nRows: number, share: number, seed: number): Int32Array {
  const rng = new Random(seed);
  const out: number[] = [];
  for (let i = 0; i < nRows; i++) if (rng.next() < share) out.push(i);
  return Int32Array.from(out);
}

/** The histogram of `rows`, feature by feature, row by row: the definition. */
export function naiveHistogram(
  d: RandomBins,
  rows: ArrayLike<number>,
  g: ArrayLike<number>,
  h: ArrayLike<number>,
): Float64Array {
  const hist = new Float64Array(d.totalBins * HIST_STRIDE);
  for (let f = 0; f < d.nFeatures; f++)
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      const at = (d.binOffset[f]! + d.bins[f * d.nRows + r]!) * HIST_STRIDE;
      hist[at]! += g[r]!;
      hist[at + 1]! += h[r]!;
      hist[at + 2]! += 1;
    }
  return hist;
}

/** Gradients of `rows` in leaf order. */
export function gathered(rows: Int32Array, v: Float32Array): Float32Array {
  return Float32Array.from(rows, (r) => v[r]!);
}

/** Largest |a − b| relative to the largest |b| (1 when b is all zeros). */
export function maxRelativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst / (scale || 1);
}
