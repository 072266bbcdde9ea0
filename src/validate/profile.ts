/**
 * `profileFrame`: the statistical profile of a frame (counts, quantiles, histograms, top values).
 * It is shown in the validation report and stored with every model as the drift reference.
 *
 * Each numeric column is profiled from one sorted copy of its present values (a native typed
 * array sort): min, max, quantiles and the distinct count read straight off it.
 */
import type { CategoricalColumn, Column, Frame, NumericColumn, TextColumn } from "../data/frame.js";
import { SluiceError } from "../errors.js";
import { SLUICE_VERSION } from "../version.js";
import {
  DATA_PROFILE_FORMAT,
  DISTINCT_CAP,
  PROFILE_QUANTILES,
  type CategoricalProfile,
  type ColumnProfile,
  type DataProfile,
  type NumericProfile,
  type TextProfile,
} from "./profile-schema.js";
import {
  codePointLength,
  distinctSorted,
  histogram,
  meanStd,
  quantileSorted,
  sortedPresent,
} from "./stats.js";

export interface ProfileOptions {
  /** Profile only these columns (in this order). Default: every column. */
  columns?: readonly string[];
  /** Histogram bins of numeric columns. Default 20. */
  bins?: number;
  /** Most frequent values kept for categorical columns. Default 20. */
  topK?: number;
}

const TEXT_EXAMPLES = 5;

/** JSON has no NaN: a statistic that does not exist is null. */
function orNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Profile one numeric column. */
export function profileNumeric(c: NumericColumn, bins: number): NumericProfile {
  const sorted = sortedPresent(c.values);
  const n = sorted.length;
  let zeros = 0;
  for (let i = 0; i < n; i++) if (sorted[i] === 0) zeros++;
  const { mean, std } = meanStd(sorted);
  const distinct = distinctSorted(sorted, DISTINCT_CAP);
  let hist: NumericProfile["histogram"] = null;
  if (n > 0) {
    const h = histogram(sorted, sorted[0]!, sorted[n - 1]!, bins);
    hist = { edges: Array.from(h.edges), counts: Array.from(h.counts) };
  }
  return {
    name: c.name,
    kind: "numeric",
    dtype: c.dtype,
    count: n,
    missing: c.values.length - n,
    invalid: c.invalid.size,
    min: n > 0 ? sorted[0]! : null,
    max: n > 0 ? sorted[n - 1]! : null,
    mean: orNull(mean),
    std: orNull(std),
    zeros,
    distinct: { count: Math.min(distinct, DISTINCT_CAP), capped: distinct > DISTINCT_CAP },
    quantiles: n === 0 ? [] : PROFILE_QUANTILES.map((q) => ({ q, value: quantileSorted(sorted, q) })),
    histogram: hist,
  };
}

/** Profile one categorical column. */
export function profileCategorical(c: CategoricalColumn, topK: number): CategoricalProfile {
  const counts = new Float64Array(c.dictionary.length);
  let missing = 0;
  for (let i = 0; i < c.codes.length; i++) {
    const code = c.codes[i]!;
    if (code < 0) missing++;
    else counts[code]!++;
  }
  const present = c.codes.length - missing;
  const used: number[] = [];
  for (let g = 0; g < counts.length; g++) if (counts[g]! > 0) used.push(g);
  // Ties by code, which is code-point order of the values: the same data gives the same list.
  used.sort((a, b) => counts[b]! - counts[a]! || a - b);
  const top = used
    .slice(0, topK)
    .map((g) => ({ value: c.dictionary[g]!, count: counts[g]!, fraction: counts[g]! / present }));
  let inTop = 0;
  for (const t of top) inTop += t.count;
  return {
    name: c.name,
    kind: "categorical",
    count: present,
    missing,
    distinct: { count: used.length, capped: false },
    top,
    otherCount: present - inTop,
  };
}

/** Profile one text column. */
export function profileText(c: TextColumn): TextProfile {
  const seen = new Set<string>();
  let capped = false;
  let missing = 0;
  let minLength = Infinity;
  let maxLength = -Infinity;
  const examples: string[] = [];
  for (let i = 0; i < c.values.length; i++) {
    const v = c.values[i];
    if (v === null || v === undefined) {
      missing++;
      continue;
    }
    const len = codePointLength(v);
    if (len < minLength) minLength = len;
    if (len > maxLength) maxLength = len;
    if (!capped && !seen.has(v)) {
      if (examples.length < TEXT_EXAMPLES) examples.push(v);
      if (seen.size === DISTINCT_CAP) capped = true;
      else seen.add(v);
    }
  }
  const present = c.values.length - missing;
  return {
    name: c.name,
    kind: "text",
    count: present,
    missing,
    distinct: { count: seen.size, capped },
    minLength: present > 0 ? minLength : null,
    maxLength: present > 0 ? maxLength : null,
    examples,
  };
}

/** Profile one column of any kind. */
export function profileColumn(c: Column, options: { bins?: number; topK?: number } = {}): ColumnProfile {
  if (c.kind === "numeric") return profileNumeric(c, options.bins ?? 20);
  if (c.kind === "categorical") return profileCategorical(c, options.topK ?? 20);
  return profileText(c);
}

/**
 * Profile a frame: per column, counts and missing values; for numeric columns min, max, mean,
 * sample std, quantiles, an equal-width histogram, zeros and distinct values; for categorical
 * columns the top values; for text columns distinct values, lengths and examples.
 *
 * @throws SluiceError E_COLUMN_NOT_FOUND for an unknown name in `columns`; E_USAGE for bins/topK < 1.
 * @example
 * const profile = profileFrame(frame, { bins: 20 });
 * const age = profile.columns.find((c) => c.name === "age");
 * if (age?.kind === "numeric") console.log(age.quantiles, age.histogram);
 */
export function profileFrame(frame: Frame, options: ProfileOptions = {}): DataProfile {
  const bins = options.bins ?? 20;
  const topK = options.topK ?? 20;
  if (!(Number.isInteger(bins) && bins >= 1))
    throw new SluiceError("E_USAGE", `profile bins must be an integer ≥ 1, got ${bins}`, {
      details: { bins },
    });
  if (!(Number.isInteger(topK) && topK >= 1))
    throw new SluiceError("E_USAGE", `profile topK must be an integer ≥ 1, got ${topK}`, {
      details: { topK },
    });
  const names = options.columns ?? frame.names;
  return {
    formatVersion: DATA_PROFILE_FORMAT,
    sluiceVersion: SLUICE_VERSION,
    rows: frame.nRows,
    columns: names.map((name) => profileColumn(frame.column(name), { bins, topK })),
  };
}

/** The profile of column `name`, or undefined. */
export function columnProfile(profile: DataProfile, name: string): ColumnProfile | undefined {
  return profile.columns.find((c) => c.name === name);
}
