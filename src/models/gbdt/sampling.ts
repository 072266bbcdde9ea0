/**
 * Seeded sampling for boosting: the rows of a round (bagging_fraction) and the features of a
 * tree (feature_fraction). Both draw exactly round(share × total) items (at least 1) without
 * replacement, and return them ascending, so rows keep their memory order and ties between
 * features keep resolving towards the lower index.
 */
import type { Random } from "../../data/random.js";

/** How many of `total` a share keeps: round(share × total), at least 1. */
export function sampleSize(share: number, total: number): number {
  return Math.max(1, Math.min(total, Math.round(share * total)));
}

/**
 * Selection sampling (Knuth's algorithm S): each index is kept with probability
 * (still needed) / (still left), which keeps exactly `m` of `n`, in order, in one pass.
 *
 * @param kept OUT: the m kept indices, ascending
 * @param dropped OUT: the n − m others, ascending (may be undefined)
 */
export function sampleSorted(
  rng: Random,
  n: number,
  m: number,
  kept: Int32Array,
  dropped: Int32Array | undefined,
): void {
  let k = 0;
  let d = 0;
  for (let i = 0; i < n; i++) {
    if (rng.next() * (n - i) < m - k) kept[k++] = i;
    else if (dropped !== undefined) dropped[d++] = i;
  }
}
