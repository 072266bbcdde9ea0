/**
 * Drift of current data against the reference, feature by feature and for the prediction:
 * the test Evidently would choose (or the one sluice.yaml names), its statistic, threshold and
 * verdict, and what a report draws. Features that cannot be tested honestly (absent, all
 * missing, fewer values than `min_rows`) are reported as such, never given a verdict.
 */
import { isSluiceError } from "../errors.js";
import type { MonitorConfig } from "../project/schema.js";
import type { DriftSeverity } from "../track/types.js";
import { count } from "../util/text.js";
import type { MonitorColumn, MonitorData } from "./data.js";
import { gradeSeverity } from "./severity.js";
import {
  alignCategories,
  categoryShares,
  driftTest,
  numericHistogram,
  numericSample,
  type DriftMethodName,
  type DriftTestResult,
  type NumericSample,
} from "./stats/index.js";

/** The JSON report's format version. */
export const DRIFT_REPORT_FORMAT_VERSION = 1;

/** What a report draws for one feature: shares on shared bins, or per category. */
export type DriftPlotData =
  | { type: "histogram"; edges: number[]; reference: number[]; current: number[] }
  | { type: "categories"; labels: string[]; reference: number[]; current: number[] };

/** Why a feature got no verdict. */
export type UntestedStatus = "absent" | "all_missing" | "not_enough_data" | "error";

/** One feature's (or the prediction's) drift result. */
export interface FeatureDrift {
  name: string;
  kind: "numeric" | "categorical";
  /** Share of the model's importance (0 for the prediction). */
  importance: number;
  status: "tested" | UntestedStatus;
  /** What went wrong, for an untested feature. */
  message?: string;
  method?: DriftMethodName;
  /** The test's display name (Evidently's). */
  label?: string;
  /** Why this test (when chosen by default). */
  reason?: string;
  statistic?: number;
  /** The number compared with the threshold: the p-value, or the distance. */
  score?: number;
  pValue?: number;
  threshold?: number;
  scoreKind?: "p_value" | "distance";
  drifted: boolean;
  referenceCount: number;
  currentCount: number;
  referenceMissing: number;
  currentMissing: number;
  /** Categories the reference never had, with their current counts (at most 20). */
  newCategories?: { value: string; count: number }[];
  plot?: DriftPlotData;
}

/** The result of one drift measurement. */
export interface DriftResult {
  formatVersion: number;
  referenceRows: number;
  currentRows: number;
  source: string;
  features: FeatureDrift[];
  prediction?: FeatureDrift;
  /** Features with a verdict. */
  tested: number;
  /** Names of the drifted features. */
  drifted: string[];
  /** Names of the features without a verdict. */
  untested: string[];
  /** Share of tested features that drifted. */
  driftShare: number;
  /** The configured share at which the dataset counts as drifted. */
  driftShareThreshold: number;
  datasetDrift: boolean;
  /** Share of the model's importance carried by the drifted features. */
  driftedImportance: number;
  severity: DriftSeverity;
  severityReason: string;
}

export interface MeasureOptions {
  config: MonitorConfig;
  /** Share of the model's importance per input (from the reference). */
  importance: Readonly<Record<string, number>>;
}

function testFor(
  config: MonitorConfig,
  name: string,
): { method: DriftMethodName | "auto"; threshold?: number } {
  const t = config.tests[name];
  if (t === undefined) return { method: "auto" };
  if (typeof t === "string") return { method: t };
  return { method: t.method, ...(t.threshold === undefined ? {} : { threshold: t.threshold }) };
}

function nonMissing(c: MonitorColumn): number {
  let k = 0;
  if (c.kind === "numeric") {
    for (let i = 0; i < c.values.length; i++) if (Number.isFinite(c.values[i]!)) k++;
  } else for (const v of c.values) if (v !== null) k++;
  return k;
}

function counts(values: readonly (string | null)[]): { labels: string[]; counts: number[]; missing: number } {
  const index = new Map<string, number>();
  const labels: string[] = [];
  const out: number[] = [];
  let missing = 0;
  for (const v of values) {
    if (v === null) {
      missing++;
      continue;
    }
    let i = index.get(v);
    if (i === undefined) {
      i = labels.length;
      index.set(v, i);
      labels.push(v);
      out.push(0);
    }
    out[i]!++;
  }
  return { labels, counts: out, missing };
}

