/**
 * Exact path-dependent TreeSHAP (Lundberg, Erion & Lee 2018, "Consistent Individualized Feature
 * Attribution for Tree Ensembles", Algorithm 2) over the flat {@link Tree} arrays.
 *
 * The value of a set S of features for a row is the tree's expected output when the features
 * in S take the row's values and every other split sends the row down both branches, weighted
 * by the share of training cover that went each way. Algorithm 2 gets the Shapley values of
 * that game in O(leaves × depth²) per tree instead of enumerating subsets: it walks the tree
 * once, keeping for the path from the root the distinct features met, and for each the share
 * of cover that flows on when the feature is absent (`zero`) or present (`one`, 1 or 0 for the
 * branch the row takes or not); EXTEND adds a feature to the path, UNWIND removes one (a
 * feature met again is unwound and re-added with the product of its shares), and the unwound
 * sum at a leaf gives each feature's weight.
 *
 * Memory: the path of every recursion level lives in one set of typed arrays, sized from the
 * deepest tree, allocated once per call. Nothing is allocated per row or per node.
 */
import { SluiceError } from "../errors.js";
import type { FeatureMatrix } from "../features/matrix.js";
import type { Tree } from "./tree.js";

/** How the trees' outputs add up to the model's raw outputs. */
export interface TreeShapOptions {
  /** Raw outputs per row. */
  nOutputs: number;
  /**
   * For trees with valueDim 1: the output each tree adds to (length trees.length; default all
   * to output 0). Trees with valueDim = nOutputs feed every output.
   */
  treeOutput?: Int32Array;
  /** Multiplies every tree's values (1 for boosting, 1/nTrees for a forest's average). */
  scale: number;
  nFeatures: number;
}

/** SHAP values and the expected output they start from. */
export interface TreeShapResult {
  /** Row-major `[row][output][feature]`: `values[(i * nOutputs + k) * nFeatures + f]`. */
  values: Float64Array;
  /** Per output: the trees' cover-weighted mean output × scale, without any base score. */
  expectedValue: Float64Array;
}

/**
 * SHAP values of a sum of trees: output k of row i = Σ_t scale · value_t(leaf)[…] over the
 * trees feeding output k. For every row and output, Σ_f values + expectedValue equals that sum.
 *
 * `expectedValue` is computed from the covers (each leaf's value weighted by the product of
 * `cover[child] / cover[parent]` along its path), the same weights the SHAP values use, so the
 * sum holds even where a tree's internal `value`s are not exactly the cover-weighted means of
 * their leaves; where they are, it equals the root values × scale. Models add their own base
 * score to it.
 *
 * @throws SluiceError E_MATRIX when X has another number of columns than `nFeatures`;
 *   E_USAGE when a tree does not fit the options (valueDim, treeOutput, a feature out of range).
 * @example
 * const { values, expectedValue } = treeShap(trees, { nOutputs: 1, scale: 1, nFeatures }, X);
 * // contribution of feature f to row i: values[i * nFeatures + f]
 */
export function treeShap(trees: readonly Tree[], options: TreeShapOptions, X: FeatureMatrix): TreeShapResult {
  const { nOutputs, nFeatures, scale, treeOutput } = options;
  if (X.nCols !== nFeatures)
    throw new SluiceError(
      "E_MATRIX",
      `cannot explain a matrix of ${X.nCols} columns: the model has ${nFeatures} features`,
      {
        details: { columns: X.nCols, features: nFeatures },
        hint: "transform the rows with the model's fitted features",
      },
    );
  checkTrees(trees, options);
  const maxDepth = trees.reduce((m, t) => Math.max(m, depthOf(t)), 0);
  const ws = new Workspace(maxDepth, nFeatures);
  const values = new Float64Array(X.nRows * nOutputs * nFeatures);
  const { data, nRows } = X;
  const row = ws.row;
  for (let i = 0; i < nRows; i++) {
    for (let f = 0, at = i; f < nFeatures; f++, at += nRows) row[f] = data[at]!;
    for (let t = 0; t < trees.length; t++) {
      const tree = trees[t]!;
      const out = tree.valueDim === 1 ? (treeOutput?.[t] ?? 0) : 0;
      ws.explain(tree, values, (i * nOutputs + out) * nFeatures, scale);
    }
  }
  return { values, expectedValue: expectedValues(trees, options) };
}

function checkTrees(trees: readonly Tree[], options: TreeShapOptions): void {
  const { nOutputs, nFeatures, treeOutput } = options;
  const bad = (message: string) => new SluiceError("E_USAGE", `treeShap: ${message}`);
  if (treeOutput !== undefined && treeOutput.length !== trees.length)
    throw bad(`treeOutput has ${treeOutput.length} entries for ${trees.length} trees`);
  trees.forEach((tree, t) => {
    if (tree.valueDim !== 1 && tree.valueDim !== nOutputs)
      throw bad(`tree ${t} has valueDim ${tree.valueDim}; expected 1 or nOutputs (${nOutputs})`);
    const out = treeOutput?.[t] ?? 0;
    if (tree.valueDim === 1 && (out < 0 || out >= nOutputs))
      throw bad(`tree ${t} feeds output ${out}; the model has ${nOutputs}`);
    for (let n = 0; n < tree.nNodes; n++)
      if (tree.feature[n]! >= nFeatures)
        throw bad(`tree ${t} node ${n} splits on feature ${tree.feature[n]}; the model has ${nFeatures}`);
  });
}

