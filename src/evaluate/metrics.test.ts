import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Random } from "../data/random.js";
import { SluiceError } from "../errors.js";
import { CLASSIFICATION_METRICS, REGRESSION_METRICS } from "../project/metric-names.js";
import {
  accuracy,
  argmaxClasses,
  brier,
  computeMetrics,
  confusionMatrix,
  f1,
  logLoss,
  mape,
  metricDirection,
  prAuc,
  precision,
  r2,
  recall,
  rocAuc,
} from "./metrics.js";

interface ClassificationCase {
  name: string;
  nClasses: number;
  positive: number;
  y: number[];
  proba: number[];
  weights: number[] | null;
  expected: Record<string, number | null>;
  confusion: number[];
}
interface RegressionCase {
  name: string;
  y: number[];
  pred: number[];
  weights: number[] | null;
  expected: Record<string, number>;
}
const ref = JSON.parse(
  readFileSync(new URL("./fixtures/metrics-reference.json", import.meta.url), "utf8"),
) as { classification: ClassificationCase[]; regression: RegressionCase[] };

function close(actual: number, expected: number, what: string): void {
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(
    1e-12 * Math.max(1, Math.abs(expected)),
  );
}

function failure(fn: () => unknown): SluiceError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SluiceError) return err;
    throw err;
  }
  throw new Error("expected a SluiceError, got none");
}

/** Naive weighted ROC AUC over every positive–negative pair. */
function naiveAuc(isPos: ArrayLike<number>, score: ArrayLike<number>, w?: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < score.length; i++) {
    if (isPos[i] !== 1) continue;
    for (let j = 0; j < score.length; j++) {
      if (isPos[j] === 1) continue;
      const ww = (w?.[i] ?? 1) * (w?.[j] ?? 1);
      den += ww;
      if (score[i]! > score[j]!) num += ww;
      else if (score[i] === score[j]) num += 0.5 * ww;
    }
  }
  return num / den;
}

/** Naive average precision: for each distinct threshold, precision and recall by a full scan. */
function naiveAp(isPos: ArrayLike<number>, score: ArrayLike<number>, w?: ArrayLike<number>): number {
  const thresholds = [...new Set(Array.from(score))].sort((a, b) => b - a);
  let totalPos = 0;
  for (let i = 0; i < score.length; i++) if (isPos[i] === 1) totalPos += w?.[i] ?? 1;
  let ap = 0;
  let prevRecall = 0;
  for (const t of thresholds) {
    let tp = 0;
    let all = 0;
    for (let i = 0; i < score.length; i++)
      if (score[i]! >= t) {
        all += w?.[i] ?? 1;
        if (isPos[i] === 1) tp += w?.[i] ?? 1;
      }
    const r = tp / totalPos;
    if (all > 0) ap += (r - prevRecall) * (tp / all);
    prevRecall = r;
  }
  return ap;
}

function randomBinary(rng: Random, n: number, levels: number) {
  const y = new Int32Array(n);
  const proba = new Float64Array(2 * n);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng.next() < 0.4 ? 1 : 0;
    const p = Math.min(1, Math.round((0.3 * y[i]! + 0.7 * rng.next()) * levels) / levels);
    proba[2 * i + 1] = p;
    proba[2 * i] = 1 - p;
    w[i] = rng.next() < 0.1 ? 0 : rng.uniform(0.1, 3);
  }
  return { y, proba, w, score: proba.filter((_, i) => i % 2 === 1) };
}

