/**
 * Drift monitoring: the reference stored with each model, monitoring data from the prediction
 * log or a batch file, drift per feature and for the prediction (the statistics in `stats/`),
 * severity, live quality, alerts, Prometheus gauges and the report. The job that strings them
 * together (`monitorProject`) is in src/pipeline/monitor.ts.
 */
export * from "./stats/index.js";
export {
  loadReference,
  parseReference,
  MonitorReferenceSchema,
  PREDICTION_COLUMN,
  REFERENCE_FORMAT_VERSION,
  type MonitorReference,
  type ReferenceColumn,
} from "./reference.js";
export {
  buildReference,
  inputImportance,
  DEFAULT_REFERENCE_ROWS,
  type BuildReferenceInput,
} from "./reference-build.js";
export { referenceData, windowData, type MonitorColumn, type MonitorData, type WindowShape } from "./data.js";
export { fileData, type FileDataInput } from "./file.js";
export {
  measureDrift,
  measureColumn,
  DRIFT_REPORT_FORMAT_VERSION,
  type DriftPlotData,
  type DriftResult,
  type FeatureDrift,
  type MeasureOptions,
  type UntestedStatus,
} from "./measure.js";
export { gradeSeverity, severityRank, type SeverityGrade, type SeverityInput } from "./severity.js";
export { liveQuality, type LiveQuality, type QualityTarget } from "./quality.js";
export { sendAlert, type AlertBody, type AlertOptions, type AlertOutcome } from "./alerts.js";
export { driftGaugeSamples, pushGauges, toExposition, DRIFT_GAUGES, type GaugeSample } from "./gauges.js";
export { renderMonitorHtml, distributionPlot, type MonitorReport, type RetrainOutcome } from "./report.js";
