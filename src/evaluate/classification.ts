/**
 * Classification metrics over class codes 0..K-1 and row-major `nRows × K` probabilities,
 * matching scikit-learn's definitions (the fixtures in ./fixtures record its values).
 *
 * Binary versus multiclass: label metrics (precision, recall, F1) score the `positive` class
 * when one is given and take the macro average over the classes that occur in y or in the
 * predictions otherwise (scikit-learn's `average="macro"`, with 0 for a class never predicted).
 * Probability metrics read K from the probabilities: K = 2 scores the `positive` column
 * (default 1), K > 2 averages one-vs-rest over classes.
 */
import { SluiceError } from "../errors.js";
import { checkCodes, checkProba, checkRows, checkWeights, type Weights } from "./inputs.js";
import { aucOfGroups, averagePrecisionOfGroups, scoreGroups } from "./ranking.js";

/** Options of the label metrics. */
export interface LabelMetricOptions {
  /** Score this class (binary); omitted = macro average over classes. */
  positive?: number;
  weights?: Weights;
}

/** Options of the probability metrics. */
export interface ProbaMetricOptions {
  /** K; by default `proba.length / y.length`. */
  nClasses?: number;
  /** The positive class of a binary (K = 2) task; default 1. Ignored when K > 2. */
  positive?: number;
  weights?: Weights;
}

function weightOf(weights: Weights, i: number): number {
  return weights === undefined ? 1 : weights[i]!;
}

function maxCode(codes: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < codes.length; i++) if (codes[i]! > m) m = codes[i]!;
  return m;
}

/**
 * The confusion matrix, row-major `K × K`: entry [t * K + p] is the (weighted) number of rows
 * of true class t predicted as p, as scikit-learn's `confusion_matrix`.
 *
 * @param nClasses K; by default one more than the largest code in y or pred.
 */
export function confusionMatrix(
  y: ArrayLike<number>,
  pred: ArrayLike<number>,
  nClasses?: number,
  weights?: Weights,
): Float64Array {
  const n = checkRows("confusion matrix", y, pred, "pred");
  checkWeights("confusion matrix", weights, n);
  const K = nClasses ?? Math.max(maxCode(y), maxCode(pred)) + 1;
  checkCodes("confusion matrix", y, K, "y");
  checkCodes("confusion matrix", pred, K, "pred");
  const m = new Float64Array(K * K);
  for (let i = 0; i < n; i++) {
    const at = y[i]! * K + pred[i]!;
    m[at] = m[at]! + weightOf(weights, i);
  }
  return m;
}

/** Share of rows (weighted) whose predicted class is the true one. */
export function accuracy(y: ArrayLike<number>, pred: ArrayLike<number>, weights?: Weights): number {
  const n = checkRows("accuracy", y, pred, "pred");
  const total = checkWeights("accuracy", weights, n);
  let hit = 0;
  for (let i = 0; i < n; i++) if (y[i] === pred[i]) hit += weightOf(weights, i);
  return hit / total;
}

/** Per-class weighted counts: true positives, predicted, support; and which classes occur. */
interface ClassCounts {
  K: number;
  tp: Float64Array;
  predicted: Float64Array;
  support: Float64Array;
  /** 1 when the class occurs in y or in pred (whatever the weights), as scikit-learn's labels. */
  occurs: Uint8Array;
}

function classCounts(
  metric: string,
  y: ArrayLike<number>,
  pred: ArrayLike<number>,
  weights: Weights,
): ClassCounts {
  const n = checkRows(metric, y, pred, "pred");
  checkWeights(metric, weights, n);
  checkCodes(metric, y, Infinity, "y");
  checkCodes(metric, pred, Infinity, "pred");
  const K = Math.max(maxCode(y), maxCode(pred)) + 1;
  const tp = new Float64Array(K);
  const predicted = new Float64Array(K);
  const support = new Float64Array(K);
  const occurs = new Uint8Array(K);
  for (let i = 0; i < n; i++) {
    const t = y[i]!;
    const p = pred[i]!;
    const w = weightOf(weights, i);
    support[t] = support[t]! + w;
    predicted[p] = predicted[p]! + w;
    if (t === p) tp[t] = tp[t]! + w;
    occurs[t] = 1;
    occurs[p] = 1;
  }
  return { K, tp, predicted, support, occurs };
}

