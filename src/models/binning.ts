/**
 * Binning: every feature is cut once into at most `maxBins` value bins, and the matrix is
 * stored as one byte per cell. Gradient boosting and random forests find splits on these
 * bins, then record the split as a raw threshold, so fitted trees route raw values.
 *
 * The rule (as scikit-learn's HistGradientBoosting): a feature's thresholds t[0] < … < t[m-1]
 * (m = nBins − 1) are the midpoints between consecutive distinct values when there are at most
 * `maxBins` of them, else midpoints at evenly spaced percentiles of a sample. A value x goes to
 * bin b = the first b with x ≤ t[b], or m when x > t[m-1]. Hence "bin ≤ b" ⇔ "x ≤ t[b]": a
 * split after bin b is the raw split x ≤ t[b]. Missing values (NaN) go to bin `nBins[f]`, one
 * past the value bins, so a byte holds it when maxBins ≤ 255.
 *
 * Memory layout of the binned matrix: column-major like the FeatureMatrix, one `Uint8Array`
 * of nRows × nFeatures, feature f at [f*nRows, (f+1)*nRows).
 */
import type { FeatureMatrix } from "../features/matrix.js";
import { Random } from "../data/random.js";
import { SluiceError } from "../errors.js";
import { sortFloat64 } from "./kernels/sort.js";

/** The fitted cut points of every feature (training-only: fitted trees keep raw thresholds). */
export interface BinMapper {
  readonly nFeatures: number;
  readonly maxBins: number;
  /** Per feature: its ascending thresholds (length nBins − 1). */
  readonly thresholds: readonly Float64Array[];
  /** Per feature: the number of value bins (1 for a constant feature); the missing bin is this index. */
  readonly nBins: Int32Array;
  /** Per feature: whether the training rows held missing values. */
  readonly hasMissing: Uint8Array;
}

export interface BinOptions {
  /** Value bins per feature, 2..255. Default 255. */
  maxBins?: number;
  /** Rows sampled to place thresholds (all rows when fewer). Default 200,000, as scikit-learn. */
  sampleRows?: number;
  /** Seed of the sample. Default 42. */
  seed?: number;
}

/**
 * Place the thresholds of every feature of `X`.
 *
 * @throws SluiceError E_USAGE for maxBins outside 2..255.
 */
export function fitBinMapper(X: FeatureMatrix, options: BinOptions = {}): BinMapper {
  const maxBins = options.maxBins ?? 255;
  if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins > 255)
    throw new SluiceError("E_USAGE", `max_bins must be an integer in [2, 255], got ${maxBins}`, {
      details: { maxBins },
    });
  const { nRows, nCols } = X;
  const sampleRows = options.sampleRows ?? 200_000;
  let rows: Int32Array | undefined;
  if (nRows > sampleRows) {
    // A sorted sample keeps column reads in memory order.
    rows = sampleOfRows(Random.derive(options.seed ?? 42, "binning"), nRows, sampleRows);
  }
  const thresholds: Float64Array[] = [];
  const nBins = new Int32Array(nCols);
  const hasMissing = new Uint8Array(nCols);
  const buf = new Float64Array(rows?.length ?? nRows);
  const scratch = new Float64Array(buf.length);
  const distinct = new Float64Array(FEW_VALUES);
  const data = X.data;
  for (let f = 0; f < nCols; f++) {
    const base = f * nRows;
    // Each pass is a small function of its own: a fit bins once, so these loops run cold,
    // and V8 optimises a small function called once per column long before a large one.
    const n = rows === undefined ? gatherValues(data, base, nRows, buf) : gatherSample(data, base, rows, buf);
    // The sample can miss the column's few NaNs; look at every row for that flag.
    const missing = n < buf.length || (rows !== undefined && hasNaN(data, base, nRows));
    hasMissing[f] = missing ? 1 : 0;
    // Indicator and one-hot columns hold a few values: their thresholds come from those
    // values alone, without sorting the sample.
    const few = fewDistinct(buf, n, Math.min(FEW_VALUES, maxBins), distinct);
    let values: Float64Array;
    if (few > 0) values = distinct.subarray(0, few).sort();
    else {
      values = buf.subarray(0, n);
      sortFloat64(values, scratch);
    }
    const t = featureThresholds(values, maxBins);
    thresholds.push(t);
    nBins[f] = t.length + 1;
  }
  return { nFeatures: nCols, maxBins, thresholds, nBins, hasMissing };
}

/**
 * The first `m` rows of `rng.permutation(n)`, ascending: the same draws as Random.shuffle
 * (Fisher–Yates from the end), in a loop over an Int32Array that V8 optimises at once.
 */
function sampleOfRows(rng: Random, n: number, m: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a.subarray(0, m).sort();
}

/**
 * The non-missing values of column `data[base .. base+n)` into `out`.
 * @returns how many (fewer than n when some are missing)
 */
