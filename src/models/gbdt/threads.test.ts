import { describe, expect, it } from "vitest";
import { fitGradientBoosting } from "./learner.js";
import { BINARY, gbParams, REGRESSION, synthetic, THREE } from "./test-utils/data.js";

// Thresholds low enough that these small fits start histogram threads, cut their rows into
// shards and split every build over the threads.
const threaded = { threadsMinCells: 1, parallelMinEntries: 1, parallelMinRows: 1, shardMinRows: 100 };

describe("gradient boosting on threads", () => {
  it("writes a byte-identical model whatever the number of threads", async () => {
    for (const [task, target, extra] of [
      ["binary", BINARY, {}],
      ["multiclass", THREE, { bagging_fraction: 0.7, feature_fraction: 0.8 }],
      ["regression", REGRESSION, {}],
    ] as const) {
      const { X, y } = synthetic(3000, task, 9);
      const params = gbParams({ trees: 8, num_leaves: 15, ...extra });
      const files: string[] = [];
      for (const threads of [1, 2, 3])
        files.push(
          JSON.stringify((await fitGradientBoosting(params, target, X, y, { threads }, threaded)).toJSON()),
        );
      expect(files[1]).toBe(files[0]);
      expect(files[2]).toBe(files[0]);
      // And the same as a fit that never starts a thread (with the same shards: how rows are
      // cut depends on the data and these thresholds, never on the threads).
      const plain = await fitGradientBoosting(params, target, X, y, { threads: 1 }, { shardMinRows: 100 });
      expect(JSON.stringify(plain.toJSON())).toBe(files[0]);
    }
  });

  it("fits the same model on threads through the learner's own thresholds", async () => {
    // 100,000 × 20 cells is past the threshold for threads; both threads split large leaves.
    const n = 100_000;
    const base = synthetic(n, "binary", 3);
    const data = new Float64Array(n * 20);
    for (let j = 0; j < 20; j++) data.set(base.X.data.subarray((j % 5) * n, ((j % 5) + 1) * n), j * n);
    const X = { nRows: n, nCols: 20, names: Array.from({ length: 20 }, (_, j) => `c${j}`), data };
    const params = gbParams({ trees: 3, num_leaves: 7 });
    const one = await fitGradientBoosting(params, BINARY, X, base.y, { threads: 1 });
    const two = await fitGradientBoosting(params, BINARY, X, base.y, { threads: 2 });
    expect(JSON.stringify(two.toJSON())).toBe(JSON.stringify(one.toJSON()));
  });
});
