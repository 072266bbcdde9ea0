/**
 * One drift test on one feature: {@link driftTest} takes a method name (or "auto" for
 * Evidently's default choice), the reference and current samples, and returns a plain result
 * object with the statistic, the p-value or distance compared with the threshold, the verdict,
 * and the counts behind it.
 */

import { SluiceError } from "../../errors.js";
import { count } from "../../util/text.js";
import { binnedShares, presentCategories, unionDistinct, valueBuckets } from "./binning.js";
import { chooseDriftTest } from "./choose.js";
import { chiSquareTest, proportionsZTest } from "./count-tests.js";
import {
  hellingerCategorical,
  hellingerNumeric,
  jensenShannonDistance,
  populationStabilityIndex,
  wassersteinDistance,
} from "./distances.js";
import { ksTwoSample } from "./ks.js";
import { DRIFT_METHODS, isDrift, parseDriftMethod, type DriftMethodName } from "./methods.js";
import { numericSample, type CategoricalSample, type DriftSample, type NumericSample } from "./sample.js";

/** Evidently's floor on the reference standard deviation that scales the Wasserstein distance. */
export const WASSERSTEIN_MIN_SCALE = 0.001;

/** Options of {@link driftTest}. */
export interface DriftTestOptions {
  /** Replaces the method's default threshold (a p-value level, or a distance). */
  readonly threshold?: number;
}

/** Method-specific facts behind a result. */
export interface DriftTestInfo {
  /** ks: whether the p-value is exact or from the asymptotic distribution (as SciPy chose). */
  readonly pMethod?: "exact" | "asymptotic";
  /** chisquare: degrees of freedom (buckets − 1). */
  readonly degreesOfFreedom?: number;
  /** chisquare, psi, jensenshannon, hellinger: number of buckets compared. */
  readonly buckets?: number;
  /** psi, jensenshannon: Sturges bins over both samples, or one bucket per value/category. */
  readonly binning?: "sturges" | "values";
  /** wasserstein: the distance before scaling. */
  readonly distance?: number;
  /** wasserstein: what it was divided by, max(std of the reference, 0.001). */
  readonly scale?: number;
}

interface DriftTestResultBase {
  readonly method: DriftMethodName;
  /** Evidently's display name of the method, e.g. "K-S p_value". */
  readonly label: string;
  /**
   * The test statistic: KS D, χ², z, the scaled Wasserstein distance, or the distance itself
   * for Jensen–Shannon, PSI and Hellinger. Infinite for chi-square when the current data has a
   * category the reference never had.
   */
  readonly statistic: number;
  /** The number compared with the threshold (Evidently's `drift_score`): the p-value or the distance. */
  readonly score: number;
  readonly threshold: number;
  readonly drifted: boolean;
  /** Non-missing rows used from the reference. */
  readonly referenceCount: number;
  /** Non-missing rows used from the current data. */
  readonly currentCount: number;
  /** Reference rows left out as missing (NaN, ±Infinity, or no category). */
  readonly referenceMissing: number;
  /** Current rows left out as missing. */
  readonly currentMissing: number;
  /** Why this method, when it was chosen with "auto". */
  readonly reason?: string;
  readonly info: DriftTestInfo;
}

/** A test that yields a p-value: drift when it is small. */
export interface PValueDriftResult extends DriftTestResultBase {
  readonly kind: "p_value";
  readonly pValue: number;
}

/** A test that yields a distance: drift when it is large. */
export interface DistanceDriftResult extends DriftTestResultBase {
  readonly kind: "distance";
}

/** The result of one drift test. */
export type DriftTestResult = PValueDriftResult | DistanceDriftResult;

/** Numeric data for {@link driftTest}: raw values (NaN and ±Infinity are missing) or a prepared sample. */
export type NumericInput = ArrayLike<number> | NumericSample;

function isSample(x: NumericInput | CategoricalSample): x is DriftSample {
  return !ArrayBuffer.isView(x) && !Array.isArray(x) && typeof (x as { kind?: unknown }).kind === "string";
}

function rowsOf(s: DriftSample): number {
  return s.kind === "numeric" ? s.sorted.length : s.total;
}

