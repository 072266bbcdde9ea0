/**
 * Histogram kernels of the forest's split finder: per-bin sums of one feature over the rows of
 * a node, and the scans that find the best split of such a histogram.
 *
 * Memory layout: a feature's histogram is (nBins + 1) bins of S Float64 slots — bins 0..nBins-1
 * hold values, bin nBins holds the missing ones (as the binned matrix does).
 * - classification (gini): S = K + 1: the weight of each class, then the row count;
 * - regression (MSE): S = 3: Σw, Σw·y, the row count.
 * Counts are distinct in-bag rows (what min_samples_leaf counts, as scikit-learn); weights
 * include the bootstrap multiplicity, the sample weight and the class weight.
 *
 * Rows of a node are `idx[begin..end)`; their labels and weights are stored in the same order
 * (`yOrd`, `wOrd`), so the kernels read them sequentially and gather only the bins.
 */

/** Slots per bin. */
export function slotsPerBin(nClasses: number): number {
  return nClasses > 0 ? nClasses + 1 : 3;
}

/**
 * Add the rows of a node to the class histogram of one feature, and mark the bins they fall
 * in, so that the scan and the clearing afterwards visit only those (a node of 20 rows touches
 * at most 20 of 256 bins).
 * @param bins IN: the binned matrix; the feature's column starts at `base`.
 * @param hist OUT: (nBins + 1)·(K + 1) slots at `off`, zeroed by the caller.
 * @param seen OUT: a 256-bit set (8 words), bit b set when bin b got a row; zeroed by the caller.
 */
export function buildClassHistogram(
  bins: Uint8Array,
  base: number,
  idx: Int32Array,
  begin: number,
  end: number,
  yOrd: Int32Array,
  wOrd: Float64Array,
  K: number,
  hist: Float64Array,
  off: number,
  seen: Uint32Array,
): void {
  const S = K + 1;
  for (let r = begin; r < end; r++) {
    const b = bins[base + idx[r]!]!;
    seen[b >> 5] = seen[b >> 5]! | (1 << (b & 31));
    const at = off + b * S;
    const c = at + yOrd[r]!;
    hist[c] = hist[c]! + wOrd[r]!;
    hist[at + K] = hist[at + K]! + 1;
  }
}

/**
 * Add the rows of a node to the regression histogram of one feature, marking the bins as
 * {@link buildClassHistogram} does.
 * @param wyOrd IN: w·y of each row, in node order.
 * @param hist OUT: (nBins + 1)·3 slots at `off`, zeroed by the caller.
 * @param seen OUT: the bins that got a row (8 words), zeroed by the caller.
 */
export function buildValueHistogram(
  bins: Uint8Array,
  base: number,
  idx: Int32Array,
  begin: number,
  end: number,
  wOrd: Float64Array,
  wyOrd: Float64Array,
  hist: Float64Array,
  off: number,
  seen: Uint32Array,
): void {
  for (let r = begin; r < end; r++) {
    const b = bins[base + idx[r]!]!;
    seen[b >> 5] = seen[b >> 5]! | (1 << (b & 31));
    const at = off + b * 3;
    hist[at] = hist[at]! + wOrd[r]!;
    hist[at + 1] = hist[at + 1]! + wyOrd[r]!;
    hist[at + 2] = hist[at + 2]! + 1;
  }
}

/**
 * {@link buildClassHistogram} of several features in one pass over the node's rows: each
 * row's label and weight are read once, and the features' updates, which never touch the
 * same memory, overlap instead of waiting on each other (a feature with few bins sends most
 * rows to the same slots, a chain of dependent adds when built alone). Every feature's
 * histogram gets its rows in the same order as alone: the same bits.
 * @param colBase IN: per feature of the batch, the start of its column in `bins`.
 * @param histAt IN: per feature of the batch, where its histogram starts in `hist`.
 * @param hist OUT: per feature, (nBins + 1)·(K + 1) slots at histAt[j], zeroed by the caller.
 * @param seen OUT: feature j's bin set at 8j (8 words), zeroed by the caller.
 */
export function buildClassHistograms(
  bins: Uint8Array,
  colBase: Int32Array,
  histAt: Int32Array,
  nFeatures: number,
  idx: Int32Array,
  begin: number,
  end: number,
  yOrd: Int32Array,
  wOrd: Float64Array,
  K: number,
  hist: Float64Array,
  seen: Uint32Array,
): void {
  const S = K + 1;
  for (let r = begin; r < end; r++) {
    const row = idx[r]!;
    const y = yOrd[r]!;
    const w = wOrd[r]!;
    for (let j = 0, words = 0; j < nFeatures; j++, words += 8) {
      const b = bins[colBase[j]! + row]!;
      const word = words + (b >> 5);
      seen[word] = seen[word]! | (1 << (b & 31));
      const at = histAt[j]! + b * S;
      hist[at + y] = hist[at + y]! + w;
      hist[at + K] = hist[at + K]! + 1;
    }
  }
}

