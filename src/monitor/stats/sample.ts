/**
 * The two shapes of data the drift tests take.
 *
 * - Numeric: a {@link NumericSample} is the non-missing values of one feature, sorted, with
 *   the summaries every test needs (missing count, distinct count, mean, standard deviation).
 *   Build it once per column with {@link numericSample}; a training reference can be built once
 *   and reused against every monitoring window. NaN and ±Infinity are missing, as Evidently
 *   drops both before testing.
 * - Categorical: a {@link CategoricalSample} is a count per category (by category index) plus a
 *   missing count. Reference and current samples must use the same category order; a category
 *   past the end of one sample's counts has count 0 there, so new categories can be appended
 *   in the current sample. {@link alignCategories} builds that order from two label lists.
 */

import { SluiceError } from "../../errors.js";
import { sortFloat64 } from "./sort.js";

/** One numeric feature's non-missing values, sorted, with summaries. */
export interface NumericSample {
  readonly kind: "numeric";
  /** The finite values, ascending (−0 stored as 0). */
  readonly sorted: Float64Array;
  /** Values that were NaN or ±Infinity. */
  readonly missing: number;
  /** Number of distinct finite values. */
  readonly distinct: number;
  /** Mean of the finite values. */
  readonly mean: number;
  /** Population standard deviation (ddof 0) of the finite values, as `numpy.std`. */
  readonly std: number;
}

/** One categorical feature's rows per category. */
export interface CategoricalSample {
  readonly kind: "categorical";
  /** Rows per category, by category index. */
  readonly counts: Float64Array;
  /** Non-missing rows (the sum of `counts`). */
  readonly total: number;
  /** Rows with no category. */
  readonly missing: number;
}

/** A sample of either kind. */
export type DriftSample = NumericSample | CategoricalSample;

/**
 * Prepare a numeric column for the drift tests: drop missing values (NaN, ±Infinity), sort the
 * rest, count distinct values, and compute mean and standard deviation. O(n) memory, one sort.
 *
 * @example
 * const s = numericSample(Float64Array.from([3, NaN, 1, 2, 2]));
 * s.sorted;   // Float64Array [1, 2, 2, 3]
 * s.missing;  // 1
 * s.distinct; // 3
 */
export function numericSample(values: ArrayLike<number>): NumericSample {
  const n = values.length;
  let finite = 0;
  for (let i = 0; i < n; i++) if (Number.isFinite(values[i]!)) finite++;
  const sorted = new Float64Array(finite);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    // + 0 turns −0 into +0, so the two compare and count as one value everywhere.
    if (Number.isFinite(v)) sorted[k++] = v + 0;
  }
  sortFloat64(sorted);
  let distinct = finite > 0 ? 1 : 0;
  for (let i = 1; i < finite; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  const mean = finite > 0 ? neumaierSum(sorted) / finite : NaN;
  let ss = 0;
  for (let i = 0; i < finite; i++) {
    const d = sorted[i]! - mean;
    ss += d * d;
  }
  return { kind: "numeric", sorted, missing: n - finite, distinct, mean, std: Math.sqrt(ss / finite) };
}

/** Compensated (Neumaier) sum: error independent of length, so a million values sum exactly enough. */
export function neumaierSum(values: ArrayLike<number>): number {
  let sum = 0;
  let c = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const t = sum + v;
    c += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
  }
  return sum + c;
}

/**
 * A categorical sample from counts per category (index = category) and a missing count.
 *
 * @throws SluiceError E_DRIFT_TEST when a count is negative, fractional or not finite.
 * @example
 * const reference = categoricalSample([120, 80, 0]);
 * const current = categoricalSample([30, 50, 0, 20], 4); // a fourth category appeared, 4 rows had none
 */
export function categoricalSample(counts: ArrayLike<number>, missing = 0): CategoricalSample {
  const out = new Float64Array(counts.length);
  let total = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (!(Number.isInteger(c) && c >= 0))
      throw new SluiceError(
        "E_DRIFT_TEST",
        `Category counts must be whole numbers ≥ 0: count ${i} is ${String(c)}.`,
        { details: { index: i, count: c }, hint: "Pass the number of rows in each category." },
      );
    out[i] = c;
    total += c;
  }
  if (!(Number.isInteger(missing) && missing >= 0))
    throw new SluiceError(
      "E_DRIFT_TEST",
      `The missing count must be a whole number ≥ 0, got ${String(missing)}.`,
      {
        details: { missing },
      },
    );
  return { kind: "categorical", counts: out, total, missing };
}

/**
 * A categorical sample from category codes (a Frame's categorical column: `Int32Array` codes,
 * negative = missing).
 *
 * @throws SluiceError E_DRIFT_TEST when a code is not below `categories`.
 * @example
 * categoricalSampleFromCodes(Int32Array.from([0, 1, 1, -1, 2]), 3); // counts [1, 2, 1], missing 1
 */
export function categoricalSampleFromCodes(codes: ArrayLike<number>, categories: number): CategoricalSample {
  const counts = new Float64Array(categories);
  let missing = 0;
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c < 0) missing++;
    else if (c < categories) counts[c]!++;
    else
      throw new SluiceError(
        "E_DRIFT_TEST",
        `Category code ${c} at row ${i} is not below the number of categories (${categories}).`,
        { details: { row: i, code: c, categories }, hint: "Pass the size of the column's dictionary." },
      );
  }
  return { kind: "categorical", counts, total: codes.length - missing, missing };
}

/** Two categorical samples over one shared category order, from {@link alignCategories}. */
export interface AlignedCategories {
  /** The reference's categories in its order, then categories only the current data has. */
  readonly labels: string[];
  readonly reference: CategoricalSample;
  readonly current: CategoricalSample;
}

/** Labels and counts of one side, for {@link alignCategories}. */
export interface LabelledCounts {
  readonly labels: readonly string[];
  readonly counts: ArrayLike<number>;
  readonly missing?: number;
}

/**
 * Put two samples' categories in one order, matching by label: the reference's labels first,
 * then labels seen only in the current data.
 *
 * @example
 * const { labels, reference, current } = alignCategories(
 *   { labels: ["M", "F"], counts: [60, 40] },
 *   { labels: ["F", "M", "X"], counts: [10, 12, 3] },
 * );
 * labels;         // ["M", "F", "X"]
 * current.counts; // Float64Array [12, 10, 3]
 */
export function alignCategories(reference: LabelledCounts, current: LabelledCounts): AlignedCategories {
  const index = new Map<string, number>();
  const labels: string[] = [];
  for (const l of reference.labels) {
    if (!index.has(l)) {
      index.set(l, labels.length);
      labels.push(l);
    }
  }
  for (const l of current.labels) {
    if (!index.has(l)) {
      index.set(l, labels.length);
      labels.push(l);
    }
  }
  const gather = (side: LabelledCounts, name: string): CategoricalSample => {
    if (side.labels.length !== side.counts.length)
      throw new SluiceError(
        "E_DRIFT_TEST",
        `The ${name} has ${side.labels.length} labels but ${side.counts.length} counts.`,
        { details: { labels: side.labels.length, counts: side.counts.length } },
      );
    const counts = new Float64Array(labels.length);
    for (let i = 0; i < side.labels.length; i++) counts[index.get(side.labels[i]!)!]! += side.counts[i]!;
    return categoricalSample(counts, side.missing ?? 0);
  };
  return { labels, reference: gather(reference, "reference"), current: gather(current, "current data") };
}
