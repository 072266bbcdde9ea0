/**
 * Gradient histograms: for every bin of every feature, the sums of the gradients and hessians
 * of a leaf's rows whose value falls in that bin, and how many rows that is.
 *
 * Memory layout. Bins of all features are numbered globally: feature f's local bin b is global
 * bin `binOffset[f] + b` (its missing-value bin included). A leaf's histogram is `3 × totalBins`
 * doubles from `base`: global bin j holds (sum of gradients, sum of hessians, row count) at
 * `base + 3j`, `+1`, `+2`. Interleaving the three keeps one bin's update on one cache line.
 *
 * Precision. Gradients and hessians are float32 (half the memory traffic of the row loops);
 * sums are float64, because a leaf sums up to millions of them and float32 sums would lose the
 * small gradients of well-fitted rows. Counts are exact integers in float64 (< 2^53).
 *
 * Row-wise packed bins. The builders read the binned matrix row by row, as in LightGBM's
 * row-wise mode: row r's bins are `entries[rowStart[r] .. rowStart[r+1])`, each a global bin
 * index. A feature whose most frequent ("default") bin holds many rows leaves that bin out of
 * the rows; {@link fillDefaultBins} restores it afterwards as the leaf total minus the other
 * bins. One-hot and indicator columns are mostly one value, so most rows carry only their
 * few non-default bins and their dense columns. Updating all of a row's features together
 * also spreads consecutive writes over many bins instead of hammering one bin of a feature
 * with few values (a chain of dependent float adds).
 *
 * Determinism. Every kernel adds rows in the order given, so a chunk of rows gives the same
 * sums, bit for bit, whichever thread builds it.
 */

/** Doubles per bin: gradient sum, hessian sum, count. */
export const HIST_STRIDE = 3;

/** Packed bins: `Uint16Array` when every global bin index fits 16 bits, else `Uint32Array`. */
export type BinEntries = Uint16Array | Uint32Array;

/**
 * Histogram of the rows first..end-1 in order, gradients in row order (the root without
 * bagging, or one chunk of it).
 *
 * @param rowStart IN: nRows + 1 offsets into `entries`
 * @param entries IN: global bin indices
 * @param end IN: the row after the last
 * @param g IN: gradient per row, from `gBase`
 * @param h IN: hessian per row, from `gBase`
 * @param hist OUT: adds into the bins at `base` (zero them first)
 * @param first IN: the first row (default 0)
 */
export function histogramAllRows(
  rowStart: Int32Array,
  entries: BinEntries,
  end: number,
  g: Float32Array,
  h: Float32Array,
  gBase: number,
  hist: Float64Array,
  base: number,
  first = 0,
): void {
  let k = rowStart[first]!;
  for (let r = first; r < end; r++) {
    const gr = g[gBase + r]!;
    const hr = h[gBase + r]!;
    const stop = rowStart[r + 1]!;
    // Two entries a step (fewer loop branches). Statements run in order, so every bin gets
    // its additions in the same order as one entry a step: the same bits.
    for (; k + 1 < stop; k += 2) {
      const a = base + entries[k]! * 3;
      const b = base + entries[k + 1]! * 3;
      hist[a]! += gr;
      hist[a + 1]! += hr;
      hist[a + 2]! += 1;
      hist[b]! += gr;
      hist[b + 1]! += hr;
      hist[b + 2]! += 1;
    }
    if (k < stop) {
      const a = base + entries[k]! * 3;
      hist[a]! += gr;
      hist[a + 1]! += hr;
      hist[a + 2]! += 1;
      k++;
    }
  }
}

/**
 * {@link histogramAllRows} without the counts: gradient and hessian sums only. The root of a
 * tree grown on every row holds the same rows in every tree, so its counts never change;
 * the builder keeps them from the first root and puts them back with {@link setCounts}.
 *
 * @param hist OUT: gradient and hessian of the bins at `base` (zero them first); counts stay 0
 */
export function histogramAllRowsUncounted(
  rowStart: Int32Array,
  entries: BinEntries,
  end: number,
  g: Float32Array,
  h: Float32Array,
  gBase: number,
  hist: Float64Array,
  base: number,
  first = 0,
): void {
  let k = rowStart[first]!;
  for (let r = first; r < end; r++) {
    const gr = g[gBase + r]!;
    const hr = h[gBase + r]!;
    const stop = rowStart[r + 1]!;
    for (; k + 1 < stop; k += 2) {
      const a = base + entries[k]! * 3;
      const b = base + entries[k + 1]! * 3;
      hist[a]! += gr;
      hist[a + 1]! += hr;
      hist[b]! += gr;
      hist[b + 1]! += hr;
    }
    if (k < stop) {
      const a = base + entries[k]! * 3;
      hist[a]! += gr;
      hist[a + 1]! += hr;
      k++;
    }
  }
}

