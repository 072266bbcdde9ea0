import { describe, expect, it } from "vitest";
import { featureMatrix } from "../../features/matrix.js";
import { Random } from "../../data/random.js";
import { ModelParams, type LogisticRegressionParams } from "../../project/schema.js";
import { isSluiceError, type SluiceError } from "../../errors.js";
import type { Model, TargetInfo } from "../types.js";
import {
  LogisticRegressionLearner,
  logisticRegressionFromJSON,
  type LogisticRegressionModel,
} from "./logistic.js";
import { LogisticLoss } from "./logistic-loss.js";
import { fromRows, linearReference, type LogisticCase } from "./test-utils/matrix.js";

const ref = linearReference();
const logisticCases = ref.cases.filter((c): c is LogisticCase => c.model === "logistic_regression");

function params(overrides: Record<string, unknown> = {}): LogisticRegressionParams {
  return ModelParams.logistic_regression.parse(overrides);
}

function classesOf(K: number): string[] {
  return Array.from({ length: K }, (_, k) => `c${k}`);
}

function target(K = 2): TargetInfo {
  return { task: "classification", classes: classesOf(K) };
}

async function fitCase(c: LogisticCase, solver: "lbfgs" | "newton"): Promise<LogisticRegressionModel> {
  const d = ref.datasets[c.data]!;
  const learner = new LogisticRegressionLearner(
    params({ ...c.params, solver, tol: 1e-10, max_iter: 10_000 }),
    target(c.classes),
  );
  const weights = d.weights === null ? undefined : Float64Array.from(d.weights);
  return (await learner.fit(
    fromRows(d.X),
    Int32Array.from(d.y),
    weights === undefined ? {} : { weights },
  )) as LogisticRegressionModel;
}

/** Largest absolute difference, after centring each intercept list when there are several (softmax intercepts are defined up to a shift). */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>, centre = false): number {
  const mean = (v: ArrayLike<number>): number =>
    centre ? Array.from(v).reduce((s, x) => s + x, 0) / v.length : 0;
  const ma = mean(a);
  const mb = mean(b);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - ma - (b[i]! - mb)));
  return m;
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

/** A learnable binary problem: y = 1 when 2·x0 − x1 + noise > 0. */
function binaryProblem(n: number, seed = 1): { X: ReturnType<typeof featureMatrix>; y: Int32Array } {
  const rng = new Random(seed);
  const data = new Float64Array(n * 3);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const a = rng.normal();
    const b = rng.normal();
    data[i] = a;
    data[n + i] = b;
    data[2 * n + i] = rng.normal();
    y[i] = 2 * a - b + rng.normal() > 0 ? 1 : 0;
  }
  return { X: featureMatrix(n, ["a", "b", "noise"], data), y };
}

describe("logistic regression against scikit-learn", () => {
  for (const c of logisticCases)
    it(`fits scikit-learn's coefficients and probabilities with lbfgs: ${c.name}`, async () => {
      const m = await fitCase(c, "lbfgs");
      // The reference is newton-cg at tol 1e-12 (saga for l1): both sides are at the optimum.
      expect(maxDiff(m.coefficients(), c.coef.flat())).toBeLessThan(1e-6);
      expect(maxDiff(m.intercepts(), c.intercept, c.classes > 2)).toBeLessThan(1e-6);
      const proba = m.predictProba(fromRows(ref.datasets[c.data]!.X.slice(0, 25)));
      expect(maxDiff(proba, c.proba.flat())).toBeLessThan(1e-7);
      // scikit-learn's default lbfgs (tol 1e-4, max_iter 1000) lands close to the same optimum.
      expect(maxDiff(m.coefficients(), c.defaultCoef.flat())).toBeLessThan(5e-3);
    });

  for (const c of logisticCases.filter((c) => c.classes === 2 && c.params.penalty !== "l1"))
    it(`fits the same coefficients with the newton solver: ${c.name}`, async () => {
      const m = await fitCase(c, "newton");
      expect(maxDiff(m.coefficients(), c.coef.flat())).toBeLessThan(1e-8);
      expect(maxDiff(m.intercepts(), c.intercept)).toBeLessThan(1e-7);
      expect(m.converged).toBe(true);
      expect(m.iterations).toBeLessThan(15);
    });

  it("sets coefficients exactly to zero with penalty l1", async () => {
    const c = logisticCases.find((x) => x.name === "multinomial l1 C=0.1")!;
    const m = await fitCase(c, "lbfgs");
    const zeroRef = c.coef.flat().map((v) => Math.abs(v) < 1e-9);
    const zeroOurs = Array.from(m.coefficients(), (v) => v === 0);
    expect(zeroRef.some(Boolean)).toBe(true);
    expect(zeroOurs).toEqual(zeroRef);
  });
});

