/**
 * The metrics a project file may name (in `select:` and `gates:`), with the task each belongs
 * to and its direction. The evaluate part computes them; the project file only names them.
 */

export const CLASSIFICATION_METRICS = [
  "roc_auc",
  "pr_auc",
  "accuracy",
  "balanced_accuracy",
  "precision",
  "recall",
  "f1",
  "log_loss",
  "brier",
] as const;

export const REGRESSION_METRICS = ["rmse", "mae", "r2", "mape"] as const;

export type ClassificationMetric = (typeof CLASSIFICATION_METRICS)[number];
export type RegressionMetric = (typeof REGRESSION_METRICS)[number];
export type MetricName = ClassificationMetric | RegressionMetric;

export type Task = "classification" | "regression";

/** Metrics where a smaller value is better. */
const LOWER_IS_BETTER: ReadonlySet<MetricName> = new Set<MetricName>([
  "log_loss",
  "brier",
  "rmse",
  "mae",
  "mape",
]);

/** Whether a larger value of `metric` means a better model. */
export function higherIsBetter(metric: MetricName): boolean {
  return !LOWER_IS_BETTER.has(metric);
}

/** The metrics that apply to `task`. */
export function metricsFor(task: Task): readonly MetricName[] {
  return task === "classification" ? CLASSIFICATION_METRICS : REGRESSION_METRICS;
}

export function isMetricName(name: string): name is MetricName {
  return (
    (CLASSIFICATION_METRICS as readonly string[]).includes(name) ||
    (REGRESSION_METRICS as readonly string[]).includes(name)
  );
}

/** The metric `select:` defaults to for a task. */
export function defaultSelectMetric(task: Task): MetricName {
  return task === "classification" ? "roc_auc" : "rmse";
}
