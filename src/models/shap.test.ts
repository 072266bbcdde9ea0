import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Random } from "../data/random.js";
import { SluiceError } from "../errors.js";
import { featureMatrix, type FeatureMatrix } from "../features/matrix.js";
import { treeShap } from "./shap.js";
import { addTreeOutputs, treeFromJSON, type Tree, type TreeJSON } from "./tree.js";

interface RandomTreeOptions {
  nFeatures: number;
  maxDepth: number;
  valueDim?: number;
  /** Chance that a node below the root becomes a leaf early. */
  leafChance?: number;
  /** Make cover[parent] differ from the sum of its children's covers. */
  looseCovers?: boolean;
  /** Chance that a leaf has cover 0. */
  zeroCoverChance?: number;
}

/** A random tree in preorder (children after parents), internal values the cover-weighted mean of leaves. */
function randomTree(rng: Random, o: RandomTreeOptions): Tree {
  const d = o.valueDim ?? 1;
  const feature: number[] = [];
  const threshold: number[] = [];
  const missingLeft: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const value: number[] = [];
  const cover: number[] = [];
  const gain: number[] = [];
  const build = (depth: number): number => {
    const n = feature.length;
    feature.push(-1);
    threshold.push(0);
    missingLeft.push(0);
    left.push(-1);
    right.push(-1);
    cover.push(0);
    gain.push(0);
    for (let j = 0; j < d; j++) value.push(0);
    if (depth === o.maxDepth || (depth > 0 && rng.next() < (o.leafChance ?? 0.2))) {
      cover[n] = rng.next() < (o.zeroCoverChance ?? 0) ? 0 : rng.uniform(0.5, 10);
      for (let j = 0; j < d; j++) value[n * d + j] = rng.normal();
      return n;
    }
    feature[n] = rng.int(o.nFeatures);
    threshold[n] = Math.round(rng.normal() * 4) / 4;
    missingLeft[n] = rng.next() < 0.5 ? 1 : 0;
    gain[n] = rng.next();
    const l = build(depth + 1);
    const r = build(depth + 1);
    left[n] = l;
    right[n] = r;
    cover[n] = cover[l]! + cover[r]!;
    for (let j = 0; j < d; j++)
      value[n * d + j] =
        cover[n] > 0 ? (cover[l]! * value[l * d + j]! + cover[r]! * value[r * d + j]!) / cover[n] : 0;
    if (o.looseCovers) cover[n] = cover[n] * rng.uniform(0.7, 1.3);
    return n;
  };
  build(0);
  const json: TreeJSON = { valueDim: d, feature, threshold, missingLeft, left, right, value, cover, gain };
  return treeFromJSON(json, o.nFeatures, "random tree");
}

/** Rows on the trees' threshold grid (so ties with thresholds occur), with some NaN. */
function randomRows(rng: Random, nRows: number, nFeatures: number, nanChance = 0.15): FeatureMatrix {
  const names = Array.from({ length: nFeatures }, (_, j) => `x${j}`);
  const data = Float64Array.from({ length: nRows * nFeatures }, () =>
    rng.next() < nanChance ? NaN : Math.round(rng.normal() * 8) / 8,
  );
  return featureMatrix(nRows, names, data);
}

/** v(S): the expected output with features in S fixed to the row's values, others following both branches by cover. */
function conditionalExpectation(
  tree: Tree,
  X: FeatureMatrix,
  row: number,
  S: number,
  j: number,
  node = 0,
): number {
  const f = tree.feature[node]!;
  if (f < 0) return tree.value[node * tree.valueDim + j]!;
  const l = tree.left[node]!;
  const r = tree.right[node]!;
  if ((S >> f) & 1) {
    const x = X.data[f * X.nRows + row]!;
    const goesLeft = x <= tree.threshold[node]! || (Number.isNaN(x) && tree.missingLeft[node] === 1);
    return conditionalExpectation(tree, X, row, S, j, goesLeft ? l : r);
  }
  const c = tree.cover[node]!;
  if (!(c > 0)) return 0;
  return (
    (tree.cover[l]! / c) * conditionalExpectation(tree, X, row, S, j, l) +
    (tree.cover[r]! / c) * conditionalExpectation(tree, X, row, S, j, r)
  );
}

function factorial(n: number): number {
  return n <= 1 ? 1 : n * factorial(n - 1);
}