/** The depth of the deepest leaf (root = 0). Children come after their parent. */
function depthOf(tree: Tree): number {
  const depth = new Int32Array(tree.nNodes);
  let max = 0;
  for (let n = 0; n < tree.nNodes; n++) {
    if (tree.feature[n]! < 0) continue;
    const d = depth[n]! + 1;
    depth[tree.left[n]!] = d;
    depth[tree.right[n]!] = d;
    if (d > max) max = d;
  }
  return max;
}

/** Share of a node's cover that went to `child`; 0 under a node no training weight reached. */
function coverShare(cover: Float64Array, node: number, child: number): number {
  const c = cover[node]!;
  return c > 0 ? cover[child]! / c : 0;
}

function expectedValues(trees: readonly Tree[], options: TreeShapOptions): Float64Array {
  const expected = new Float64Array(options.nOutputs);
  for (let t = 0; t < trees.length; t++) {
    const tree = trees[t]!;
    const { feature, left, right, cover, value, valueDim } = tree;
    const reach = new Float64Array(tree.nNodes);
    reach[0] = 1;
    const out = valueDim === 1 ? (options.treeOutput?.[t] ?? 0) : 0;
    for (let n = 0; n < tree.nNodes; n++) {
      if (feature[n]! >= 0) {
        reach[left[n]!] = reach[n]! * coverShare(cover, n, left[n]!);
        reach[right[n]!] = reach[n]! * coverShare(cover, n, right[n]!);
      } else
        for (let j = 0; j < valueDim; j++)
          expected[out + j] = expected[out + j]! + options.scale * reach[n]! * value[n * valueDim + j]!;
    }
  }
  return expected;
}

/**
 * The path buffers and the state of one tree walk. Path element e of the level that starts at
 * `start` is at index start + e of each array.
 */
class Workspace {
  readonly row: Float64Array;
  private readonly feature: Int32Array;
  private readonly zero: Float64Array;
  private readonly one: Float64Array;
  private readonly pweight: Float64Array;
  /** 1 / k for k = 0..maxDepth + 1. */
  private readonly recip: Float64Array;
  /** Distance between the same feature's entries of consecutive outputs. */
  private readonly outputStride: number;
  // The tree being walked and where its contributions go.
  private tree!: Tree;
  private phi!: Float64Array;
  private phiBase = 0;
  private scale = 1;

  constructor(maxDepth: number, nFeatures: number) {
    // A level at depth d starts d + 1 elements after its parent's and holds d + 1 elements.
    const size = ((maxDepth + 2) * (maxDepth + 3)) / 2;
    this.feature = new Int32Array(size);
    this.zero = new Float64Array(size);
    this.one = new Float64Array(size);
    this.pweight = new Float64Array(size);
    this.recip = Float64Array.from({ length: maxDepth + 2 }, (_, k) => 1 / k);
    this.row = new Float64Array(nFeatures);
    this.outputStride = nFeatures;
  }

  /** Add the contributions of `tree` for the row in `this.row` to phi, from phiBase on. */
  explain(tree: Tree, phi: Float64Array, phiBase: number, scale: number): void {
    this.tree = tree;
    this.phi = phi;
    this.phiBase = phiBase;
    this.scale = scale;
    // The root level (at 1) holds one dummy element (feature -1), never attributed.
    this.feature[1] = -1;
    this.zero[1] = 1;
    this.one[1] = 1;
    this.recurse(0, 0, 0);
  }

