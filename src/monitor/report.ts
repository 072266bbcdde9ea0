/**
 * The monitoring report: the JSON a script reads and the self-contained HTML page a person
 * reads (inline CSS and SVG, no scripts): severity and why, the share of drifted features,
 * then per feature its test, statistic, threshold and verdict with a reference-vs-current
 * distribution plot, live quality against the test scores, and what was done about it (alert,
 * retraining). Loads Vega: keep it out of the serving path.
 */
import { renderVegaLite } from "../evaluate/plots.js";
import type { DriftSeverity } from "../track/types.js";
import { count } from "../util/text.js";
import { escapeHtml, htmlPage } from "../validate/html.js";
import type { AlertOutcome } from "./alerts.js";
import type { DriftResult, FeatureDrift } from "./measure.js";
import type { LiveQuality } from "./quality.js";

/** What a retraining trigger did. */
export interface RetrainOutcome {
  /** `started` then `finished`/`failed`; `cooldown` when a recent one blocked it; `off` when not asked. */
  status: "finished" | "failed" | "cooldown" | "disabled";
  reason: string;
  /** The run it started. */
  runId?: string;
  /** The version it registered, its stage and whether its gates passed. */
  version?: number;
  stage?: string;
  gatesPassed?: boolean;
  /** The event recorded in the store. */
  eventId?: number;
  error?: string;
}

/** The whole monitoring result, as written to `drift.json` and printed by `--json`. */
export interface MonitorReport extends DriftResult {
  model: string;
  version: number | null;
  stage: string | null;
  /** ISO 8601. */
  at: string;
  quality?: LiveQuality;
  alert?: AlertOutcome & { url: string };
  retrain?: RetrainOutcome;
  /** The drift history entry in the store. */
  storeId?: number;
}

const BLUE = "#4c78a8";
const ORANGE = "#f58518";

/** A score for a table: 4 significant digits, exponents for the very large and small, ∞, — for none. */
export function formatNumber(x: number | undefined): string {
  if (x === undefined || Number.isNaN(x)) return "—";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "-∞";
  if (Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3)) return x.toExponential(2);
  return String(Number(x.toPrecision(4)));
}

const fmt = formatNumber;

const pct = (x: number): string => `${(100 * x).toFixed(x < 0.1 && x > 0 ? 1 : 0)}%`;

/** Reference vs current shares of one feature, as an SVG. */
export async function distributionPlot(f: FeatureDrift): Promise<string | undefined> {
  const plot = f.plot;
  if (plot === undefined) return undefined;
  const title = `${f.name}: reference vs current`;
  const colour = {
    field: "side",
    type: "nominal",
    title: null,
    scale: { domain: ["reference", "current"], range: [BLUE, ORANGE] },
  };
  if (plot.type === "histogram") {
    const values: Record<string, number | string>[] = [];
    for (let i = 0; i < plot.reference.length; i++)
      for (const side of ["reference", "current"] as const)
        values.push({
          from: plot.edges[i]!,
          to: plot.edges[i + 1]!,
          share: (side === "reference" ? plot.reference : plot.current)[i]!,
          side,
        });
    return renderVegaLite(
      title,
      {
        data: { values },
        mark: { type: "rect", opacity: 0.5, stroke: "white", strokeWidth: 0.5 },
        encoding: {
          x: { field: "from", type: "quantitative", title: f.name, scale: { zero: false, nice: false } },
          x2: { field: "to" },
          y: { field: "share", type: "quantitative", title: "share of rows", axis: { format: "%" } },
          y2: { datum: 0 },
          color: colour,
        },
      },
      { width: 420, height: 220 },
    );
  }
  const values: Record<string, number | string>[] = [];
  for (let i = 0; i < plot.labels.length; i++)
    for (const side of ["reference", "current"] as const)
      values.push({
        category: plot.labels[i]!,
        share: (side === "reference" ? plot.reference : plot.current)[i]!,
        side,
      });
  return renderVegaLite(
    title,
    {
      data: { values },
      mark: { type: "bar" },
      encoding: {
        x: {
          field: "category",
          type: "nominal",
          title: f.name,
          sort: null,
          axis: { labelAngle: -30, labelLimit: 90 },
        },
        xOffset: { field: "side", sort: ["reference", "current"] },
        y: { field: "share", type: "quantitative", title: "share of rows", axis: { format: "%" } },
        color: colour,
      },
    },
    { width: 420, height: 220 },
  );
}

