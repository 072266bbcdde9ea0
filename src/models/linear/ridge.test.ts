import { describe, expect, it } from "vitest";
import { featureMatrix } from "../../features/matrix.js";
import { Random } from "../../data/random.js";
import { ModelParams } from "../../project/schema.js";
import { isSluiceError, type SluiceError } from "../../errors.js";
import type { ModelFile } from "../types.js";
import type { RidgeModel } from "./ridge.js";
import { RidgeLearner, ridgeFromJSON } from "./ridge.js";
import { fromRows, linearReference, type RidgeCase } from "./test-utils/matrix.js";

const ref = linearReference();
const ridgeCases = ref.cases.filter((c): c is RidgeCase => c.model === "ridge");

async function fitCase(c: RidgeCase): Promise<RidgeModel> {
  const d = ref.datasets[c.data]!;
  const learner = new RidgeLearner(ModelParams.ridge.parse(c.params), { task: "regression" });
  const weights = d.weights === null ? undefined : Float64Array.from(d.weights);
  return (await learner.fit(
    fromRows(d.X),
    Float64Array.from(d.y),
    weights === undefined ? {} : { weights },
  )) as RidgeModel;
}

async function fitError(fit: () => Promise<unknown>): Promise<SluiceError> {
  try {
    await fit();
  } catch (err) {
    if (isSluiceError(err)) return err;
    throw err;
  }
  throw new Error("expected the fit to fail");
}

/** Ridge by the textbook formula on the augmented system, for comparison: solve [XᵀWX + αI'] by Gaussian elimination. */
function naiveRidge(rows: number[][], y: number[], w: number[], alpha: number): number[] {
  const p = rows[0]!.length;
  const d = p + 1; // last coordinate: the intercept, not penalised
  const A = Array.from({ length: d }, () => new Array<number>(d + 1).fill(0));
  rows.forEach((r, i) => {
    const x = [...r, 1];
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) A[a]![b]! += w[i]! * x[a]! * x[b]!;
      A[a]![d]! += w[i]! * x[a]! * y[i]!;
    }
  });
  for (let a = 0; a < p; a++) A[a]![a]! += alpha;
  for (let c = 0; c < d; c++) {
    let piv = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(A[r]![c]!) > Math.abs(A[piv]![c]!)) piv = r;
    [A[c], A[piv]] = [A[piv]!, A[c]!];
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = A[r]![c]! / A[c]![c]!;
      for (let k = c; k <= d; k++) A[r]![k]! -= f * A[c]![k]!;
    }
  }
  return A.map((row, a) => row[d]! / row[a]!);
}

