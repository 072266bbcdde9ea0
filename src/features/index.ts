/**
 * Feature engineering: `FeatureSpec` → {@link fitFeatures} → {@link FittedFeatures} (plain,
 * versioned JSON) → {@link transform} a frame or {@link transformRecord} one request, with
 * bit-identical results on both paths.
 */
export { fitFeatures, OTHER_CATEGORY, type FitContext } from "./fit.js";
export { transform, transformRecord, checkRecord, outputNames } from "./transform.js";
export { parseFittedFeatures } from "./parse.js";
export {
  FEATURES_FORMAT_VERSION,
  FittedFeaturesSchema,
  type FittedFeatures,
  type FittedInput,
  type FittedFormula,
  type FittedNumeric,
  type FittedBinary,
  type FittedBinned,
  type FittedCategorical,
  type FittedOutput,
} from "./fitted.js";
export { featureMatrix, matrixColumn, matrixRow, type FeatureMatrix } from "./matrix.js";
export type { FieldIssue } from "./values.js";
export {
  compileFormula,
  isFormulaError,
  FUNCTIONS,
  MAX_DEPTH,
  MAX_SOURCE_LENGTH,
  MAX_TOKENS,
  type CompiledFormula,
  type CompileOptions,
  type FormulaColumn,
  type FormulaColumns,
  type FormulaBinding,
  type Evaluator,
  type Expr,
} from "./formula/index.js";
export { chooseColumns, type ColumnChoice } from "./columns.js";
