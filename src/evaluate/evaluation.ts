/**
 * A model's evaluation on held-out rows, as plain JSON data (evaluation.json): predictions, every
 * metric of the task, the confusion matrix, ROC and precision-recall curves, calibration bins,
 * residuals, importances and a SHAP summary. The plots, the HTML report and the model card are
 * drawn from it, so it holds everything they show and nothing that JSON cannot carry: arrays,
 * not typed arrays, and `null` where a number is undefined (NaN).
 */
import { Random } from "../data/random.js";
import { SluiceError } from "../errors.js";
import type { FeatureMatrix } from "../features/matrix.js";
import type { Labels, Model } from "../models/types.js";
import { argmaxClasses, confusionMatrix } from "./classification.js";
import type { Weights } from "./inputs.js";
import { computeMetrics } from "./metrics.js";
import { aucOfGroups, averagePrecisionOfGroups, scoreGroups, type ScoreGroups } from "./ranking.js";

/** The version of the {@link Evaluation} JSON layout. */
export const EVALUATION_FORMAT = 1 as const;

/** Rows SHAP values are computed on, at most (a seeded sample of the test rows). */
export const SHAP_SAMPLE_ROWS = 1000;

/** Points kept on a ROC or PR curve, at most (evenly thinned beyond; the ends are kept). */
export const CURVE_POINTS = 1000;

/** Calibration bins: equal-width over [0, 1]. */
export const CALIBRATION_BINS = 10;

/** One point of a ROC curve: the rates when rows scoring ≥ threshold are called positive. */
export interface RocPoint {
  fpr: number;
  tpr: number;
  /** Infinity at the (0, 0) start is stored as null. */
  threshold: number | null;
}

/** One point of a precision-recall curve. */
export interface PrPoint {
  recall: number;
  precision: number;
  threshold: number | null;
}

/** A ROC curve of one class against the rest (the positive class, for a binary task). */
export interface RocCurve {
  /** The class this curve scores as positive. */
  label: string;
  /** Area under this curve; null when undefined (no positive or no negative row). */
  auc: number | null;
  points: RocPoint[];
}

/** A precision-recall curve of one class against the rest. */
export interface PrCurve {
  label: string;
  /** Average precision; null when there is no positive row. */
  averagePrecision: number | null;
  /** Share of positive rows: the precision of a model that guesses. */
  baseline: number;
  points: PrPoint[];
}

/** One calibration bin: rows whose predicted probability falls in [lower, upper). */
export interface CalibrationBin {
  lower: number;
  upper: number;
  /** Rows in the bin (weighted). */
  count: number;
  /** Mean predicted probability in the bin; null when the bin is empty. */
  meanPredicted: number | null;
  /** Share of the bin's rows where the event happened; null when the bin is empty. */
  observed: number | null;
}

/** Reliability of predicted probabilities. */
export interface Calibration {
  /**
   * `positive`: P(positive class) against the share of positive rows (binary).
   * `top_class`: the probability of the predicted class against the share predicted correctly
   * (multiclass: the confidence of each prediction).
   */
  kind: "positive" | "top_class";
  /** The class, for `positive`. */
  label?: string;
  bins: CalibrationBin[];
}

/** Feature importances as the model reports them. */
export interface ImportanceSummary {
  /** `gain` (trees: total loss reduction of their splits) or `coefficient` (linear: mean |coef| on scaled features). */
  kind: "gain" | "coefficient" | "split";
  features: string[];
  values: number[];
}

/** SHAP values on a seeded sample of the test rows. */
export interface ShapSummary {
  /** Which raw output the values explain (e.g. "log-odds of yes"). */
  output: string;
  features: string[];
  /** Mean |SHAP| per feature over the sample (summed over outputs for multiclass). */
  meanAbs: number[];
  /** Indices of the sampled test rows, ascending. */
  rows: number[];
  /**
   * SHAP value per sampled row and feature (`values[s][f]`). Multiclass: of the row's
   * predicted class.
   */
  values: number[][];
  /** The feature's value per sampled row (`featureValues[s][f]`); null when missing. */
  featureValues: (number | null)[][];
  /** The expected raw output the values add up from (per output). */
  expectedValue: number[];
}

