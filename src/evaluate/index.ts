/** Evaluation: metrics, the evaluation of a model on test rows, gates, the model card and the report. */
export * from "./metrics.js";
export { aucOfGroups, averagePrecisionOfGroups, scoreGroups, type ScoreGroups } from "./ranking.js";
export type { Weights } from "./inputs.js";
export {
  evaluateModel,
  definedMetrics,
  EVALUATION_FORMAT,
  SHAP_SAMPLE_ROWS,
  type Evaluation,
  type EvaluateOptions,
  type RocCurve,
  type RocPoint,
  type PrCurve,
  type PrPoint,
  type Calibration,
  type CalibrationBin,
  type ImportanceSummary,
  type ShapSummary,
} from "./evaluation.js";
export {
  runGates,
  checkGatesConfig,
  LATENCY_CALLS,
  LATENCY_WARMUP,
  type GateContext,
  type GateRecord,
} from "./gates.js";
export { renderModelCard, type CardInput, type CardCandidate } from "./card.js";
// The report and the plots load Vega: the index exposes the report lazily, so importing the
// index never loads it. Import ./plots.js directly for single plots.
export { renderEvaluationReport, type ReportInput } from "./report-lazy.js";
