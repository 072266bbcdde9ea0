/**
 * A fitted gradient boosting model: the base score plus the sum of its trees' outputs, per
 * output (one for binary and regression, K for multiclass, tree t adding to output t mod K).
 * Frozen once built; prediction allocates only its outputs (and `predictOne` not even those
 * when given `out`).
 */
import { SluiceError } from "../../errors.js";
import type { FeatureMatrix } from "../../features/matrix.js";
import type { GradientBoostingParams } from "../../project/schema.js";
import { modelHeader } from "../header.js";
import { checkPredictMatrix } from "../linear/inputs.js";
import { treeShap } from "../shap.js";
import { addFlatTrees, flattenTrees, type FlatTrees } from "../flat-trees.js";
import { addTreeOutputs, treeToJSON, type Tree } from "../tree.js";
import type { Explanation, Importances, Model, ModelFile, Task } from "../types.js";
import type { ObjectiveName } from "./objective.js";

/** What a model is made of (fitted or loaded). */
export interface GradientBoostingFields {
  task: Task;
  classes: readonly string[] | undefined;
  featureNames: readonly string[];
  params: GradientBoostingParams;
  objective: ObjectiveName;
  /** One per output. */
  baseScore: Float64Array;
  /** rounds × nOutputs trees, round by round. */
  trees: readonly Tree[];
}

export class GradientBoostingModel implements Model {
  readonly kind = "gradient_boosting";
  readonly task: Task;
  readonly classes: readonly string[] | undefined;
  readonly featureNames: readonly string[];
  readonly nOutputs: number;
  readonly params: Readonly<GradientBoostingParams>;
  readonly iterations: number;
  readonly objective: ObjectiveName;
  private readonly baseScore: Float64Array;
  private readonly trees: readonly Tree[];
  private readonly treeOutput: Int32Array;
  private readonly nFeatures: number;
  private readonly gain: Float64Array;
  private readonly splits: Float64Array;
  /** Raw outputs of predictOne (one model serves one request at a time per thread). */
  private readonly scratch: Float64Array;
  /** All trees in flat arrays: predictOne's walk (the serving hot path). */
  private readonly flat: FlatTrees;

  constructor(fields: GradientBoostingFields) {
    this.task = fields.task;
    this.classes = fields.classes === undefined ? undefined : Object.freeze([...fields.classes]);
    this.featureNames = Object.freeze([...fields.featureNames]);
    this.nFeatures = fields.featureNames.length;
    this.params = Object.freeze({ ...fields.params });
    this.objective = fields.objective;
    this.baseScore = fields.baseScore;
    this.nOutputs = fields.baseScore.length;
    this.trees = Object.freeze([...fields.trees]);
    this.iterations = this.trees.length / this.nOutputs;
    this.treeOutput = Int32Array.from({ length: this.trees.length }, (_, t) => t % this.nOutputs);
    this.scratch = new Float64Array(this.nOutputs);
    this.flat = flattenTrees(this.trees);
    // Importances: total gain and number of splits per feature.
    this.gain = new Float64Array(this.nFeatures);
    this.splits = new Float64Array(this.nFeatures);
    for (const tree of this.trees)
      for (let n = 0; n < tree.nNodes; n++) {
        const f = tree.feature[n]!;
        if (f < 0) continue;
        this.gain[f]! += tree.gain[n]!;
        this.splits[f]!++;
      }
    Object.freeze(this);
  }

  /** Number of classes (classification), or 1. */
  private get nClasses(): number {
    return this.classes?.length ?? 1;
  }

  predictRaw(X: FeatureMatrix, out?: Float64Array): Float64Array {
    checkPredictMatrix(X.nCols, this.featureNames);
    const K = this.nOutputs;
    const res = this.output(out, X.nRows * K);
    for (let i = 0; i < X.nRows; i++) for (let k = 0; k < K; k++) res[i * K + k] = this.baseScore[k]!;
    for (let t = 0; t < this.trees.length; t++)
      addTreeOutputs(this.trees[t]!, X, res, K, this.treeOutput[t]!, 1);
    return res;
  }

  predictProba(X: FeatureMatrix, out?: Float64Array): Float64Array {
    this.requireClassification("predictProba");
    const raw = this.predictRaw(X);
    const C = this.nClasses;
    const res = this.output(out, X.nRows * C);
    for (let i = 0; i < X.nRows; i++) this.probabilities(raw, i * this.nOutputs, res, i * C);
    return res;
  }

