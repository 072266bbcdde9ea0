/**
 * Fitting a categorical feature's vocabulary: imputation, then the kept categories (at most
 * `maxCategories`, each seen at least `minCount` times, most frequent first with ties in
 * code-point order) and the "other" bucket for the rest.
 *
 * Unlike scikit-learn's OneHotEncoder, `max_categories` counts kept categories only; the
 * other bucket is one more output.
 */
import { compareCodePoints } from "../data/frame.js";
import type { FittedCategorical } from "./fitted.js";

export interface VocabularyOptions {
  impute: "most_frequent" | "constant";
  fillValue: string;
  maxCategories: number;
  minCount: number;
}

/** The minimum count for `min_frequency` (a count ≥ 1, or a share < 1 of `rows`). */
export function minCountOf(minFrequency: number | undefined, rows: number): number {
  if (minFrequency === undefined) return 0;
  return minFrequency >= 1 ? Math.ceil(minFrequency) : Math.ceil(minFrequency * rows);
}

/**
 * Fit one categorical feature from its training counts (missing values not included).
 *
 * @param counts category → number of training rows holding it.
 */
export function fitVocabulary(
  name: string,
  counts: ReadonlyMap<string, number>,
  missing: number,
  options: VocabularyOptions,
): FittedCategorical {
  const byRank = [...counts.entries()]
    .filter(([, c]) => c > 0)
    .sort((a, b) => b[1] - a[1] || compareCodePoints(a[0], b[0]));
  const fill = options.impute === "constant" || byRank.length === 0 ? options.fillValue : byRank[0]![0];
  const imputed = new Map(byRank);
  if (missing > 0) imputed.set(fill, (imputed.get(fill) ?? 0) + missing);
  const ranked = [...imputed.entries()].sort((a, b) => b[1] - a[1] || compareCodePoints(a[0], b[0]));
  const kept: { value: string; count: number }[] = [];
  let otherCategories = 0;
  let otherCount = 0;
  for (const [value, count] of ranked) {
    if (kept.length < options.maxCategories && count >= options.minCount) kept.push({ value, count });
    else {
      otherCategories++;
      otherCount += count;
    }
  }
  return {
    name,
    fill,
    missing,
    kept,
    other: otherCategories === 0 ? null : { categories: otherCategories, count: otherCount },
  };
}
