/**
 * Live quality: how the model does on the predictions whose ground truth came back
 * (`POST /feedback`), against the scores it had on its test rows when it was registered.
 *
 * Feedback is an object; the truth is read from its `label` (classification) or `value`
 * (regression) field, or from `actual` or the target column's name.
 */
import { computeMetrics } from "../evaluate/metrics.js";
import type { StoredPrediction } from "../track/types.js";
import { count } from "../util/text.js";

export interface QualityTarget {
  task: "classification" | "regression";
  /** The target column (also accepted as the feedback field). */
  target: string;
  /** Class labels by code (classification). */
  classes?: readonly string[];
  /** The positive class label of a binary target. */
  positive?: string;
}

/** Live metrics over the window's predictions with feedback. */
export interface LiveQuality {
  /** Predictions in the window that have feedback. */
  rows: number;
  /** Feedback that could not be read (unknown class, not a number), left out. */
  unreadable: number;
  /** Live metric values; empty when there are fewer rows than `minRows`. */
  metrics: Record<string, number>;
  /** The version's test metrics, for comparison. */
  test: Record<string, number>;
  /** live − test, per metric both have. */
  change: Record<string, number>;
  /** Why metrics are missing, when they are. */
  note?: string;
}

function truthOf(feedback: Record<string, unknown>, target: string): unknown {
  for (const key of ["label", "value", "actual", target])
    if (Object.hasOwn(feedback, key)) return feedback[key];
  return undefined;
}

/** A class label as text: strings as they are, numbers and booleans as `String(x)`. */
function labelText(value: unknown): string {
  return typeof value === "string"
    ? value
    : typeof value === "number" || typeof value === "boolean"
      ? String(value)
      : "\u0000";
}

/**
 * Score the window's predictions that have feedback: accuracy, F1 and ROC AUC (binary) or
 * accuracy and F1 (multiclass) for classification; RMSE, MAE and R² for regression.
 *
 * @example
 * liveQuality(window, { task: "classification", target: "churn", classes: ["0", "1"], positive: "1" }, version.metrics, 30);
 * // { rows: 412, metrics: { accuracy: 0.81, f1: 0.58, roc_auc: 0.84 }, change: { roc_auc: -0.02, … }, … }
 */
export function liveQuality(
  rows: readonly StoredPrediction[],
  target: QualityTarget,
  test: Readonly<Record<string, number>>,
  minRows: number,
): LiveQuality {
  const withFeedback = rows.filter((r) => r.feedback !== null);
  let unreadable = 0;
  const metrics: Record<string, number> = {};
  const y: number[] = [];
  const pred: number[] = [];
  const proba: number[] = [];
  if (target.task === "regression") {
    for (const r of withFeedback) {
      const t = Number(truthOf(r.feedback!, target.target));
      const p = Number(r.output.prediction);
      if (!Number.isFinite(t) || !Number.isFinite(p)) {
        unreadable++;
        continue;
      }
      y.push(t);
      pred.push(p);
    }
    if (y.length >= minRows) {
      const m = computeMetrics("regression", { y, pred, metrics: ["rmse", "mae", "r2"] });
      for (const [k, v] of Object.entries(m)) metrics[k] = v;
    }
  } else {
    const classes = target.classes ?? [];
    const K = classes.length;
    const pos = target.positive === undefined ? -1 : classes.indexOf(target.positive);
    let allProba = K >= 2;
    for (const r of withFeedback) {
      const truth = truthOf(r.feedback!, target.target);
      const code = classes.indexOf(labelText(truth));
      const predicted = classes.indexOf(labelText(r.output.prediction));
      if (code < 0 || predicted < 0) {
        unreadable++;
        continue;
      }
      y.push(code);
      pred.push(predicted);
      const p = r.output.probability;
      if (K === 2 && pos >= 0 && typeof p === "number") {
        proba.push(pos === 1 ? 1 - p : p, pos === 1 ? p : 1 - p);
      } else if (p !== null && typeof p === "object") {
        const byClass = p as Record<string, unknown>;
        for (const c of classes) proba.push(Number(byClass[c] ?? 0));
      } else allProba = false;
    }
    if (y.length >= minRows) {
      const metricsWanted =
        K === 2 ? (["accuracy", "f1", "roc_auc"] as const) : (["accuracy", "f1"] as const);
      const m =
        allProba && proba.length === y.length * K
          ? computeMetrics("classification", {
              y,
              proba,
              nClasses: K,
              ...(pos >= 0 ? { positive: pos } : {}),
              metrics: [...metricsWanted],
            })
          : computeMetrics("classification", {
              y,
              pred,
              nClasses: K,
              ...(pos >= 0 ? { positive: pos } : {}),
              metrics: ["accuracy", "f1"],
            });
      for (const [k, v] of Object.entries(m)) if (Number.isFinite(v)) metrics[k] = v;
    }
  }
  const change: Record<string, number> = {};
  for (const [k, v] of Object.entries(metrics)) if (Number.isFinite(test[k])) change[k] = v - test[k]!;
  const note =
    y.length < minRows
      ? `${count(y.length)} prediction${y.length === 1 ? "" : "s"} in the window ${y.length === 1 ? "has" : "have"} readable feedback; live metrics need at least ${count(minRows)}`
      : undefined;
  return {
    rows: withFeedback.length,
    unreadable,
    metrics,
    test: { ...test },
    change,
    ...(note === undefined ? {} : { note }),
  };
}
