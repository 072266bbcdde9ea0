/**
 * Binning of raw columns with fitted thresholds — the same bins as `binMatrix` in
 * ../binning.ts (bin = the number of thresholds below the value; missing → thresholds + 1),
 * computed faster: a linear scan for features with few thresholds (indicators, one-hot
 * columns), and otherwise a lookup in an even grid over the thresholds' range that leaves a
 * short binary search (usually over 0–2 thresholds) instead of one over all of them.
 */

/** Grid cells per threshold of a feature (more cells: shorter searches, a larger table). */
const GRID_CELLS_PER_THRESHOLD = 4;

/**
 * Bin one column.
 *
 * @param x IN: the column's values from `xBase`
 * @param t IN: the feature's ascending thresholds
 * @param out OUT: bins from `outBase`
 */
export function binColumn(
  x: Float64Array,
  xBase: number,
  n: number,
  t: Float64Array,
  out: Uint8Array,
  outBase: number,
): void {
  const m = t.length;
  const missing = m + 1;
  if (m <= 8) {
    for (let i = 0; i < n; i++) {
      const v = x[xBase + i]!;
      if (v !== v) {
        out[outBase + i] = missing;
        continue;
      }
      let b = 0;
      while (b < m && t[b]! < v) b++;
      out[outBase + i] = b;
    }
    return;
  }
  const lo = t[0]!;
  const hi = t[m - 1]!;
  const cells = GRID_CELLS_PER_THRESHOLD * m;
  const scale = cells / (hi - lo);
  if (!(scale > 0 && scale < Infinity)) {
    binColumnSearch(x, xBase, n, t, out, outBase);
    return;
  }
  // first[c] = the thresholds below cell c's left edge lo + c / scale (c = 0..cells).
  const first = new Int32Array(cells + 1);
  for (let c = 0, b = 0; c <= cells; c++) {
    const edge = lo + c / scale;
    while (b < m && t[b]! < edge) b++;
    first[c] = b;
  }
  for (let i = 0; i < n; i++) {
    const v = x[xBase + i]!;
    let b: number;
    if (v !== v) b = missing;
    else if (v <= lo) b = 0;
    else if (v > hi) b = m;
    else {
      // lo < v ≤ hi, so the cell is in [0, cells]; the answer lies in [first[c], first[c+1]]
      // unless rounding put v in a neighbouring cell, which the two fix-ups below correct.
      let c = ((v - lo) * scale) | 0;
      if (c >= cells) c = cells - 1;
      let base = first[c]!;
      let len = first[c + 1]! - base + 1;
      while (len > 1) {
        const half = len >>> 1;
        base = t[base + half - 1]! < v ? base + half : base;
        len -= half;
      }
      while (base > 0 && !(t[base - 1]! < v)) base--;
      while (base < m && t[base]! < v) base++;
      b = base;
    }
    out[outBase + i] = b;
  }
}

/** {@link binColumn} by a binary search over all thresholds (thresholds spanning an overflowing range). */
function binColumnSearch(
  x: Float64Array,
  xBase: number,
  n: number,
  t: Float64Array,
  out: Uint8Array,
  outBase: number,
): void {
  const m = t.length;
  const missing = m + 1;
  for (let i = 0; i < n; i++) {
    const v = x[xBase + i]!;
    if (v !== v) {
      out[outBase + i] = missing;
      continue;
    }
    // Lower bound: `base` ends on the last threshold < v, or on 0.
    let base = 0;
    let len = m;
    while (len > 1) {
      const half = len >>> 1;
      base = t[base + half]! < v ? base + half : base;
      len -= half;
    }
    out[outBase + i] = t[base]! < v ? base + 1 : base;
  }
}

/**
 * Bin every column of a column-major matrix.
 *
 * @param data IN: nRows × thresholds.length values, column-major
 * @param out OUT: bins, column-major like `data`
 */
export function binColumns(
  data: Float64Array,
  nRows: number,
  thresholds: readonly Float64Array[],
  out: Uint8Array,
): void {
  for (let f = 0; f < thresholds.length; f++)
    binColumn(data, f * nRows, nRows, thresholds[f]!, out, f * nRows);
}