describe("metrics against scikit-learn", () => {
  for (const c of ref.classification)
    it(`classification case "${c.name}" gives scikit-learn's values`, () => {
      const y = Int32Array.from(c.y);
      const proba = Float64Array.from(c.proba);
      const weights = c.weights === null ? undefined : Float64Array.from(c.weights);
      const got = computeMetrics("classification", { y, proba, weights, positive: c.positive });
      expect(Object.keys(got).sort()).toEqual([...CLASSIFICATION_METRICS].sort());
      for (const m of CLASSIFICATION_METRICS) {
        const want = c.expected[m];
        if (want === null || want === undefined) expect(got[m], m).toBeNaN();
        else close(got[m]!, want, m);
      }
      const pred = argmaxClasses(proba, c.nClasses);
      expect([...confusionMatrix(y, pred, c.nClasses, weights)]).toEqual(c.confusion);
    });

  for (const c of ref.regression)
    it(`regression case "${c.name}" gives scikit-learn's values`, () => {
      const weights = c.weights === null ? undefined : Float64Array.from(c.weights);
      const got = computeMetrics("regression", {
        y: Float64Array.from(c.y),
        pred: Float64Array.from(c.pred),
        weights,
      });
      expect(Object.keys(got).sort()).toEqual([...REGRESSION_METRICS].sort());
      for (const m of REGRESSION_METRICS) close(got[m]!, c.expected[m]!, m);
    });
});

describe("ranking metrics against naive implementations", () => {
  it("roc_auc equals the O(n²) pair count, with ties and weights", () => {
    for (const [seed, levels] of [
      [1, 5],
      [2, 20],
      [3, 1000],
    ] as const) {
      const { y, proba, w, score } = randomBinary(new Random(seed), 400, levels);
      close(rocAuc(y, proba), naiveAuc(y, score), `unweighted, seed ${seed}`);
      close(rocAuc(y, proba, { weights: w }), naiveAuc(y, score, w), `weighted, seed ${seed}`);
      const neg = Int32Array.from(y, (v) => 1 - v);
      close(
        rocAuc(y, proba, { positive: 0 }),
        naiveAuc(
          neg,
          proba.filter((_, i) => i % 2 === 0),
        ),
        "positive 0",
      );
    }
  });

  it("pr_auc equals average precision computed threshold by threshold", () => {
    for (const [seed, levels] of [
      [4, 4],
      [5, 50],
      [6, 1000],
    ] as const) {
      const { y, proba, w, score } = randomBinary(new Random(seed), 300, levels);
      close(prAuc(y, proba), naiveAp(y, score), `unweighted, seed ${seed}`);
      close(prAuc(y, proba, { weights: w }), naiveAp(y, score, w), `weighted, seed ${seed}`);
    }
  });

  it("gives integer weights the same value as repeating rows", () => {
    const rng = new Random(8);
    const { y, proba } = randomBinary(rng, 200, 10);
    const w = Float64Array.from({ length: 200 }, () => rng.int(4));
    const ry: number[] = [];
    const rp: number[] = [];
    for (let i = 0; i < 200; i++)
      for (let r = 0; r < w[i]!; r++) {
        ry.push(y[i]!);
        rp.push(proba[2 * i]!, proba[2 * i + 1]!);
      }
    const weighted = computeMetrics("classification", { y, proba, weights: w });
    const repeated = computeMetrics("classification", {
      y: Int32Array.from(ry),
      proba: Float64Array.from(rp),
    });
    for (const m of CLASSIFICATION_METRICS) close(weighted[m]!, repeated[m]!, m);
  });

  it("does not depend on row order", () => {
    const rng = new Random(9);
    const { y, proba, w } = randomBinary(rng, 500, 7);
    const order = rng.permutation(500);
    const y2 = Int32Array.from(order, (i) => y[i]!);
    const p2 = new Float64Array(1000);
    order.forEach((i, j) => {
      p2[2 * j] = proba[2 * i]!;
      p2[2 * j + 1] = proba[2 * i + 1]!;
    });
    const w2 = Float64Array.from(order, (i) => w[i]!);
    close(rocAuc(y2, p2, { weights: w2 }), rocAuc(y, proba, { weights: w }), "roc_auc");
    close(prAuc(y2, p2, { weights: w2 }), prAuc(y, proba, { weights: w }), "pr_auc");
  });

  it("averages one-vs-rest over the classes present in y when one is missing", () => {
    const rng = new Random(10);
    const n = 300;
    const K = 3;
    const y = Int32Array.from({ length: n }, () => (rng.next() < 0.5 ? 0 : 2));
    const proba = new Float64Array(n * K);
    for (let i = 0; i < n; i++) {
      const a = rng.next();
      const b = rng.next() * (1 - a);
      proba.set([a, b, 1 - a - b], i * K);
    }
    const col = (k: number) => proba.filter((_, i) => i % K === k);
    const is = (k: number) => Int32Array.from(y, (v) => (v === k ? 1 : 0));
    close(rocAuc(y, proba), (naiveAuc(is(0), col(0)) + naiveAuc(is(2), col(2))) / 2, "roc_auc");
    close(prAuc(y, proba), (naiveAp(is(0), col(0)) + naiveAp(is(2), col(2))) / 2, "pr_auc");
  });
});

