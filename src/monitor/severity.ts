/**
 * Drift severity: how much a drift result should worry the people who run the model. Counting
 * drifted features alone treats a drifted zip code the model ignores like a drifted income it
 * leans on, so severity also weighs each feature by the model's attention to it (its share of
 * mean |SHAP| on the training rows, stored in the reference).
 *
 * With `s` the share of tested features that drifted, `w` the share of the model's importance
 * carried by the drifted features, and `p` whether the prediction itself drifted:
 *
 * | severity | when |
 * | --- | --- |
 * | `critical` | `w ≥ critical_importance` (0.6), or dataset drift (`s ≥ drift_share`) and `p` |
 * | `severe` | dataset drift, or `w ≥ severe_importance` (0.3), or `p` |
 * | `moderate` | at least one feature drifted |
 * | `none` | no feature and not the prediction drifted |
 *
 * Features that could not be tested (too few rows, all values missing, absent) do not count as
 * drifted; the report lists them apart.
 */
import type { DriftSeverity } from "../track/types.js";

export interface SeverityInput {
  /** Tested features. */
  tested: number;
  /** Drifted features. */
  drifted: number;
  /** Share of the model's importance carried by the drifted features, in [0, 1]. */
  driftedImportance: number;
  /** Whether the prediction drifted (false when it was not tested). */
  predictionDrifted: boolean;
  /** Dataset drift when at least this share of tested features drifted. */
  driftShare: number;
  severeImportance: number;
  criticalImportance: number;
}

export interface SeverityGrade {
  level: DriftSeverity;
  /** Whether the share of drifted features reached `driftShare`. */
  datasetDrift: boolean;
  /** Why, in one sentence. */
  reason: string;
}

const pct = (x: number): string => `${(100 * x).toFixed(0)}%`;

/** Grade a drift result (see the table above). */
export function gradeSeverity(input: SeverityInput): SeverityGrade {
  const share = input.tested > 0 ? input.drifted / input.tested : 0;
  const datasetDrift = input.tested > 0 && input.drifted > 0 && share >= input.driftShare;
  const w = input.driftedImportance;
  const what = `${input.drifted} of ${input.tested} features drifted (${pct(share)}; dataset drift at ${pct(
    input.driftShare,
  )}), carrying ${pct(w)} of the model's importance${input.predictionDrifted ? "; the prediction drifted" : ""}`;
  let level: DriftSeverity;
  if (w >= input.criticalImportance && input.drifted > 0) level = "critical";
  else if (datasetDrift && input.predictionDrifted) level = "critical";
  else if (datasetDrift || (w >= input.severeImportance && input.drifted > 0) || input.predictionDrifted)
    level = "severe";
  else if (input.drifted > 0) level = "moderate";
  else level = "none";
  return { level, datasetDrift, reason: level === "none" ? `no drift: ${what}` : what };
}

/** Severity levels by rank, for "at least" comparisons. */
export function severityRank(s: DriftSeverity): number {
  return s === "none" ? 0 : s === "moderate" ? 1 : s === "severe" ? 2 : 3;
}