/** Everything {@link evaluateModel} measured. Plain JSON. */
export interface Evaluation {
  formatVersion: typeof EVALUATION_FORMAT;
  task: "classification" | "regression";
  kind: string;
  rows: number;
  featureNames: string[];
  /** Class labels by code (classification). */
  classes?: string[];
  /** The positive class code (binary). */
  positive?: number;
  /** Every metric of the task; null when undefined on these rows (e.g. roc_auc with one class). */
  metrics: Record<string, number | null>;
  /** True class codes (classification) or values (regression), per row. */
  y: number[];
  /** Predicted class codes (classification) or values (regression), per row. */
  predictions: number[];
  /** Class probabilities per row (classification): `probabilities[i][k]`. */
  probabilities?: number[][];
  /** `counts[true][predicted]`, labels in class order (classification). */
  confusion?: { labels: string[]; counts: number[][] };
  /** Binary: one curve, of the positive class. Multiclass: one per class (one-vs-rest). */
  roc?: RocCurve[];
  pr?: PrCurve[];
  calibration?: Calibration;
  /** y − prediction per row (regression). */
  residuals?: number[];
  importances?: ImportanceSummary;
  shap?: ShapSummary;
}

/** Options of {@link evaluateModel}. */
export interface EvaluateOptions {
  /** Class labels by code; default the model's. */
  classes?: readonly string[];
  /** The positive class code of a binary task; default 1. */
  positive?: number;
  weights?: Weights;
  /** Seed of the SHAP sample (default 42). */
  seed?: number;
  /** Rows in the SHAP sample (default {@link SHAP_SAMPLE_ROWS}); 0 skips SHAP. */
  shapRows?: number;
}

function orNull(v: number | undefined): number | null {
  return v === undefined || !Number.isFinite(v) ? null : v;
}

/** Keep at most `max` points: the first, the last, and evenly spaced ones between. */
function thin<T>(points: T[], max: number): T[] {
  if (points.length <= max) return points;
  const out: T[] = [];
  const step = (points.length - 1) / (max - 1);
  for (let k = 0; k < max; k++) out.push(points[Math.round(k * step)]!);
  return out;
}

/** ROC and PR curves from score groups, walking from the highest score down (as scikit-learn). */
function curves(label: string, g: ScoreGroups): { roc: RocCurve; pr: PrCurve } {
  const roc: RocPoint[] = [{ fpr: 0, tpr: 0, threshold: null }];
  const pr: PrPoint[] = [];
  let tp = 0;
  let fp = 0;
  const P = g.totalPos;
  const N = g.totalNeg;
  for (let u = g.n - 1; u >= 0; u--) {
    const pos = g.pos[u]!;
    const neg = g.neg[u]!;
    tp += pos;
    fp += neg;
    const threshold = g.scores[u]!;
    roc.push({ fpr: N > 0 ? fp / N : 0, tpr: P > 0 ? tp / P : 0, threshold });
    if (tp + fp > 0) pr.push({ recall: P > 0 ? tp / P : 0, precision: tp / (tp + fp), threshold });
  }
  // Highest recall first, ending at recall 0, precision 1 (scikit-learn's order).
  pr.reverse();
  pr.push({ recall: 0, precision: 1, threshold: null });
  const total = P + N;
  return {
    roc: {
      label,
      auc: orNull(aucOfGroups(g)),
      points: thin(roc, CURVE_POINTS),
    },
    pr: {
      label,
      averagePrecision: orNull(averagePrecisionOfGroups(g)),
      baseline: total > 0 ? P / total : 0,
      points: thin(pr, CURVE_POINTS),
    },
  };
}

function calibrationBins(
  n: number,
  prob: (i: number) => number,
  event: (i: number) => boolean,
  weights: Weights,
): CalibrationBin[] {
  const count = new Float64Array(CALIBRATION_BINS);
  const sumP = new Float64Array(CALIBRATION_BINS);
  const hits = new Float64Array(CALIBRATION_BINS);
  for (let i = 0; i < n; i++) {
    const p = prob(i);
    const b = Math.min(CALIBRATION_BINS - 1, Math.max(0, Math.floor(p * CALIBRATION_BINS)));
    const w = weights === undefined ? 1 : weights[i]!;
    count[b] = count[b]! + w;
    sumP[b] = sumP[b]! + w * p;
    if (event(i)) hits[b] = hits[b]! + w;
  }
  return Array.from({ length: CALIBRATION_BINS }, (_, b) => ({
    lower: b / CALIBRATION_BINS,
    upper: (b + 1) / CALIBRATION_BINS,
    count: count[b]!,
    meanPredicted: count[b]! > 0 ? sumP[b]! / count[b]! : null,
    observed: count[b]! > 0 ? hits[b]! / count[b]! : null,
  }));
}