/** Shapley values by enumerating every subset of features: [row][output][feature]. */
function bruteForceShap(
  trees: readonly Tree[],
  nOutputs: number,
  treeOutput: Int32Array | undefined,
  scale: number,
  X: FeatureMatrix,
): Float64Array {
  const M = X.nCols;
  const out = new Float64Array(X.nRows * nOutputs * M);
  const v = (row: number, S: number, k: number): number => {
    let sum = 0;
    trees.forEach((t, ti) => {
      if (t.valueDim === 1) {
        if ((treeOutput?.[ti] ?? 0) === k) sum += scale * conditionalExpectation(t, X, row, S, 0);
      } else sum += scale * conditionalExpectation(t, X, row, S, k);
    });
    return sum;
  };
  for (let row = 0; row < X.nRows; row++)
    for (let k = 0; k < nOutputs; k++)
      for (let i = 0; i < M; i++) {
        let phi = 0;
        for (let S = 0; S < 1 << M; S++) {
          if ((S >> i) & 1) continue;
          let size = 0;
          for (let b = 0; b < M; b++) size += (S >> b) & 1;
          const weight = (factorial(size) * factorial(M - size - 1)) / factorial(M);
          phi += weight * (v(row, S | (1 << i), k) - v(row, S, k));
        }
        out[(row * nOutputs + k) * M + i] = phi;
      }
  return out;
}

function expectClose(actual: Float64Array, expected: Float64Array, tol: number, what: string): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!));
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  expect(worst, `${what}: worst at ${at}: ${actual[at]} vs ${expected[at]}`).toBeLessThanOrEqual(tol);
}

/** Σ_f values + expectedValue against the trees' summed outputs, for every row and output. */
function expectAdditive(
  trees: readonly Tree[],
  nOutputs: number,
  treeOutput: Int32Array | undefined,
  scale: number,
  X: FeatureMatrix,
  tol = 1e-9,
): void {
  const { values, expectedValue } = treeShap(trees, { nOutputs, treeOutput, scale, nFeatures: X.nCols }, X);
  const raw = new Float64Array(X.nRows * nOutputs);
  trees.forEach((t, ti) =>
    addTreeOutputs(t, X, raw, nOutputs, t.valueDim === 1 ? (treeOutput?.[ti] ?? 0) : 0, scale),
  );
  const sums = new Float64Array(X.nRows * nOutputs);
  for (let i = 0; i < X.nRows * nOutputs; i++) {
    let s = expectedValue[i % nOutputs]!;
    for (let f = 0; f < X.nCols; f++) s += values[i * X.nCols + f]!;
    sums[i] = s;
  }
  expectClose(sums, raw, tol, "Σ contributions + expected vs prediction");
}

describe("treeShap against brute-force Shapley values", () => {
  it("matches on single random trees, with NaN routing and features repeated along paths", () => {
    const rng = new Random(1);
    for (let rep = 0; rep < 30; rep++) {
      const nFeatures = 2 + rng.int(4);
      const tree = randomTree(rng, { nFeatures, maxDepth: 2 + rng.int(5) });
      const X = randomRows(rng, 8, nFeatures);
      const { values } = treeShap([tree], { nOutputs: 1, scale: 1, nFeatures }, X);
      expectClose(values, bruteForceShap([tree], 1, undefined, 1, X), 1e-10, `tree ${rep}`);
    }
  });

  it("matches on a tree that splits on one feature three times along a path", () => {
    // x0 ≤ 0 → (x0 ≤ -1 → (x1 ≤ 0 → (x0 ≤ -2 → a, b), c), d), e
    const tree = treeFromJSON(
      {
        valueDim: 1,
        feature: [0, 0, 1, 0, -1, -1, -1, -1, -1],
        threshold: [0, -1, 0, -2, 0, 0, 0, 0, 0],
        missingLeft: [1, 0, 1, 0, 0, 0, 0, 0, 0],
        left: [1, 2, 3, 4, -1, -1, -1, -1, -1],
        right: [8, 7, 6, 5, -1, -1, -1, -1, -1],
        value: [0, 0, 0, 0, 1, -2, 3, 0.5, -1],
        cover: [20, 14, 8, 5, 2, 3, 3, 6, 6],
        gain: [1, 1, 1, 1, 0, 0, 0, 0, 0],
      },
      2,
      "t",
    );
    const X = featureMatrix(5, ["x0", "x1"], Float64Array.from([-3, -1.5, -0.5, NaN, 2, 1, NaN, -1, 0.5, 0]));
    const { values } = treeShap([tree], { nOutputs: 1, scale: 1, nFeatures: 2 }, X);
    expectClose(values, bruteForceShap([tree], 1, undefined, 1, X), 1e-12, "repeated feature");
  });

  it("matches on trees with several values per leaf (one per output)", () => {
    const rng = new Random(2);
    for (let rep = 0; rep < 10; rep++) {
      const trees = [0, 1, 2].map(() => randomTree(rng, { nFeatures: 4, maxDepth: 4, valueDim: 3 }));
      const X = randomRows(rng, 6, 4);
      const { values } = treeShap(trees, { nOutputs: 3, scale: 1 / 3, nFeatures: 4 }, X);
      expectClose(values, bruteForceShap(trees, 3, undefined, 1 / 3, X), 1e-10, `forest ${rep}`);
    }
  });

  it("matches on several one-output trees feeding different outputs", () => {
    const rng = new Random(3);
    const trees = Array.from({ length: 9 }, () => randomTree(rng, { nFeatures: 5, maxDepth: 4 }));
    const treeOutput = Int32Array.from(trees, (_, t) => t % 3);
    const X = randomRows(rng, 10, 5);
    const { values } = treeShap(trees, { nOutputs: 3, treeOutput, scale: 1, nFeatures: 5 }, X);
    expectClose(values, bruteForceShap(trees, 3, treeOutput, 1, X), 1e-10, "boosted multiclass");
  });

  it("gives a feature no tree uses a contribution of exactly 0", () => {
    const rng = new Random(4);
    const tree = randomTree(rng, { nFeatures: 2, maxDepth: 4 });
    const X = randomRows(rng, 20, 3);
    const { values } = treeShap([tree], { nOutputs: 1, scale: 1, nFeatures: 3 }, X);
    for (let i = 0; i < 20; i++) expect(values[i * 3 + 2]).toBe(0);
  });
});

