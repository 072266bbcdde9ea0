import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Random } from "../data/random.js";
import { isSluiceError } from "../errors.js";
import { featureMatrix } from "../features/matrix.js";
import { LogisticRegressionLearner } from "../models/linear/logistic.js";
import { RidgeLearner } from "../models/linear/ridge.js";
import { ModelParams } from "../project/schema.js";
import { crossValidate, summarizeFolds, type CrossValidation } from "./cv.js";

interface Summary {
  folds: Record<string, number>[];
  mean: Record<string, number>;
  std: Record<string, number>;
}
const ref = JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", "cv-reference.json"), "utf8")) as {
  X: number[];
  nRows: number;
  nCols: number;
  yRegression: number[];
  yClassification: number[];
  folds: { train: number[]; valid: number[] }[];
  ridge: Summary;
  logistic: Summary;
};
const X = featureMatrix(ref.nRows, ["a", "b", "c", "d"], Float64Array.from(ref.X));
const foldRows = ref.folds.map((f) => ({ train: Int32Array.from(f.train), valid: Int32Array.from(f.valid) }));
const binary = { task: "classification" as const, classes: ["0", "1"] };
const logisticSpec = {
  kind: "logistic_regression" as const,
  params: ModelParams.logistic_regression.parse({ tol: 1e-10, max_iter: 10_000 }),
  target: binary,
};

function expectScores(cv: CrossValidation, expected: Summary, digits: number): void {
  expected.folds.forEach((fold, i) => {
    for (const [m, v] of Object.entries(fold))
      expect(cv.folds[i]!.scores[m]!, `fold ${i} ${m}`).toBeCloseTo(v, digits);
  });
  for (const [m, v] of Object.entries(expected.mean)) expect(cv.mean[m]!, `mean ${m}`).toBeCloseTo(v, digits);
  for (const [m, v] of Object.entries(expected.std)) expect(cv.std[m]!, `std ${m}`).toBeCloseTo(v, digits);
}

describe("crossValidate against scikit-learn on the same folds", () => {
  it("scores ridge per fold, with mean and std, as cross_validate does", async () => {
    const cv = await crossValidate(
      { kind: "ridge", params: ModelParams.ridge.parse({ alpha: 1 }), target: { task: "regression" } },
      X,
      Float64Array.from(ref.yRegression),
      { folds: 5, foldRows, seed: 1, metrics: ["rmse", "mae", "r2"], threads: 2 },
    );
    expectScores(cv, ref.ridge, 9);
  });

  it("scores logistic regression per fold, fitting folds on worker threads", async () => {
    const cv = await crossValidate(logisticSpec, X, Int32Array.from(ref.yClassification), {
      folds: 5,
      foldRows,
      seed: 1,
      metrics: ["roc_auc", "log_loss", "accuracy"],
      positive: 1,
      threads: 2,
    });
    // Both solvers stop within about 1e-5 of the optimum, so log loss agrees to ~5e-6.
    expectScores(cv, ref.logistic, 4);
    expect(cv.folds.every((f) => f.iterations > 0 && f.fitSeconds >= 0)).toBe(true);
  });
});

