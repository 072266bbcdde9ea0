import { describe, expect, it } from "vitest";
import { Random } from "../data/random.js";
import { addFlatTrees, flattenTrees } from "./flat-trees.js";
import { leafOfRow, type Tree } from "./tree.js";

/** A random full tree of `depth` over `nFeatures`, with random thresholds and missing directions. */
function randomTree(rng: Random, depth: number, nFeatures: number): Tree {
  const nodes = 2 ** (depth + 1) - 1;
  const feature = new Int32Array(nodes);
  const threshold = new Float64Array(nodes);
  const missingLeft = new Uint8Array(nodes);
  const left = new Int32Array(nodes);
  const right = new Int32Array(nodes);
  const value = new Float64Array(nodes);
  for (let n = 0; n < nodes; n++) {
    if (2 * n + 1 < nodes) {
      feature[n] = Math.floor(rng.next() * nFeatures);
      threshold[n] = rng.normal();
      missingLeft[n] = rng.next() < 0.5 ? 1 : 0;
      left[n] = 2 * n + 1;
      right[n] = 2 * n + 2;
    } else {
      feature[n] = -1;
      left[n] = right[n] = -1;
      value[n] = rng.normal();
    }
  }
  return {
    nNodes: nodes,
    valueDim: 1,
    feature,
    threshold,
    missingLeft,
    left,
    right,
    value,
    cover: new Float64Array(nodes),
    gain: new Float64Array(nodes),
  };
}

describe("flattenTrees", () => {
  it("gives every row, with NaN and infinite values, the same sums as walking each tree", () => {
    const rng = new Random(7);
    const nFeatures = 6;
    const trees = Array.from({ length: 40 }, (_, t) => randomTree(rng, 1 + (t % 5), nFeatures));
    const outputs = 3;
    const treeOutput = Int32Array.from(trees, (_, t) => t % outputs);
    const flat = flattenTrees(trees);
    const row = new Float64Array(nFeatures);
    for (let r = 0; r < 2000; r++) {
      for (let f = 0; f < nFeatures; f++) {
        const u = rng.next();
        row[f] = u < 0.1 ? NaN : u < 0.13 ? Infinity : u < 0.16 ? -Infinity : rng.normal();
      }
      const naive = new Float64Array(outputs);
      trees.forEach((tree, t) => {
        const k = treeOutput[t]!;
        naive[k] = naive[k]! + tree.value[leafOfRow(tree, row)]!;
      });
      const got = new Float64Array(outputs);
      addFlatTrees(flat, row, treeOutput, got);
      expect(Array.from(got)).toEqual(Array.from(naive));
    }
  });
});
