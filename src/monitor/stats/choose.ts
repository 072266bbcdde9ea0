/**
 * Which drift test a feature gets by default: Evidently 0.4's `_get_default_stattest`, so a
 * user who runs both sees the same test, threshold and verdict per feature.
 *
 * | reference rows | feature | distinct values (both samples) | test |
 * | --- | --- | --- | --- |
 * | ≤ 1000 | numeric | > 5 | Kolmogorov–Smirnov (p-value) |
 * | ≤ 1000 | numeric or categorical | 3 … 5 numeric, ≥ 3 categorical | chi-square (p-value) |
 * | ≤ 1000 | numeric or categorical | ≤ 2 | Z test of proportions (p-value) |
 * | > 1000 | numeric | > 5 | Wasserstein distance / std of the reference |
 * | > 1000 | numeric ≤ 5, or categorical | any | Jensen–Shannon distance |
 */

import { SluiceError } from "../../errors.js";
import { count } from "../../util/text.js";
import { DRIFT_METHODS, type DriftMethodName, type DriftScoreKind } from "./methods.js";

/** Reference sizes up to this get p-value tests; larger ones get distances. */
export const SMALL_REFERENCE_MAX_ROWS = 1000;
/** Numbers with up to this many distinct values are treated like categories. */
export const LOW_CARDINALITY_MAX_VALUES = 5;

/** What the default choice depends on. */
export interface DriftTestChoiceInput {
  readonly kind: "numeric" | "categorical";
  /** Non-missing rows in the reference. */
  readonly referenceRows: number;
  /** Distinct non-missing values (or categories) over reference and current together, as Evidently counts them. */
  readonly distinctValues: number;
}

/** The default test for a feature, and why. */
export interface DriftTestChoice {
  readonly method: DriftMethodName;
  readonly threshold: number;
  readonly kind: DriftScoreKind;
  /** One sentence a report can show next to the result. */
  readonly reason: string;
}

/**
 * The drift test Evidently would pick by default for a feature.
 *
 * @throws SluiceError E_DRIFT_TEST when the reference is empty or the counts are not whole numbers.
 * @example
 * chooseDriftTest({ kind: "numeric", referenceRows: 50000, distinctValues: 4812 });
 * // { method: "wasserstein", threshold: 0.1, kind: "distance",
 * //   reason: "numeric feature with 4,812 distinct values (> 5), reference of 50,000 rows (> 1,000): normalised Wasserstein distance" }
 */
export function chooseDriftTest(input: DriftTestChoiceInput): DriftTestChoice {
  const { kind, referenceRows, distinctValues } = input;
  if (!(Number.isInteger(referenceRows) && referenceRows >= 1))
    throw new SluiceError(
      "E_DRIFT_TEST",
      `A drift test needs at least 1 non-missing reference row, got ${String(referenceRows)}.`,
      { details: { referenceRows }, hint: "Check that the reference holds values for this feature." },
    );
  if (!(Number.isInteger(distinctValues) && distinctValues >= 1))
    throw new SluiceError(
      "E_DRIFT_TEST",
      `The number of distinct values must be a whole number ≥ 1, got ${String(distinctValues)}.`,
      { details: { distinctValues } },
    );
  const small = referenceRows <= SMALL_REFERENCE_MAX_ROWS;
  const rows = `reference of ${count(referenceRows)} rows (${small ? "≤" : ">"} ${count(SMALL_REFERENCE_MAX_ROWS)})`;
  const values = `${count(distinctValues)} distinct ${distinctValues === 1 ? "value" : "values"}`;
  let method: DriftMethodName;
  let why: string;
  if (kind === "numeric" && distinctValues > LOW_CARDINALITY_MAX_VALUES) {
    method = small ? "ks" : "wasserstein";
    why = `numeric feature with ${values} (> ${LOW_CARDINALITY_MAX_VALUES}), ${rows}`;
  } else {
    const categories = `${count(distinctValues)} ${distinctValues === 1 ? "category" : "categories"}`;
    const feature =
      kind === "numeric"
        ? `numeric feature with only ${values} (≤ ${LOW_CARDINALITY_MAX_VALUES})`
        : `categorical feature with ${categories}`;
    if (!small) method = "jensenshannon";
    else method = distinctValues > 2 ? "chisquare" : "z";
    why = `${feature}, ${rows}`;
  }
  const info = DRIFT_METHODS[method];
  return { method, threshold: info.threshold, kind: info.kind, reason: `${why}: ${TEST_NAMES[method]}` };
}

const TEST_NAMES: Readonly<Record<DriftMethodName, string>> = {
  ks: "two-sample Kolmogorov–Smirnov test",
  chisquare: "chi-square test",
  z: "Z test of proportions",
  wasserstein: "normalised Wasserstein distance",
  jensenshannon: "Jensen–Shannon distance",
  psi: "population stability index",
  hellinger: "Hellinger distance",
};