describe("crossValidate", () => {
  const y = Int32Array.from(ref.yClassification);

  it("gives the same scores on worker threads as with a learner factory on this thread", async () => {
    const options = { folds: 4, seed: 9, metrics: ["roc_auc", "brier"] as const, positive: 1 };
    const threaded = await crossValidate(logisticSpec, X, y, { ...options, threads: 2 });
    const here = await crossValidate(
      () => new LogisticRegressionLearner(logisticSpec.params, binary),
      X,
      y,
      options,
    );
    expect(threaded.folds.map((f) => f.scores)).toEqual(here.folds.map((f) => f.scores));
    expect(threaded.mean).toEqual(here.mean);
  });

  it("changes its folds with the seed and keeps them with the same seed", async () => {
    const a = await crossValidate(logisticSpec, X, y, {
      folds: 3,
      seed: 1,
      metrics: ["roc_auc"],
      threads: 1,
    });
    const b = await crossValidate(logisticSpec, X, y, {
      folds: 3,
      seed: 1,
      metrics: ["roc_auc"],
      threads: 1,
    });
    const c = await crossValidate(logisticSpec, X, y, {
      folds: 3,
      seed: 2,
      metrics: ["roc_auc"],
      threads: 1,
    });
    expect(b.folds.map((f) => f.scores)).toEqual(a.folds.map((f) => f.scores));
    expect(c.folds.map((f) => f.scores)).not.toEqual(a.folds.map((f) => f.scores));
  });

  it("scores on rows the fold did not train on: noise labels give ROC AUC near 0.5", async () => {
    const n = 400;
    const rng = new Random(3);
    const data = new Float64Array(n * 30);
    for (let i = 0; i < data.length; i++) data[i] = rng.normal();
    const noise = Int32Array.from({ length: n }, () => (rng.next() < 0.5 ? 1 : 0));
    const Xn = featureMatrix(
      n,
      Array.from({ length: 30 }, (_, j) => `x${j}`),
      data,
    );
    const spec = { ...logisticSpec, params: ModelParams.logistic_regression.parse({ C: 100 }) };
    const cv = await crossValidate(spec, Xn, noise, { folds: 5, seed: 4, metrics: ["roc_auc"], threads: 1 });
    // The same model scored on its own training rows looks far better than chance.
    const fit = await new LogisticRegressionLearner(spec.params, binary).fit(Xn, noise);
    const own = await crossValidate(() => new LogisticRegressionLearner(spec.params, binary), Xn, noise, {
      folds: 2,
      foldRows: [
        {
          train: Int32Array.from({ length: n }, (_, i) => i),
          valid: Int32Array.from({ length: n }, (_, i) => i),
        },
      ],
      seed: 4,
      metrics: ["roc_auc"],
    });
    expect(fit.iterations).toBeGreaterThan(0);
    expect(own.mean.roc_auc!).toBeGreaterThan(0.65);
    expect(Math.abs(cv.mean.roc_auc! - 0.5)).toBeLessThan(0.08);
  });

  it("weights the fits and the scores", async () => {
    const yr = Float64Array.from(ref.yRegression);
    const spec = {
      kind: "ridge" as const,
      params: ModelParams.ridge.parse({}),
      target: { task: "regression" as const },
    };
    const plain = await crossValidate(spec, X, yr, {
      folds: 5,
      foldRows,
      seed: 1,
      metrics: ["rmse"],
      threads: 1,
    });
    const ones = await crossValidate(spec, X, yr, {
      folds: 5,
      foldRows,
      seed: 1,
      metrics: ["rmse"],
      threads: 1,
      weights: new Float64Array(ref.nRows).fill(1),
    });
    const skewed = await crossValidate(spec, X, yr, {
      folds: 5,
      foldRows,
      seed: 1,
      metrics: ["rmse"],
      threads: 1,
      weights: Float64Array.from({ length: ref.nRows }, (_, i) => (i % 3 === 0 ? 5 : 0.2)),
    });
    expect(ones.mean.rmse!).toBeCloseTo(plain.mean.rmse!, 12);
    expect(Math.abs(skewed.mean.rmse! - plain.mean.rmse!)).toBeGreaterThan(1e-3);
  });

  it("refuses more folds than rows with E_SPLIT", async () => {
    const small = featureMatrix(3, ["a"], Float64Array.from([1, 2, 3]));
    const err: unknown = await crossValidate(
      () => new RidgeLearner(ModelParams.ridge.parse({}), { task: "regression" }),
      small,
      Float64Array.from([1, 2, 3]),
      { folds: 5, seed: 1 },
    ).catch((e: unknown) => e);
    expect(isSluiceError(err, "E_SPLIT")).toBe(true);
  });

  it("passes a learner's own error through with its code", async () => {
    const bad = Int32Array.from(y);
    bad[7] = 5;
    const err: unknown = await crossValidate(logisticSpec, X, bad, {
      folds: 3,
      seed: 1,
      threads: 2,
      stratify: false,
    }).catch((e: unknown) => e);
    expect(isSluiceError(err, "E_LABELS")).toBe(true);
  });
});

describe("summarizeFolds", () => {
  it("gives the mean and the population standard deviation", () => {
    const s = summarizeFolds([
      { scores: { a: 1 }, fitSeconds: 0, iterations: 1 },
      { scores: { a: 3 }, fitSeconds: 0, iterations: 1 },
    ]);
    expect(s.mean.a).toBe(2);
    expect(s.std.a).toBe(1);
  });
});