function gatherValues(data: Float64Array, base: number, n: number, out: Float64Array): number {
  let k = 0;
  for (let i = 0; i < n; i++) {
    const v = data[base + i]!;
    if (v === v) out[k++] = v;
  }
  return k;
}

/**
 * The non-missing values of the sampled rows of the column at `base` into `out`.
 * @returns how many (fewer than rows.length when some are missing)
 */
function gatherSample(data: Float64Array, base: number, rows: Int32Array, out: Float64Array): number {
  let k = 0;
  for (let j = 0; j < rows.length; j++) {
    const v = data[base + rows[j]!]!;
    if (v === v) out[k++] = v;
  }
  return k;
}

/** Whether the column `data[base .. base+n)` holds a NaN. */
function hasNaN(data: Float64Array, base: number, n: number): boolean {
  for (let i = 0; i < n; i++) if (data[base + i] !== data[base + i]) return true;
  return false;
}

/** Columns with at most this many distinct values skip the sort of their sample. */
const FEW_VALUES = 16;

/**
 * The distinct values of `values[0 .. n)` (NaN-free) into `out`, and how many there are; 0
 * when there are more than `max` (or none). Zero and minus zero count as one value, as in
 * {@link featureThresholds}, whose result from these values is the one from every value.
 */
function fewDistinct(values: Float64Array, n: number, max: number, out: Float64Array): number {
  let k = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    let j = 0;
    while (j < k && out[j] !== v) j++;
    if (j === k) {
      if (k === max) return 0;
      out[k++] = v;
    }
  }
  return k;
}

/**
 * Thresholds of one feature from its sorted, NaN-free values.
 * @param sorted IN: ascending values (may repeat).
 */
export function featureThresholds(sorted: Float64Array, maxBins: number): Float64Array {
  const n = sorted.length;
  if (n === 0) return new Float64Array(0);
  // Distinct values, in order.
  let distinct = 1;
  for (let i = 1; i < n; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  if (distinct <= maxBins) {
    const out = new Float64Array(distinct - 1);
    let k = 0;
    let prev = sorted[0]!;
    for (let i = 1; i < n; i++) {
      const v = sorted[i]!;
      if (v !== prev) {
        out[k++] = midpoint(prev, v, false);
        prev = v;
      }
    }
    return out;
  }
  // Percentiles 100·j/maxBins for j = 1..maxBins−1 with numpy's "midpoint" interpolation,
  // computed in numpy's order of operations so that the same sample gives the same cuts.
  const cuts: number[] = [];
  const step = 100 / maxBins;
  for (let j = 1; j < maxBins; j++) {
    const pos = ((j * step) / 100) * (n - 1);
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    const c = lo === hi ? sorted[lo]! : midpoint(sorted[lo]!, sorted[hi]!, true);
    if (cuts.length === 0 || c > cuts[cuts.length - 1]!) cuts.push(c);
  }
  // A cut at (or above) the maximum separates nothing.
  while (cuts.length > 0 && cuts[cuts.length - 1]! >= sorted[n - 1]!) cuts.pop();
  return Float64Array.from(cuts);
}

/**
 * The midpoint of a ≤ b as numpy computes it: `(a + b) * 0.5` between distinct values, and
 * `b - (b - a) * 0.5` for percentile interpolation; halves first when the sum would overflow.
 */
function midpoint(a: number, b: number, interpolate: boolean): number {
  const m = interpolate ? b - (b - a) * 0.5 : (a + b) * 0.5;
  return Number.isFinite(m) ? m : a / 2 + b / 2;
}

/** The bin of `x` for a feature with thresholds `t` (missing → t.length + 1). */
export function binOf(t: Float64Array, x: number): number {
  if (x !== x) return t.length + 1;
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x <= t[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Bin every cell of `X` with `mapper`.
 * @param out OUT: nRows × nFeatures bytes, column-major (allocated when not given).
 */
export function binMatrix(
  X: FeatureMatrix,
  mapper: BinMapper,
  out = new Uint8Array(X.nRows * X.nCols),
): Uint8Array {
  if (X.nCols !== mapper.nFeatures)
    throw new SluiceError(
      "E_USAGE",
      `the matrix has ${X.nCols} features; the bins were fitted on ${mapper.nFeatures}`,
    );
  const n = X.nRows;
  for (let f = 0; f < X.nCols; f++) {
    const t = mapper.thresholds[f]!;
    const missingBin = t.length + 1;
    const base = f * n;
    const m = t.length;
    for (let i = 0; i < n; i++) {
      const x = X.data[base + i]!;
      let b: number;
      if (x !== x) b = missingBin;
      else {
        let lo = 0;
        let hi = m;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (x <= t[mid]!) hi = mid;
          else lo = mid + 1;
        }
        b = lo;
      }
      out[base + i] = b;
    }
  }
  return out;
}
