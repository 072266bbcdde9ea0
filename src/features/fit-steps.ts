/**
 * Fitting each kind of step from training values: numeric imputation and scaling, binary
 * modes, bins, and the raw category counts vocabularies are learned from.
 */
import type { Column } from "../data/frame.js";
import type { BinnedFeature, NumericFeatures } from "../project/schema.js";
import { binCount, binLabels, learnEdges } from "./bins.js";
import type { FittedBinary, FittedBinned, FittedNumeric } from "./fitted.js";
import { binIndex } from "./kernel.js";
import {
  medianPresent,
  medianSorted,
  meanPresent,
  modeSorted,
  populationStd,
  quantileSorted,
  sortedPresent,
} from "./stats.js";
import { numberToCategory } from "./values.js";

/** Fit imputation and scaling of one numeric feature from its training values (NaN = missing). */
export function fitNumeric(
  name: string,
  from: "input" | "derived",
  values: Float64Array,
  options: NumericFeatures,
): FittedNumeric {
  const n = values.length;
  let missing = 0;
  for (let i = 0; i < n; i++) if (values[i] !== values[i]) missing++;
  let fill: number;
  switch (options.impute) {
    case "mean":
      fill = meanPresent(values);
      break;
    case "median":
      fill = medianPresent(values);
      break;
    case "most_frequent":
      fill = modeSorted(sortedPresent(values));
      break;
    case "constant":
      fill = options.fill_value;
  }
  // A column with no value at all has nothing to impute from.
  if (!Number.isFinite(fill)) fill = options.fill_value;

  // Scalers are fitted on the imputed column, as in an imputer → scaler pipeline.
  const imputed = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    imputed[i] = v !== v ? fill : v;
  }
  let center = 0;
  let scale = 1;
  if (n > 0)
    switch (options.scale) {
      case "standard": {
        center = meanPresent(imputed);
        const first = imputed[0]!;
        let constant = true;
        for (let i = 1; i < n && constant; i++) constant = imputed[i] === first;
        const std = populationStd(imputed, center);
        scale = constant || !(std > 0) ? 1 : std;
        break;
      }
      case "minmax": {
        const sorted = imputed.sort();
        center = sorted[0]!;
        const range = sorted[n - 1]! - center;
        scale = range > 0 && Number.isFinite(range) ? range : 1;
        break;
      }
      case "robust": {
        const sorted = imputed.sort();
        center = medianSorted(sorted);
        const iqr = quantileSorted(sorted, 0.75) - quantileSorted(sorted, 0.25);
        scale = iqr > 0 && Number.isFinite(iqr) ? iqr : 1;
        break;
      }
      case "none":
        break;
    }
  return { name, from, missing, fill, center, scale, indicator: options.missing_indicator && missing > 0 };
}

/** Fit a binary formula's imputation: the training mode (ties → 0). */
export function fitBinary(name: string, values: Float64Array): FittedBinary {
  let ones = 0;
  let zeros = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === 1) ones++;
    else if (v === 0) zeros++;
  }
  return { name, fill: ones > zeros ? 1 : 0, missing: values.length - ones - zeros };
}

/** Fit a binned feature: its edges (fixed or learned), bin counts and the mode bin for missing values. */
export function fitBinned(name: string, spec: BinnedFeature, values: Float64Array): FittedBinned {
  const present = sortedPresent(values);
  const fixed = spec.edges !== undefined;
  const edges = fixed ? [...spec.edges!] : learnEdges(present, spec.bins!, spec.strategy);
  const nBins = binCount(edges);
  const interior = Float64Array.from(edges.slice(1, -1));
  const counts = new Array<number>(nBins).fill(0);
  for (let i = 0; i < present.length; i++) counts[binIndex(interior, present[i]!)]!++;
  let fill = 0;
  for (let k = 1; k < nBins; k++) if (counts[k]! > counts[fill]!) fill = k;
  const missing = values.length - present.length;
  counts[fill]! += missing;
  return {
    name,
    column: spec.column,
    strategy: fixed ? "fixed" : spec.strategy,
    edges,
    encode: spec.encode,
    labels: binLabels(edges, fixed),
    counts,
    fill,
    missing,
  };
}

/** Training counts of each category of a column (as text, numbers via `String(n)`), and the missing count. */
export function categoryCounts(col: Column): { counts: Map<string, number>; missing: number } {
  const counts = new Map<string, number>();
  let missing = 0;
  const add = (s: string | null): void => {
    if (s === null || s === "") missing++;
    else counts.set(s, (counts.get(s) ?? 0) + 1);
  };
  if (col.kind === "categorical") {
    const byCode = new Float64Array(col.dictionary.length);
    for (let i = 0; i < col.codes.length; i++) {
      const c = col.codes[i]!;
      if (c < 0) missing++;
      else byCode[c]!++;
    }
    col.dictionary.forEach((s, c) => {
      const k = byCode[c]!;
      if (k === 0) return;
      if (s === "") missing += k;
      else counts.set(s, (counts.get(s) ?? 0) + k);
    });
  } else if (col.kind === "numeric") {
    const byValue = new Map<number, number>();
    for (let i = 0; i < col.values.length; i++) {
      const v = col.values[i]!;
      byValue.set(v, (byValue.get(v) ?? 0) + 1);
    }
    for (const [v, k] of byValue) {
      const s = numberToCategory(v);
      if (s === null) missing += k;
      else counts.set(s, (counts.get(s) ?? 0) + k);
    }
  } else for (const s of col.values) add(s);
  return { counts, missing };
}
