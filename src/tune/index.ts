/** Model tuning: k-fold cross-validation, hyper-parameter search (random, TPE) with pruning, and choosing a winner. */
export {
  crossValidate,
  crossValidateOnPool,
  summarizeFolds,
  type CrossValidateOptions,
  type CrossValidation,
  type FoldResult,
  type LearnerSpec,
  type PoolCrossValidateOptions,
} from "./cv.js";
export {
  runSearch,
  bestTrial,
  defaultStartupTrials,
  PROPOSAL_LAG,
  DEFAULT_PRUNER,
  type RunSearchOptions,
  type SearchResult,
  type SearchSettings,
  type TrialOutcome,
  type TrialResult,
  type TrialSpec,
} from "./search.js";
export {
  searchModel,
  trialModelParams,
  fixIterations,
  plannedIterations,
  type ModelSearchResult,
  type SearchModelOptions,
} from "./model-search.js";
export { proposeTpe, goodCount, DEFAULT_TPE, type Observation, type TpeOptions } from "./tpe.js";
export { pruneReference, shouldPrune, type PruneReference, type PrunerOptions } from "./pruner.js";
export {
  sampleUniform,
  formatTrialParams,
  type ParamValue,
  type SearchSpace,
  type TrialParams,
} from "./space.js";
export { chooseWinner, KIND_SIMPLICITY, type Contender } from "./select.js";
export { scorePredictions, type ScoreOptions } from "./score.js";