describe("treeShap additivity", () => {
  it("adds up to the prediction on deep random trees with many features", () => {
    const rng = new Random(5);
    const trees = Array.from({ length: 20 }, () =>
      randomTree(rng, { nFeatures: 30, maxDepth: 12, leafChance: 0.1 }),
    );
    expectAdditive(trees, 1, undefined, 1, randomRows(rng, 200, 30));
  });

  it("adds up for forests of multi-valued trees and for boosted multiclass trees", () => {
    const rng = new Random(6);
    const forest = Array.from({ length: 10 }, () =>
      randomTree(rng, { nFeatures: 8, maxDepth: 8, valueDim: 4 }),
    );
    expectAdditive(forest, 4, undefined, 1 / 10, randomRows(rng, 100, 8));
    const boosted = Array.from({ length: 12 }, () => randomTree(rng, { nFeatures: 8, maxDepth: 6 }));
    expectAdditive(
      boosted,
      4,
      Int32Array.from(boosted, (_, t) => t % 4),
      1,
      randomRows(rng, 100, 8),
    );
  });

  it("adds up when a parent's cover is not the sum of its children's", () => {
    const rng = new Random(7);
    const trees = Array.from({ length: 10 }, () =>
      randomTree(rng, { nFeatures: 6, maxDepth: 7, looseCovers: true }),
    );
    expectAdditive(trees, 1, undefined, 1, randomRows(rng, 100, 6));
  });

  it("stays finite and adds up when some leaves have zero cover", () => {
    const rng = new Random(8);
    const trees = Array.from({ length: 10 }, () =>
      randomTree(rng, { nFeatures: 5, maxDepth: 6, zeroCoverChance: 0.3 }),
    );
    const X = randomRows(rng, 100, 5);
    const { values } = treeShap(trees, { nOutputs: 1, scale: 1, nFeatures: 5 }, X);
    expect(values.every(Number.isFinite)).toBe(true);
    expectAdditive(trees, 1, undefined, 1, X);
    expectClose(
      values.subarray(0, 50),
      bruteForceShap(trees, 1, undefined, 1, X).subarray(0, 50),
      1e-10,
      "zero cover",
    );
  });

  it("gives a one-leaf tree no contributions and its value as the expected value", () => {
    const stump = treeFromJSON(
      {
        valueDim: 1,
        feature: [-1],
        threshold: [0],
        missingLeft: [0],
        left: [-1],
        right: [-1],
        value: [2.5],
        cover: [10],
        gain: [0],
      },
      2,
      "stump",
    );
    const { values, expectedValue } = treeShap(
      [stump],
      { nOutputs: 1, scale: 1, nFeatures: 2 },
      randomRows(new Random(12), 3, 2),
    );
    expect([...values]).toEqual([0, 0, 0, 0, 0, 0]);
    expect([...expectedValue]).toEqual([2.5]);
  });

  it("takes the expected value from the covers, equal to the root values when they are the leaves' mean", () => {
    const rng = new Random(9);
    const tree = randomTree(rng, { nFeatures: 4, maxDepth: 5 });
    const X = randomRows(rng, 1, 4);
    const { expectedValue } = treeShap([tree, tree], { nOutputs: 1, scale: 0.5, nFeatures: 4 }, X);
    expect(expectedValue[0]).toBeCloseTo(tree.value[0]!, 12);
  });
});

