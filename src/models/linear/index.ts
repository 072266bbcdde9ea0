/**
 * Linear models: logistic regression (binary and multinomial; L-BFGS, OWL-QN for l1, Newton)
 * and ridge regression (closed form), with exact explanations.
 */
export {
  LogisticRegressionLearner,
  LogisticRegressionModel,
  logisticRegressionFromJSON,
} from "./logistic.js";
export { RidgeLearner, RidgeModel, ridgeFromJSON } from "./ridge.js";
export { LinearModel } from "./model.js";
export { minimize, type MinimizeOptions, type MinimizeResult, type Objective } from "./lbfgs.js";
