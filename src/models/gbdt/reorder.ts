/**
 * Boosting on large matrices reorders its training rows once, after the first round, by the
 * leaves of the round's last tree (see kernels/reorder.ts for why). Every row-indexed array of
 * the fit is permuted in place — the binned columns, the packed rows, the scores, labels and
 * weights — so the histogram threads, which hold the same shared arrays, see the new order at
 * their next command.
 *
 * What changes: the order in which a leaf's rows are summed, hence the last bits of the sums
 * (as any other order would); the training scores are put back in the caller's order at the
 * end. Bagging draws its rows by position, so in the new order it keeps other rows than it
 * would have, at the same rate. What does not change: the result depends on the data, the
 * parameters and the seed only, never on the threads (the first round's partition does not).
 */
import { gatherBytes, gatherFloat64, gatherInt32 } from "../kernels/reorder.js";
import { packRowsInto } from "../kernels/rowbins.js";
import type { BinnedData } from "./dataset.js";
import type { SharedBuffers } from "./workers.js";

/** Matrices with at least this many rows are reordered after the first round. */
export const REORDER_MIN_ROWS = 100_000;

/**
 * The new order: the partition's first `m` rows (the round's rows, leaf by leaf) followed by
 * the rows left out of the round (bagging), ascending.
 *
 * @param rows IN: the partition after the round's last tree
 * @param outOfBag IN: the other n − m rows, or undefined without bagging
 */
export function leafOrder(
  rows: Int32Array,
  m: number,
  outOfBag: Int32Array | undefined,
  n: number,
): Int32Array {
  const order = new Int32Array(n);
  order.set(rows.subarray(0, m));
  if (outOfBag !== undefined) order.set(outOfBag.subarray(0, n - m), m);
  return order;
}

/**
 * Permute every row-indexed array of the fit by `order` (new row i = old row order[i]).
 * Arrays on shared memory are permuted in place (the threads hold them); the others (labels
 * and weights, which may be the caller's) are replaced in `buffers` by permuted copies.
 */
export function reorderRows(data: BinnedData, buffers: SharedBuffers, order: Int32Array): void {
  const n = data.nRows;
  const bytes = new Uint8Array(n);
  for (let f = 0; f < data.nFeatures; f++) {
    gatherBytes(data.bins, f * n, order, bytes);
    data.bins.set(bytes, f * n);
  }
  // The packed rows again from the reordered columns, in place (no copy of the entries).
  for (const pack of data.packs) packRowsInto(data.bins, n, data.binOffset, data.defaultBin, pack);
  const doubles = new Float64Array(n);
  for (let k = 0; k < buffers.nOutputs; k++) {
    gatherFloat64(buffers.raw, k * n, order, doubles);
    buffers.raw.set(doubles, k * n);
  }
  const y = buffers.y;
  const shared = y.buffer instanceof SharedArrayBuffer;
  if (y instanceof Int32Array) {
    const out = new Int32Array(n);
    gatherInt32(y, order, out);
    if (shared) y.set(out);
    else buffers.y = out;
  } else {
    const out = new Float64Array(n);
    gatherFloat64(y, 0, order, out);
    if (shared) y.set(out);
    else buffers.y = out;
  }
  const w = buffers.w;
  if (w !== undefined) {
    const out = new Float64Array(n);
    gatherFloat64(w, 0, order, out);
    if (shared) w.set(out);
    else buffers.w = out;
  }
}

/**
 * Scores back in the caller's row order.
 *
 * @param raw IN: class-major scores in the reordered rows
 * @returns class-major scores, row order[i] of output k at k·n + order[i]
 */
export function unorderScores(raw: Float64Array, order: Int32Array, nOutputs: number): Float64Array {
  const n = order.length;
  const out = new Float64Array(raw.length);
  for (let k = 0; k < nOutputs; k++) {
    const base = k * n;
    for (let i = 0; i < n; i++) out[base + order[i]!] = raw[base + i]!;
  }
  return out;
}