interface XgbCase {
  name: string;
  nFeatures: number;
  nOutputs: number;
  trees: TreeJSON[];
  treeOutput: number[];
  baseMargin: number[];
  X: number[];
  nRows: number;
  margin: number[];
  contribs: number[];
}

describe("treeShap against XGBoost's pred_contribs", () => {
  const ref = JSON.parse(readFileSync(new URL("./fixtures/shap-xgboost.json", import.meta.url), "utf8")) as {
    generator: string;
    cases: XgbCase[];
  };
  for (const c of ref.cases)
    it(`gives XGBoost's contributions for the ${c.name} model`, () => {
      const names = Array.from({ length: c.nFeatures }, (_, j) => `f${j}`);
      const X = featureMatrix(
        c.nRows,
        names,
        Float64Array.from(c.X, (v) => v ?? NaN),
      );
      const trees = c.trees.map((t, i) => treeFromJSON(t, c.nFeatures, `trees[${i}]`));
      const treeOutput = Int32Array.from(c.treeOutput);
      // Our routing of the exported trees reproduces XGBoost's margins.
      const raw = new Float64Array(c.nRows * c.nOutputs);
      trees.forEach((t, i) => addTreeOutputs(t, X, raw, c.nOutputs, treeOutput[i]!, 1));
      for (let i = 0; i < raw.length; i++) raw[i] = raw[i]! + c.baseMargin[i % c.nOutputs]!;
      expectClose(raw, Float64Array.from(c.margin), 1e-5, "margins");

      const { values, expectedValue } = treeShap(
        trees,
        { nOutputs: c.nOutputs, treeOutput, scale: 1, nFeatures: c.nFeatures },
        X,
      );
      // XGBoost's row layout: [row][output][feature + bias], in float32.
      const ours = new Float64Array(c.contribs.length);
      const w = c.nFeatures + 1;
      for (let i = 0; i < c.nRows; i++)
        for (let k = 0; k < c.nOutputs; k++) {
          for (let f = 0; f < c.nFeatures; f++)
            ours[(i * c.nOutputs + k) * w + f] = values[(i * c.nOutputs + k) * c.nFeatures + f]!;
          ours[(i * c.nOutputs + k) * w + c.nFeatures] = expectedValue[k]! + c.baseMargin[k]!;
        }
      expectClose(ours, Float64Array.from(c.contribs), 2e-5, "contributions");
    });
});

describe("treeShap refusals", () => {
  const rng = new Random(10);
  const tree = randomTree(rng, { nFeatures: 3, maxDepth: 3 });

  it("names both column counts when the matrix does not fit", () => {
    try {
      treeShap([tree], { nOutputs: 1, scale: 1, nFeatures: 3 }, randomRows(rng, 2, 4));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SluiceError);
      expect((err as SluiceError).code).toBe("E_MATRIX");
      expect((err as SluiceError).message).toBe(
        "cannot explain a matrix of 4 columns: the model has 3 features",
      );
    }
  });

  it("refuses trees that do not fit the outputs", () => {
    const X = randomRows(rng, 2, 3);
    expect(() =>
      treeShap([tree], { nOutputs: 2, treeOutput: Int32Array.from([2]), scale: 1, nFeatures: 3 }, X),
    ).toThrow("treeShap: tree 0 feeds output 2; the model has 2");
    expect(() =>
      treeShap([tree], { nOutputs: 1, treeOutput: new Int32Array(2), scale: 1, nFeatures: 3 }, X),
    ).toThrow("treeShap: treeOutput has 2 entries for 1 trees");
    const wide = randomTree(rng, { nFeatures: 3, maxDepth: 2, valueDim: 3 });
    expect(() => treeShap([wide], { nOutputs: 2, scale: 1, nFeatures: 3 }, X)).toThrow(
      "treeShap: tree 0 has valueDim 3; expected 1 or nOutputs (2)",
    );
  });
});
