/**
 * The models part: learners (`fit` → frozen `Model`), model files, explanations and the shared
 * tree and binning structures. Other parts import from here.
 */
export type {
  Explanation,
  FitOptions,
  Importances,
  Labels,
  Learner,
  Model,
  ModelFile,
  ModelFileHeader,
  TargetInfo,
  ValidationSet,
} from "./types.js";
export { createLearner, learnerFor, KIND_TASKS } from "./learners.js";
export { loadModel, saveModel } from "./format.js";
export { modelHeader, checkHeader, MODEL_FORMAT, MODEL_FORMAT_VERSION } from "./header.js";
export { treeShap } from "./shap.js";
export {
  leafOf,
  leafOfRow,
  addTreeOutputs,
  treeToJSON,
  treeFromJSON,
  type Tree,
  type TreeJSON,
} from "./tree.js";
export { fitBinMapper, binMatrix, binOf, type BinMapper, type BinOptions } from "./binning.js";
export { GradientBoostingLearner, gradientBoostingFromJSON } from "./gbdt/learner.js";
export { RandomForestLearner, randomForestFromJSON } from "./forest/learner.js";
export {
  LogisticRegressionLearner,
  logisticRegressionFromJSON,
  RidgeLearner,
  ridgeFromJSON,
} from "./linear/index.js";
export { FitPool, type FitPoolOptions } from "./fit-worker-pool.js";
export {
  runFitJob,
  shareFitData,
  takeRows,
  type FitData,
  type FitJob,
  type FitJobHooks,
  type FitJobResult,
} from "./fit-worker-job.js";
export { exceedsBound, type LossBound } from "./fit-worker-bound.js";