describe("ridge regression", () => {
  for (const c of ridgeCases)
    it(`fits scikit-learn's coefficients: ${c.name}`, async () => {
      const m = await fitCase(c);
      const coef = m.coefficients();
      c.coef[0]!.forEach((v, j) => expect(coef[j]).toBeCloseTo(v, 9));
      expect(m.intercepts()[0]).toBeCloseTo(c.intercept[0]!, 8);
      const pred = m.predict(fromRows(ref.datasets[c.data]!.X.slice(0, 25)));
      c.predictions.forEach((v, i) => expect(pred[i]).toBeCloseTo(v, 8));
    });

  it("agrees with the textbook normal equations, weighted", async () => {
    const d = ref.datasets["regression weighted"]!;
    const naive = naiveRidge(d.X, d.y, d.weights!, 3);
    const m = (await new RidgeLearner(ModelParams.ridge.parse({ alpha: 3 }), { task: "regression" }).fit(
      fromRows(d.X),
      Float64Array.from(d.y),
      { weights: Float64Array.from(d.weights!) },
    )) as RidgeModel;
    const coef = m.coefficients();
    for (let j = 0; j < coef.length; j++) expect(coef[j]).toBeCloseTo(naive[j]!, 9);
    expect(m.intercepts()[0]).toBeCloseTo(naive[coef.length]!, 8);
  });

  it("gives the same answer from its dual form (more features than rows) as from its primal form", async () => {
    const rng = new Random(4);
    const n = 12;
    const p = 30;
    const X = featureMatrix(
      n,
      Array.from({ length: p }, (_, j) => `f${j}`),
      Float64Array.from({ length: n * p }, () => rng.normal()),
    );
    const y = Float64Array.from({ length: n }, () => rng.normal());
    const wide = (await new RidgeLearner(ModelParams.ridge.parse({ alpha: 2 }), { task: "regression" }).fit(
      X,
      y,
    )) as RidgeModel;
    // The same problem with the rows repeated (n > p: primal form), and weights ½ so the loss is equal.
    const X2 = new Float64Array(2 * n * p);
    for (let j = 0; j < p; j++) for (let i = 0; i < 2 * n; i++) X2[j * 2 * n + i] = X.data[j * n + (i % n)]!;
    const tall = (await new RidgeLearner(ModelParams.ridge.parse({ alpha: 2 }), { task: "regression" }).fit(
      featureMatrix(2 * n, X.names, X2),
      Float64Array.from({ length: 2 * n }, (_, i) => y[i % n]!),
      { weights: new Float64Array(2 * n).fill(0.5) },
    )) as RidgeModel;
    const a = wide.coefficients();
    const b = tall.coefficients();
    for (let j = 0; j < p; j++) expect(a[j]).toBeCloseTo(b[j]!, 10);
  });

  it("explains exactly against the training means", async () => {
    const c = ridgeCases[1]!;
    const m = await fitCase(c);
    const X = fromRows(ref.datasets[c.data]!.X);
    const e = m.explain(X);
    const pred = m.predict(X);
    for (let i = 0; i < X.nRows; i++) {
      let s = e.expectedValue[0]!;
      for (let f = 0; f < e.nFeatures; f++) s += e.values[i * e.nFeatures + f]!;
      expect(s).toBeCloseTo(pred[i]!, 9);
    }
    expect(Array.from(m.importances().coefficient!)).toEqual(Array.from(m.coefficients(), Math.abs));
  });

  it("predicts one row as the matrix does, and gives bit-identical predictions after a save and load", async () => {
    const c = ridgeCases[0]!;
    const m = await fitCase(c);
    const X = fromRows(ref.datasets[c.data]!.X);
    const text = JSON.stringify(m.toJSON());
    const loaded = ridgeFromJSON(JSON.parse(text) as ModelFile);
    expect(Array.from(loaded.predict(X))).toEqual(Array.from(m.predict(X)));
    expect(JSON.stringify(loaded.toJSON())).toBe(text);
    const out = new Float64Array(1);
    const row = Float64Array.from(ref.datasets[c.data]!.X[3]!);
    expect(m.predictOne(row, out)[0]).toBeCloseTo(m.predict(X)[3]!, 12);
  });

  it("predicts numbers, never NaN, for inputs of 1e300", async () => {
    const m = await fitCase(ridgeCases[0]!);
    const X = featureMatrix(
      2,
      ["x0", "x1", "x2", "x3", "x4"],
      Float64Array.from([1e300, -1e300, -1e300, 1e300, 1e300, 1e300, 1e300, -1e300, -1e300, 1e300]),
    );
    for (const v of m.predict(X)) expect(Number.isNaN(v)).toBe(false);
  });

  it("refuses classification, missing values, infinite targets and a wrong number of columns", async () => {
    const d = ref.datasets.regression!;
    const X = fromRows(d.X);
    const y = Float64Array.from(d.y);
    const learner = new RidgeLearner(ModelParams.ridge.parse({}), { task: "regression" });
    const cls = new RidgeLearner(ModelParams.ridge.parse({}), {
      task: "classification",
      classes: ["a", "b"],
    });
    expect(
      (
        await fitError(() =>
          cls.fit(
            X,
            Int32Array.from(y, (v) => (v > 0 ? 1 : 0)),
          ),
        )
      ).hint,
    ).toMatch(/logistic_regression/);
    const bad = y.slice();
    bad[5] = Infinity;
    bad[7] = NaN;
    const err = await fitError(() => learner.fit(X, bad));
    expect(err.code).toBe("E_LABELS");
    expect(err.message).toBe("2 training targets are not a finite number; the first is Infinity at row 5");
    const data = X.data.slice();
    data[3 * X.nRows + 11] = NaN;
    expect((await fitError(() => learner.fit(featureMatrix(X.nRows, X.names, data), y))).message).toMatch(
      /feature "x3" is missing \(NaN\) at row 11/,
    );
    const m = await learner.fit(X, y);
    expect(() => m.predict(featureMatrix(1, ["a"], Float64Array.of(1)))).toThrow(
      "the matrix has 1 column, but the model was fitted on 5 features",
    );
    expect(() => m.predictProba(X)).toThrow(/predicts values, not class probabilities/);
  });
});
