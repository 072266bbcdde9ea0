/**
 * Data validation: schema checks, file checks, leakage, the data profile (the drift reference),
 * quarantine of failing rows, schema inference, and the report as JSON, HTML and terminal text.
 */
export { validateFrame, type ValidateOptions } from "./validate.js";
export { quarantineRows, type QuarantineResult } from "./quarantine.js";
export { writeQuarantineCsv } from "./quarantine-csv.js";
export { profileFrame, profileColumn, columnProfile, type ProfileOptions } from "./profile.js";
export {
  parseDataProfile,
  DataProfile as DataProfileSchema,
  DATA_PROFILE_FORMAT,
  DISTINCT_CAP,
  PROFILE_QUANTILES,
  type DataProfile,
  type ColumnProfile,
  type NumericProfile,
  type CategoricalProfile,
  type TextProfile,
  type DistinctCount,
} from "./profile-schema.js";
export { inferSchema, looksLikeIdName, MAX_INFERRED_VALUES } from "./infer.js";
export { renderValidationHtml, renderValidationSection, VALIDATION_CSS } from "./html.js";
export { summarizeValidation } from "./summary.js";
export { guessTask, ID_LIKE_DISTINCT_SHARE, ID_LIKE_MIN_ROWS } from "./leakage.js";
export { oneVsRestAuc, categoricalOneVsRestAuc, pearson, correlationRatio } from "./association.js";
export { quantileSorted, histogram, sortedPresent } from "./stats.js";
export {
  VALIDATION_REPORT_FORMAT,
  ROW_LEVEL_CHECKS,
  type CheckName,
  type CheckResult,
  type CheckExample,
  type LeakageResult,
  type ValidationReport,
} from "./types.js";