function verdict(f: FeatureDrift): string {
  if (f.status !== "tested") return `<span class="lv-warn">not tested</span>`;
  return f.drifted ? `<span class="lv-error">drift</span>` : `<span class="pass">no drift</span>`;
}

function featureRow(f: FeatureDrift, isPrediction = false): string {
  const test =
    f.status === "tested" ? `${escapeHtml(f.label ?? f.method ?? "")}` : escapeHtml(f.message ?? f.status);
  const fresh =
    f.newCategories !== undefined
      ? `<br><span class="muted">new: ${f.newCategories
          .slice(0, 5)
          .map((c) => `${escapeHtml(c.value)} (${count(c.count)})`)
          .join(", ")}${f.newCategories.length > 5 ? ", …" : ""}</span>`
      : "";
  return `<tr><td><code>${escapeHtml(f.name)}</code>${isPrediction ? ' <span class="muted">(model output)</span>' : ""}</td><td>${f.kind}</td><td class="n">${isPrediction ? "—" : pct(f.importance)}</td><td>${test}${fresh}</td><td class="n">${fmt(f.statistic)}</td><td class="n">${f.scoreKind === "p_value" ? `p = ${fmt(f.score)}` : fmt(f.score)}</td><td class="n">${f.threshold === undefined ? "—" : `${f.scoreKind === "p_value" ? "p &lt; " : "≥ "}${fmt(f.threshold)}`}</td><td class="n">${count(f.referenceCount)} / ${count(f.currentCount)}</td><td>${verdict(f)}</td></tr>`;
}

const SEVERITY_CLASS: Record<DriftSeverity, string> = {
  none: "ok",
  moderate: "warn",
  severe: "err",
  critical: "err",
};

const CSS = `
.tiles{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0}.tile{border:1px solid var(--line);border-radius:8px;padding:6px 12px;min-width:110px}
.tile .v{display:block;font-size:20px;font-weight:600;font-variant-numeric:tabular-nums}.tile .k{color:var(--mute);font-size:12px}
.plots{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:16px}.plot{border:1px solid var(--line);border-radius:8px;padding:6px}
.plot svg{max-width:100%;height:auto}.badge.warn{background:#fff4e5;color:#8a5300}
`;

function inline(svg: string): string {
  return svg.replace(/ xmlns(?::\w+)?="[^"]*"/g, "");
}

/**
 * The report as one HTML page.
 *
 * @example
 * await writeFileAtomic("drift.html", await renderMonitorHtml(report));
 */
