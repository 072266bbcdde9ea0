import { describe, expect, it } from "vitest";
import { boost } from "./boost.js";
import { fitGradientBoosting } from "./learner.js";
import { GradientBoostingModel } from "./model.js";
import { BINARY, gbParams, REGRESSION, synthetic, THREE } from "./test-utils/data.js";

// Thresholds low enough that these small fits reorder their rows after the first round.
const reordered = { reorderMinRows: 1 };

describe("gradient boosting with its rows reordered", () => {
  it("predicts as the fit that keeps the caller's row order", async () => {
    for (const [task, target] of [
      ["binary", BINARY],
      ["multiclass", THREE],
      ["regression", REGRESSION],
    ] as const) {
      const { X, y } = synthetic(2500, task, 4);
      const params = gbParams({ trees: 10, num_leaves: 15, feature_fraction: 0.8 });
      const kept = await fitGradientBoosting(params, target, X, y, { seed: 2 });
      const moved = await fitGradientBoosting(params, target, X, y, { seed: 2 }, reordered);
      // Rows are summed in another order: equal up to rounding (float32 gradients summed in
      // float64 mostly round the same either way).
      const a = kept.predictRaw(X);
      const b = moved.predictRaw(X);
      for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i]!, 9);
    }
  });

  it("returns the training scores in the caller's row order, with bagging", async () => {
    for (const [task, target] of [
      ["regression", REGRESSION],
      ["multiclass", THREE],
    ] as const) {
      const { X, y } = synthetic(2000, task, 5);
      const params = gbParams({ trees: 8, bagging_fraction: 0.6 });
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
        tuning: reordered,
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

  it("leaves the caller's labels and weights as they were", async () => {
    const { X, y } = synthetic(1500, "binary", 6);
    const labels = y.slice();
    const weights = Float64Array.from({ length: X.nRows }, (_, i) => 1 + (i % 3));
    const w = weights.slice();
    await fitGradientBoosting(gbParams({ trees: 4 }), BINARY, X, y, { weights }, reordered);
    expect(y).toEqual(labels);
    expect(weights).toEqual(w);
  });

  it("writes a byte-identical model whatever the number of threads", async () => {
    const threaded = {
      threadsMinCells: 1,
      parallelMinEntries: 1,
      parallelMinRows: 1,
      reorderMinRows: 1,
      shardMinRows: 100,
    };
    for (const [task, target, extra] of [
      ["binary", BINARY, {}],
      ["multiclass", THREE, { bagging_fraction: 0.7 }],
    ] as const) {
      const { X, y } = synthetic(3000, task, 9);
      const params = gbParams({ trees: 6, num_leaves: 15, ...extra });
      const files: string[] = [];
      for (const threads of [1, 2, 3])
        files.push(
          JSON.stringify((await fitGradientBoosting(params, target, X, y, { threads }, threaded)).toJSON()),
        );
      expect(files[1]).toBe(files[0]);
      expect(files[2]).toBe(files[0]);
    }
  });
});