/**
 * {@link histogramAllRowsUncounted} when every hessian is the same: gradient sums only (the
 * counts come from {@link setCounts}, the hessians from {@link fillConstantHessians}).
 *
 * @param hist OUT: gradient of the bins at `base` (zero them first)
 */
export function histogramAllRowsGradients(
  rowStart: Int32Array,
  entries: BinEntries,
  end: number,
  g: Float32Array,
  gBase: number,
  hist: Float64Array,
  base: number,
  first = 0,
): void {
  let k = rowStart[first]!;
  for (let r = first; r < end; r++) {
    const gr = g[gBase + r]!;
    const stop = rowStart[r + 1]!;
    for (; k + 1 < stop; k += 2) {
      hist[base + entries[k]! * 3]! += gr;
      hist[base + entries[k + 1]! * 3]! += gr;
    }
    if (k < stop) {
      hist[base + entries[k]! * 3]! += gr;
      k++;
    }
  }
}

/**
 * {@link histogramAllRows} when every hessian is the same: sums gradients and counts only
 * (the hessians are filled in from the counts by {@link fillConstantHessians}).
 *
 * @param hist OUT: gradient and count of the bins at `base` (zero them first)
 */
export function histogramAllRowsConstantHessian(
  rowStart: Int32Array,
  entries: BinEntries,
  end: number,
  g: Float32Array,
  gBase: number,
  hist: Float64Array,
  base: number,
  first = 0,
): void {
  let k = rowStart[first]!;
  for (let r = first; r < end; r++) {
    const gr = g[gBase + r]!;
    const stop = rowStart[r + 1]!;
    for (; k + 1 < stop; k += 2) {
      const a = base + entries[k]! * 3;
      const b = base + entries[k + 1]! * 3;
      hist[a]! += gr;
      hist[a + 2]! += 1;
      hist[b]! += gr;
      hist[b + 2]! += 1;
    }
    if (k < stop) {
      const a = base + entries[k]! * 3;
      hist[a]! += gr;
      hist[a + 2]! += 1;
      k++;
    }
  }
}

/**
 * Histogram of the rows `rows[begin .. begin+count)` of a leaf. Rows are ascending, so on a
 * dense leaf the reads of their bins and gradients move forward through memory.
 *
 * @param rows IN: row indices, ascending within the leaf
 * @param g,h IN: gradient and hessian per row, from `gBase`
 * @param hist OUT: adds into the bins at `base` (zero them first)
 */
export function histogramLeafRows(
  rowStart: Int32Array,
  entries: BinEntries,
  rows: Int32Array,
  begin: number,
  count: number,
  g: Float32Array,
  h: Float32Array,
  gBase: number,
  hist: Float64Array,
  base: number,
): void {
  for (let i = 0; i < count; i++) {
    const r = rows[begin + i]!;
    const gr = g[gBase + r]!;
    const hr = h[gBase + r]!;
    const stop = rowStart[r + 1]!;
    let k = rowStart[r]!;
    for (; k + 1 < stop; k += 2) {
      const a = base + entries[k]! * 3;
      const b = base + entries[k + 1]! * 3;
      hist[a]! += gr;
      hist[a + 1]! += hr;
      hist[a + 2]! += 1;
      hist[b]! += gr;
      hist[b + 1]! += hr;
      hist[b + 2]! += 1;
    }
    if (k < stop) {
      const a = base + entries[k]! * 3;
      hist[a]! += gr;
      hist[a + 1]! += hr;
      hist[a + 2]! += 1;
    }
  }
}

/**
 * {@link histogramLeafRows} when every hessian is the same: sums gradients and counts only.
 *
 * @param hist OUT: gradient and count of the bins at `base` (zero them first)
 */
export function histogramLeafRowsConstantHessian(
  rowStart: Int32Array,
  entries: BinEntries,
  rows: Int32Array,
  begin: number,
  count: number,
  g: Float32Array,
  gBase: number,
  hist: Float64Array,
  base: number,
): void {
  for (let i = 0; i < count; i++) {
    const r = rows[begin + i]!;
    const gr = g[gBase + r]!;
    const stop = rowStart[r + 1]!;
    let k = rowStart[r]!;
    for (; k + 1 < stop; k += 2) {
      const a = base + entries[k]! * 3;
      const b = base + entries[k + 1]! * 3;
      hist[a]! += gr;
      hist[a + 2]! += 1;
      hist[b]! += gr;
      hist[b + 2]! += 1;
    }
    if (k < stop) {
      const a = base + entries[k]! * 3;
      hist[a]! += gr;
      hist[a + 2]! += 1;
    }
  }
}

