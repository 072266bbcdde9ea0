/**
 * The statistics of drift monitoring: per-feature drift tests chosen and computed as Evidently
 * 0.4 does by default (Kolmogorov–Smirnov, chi-square and Z tests for small references;
 * normalised Wasserstein and Jensen–Shannon distances for large ones), PSI and Hellinger by
 * name, with p-values as SciPy 1.10 computes them, plus the histograms and category shares a
 * report draws.
 */

export {
  alignCategories,
  categoricalSample,
  categoricalSampleFromCodes,
  numericSample,
  type AlignedCategories,
  type CategoricalSample,
  type DriftSample,
  type LabelledCounts,
  type NumericSample,
} from "./sample.js";
export {
  DRIFT_METHODS,
  DRIFT_METHOD_NAMES,
  isDriftMethod,
  parseDriftMethod,
  type DriftMethodInfo,
  type DriftMethodName,
  type DriftScoreKind,
} from "./methods.js";
export {
  chooseDriftTest,
  LOW_CARDINALITY_MAX_VALUES,
  SMALL_REFERENCE_MAX_ROWS,
  type DriftTestChoice,
  type DriftTestChoiceInput,
} from "./choose.js";
export {
  driftTest,
  WASSERSTEIN_MIN_SCALE,
  type DistanceDriftResult,
  type DriftTestInfo,
  type DriftTestOptions,
  type DriftTestResult,
  type NumericInput,
  type PValueDriftResult,
} from "./drift.js";
export {
  categoryShares,
  numericHistogram,
  type CategoryShare,
  type HistogramBins,
  type NumericHistogram,
} from "./report.js";
export { ksTwoSample, KS_MAX_EXACT_N, type KsTwoSampleResult } from "./ks.js";
export {
  hellingerCategorical,
  hellingerNumeric,
  jensenShannonDistance,
  populationStabilityIndex,
  wassersteinDistance,
} from "./distances.js";
export { chiSquareTest, proportionsZTest, type ChiSquareResult, type ZTestResult } from "./count-tests.js";
export { chi2Sf, normalSf } from "./special.js";
export { kolmogorovSf } from "./kolmogorov.js";
