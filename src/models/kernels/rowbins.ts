/**
 * Row-wise packed bins, the layout the histogram builders read (see histogram.ts): for a range
 * of features, row r's global bin indices sit at `entries[rowStart[r] .. rowStart[r+1])`, in
 * feature order, leaving out each feature's default bin when it has one.
 *
 * The arrays can live on a SharedArrayBuffer so that worker threads read them in place.
 */
import type { BinEntries } from "./histogram.js";

/**
 * The most frequent bin of every feature, and the share of rows in it.
 *
 * @param bins IN: column-major bins, nRows × nFeatures
 * @param binsPerFeature IN: bins of each feature, missing bin included
 * @param outBin OUT: per feature, its most frequent local bin (lowest on ties)
 * @param outShare OUT: per feature, the share of rows in that bin
 */
export function mostFrequentBins(
  bins: Uint8Array,
  nRows: number,
  nFeatures: number,
  binsPerFeature: Int32Array,
  outBin: Int32Array,
  outShare: Float64Array,
): void {
  const counts = new Int32Array(256);
  for (let f = 0; f < nFeatures; f++) {
    counts.fill(0);
    const base = f * nRows;
    for (let i = 0; i < nRows; i++) counts[bins[base + i]!]!++;
    let best = 0;
    const nb = binsPerFeature[f]!;
    for (let b = 1; b < nb; b++) if (counts[b]! > counts[best]!) best = b;
    outBin[f] = best;
    outShare[f] = nRows === 0 ? 0 : counts[best]! / nRows;
  }
}

/** Row-wise packed bins of one range of features. */
export interface PackedRows {
  featureBegin: number;
  featureEnd: number;
  /** nRows + 1 offsets into `entries`. */
  rowStart: Int32Array;
  /** Global bin indices (rowStart[nRows] of them, then one spare). */
  entries: BinEntries;
}

/**
 * Pack features [featureBegin, featureEnd) row by row.
 *
 * @param bins IN: column-major bins, nRows × nFeatures
 * @param binOffset IN: per feature, the global index of its bin 0 (length nFeatures + 1)
 * @param defaultBin IN: per feature, the global index of the bin to leave out, or -1
 * @param shared allocate on SharedArrayBuffers (for worker threads)
 */
export function packRows(
  bins: Uint8Array,
  nRows: number,
  featureBegin: number,
  featureEnd: number,
  binOffset: Int32Array,
  defaultBin: Int32Array,
  shared: boolean,
): PackedRows {
  const alloc = (bytes: number): ArrayBuffer | SharedArrayBuffer =>
    shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  // The entries in all: every row of a feature without a default bin, the others' rows
  // outside it.
  let nnz = 0;
  for (let f = featureBegin; f < featureEnd; f++) {
    const d = defaultBin[f]!;
    if (d < 0) nnz += nRows;
    else nnz += countOther(bins, f * nRows, nRows, d - binOffset[f]!);
  }
  const rowStart = new Int32Array(alloc((nRows + 1) * 4));
  const wide = binOffset[featureEnd]! > 65535;
  // One spare entry: the fill writes one past the last kept entry, and the batched builders
  // touch a row's first entry even when it has none, and the entry after its last.
  const entries = wide ? new Uint32Array(alloc((nnz + 1) * 4)) : new Uint16Array(alloc((nnz + 1) * 2));
  const pack = { featureBegin, featureEnd, rowStart, entries };
  packRowsInto(bins, nRows, binOffset, defaultBin, pack);
  return pack;
}

/** Rows of the column `bins[base .. base+n)` whose bin is not `local`. */
function countOther(bins: Uint8Array, base: number, n: number, local: number): number {
  let count = 0;
  for (let i = 0; i < n; i++) if (bins[base + i] !== local) count++;
  return count;
}

/**
 * Fill `pack`'s offsets and entries from the binned columns, in place: after the rows of the
 * binned matrix were reordered, the packed rows follow (the entries in all do not change, so
 * the arrays fit).
 *
 * @param pack IN/OUT: its feature range is read, its `rowStart` and `entries` written
 */
export function packRowsInto(
  bins: Uint8Array,
  nRows: number,
  binOffset: Int32Array,
  defaultBin: Int32Array,
  pack: PackedRows,
): void {
  const { featureBegin, featureEnd, rowStart, entries } = pack;
  // Per feature, the local bin left out (256, no byte, when none).
  const width = featureEnd - featureBegin;
  const left = new Int32Array(width);
  const offset = new Int32Array(width);
  for (let j = 0; j < width; j++) {
    const f = featureBegin + j;
    const d = defaultBin[f]!;
    offset[j] = binOffset[f]!;
    left[j] = d < 0 ? 256 : d - binOffset[f]!;
  }
  // Row by row, writing every cell and advancing past the kept ones only (no branch on the
  // data: a feature half in its default bin would mispredict half the time).
  let at = 0;
  for (let i = 0; i < nRows; i++) {
    rowStart[i] = at;
    for (let j = 0, base = featureBegin * nRows + i; j < width; j++, base += nRows) {
      const b = bins[base]!;
      entries[at] = offset[j]! + b;
      // 1 unless b is the left-out bin: (b ^ left) is 0 exactly then, else in [1, 511].
      at += ((b ^ left[j]!) + 511) >>> 9;
    }
  }
  rowStart[nRows] = at;
}

/**
 * Cut features 0..nFeatures-1 into at most `parts` contiguous ranges of about equal work (the
 * number of packed entries), so that each thread builds one range.
 *
 * @param work IN: per feature, its entries (rows not in its default bin)
 * @returns range starts followed by the end: [0, …, nFeatures]
 */
export function balancedRanges(work: Float64Array, parts: number): Int32Array {
  const n = work.length;
  let total = 0;
  for (let f = 0; f < n; f++) total += work[f]!;
  const p = Math.max(1, Math.min(parts, n));
  const cuts: number[] = [0];
  let acc = 0;
  for (let f = 0; f < n && cuts.length < p; f++) {
    acc += work[f]!;
    // Close a range once it holds its share, leaving at least one feature per later range.
    if (acc >= (total * cuts.length) / p && n - (f + 1) >= p - cuts.length) cuts.push(f + 1);
  }
  cuts.push(n);
  return Int32Array.from(cuts);
}
