/**
 * Every tree of an ensemble in one set of flat arrays, for single-row prediction: the serving
 * hot path. Walking 200 separate {@link Tree} objects costs a handful of property loads per tree
 * before the first comparison; here a tree is just a root offset into shared arrays, and the
 * missing-value branch is resolved once, at build time, into the child a NaN goes to.
 *
 * Node n (global index) is a leaf when `feature[n] < 0`; its value is then `value[n]`. An
 * internal node sends x to `left[n]` when `x <= threshold[n]`, to `missing[n]` when x is NaN
 * (the learned default direction), else to `right[n]` — exactly {@link leafOfRow}'s rule, so
 * predictions are bit-identical to the per-tree walk.
 */
import type { Tree } from "./tree.js";

export interface FlatTrees {
  /** Global index of each tree's root. */
  readonly roots: Int32Array;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** The child a missing value goes to (left or right). */
  readonly missing: Int32Array;
  /** The leaf value of each node (valueDim 1; 0 at internal nodes). */
  readonly value: Float64Array;
}

/** Flatten trees with one value per node (boosting, regression forests). */
export function flattenTrees(trees: readonly Tree[]): FlatTrees {
  let total = 0;
  for (const t of trees) total += t.nNodes;
  const roots = new Int32Array(trees.length);
  const feature = new Int32Array(total);
  const threshold = new Float64Array(total);
  const left = new Int32Array(total);
  const right = new Int32Array(total);
  const missing = new Int32Array(total);
  const value = new Float64Array(total);
  let base = 0;
  trees.forEach((t, i) => {
    roots[i] = base;
    for (let n = 0; n < t.nNodes; n++) {
      const g = base + n;
      const f = t.feature[n]!;
      feature[g] = f;
      if (f < 0) {
        value[g] = t.value[n * t.valueDim]!;
        left[g] = right[g] = missing[g] = -1;
        continue;
      }
      threshold[g] = t.threshold[n]!;
      left[g] = base + t.left[n]!;
      right[g] = base + t.right[n]!;
      missing[g] = t.missingLeft[n] === 1 ? left[g] : right[g];
    }
    base += t.nNodes;
  });
  return { roots, feature, threshold, left, right, missing, value };
}

/**
 * Add each tree's leaf value for one row into `raw[treeOutput[t]]`.
 * @param raw IN/OUT
 */
export function addFlatTrees(
  flat: FlatTrees,
  row: Float64Array,
  treeOutput: Int32Array,
  raw: Float64Array,
): void {
  const { roots, feature, threshold, left, right, missing, value } = flat;
  for (let t = 0; t < roots.length; t++) {
    let node = roots[t]!;
    let f = feature[node]!;
    while (f >= 0) {
      const x = row[f]!;
      node = x <= threshold[node]! ? left[node]! : x === x ? right[node]! : missing[node]!;
      f = feature[node]!;
    }
    const k = treeOutput[t]!;
    raw[k] = raw[k]! + value[node]!;
  }
}
