import { describe, expect, it } from "vitest";
import { featureMatrix, type FeatureMatrix } from "../../features/matrix.js";
import { rocAuc } from "../linear/test-utils/real-data.js";
import { GradientBoostingLearner, fitGradientBoosting } from "./learner.js";
import { boost } from "./boost.js";
import { GradientBoostingModel } from "./model.js";
import { BINARY, gbParams, REGRESSION, synthetic, THREE } from "./test-utils/data.js";

function rows(X: FeatureMatrix, from: number, to: number): FeatureMatrix {
  const n = to - from;
  const data = new Float64Array(n * X.nCols);
  for (let j = 0; j < X.nCols; j++) data.set(X.data.subarray(j * X.nRows + from, j * X.nRows + to), j * n);
  return featureMatrix(n, X.names, data);
}

function json(model: GradientBoostingModel): string {
  return JSON.stringify(model.toJSON());
}

describe("gradient boosting learner", () => {
  it("learns a binary signal that a held-out part confirms", async () => {
    const { X, y } = synthetic(4000, "binary");
    const train = rows(X, 0, 3000);
    const test = rows(X, 3000, 4000);
    const model = await new GradientBoostingLearner(gbParams({ trees: 60 }), BINARY).fit(
      train,
      y.subarray(0, 3000),
    );
    const p = model.predictProba(test);
    const score = Float64Array.from({ length: test.nRows }, (_, i) => p[2 * i + 1]!);
    expect(rocAuc(y.subarray(3000), score)).toBeGreaterThan(0.85);
    expect(model.iterations).toBe(60);
    expect(model.nOutputs).toBe(1);
    for (let i = 0; i < test.nRows; i++) expect(p[2 * i]! + p[2 * i + 1]!).toBeCloseTo(1, 12);
    const labels = model.predict(test);
    for (let i = 0; i < test.nRows; i++) expect(labels[i]).toBe(score[i]! > 0.5 ? 1 : 0);
  });

  it("grows one tree per class each round for three classes", async () => {
    const { X, y } = synthetic(3000, "multiclass");
    const model = (await new GradientBoostingLearner(gbParams({ trees: 30 }), THREE).fit(
      X,
      y,
    )) as GradientBoostingModel;
    expect(model.nOutputs).toBe(3);
    expect(model.getTrees().length).toBe(90);
    const p = model.predictProba(X);
    let correct = 0;
    const predicted = model.predict(X);
    for (let i = 0; i < X.nRows; i++) {
      expect(p[3 * i]! + p[3 * i + 1]! + p[3 * i + 2]!).toBeCloseTo(1, 12);
      if (predicted[i] === y[i]) correct++;
    }
    expect(correct / X.nRows).toBeGreaterThan(0.8);
  });

  it("fits regression targets, starting from their weighted mean", async () => {
    const { X, y } = synthetic(3000, "regression");
    const w = Float64Array.from({ length: X.nRows }, (_, i) => (i % 2 === 0 ? 1 : 3));
    const model = await fitGradientBoosting(gbParams({ trees: 80 }), REGRESSION, X, y, { weights: w });
    let sw = 0;
    let swy = 0;
    for (let i = 0; i < y.length; i++) {
      sw += w[i]!;
      swy += w[i]! * y[i]!;
    }
    expect(model.getBaseScore()[0]).toBeCloseTo(swy / sw, 10);
    const pred = model.predict(X);
    let sse = 0;
    let sst = 0;
    for (let i = 0; i < y.length; i++) {
      sse += (pred[i]! - y[i]!) ** 2;
      sst += (y[i]! - swy / sw) ** 2;
    }
    expect(1 - sse / sst).toBeGreaterThan(0.9);
    expect(() => model.predictProba(X)).toThrow(expect.objectContaining({ code: "E_USAGE" }));
  });

  it("gives unweighted squared error (constant hessians) the same trees as weights of 1", async () => {
    const { X, y } = synthetic(2000, "regression");
    const params = gbParams({ trees: 20 });
    const plain = await fitGradientBoosting(params, REGRESSION, X, y);
    const ones = await fitGradientBoosting(params, REGRESSION, X, y, {
      weights: new Float64Array(X.nRows).fill(1),
    });
    expect(json(plain)).toBe(json(ones));
  });

  it("turns class_weight balanced and scale_pos_weight into row weights", async () => {
    const { X, y } = synthetic(2000, "binary");
    let pos = 0;
    for (const v of y) pos += v;
    const n = y.length;
    const balancedW = Float64Array.from(y, (v) => (v === 1 ? n / (2 * pos) : n / (2 * (n - pos))));
    const a = await fitGradientBoosting(gbParams({ trees: 10, class_weight: "balanced" }), BINARY, X, y);
    const b = await fitGradientBoosting(gbParams({ trees: 10 }), BINARY, X, y, { weights: balancedW });
    expect(a.toJSON().trees).toEqual(b.toJSON().trees);
    const c = await fitGradientBoosting(gbParams({ trees: 10, scale_pos_weight: 3 }), BINARY, X, y);
    const d = await fitGradientBoosting(gbParams({ trees: 10 }), BINARY, X, y, {
      weights: Float64Array.from(y, (v) => (v === 1 ? 3 : 1)),
    });
    expect(c.toJSON().trees).toEqual(d.toJSON().trees);
    expect(c.getBaseScore()[0]).toBeGreaterThan(a.getBaseScore()[0]! - 1e-9);
  });

  it("learns where missing values go, and sends them to the larger side of splits on features that had none", async () => {
    const { X, y } = synthetic(4000, "regression");
    const model = await fitGradientBoosting(gbParams({ trees: 40 }), REGRESSION, X, y);
    // Missing x2 behaves like x2 = 1.5: above every value, so like the highest x2.
    const probe = (x2: number): number => model.predictOne(Float64Array.of(0, 0, x2, 0, 0))[0]!;
    expect(Math.abs(probe(NaN) - probe(1))).toBeLessThan(Math.abs(probe(NaN) - probe(-1)));
    // x0, x1, x3, x4 had no missing values: NaN follows the side with more training rows
    // (the cover of unweighted squared error is the row count).
    let checked = 0;
    for (const tree of model.getTrees())
      for (let node = 0; node < tree.nNodes; node++) {
        const f = tree.feature[node]!;
        if (f < 0 || f === 2) continue;
        const more = tree.cover[tree.left[node]!]! > tree.cover[tree.right[node]!]! ? 1 : 0;
        expect(tree.missingLeft[node]).toBe(more);
        checked++;
      }
    expect(checked).toBeGreaterThan(50);
  });

  it("stops early on the validation loss and keeps the best round's trees", async () => {
    const { X, y } = synthetic(3000, "binary", 5);
    const train = rows(X, 0, 2000);
    const valid = rows(X, 2000, 3000);
    const losses: number[] = [];
    const model = await fitGradientBoosting(
      gbParams({
        trees: 400,
        learning_rate: 0.5,
        num_leaves: 63,
        min_data_in_leaf: 2,
        early_stopping_rounds: 10,
      }),
      BINARY,
      train,
      y.subarray(0, 2000),
      {
        validation: { X: valid, y: y.subarray(2000) },
        onIteration: (round, loss) => {
          expect(round).toBe(losses.length + 1);
          losses.push(loss);
        },
      },
    );
    const best = losses.indexOf(Math.min(...losses)) + 1;
    expect(losses.length).toBe(best + 10);
    expect(model.iterations).toBe(best);
    expect(losses.length).toBeLessThan(400);
    // The kept model's validation loss is the best one seen.
    const p = model.predictProba(valid);
    let loss = 0;
    for (let i = 0; i < valid.nRows; i++) loss -= Math.log(p[2 * i + y[2000 + i]!]!);
    expect(loss / valid.nRows).toBeCloseTo(losses[best - 1]!, 9);
  });

  it("stops when onIteration returns false, with NaN losses and no validation set", async () => {
    const { X, y } = synthetic(500, "binary");
    const seen: number[] = [];
    const model = await fitGradientBoosting(gbParams({ trees: 50 }), BINARY, X, y, {
      onIteration: (round, loss) => {
        seen.push(loss);
        return round < 7;
      },
    });
    expect(model.iterations).toBe(7);
    expect(seen.length).toBe(7);
    expect(seen.every(Number.isNaN)).toBe(true);
  });

  it("explains each raw output exactly: contributions plus the expected value", async () => {
    for (const [task, target] of [
      ["binary", BINARY],
      ["multiclass", THREE],
      ["regression", REGRESSION],
    ] as const) {
      const { X, y } = synthetic(1500, task);
      const model = await fitGradientBoosting(gbParams({ trees: 15 }), target, X, y);
      const probe = rows(X, 0, 200);
      const ex = model.explain(probe);
      const raw = model.predictRaw(probe);
      const K = model.nOutputs;
      for (let i = 0; i < probe.nRows; i++)
        for (let k = 0; k < K; k++) {
          let s = ex.expectedValue[k]!;
          for (let f = 0; f < ex.nFeatures; f++) s += ex.values[(i * K + k) * ex.nFeatures + f]!;
          expect(Math.abs(s - raw[i * K + k]!)).toBeLessThanOrEqual(
            1e-9 * Math.max(1, Math.abs(raw[i * K + k]!)),
          );
        }
    }
  });

  it("reports gain and split counts per feature, the sums over its trees", async () => {
    const { X, y } = synthetic(2000, "binary");
    const model = await fitGradientBoosting(gbParams({ trees: 10 }), BINARY, X, y);
    const imp = model.importances();
    const gain = new Float64Array(5);
    const split = new Float64Array(5);
    for (const t of model.getTrees())
      for (let n = 0; n < t.nNodes; n++)
        if (t.feature[n]! >= 0) {
          gain[t.feature[n]!]! += t.gain[n]!;
          split[t.feature[n]!]!++;
        }
    expect(imp.gain).toEqual(gain);
    expect(imp.split).toEqual(split);
    // x0 carries the most signal, x4 none.
    expect(imp.gain![0]).toBeGreaterThan(imp.gain![4]! * 5);
  });

  it("predicts one row as the matrix path does, into the array it is given", async () => {
    const { X, y } = synthetic(1000, "multiclass");
    const model = await fitGradientBoosting(gbParams({ trees: 10 }), THREE, X, y);
    const p = model.predictProba(X);
    const out = new Float64Array(3);
    const row = new Float64Array(5);
    for (let i = 0; i < 50; i++) {
      for (let f = 0; f < 5; f++) row[f] = X.data[f * X.nRows + i]!;
      expect(model.predictOne(row, out)).toBe(out);
      expect([...out]).toEqual([...p.subarray(3 * i, 3 * i + 3)]);
    }
  });

  it("samples features per tree and rows per round from the seed", async () => {
    const { X, y } = synthetic(2000, "binary");
    const params = gbParams({ trees: 10, feature_fraction: 0.6, bagging_fraction: 0.5 });
    const a = await fitGradientBoosting(params, BINARY, X, y, { seed: 3 });
    const b = await fitGradientBoosting(params, BINARY, X, y, { seed: 3 });
    const c = await fitGradientBoosting(params, BINARY, X, y, { seed: 4 });
    expect(json(a)).toBe(json(b));
    expect(json(a)).not.toBe(json(c));
    // Every tree uses at most round(0.6 × 5) = 3 features, and a root covers half the rows.
    for (const t of a.getTrees()) {
      const used = new Set([...t.feature].filter((f) => f >= 0));
      expect(used.size).toBeLessThanOrEqual(3);
    }
    const full = await fitGradientBoosting(gbParams({ trees: 10 }), BINARY, X, y);
    expect(a.getTrees()[0]!.cover[0]!).toBeLessThan(full.getTrees()[0]!.cover[0]! * 0.6);
  });

  it("scores rows left out of a round's sample through the tree exactly as prediction does", async () => {
    for (const [task, target] of [
      ["regression", REGRESSION],
      ["multiclass", THREE],
    ] as const) {
      const { X, y } = synthetic(2000, task);
      const params = gbParams({ trees: 12, bagging_fraction: 0.3, feature_fraction: 0.8 });
      const K = task === "multiclass" ? 3 : 1;
      const result = await boost({
        X,
        y,
        weights: undefined,
        objective: task,
        nOutputs: K,
        nClasses: K === 1 ? 0 : 3,
        params,
        options: {},
      });
      const model = new GradientBoostingModel({
        task: target.task,
        classes: "classes" in target ? target.classes : undefined,
        featureNames: X.names,
        params,
        objective: task,
        baseScore: result.baseScore,
        trees: result.trees,
      });
      const raw = model.predictRaw(X);
      const scores = result.trainScores();
      for (let k = 0; k < K; k++)
        for (let i = 0; i < X.nRows; i++) expect(scores[k * X.nRows + i]).toBe(raw[i * K + k]);
    }
  });

  it("honours max_depth and num_leaves", async () => {
    const { X, y } = synthetic(3000, "regression");
    const model = await fitGradientBoosting(
      gbParams({ trees: 5, num_leaves: 63, max_depth: 3, min_data_in_leaf: 1 }),
      REGRESSION,
      X,
      y,
    );
    for (const t of model.getTrees()) {
      const depth = new Int32Array(t.nNodes);
      let leaves = 0;
      for (let n = 0; n < t.nNodes; n++) {
        if (t.feature[n]! < 0) {
          leaves++;
          expect(depth[n]).toBeLessThanOrEqual(3);
        } else depth[t.left[n]!] = depth[t.right[n]!] = depth[n]! + 1;
      }
      expect(leaves).toBe(8);
    }
    const wide = await fitGradientBoosting(gbParams({ trees: 3, num_leaves: 5 }), REGRESSION, X, y);
    for (const t of wide.getTrees()) expect([...t.feature].filter((f) => f < 0).length).toBe(5);
  });

  it("keeps each node's value the cover-weighted mean of its children", async () => {
    const { X, y } = synthetic(1500, "binary");
    const model = await fitGradientBoosting(gbParams({ trees: 3, lambda_l2: 1 }), BINARY, X, y);
    for (const t of model.getTrees())
      for (let n = 0; n < t.nNodes; n++) {
        if (t.feature[n]! < 0) continue;
        const l = t.left[n]!;
        const r = t.right[n]!;
        expect(t.cover[n]).toBeCloseTo(t.cover[l]! + t.cover[r]!, 9);
        expect(t.value[n]).toBeCloseTo(
          (t.cover[l]! * t.value[l]! + t.cover[r]! * t.value[r]!) / (t.cover[l]! + t.cover[r]!),
          12,
        );
        expect(t.gain[n]).toBeGreaterThan(0);
        expect(l).toBeGreaterThan(n);
        expect(r).toBeGreaterThan(n);
      }
  });
});
