import { beforeAll, describe, expect, it } from "vitest";
import { isSluiceError } from "../errors.js";
import { evaluateModel, definedMetrics, type Evaluation } from "./evaluation.js";
import { computeMetrics } from "./metrics.js";
import { fitSmall, type Fitted } from "./test-utils/models.js";

let binary: Fitted;
let multi: Fitted;
let reg: Fitted;
let bin: Evaluation;

beforeAll(async () => {
  [binary, multi, reg] = await Promise.all([
    fitSmall("gbdt-binary"),
    fitSmall("gbdt-multiclass"),
    fitSmall("ridge"),
  ]);
  bin = evaluateModel(binary.model, binary.X, binary.y);
});

/** The value after a round trip through JSON text. */
function viaJson<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

describe("evaluateModel (binary classification)", () => {
  it("scores every metric of the task as computeMetrics does", () => {
    const expected = computeMetrics("classification", {
      y: binary.y,
      proba: binary.model.predictProba(binary.X),
    });
    expect(bin.metrics).toEqual(expected);
    expect(Object.keys(bin.metrics)).toHaveLength(9);
    expect(bin.rows).toBe(400);
    expect(bin.classes).toEqual(["no", "yes"]);
    expect(bin.positive).toBe(1);
  });

  it("is plain JSON data that survives a round trip unchanged", () => {
    expect(viaJson(bin)).toEqual(bin);
    expect(Array.isArray(bin.predictions)).toBe(true);
    expect(Array.isArray(bin.probabilities![0])).toBe(true);
  });

  it("counts every row once in the confusion matrix, true classes by row", () => {
    const counts = bin.confusion!.counts;
    expect(counts.flat().reduce((a, b) => a + b, 0)).toBe(400);
    const positives = Array.from(binary.y).reduce((a, b) => a + b, 0);
    expect(counts[1]![0]! + counts[1]![1]!).toBe(positives);
    expect((counts[0]![0]! + counts[1]![1]!) / 400).toBeCloseTo(bin.metrics.accuracy!, 12);
  });

  it("draws a ROC curve from (0, 0) to (1, 1) whose area is the roc_auc", () => {
    const [curve] = bin.roc!;
    expect(curve!.label).toBe("yes");
    const pts = curve!.points;
    expect(pts[0]).toEqual({ fpr: 0, tpr: 0, threshold: null });
    expect(pts.at(-1)).toMatchObject({ fpr: 1, tpr: 1 });
    let area = 0;
    for (let i = 1; i < pts.length; i++) {
      expect(pts[i]!.fpr).toBeGreaterThanOrEqual(pts[i - 1]!.fpr);
      expect(pts[i]!.tpr).toBeGreaterThanOrEqual(pts[i - 1]!.tpr);
      area += ((pts[i]!.fpr - pts[i - 1]!.fpr) * (pts[i]!.tpr + pts[i - 1]!.tpr)) / 2;
    }
    expect(area).toBeCloseTo(bin.metrics.roc_auc!, 12);
    expect(curve!.auc).toBe(bin.metrics.roc_auc);
  });

  it("draws a PR curve ending at recall 0, precision 1, with the average precision as pr_auc", () => {
    const [curve] = bin.pr!;
    expect(curve!.points.at(-1)).toEqual({ recall: 0, precision: 1, threshold: null });
    expect(curve!.points[0]!.recall).toBe(1);
    expect(curve!.averagePrecision).toBe(bin.metrics.pr_auc);
    expect(curve!.baseline).toBeCloseTo(Array.from(binary.y).reduce((a, b) => a + b, 0) / 400, 12);
  });

  it("bins the positive probability into 10 calibration bins holding every row", () => {
    const cal = bin.calibration!;
    expect(cal.kind).toBe("positive");
    expect(cal.bins).toHaveLength(10);
    expect(cal.bins.reduce((a, b) => a + b.count, 0)).toBe(400);
    for (const b of cal.bins) {
      if (b.count === 0) expect(b.meanPredicted).toBeNull();
      else {
        expect(b.meanPredicted!).toBeGreaterThanOrEqual(b.lower);
        expect(b.meanPredicted!).toBeLessThanOrEqual(b.upper);
        expect(b.observed!).toBeGreaterThanOrEqual(0);
        expect(b.observed!).toBeLessThanOrEqual(1);
      }
    }
  });

  it("summarises SHAP values, ranking the features that drive the target above noise", () => {
    const shap = bin.shap!;
    expect(shap.features).toEqual(["x0", "x1", "x2", "x3", "x4"]);
    expect(shap.rows).toHaveLength(400);
    expect(shap.values).toHaveLength(400);
    expect(shap.values[0]).toHaveLength(5);
    expect(shap.output).toBe("the log-odds of yes");
    // x0 (weight 1.5) matters more than x4 (pure noise).
    expect(shap.meanAbs[0]!).toBeGreaterThan(shap.meanAbs[4]!);
    // Missing x2 values are null, not NaN.
    expect(shap.featureValues.some((r) => r[2] === null)).toBe(true);
    // Contributions plus the expected value give the raw output.
    const raw = binary.model.predictRaw(binary.X);
    const row = shap.rows[5]!;
    const sum = shap.values[5]!.reduce((a, b) => a + b, shap.expectedValue[0]!);
    expect(sum).toBeCloseTo(raw[row]!, 9);
  });

  it("samples at most the rows asked for, the same rows for the same seed", () => {
    const a = evaluateModel(binary.model, binary.X, binary.y, { shapRows: 50, seed: 9 });
    const b = evaluateModel(binary.model, binary.X, binary.y, { shapRows: 50, seed: 9 });
    const c = evaluateModel(binary.model, binary.X, binary.y, { shapRows: 50, seed: 10 });
    expect(a.shap!.rows).toHaveLength(50);
    expect(a.shap!.rows).toEqual(b.shap!.rows);
    expect(a.shap!.rows).not.toEqual(c.shap!.rows);
    expect([...a.shap!.rows].sort((x, y) => x - y)).toEqual(a.shap!.rows);
  });

  it("reports gain importances for gradient boosting", () => {
    expect(bin.importances!.kind).toBe("gain");
    expect(bin.importances!.values).toHaveLength(5);
  });

  it("scores class 0 as positive when asked", () => {
    const e = evaluateModel(binary.model, binary.X, binary.y, { positive: 0, shapRows: 0 });
    expect(e.roc![0]!.label).toBe("no");
    expect(e.calibration!.label).toBe("no");
    expect(e.metrics.roc_auc).toBeCloseTo(bin.metrics.roc_auc!, 12);
    expect(e.shap).toBeUndefined();
  });

  it("refuses labels that do not match the model's classes, and rows that do not match", () => {
    const err = (() => {
      try {
        evaluateModel(binary.model, binary.X, binary.y, { classes: ["a", "b", "c"] });
      } catch (e) {
        return e;
      }
    })();
    expect(isSluiceError(err, "E_USAGE")).toBe(true);
    expect(() => evaluateModel(binary.model, binary.X, binary.y.subarray(1))).toThrow(
      /X has 400 rows but y has 399/,
    );
  });
});