function importanceSummary(model: Model): ImportanceSummary | undefined {
  const imp = model.importances();
  const pick: [ImportanceSummary["kind"], Float64Array | undefined][] = [
    ["gain", imp.gain],
    ["coefficient", imp.coefficient],
    ["split", imp.split],
  ];
  for (const [kind, values] of pick)
    if (values !== undefined) return { kind, features: [...imp.featureNames], values: Array.from(values) };
  return undefined;
}

/** A seeded sample of `m` of `n` row indices, ascending. */
function sampleRows(n: number, m: number, seed: number): Int32Array {
  if (m >= n) return Int32Array.from({ length: n }, (_, i) => i);
  return new Random(seed).permutation(n).slice(0, m).sort();
}

function takeRows(X: FeatureMatrix, rows: Int32Array): FeatureMatrix {
  const m = rows.length;
  const data = new Float64Array(m * X.nCols);
  for (let j = 0; j < X.nCols; j++) {
    const from = j * X.nRows;
    for (let s = 0; s < m; s++) data[j * m + s] = X.data[from + rows[s]!]!;
  }
  return { nRows: m, nCols: X.nCols, names: X.names, data };
}

function outputName(model: Model, classes: readonly string[] | undefined, positive: number): string {
  const pos = classes?.[positive] ?? String(positive);
  if (model.task === "regression") return model.kind === "ridge" ? "the prediction" : "the predicted value";
  if (model.kind === "random_forest")
    return model.nOutputs > 2 ? "the probability of the predicted class" : `the probability of ${pos}`;
  return model.nOutputs > 1 ? "the score (log-odds) of the predicted class" : `the log-odds of ${pos}`;
}

function shapSummary(
  model: Model,
  X: FeatureMatrix,
  predicted: ArrayLike<number>,
  positive: number,
  classes: readonly string[] | undefined,
  rowsWanted: number,
  seed: number,
): ShapSummary {
  const rows = sampleRows(X.nRows, rowsWanted, seed);
  const sample = takeRows(X, rows);
  const e = model.explain(sample);
  const F = e.nFeatures;
  const K = e.nOutputs;
  const meanAbs = new Float64Array(F);
  const values: number[][] = [];
  const featureValues: (number | null)[][] = [];
  for (let s = 0; s < e.nRows; s++) {
    for (let k = 0; k < K; k++) {
      const base = (s * K + k) * F;
      for (let f = 0; f < F; f++) meanAbs[f] = meanAbs[f]! + Math.abs(e.values[base + f]!);
    }
    // One output per row for the summary: the only one, the positive class's (binary
    // forests have one output per class), or the predicted class's.
    const k = K === 1 ? 0 : K === 2 ? positive : predicted[rows[s]!]!;
    const base = (s * K + k) * F;
    values.push(Array.from(e.values.subarray(base, base + F)));
    const fv: (number | null)[] = [];
    for (let f = 0; f < F; f++) fv.push(orNull(sample.data[f * e.nRows + s]));
    featureValues.push(fv);
  }
  // Multiclass: mean |SHAP| summed over the outputs, as shap's bar plot stacks them. Binary
  // forests explain both classes with mirrored values: count one.
  const divisor = e.nRows * (K === 2 ? 2 : 1);
  return {
    output: outputName(model, classes, positive),
    features: [...e.featureNames],
    meanAbs: Array.from(meanAbs, (v) => (e.nRows > 0 ? v / divisor : 0)),
    rows: Array.from(rows),
    values,
    featureValues,
    expectedValue: Array.from(e.expectedValue),
  };
}

/**
 * Evaluate a model on held-out rows.
 *
 * @param X the test rows, features already applied
 * @param y class codes (classification) or values (regression)
 * @throws SluiceError E_USAGE when y and X differ in rows, or the classes do not match the model's
 * @example
 * const evaluation = evaluateModel(model, prepared.test.X, prepared.test.y, { positive: 1 });
 * evaluation.metrics.roc_auc; // 0.86
 * writeFileAtomic("evaluation.json", JSON.stringify(evaluation));
 */
