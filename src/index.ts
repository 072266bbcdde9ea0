/**
 * Sluice: MLOps for tabular machine learning in TypeScript.
 *
 * Every CLI verb is a typed function here first:
 *
 * @example
 * import { loadProject, runProject, validateProject } from "sluice";
 * const project = loadProject("examples/churn");
 * const { summary } = await runProject(project);
 * summary.training?.winner; // the chosen candidate
 */
export * from "./errors.js";
export { SLUICE_VERSION } from "./version.js";
export * from "./project/index.js";
export * from "./data/index.js";
export {
  writeExample,
  generateExampleCsv,
  exampleProjectYaml,
  exampleDataFile,
  EXAMPLES,
  type ExampleName,
  type ExampleOptions,
} from "./data/examples/index.js";
export * from "./validate/index.js";
export * from "./features/index.js";
export * from "./models/index.js";
export * from "./tune/index.js";
export * from "./evaluate/index.js";
export * from "./monitor/index.js";
export * from "./track/index.js";
export * from "./pipeline/index.js";
export { buildApp, type AppOptions, type ApiKeys } from "./serve/app.js";
export {
  createModelHolder,
  checkLoadedModel,
  DEFAULT_POLL_MS,
  type ModelHolderOptions,
} from "./serve/holder.js";
export { createServeMetrics } from "./serve/metrics.js";
export { startServer, parseApiKeys, type StartServerOptions, type RunningServer } from "./serve/server.js";
export { createPredictionLog } from "./serve/prediction-log.js";
export { startDriftGauges, type DriftGauges, type DriftGaugesOptions } from "./serve/drift-gauges.js";
export { parseFeedbackBody, type FeedbackRecorder } from "./serve/feedback.js";
export type * from "./serve/types.js";
export { predictFile } from "./pipeline/predict-batch.js";
export { silentProgress, type Progress, type ProgressStep } from "./util/progress.js";