function resultFields(r: DriftTestResult): Partial<FeatureDrift> {
  return {
    method: r.method,
    label: r.label,
    ...(r.reason === undefined ? {} : { reason: r.reason }),
    statistic: r.statistic,
    score: r.score,
    ...(r.kind === "p_value" ? { pValue: r.pValue } : {}),
    threshold: r.threshold,
    scoreKind: r.kind,
    drifted: r.drifted,
    referenceCount: r.referenceCount,
    currentCount: r.currentCount,
    referenceMissing: r.referenceMissing,
    currentMissing: r.currentMissing,
  };
}

/** Bins of a drift plot. */
const PLOT_BINS = 30;

function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const at = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return sorted[at]!;
}

/**
 * Reference and current shares on shared, equal-width bins over the 0.5–99.5 percentiles of
 * both samples: a few extreme values (an income 30 times the median) would otherwise squeeze
 * the whole distribution into one bin. Values beyond the range count in the first or last bin,
 * so each side still sums to 1.
 */
function plotHistogram(a: NumericSample, b: NumericSample): DriftPlotData {
  let lo = Math.min(quantile(a.sorted, 0.005), quantile(b.sorted, 0.005));
  let hi = Math.max(quantile(a.sorted, 0.995), quantile(b.sorted, 0.995));
  if (!(hi > lo)) {
    // One value everywhere: the histogram the statistics module draws is as good as any.
    const h = numericHistogram(a, b);
    return { type: "histogram", edges: h.edges, reference: h.referenceShares, current: h.currentShares };
  }
  const distinct = Math.max(a.distinct, b.distinct);
  const bins = Math.max(1, Math.min(PLOT_BINS, distinct));
  if (distinct <= PLOT_BINS) {
    // Few values (integers such as tenure): one bin per unit step when it fits.
    lo = Math.floor(lo);
    hi = Math.ceil(hi);
  }
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
  const shares = (s: NumericSample): number[] => {
    const counts = new Float64Array(bins);
    for (let i = 0; i < s.sorted.length; i++) {
      const k = Math.floor((s.sorted[i]! - lo) / width);
      counts[k < 0 ? 0 : k >= bins ? bins - 1 : k]! += 1;
    }
    return Array.from(counts, (c) => (s.sorted.length > 0 ? c / s.sorted.length : 0));
  };
  return { type: "histogram", edges, reference: shares(a), current: shares(b) };
}

