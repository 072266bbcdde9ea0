/**
 * Out-of-bag score: each training row predicted only by the trees whose bootstrap sample left
 * it out — accuracy for classification, R² for regression (unweighted, as scikit-learn's
 * oob_score_). Rows that every tree drew are left out of the score.
 *
 * The bootstrap counts are drawn again from each tree's generator rather than kept from the
 * fit, so workers need not send an n-row array back with every tree.
 */
import type { FeatureMatrix } from "../../features/matrix.js";
import type { Labels } from "../types.js";
import { leafOf, type Tree } from "../tree.js";
import { bootstrapCounts, treeRandom, type GrowSettings } from "./grow.js";

/**
 * @returns the score, or undefined when no row was ever out of bag
 */
export function outOfBagScore(
  trees: readonly Tree[],
  settings: GrowSettings,
  X: FeatureMatrix,
  y: Labels,
  nClasses: number,
): number | undefined {
  const n = X.nRows;
  const d = nClasses > 0 ? nClasses : 1;
  const sum = new Float64Array(n * d);
  const votes = new Int32Array(n);
  const counts = new Int32Array(n);
  for (let t = 0; t < trees.length; t++) {
    const tree = trees[t]!;
    bootstrapCounts(treeRandom(settings.seed, t), n, settings.nDraws, counts);
    const value = tree.value;
    for (let i = 0; i < n; i++) {
      if (counts[i] !== 0) continue;
      const at = leafOf(tree, X, i) * d;
      for (let k = 0; k < d; k++) sum[i * d + k] = sum[i * d + k]! + value[at + k]!;
      votes[i]!++;
    }
  }
  let m = 0;
  if (nClasses > 0) {
    let correct = 0;
    for (let i = 0; i < n; i++) {
      if (votes[i] === 0) continue;
      m++;
      let best = 0;
      for (let k = 1; k < d; k++) if (sum[i * d + k]! > sum[i * d + best]!) best = k;
      if (best === y[i]) correct++;
    }
    return m === 0 ? undefined : correct / m;
  }
  let mean = 0;
  for (let i = 0; i < n; i++)
    if (votes[i]! > 0) {
      m++;
      mean += y[i]!;
    }
  if (m === 0) return undefined;
  mean /= m;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < n; i++) {
    if (votes[i] === 0) continue;
    const pred = sum[i]! / votes[i]!;
    ssRes += (y[i]! - pred) ** 2;
    ssTot += (y[i]! - mean) ** 2;
  }
  return ssTot === 0 ? (ssRes === 0 ? 1 : 0) : 1 - ssRes / ssTot;
}