/**
 * {@link buildClassHistograms} for features with few bins (indicators, one-hot columns),
 * without marking bins: their non-empty bins are cheaper to find from the counts afterwards
 * ({@link listNonEmptyBins}) than to mark row by row.
 */
export function buildClassHistogramsFew(
  bins: Uint8Array,
  colBase: Int32Array,
  histAt: Int32Array,
  nFeatures: number,
  idx: Int32Array,
  begin: number,
  end: number,
  yOrd: Int32Array,
  wOrd: Float64Array,
  K: number,
  hist: Float64Array,
): void {
  const S = K + 1;
  for (let r = begin; r < end; r++) {
    const row = idx[r]!;
    const y = yOrd[r]!;
    const w = wOrd[r]!;
    for (let j = 0; j < nFeatures; j++) {
      const at = histAt[j]! + bins[colBase[j]! + row]! * S;
      hist[at + y] = hist[at + y]! + w;
      hist[at + K] = hist[at + K]! + 1;
    }
  }
}

/**
 * {@link buildValueHistogram} of several features in one pass, as {@link buildClassHistograms}.
 * @param hist OUT: per feature, (nBins + 1)·3 slots at histAt[j], zeroed by the caller.
 * @param seen OUT: feature j's bin set at 8j (8 words), zeroed by the caller.
 */
export function buildValueHistograms(
  bins: Uint8Array,
  colBase: Int32Array,
  histAt: Int32Array,
  nFeatures: number,
  idx: Int32Array,
  begin: number,
  end: number,
  wOrd: Float64Array,
  wyOrd: Float64Array,
  hist: Float64Array,
  seen: Uint32Array,
): void {
  for (let r = begin; r < end; r++) {
    const row = idx[r]!;
    const w = wOrd[r]!;
    const wy = wyOrd[r]!;
    for (let j = 0, words = 0; j < nFeatures; j++, words += 8) {
      const b = bins[colBase[j]! + row]!;
      const word = words + (b >> 5);
      seen[word] = seen[word]! | (1 << (b & 31));
      const at = histAt[j]! + b * 3;
      hist[at] = hist[at]! + w;
      hist[at + 1] = hist[at + 1]! + wy;
      hist[at + 2] = hist[at + 2]! + 1;
    }
  }
}

/** {@link buildValueHistograms} for features with few bins, without marking bins (as buildClassHistogramsFew). */
export function buildValueHistogramsFew(
  bins: Uint8Array,
  colBase: Int32Array,
  histAt: Int32Array,
  nFeatures: number,
  idx: Int32Array,
  begin: number,
  end: number,
  wOrd: Float64Array,
  wyOrd: Float64Array,
  hist: Float64Array,
): void {
  for (let r = begin; r < end; r++) {
    const row = idx[r]!;
    const w = wOrd[r]!;
    const wy = wyOrd[r]!;
    for (let j = 0; j < nFeatures; j++) {
      const at = histAt[j]! + bins[colBase[j]! + row]! * 3;
      hist[at] = hist[at]! + w;
      hist[at + 1] = hist[at + 1]! + wy;
      hist[at + 2] = hist[at + 2]! + 1;
    }
  }
}

/**
 * The marked bins below `nBins` (the value bins), ascending, into `list`; clears `seen`.
 * @param seen IN/OUT: 8 words from `at`, all zero afterwards.
 * @param list OUT: at least 256 slots.
 * @returns how many bins were listed
 */
export function listSeenBins(seen: Uint32Array, nBins: number, list: Int32Array, at = 0): number {
  let n = 0;
  for (let w = 0; w < 8; w++) {
    let word = seen[at + w]!;
    seen[at + w] = 0;
    while (word !== 0) {
      const low = word & -word;
      const b = (w << 5) + 31 - Math.clz32(low);
      if (b < nBins) list[n++] = b;
      word ^= low;
    }
  }
  return n;
}

/**
 * The non-empty value bins of a histogram, ascending, into `list` (for histograms made by
 * subtraction, which carry no marks).
 * @param countSlot the slot of the row count within a bin (K for classes, 2 for values).
 * @returns how many bins were listed
 */