/**
 * Run one drift test on one feature, by Evidently's method name or "auto" (Evidently's
 * default choice: see {@link chooseDriftTest}).
 *
 * Numeric features take raw values (`Float64Array`, NaN and ±Infinity missing) or samples
 * prepared once with {@link numericSample}; categorical features take counts per category
 * ({@link categoricalSample}), in the same category order on both sides.
 *
 * @throws SluiceError E_DRIFT_TEST when the test cannot be computed: an unknown method (with a
 *   "did you mean"), a side with no non-missing value, a method that does not take this kind
 *   of feature, reference and current of different kinds, or a threshold that is not a number.
 * @example
 * const reference = numericSample(trainingAges); // once, reused for every window
 * const result = driftTest("auto", reference, windowAges);
 * // { method: "wasserstein", kind: "distance", statistic: …, score: …, threshold: 0.1, drifted: …,
 * //   referenceCount: 50000, currentCount: 997, referenceMissing: 0, currentMissing: 3,
 * //   reason: "numeric feature with 73 distinct values (> 5), reference of 50,000 rows (> 1,000): normalised Wasserstein distance",
 * //   info: { distance: …, scale: … } }
 * driftTest("chisquare", categoricalSample([120, 80]), categoricalSample([30, 50, 20]));
 * // statistic Infinity, pValue 0, drifted: true — the third category is new
 */
export function driftTest(
  method: DriftMethodName | "auto",
  reference: NumericInput,
  current: NumericInput,
  options?: DriftTestOptions,
): DriftTestResult;
export function driftTest(
  method: DriftMethodName | "auto",
  reference: CategoricalSample,
  current: CategoricalSample,
  options?: DriftTestOptions,
): DriftTestResult;
export function driftTest(
  method: DriftMethodName | "auto",
  reference: NumericInput | CategoricalSample,
  current: NumericInput | CategoricalSample,
  options: DriftTestOptions = {},
): DriftTestResult {
  const requested = parseDriftMethod(method);
  const ref: DriftSample = isSample(reference) ? reference : numericSample(reference);
  const cur: DriftSample = isSample(current) ? current : numericSample(current);
  if (ref.kind !== cur.kind)
    throw new SluiceError(
      "E_DRIFT_TEST",
      `The reference is ${ref.kind} but the current data is ${cur.kind}: a drift test compares one kind of feature.`,
      { details: { reference: ref.kind, current: cur.kind } },
    );
  checkRows(requested, ref, "reference");
  checkRows(requested, cur, "current data");

  let name: DriftMethodName;
  let reason: string | undefined;
  if (requested === "auto") {
    const distinctValues =
      ref.kind === "numeric"
        ? unionDistinct(ref.sorted, (cur as NumericSample).sorted)
        : presentCategories(ref, cur as CategoricalSample).index.length;
    const choice = chooseDriftTest({ kind: ref.kind, referenceRows: rowsOf(ref), distinctValues });
    name = choice.method;
    reason = choice.reason;
  } else {
    name = requested;
  }
  const info = DRIFT_METHODS[name];
  if (!info.features.includes(ref.kind)) {
    const fits = Object.values(DRIFT_METHODS)
      .filter((m) => m.features.includes(ref.kind))
      .map((m) => m.name);
    throw new SluiceError(
      "E_DRIFT_TEST",
      `The ${name} test takes numeric features only; this feature is ${ref.kind}.`,
      {
        details: { method: name, kind: ref.kind },
        hint: `For ${ref.kind} features use ${fits.join(", ")}.`,
      },
    );
  }
  const threshold = options.threshold ?? info.threshold;
  if (!Number.isFinite(threshold) || threshold < 0)
    throw new SluiceError(
      "E_DRIFT_TEST",
      `The ${name} threshold must be a finite number ≥ 0, got ${String(threshold)}.`,
      {
        details: { method: name, threshold },
        hint: `Leave it out for Evidently's default (${info.threshold}).`,
      },
    );

  const computed = compute(name, ref, cur);
  const score = info.kind === "p_value" ? computed.pValue! : computed.statistic;
  const base = {
    method: name,
    label: info.label,
    statistic: computed.statistic,
    score,
    threshold,
    drifted: isDrift(info, score, threshold),
    referenceCount: rowsOf(ref),
    currentCount: rowsOf(cur),
    referenceMissing: ref.missing,
    currentMissing: cur.missing,
    ...(reason === undefined ? {} : { reason }),
    info: computed.info,
  };
  return info.kind === "p_value"
    ? { ...base, kind: "p_value", pValue: score }
    : { ...base, kind: "distance" };
}

