/**
 * Random forests (Breiman 2001, as scikit-learn's RandomForestClassifier/Regressor): trees
 * grown on bootstrap samples, each split chosen among a random subset of features, predictions
 * averaged. Splits are found on histograms of the shared binning (binning.ts), missing values
 * are routed to the side that fits best, and trees are grown on worker threads.
 *
 * The same data, params and seed give a byte-identical model file whatever the number of
 * threads: tree t draws everything from `Random.derive(seed, "tree:" + t)`.
 */
import type { FeatureMatrix } from "../../features/matrix.js";
import type { RandomForestParams } from "../../project/schema.js";
import type { Tree } from "../tree.js";
import type { FitOptions, Labels, Learner, Model, ModelFile, TargetInfo } from "../types.js";
import { SluiceError } from "../../errors.js";
import { fitBinMapper } from "../binning.js";
import { binColumns } from "../kernels/bin.js";
import { addTreeOutputs } from "../tree.js";
import {
  balancedClassWeights,
  checkLabels,
  checkTrainingMatrix,
  checkValidationSet,
  checkWeights,
  rowWeights,
  throwIfAborted,
} from "../linear/inputs.js";
import type { ForestData, GrowSettings } from "./grow.js";
import { RandomForestModel, randomForestFromJSON as fromJSON } from "./model.js";
import { outOfBagScore } from "./oob.js";
import { growTrees, resolveThreads, TreeWorkers } from "./parallel.js";

const TITLE = "random forest";

/** Features tried per split for `max_features` on p features (scikit-learn's rules). */
export function featuresPerSplit(
  maxFeatures: RandomForestParams["max_features"],
  p: number,
  task: TargetInfo["task"],
): number {
  let m: number;
  if (maxFeatures === "auto") m = task === "classification" ? Math.floor(Math.sqrt(p)) : p;
  else if (maxFeatures === "sqrt") m = Math.floor(Math.sqrt(p));
  else if (maxFeatures === "log2") m = Math.floor(Math.log2(p));
  else if (maxFeatures === "all") m = p;
  else m = Math.floor(maxFeatures * p);
  return Math.max(1, Math.min(p, m));
}

/** The grow settings of `params` on n rows × p features. */
export function growSettings(
  params: RandomForestParams,
  task: TargetInfo["task"],
  n: number,
  p: number,
  seed: number,
): GrowSettings {
  return {
    seed,
    maxDepth: params.max_depth ?? 0x3fffffff,
    minSamplesLeaf: params.min_samples_leaf,
    minSamplesSplit: params.min_samples_split,
    maxFeatures: featuresPerSplit(params.max_features, p, task),
    bootstrap: params.bootstrap,
    nDraws: params.bootstrap ? Math.max(1, Math.round(params.max_samples * n)) : n,
  };
}

/**
 * Makes random forests.
 *
 * @example
 * const learner = new RandomForestLearner(ModelParams.random_forest.parse({ trees: 200, max_depth: 10 }), { task: "classification", classes: ["no", "yes"] });
 * const model = await learner.fit(X, y, { seed: 7, threads: 2 });
 * model.predictProba(Xtest); // averaged leaf probabilities
 * model.explain(Xtest);      // TreeSHAP values
 */
export class RandomForestLearner implements Learner<"random_forest"> {
  readonly kind = "random_forest" as const;
  readonly params: Readonly<RandomForestParams>;
  readonly target: TargetInfo;

  constructor(params: RandomForestParams, target: TargetInfo) {
    this.params = Object.freeze({ ...params });
    this.target = target;
  }

  async fit(X: FeatureMatrix, y: Labels, options: FitOptions = {}): Promise<Model> {
    const { params, target } = this;
    checkTrainingMatrix(X, y, TITLE);
    const counts = checkLabels(y, target);
    checkWeights(options.weights, X.nRows);
    const validation = options.validation;
    if (validation !== undefined) checkValidationSet(validation, X.nCols, target, counts);
    if (params.oob_score && !params.bootstrap)
      throw new SluiceError("E_USAGE", "oob_score needs bootstrap: without it no row is ever out of bag", {
        hint: "set bootstrap: true, or oob_score: false",
      });
    throwIfAborted(options.signal, TITLE);

    const seed = options.seed ?? 42;
    const { nRows: n, nCols: p } = X;
    const K = target.task === "classification" ? target.classes!.length : 0;
    const threads = resolveThreads(options.threads ?? params.threads, params.trees);
    const classWeights =
      params.class_weight === "balanced" && counts !== undefined ? balancedClassWeights(counts) : undefined;
    const weights = rowWeights(n, options.weights, y, classWeights);

    const settings = growSettings(params, target.task, n, p, seed);
    // Worker threads load while this thread bins the matrix (on shared memory they read in place).
    const pool = threads > 1 ? new TreeWorkers(threads - 1) : undefined;
    let trees: Tree[];
    try {
      const mapper = fitBinMapper(X, { maxBins: params.max_bins, seed });
      const cells = n * p;
      const bins = new Uint8Array(pool === undefined ? new ArrayBuffer(cells) : new SharedArrayBuffer(cells));
      binColumns(X.data, n, mapper.thresholds, bins);
      const data: ForestData = {
        nRows: n,
        nFeatures: p,
        bins,
        nBins: Int32Array.from(mapper.nBins),
        thresholds: mapper.thresholds,
        nClasses: K,
        y,
        weights,
      };
      // The validation loss after each tree, from predictions accumulated in tree order.
      const d = K > 0 ? K : 1;
      const acc =
        validation !== undefined && options.onIteration !== undefined
          ? new Float64Array(validation.X.nRows * d)
          : undefined;
      const progress = options.progress;
      trees = await growTrees(data, settings, params.trees, pool, {
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        onTree: (t, tree) => {
          progress?.update(t + 1, params.trees);
          if (options.onIteration === undefined) return true;
          let loss = NaN;
          if (acc !== undefined && validation !== undefined) {
            addTreeOutputs(tree, validation.X, acc, d, 0, 1);
            loss = validationLoss(acc, t + 1, validation.y, validation.weights, K);
          }
          return options.onIteration(t + 1, loss) !== false;
        },
      });
    } catch (err) {
      await pool?.close();
      throw err;
    }

    const oob = params.oob_score ? outOfBagScore(trees, settings, X, y, K) : undefined;
    return new RandomForestModel({
      task: target.task,
      classes: target.classes,
      featureNames: X.names,
      params,
      trees,
      oobScore: oob,
    });
  }
}

/** Mean log loss (classification; probabilities clipped at 1e-15) or squared error of sum / nTrees. */
function validationLoss(
  sum: Float64Array,
  nTrees: number,
  y: Labels,
  weights: Float64Array | undefined,
  K: number,
): number {
  let loss = 0;
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    const w = weights?.[i] ?? 1;
    if (K > 0) loss -= w * Math.log(Math.max(1e-15, sum[i * K + y[i]!]! / nTrees));
    else loss += w * (sum[i]! / nTrees - y[i]!) ** 2;
    total += w;
  }
  return loss / total;
}

/**
 * A random forest from its model file.
 *
 * @throws SluiceError E_FORMAT naming the tree and field that are wrong
 */
export function randomForestFromJSON(file: ModelFile): Model {
  return fromJSON(file);
}