describe("the logistic loss", () => {
  it("has the gradient of finite differences, binary and multinomial", () => {
    for (const K of [2, 3]) {
      const rng = new Random(K);
      const n = 40;
      const p = 3;
      const X = featureMatrix(
        n,
        ["a", "b", "c"],
        Float64Array.from({ length: n * p }, () => rng.normal()),
      );
      const y = Int32Array.from({ length: n }, () => rng.int(K));
      const w = new Float64Array(n).fill(1 / n);
      const loss = new LogisticLoss(X, y, w, K, true, 0.3);
      const x = Float64Array.from({ length: loss.dim }, () => rng.normal());
      const g = new Float64Array(loss.dim);
      loss.value(x, g);
      const scratch = new Float64Array(loss.dim);
      for (let i = 0; i < loss.dim; i++) {
        const h = 1e-6;
        const up = x.slice();
        const down = x.slice();
        up[i] = up[i]! + h;
        down[i] = down[i]! - h;
        const numeric = (loss.value(up, scratch) - loss.value(down, scratch)) / (2 * h);
        expect(g[i]!).toBeCloseTo(numeric, 7);
      }
    }
  });

  it("gives the value and gradient of a naive row-by-row loop, with zero coefficients and p not a multiple of 4", () => {
    for (const [K, p, fitIntercept] of [
      [2, 7, true],
      [2, 4, false],
      [3, 9, true],
      [4, 1, true],
    ] as const) {
      const rng = new Random(10 * K + p);
      const n = 57;
      const data = Float64Array.from({ length: n * p }, () => rng.normal() * 3);
      const X = featureMatrix(
        n,
        Array.from({ length: p }, (_, j) => `f${j}`),
        data,
      );
      const y = Int32Array.from({ length: n }, () => rng.int(K));
      const w = Float64Array.from({ length: n }, () => rng.next() + 0.5);
      const sw = w.reduce((a, b) => a + b, 0);
      for (let i = 0; i < n; i++) w[i] = w[i]! / sw;
      const l2 = 0.05;
      const loss = new LogisticLoss(X, y, w, K, fitIntercept, l2);
      const nOut = loss.nOut;
      const x = Float64Array.from({ length: loss.dim }, (_, i) => (i % 3 === 1 ? 0 : rng.normal()));
      const g = new Float64Array(loss.dim);
      const f = loss.value(x, g);

      // Naive: one row at a time, the margins as plain sums, the softmax / sigmoid directly.
      const expectedG = new Float64Array(loss.dim);
      let expectedF = 0;
      for (let i = 0; i < n; i++) {
        const z = Array.from({ length: nOut }, (_, k) => {
          let s = fitIntercept ? x[nOut * p + k]! : 0;
          for (let j = 0; j < p; j++) s += data[j * n + i]! * x[k * p + j]!;
          return s;
        });
        const probs =
          nOut === 1
            ? [1 / (1 + Math.exp(-z[0]!))]
            : z.map((v) => Math.exp(v) / z.reduce((a, u) => a + Math.exp(u), 0));
        const target = nOut === 1 ? [y[i] === 1 ? 1 : 0] : probs.map((_, k) => (k === y[i] ? 1 : 0));
        expectedF -=
          nOut === 1
            ? w[i]! * (target[0]! * Math.log(probs[0]!) + (1 - target[0]!) * Math.log(1 - probs[0]!))
            : w[i]! * Math.log(probs[y[i]!]!);
        for (let k = 0; k < nOut; k++) {
          const r = w[i]! * (probs[k]! - target[k]!);
          for (let j = 0; j < p; j++) expectedG[k * p + j] = expectedG[k * p + j]! + data[j * n + i]! * r;
          if (fitIntercept) expectedG[nOut * p + k] = expectedG[nOut * p + k]! + r;
        }
      }
      for (let c = 0; c < nOut * p; c++) {
        expectedF += 0.5 * l2 * x[c]! ** 2;
        expectedG[c] = expectedG[c]! + l2 * x[c]!;
      }
      expect(f, `K=${K} p=${p}`).toBeCloseTo(expectedF, 10);
      for (let c = 0; c < loss.dim; c++)
        expect(g[c]!, `K=${K} p=${p} gradient ${c}`).toBeCloseTo(expectedG[c]!, 10);
    }
  });
});

