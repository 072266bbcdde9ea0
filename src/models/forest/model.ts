/**
 * A fitted random forest: the average of its trees. A classification forest's trees hold class
 * probability vectors (valueDim K), so its raw output is the averaged probabilities; a
 * regression forest's raw output is the averaged value.
 *
 * Model file fields after the header: `trees` (treeToJSON of each tree, in order) and
 * `oobScore` (out-of-bag accuracy or R², or null when it was not asked for).
 */
import type { FeatureMatrix } from "../../features/matrix.js";
import type { RandomForestParams } from "../../project/schema.js";
import type { Explanation, Importances, Model, ModelFile, Task } from "../types.js";
import { SluiceError } from "../../errors.js";
import { checkHeader, modelHeader } from "../header.js";
import { treeShap } from "../shap.js";
import { addTreeOutputs, leafOfRow, treeFromJSON, treeToJSON, type Tree, type TreeJSON } from "../tree.js";
import { checkPredictMatrix } from "../linear/inputs.js";

export interface ForestFields {
  task: Task;
  classes: readonly string[] | undefined;
  featureNames: readonly string[];
  params: RandomForestParams;
  trees: readonly Tree[];
  /** Out-of-bag accuracy (classification) or R² (regression); undefined when not computed. */
  oobScore: number | undefined;
}

/** A fitted random forest. Raw outputs: averaged class probabilities, or the averaged value. */
export class RandomForestModel implements Model {
  readonly kind = "random_forest" as const;
  readonly task: Task;
  readonly classes: readonly string[] | undefined;
  readonly featureNames: readonly string[];
  readonly nOutputs: number;
  readonly params: Readonly<RandomForestParams>;
  readonly iterations: number;
  /** Out-of-bag accuracy (classification) or R² (regression), when `oob_score` was set. */
  readonly oobScore: number | undefined;
  private readonly trees: readonly Tree[];
  /** Every tree's weight in the average. */
  private readonly scale: number;

  constructor(fields: ForestFields) {
    this.task = fields.task;
    this.classes = fields.classes === undefined ? undefined : Object.freeze([...fields.classes]);
    this.featureNames = Object.freeze([...fields.featureNames]);
    this.nOutputs = fields.task === "classification" ? fields.classes!.length : 1;
    this.params = Object.freeze({ ...fields.params });
    this.trees = Object.freeze([...fields.trees]);
    this.iterations = fields.trees.length;
    this.scale = 1 / fields.trees.length;
    this.oobScore = fields.oobScore;
    Object.freeze(this);
  }

  /** The fitted trees (shared, not copied: do not modify). */
  get treeList(): readonly Tree[] {
    return this.trees;
  }

  predictRaw(X: FeatureMatrix, out?: Float64Array): Float64Array {
    checkPredictMatrix(X.nCols, this.featureNames);
    const raw = out ?? new Float64Array(X.nRows * this.nOutputs);
    raw.fill(0, 0, X.nRows * this.nOutputs);
    for (const tree of this.trees) addTreeOutputs(tree, X, raw, this.nOutputs, 0, this.scale);
    return raw;
  }

  predictProba(X: FeatureMatrix, out?: Float64Array): Float64Array {
    if (this.task !== "classification")
      throw new SluiceError("E_USAGE", "a regression forest predicts values, not class probabilities", {
        hint: "call predict() for the predicted values",
      });
    return this.predictRaw(X, out);
  }

  predict(X: FeatureMatrix, out?: Float64Array): Float64Array {
    const raw = this.predictRaw(X);
    if (this.task === "regression") {
      if (out === undefined) return raw;
      out.set(raw);
      return out;
    }
    const K = this.nOutputs;
    const pred = out ?? new Float64Array(X.nRows);
    for (let i = 0; i < X.nRows; i++) {
      let best = 0;
      for (let k = 1; k < K; k++) if (raw[i * K + k]! > raw[i * K + best]!) best = k;
      pred[i] = best;
    }
    return pred;
  }

  predictOne(row: Float64Array, out?: Float64Array): Float64Array {
    if (row.length !== this.featureNames.length)
      throw new SluiceError(
        "E_MATRIX",
        `the row has ${row.length} values, but the model was fitted on ${this.featureNames.length} features`,
        { details: { values: row.length, features: this.featureNames.length } },
      );
    const K = this.nOutputs;
    const result = out ?? new Float64Array(K);
    result.fill(0, 0, K);
    const scale = this.scale;
    for (let t = 0; t < this.trees.length; t++) {
      const tree = this.trees[t]!;
      const at = leafOfRow(tree, row) * K;
      const value = tree.value;
      for (let k = 0; k < K; k++) result[k] = result[k]! + scale * value[at + k]!;
    }
    return result;
  }

