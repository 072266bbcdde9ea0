/**
 * Random forests: bootstrap samples, histogram split finding on the shared binning, trees grown
 * on worker threads, averaged predictions, TreeSHAP explanations, out-of-bag scores.
 */
export { RandomForestLearner, randomForestFromJSON, featuresPerSplit } from "./learner.js";
export { RandomForestModel } from "./model.js";