/**
 * Mean of the per-class recalls over the classes present in y (scikit-learn's
 * `balanced_accuracy_score`; a class only predicted, never true, has no recall and is skipped).
 */
export function balancedAccuracy(y: ArrayLike<number>, pred: ArrayLike<number>, weights?: Weights): number {
  const c = classCounts("balanced_accuracy", y, pred, weights);
  let sum = 0;
  let classes = 0;
  for (let k = 0; k < c.K; k++)
    if (c.support[k]! > 0) {
      sum += c.tp[k]! / c.support[k]!;
      classes++;
    }
  return sum / classes;
}

type Which = "precision" | "recall" | "f1";

function prf(which: Which, c: ClassCounts, k: number): number {
  // A 0/0 ratio counts as 0, scikit-learn's zero_division=0.
  const p = c.predicted[k]! > 0 ? c.tp[k]! / c.predicted[k]! : 0;
  const r = c.support[k]! > 0 ? c.tp[k]! / c.support[k]! : 0;
  if (which === "precision") return p;
  if (which === "recall") return r;
  return p + r > 0 ? (2 * p * r) / (p + r) : 0;
}

function labelMetric(
  which: Which,
  y: ArrayLike<number>,
  pred: ArrayLike<number>,
  options: LabelMetricOptions,
): number {
  const c = classCounts(which, y, pred, options.weights);
  const positive = options.positive;
  if (positive !== undefined) {
    if (!Number.isInteger(positive) || positive < 0)
      throw new SluiceError("E_USAGE", `${which}: positive must be a class code ≥ 0, got ${positive}`);
    return positive < c.K ? prf(which, c, positive) : 0;
  }
  let sum = 0;
  let classes = 0;
  for (let k = 0; k < c.K; k++)
    if (c.occurs[k] === 1) {
      sum += prf(which, c, k);
      classes++;
    }
  return sum / classes;
}

/** Precision: of the rows predicted as a class, the share that are (positive class, or macro). */
export function precision(
  y: ArrayLike<number>,
  pred: ArrayLike<number>,
  options: LabelMetricOptions = {},
): number {
  return labelMetric("precision", y, pred, options);
}

/** Recall: of the rows of a class, the share predicted as it (positive class, or macro). */
export function recall(
  y: ArrayLike<number>,
  pred: ArrayLike<number>,
  options: LabelMetricOptions = {},
): number {
  return labelMetric("recall", y, pred, options);
}

/** F1: the harmonic mean of precision and recall (positive class, or macro over per-class F1). */
export function f1(y: ArrayLike<number>, pred: ArrayLike<number>, options: LabelMetricOptions = {}): number {
  return labelMetric("f1", y, pred, options);
}

/** Checks shared by the probability metrics; returns K and the positive column. */
function probaSetup(
  metric: string,
  y: ArrayLike<number>,
  proba: ArrayLike<number>,
  options: ProbaMetricOptions,
): { n: number; K: number; positive: number } {
  const n = y.length;
  if (n === 0) throw new SluiceError("E_USAGE", `${metric}: no rows to score: pass at least one row`);
  const K = checkProba(metric, proba, n, options.nClasses);
  checkCodes(metric, y, K, "y");
  checkWeights(metric, options.weights, n);
  const positive = options.positive ?? 1;
  if (K === 2 && positive !== 0 && positive !== 1)
    throw new SluiceError("E_USAGE", `${metric}: positive must be 0 or 1 for two classes, got ${positive}`);
  return { n, K, positive };
}

/**
 * Area under the ROC curve (ties count one half; weighted). Binary: of the positive column.
 * Multiclass: one-vs-rest, macro average (scikit-learn's `multi_class="ovr"`) over the classes
 * that occur in y — scikit-learn refuses a y that lacks a class; here such a class, which has
 * no curve, is left out of the average.
 *
 * @returns NaN when y holds a single class: the curve needs positives and negatives.
 * @example
 * rocAuc(Int32Array.from([0, 1, 1]), Float64Array.from([0.8, 0.2, 0.3, 0.7, 0.6, 0.4])); // 0.5
 */