export function evaluateModel(
  model: Model,
  X: FeatureMatrix,
  y: Labels | ArrayLike<number>,
  options: EvaluateOptions = {},
): Evaluation {
  if (y.length !== X.nRows)
    throw new SluiceError("E_USAGE", `evaluate: X has ${X.nRows} rows but y has ${y.length}`, {
      hint: "pass the test rows' features and their targets, in the same order",
    });
  const seed = options.seed ?? 42;
  const shapRows = options.shapRows ?? SHAP_SAMPLE_ROWS;
  const n = X.nRows;
  const weights = options.weights;
  const base = {
    formatVersion: EVALUATION_FORMAT,
    kind: model.kind,
    rows: n,
    featureNames: [...model.featureNames],
    y: Array.from(y),
  };
  const importances = importanceSummary(model);

  if (model.task === "regression") {
    const pred = model.predict(X);
    const metrics = computeMetrics("regression", { y, pred, ...(weights === undefined ? {} : { weights }) });
    return {
      ...base,
      task: "regression",
      metrics: Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, orNull(v)])),
      predictions: Array.from(pred),
      residuals: Array.from(pred, (p, i) => y[i]! - p),
      ...(importances === undefined ? {} : { importances }),
      ...(shapRows > 0 && n > 0 ? { shap: shapSummary(model, X, pred, 0, undefined, shapRows, seed) } : {}),
    };
  }

  const classes = [...(options.classes ?? model.classes ?? [])];
  const proba = model.predictProba(X);
  const K = n > 0 ? proba.length / n : classes.length;
  if (classes.length !== K)
    throw new SluiceError(
      "E_USAGE",
      `evaluate: the model predicts ${K} classes but ${classes.length} class labels were given (${classes.join(", ")})`,
      { hint: "pass the target's classes in code order, or leave classes out to use the model's" },
    );
  const positive = K === 2 ? (options.positive ?? 1) : undefined;
  const pred = argmaxClasses(proba, K);
  const metrics = computeMetrics("classification", {
    y,
    proba,
    nClasses: K,
    ...(positive === undefined ? {} : { positive }),
    ...(weights === undefined ? {} : { weights }),
  });
  const cm = confusionMatrix(y, pred, K, weights);
  const counts = Array.from({ length: K }, (_, t) => Array.from(cm.subarray(t * K, (t + 1) * K)));

  const roc: RocCurve[] = [];
  const pr: PrCurve[] = [];
  const targets = positive !== undefined ? [positive] : Array.from({ length: K }, (_, k) => k);
  for (const k of targets) {
    const c = curves(classes[k]!, scoreGroups(y, k, proba, K, k, weights));
    roc.push(c.roc);
    pr.push(c.pr);
  }
  const calibration: Calibration =
    positive !== undefined
      ? {
          kind: "positive",
          label: classes[positive]!,
          bins: calibrationBins(
            n,
            (i) => proba[i * K + positive]!,
            (i) => y[i] === positive,
            weights,
          ),
        }
      : {
          kind: "top_class",
          bins: calibrationBins(
            n,
            (i) => proba[i * K + pred[i]!]!,
            (i) => y[i] === pred[i],
            weights,
          ),
        };
  const probabilities: number[][] = [];
  for (let i = 0; i < n; i++) probabilities.push(Array.from(proba.subarray(i * K, (i + 1) * K)));
  return {
    ...base,
    task: "classification",
    classes,
    ...(positive === undefined ? {} : { positive }),
    metrics: Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, orNull(v)])),
    predictions: Array.from(pred),
    probabilities,
    confusion: { labels: classes, counts },
    roc,
    pr,
    calibration,
    ...(importances === undefined ? {} : { importances }),
    ...(shapRows > 0 && n > 0
      ? { shap: shapSummary(model, X, pred, positive ?? 1, classes, shapRows, seed) }
      : {}),
  };
}

/** Test metrics without the undefined ones: what gates and the registry take. */
export function definedMetrics(evaluation: Pick<Evaluation, "metrics">): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(evaluation.metrics)) if (v !== null) out[k] = v;
  return out;
}
