/**
 * Against scikit-learn 1.2's HistGradientBoosting on the same small matrix, with the parameters
 * both share (fixture written by scripts/fixtures/models_gbdt.py).
 *
 * What matches exactly: the bins (binning.ts follows scikit-learn's rule), hence every split
 * threshold; the tree structure (the same gain, constraints, missing-value search and order of
 * growth); the routing of missing values in features that had none in training. What matches
 * to rounding: leaf values and predictions — both sum float32 gradients in float64, but not
 * in the same order (we restore a feature's most frequent bin from the leaf's totals, and the
 * larger child is always the parent minus the smaller, as in scikit-learn), so sums differ in
 * the last bits, and 50 rounds carry that forward.
 *
 * What cannot match: a choice between two splits of exactly equal gain is decided by those
 * last bits. In a first multiclass round without weights every row of a class has the same
 * gradient, so such ties are common; the multiclass case therefore uses sample weights.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { featureMatrix, type FeatureMatrix } from "../../features/matrix.js";
import { ModelParams } from "../../project/schema.js";
import type { Tree } from "../tree.js";
import { GradientBoostingLearner } from "./learner.js";
import type { GradientBoostingModel } from "./model.js";

interface SkNode {
  feature?: number;
  threshold?: number | null;
  missingLeft?: number;
  count: number;
  value?: number;
  left?: SkNode;
  right?: SkNode;
}
interface Case {
  name: "binary" | "multiclass" | "regression";
  iterations: number;
  firstTrees: SkNode[];
  baseline: number[];
  raw1: number[];
  raw: number[];
  probeRaw: number[];
}
interface Reference {
  params: {
    learning_rate: number;
    max_leaf_nodes: number;
    min_samples_leaf: number;
    l2_regularization: number;
  };
  X: (number | null)[][];
  probe: (number | null)[][];
  y: Record<Case["name"], number[]>;
  weights: Partial<Record<Case["name"], number[]>>;
  cases: Case[];
}

const ref = JSON.parse(
  readFileSync(new URL("./fixtures/sklearn-reference.json", import.meta.url), "utf8"),
) as Reference;

function matrix(rows: (number | null)[][]): FeatureMatrix {
  const n = rows.length;
  const p = rows[0]!.length;
  const data = new Float64Array(n * p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) data[j * n + i] = rows[i]![j] ?? NaN;
  return featureMatrix(
    n,
    Array.from({ length: p }, (_, j) => `x${j}`),
    data,
  );
}

/** Our tree in scikit-learn's nested form (without counts, which we do not keep). */
function nested(tree: Tree, node = 0): SkNode {
  const f = tree.feature[node]!;
  if (f < 0) return { count: 0, value: tree.value[node]! };
  const t = tree.threshold[node]!;
  return {
    feature: f,
    threshold: t === Number.MAX_VALUE ? null : t,
    missingLeft: tree.missingLeft[node]!,
    count: 0,
    left: nested(tree, tree.left[node]),
    right: nested(tree, tree.right[node]),
  };
}

/** Compare structure exactly and values to `tol` (relative). */
function expectSameTree(ours: SkNode, theirs: SkNode, path: string, tol: number): void {
  if (theirs.value !== undefined) {
    expect(ours.value, `${path}: a leaf`).toBeDefined();
    expect(Math.abs(ours.value! - theirs.value), `${path} value`).toBeLessThanOrEqual(
      tol * Math.abs(theirs.value) + 1e-12,
    );
    return;
  }
  expect(ours.feature, `${path} feature`).toBe(theirs.feature);
  expect(ours.threshold, `${path} threshold`).toBe(theirs.threshold);
  expect(ours.missingLeft, `${path} missing left`).toBe(theirs.missingLeft);
  expectSameTree(ours.left!, theirs.left!, `${path}.left`, tol);
  expectSameTree(ours.right!, theirs.right!, `${path}.right`, tol);
}

async function fit(c: Case, trees: number): Promise<GradientBoostingModel> {
  const p = ref.params;
  const params = ModelParams.gradient_boosting.parse({
    trees,
    learning_rate: p.learning_rate,
    num_leaves: p.max_leaf_nodes,
    min_data_in_leaf: p.min_samples_leaf,
    lambda_l2: p.l2_regularization,
    max_bins: 255,
  });
  const X = matrix(ref.X);
  const target =
    c.name === "regression"
      ? ({ task: "regression" } as const)
      : { task: "classification" as const, classes: c.name === "binary" ? ["0", "1"] : ["0", "1", "2"] };
  const y = c.name === "regression" ? Float64Array.from(ref.y[c.name]) : Int32Array.from(ref.y[c.name]);
  const w = ref.weights[c.name];
  return (await new GradientBoostingLearner(params, target).fit(X, y, {
    threads: 1,
    ...(w === undefined ? {} : { weights: Float64Array.from(w) }),
  })) as GradientBoostingModel;
}

describe("gradient boosting against scikit-learn's HistGradientBoosting", () => {
  for (const c of ref.cases) {
    const K = c.name === "multiclass" ? 3 : 1;

    it(`grows the same first tree${K > 1 ? "s" : ""} as scikit-learn (${c.name})`, async () => {
      const model = await fit(c, 1);
      const trees = model.getTrees();
      expect(trees.length).toBe(K);
      for (let k = 0; k < K; k++) expectSameTree(nested(trees[k]!), c.firstTrees[k]!, `tree ${k}`, 1e-9);
      const base = model.getBaseScore();
      c.baseline.forEach((b, k) => expect(base[k]).toBeCloseTo(b, 12));
      const raw = model.predictRaw(matrix(ref.X));
      for (let i = 0; i < raw.length; i++) expect(raw[i]).toBeCloseTo(c.raw1[i]!, 8);
    });

    it(`predicts as scikit-learn after ${c.iterations} rounds (${c.name})`, async () => {
      const model = await fit(c, c.iterations);
      const scale = c.name === "regression" ? 10 : 1;
      for (const [X, expected] of [
        [matrix(ref.X), c.raw],
        [matrix(ref.probe), c.probeRaw],
      ] as const) {
        const raw = model.predictRaw(X);
        let worst = 0;
        for (let i = 0; i < raw.length; i++) worst = Math.max(worst, Math.abs(raw[i]! - expected[i]!));
        expect(worst).toBeLessThan(1e-6 * scale);
      }
    });
  }
});
