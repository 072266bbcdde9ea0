/**
 * Scoring predictions that came back from a fit job: class probabilities (classification) or
 * values (regression) for some rows, against those rows' labels.
 */
import { computeMetrics } from "../evaluate/metrics.js";
import type { Labels, Task } from "../models/types.js";
import type { MetricName } from "../project/metric-names.js";

/** What the metrics need besides the predictions. */
export interface ScoreOptions {
  metrics: readonly MetricName[];
  /** Number of classes (classification). */
  nClasses?: number;
  /** Code of the positive class of a binary target (< 0 or absent: none). */
  positive?: number;
  weights?: Float64Array;
}

/**
 * Score predictions: `predictions` are class probabilities (row-major n × K) for
 * classification, values for regression. A metric that cannot be computed (ROC AUC of a part
 * holding one class) is NaN.
 */
export function scorePredictions(
  task: Task,
  y: Labels,
  predictions: Float64Array,
  options: ScoreOptions,
): Record<string, number> {
  const values = computeMetrics(task, {
    y,
    ...(task === "classification" ? { proba: predictions } : { pred: predictions }),
    ...(options.nClasses === undefined ? {} : { nClasses: options.nClasses }),
    ...(options.positive === undefined || options.positive < 0 ? {} : { positive: options.positive }),
    ...(options.weights === undefined ? {} : { weights: options.weights }),
    metrics: options.metrics,
  });
  const out: Record<string, number> = {};
  for (const m of options.metrics) out[m] = values[m] ?? NaN;
  return out;
}