export async function renderMonitorHtml(report: MonitorReport): Promise<string> {
  const title = `Drift: ${report.model}${report.version === null ? "" : ` v${report.version}`}${report.stage === null ? "" : ` (${report.stage})`}`;
  const parts: string[] = [];
  parts.push(
    `<p><span class="badge ${SEVERITY_CLASS[report.severity]}">${report.severity}</span> ${escapeHtml(report.severityReason)}.</p>`,
    `<p class="muted">Current: ${escapeHtml(report.source)} (${count(report.currentRows)} rows). Reference: ${count(report.referenceRows)} training rows. Measured ${escapeHtml(report.at)}.</p>`,
    `<div class="tiles">${[
      ["severity", report.severity],
      ["dataset drift", report.datasetDrift ? "yes" : "no"],
      ["drifted features", `${report.drifted.length} / ${report.tested}`],
      ["drift share (threshold)", `${pct(report.driftShare)} (${pct(report.driftShareThreshold)})`],
      ["importance drifted", pct(report.driftedImportance)],
      [
        "prediction",
        report.prediction === undefined || report.prediction.status !== "tested"
          ? "not tested"
          : report.prediction.drifted
            ? "drift"
            : "no drift",
      ],
    ]
      .map(
        ([k, v]) =>
          `<div class="tile"><span class="v">${escapeHtml(v!)}</span><span class="k">${escapeHtml(k!)}</span></div>`,
      )
      .join("")}</div>`,
  );
  const rows = report.features.map((f) => featureRow(f));
  if (report.prediction !== undefined) rows.push(featureRow(report.prediction, true));
  parts.push(
    `<h2>Features</h2>`,
    `<table><thead><tr><th>feature</th><th>type</th><th>importance</th><th>test</th><th>statistic</th><th>score</th><th>drift when</th><th>rows (ref / cur)</th><th>verdict</th></tr></thead><tbody>${rows.join("")}</tbody></table>`,
  );
  const untested = report.features.filter((f) => f.status !== "tested");
  if (untested.length > 0)
    parts.push(
      `<ul>${untested.map((f) => `<li class="lv-warn">${escapeHtml(f.message ?? f.status)}</li>`).join("")}</ul>`,
    );

  if (report.quality !== undefined) {
    const q = report.quality;
    parts.push(`<h2>Live quality</h2>`);
    parts.push(
      `<p>${count(q.rows)} predictions in the window have feedback${q.unreadable > 0 ? ` (${count(q.unreadable)} unreadable, left out)` : ""}.${q.note === undefined ? "" : ` ${escapeHtml(q.note)}.`}</p>`,
    );
    const keys = Object.keys(q.metrics);
    if (keys.length > 0)
      parts.push(
        `<table><thead><tr><th>metric</th><th>live</th><th>test</th><th>change</th></tr></thead><tbody>${keys
          .map(
            (k) =>
              `<tr><td>${escapeHtml(k)}</td><td class="n">${fmt(q.metrics[k])}</td><td class="n">${fmt(q.test[k])}</td><td class="n">${q.change[k] === undefined ? "—" : `${q.change[k] >= 0 ? "+" : ""}${fmt(q.change[k])}`}</td></tr>`,
          )
          .join("")}</tbody></table>`,
      );
  }

  if (report.alert !== undefined || report.retrain !== undefined) {
    parts.push(`<h2>Actions</h2><ul>`);
    if (report.alert !== undefined)
      parts.push(
        `<li>alert to ${escapeHtml(report.alert.url)}: ${report.alert.status}${report.alert.error === undefined ? "" : ` (${escapeHtml(report.alert.error)})`} after ${report.alert.attempts} ${report.alert.attempts === 1 ? "try" : "tries"}</li>`,
      );
    if (report.retrain !== undefined)
      parts.push(
        `<li>retraining: ${report.retrain.status} — ${escapeHtml(report.retrain.reason)}${report.retrain.runId === undefined ? "" : ` (run ${escapeHtml(report.retrain.runId)}${report.retrain.version === undefined ? "" : `, v${report.retrain.version} → ${escapeHtml(report.retrain.stage ?? "")}`})`}</li>`,
      );
    parts.push(`</ul>`);
  }

  const plotted = report.prediction === undefined ? report.features : [...report.features, report.prediction];
  const svgs = await Promise.all(plotted.map((f) => distributionPlot(f)));
  parts.push(
    `<h2>Distributions</h2>`,
    `<div class="plots">${svgs
      .filter((s): s is string => s !== undefined)
      .map((s) => `<div class="plot">${inline(s)}</div>`)
      .join("\n")}</div>`,
    `<p class="muted">Tests as Evidently chooses them by default: a reference of ≤ 1,000 rows gets the two-sample Kolmogorov–Smirnov test (numbers with more than 5 values), chi-square (categories, few-valued numbers) or the Z test of proportions (two values), drift when p &lt; 0.05 (KS: ≤); a larger reference gets the Wasserstein distance divided by the reference's standard deviation (numbers) or the Jensen–Shannon distance (categories), drift when ≥ 0.1. Severity weighs drifted features by the model's mean |SHAP| on its training rows.</p>`,
  );

  return htmlPage(title, CSS, parts.join("\n"));
}
