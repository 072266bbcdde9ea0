/**
 * Histogram gradient boosting: the learner, its frozen model and its model-file reader.
 */
export { GradientBoostingLearner, gradientBoostingFromJSON } from "./learner.js";
export { GradientBoostingModel, type GradientBoostingFields } from "./model.js";
export { parseGradientBoostingFile } from "./format.js";
export type { ObjectiveName } from "./objective.js";