/** One column's drift (see {@link FeatureDrift}). */
export function measureColumn(
  ref: MonitorColumn,
  cur: MonitorColumn | undefined,
  options: { config: MonitorConfig; importance: number; absent: boolean; rows: number },
): FeatureDrift {
  const base: FeatureDrift = {
    name: ref.name,
    kind: ref.kind,
    importance: options.importance,
    status: "tested",
    drifted: false,
    referenceCount: nonMissing(ref),
    currentCount: 0,
    referenceMissing: ref.values.length - nonMissing(ref),
    currentMissing: options.rows,
  };
  if (cur === undefined || options.absent)
    return {
      ...base,
      status: "absent",
      message: `"${ref.name}" is missing from the current data: none of its ${count(options.rows)} rows carries it`,
    };
  const present = nonMissing(cur);
  base.currentCount = present;
  base.currentMissing = cur.values.length - present;
  if (present === 0)
    return {
      ...base,
      status: "all_missing",
      message: `all ${count(cur.values.length)} current values of "${ref.name}" are missing`,
    };
  const min = options.config.min_rows;
  if (present < min)
    return {
      ...base,
      status: "not_enough_data",
      message: `"${ref.name}" has ${count(present)} current value${present === 1 ? "" : "s"}; a drift test needs at least ${count(
        min,
      )} (monitor.min_rows), so it is not tested`,
    };
  const { method, threshold } = testFor(options.config, ref.name);
  try {
    if (ref.kind === "numeric" && cur.kind === "numeric") {
      const a = numericSample(ref.values);
      const b = numericSample(cur.values);
      const r = driftTest(method, a, b, threshold === undefined ? {} : { threshold });
      return {
        ...base,
        ...resultFields(r),
        plot: plotHistogram(a, b),
      };
    }
    const refValues =
      ref.kind === "categorical"
        ? ref.values
        : Array.from(ref.values, (v) => (Number.isFinite(v) ? String(v) : null));
    const curValues =
      cur.kind === "categorical"
        ? cur.values
        : Array.from(cur.values, (v) => (Number.isFinite(v) ? String(v) : null));
    const a = counts(refValues);
    const b = counts(curValues);
    const aligned = alignCategories(a, b);
    const r = driftTest(
      method,
      aligned.reference,
      aligned.current,
      threshold === undefined ? {} : { threshold },
    );
    const seen = new Set(a.labels);
    const fresh = b.labels
      .map((value, i) => ({ value, count: b.counts[i]! }))
      .filter((c) => !seen.has(c.value))
      .sort((x, y) => y.count - x.count || (x.value < y.value ? -1 : 1));
    const shares = categoryShares(aligned.reference, aligned.current, aligned.labels).slice(0, 30);
    return {
      ...base,
      ...resultFields(r),
      ...(fresh.length > 0 ? { newCategories: fresh.slice(0, 20) } : {}),
      plot: {
        type: "categories",
        labels: shares.map((s) => s.label ?? String(s.index)),
        reference: shares.map((s) => s.referenceShare),
        current: shares.map((s) => s.currentShare),
      },
    };
  } catch (err) {
    if (!isSluiceError(err)) throw err;
    return { ...base, status: "error", message: err.message };
  }
}

/**
 * Measure drift of `current` against `reference`: every input, then the prediction; the share
 * of drifted features, dataset drift and severity (src/monitor/severity.ts).
 *
 * @example
 * const result = measureDrift(referenceData(ref), windowData(ref, rows, "last 1000"), {
 *   config: project.config.monitor,
 *   importance: ref.importance,
 * });
 * result.drifted; // ["income", "tenure_months"]
 */
export function measureDrift(
  reference: MonitorData,
  current: MonitorData,
  options: MeasureOptions,
): DriftResult {
  const { config } = options;
  const absent = new Set(current.absent);
  const byName = new Map(current.columns.map((c) => [c.name, c]));
  const features = reference.columns.map((ref) =>
    measureColumn(ref, byName.get(ref.name), {
      config,
      importance: options.importance[ref.name] ?? 0,
      absent: absent.has(ref.name),
      rows: current.rows,
    }),
  );
  const prediction =
    reference.prediction === undefined || current.prediction === undefined
      ? undefined
      : measureColumn(reference.prediction, current.prediction, {
          config,
          importance: 0,
          absent: false,
          rows: current.rows,
        });
  const tested = features.filter((f) => f.status === "tested");
  const drifted = tested.filter((f) => f.drifted);
  const driftedImportance = Math.min(
    1,
    drifted.reduce((s, f) => s + f.importance, 0),
  );
  const severity = gradeSeverity({
    tested: tested.length,
    drifted: drifted.length,
    driftedImportance,
    predictionDrifted: prediction?.status === "tested" && prediction.drifted,
    driftShare: config.drift_share,
    severeImportance: config.severity.severe_importance,
    criticalImportance: config.severity.critical_importance,
  });
  return {
    formatVersion: DRIFT_REPORT_FORMAT_VERSION,
    referenceRows: reference.rows,
    currentRows: current.rows,
    source: current.source,
    features,
    ...(prediction === undefined ? {} : { prediction }),
    tested: tested.length,
    drifted: drifted.map((f) => f.name),
    untested: features.filter((f) => f.status !== "tested").map((f) => f.name),
    driftShare: tested.length > 0 ? drifted.length / tested.length : 0,
    driftShareThreshold: config.drift_share,
    datasetDrift: severity.datasetDrift,
    driftedImportance,
    severity: severity.level,
    severityReason: severity.reason,
  };
}
