/**
 * `FeatureMatrix`: the numeric matrix features produce and models read. Column-major, because
 * learners scan one feature at a time (binning, histograms, coordinate updates), and a column
 * is then a contiguous `subarray` with no copy.
 */
import { SluiceError } from "../errors.js";

/** A dense numeric matrix, column-major: column j is data.subarray(j * nRows, (j + 1) * nRows). */
export interface FeatureMatrix {
  readonly nRows: number;
  readonly nCols: number;
  /** Column names, in order. */
  readonly names: readonly string[];
  readonly data: Float64Array;
}

/** Make a matrix, checking that the sizes agree. */
export function featureMatrix(
  nRows: number,
  names: readonly string[],
  data: Float64Array = new Float64Array(nRows * names.length),
): FeatureMatrix {
  if (data.length !== nRows * names.length)
    throw new SluiceError(
      "E_INTERNAL",
      `feature matrix: ${data.length} values do not make ${nRows} rows × ${names.length} columns`,
    );
  return { nRows, nCols: names.length, names, data };
}

function checkIndex(what: string, i: number, n: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= n)
    throw new SluiceError("E_INTERNAL", `feature matrix: ${what} ${i} is out of range [0, ${n})`);
}

/**
 * Column `j` as a view into the matrix (no copy; writing to it writes the matrix).
 *
 * @example
 * const m = transform(fitted, frame);
 * const age = matrixColumn(m, m.names.indexOf("age"));
 */
export function matrixColumn(m: FeatureMatrix, j: number): Float64Array {
  checkIndex("column", j, m.nCols);
  return m.data.subarray(j * m.nRows, (j + 1) * m.nRows);
}

/** Row `i`, gathered into `out` (allocated when not given; length nCols). */
export function matrixRow(
  m: FeatureMatrix,
  i: number,
  out: Float64Array = new Float64Array(m.nCols),
): Float64Array {
  checkIndex("row", i, m.nRows);
  if (out.length < m.nCols)
    throw new SluiceError("E_INTERNAL", `feature matrix: out has ${out.length} slots, a row has ${m.nCols}`);
  const { data, nRows } = m;
  for (let j = 0, at = i; j < m.nCols; j++, at += nRows) out[j] = data[at]!;
  return out;
}