describe("logistic regression models", () => {
  it("explains exactly: contributions plus the expected value give the raw output, per class", async () => {
    for (const c of [logisticCases[1]!, logisticCases.find((x) => x.classes === 3)!]) {
      const m = await fitCase(c, "lbfgs");
      const X = fromRows(ref.datasets[c.data]!.X.slice(0, 30));
      const e = m.explain(X);
      const raw = m.predictRaw(X);
      expect(e.nOutputs).toBe(c.classes === 2 ? 1 : 3);
      for (let i = 0; i < X.nRows; i++)
        for (let k = 0; k < e.nOutputs; k++) {
          let s = e.expectedValue[k]!;
          for (let f = 0; f < e.nFeatures; f++) s += e.values[(i * e.nOutputs + k) * e.nFeatures + f]!;
          expect(s).toBeCloseTo(raw[i * e.nOutputs + k]!, 10);
        }
    }
  });

  it("stores the weighted training means it explains against", async () => {
    const X = fromRows([[1], [3], [10]]);
    const y = Int32Array.of(0, 1, 1);
    const m = await new LogisticRegressionLearner(params(), target()).fit(X, y, {
      weights: Float64Array.of(1, 1, 2),
    });
    const json = m.toJSON();
    expect(json.featureMeans).toEqual([(1 + 3 + 20) / 4]);
  });

  it("predicts the class with the highest probability, and one row alike without allocating", async () => {
    const c = logisticCases.find((x) => x.name === "multinomial l2 C=1")!;
    const m = await fitCase(c, "lbfgs");
    const X = fromRows(ref.datasets[c.data]!.X);
    const proba = m.predictProba(X);
    const pred = m.predict(X);
    const out = new Float64Array(3);
    const row = new Float64Array(4);
    for (let i = 0; i < X.nRows; i++) {
      const p = proba.subarray(i * 3, i * 3 + 3);
      expect(p[0]! + p[1]! + p[2]!).toBeCloseTo(1, 12);
      expect(pred[i]).toBe(p.indexOf(Math.max(...p)));
      for (let j = 0; j < 4; j++) row[j] = X.data[j * X.nRows + i]!;
      expect(m.predictOne(row, out)).toBe(out);
      for (let k = 0; k < 3; k++) expect(out[k]).toBeCloseTo(p[k]!, 14);
    }
  });

  it("gives bit-identical predictions after a save and load, and the same file from the same fit", async () => {
    const c = logisticCases.find((x) => x.name === "multinomial weighted C=0.2")!;
    const m = await fitCase(c, "lbfgs");
    const again = await fitCase(c, "lbfgs");
    const text = JSON.stringify(m.toJSON());
    expect(JSON.stringify(again.toJSON())).toBe(text);
    const loaded = logisticRegressionFromJSON(JSON.parse(text) as ReturnType<Model["toJSON"]>);
    const X = fromRows(ref.datasets[c.data]!.X);
    expect(Array.from(loaded.predictProba(X))).toEqual(Array.from(m.predictProba(X)));
    expect(Array.from(loaded.explain(X).values)).toEqual(Array.from(m.explain(X).values));
    expect(JSON.stringify(loaded.toJSON())).toBe(text);
  });

  it("refuses a damaged file, naming the field", () => {
    const file = {
      format: "sluice-model",
      formatVersion: 1,
      sluiceVersion: "0.1.0",
      kind: "logistic_regression",
      task: "classification",
      classes: ["a", "b"],
      featureNames: ["x", "y"],
      nOutputs: 1,
      params: {},
      iterations: 3,
      coefficients: [[1, "2"]],
      intercepts: [0],
      featureMeans: [0, 0],
    };
    expect(() => logisticRegressionFromJSON(file as never)).toThrow(
      /coefficients\[0\]\[1\] is 2, not a finite number/,
    );
    expect(() =>
      logisticRegressionFromJSON({ ...file, coefficients: [[1, 2]], intercepts: [] } as never),
    ).toThrow(/intercepts has 0 entries, expected 1/);
  });

  it("gives probabilities, never NaN, for inputs of 1e300", async () => {
    const { X, y } = binaryProblem(200);
    const m = await new LogisticRegressionLearner(params(), target()).fit(X, y);
    const huge = featureMatrix(
      4,
      X.names,
      Float64Array.from([1e300, -1e300, 1e300, 0, -1e300, 1e300, 1e300, 5, 1, 1, -1e300, 1e300]),
    );
    const proba = m.predictProba(huge);
    for (const v of proba) expect(Number.isFinite(v) && v >= 0 && v <= 1).toBe(true);
    for (const v of m.predictRaw(huge)) expect(Number.isNaN(v)).toBe(false);
    const one = m.predictOne(Float64Array.of(1e300, -1e300, 1e300));
    expect(one[0]! + one[1]!).toBeCloseTo(1, 12);
  });

  it("fits a constant feature with a zero coefficient", async () => {
    const { X, y } = binaryProblem(300);
    const data = X.data.slice();
    data.fill(4, 2 * X.nRows);
    const m = (await new LogisticRegressionLearner(params({ tol: 1e-10 }), target()).fit(
      featureMatrix(X.nRows, X.names, data),
      y,
    )) as LogisticRegressionModel;
    // Its gradient is the intercept's times 4: zero at the optimum, and the penalty pulls it to 0.
    expect(Math.abs(m.coefficients()[2]!)).toBeLessThan(1e-6);
  });

  it("reports the validation loss after each iteration and stops when told to", async () => {
    const { X, y } = binaryProblem(400);
    const v = binaryProblem(200, 2);
    const losses: number[] = [];
    const m = await new LogisticRegressionLearner(params(), target()).fit(X, y, {
      validation: { X: v.X, y: v.y },
      onIteration: (i, loss) => {
        losses.push(loss);
        return i < 3;
      },
    });
    expect(m.iterations).toBe(3);
    expect(losses).toHaveLength(3);
    expect(losses[2]!).toBeLessThan(Math.log(2));
    expect(losses[2]!).toBeLessThan(losses[0]!);
  });

  it("stops with E_ABORTED when its signal is aborted", async () => {
    const { X, y } = binaryProblem(100);
    const controller = new AbortController();
    controller.abort();
    const err = await fitError(() =>
      new LogisticRegressionLearner(params(), target()).fit(X, y, { signal: controller.signal }),
    );
    expect(err.code).toBe("E_ABORTED");
  });
});

