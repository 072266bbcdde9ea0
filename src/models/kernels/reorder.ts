/**
 * Reordering the rows of the training data: row i of the result is row `order[i]` of the
 * input, for every row-indexed array (binned columns, packed rows, scores, labels, weights).
 *
 * Why: a leaf's rows are read by index, ascending; when they are spread over the whole
 * matrix, every row costs a cache miss of its own (the histograms of small leaves run 2–3×
 * slower per row than the root's). Boosting reorders the rows once, by the leaves of its first
 * tree: later trees split on mostly the same features, so their leaves' rows then sit close
 * together. See boost.ts.
 */
/**
 * One column gathered in `order`.
 *
 * @param src IN: the column at `srcBase`
 * @param out OUT: `order.length` values
 */
export function gatherBytes(src: Uint8Array, srcBase: number, order: Int32Array, out: Uint8Array): void {
  for (let i = 0; i < order.length; i++) out[i] = src[srcBase + order[i]!]!;
}

/**
 * {@link gatherBytes} for doubles.
 *
 * @param out OUT: `order.length` values
 */
export function gatherFloat64(
  src: Float64Array,
  srcBase: number,
  order: Int32Array,
  out: Float64Array,
): void {
  for (let i = 0; i < order.length; i++) out[i] = src[srcBase + order[i]!]!;
}

/**
 * {@link gatherBytes} for 32-bit integers.
 *
 * @param out OUT: `order.length` values
 */
export function gatherInt32(src: Int32Array, order: Int32Array, out: Int32Array): void {
  for (let i = 0; i < order.length; i++) out[i] = src[order[i]!]!;
}