export function listNonEmptyBins(
  hist: Float64Array,
  off: number,
  S: number,
  countSlot: number,
  nBins: number,
  list: Int32Array,
): number {
  let n = 0;
  for (let b = 0, at = off + countSlot; b < nBins; b++, at += S) if (hist[at]! > 0) list[n++] = b;
  return n;
}

/**
 * Zero the slots of the listed bins and of the missing bin.
 * @param hist IN/OUT
 */
export function clearBins(
  hist: Float64Array,
  off: number,
  S: number,
  nBins: number,
  list: Int32Array,
  n: number,
): void {
  for (let j = 0; j < n; j++) {
    const at = off + list[j]! * S;
    for (let s = 0; s < S; s++) hist[at + s] = 0;
  }
  const at = off + nBins * S;
  for (let s = 0; s < S; s++) hist[at + s] = 0;
}

/** The best split of one histogram, filled in by the scans (one object reused per grower). */
export interface SplitResult {
  /** The impurity proxy to beat (see {@link scanClassHistogram}); −Infinity before any split. */
  proxy: number;
  feature: number;
  /**
   * Values in bins ≤ bin go left. nBins − 1 means every value goes left and the missing rows
   * go right. Between two non-empty bins the middle bin is chosen, so that the raw threshold
   * falls halfway between the node's values as scikit-learn places it.
   */
  bin: number;
  missingLeft: boolean;
  countLeft: number;
  countRight: number;
}

export function emptySplit(): SplitResult {
  return { proxy: -Infinity, feature: -1, bin: -1, missingLeft: false, countLeft: 0, countRight: 0 };
}

/**
 * Scan a class histogram for the split with the largest Σ_k L_k²/W_L + Σ_k R_k²/W_R — the
 * split with the lowest weighted gini impurity W_L·gini_L + W_R·gini_R, which equals
 * W − that sum. Both sides need ≥ `minLeaf` rows. Every threshold is tried with the missing
 * rows on either side; when the node has no missing rows they follow the larger side.
 *
 * Only the value bins in `list[0, nList)` are read: the non-empty ones, ascending.
 * Updates `best` only on a strictly larger proxy, so ties keep the earlier feature and bin.
 * @param total IN: the class weights of the node (K).
 * @param left scratch of K slots.
 * @returns the number of non-empty bins (≤ 1: the feature is constant in the node).
 */
export function scanClassHistogram(
  hist: Float64Array,
  off: number,
  nBins: number,
  list: Int32Array,
  nList: number,
  K: number,
  total: Float64Array,
  totalWeight: number,
  totalCount: number,
  minLeaf: number,
  feature: number,
  left: Float64Array,
  best: SplitResult,
): number {
  const S = K + 1;
  const mAt = off + nBins * S;
  const mCount = hist[mAt + K]!;
  let mWeight = 0;
  for (let k = 0; k < K; k++) mWeight += hist[mAt + k]!;
  for (let k = 0; k < K; k++) left[k] = 0;
  let lWeight = 0;
  let lCount = 0;
  let prev = -1;
  let nonEmpty = mCount > 0 ? 1 : 0;
  for (let j = 0; j < nList; j++) {
    const b = list[j]!;
    const at = off + b * S;
    const c = hist[at + K]!;
    nonEmpty++;
    if (prev >= 0) {
      const thr = (prev + b - 1) >> 1;
      // Missing rows right (also when there are none).
      let cl = lCount;
      let cr = totalCount - cl;
      if (cl >= minLeaf && cr >= minLeaf) {
        const wl = lWeight;
        const wr = totalWeight - wl;
        let sl = 0;
        let sr = 0;
        for (let k = 0; k < K; k++) {
          const l = left[k]!;
          const r = total[k]! - l;
          sl += l * l;
          sr += r * r;
        }
        const proxy = sl / wl + sr / wr;
        if (proxy > best.proxy) {
          best.proxy = proxy;
          best.feature = feature;
          best.bin = thr;
          best.missingLeft = mCount === 0 && cl >= cr;
          best.countLeft = cl;
          best.countRight = cr;
        }
      }
      if (mCount > 0) {
        cl = lCount + mCount;
        cr = totalCount - cl;
        if (cl >= minLeaf && cr >= minLeaf) {
          const wl = lWeight + mWeight;
          const wr = totalWeight - wl;
          let sl = 0;
          let sr = 0;
          for (let k = 0; k < K; k++) {
            const l = left[k]! + hist[mAt + k]!;
            const r = total[k]! - l;
            sl += l * l;
            sr += r * r;
          }
          const proxy = sl / wl + sr / wr;
          if (proxy > best.proxy) {
            best.proxy = proxy;
            best.feature = feature;
            best.bin = thr;
            best.missingLeft = true;
            best.countLeft = cl;
            best.countRight = cr;
          }
        }
      }
    }
    for (let k = 0; k < K; k++) {
      const v = hist[at + k]!;
      left[k] = left[k]! + v;
      lWeight += v;
    }
    lCount += c;
    prev = b;
  }
  // Every value left, the missing rows right.
  if (mCount > 0 && lCount >= minLeaf && mCount >= minLeaf) {
    let sl = 0;
    let sr = 0;
    for (let k = 0; k < K; k++) {
      const l = left[k]!;
      const r = hist[mAt + k]!;
      sl += l * l;
      sr += r * r;
    }
    const proxy = sl / lWeight + sr / mWeight;
    if (proxy > best.proxy) {
      best.proxy = proxy;
      best.feature = feature;
      best.bin = nBins - 1;
      best.missingLeft = false;
      best.countLeft = lCount;
      best.countRight = mCount;
    }
  }
  return nonEmpty;
}

