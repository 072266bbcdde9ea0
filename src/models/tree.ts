/**
 * A fitted decision tree as parallel arrays — the inference form shared by gradient boosting
 * and random forests, and the input of TreeSHAP. Training structures never appear here.
 *
 * Node 0 is the root. An internal node n sends a row to `left[n]` when its value of feature
 * `feature[n]` is ≤ `threshold[n]`, or is missing (NaN) and `missingLeft[n]` is 1; otherwise
 * to `right[n]`. A leaf has `feature[n] = -1` and `left[n] = right[n] = -1`.
 *
 * `value` holds `valueDim` numbers per node (1 for boosting and regression forests, K class
 * probabilities for classification forests): at a leaf, what the tree outputs; at an internal
 * node, the cover-weighted mean of its leaves (TreeSHAP's expected values). `cover` is the
 * training weight that reached the node (sum of hessians for boosting, of sample weights for
 * forests) and `gain` the loss reduction of the node's split (0 at leaves).
 */
import type { FeatureMatrix } from "../features/matrix.js";
import { SluiceError } from "../errors.js";

export interface Tree {
  readonly nNodes: number;
  readonly valueDim: number;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly missingLeft: Uint8Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly value: Float64Array;
  readonly cover: Float64Array;
  readonly gain: Float64Array;
}

/** A tree as it is written in a model file: plain arrays. */
export interface TreeJSON {
  valueDim: number;
  feature: number[];
  threshold: number[];
  missingLeft: number[];
  left: number[];
  right: number[];
  value: number[];
  cover: number[];
  gain: number[];
}

/** The leaf a row of `X` reaches. */
export function leafOf(tree: Tree, X: FeatureMatrix, row: number): number {
  const { feature, threshold, missingLeft, left, right } = tree;
  const n = X.nRows;
  const data = X.data;
  let node = 0;
  let f = feature[0]!;
  while (f >= 0) {
    const x = data[f * n + row]!;
    node = x <= threshold[node]! || (x !== x && missingLeft[node] === 1) ? left[node]! : right[node]!;
    f = feature[node]!;
  }
  return node;
}

/** The leaf a single row (`nFeatures` values) reaches. */
export function leafOfRow(tree: Tree, row: Float64Array): number {
  const { feature, threshold, missingLeft, left, right } = tree;
  let node = 0;
  let f = feature[0]!;
  while (f >= 0) {
    const x = row[f]!;
    node = x <= threshold[node]! || (x !== x && missingLeft[node] === 1) ? left[node]! : right[node]!;
    f = feature[node]!;
  }
  return node;
}

/**
 * Add `scale ×` the tree's leaf values for every row of `X` into `out` (row-major, `stride`
 * outputs per row, starting at output `offset`; a tree with valueDim d fills d outputs).
 * @param out IN/OUT
 */
export function addTreeOutputs(
  tree: Tree,
  X: FeatureMatrix,
  out: Float64Array,
  stride: number,
  offset: number,
  scale: number,
): void {
  const d = tree.valueDim;
  const value = tree.value;
  for (let i = 0; i < X.nRows; i++) {
    const leaf = leafOf(tree, X, i);
    const o = i * stride + offset;
    for (let k = 0; k < d; k++) out[o + k] = out[o + k]! + scale * value[leaf * d + k]!;
  }
}

/** The arrays of a tree as plain JSON. */
export function treeToJSON(tree: Tree): TreeJSON {
  return {
    valueDim: tree.valueDim,
    feature: Array.from(tree.feature),
    threshold: Array.from(tree.threshold),
    missingLeft: Array.from(tree.missingLeft),
    left: Array.from(tree.left),
    right: Array.from(tree.right),
    value: Array.from(tree.value),
    cover: Array.from(tree.cover),
    gain: Array.from(tree.gain),
  };
}

/**
 * A tree from its JSON form, checked so that prediction cannot loop or read out of bounds:
 * equal lengths, children after their parent, leaves marked consistently, features in range.
 *
 * @param where names the tree in error messages (`trees[12]`)
 * @throws SluiceError E_FORMAT naming the tree, the field and the node
 */
export function treeFromJSON(json: TreeJSON, nFeatures: number, where: string): Tree {
  const bad = (msg: string): SluiceError =>
    new SluiceError("E_FORMAT", `model file: ${where}: ${msg}`, {
      hint: "the file is damaged or was edited by hand; save the model again from its run",
    });
  const n = json.feature.length;
  if (n === 0) throw bad("has no nodes");
  for (const key of ["threshold", "missingLeft", "left", "right", "cover", "gain"] as const)
    if (json[key].length !== n) throw bad(`${key} has ${json[key].length} entries, feature has ${n}`);
  if (!Number.isInteger(json.valueDim) || json.valueDim < 1)
    throw bad(`valueDim must be an integer ≥ 1, got ${json.valueDim}`);
  if (json.value.length !== n * json.valueDim)
    throw bad(`value has ${json.value.length} entries, expected ${n * json.valueDim}`);
  for (let i = 0; i < n; i++) {
    const f = json.feature[i]!;
    const l = json.left[i]!;
    const r = json.right[i]!;
    if (f === -1) {
      if (l !== -1 || r !== -1) throw bad(`node ${i} is a leaf but has children`);
    } else {
      if (!Number.isInteger(f) || f < 0 || f >= nFeatures)
        throw bad(`node ${i} splits on feature ${f}; the model has ${nFeatures}`);
      // Children come after their parent: prediction always moves forward and ends.
      if (!Number.isInteger(l) || !Number.isInteger(r) || l <= i || r <= i || l >= n || r >= n)
        throw bad(`node ${i} has children ${l} and ${r}; expected nodes after ${i} and before ${n}`);
      if (typeof json.threshold[i] !== "number" || Number.isNaN(json.threshold[i]))
        throw bad(`node ${i} has threshold ${String(json.threshold[i])}`);
    }
  }
  for (let i = 0; i < json.value.length; i++)
    if (!Number.isFinite(json.value[i]))
      throw bad(`value[${i}] is ${String(json.value[i])}, not a finite number`);
  return {
    nNodes: n,
    valueDim: json.valueDim,
    feature: Int32Array.from(json.feature),
    threshold: Float64Array.from(json.threshold),
    missingLeft: Uint8Array.from(json.missingLeft),
    left: Int32Array.from(json.left),
    right: Int32Array.from(json.right),
    value: Float64Array.from(json.value),
    cover: Float64Array.from(json.cover),
    gain: Float64Array.from(json.gain),
  };
}