describe("evaluateModel (multiclass and regression)", () => {
  it("gives a K × K confusion matrix and one-vs-rest curves per class", () => {
    const e = evaluateModel(multi.model, multi.X, multi.y);
    expect(e.confusion!.labels).toEqual(["a", "b", "c"]);
    expect(e.confusion!.counts).toHaveLength(3);
    expect(e.confusion!.counts.flat().reduce((a, b) => a + b, 0)).toBe(400);
    expect(e.roc!.map((c) => c.label)).toEqual(["a", "b", "c"]);
    expect(e.calibration!.kind).toBe("top_class");
    expect(e.positive).toBeUndefined();
    expect(e.shap!.values[0]).toHaveLength(5);
    expect(viaJson(e)).toEqual(e);
  });

  it("gives residuals y − prediction and the regression metrics", () => {
    const e = evaluateModel(reg.model, reg.X, reg.y);
    expect(Object.keys(e.metrics).sort()).toEqual(["mae", "mape", "r2", "rmse"]);
    const pred = reg.model.predict(reg.X);
    expect(e.residuals![3]).toBe(reg.y[3]! - pred[3]!);
    expect(e.confusion).toBeUndefined();
    expect(e.importances!.kind).toBe("coefficient");
    expect(e.shap!.output).toBe("the prediction");
    expect(definedMetrics(e)).toEqual(e.metrics);
  });

  it("stores an undefined metric as null and leaves it out of the defined metrics", () => {
    // Only negative rows: ROC AUC is undefined.
    const rows = [...binary.y.keys()].filter((i) => binary.y[i] === 0).slice(0, 30);
    const X = {
      ...binary.X,
      nRows: rows.length,
      data: Float64Array.from({ length: rows.length * 5 }, (_, k) => {
        const j = Math.floor(k / rows.length);
        return binary.X.data[j * 400 + rows[k % rows.length]!]!;
      }),
    };
    const e = evaluateModel(binary.model, X, new Int32Array(rows.length), { shapRows: 0 });
    expect(e.metrics.roc_auc).toBeNull();
    expect(e.roc![0]!.auc).toBeNull();
    expect(definedMetrics(e)).not.toHaveProperty("roc_auc");
    expect(JSON.parse(JSON.stringify(e))).toEqual(e);
  });
});