function checkRows(
  method: DriftMethodName | "auto",
  s: DriftSample,
  side: "reference" | "current data",
): void {
  const rows = rowsOf(s);
  if (rows >= 1) return;
  const all = rows + s.missing;
  const why = all === 0 ? "it is empty" : `all ${count(all)} ${all === 1 ? "row is" : "rows are"} missing`;
  const test = method === "auto" ? "A drift test" : `The ${method} test`;
  throw new SluiceError(
    "E_DRIFT_TEST",
    `${test} needs at least 1 non-missing value in the ${side}, got 0 (${why}).`,
    {
      details: {
        method,
        side: side === "reference" ? "reference" : "current",
        needed: 1,
        got: 0,
        missing: s.missing,
      },
      hint:
        side === "reference"
          ? "Check that the reference holds values for this feature."
          : "Check that the window holds values for this feature, or leave the feature out of the drift check.",
    },
  );
}

interface Computed {
  statistic: number;
  pValue?: number;
  info: DriftTestInfo;
}

function compute(name: DriftMethodName, ref: DriftSample, cur: DriftSample): Computed {
  switch (name) {
    case "ks": {
      const r = ksTwoSample((ref as NumericSample).sorted, (cur as NumericSample).sorted);
      return { statistic: r.statistic, pValue: r.pValue, info: { pMethod: r.pMethod } };
    }
    case "wasserstein": {
      const a = ref as NumericSample;
      const distance = wassersteinDistance(a.sorted, (cur as NumericSample).sorted);
      const scale = Math.max(a.std, WASSERSTEIN_MIN_SCALE);
      return { statistic: distance / scale, info: { distance, scale } };
    }
    case "chisquare": {
      const b =
        ref.kind === "numeric"
          ? valueBuckets(ref.sorted, (cur as NumericSample).sorted)
          : presentCategories(ref, cur as CategoricalSample);
      const r = chiSquareTest(b.reference, b.current);
      return {
        statistic: r.statistic,
        pValue: r.pValue,
        info: { degreesOfFreedom: r.degreesOfFreedom, buckets: b.reference.length },
      };
    }
    case "z": {
      const r = zTest(ref, cur);
      return { statistic: r.statistic, pValue: r.pValue, info: {} };
    }
    case "jensenshannon":
    case "psi": {
      const b = binnedShares(ref, cur, name === "psi");
      const statistic =
        name === "psi"
          ? populationStabilityIndex(b.reference, b.current)
          : jensenShannonDistance(b.reference, b.current);
      return { statistic, info: { buckets: b.reference.length, binning: b.binning } };
    }
    case "hellinger": {
      const statistic =
        ref.kind === "numeric"
          ? hellingerNumeric(ref, cur as NumericSample)
          : hellingerCategorical(ref, cur as CategoricalSample);
      return { statistic, info: {} };
    }
  }
}

/** The Z test's first bucket: the smallest value of either sample, or the first category present. */
function zTest(ref: DriftSample, cur: DriftSample): { statistic: number; pValue: number } {
  if (ref.kind === "numeric") {
    const a = ref.sorted;
    const b = (cur as NumericSample).sorted;
    const first = Math.min(a[0]!, b[0]!);
    return proportionsZTest(countEqualPrefix(a, first), a.length, countEqualPrefix(b, first), b.length);
  }
  const c = cur as CategoricalSample;
  const p = presentCategories(ref, c);
  return proportionsZTest(p.reference[0]!, ref.total, p.current[0]!, c.total);
}

function countEqualPrefix(sorted: Float64Array, v: number): number {
  let k = 0;
  while (k < sorted.length && sorted[k] === v) k++;
  return k;
}
