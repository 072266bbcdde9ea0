import { describe, expect, it } from "vitest";
import { isSluiceError } from "../../errors.js";
import { featureMatrix } from "../../features/matrix.js";
import { fitGradientBoosting, GradientBoostingLearner } from "./learner.js";
import { BINARY, gbParams, REGRESSION, synthetic, THREE } from "./test-utils/data.js";

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    if (isSluiceError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error("expected the fit to fail");
}

const params = gbParams({ trees: 5 });

describe("gradient boosting on bad input", () => {
  it("refuses NaN and infinite regression targets, naming how many and the first row", async () => {
    const { X, y } = synthetic(100, "regression");
    y[7] = NaN;
    y[40] = Infinity;
    const e = await failure(fitGradientBoosting(params, REGRESSION, X, y));
    expect(e.code).toBe("E_LABELS");
    expect(e.message).toContain("2 training targets");
    expect(e.message).toContain("row 7");
  });

  it("refuses a training set with one class", async () => {
    const { X } = synthetic(50, "binary");
    const e = await failure(fitGradientBoosting(params, BINARY, X, new Int32Array(50).fill(1)));
    expect(e.code).toBe("E_LABELS");
    expect(e.message).toContain('"yes"');
  });

  it("refuses class codes out of range, negative or not integers", async () => {
    const { X, y } = synthetic(60, "binary");
    for (const bad of [2, -1, 0.5]) {
      const labels = Float64Array.from(y);
      labels[13] = bad;
      const e = await failure(fitGradientBoosting(params, BINARY, X, labels));
      expect(e.code).toBe("E_LABELS");
      expect(e.message).toContain("row 13");
    }
  });

  it("refuses zero rows, and labels that do not match the rows", async () => {
    const empty = featureMatrix(0, ["a", "b"], new Float64Array(0));
    expect((await failure(fitGradientBoosting(params, REGRESSION, empty, new Float64Array(0)))).code).toBe(
      "E_MATRIX",
    );
    const { X } = synthetic(30, "regression");
    expect((await failure(fitGradientBoosting(params, REGRESSION, X, new Float64Array(29)))).code).toBe(
      "E_MATRIX",
    );
  });

  it("refuses a validation class that no training row had", async () => {
    const { X, y } = synthetic(300, "multiclass");
    const train = Int32Array.from(y, (v) => (v === 2 ? 1 : v));
    const e = await failure(
      fitGradientBoosting(params, THREE, X, train, { validation: { X, y: Int32Array.from(y) } }),
    );
    expect(e.code).toBe("E_LABELS");
    expect(e.message).toContain('"c"');
  });

  it("refuses negative and NaN weights", async () => {
    const { X, y } = synthetic(40, "binary");
    for (const bad of [-1, NaN]) {
      const w = new Float64Array(40).fill(1);
      w[9] = bad;
      const e = await failure(fitGradientBoosting(params, BINARY, X, y, { weights: w }));
      expect(e.code).toBe("E_USAGE");
      expect(e.message).toContain("row 9");
    }
  });

  it("refuses a matrix with another number of columns at prediction, naming both counts", async () => {
    const { X, y } = synthetic(200, "binary");
    const model = await fitGradientBoosting(params, BINARY, X, y);
    const narrow = featureMatrix(3, ["a", "b", "c"], new Float64Array(9));
    for (const call of [
      () => model.predictRaw(narrow),
      () => model.predictProba(narrow),
      () => model.explain(narrow),
    ]) {
      expect(call).toThrow(/3 columns.*5 features/);
      expect(call).toThrow(expect.objectContaining({ code: "E_MATRIX" }));
    }
    expect(() => model.predictOne(new Float64Array(4))).toThrow(
      expect.objectContaining({ code: "E_MATRIX" }),
    );
  });

  it("takes huge values, constant features and more features than rows without NaN predictions", async () => {
    const n = 30;
    const F = 50;
    const data = new Float64Array(n * F);
    for (let i = 0; i < n; i++) {
      data[i] = i % 2 === 0 ? 1e300 : -1e300;
      data[n + i] = 4; // constant
      for (let f = 2; f < F; f++) data[f * n + i] = ((i * 7 + f * 13) % 11) - 5;
    }
    const X = featureMatrix(
      n,
      Array.from({ length: F }, (_, f) => `f${f}`),
      data,
    );
    const y = Int32Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : 0));
    const model = await fitGradientBoosting(gbParams({ trees: 5, min_data_in_leaf: 2 }), BINARY, X, y);
    const p = model.predictProba(X);
    expect(p.every(Number.isFinite)).toBe(true);
    // The huge feature separates the classes perfectly, and the model finds it.
    expect(p[1]!).toBeGreaterThan(p[3]!);
    const constant = featureMatrix(n, ["c"], new Float64Array(n).fill(2));
    const skewed = Int32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const flat = await fitGradientBoosting(params, BINARY, constant, skewed);
    // Nothing to split on: every tree is one leaf, and the probability stays the base rate.
    expect(flat.getTrees().every((t) => t.nNodes === 1)).toBe(true);
    const q = flat.predictProba(constant);
    for (let i = 0; i < n; i++) expect(q[2 * i + 1]).toBeCloseTo(1 / 3, 6);
  });

  it("stops with E_ABORTED when its signal is aborted, before or during the fit", async () => {
    const { X, y } = synthetic(500, "binary");
    const before = new AbortController();
    before.abort();
    expect((await failure(fitGradientBoosting(params, BINARY, X, y, { signal: before.signal }))).code).toBe(
      "E_ABORTED",
    );
    const during = new AbortController();
    const e = await failure(
      new GradientBoostingLearner(gbParams({ trees: 50 }), BINARY).fit(X, y, {
        signal: during.signal,
        onIteration: (round) => {
          if (round === 3) during.abort();
        },
      }),
    );
    expect(e.code).toBe("E_ABORTED");
  });
});