/** Rows per batch of the batched builders; their `span` scratch holds 2 × BATCH_ROWS numbers. */
export const BATCH_ROWS = 128;

/**
 * {@link histogramLeafRows} for sparse leaves (rows far apart in memory), in batches of
 * {@link BATCH_ROWS} rows: first the batch's row ranges and gradients are read and each row's
 * first entry and the entry after its last are touched (a row's entries often span two cache
 * lines) — independent loads, so the processor has many cache misses in flight at once —
 * then the batch is summed from cache. On a leaf holding a few percent of
 * the rows this is about 1.5× faster than reading row after row; on dense leaves it is slower.
 *
 * @param span OUT: scratch of 2 × BATCH_ROWS numbers (row ranges)
 * @param grad OUT: scratch of 2 × BATCH_ROWS numbers (gradients and hessians)
 * @returns a value of no meaning (the touched entries, so the touches are not optimised away)
 */
export function histogramLeafRowsBatched(
  rowStart: Int32Array,
  entries: BinEntries,
  rows: Int32Array,
  begin: number,
  count: number,
  g: Float32Array,
  h: Float32Array,
  gBase: number,
  hist: Float64Array,
  base: number,
  span: Int32Array,
  grad: Float64Array,
): number {
  let touched = 0;
  for (let b0 = 0; b0 < count; b0 += BATCH_ROWS) {
    const b1 = b0 + BATCH_ROWS < count ? b0 + BATCH_ROWS : count;
    for (let i = b0, j = 0; i < b1; i++, j += 2) {
      const r = rows[begin + i]!;
      span[j] = rowStart[r]!;
      span[j + 1] = rowStart[r + 1]!;
      grad[j] = g[gBase + r]!;
      grad[j + 1] = h[gBase + r]!;
    }
    for (let j = 0, e = (b1 - b0) * 2; j < e; j += 2) touched += entries[span[j]!]! + entries[span[j + 1]!]!;
    for (let j = 0, e = (b1 - b0) * 2; j < e; j += 2) {
      const gr = grad[j]!;
      const hr = grad[j + 1]!;
      const stop = span[j + 1]!;
      let k = span[j]!;
      for (; k + 1 < stop; k += 2) {
        const a = base + entries[k]! * 3;
        const b = base + entries[k + 1]! * 3;
        hist[a]! += gr;
        hist[a + 1]! += hr;
        hist[a + 2]! += 1;
        hist[b]! += gr;
        hist[b + 1]! += hr;
        hist[b + 2]! += 1;
      }
      if (k < stop) {
        const a = base + entries[k]! * 3;
        hist[a]! += gr;
        hist[a + 1]! += hr;
        hist[a + 2]! += 1;
      }
    }
  }
  return touched;
}

/**
 * {@link histogramLeafRowsBatched} when every hessian is the same: gradients and counts only.
 *
 * @param span OUT: scratch of 2 × BATCH_ROWS numbers (row ranges)
 * @param grad OUT: scratch of 2 × BATCH_ROWS numbers (gradients)
 */
export function histogramLeafRowsBatchedConstantHessian(
  rowStart: Int32Array,
  entries: BinEntries,
  rows: Int32Array,
  begin: number,
  count: number,
  g: Float32Array,
  gBase: number,
  hist: Float64Array,
  base: number,
  span: Int32Array,
  grad: Float64Array,
): number {
  let touched = 0;
  for (let b0 = 0; b0 < count; b0 += BATCH_ROWS) {
    const b1 = b0 + BATCH_ROWS < count ? b0 + BATCH_ROWS : count;
    for (let i = b0, j = 0; i < b1; i++, j += 2) {
      const r = rows[begin + i]!;
      span[j] = rowStart[r]!;
      span[j + 1] = rowStart[r + 1]!;
      grad[j] = g[gBase + r]!;
    }
    for (let j = 0, e = (b1 - b0) * 2; j < e; j += 2) touched += entries[span[j]!]! + entries[span[j + 1]!]!;
    for (let j = 0, e = (b1 - b0) * 2; j < e; j += 2) {
      const gr = grad[j]!;
      const stop = span[j + 1]!;
      let k = span[j]!;
      for (; k + 1 < stop; k += 2) {
        const a = base + entries[k]! * 3;
        const b = base + entries[k + 1]! * 3;
        hist[a]! += gr;
        hist[a + 2]! += 1;
        hist[b]! += gr;
        hist[b + 2]! += 1;
      }
      if (k < stop) {
        const a = base + entries[k]! * 3;
        hist[a]! += gr;
        hist[a + 2]! += 1;
      }
    }
  }
  return touched;
}

