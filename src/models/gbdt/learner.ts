/**
 * Histogram gradient boosting, leaf-wise, with native missing values: the learner (checks its
 * inputs, turns class weights into row weights, runs the boosting loop) and the loader of its
 * model files.
 */
import type { FeatureMatrix } from "../../features/matrix.js";
import type { GradientBoostingParams } from "../../project/schema.js";
import {
  balancedClassWeights,
  checkLabels,
  checkTrainingMatrix,
  checkValidationSet,
  checkWeights,
  rowWeights,
  throwIfAborted,
} from "../linear/inputs.js";
import type { FitOptions, Labels, Learner, Model, ModelFile, TargetInfo } from "../types.js";
import { boost, type BoostTuning } from "./boost.js";
import { parseGradientBoostingFile } from "./format.js";
import { GradientBoostingModel } from "./model.js";
import { objectiveFor, outputsOf } from "./objective.js";

const TITLE = "gradient boosting model";

/**
 * Learns a {@link GradientBoostingModel}: binary log loss, softmax or squared error, trees
 * grown leaf-wise on binned features.
 *
 * @example
 * const learner = new GradientBoostingLearner(ModelParams.gradient_boosting.parse({ trees: 200 }), {
 *   task: "classification",
 *   classes: ["no", "yes"],
 * });
 * const model = await learner.fit(Xtrain, yTrain, { validation: { X: Xvalid, y: yValid }, seed: 7 });
 * const p = model.predictProba(Xtest); // [P(no), P(yes)] per row
 */
export class GradientBoostingLearner implements Learner<"gradient_boosting"> {
  readonly kind = "gradient_boosting";
  readonly params: Readonly<GradientBoostingParams>;
  readonly target: TargetInfo;

  constructor(params: GradientBoostingParams, target: TargetInfo) {
    this.params = Object.freeze({ ...params });
    this.target = Object.freeze({
      ...target,
      ...(target.classes === undefined ? {} : { classes: Object.freeze([...target.classes]) }),
    });
  }

  /**
   * Fit on `X` (NaN = missing, routed by each split) and labels `y`.
   *
   * @throws SluiceError E_MATRIX (no rows or features, labels and rows disagree), E_LABELS (NaN
   *   or infinite targets, class codes out of range, one class, a validation class no training
   *   row has), E_USAGE (bad weights), E_ABORTED, E_WORKER
   */
  fit(X: FeatureMatrix, y: Labels, options: FitOptions = {}): Promise<Model> {
    return fitGradientBoosting(this.params, this.target, X, y, options);
  }
}

/**
 * What {@link GradientBoostingLearner.fit} does, with the thread thresholds open to tests.
 *
 * @throws as {@link GradientBoostingLearner.fit}
 */
export async function fitGradientBoosting(
  params: GradientBoostingParams,
  target: TargetInfo,
  X: FeatureMatrix,
  y: Labels,
  options: FitOptions = {},
  tuning?: BoostTuning,
): Promise<GradientBoostingModel> {
  checkTrainingMatrix(X, y, TITLE);
  const counts = checkLabels(y, target);
  checkWeights(options.weights, X.nRows);
  if (options.validation !== undefined) checkValidationSet(options.validation, X.nCols, target, counts);
  throwIfAborted(options.signal, TITLE);

  const nClasses = target.task === "classification" ? target.classes!.length : 0;
  const objective = objectiveFor(target.task, nClasses);
  const balanced = params.class_weight === "balanced" && counts !== undefined;
  const spw = objective === "binary" && params.scale_pos_weight !== 1;
  let weights: Float64Array | undefined;
  if (options.weights !== undefined || balanced || spw) {
    weights = rowWeights(X.nRows, options.weights, y, balanced ? balancedClassWeights(counts) : undefined);
    if (spw) for (let i = 0; i < X.nRows; i++) if (y[i] === 1) weights[i]! *= params.scale_pos_weight;
  }
  const nOutputs = outputsOf(objective, nClasses);
  // The kernels read class codes as integers and targets as doubles.
  const labels: Labels =
    objective === "regression"
      ? y instanceof Float64Array
        ? y
        : Float64Array.from(y)
      : y instanceof Int32Array
        ? y
        : Int32Array.from(y);
  const result = await boost({
    X,
    y: labels,
    weights,
    objective,
    nOutputs,
    nClasses,
    params,
    options,
    tuning,
  });
  return new GradientBoostingModel({
    task: target.task,
    classes: target.classes,
    featureNames: X.names,
    params,
    objective,
    baseScore: result.baseScore,
    trees: result.trees,
  });
}

/**
 * A gradient boosting model from its file, checked field by field.
 *
 * @throws SluiceError E_FORMAT naming what is wrong (header, objective, base scores, a tree and
 *   its node, importances)
 * @example
 * const model = gradientBoostingFromJSON(JSON.parse(readFileSync("model.json", "utf8")));
 */
export function gradientBoostingFromJSON(file: ModelFile): Model {
  return new GradientBoostingModel(parseGradientBoostingFile(file));
}