describe("undefined and edge values", () => {
  it("returns NaN for roc_auc when y holds one class, and for pr_auc when no row is positive", () => {
    const y = new Int32Array(5);
    const proba = Float64Array.from([0.9, 0.1, 0.2, 0.8, 0.5, 0.5, 0.3, 0.7, 0.6, 0.4]);
    expect(rocAuc(y, proba)).toBeNaN();
    expect(prAuc(y, proba)).toBeNaN();
    expect(prAuc(y.fill(1), proba)).toBe(1);
    expect(
      rocAuc(Int32Array.from([1, 1, 1]), new Float64Array([0.2, 0.3, 0.2, 0.4, 0.3, 0.1]).fill(1 / 3)),
    ).toBeNaN();
  });

  it("scores all-equal predictions at one half", () => {
    const y = Int32Array.from([0, 1, 0, 1, 1]);
    const proba = new Float64Array(10).fill(0.5);
    expect(rocAuc(y, proba)).toBe(0.5);
    expect(prAuc(y, proba)).toBeCloseTo(0.6, 15);
  });

  it("scores perfect predictions as perfect", () => {
    const y = Int32Array.from([0, 1, 2, 1]);
    const proba = Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0]);
    const m = computeMetrics("classification", { y, proba });
    for (const k of [
      "accuracy",
      "balanced_accuracy",
      "precision",
      "recall",
      "f1",
      "roc_auc",
      "pr_auc",
    ] as const)
      expect(m[k], k).toBe(1);
    expect(m.brier).toBe(0);
    expect(m.log_loss).toBeLessThan(1e-14);
  });

  it("keeps log loss finite for a confidently wrong prediction, by clipping at 1e-15", () => {
    expect(logLoss(Int32Array.from([1]), Float64Array.from([1, 0]))).toBeCloseTo(-Math.log(1e-15), 8);
  });

  it("gives a huge but finite percentage error for a target of 0", () => {
    const v = mape(Float64Array.from([0]), Float64Array.from([1]));
    expect(v).toBe(1 / 2.220446049250313e-16);
  });

  it("gives r² 1 for an exact constant and 0 for a wrong one", () => {
    expect(r2(Float64Array.from([3, 3]), Float64Array.from([3, 3]))).toBe(1);
    expect(r2(Float64Array.from([3, 3]), Float64Array.from([3, 4]))).toBe(0);
  });

  it("scores the chosen positive class for binary label metrics and macro-averages otherwise", () => {
    const y = Int32Array.from([0, 0, 1, 1, 1]);
    const pred = Int32Array.from([0, 1, 1, 1, 0]);
    expect(precision(y, pred, { positive: 1 })).toBeCloseTo(2 / 3, 15);
    expect(recall(y, pred, { positive: 0 })).toBe(0.5);
    expect(precision(y, pred)).toBeCloseTo((1 / 2 + 2 / 3) / 2, 15);
    expect(f1(y, pred, { positive: 1 })).toBeCloseTo(2 / 3, 15);
    expect(accuracy(y, pred)).toBe(0.6);
  });

  it("computes only the label metrics when given classes without probabilities", () => {
    const m = computeMetrics("classification", {
      y: Int32Array.from([0, 1, 1]),
      pred: Int32Array.from([0, 1, 0]),
    });
    expect(Object.keys(m).sort()).toEqual(["accuracy", "balanced_accuracy", "f1", "precision", "recall"]);
  });

  it("uses Brier's sum over classes for multiclass", () => {
    const y = Int32Array.from([0, 2]);
    const proba = Float64Array.from([0.5, 0.25, 0.25, 0.2, 0.2, 0.6]);
    const want = (0.25 + 0.0625 + 0.0625 + (0.04 + 0.04 + 0.16)) / 2;
    expect(brier(y, proba)).toBeCloseTo(want, 15);
  });
});