describe("logistic regression refuses what it cannot fit", () => {
  const { X, y } = binaryProblem(50);
  const learner = new LogisticRegressionLearner(params(), target());

  it("names the feature and the row of a missing value", async () => {
    const data = X.data.slice();
    data[X.nRows + 17] = NaN;
    const err = await fitError(() => learner.fit(featureMatrix(X.nRows, X.names, data), y));
    expect(err.code).toBe("E_MATRIX");
    expect(err.message).toBe(
      'feature "b" is missing (NaN) at row 17: a logistic regression needs a number in every cell',
    );
  });

  it("names the count and the first row of labels that are not class codes", async () => {
    const bad = y.slice();
    bad[4] = 2;
    bad[9] = -1;
    const err = await fitError(() => learner.fit(X, bad));
    expect(err.code).toBe("E_LABELS");
    expect(err.message).toBe("2 training labels are not a class code 0..1; the first is 2 at row 4");
    const nan = Float64Array.from(y);
    nan[6] = NaN;
    expect((await fitError(() => learner.fit(X, nan))).message).toMatch(
      /1 training label is not a class code 0..1; the first is NaN at row 6/,
    );
  });

  it("refuses a single class", async () => {
    const err = await fitError(() => learner.fit(X, new Int32Array(X.nRows).fill(1)));
    expect(err.code).toBe("E_LABELS");
    expect(err.message).toMatch(/every training row has the class "c1"/);
  });

  it("refuses zero rows", async () => {
    const err = await fitError(() =>
      learner.fit(featureMatrix(0, ["a"], new Float64Array(0)), new Int32Array(0)),
    );
    expect(err.code).toBe("E_MATRIX");
  });

  it("refuses negative and NaN weights, naming the first", async () => {
    const w = new Float64Array(X.nRows).fill(1);
    w[3] = -1;
    w[8] = NaN;
    const err = await fitError(() => learner.fit(X, y, { weights: w }));
    expect(err.code).toBe("E_USAGE");
    expect(err.message).toBe("2 sample weights are negative, NaN or infinite; the first is -1 at row 3");
  });

  it("refuses a class that no training row has, and validation labels that are not classes", async () => {
    const three = new LogisticRegressionLearner(params(), target(3));
    const err = await fitError(() => three.fit(X, y));
    expect(err.code).toBe("E_LABELS");
    expect(err.message).toMatch(/class "c2" has no training rows/);
    const vy = y.slice(0, 10);
    vy[5] = 7;
    const err2 = await fitError(() =>
      learner.fit(X, y, { validation: { X: featureMatrix(10, X.names, X.data.slice(0, 30)), y: vy } }),
    );
    expect(err2.code).toBe("E_LABELS");
    expect(err2.message).toBe("1 validation label is not a class code 0..1; the first is 7 at row 5");
  });

  it("names both counts when the matrix has the wrong number of columns at prediction", async () => {
    const m = await learner.fit(X, y);
    expect(() => m.predictProba(featureMatrix(1, ["a", "b"], Float64Array.of(1, 2)))).toThrow(
      "the matrix has 2 columns, but the model was fitted on 3 features",
    );
    expect(() => m.predictOne(Float64Array.of(1, 2))).toThrow(
      /the row has 2 values, but the model was fitted on 3 features/,
    );
  });

  it("refuses regression targets, multiclass newton and l1 newton with what to use instead", async () => {
    const reg = new LogisticRegressionLearner(params(), { task: "regression" });
    expect((await fitError(() => reg.fit(X, Float64Array.from(y)))).hint).toMatch(/ridge/);
    const c = logisticCases.find((x) => x.classes === 3)!;
    const d = ref.datasets[c.data]!;
    const newton3 = new LogisticRegressionLearner(params({ solver: "newton" }), target(3));
    expect((await fitError(() => newton3.fit(fromRows(d.X), Int32Array.from(d.y)))).message).toMatch(
      /solver newton fits binary problems; this target has 3 classes/,
    );
    const l1 = new LogisticRegressionLearner(params({ solver: "newton", penalty: "l1" }), target());
    expect((await fitError(() => l1.fit(X, y))).code).toBe("E_USAGE");
  });

  it("refuses values beyond ±1e150 at fit time, naming the feature", async () => {
    const data = X.data.slice();
    data[2] = 1e300;
    const err = await fitError(() => learner.fit(featureMatrix(X.nRows, X.names, data), y));
    expect(err.code).toBe("E_MATRIX");
    expect(err.message).toMatch(/feature "a" holds 1e\+300 at row 2/);
  });
});
