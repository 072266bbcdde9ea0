/** The jobs the CLI runs, as library functions. */
export { loadProjectData, readProjectHeader, type LoadDataOptions } from "./data.js";
export {
  checkProject,
  checkFeaturesAgainstHeader,
  type CheckProjectOptions,
  type ProjectCheck,
} from "./check.js";
export { checkFolds, foldLimit, type FoldLimit } from "./folds.js";
export { validateProject, type ValidateProjectOptions, type ValidateProjectResult } from "./validate.js";
export { prepareData, type DataPart, type PreparedData } from "./prepare.js";
export {
  runProject,
  assertRunFinished,
  newRunId,
  type RunCandidate,
  type RunOptions,
  type RunResult,
  type RunSummary,
} from "./run.js";
export {
  trainCandidates,
  pickCandidates,
  trainReport,
  type CandidateResult,
  type TrainOptions,
  type TrainResult,
  type TrialRecord,
} from "./train.js";
export {
  initProject,
  inferTask,
  renderProjectYaml,
  schemaYamlLines,
  type InitOptions,
  type InitResult,
} from "./init.js";
export { loadBundle, loadBundleFile, localPathOf, type ModelBundle, type ServingInfo } from "./bundle.js";
export {
  openProjectStore,
  projectStoreInfo,
  promoteVersion,
  compareRuns,
  parseStage,
  parseVersion,
  type PromoteOptions,
  type RunComparison,
  type ProjectStoreInfo,
} from "./registry.js";
export {
  evaluateVersion,
  type EvaluateVersionOptions,
  type EvaluateVersionResult,
} from "./evaluate-version.js";
export { registerAndGate, productionMetrics, type RegisterInput, type RegisterResult } from "./register.js";
export { writeReports, evaluateChosen, type ReportFiles, type WriteReportsInput } from "./report.js";
export {
  openTracking,
  logTraining,
  publishArtifact,
  actor,
  type Tracking,
  type OpenTrackingOptions,
} from "./tracking.js";
export {
  monitorProject,
  monitorHistory,
  type MonitorHistory,
  type MonitorOptions,
  type MonitorResult,
} from "./monitor.js";
export { scheduleMonitor, type MonitorSchedule, type ScheduleOptions } from "./monitor-schedule.js";