/**
 * Scan a regression histogram for the split with the largest S_L²/W_L + S_R²/W_R (S = Σw·y) —
 * the split with the lowest sum of squared errors, which equals Σw·y² − that sum. Otherwise
 * as {@link scanClassHistogram}.
 * @returns the number of non-empty bins.
 */
export function scanValueHistogram(
  hist: Float64Array,
  off: number,
  nBins: number,
  list: Int32Array,
  nList: number,
  totalWeight: number,
  totalSum: number,
  totalCount: number,
  minLeaf: number,
  feature: number,
  best: SplitResult,
): number {
  const mAt = off + nBins * 3;
  const mWeight = hist[mAt]!;
  const mSum = hist[mAt + 1]!;
  const mCount = hist[mAt + 2]!;
  let lWeight = 0;
  let lSum = 0;
  let lCount = 0;
  let prev = -1;
  let nonEmpty = mCount > 0 ? 1 : 0;
  for (let j = 0; j < nList; j++) {
    const b = list[j]!;
    const at = off + b * 3;
    const c = hist[at + 2]!;
    nonEmpty++;
    if (prev >= 0) {
      const thr = (prev + b - 1) >> 1;
      let cl = lCount;
      let cr = totalCount - cl;
      if (cl >= minLeaf && cr >= minLeaf) {
        const wr = totalWeight - lWeight;
        const sr = totalSum - lSum;
        const proxy = (lSum * lSum) / lWeight + (sr * sr) / wr;
        if (proxy > best.proxy) {
          best.proxy = proxy;
          best.feature = feature;
          best.bin = thr;
          best.missingLeft = mCount === 0 && cl >= cr;
          best.countLeft = cl;
          best.countRight = cr;
        }
      }
      if (mCount > 0) {
        cl = lCount + mCount;
        cr = totalCount - cl;
        if (cl >= minLeaf && cr >= minLeaf) {
          const wl = lWeight + mWeight;
          const sl = lSum + mSum;
          const wr = totalWeight - wl;
          const sr = totalSum - sl;
          const proxy = (sl * sl) / wl + (sr * sr) / wr;
          if (proxy > best.proxy) {
            best.proxy = proxy;
            best.feature = feature;
            best.bin = thr;
            best.missingLeft = true;
            best.countLeft = cl;
            best.countRight = cr;
          }
        }
      }
    }
    lWeight += hist[at]!;
    lSum += hist[at + 1]!;
    lCount += c;
    prev = b;
  }
  if (mCount > 0 && lCount >= minLeaf && mCount >= minLeaf) {
    const proxy = (lSum * lSum) / lWeight + (mSum * mSum) / mWeight;
    if (proxy > best.proxy) {
      best.proxy = proxy;
      best.feature = feature;
      best.bin = nBins - 1;
      best.missingLeft = false;
      best.countLeft = lCount;
      best.countRight = mCount;
    }
  }
  return nonEmpty;
}

/**
 * hist[a] −= hist[b] over `length` slots: the larger child's histogram from its parent's and
 * its sibling's (the subtraction trick), instead of a pass over its rows.
 * @param hist IN/OUT
 */
export function subtractHistogram(hist: Float64Array, a: number, b: number, length: number): void {
  for (let i = 0; i < length; i++) hist[a + i] = hist[a + i]! - hist[b + i]!;
}