  predict(X: FeatureMatrix, out?: Float64Array): Float64Array {
    const raw = this.predictRaw(X);
    const res = this.output(out, X.nRows);
    if (this.task === "regression") {
      res.set(raw);
      return res;
    }
    const K = this.nOutputs;
    for (let i = 0; i < X.nRows; i++) res[i] = this.bestClass(raw, i * K);
    return res;
  }

  predictOne(row: Float64Array, out?: Float64Array): Float64Array {
    if (row.length !== this.nFeatures)
      throw new SluiceError(
        "E_MATRIX",
        `the row has ${row.length} values, but the model was fitted on ${this.nFeatures} features`,
        { details: { values: row.length, features: this.nFeatures } },
      );
    const K = this.nOutputs;
    const raw = this.scratch;
    for (let k = 0; k < K; k++) raw[k] = this.baseScore[k]!;
    addFlatTrees(this.flat, row, this.treeOutput, raw);
    if (this.task === "regression") {
      const res = this.output(out, 1);
      res[0] = raw[0]!;
      return res;
    }
    const res = this.output(out, this.nClasses);
    this.probabilities(raw, 0, res, 0);
    return res;
  }

  explain(X: FeatureMatrix): Explanation {
    checkPredictMatrix(X.nCols, this.featureNames);
    const { values, expectedValue } = treeShap(
      this.trees,
      { nOutputs: this.nOutputs, treeOutput: this.treeOutput, scale: 1, nFeatures: this.nFeatures },
      X,
    );
    for (let k = 0; k < this.nOutputs; k++) expectedValue[k]! += this.baseScore[k]!;
    return {
      nRows: X.nRows,
      nFeatures: this.nFeatures,
      nOutputs: this.nOutputs,
      featureNames: this.featureNames,
      values,
      expectedValue,
    };
  }

  importances(): Importances {
    return { featureNames: this.featureNames, gain: this.gain.slice(), split: this.splits.slice() };
  }

  /** The model's trees (shared, do not modify). */
  getTrees(): readonly Tree[] {
    return this.trees;
  }

  /** The starting raw score of each output (a copy). */
  getBaseScore(): Float64Array {
    return this.baseScore.slice();
  }

  toJSON(): ModelFile {
    return {
      ...modelHeader({
        kind: "gradient_boosting",
        task: this.task,
        classes: this.classes,
        featureNames: this.featureNames,
        nOutputs: this.nOutputs,
        params: this.params,
        iterations: this.iterations,
      }),
      objective: this.objective,
      baseScore: Array.from(this.baseScore),
      trees: this.trees.map(treeToJSON),
      importances: { gain: Array.from(this.gain), split: Array.from(this.splits) },
    };
  }

  /** Probabilities of every class from the raw outputs at `r`, written at `o`. */
  private probabilities(raw: Float64Array, r: number, out: Float64Array, o: number): void {
    if (this.objective === "binary") {
      const p = 1 / (1 + Math.exp(-raw[r]!));
      out[o] = 1 - p;
      out[o + 1] = p;
      return;
    }
    const K = this.nOutputs;
    let max = -Infinity;
    for (let k = 0; k < K; k++) if (raw[r + k]! > max) max = raw[r + k]!;
    let sum = 0;
    for (let k = 0; k < K; k++) {
      const e = Math.exp(raw[r + k]! - max);
      out[o + k] = e;
      sum += e;
    }
    for (let k = 0; k < K; k++) out[o + k]! /= sum;
  }

  /** The most probable class from the raw outputs at `r` (the lowest code on ties). */
  private bestClass(raw: Float64Array, r: number): number {
    if (this.objective === "binary") return raw[r]! > 0 ? 1 : 0;
    let best = 0;
    for (let k = 1; k < this.nOutputs; k++) if (raw[r + k]! > raw[r + best]!) best = k;
    return best;
  }

  private output(out: Float64Array | undefined, length: number): Float64Array {
    if (out === undefined) return new Float64Array(length);
    if (out.length < length)
      throw new SluiceError("E_USAGE", `the output array has ${out.length} slots; ${length} are needed`, {
        details: { given: out.length, needed: length },
      });
    return out;
  }

  private requireClassification(what: string): void {
    if (this.task !== "classification")
      throw new SluiceError("E_USAGE", `${what} needs a classification model; this one is for regression`, {
        hint: "use predict for the predicted values",
      });
  }
}