  /**
   * Walk the subtree at `node`. Its level starts at parentStart + depth + 1; the caller has put
   * the element to EXTEND with (feature, zero, one) in slot `depth` of it, so that only
   * integers are passed (V8 boxes doubles passed to a function it cannot inline, and this one
   * recurses).
   */
  private recurse(node: number, depth: number, parentStart: number): void {
    const { feature, zero, one, pweight } = this;
    const start = parentStart + depth + 1;
    for (let e = 0; e < depth; e++) {
      feature[start + e] = feature[parentStart + e]!;
      zero[start + e] = zero[parentStart + e]!;
      one[start + e] = one[parentStart + e]!;
      pweight[start + e] = pweight[parentStart + e]!;
    }
    this.extend(start, depth);

    const tree = this.tree;
    const split = tree.feature[node]!;
    if (split < 0) {
      this.leaf(node, start, depth);
      return;
    }

    const x = this.row[split]!;
    const goesLeft = x <= tree.threshold[node]! || (x !== x && tree.missingLeft[node] === 1);
    const hot = goesLeft ? tree.left[node]! : tree.right[node]!;
    const cold = goesLeft ? tree.right[node]! : tree.left[node]!;
    const hotZero = coverShare(tree.cover, node, hot);
    const coldZero = coverShare(tree.cover, node, cold);

    // A feature already on the path is taken off and re-added below with the product of its
    // shares, so each feature appears once.
    let incomingZero = 1;
    let incomingOne = 1;
    let d = depth;
    for (let e = 0; e <= depth; e++)
      if (feature[start + e] === split) {
        incomingZero = zero[start + e]!;
        incomingOne = one[start + e]!;
        this.unwind(start, depth, e);
        d--;
        break;
      }

    // The children's level starts at start + d + 2 and gets the new element in slot d + 1.
    // A branch that no subset of features reaches contributes nothing, and its zero shares
    // would divide by zero in the unwound sum.
    const slot = start + 2 * d + 3;
    if (hotZero * incomingZero !== 0 || incomingOne !== 0) {
      feature[slot] = split;
      zero[slot] = hotZero * incomingZero;
      one[slot] = incomingOne;
      this.recurse(hot, d + 1, start);
    }
    if (coldZero * incomingZero !== 0) {
      feature[slot] = split;
      zero[slot] = coldZero * incomingZero;
      one[slot] = 0;
      this.recurse(cold, d + 1, start);
    }
  }

  private leaf(node: number, start: number, depth: number): void {
    const { feature, zero, one, pweight, recip, phi, phiBase, outputStride } = this;
    const d = this.tree.valueDim;
    const value = this.tree.value;
    // For an element the row does not follow (one = 0) the unwound sum is
    // (depth + 1) · Σ_i pweight_i / (depth − i) / zero, and its weight (0 − zero) times that:
    // the same for every such element, so it is computed once.
    let coldSum = 0;
    for (let i = 0; i < depth; i++) coldSum += pweight[start + i]! * recip[depth - i]!;
    const coldWeight = -(depth + 1) * coldSum * this.scale;
    for (let e = 1; e <= depth; e++) {
      const oneShare = one[start + e]!;
      const w =
        oneShare === 0
          ? coldWeight
          : this.unwoundSum(start, depth, e) * (oneShare - zero[start + e]!) * this.scale;
      const at = phiBase + feature[start + e]!;
      for (let j = 0; j < d; j++)
        phi[at + j * outputStride] = phi[at + j * outputStride]! + w * value[node * d + j]!;
    }
  }

  /** EXTEND: add the element in slot `depth` of the level at `start` to its permutation weights. */
  private extend(start: number, depth: number): void {
    const { pweight, recip } = this;
    const zeroShare = this.zero[start + depth]!;
    const oneShare = this.one[start + depth]!;
    const r = recip[depth + 1]!;
    pweight[start + depth] = depth === 0 ? 1 : 0;
    for (let i = depth - 1; i >= 0; i--) {
      const p = pweight[start + i]!;
      pweight[start + i + 1] = pweight[start + i + 1]! + oneShare * p * (i + 1) * r;
      pweight[start + i] = zeroShare * p * (depth - i) * r;
    }
  }

  /** UNWIND: remove element `index` of the level at `start` (the inverse of EXTEND). */
  private unwind(start: number, depth: number, index: number): void {
    const { feature, zero, one, pweight } = this;
    const oneShare = one[start + index]!;
    const zeroShare = zero[start + index]!;
    let next = pweight[start + depth]!;
    for (let i = depth - 1; i >= 0; i--) {
      if (oneShare !== 0) {
        const tmp = pweight[start + i]!;
        pweight[start + i] = (next * (depth + 1)) / ((i + 1) * oneShare);
        next = tmp - (pweight[start + i]! * zeroShare * (depth - i)) / (depth + 1);
      } else pweight[start + i] = (pweight[start + i]! * (depth + 1)) / (zeroShare * (depth - i));
    }
    for (let i = index; i < depth; i++) {
      feature[start + i] = feature[start + i + 1]!;
      zero[start + i] = zero[start + i + 1]!;
      one[start + i] = one[start + i + 1]!;
    }
  }

  /**
   * The total permutation weight of the level at `start` if element `index`, one the row
   * follows (one ≠ 0), were unwound.
   */
  private unwoundSum(start: number, depth: number, index: number): number {
    const { pweight, recip } = this;
    const zeroShare = this.zero[start + index]!;
    const invOne = 1 / this.one[start + index]!;
    let total = 0;
    let next = pweight[start + depth]!;
    // The reciprocals stay off the loop-carried chain through `next`.
    for (let i = depth - 1; i >= 0; i--) {
      const tmp = next * (invOne * recip[i + 1]!);
      total += tmp;
      next = pweight[start + i]! - tmp * (zeroShare * (depth - i));
    }
    return total * (depth + 1);
  }
}
