/**
 * The Prometheus gauges of a drift result: one set of names for the server's `/metrics` (which
 * refreshes them on `monitor.metrics_interval`) and for `sluice monitor --push` (a
 * Pushgateway), so dashboards and alert rules work with either.
 *
 * | gauge | labels | value |
 * | --- | --- | --- |
 * | `sluice_drift_dataset` | model, version | 1 when the dataset drifted |
 * | `sluice_drift_severity` | model, version | 0 none, 1 moderate, 2 severe, 3 critical |
 * | `sluice_drift_share` | model, version | share of tested features that drifted |
 * | `sluice_drift_feature_drifted` | model, version, feature | 1 when the feature (or `prediction`) drifted |
 * | `sluice_drift_feature_score` | model, version, feature, method | the p-value or distance |
 * | `sluice_drift_current_rows` | model, version | rows in the measured window |
 * | `sluice_drift_timestamp_seconds` | model, version | when it was measured |
 *
 * Pure and light: the server loads this module, so it imports no training-only code.
 */
import type { DriftResult } from "./measure.js";
import { severityRank } from "./severity.js";

export interface GaugeSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Help text of each gauge. */
export const DRIFT_GAUGES: Readonly<Record<string, { help: string; labels: readonly string[] }>> = {
  sluice_drift_dataset: {
    help: "1 when the share of drifted features reached monitor.drift_share",
    labels: ["model", "version"],
  },
  sluice_drift_severity: {
    help: "Drift severity: 0 none, 1 moderate, 2 severe, 3 critical",
    labels: ["model", "version"],
  },
  sluice_drift_share: { help: "Share of tested features that drifted", labels: ["model", "version"] },
  sluice_drift_feature_drifted: {
    help: "1 when the feature (or the prediction) drifted",
    labels: ["model", "version", "feature"],
  },
  sluice_drift_feature_score: {
    help: "The drift test's p-value or distance per feature",
    labels: ["model", "version", "feature", "method"],
  },
  sluice_drift_current_rows: {
    help: "Rows in the window the drift was measured on",
    labels: ["model", "version"],
  },
  sluice_drift_timestamp_seconds: {
    help: "When the drift was measured (Unix seconds)",
    labels: ["model", "version"],
  },
};

/** The gauge samples of one drift result. */
export function driftGaugeSamples(
  result: DriftResult,
  model: string,
  version: number | null,
  at: number,
): GaugeSample[] {
  const base = { model, version: version === null ? "" : String(version) };
  const out: GaugeSample[] = [
    { name: "sluice_drift_dataset", labels: base, value: result.datasetDrift ? 1 : 0 },
    { name: "sluice_drift_severity", labels: base, value: severityRank(result.severity) },
    { name: "sluice_drift_share", labels: base, value: result.driftShare },
    { name: "sluice_drift_current_rows", labels: base, value: result.currentRows },
    { name: "sluice_drift_timestamp_seconds", labels: base, value: at / 1000 },
  ];
  const features =
    result.prediction === undefined ? result.features : [...result.features, result.prediction];
  for (const f of features) {
    if (f.status !== "tested") continue;
    out.push({
      name: "sluice_drift_feature_drifted",
      labels: { ...base, feature: f.name },
      value: f.drifted ? 1 : 0,
    });
    if (f.score !== undefined && f.method !== undefined && Number.isFinite(f.score))
      out.push({
        name: "sluice_drift_feature_score",
        labels: { ...base, feature: f.name, method: f.method },
        value: f.score,
      });
  }
  return out;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

/** Samples in the Prometheus text exposition format (what a Pushgateway takes). */
export function toExposition(samples: readonly GaugeSample[]): string {
  const lines: string[] = [];
  const seen = new Set<string>();
  const byName = [...samples].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const s of byName) {
    if (!seen.has(s.name)) {
      seen.add(s.name);
      lines.push(`# HELP ${s.name} ${DRIFT_GAUGES[s.name]?.help ?? s.name}`, `# TYPE ${s.name} gauge`);
    }
    const labels = Object.entries(s.labels)
      .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
      .join(",");
    lines.push(
      `${s.name}${labels === "" ? "" : `{${labels}}`} ${Number.isFinite(s.value) ? s.value : "NaN"}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Push the samples to a Prometheus Pushgateway (`PUT /metrics/job/sluice_monitor/model/<name>`),
 * replacing what the previous push of this model left.
 *
 * @returns an error text when the push failed (monitoring goes on), else undefined
 */
export async function pushGauges(
  gatewayUrl: string,
  model: string,
  samples: readonly GaugeSample[],
  options: { timeoutMs?: number; fetch?: typeof fetch } = {},
): Promise<string | undefined> {
  const url = `${gatewayUrl.replace(/\/+$/, "")}/metrics/job/sluice_monitor/model/${encodeURIComponent(model)}`;
  try {
    const res = await (options.fetch ?? fetch)(url, {
      method: "PUT",
      headers: { "content-type": "text/plain; version=0.0.4" },
      body: toExposition(samples),
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    });
    await res.arrayBuffer().catch(() => undefined);
    return res.ok ? undefined : `the Pushgateway at ${url} answered ${res.status}`;
  } catch (err) {
    return `cannot push to ${url}: ${(err as Error).message}`;
  }
}