describe("refusals", () => {
  const y = Int32Array.from([0, 1, 1]);
  const proba = Float64Array.from([0.6, 0.4, 0.3, 0.7, 0.2, 0.8]);

  it("names a NaN probability with its row and class", () => {
    const bad = proba.slice();
    bad[3] = NaN;
    const err = failure(() => rocAuc(y, bad));
    expect(err.code).toBe("E_USAGE");
    expect(err.message).toBe("roc_auc: the probability of class 1 in row 1 is NaN, not a number in [0, 1]");
  });

  it("names a class code out of range as a label error", () => {
    const err = failure(() => logLoss(Int32Array.from([0, 2, 1]), proba));
    expect(err.code).toBe("E_LABELS");
    expect(err.message).toBe("log_loss: y[1] is 2, not a class code (an integer in [0, 1])");
  });

  it("names lengths that differ", () => {
    expect(failure(() => accuracy(y, Int32Array.from([0, 1]))).message).toBe(
      "accuracy: y has 3 rows but pred has 2",
    );
    expect(failure(() => rocAuc(y, proba.subarray(0, 5))).message).toBe(
      "roc_auc: probabilities have 5 values, which is not 3 rows × K ≥ 2 classes",
    );
  });

  it("refuses negative, NaN and all-zero weights", () => {
    expect(failure(() => rocAuc(y, proba, { weights: Float64Array.from([1, -1, 1]) })).message).toBe(
      "roc_auc: weights[1] is -1; weights must be finite and ≥ 0",
    );
    expect(failure(() => accuracy(y, y, Float64Array.from([1, NaN, 1]))).message).toMatch(
      /weights\[1\] is NaN/,
    );
    expect(failure(() => accuracy(y, y, new Float64Array(3))).message).toBe(
      "accuracy: the weights sum to 0: no row counts",
    );
  });

  it("refuses zero rows", () => {
    expect(failure(() => accuracy(new Int32Array(0), new Int32Array(0))).message).toMatch(/no rows to score/);
    expect(
      failure(() => computeMetrics("classification", { y: new Int32Array(0), proba: new Float64Array(0) }))
        .code,
    ).toBe("E_USAGE");
  });

  it("refuses a NaN regression target or prediction", () => {
    const err = failure(() =>
      computeMetrics("regression", { y: Float64Array.from([1, NaN]), pred: Float64Array.from([1, 2]) }),
    );
    expect(err.code).toBe("E_LABELS");
    expect(err.message).toBe("rmse: y[1] is NaN, not a finite number");
  });

  it("refuses a metric of the other task and a probability metric without probabilities", () => {
    expect(failure(() => computeMetrics("classification", { y, proba, metrics: ["rmse"] })).message).toBe(
      'metric "rmse" does not apply to classification',
    );
    expect(
      failure(() => computeMetrics("classification", { y, pred: y, metrics: ["roc_auc"] })).message,
    ).toBe("metric roc_auc needs predicted probabilities (proba), and none were given");
    expect(failure(() => computeMetrics("regression", { y: Float64Array.from([1]) })).code).toBe("E_USAGE");
  });
});

describe("metric directions", () => {
  it("maximises scores and minimises losses", () => {
    expect(metricDirection("roc_auc")).toBe("maximize");
    expect(metricDirection("r2")).toBe("maximize");
    expect(metricDirection("log_loss")).toBe("minimize");
    expect(metricDirection("rmse")).toBe("minimize");
  });
});