export function rocAuc(
  y: ArrayLike<number>,
  proba: ArrayLike<number>,
  options: ProbaMetricOptions = {},
): number {
  const { K, positive } = probaSetup("roc_auc", y, proba, options);
  if (K === 2) return aucOfGroups(scoreGroups(y, positive, proba, 2, positive, options.weights));
  return macroOverClasses(y, proba, K, options.weights, aucOfGroups);
}

/**
 * Average precision (area under the precision-recall curve, as scikit-learn's
 * `average_precision_score`). Binary: of the positive column. Multiclass: macro average of the
 * one-vs-rest values over the classes that occur in y.
 *
 * @returns NaN when no row is positive: recall is undefined.
 */
export function prAuc(
  y: ArrayLike<number>,
  proba: ArrayLike<number>,
  options: ProbaMetricOptions = {},
): number {
  const { K, positive } = probaSetup("pr_auc", y, proba, options);
  if (K === 2) return averagePrecisionOfGroups(scoreGroups(y, positive, proba, 2, positive, options.weights));
  return macroOverClasses(y, proba, K, options.weights, averagePrecisionOfGroups);
}

function macroOverClasses(
  y: ArrayLike<number>,
  proba: ArrayLike<number>,
  K: number,
  weights: Weights,
  metric: (g: ReturnType<typeof scoreGroups>) => number,
): number {
  let sum = 0;
  let classes = 0;
  for (let k = 0; k < K; k++) {
    const v = metric(scoreGroups(y, k, proba, K, k, weights));
    if (!Number.isNaN(v)) {
      sum += v;
      classes++;
    }
  }
  return classes === 0 ? NaN : sum / classes;
}

/**
 * Cross-entropy of the true class: −Σ w·log p(true class) / Σ w. Probabilities are clipped to
 * [eps, 1 − eps] and each row renormalised to sum to 1, as scikit-learn 1.2's `log_loss`.
 */
export function logLoss(
  y: ArrayLike<number>,
  proba: ArrayLike<number>,
  options: ProbaMetricOptions & { eps?: number } = {},
): number {
  const { n, K } = probaSetup("log_loss", y, proba, options);
  const eps = options.eps ?? 1e-15;
  const hi = 1 - eps;
  let sum = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    let rowSum = 0;
    for (let k = 0; k < K; k++) rowSum += Math.min(Math.max(proba[i * K + k]!, eps), hi);
    const p = Math.min(Math.max(proba[i * K + y[i]!]!, eps), hi) / rowSum;
    const w = weightOf(options.weights, i);
    sum -= w * Math.log(p);
    total += w;
  }
  return sum / total;
}

/**
 * Brier score, lower is better. Binary (K = 2): mean squared difference between the positive
 * column and the 0/1 truth, as scikit-learn's `brier_score_loss` (range [0, 1]). Multiclass:
 * Brier's original definition, the mean over rows of Σ_k (p_k − [y = k])² (range [0, 2]; for
 * K = 2 it would be twice the binary score).
 */
export function brier(
  y: ArrayLike<number>,
  proba: ArrayLike<number>,
  options: ProbaMetricOptions = {},
): number {
  const { n, K, positive } = probaSetup("brier", y, proba, options);
  let sum = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const t = y[i]!;
    let e = 0;
    if (K === 2) {
      const d = proba[i * 2 + positive]! - (t === positive ? 1 : 0);
      e = d * d;
    } else
      for (let k = 0; k < K; k++) {
        const d = proba[i * K + k]! - (t === k ? 1 : 0);
        e += d * d;
      }
    const w = weightOf(options.weights, i);
    sum += w * e;
    total += w;
  }
  return sum / total;
}

/**
 * The most probable class of each row (the first on ties, as numpy's argmax), into `out`.
 * @param proba row-major `nRows × K`
 */
export function argmaxClasses(proba: ArrayLike<number>, K: number, out?: Float64Array): Float64Array {
  const n = Math.floor(proba.length / K);
  const pred = out ?? new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestP = proba[i * K]!;
    for (let k = 1; k < K; k++) {
      const p = proba[i * K + k]!;
      if (p > bestP) {
        bestP = p;
        best = k;
      }
    }
    pred[i] = best;
  }
  return pred;
}
