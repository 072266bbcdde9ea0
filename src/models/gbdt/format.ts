/**
 * The gradient boosting fields of a model file, after the common header:
 *
 * ```json
 * {
 *   "objective": "binary" | "multiclass" | "regression",
 *   "baseScore": [number, …],            // one per output
 *   "trees": [TreeJSON, …],              // iterations × nOutputs, round by round; tree t adds to output t mod nOutputs
 *   "importances": { "gain": [number, …], "split": [number, …] }   // one per feature
 * }
 * ```
 *
 * Trees are in the flat form of ../tree.ts with `valueDim` 1; leaf values are already shrunk by
 * the learning rate. Reading checks every field, so a damaged file fails here with the field
 * named, never later with a NaN prediction or an endless loop.
 */
import { SluiceError } from "../../errors.js";
import { describeValue } from "../../util/text.js";
import { checkHeader } from "../header.js";
import { treeFromJSON, type Tree, type TreeJSON } from "../tree.js";
import type { ModelFile } from "../types.js";
import type { GradientBoostingFields } from "./model.js";
import type { ObjectiveName } from "./objective.js";
import type { GradientBoostingParams } from "../../project/schema.js";

const DAMAGED = "the file is damaged or was edited by hand; save the model again from its run";

function bad(message: string): SluiceError {
  return new SluiceError("E_FORMAT", `model file: ${message}`, { hint: DAMAGED });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function numbers(v: unknown, where: string, length: number | undefined, finite: boolean): number[] {
  if (!Array.isArray(v)) throw bad(`${where} must be a list of numbers, got ${describeValue(v)}`);
  if (length !== undefined && v.length !== length)
    throw bad(`${where} has ${v.length} entries, expected ${length}`);
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (typeof x !== "number" || (finite && !Number.isFinite(x)))
      throw bad(`${where}[${i}] must be a ${finite ? "finite " : ""}number, got ${describeValue(x)}`);
  }
  return v as number[];
}

const TREE_KEYS = ["feature", "threshold", "missingLeft", "left", "right", "value", "cover", "gain"] as const;

function treeOf(v: unknown, nFeatures: number, where: string): Tree {
  if (!isRecord(v)) throw bad(`${where} must be an object, got ${describeValue(v)}`);
  for (const key of TREE_KEYS) numbers(v[key], `${where}.${key}`, undefined, key !== "threshold");
  if (v.valueDim !== 1)
    throw bad(`${where}.valueDim must be 1 in a boosting model, got ${describeValue(v.valueDim)}`);
  const missing = v.missingLeft as number[];
  for (let i = 0; i < missing.length; i++)
    if (missing[i] !== 0 && missing[i] !== 1)
      throw bad(`${where}.missingLeft[${i}] must be 0 or 1, got ${missing[i]}`);
  return treeFromJSON(v as unknown as TreeJSON, nFeatures, where);
}

/**
 * Check a parsed model file and return the model's fields.
 *
 * @throws SluiceError E_FORMAT naming the field that is wrong
 */
export function parseGradientBoostingFile(file: ModelFile): GradientBoostingFields {
  const header = checkHeader(file, "gradient_boosting");
  const nFeatures = header.featureNames.length;
  const K = header.nOutputs;
  const nClasses = header.classes?.length ?? 0;
  const expected: ObjectiveName =
    header.task === "regression" ? "regression" : nClasses === 2 ? "binary" : "multiclass";
  if (file.objective !== expected)
    throw bad(
      `objective must be "${expected}" for this ${header.task} model, got ${describeValue(file.objective)}`,
    );
  if (expected === "binary" && K !== 1) throw bad(`a binary model has 1 output, got nOutputs ${K}`);
  const baseScore = Float64Array.from(numbers(file.baseScore, "baseScore", K, true));
  if (!Array.isArray(file.trees)) throw bad(`trees must be a list, got ${describeValue(file.trees)}`);
  if (file.trees.length !== header.iterations * K)
    throw bad(
      `trees has ${file.trees.length} entries; ${header.iterations} iterations × ${K} outputs make ${header.iterations * K}`,
    );
  const trees = file.trees.map((t: unknown, i) => treeOf(t, nFeatures, `trees[${i}]`));
  const imp = file.importances;
  if (!isRecord(imp)) throw bad(`importances must be an object, got ${describeValue(imp)}`);
  numbers(imp.gain, "importances.gain", nFeatures, true);
  numbers(imp.split, "importances.split", nFeatures, true);
  return {
    task: header.task,
    classes: header.classes,
    featureNames: header.featureNames,
    params: header.params as GradientBoostingParams,
    objective: expected,
    baseScore,
    trees,
  };
}
