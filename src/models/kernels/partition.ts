/**
 * The row partition: one array of row indices in which every leaf owns a contiguous range
 * (LightGBM's data partition). Splitting a leaf reorders its range in place, left rows first,
 * both sides keeping their ascending order, so histograms keep reading rows in memory order.
 */

/**
 * Split the rows `rows[begin .. begin+count)` of a leaf on a binned feature.
 *
 * A row goes left when its bin is ≤ `splitBin`, or is the missing bin and `missingLeft` is 1.
 *
 * @param rows IN/OUT: the leaf's rows; afterwards its left rows, then its right rows
 * @param bins IN: column-major bins; the feature's column starts at `colBase`
 * @param scratch OUT: scratch space of at least `count` entries
 * @returns the number of rows that went left
 */
export function partitionRows(
  rows: Int32Array,
  begin: number,
  count: number,
  bins: Uint8Array,
  colBase: number,
  splitBin: number,
  missingBin: number,
  missingLeft: number,
  scratch: Int32Array,
): number {
  const nLeft = partitionRowsApart(
    rows,
    begin,
    count,
    bins,
    colBase,
    splitBin,
    missingBin,
    missingLeft,
    scratch,
    0,
  );
  rows.set(scratch.subarray(0, count - nLeft), begin + nLeft);
  return nLeft;
}

/**
 * {@link partitionRows} without the final copy: the left rows are compacted at `begin`, the
 * right rows are written to `scratch` from `scratchAt`, both in their order. Threads split a
 * large leaf into chunks, partition each apart, then the chunks are stitched together (left
 * parts in chunk order, then right parts), which is the same result as one pass.
 *
 * @param rows IN/OUT: the leaf's rows; afterwards its left rows from `begin`, the rest stale
 * @param scratch OUT: the right rows at `scratchAt ..`
 * @returns the number of rows that went left
 */
export function partitionRowsApart(
  rows: Int32Array,
  begin: number,
  count: number,
  bins: Uint8Array,
  colBase: number,
  splitBin: number,
  missingBin: number,
  missingLeft: number,
  scratch: Int32Array,
  scratchAt: number,
): number {
  let nLeft = begin;
  let nRight = scratchAt;
  const end = begin + count;
  const ml = missingLeft & 1;
  for (let i = begin; i < end; i++) {
    const r = rows[i]!;
    const b = bins[colBase + r]!;
    // Branch-free: a split sends about half the rows each way, so a branch here would be
    // mispredicted half the time. (x >>> 31) is 1 exactly when x < 0, for |x| < 2^31.
    const goLeft = (1 - ((splitBin - b) >>> 31)) | (ml & (((b ^ missingBin) - 1) >>> 31));
    rows[nLeft] = r;
    scratch[nRight] = r;
    nLeft += goLeft;
    nRight += 1 - goLeft;
  }
  return nLeft - begin;
}

/**
 * {@link partitionRowsApart} of the rows `begin .. begin+count-1` themselves, in order (the
 * root without bagging): `rows` is written, not read.
 */
export function partitionRowRangeApart(
  rows: Int32Array,
  begin: number,
  count: number,
  bins: Uint8Array,
  colBase: number,
  splitBin: number,
  missingBin: number,
  missingLeft: number,
  scratch: Int32Array,
  scratchAt: number,
): number {
  let nLeft = begin;
  let nRight = scratchAt;
  const end = begin + count;
  const ml = missingLeft & 1;
  for (let r = begin; r < end; r++) {
    const b = bins[colBase + r]!;
    const goLeft = (1 - ((splitBin - b) >>> 31)) | (ml & (((b ^ missingBin) - 1) >>> 31));
    rows[nLeft] = r;
    scratch[nRight] = r;
    nLeft += goLeft;
    nRight += 1 - goLeft;
  }
  return nLeft - begin;
}

/**
 * The last split of a leaf's rows, when neither side will be split again: instead of
 * reordering the rows, add each row's side's value to its score (what partitioning and then
 * adding the leaves' values would do, in one pass and without writes to `rows`).
 *
 * A row goes left as in {@link partitionRowsApart}.
 *
 * @param rows IN: the leaf's rows (read only when `inOrder` is 0: else the rows are
 *   begin..begin+count-1 themselves)
 * @param raw IN/OUT: scores; row r's is at `rawBase + r`
 * @returns the number of rows that went left
 */
export function scoreSplitRows(
  rows: Int32Array,
  begin: number,
  count: number,
  inOrder: number,
  bins: Uint8Array,
  colBase: number,
  splitBin: number,
  missingBin: number,
  missingLeft: number,
  leftValue: number,
  rightValue: number,
  raw: Float64Array,
  rawBase: number,
): number {
  let nLeft = 0;
  const ml = missingLeft & 1;
  const end = begin + count;
  for (let i = begin; i < end; i++) {
    const r = inOrder === 0 ? rows[i]! : i;
    const b = bins[colBase + r]!;
    const goLeft = (1 - ((splitBin - b) >>> 31)) | (ml & (((b ^ missingBin) - 1) >>> 31));
    raw[rawBase + r]! += goLeft === 1 ? leftValue : rightValue;
    nLeft += goLeft;
  }
  return nLeft;
}

/**
 * Add `value` to the raw score of every row of a leaf.
 *
 * @param raw IN/OUT: scores; row r's is at `rawBase + r`
 */
export function addToRows(
  rows: Int32Array,
  begin: number,
  count: number,
  value: number,
  raw: Float64Array,
  rawBase: number,
): void {
  for (let i = begin, end = begin + count; i < end; i++) raw[rawBase + rows[i]!]! += value;
}

/**
 * Route binned rows through a tree grown on bins and add the leaf values to their scores
 * (rows left out of a round's bagging sample, whose leaf is not known from the partition).
 *
 * @param feature,splitBin,missingLeft,left,right IN: the tree's nodes (feature -1 at leaves)
 * @param missingBin IN: per feature, its missing bin
 * @param value IN: per node, the value added at a leaf
 * @param raw IN/OUT: scores; row r's is at `rawBase + r`
 */
export function addTreeToBinnedRows(
  rows: Int32Array,
  begin: number,
  count: number,
  bins: Uint8Array,
  nRows: number,
  feature: Int32Array,
  splitBin: Int32Array,
  missingLeft: Uint8Array,
  left: Int32Array,
  right: Int32Array,
  missingBin: Int32Array,
  value: Float64Array,
  raw: Float64Array,
  rawBase: number,
): void {
  for (let i = begin, end = begin + count; i < end; i++) {
    const r = rows[i]!;
    let node = 0;
    let f = feature[0]!;
    while (f >= 0) {
      const b = bins[f * nRows + r]!;
      const goLeft = b === missingBin[f]! ? missingLeft[node] === 1 : b <= splitBin[node]!;
      node = goLeft ? left[node]! : right[node]!;
      f = feature[node]!;
    }
    raw[rawBase + r]! += value[node]!;
  }
}
