/**
 * Metrics: the functions (one per metric, pure, over typed arrays, weights optional) and
 * {@link computeMetrics}, which scores a task's predictions with every metric a project file
 * may name (see src/project/metric-names.ts) or with a chosen few.
 *
 * Undefined values are NaN, never an exception: ROC AUC of a y with one class, PR AUC of a y
 * with no positive row. Malformed inputs (lengths that differ, NaN probabilities, class codes
 * out of range, negative weights) are SluiceErrors naming the value and its row.
 */
import { SluiceError } from "../errors.js";
import {
  CLASSIFICATION_METRICS,
  higherIsBetter,
  metricsFor,
  REGRESSION_METRICS,
  type ClassificationMetric,
  type MetricName,
  type RegressionMetric,
  type Task,
} from "../project/metric-names.js";
import { listing } from "../util/text.js";
import {
  accuracy,
  argmaxClasses,
  balancedAccuracy,
  brier,
  f1,
  logLoss,
  prAuc,
  precision,
  recall,
  rocAuc,
} from "./classification.js";
import { checkProba, type Weights } from "./inputs.js";
import { mae, mape, r2, rmse } from "./regression.js";

export {
  accuracy,
  argmaxClasses,
  balancedAccuracy,
  brier,
  confusionMatrix,
  f1,
  logLoss,
  prAuc,
  precision,
  recall,
  rocAuc,
  type LabelMetricOptions,
  type ProbaMetricOptions,
} from "./classification.js";
export { mae, mape, r2, rmse } from "./regression.js";
export { higherIsBetter, isMetricName, metricsFor, type MetricName } from "../project/metric-names.js";

/** What {@link computeMetrics} scores. */
export interface MetricInput {
  /** True class codes 0..K-1 (classification) or values (regression). */
  y: ArrayLike<number>;
  /** Class probabilities, row-major `nRows × K` (classification). */
  proba?: ArrayLike<number>;
  /**
   * Predicted class codes (classification; by default the most probable class of `proba`) or
   * predicted values (regression).
   */
  pred?: ArrayLike<number>;
  /** K when there are no probabilities; by default one more than the largest code seen. */
  nClasses?: number;
  /** The positive class code of a binary task (default 1); ignored when K > 2. */
  positive?: number;
  weights?: Weights;
  /** The metrics to compute; by default every metric of the task that the inputs allow. */
  metrics?: readonly MetricName[];
}

/** Metric values by name; only the metrics computed are present. */
export type MetricValues = Partial<Record<MetricName, number>>;

/** Classification metrics that need probabilities rather than predicted classes. */
const NEEDS_PROBA: ReadonlySet<ClassificationMetric> = new Set<ClassificationMetric>([
  "roc_auc",
  "pr_auc",
  "log_loss",
  "brier",
]);

/** `"maximize"` for scores (accuracy, roc_auc, r2…), `"minimize"` for losses (log_loss, rmse…). */
export function metricDirection(metric: MetricName): "maximize" | "minimize" {
  return higherIsBetter(metric) ? "maximize" : "minimize";
}

function chosen(task: Task, input: MetricInput): MetricName[] {
  if (input.metrics === undefined) {
    const all = metricsFor(task);
    return task === "classification" && input.proba === undefined
      ? all.filter((m) => !NEEDS_PROBA.has(m as ClassificationMetric))
      : [...all];
  }
  const allowed: readonly string[] = task === "classification" ? CLASSIFICATION_METRICS : REGRESSION_METRICS;
  for (const m of input.metrics) {
    if (!allowed.includes(m))
      throw new SluiceError("E_USAGE", `metric ${JSON.stringify(m)} does not apply to ${task}`, {
        details: { metric: m, task },
        hint: `${task} metrics are ${listing([...allowed])}`,
      });
    if (task === "classification" && NEEDS_PROBA.has(m as ClassificationMetric) && input.proba === undefined)
      throw new SluiceError(
        "E_USAGE",
        `metric ${m} needs predicted probabilities (proba), and none were given`,
        {
          hint: "pass proba from model.predictProba(X)",
        },
      );
  }
  return [...input.metrics];
}

/**
 * Score predictions with the metrics of a task.
 *
 * Classification takes `proba` (and derives the predicted class from it) or `pred` (then only
 * the label metrics: accuracy, balanced_accuracy, precision, recall, f1). With two classes,
 * precision, recall and F1 are of the `positive` class; with more, macro averages.
 *
 * @throws SluiceError E_USAGE for a metric of the other task, a probability metric without
 *   `proba`, mismatched lengths or malformed values; E_LABELS for class codes out of range.
 * @example
 * const proba = model.predictProba(X);
 * const m = computeMetrics("classification", { y, proba, positive: 1 });
 * m.roc_auc; // 0.87
 * computeMetrics("regression", { y, pred: model.predict(X), metrics: ["rmse"] }); // { rmse: 3.2 }
 */
export function computeMetrics(task: Task, input: MetricInput): MetricValues {
  const names = chosen(task, input);
  const out: MetricValues = {};
  const { y, weights } = input;
  if (task === "regression") {
    const pred = input.pred;
    if (pred === undefined)
      throw new SluiceError(
        "E_USAGE",
        "regression metrics need predicted values (pred), and none were given",
        {
          hint: "pass pred from model.predict(X)",
        },
      );
    for (const m of names as RegressionMetric[]) out[m] = REGRESSION[m](y, pred, weights);
    return out;
  }

  const proba = input.proba;
  if (proba === undefined && input.pred === undefined)
    throw new SluiceError("E_USAGE", "classification metrics need proba or pred, and neither was given", {
      hint: "pass proba from model.predictProba(X)",
    });
  if (y.length === 0) throw new SluiceError("E_USAGE", "metrics: no rows to score: pass at least one row");
  const K =
    proba !== undefined
      ? checkProba("metrics", proba, y.length, input.nClasses)
      : (input.nClasses ?? Math.max(2, largest(y, input.pred!) + 1));
  const pred = input.pred ?? argmaxClasses(proba!, K);
  const positive = K === 2 ? (input.positive ?? 1) : undefined;
  for (const m of names as ClassificationMetric[]) {
    if (NEEDS_PROBA.has(m)) out[m] = PROBA[m as ProbaMetric](y, proba!, { nClasses: K, positive, weights });
    else out[m] = labelMetricValue(m, y, pred, positive, weights);
  }
  return out;
}

function largest(y: ArrayLike<number>, pred: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < y.length; i++) if (y[i]! > m) m = y[i]!;
  for (let i = 0; i < pred.length; i++) if (pred[i]! > m) m = pred[i]!;
  return m;
}

type ProbaMetric = "roc_auc" | "pr_auc" | "log_loss" | "brier";
const PROBA = { roc_auc: rocAuc, pr_auc: prAuc, log_loss: logLoss, brier } as const;
const REGRESSION = { rmse, mae, r2, mape } as const;

function labelMetricValue(
  m: ClassificationMetric,
  y: ArrayLike<number>,
  pred: ArrayLike<number>,
  positive: number | undefined,
  weights: Weights,
): number {
  switch (m) {
    case "accuracy":
      return accuracy(y, pred, weights);
    case "balanced_accuracy":
      return balancedAccuracy(y, pred, weights);
    case "precision":
      return precision(y, pred, { positive, weights });
    case "recall":
      return recall(y, pred, { positive, weights });
    default:
      return f1(y, pred, { positive, weights });
  }
}