  explain(X: FeatureMatrix): Explanation {
    checkPredictMatrix(X.nCols, this.featureNames);
    const { values, expectedValue } = treeShap(
      this.trees,
      { nOutputs: this.nOutputs, scale: this.scale, nFeatures: this.featureNames.length },
      X,
    );
    return {
      nRows: X.nRows,
      nFeatures: this.featureNames.length,
      nOutputs: this.nOutputs,
      featureNames: this.featureNames,
      values,
      expectedValue,
    };
  }

  /**
   * `gain`: the impurity decrease of the splits on each feature (weighted gini or squared
   * error, in units of training weight), averaged over the trees — scikit-learn's
   * feature_importances_ before its normalisation; `split`: splits per feature, all trees.
   */
  importances(): Importances {
    const p = this.featureNames.length;
    const gain = new Float64Array(p);
    const split = new Float64Array(p);
    for (const tree of this.trees)
      for (let n = 0; n < tree.nNodes; n++) {
        const f = tree.feature[n]!;
        if (f < 0) continue;
        gain[f] = gain[f]! + tree.gain[n]! * this.scale;
        split[f] = split[f]! + 1;
      }
    return { featureNames: this.featureNames, gain, split };
  }

  toJSON(): ModelFile {
    return {
      ...modelHeader({
        kind: "random_forest",
        task: this.task,
        classes: this.classes,
        featureNames: this.featureNames,
        nOutputs: this.nOutputs,
        params: this.params,
        iterations: this.iterations,
      }),
      oobScore: this.oobScore ?? null,
      trees: this.trees.map(treeToJSON),
    };
  }
}

function damaged(message: string): SluiceError {
  return new SluiceError("E_FORMAT", `model file: ${message}`, {
    hint: "the file is damaged or was edited by hand; save the model again from its run",
  });
}

function isTreeJSON(v: unknown): v is TreeJSON {
  if (v === null || typeof v !== "object") return false;
  const t = v as Record<string, unknown>;
  return (
    typeof t.valueDim === "number" &&
    ["feature", "threshold", "missingLeft", "left", "right", "value", "cover", "gain"].every((k) =>
      Array.isArray(t[k]),
    )
  );
}

/**
 * A random forest from its model file: the header, then every tree checked so that prediction
 * cannot loop or read out of bounds.
 *
 * @throws SluiceError E_FORMAT naming the tree and the field
 * @example
 * const model = randomForestFromJSON(JSON.parse(readFileSync("forest.json", "utf8")));
 */
export function randomForestFromJSON(file: ModelFile): RandomForestModel {
  const header = checkHeader(file, "random_forest");
  const p = header.featureNames.length;
  const expectedDim = header.task === "classification" ? header.classes!.length : 1;
  if (header.nOutputs !== expectedDim)
    throw damaged(
      `a random forest of this task has ${expectedDim} outputs, the file says ${header.nOutputs}`,
    );
  const list = file.trees;
  if (!Array.isArray(list) || list.length === 0) throw damaged("trees must be a non-empty list");
  if (list.length !== header.iterations)
    throw damaged(`iterations is ${header.iterations} but the file holds ${list.length} trees`);
  const trees = list.map((json: unknown, t) => {
    if (!isTreeJSON(json)) throw damaged(`trees[${t}] is not a tree (valueDim and node arrays)`);
    const tree = treeFromJSON(json, p, `trees[${t}]`);
    if (tree.valueDim !== expectedDim)
      throw damaged(`trees[${t}] has valueDim ${tree.valueDim}, expected ${expectedDim}`);
    return tree;
  });
  const oob = file.oobScore;
  if (oob !== null && oob !== undefined && (typeof oob !== "number" || !Number.isFinite(oob)))
    throw damaged(`oobScore must be a number or null, got ${JSON.stringify(oob)}`);
  return new RandomForestModel({
    task: header.task,
    classes: header.classes,
    featureNames: header.featureNames,
    params: header.params as RandomForestParams,
    trees,
    oobScore: typeof oob === "number" ? oob : undefined,
  });
}