/**
 * Column-wise build of one feature over a leaf's rows, from the column-major binned matrix.
 * Slower than the row-wise builders on the data we measured (see bench/gbdt.ts); kept as the
 * straightforward form the row-wise kernels are checked against, and for the benchmark.
 *
 * @param bins IN: column-major bins; this feature's column starts at `colBase`
 * @param hist OUT: adds into the feature's bins, which start at `featureBase`
 */
export function histogramColumn(
  bins: Uint8Array,
  colBase: number,
  rows: Int32Array,
  begin: number,
  count: number,
  g: Float32Array,
  h: Float32Array,
  gBase: number,
  hist: Float64Array,
  featureBase: number,
): void {
  for (let i = 0; i < count; i++) {
    const r = rows[begin + i]!;
    const at = featureBase + bins[colBase + r]! * 3;
    hist[at]! += g[gBase + r]!;
    hist[at + 1]! += h[gBase + r]!;
    hist[at + 2]! += 1;
  }
}

/**
 * The subtraction trick: a parent's rows are exactly its two children's, so the larger child's
 * histogram is the parent's minus the smaller child's, with no pass over rows.
 *
 * @param hist IN/OUT: the parent's bins at `parentBase` become the larger child's
 * @param child IN: the smaller child's bins at `childBase` (may be the same array)
 */
export function subtractHistogram(
  hist: Float64Array,
  parentBase: number,
  child: Float64Array,
  childBase: number,
  length: number,
): void {
  for (let j = 0; j < length; j++) hist[parentBase + j]! -= child[childBase + j]!;
}

/**
 * Add the histogram at `fromBase` into the one at `base` (the chunks of a build).
 *
 * @param hist IN/OUT: the bins at `base`
 * @param from IN: the bins at `fromBase`
 */
export function addHistogram(
  hist: Float64Array,
  base: number,
  from: Float64Array,
  fromBase: number,
  length: number,
): void {
  for (let j = 0; j < length; j++) hist[base + j]! += from[fromBase + j]!;
}

/**
 * {@link addHistogram}, then zero the added histogram: chunk histograms kept at zero between
 * builds need no separate clearing pass.
 *
 * @param hist IN/OUT: the bins at `base`
 * @param from IN/OUT: the bins at `fromBase`, zero afterwards
 */
export function addHistogramAndClear(
  hist: Float64Array,
  base: number,
  from: Float64Array,
  fromBase: number,
  length: number,
): void {
  for (let j = 0; j < length; j++) {
    hist[base + j]! += from[fromBase + j]!;
    from[fromBase + j] = 0;
  }
}

/**
 * Restore the default bins that the packed rows leave out: each is the leaf's totals minus the
 * feature's other bins.
 *
 * @param defaultBin IN: per feature, the global index of its left-out bin, or -1
 * @param hist IN/OUT: the leaf's histogram at `base`
 */
export function fillDefaultBins(
  hist: Float64Array,
  base: number,
  featureBegin: number,
  featureEnd: number,
  binOffset: Int32Array,
  defaultBin: Int32Array,
  sumG: number,
  sumH: number,
  count: number,
): void {
  for (let f = featureBegin; f < featureEnd; f++) {
    const d = defaultBin[f]!;
    if (d < 0) continue;
    let g = sumG;
    let h = sumH;
    let c = count;
    const end = binOffset[f + 1]!;
    for (let j = binOffset[f]!; j < end; j++) {
      if (j === d) continue;
      const at = base + j * 3;
      g -= hist[at]!;
      h -= hist[at + 1]!;
      c -= hist[at + 2]!;
    }
    const at = base + d * 3;
    hist[at] = g;
    hist[at + 1] = h;
    hist[at + 2] = c;
  }
}

/**
 * Hessian sums from counts, for histograms built with a constant hessian.
 *
 * @param hist IN/OUT: bins [binBegin, binEnd) of the histogram at `base`
 */
export function fillConstantHessians(
  hist: Float64Array,
  base: number,
  binBegin: number,
  binEnd: number,
  hessian: number,
): void {
  for (let j = binBegin; j < binEnd; j++) {
    const at = base + j * 3;
    hist[at + 1] = hist[at + 2]! * hessian;
  }
}

/**
 * Put known counts into a histogram built without them ({@link histogramAllRowsUncounted}).
 *
 * @param counts IN: the row count of every bin (totalBins numbers)
 * @param hist IN/OUT: the counts of bins [binBegin, binEnd) of the histogram at `base`
 */
export function setCounts(
  hist: Float64Array,
  base: number,
  binBegin: number,
  binEnd: number,
  counts: Float64Array,
): void {
  for (let j = binBegin; j < binEnd; j++) hist[base + j * 3 + 2] = counts[j]!;
}
