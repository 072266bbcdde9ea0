/**
 * The evaluation report: one self-contained HTML file (inline CSS and SVG, no scripts, no
 * external references) with the model's header — metrics tiles and the gate summary — every plot
 * of its task, the confusion matrix, the leaderboard with CV scores, the gates, the SHAP summary
 * and the importances. It opens offline and can be attached to a review.
 */
import { count } from "../util/text.js";
import { escapeHtml, htmlPage } from "../validate/html.js";
import {
  cardSections,
  gatesBlock,
  leaderboardBlock,
  metricText,
  metricsBlock,
  modelTitle,
  topShap,
  type CardInput,
} from "./card.js";
import { blockHtml, sectionsHtml } from "./document.js";
import type { Evaluation } from "./evaluation.js";
import {
  calibrationPlot,
  confusionMatrixPlot,
  cvScoresPlot,
  importancePlot,
  prPlot,
  residualsPlot,
  rocPlot,
  shapSummaryPlot,
} from "./plots.js";

/** What the report shows: the card's input, with the full evaluation. */
export interface ReportInput extends CardInput {
  evaluation: Evaluation;
  /** The page title; default `Evaluation: <model> v<version> (<stage>)`. */
  title?: string;
}

const REPORT_CSS = `
.tiles{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0}.tile{border:1px solid var(--line);border-radius:8px;padding:6px 12px;min-width:110px}
.tile .v{display:block;font-size:20px;font-weight:600;font-variant-numeric:tabular-nums}.tile .k{color:var(--mute);font-size:12px}
.plots{display:grid;grid-template-columns:repeat(auto-fill,minmax(500px,1fr));gap:16px}.plot{border:1px solid var(--line);border-radius:8px;padding:6px}
.plot svg{max-width:100%;height:auto}
`;

/** Inline SVG needs no namespace declarations: drop them (they are the only URLs Vega writes). */
function inline(svg: string): string {
  return svg.replace(/ xmlns(?::\w+)?="[^"]*"/g, "");
}

function plotBox(svg: string): string {
  return `<div class="plot">${inline(svg)}</div>`;
}

function tiles(input: ReportInput): string {
  const entries = Object.entries(input.evaluation.metrics);
  const select = input.training.select;
  // The select metric first, then the rest in the task's order.
  entries.sort(([a], [b]) => (a === select ? -1 : b === select ? 1 : 0));
  return `<div class="tiles">${entries
    .map(
      ([k, v]) =>
        `<div class="tile"><span class="v">${escapeHtml(metricText(v))}</span><span class="k">test ${escapeHtml(k)}</span></div>`,
    )
    .join("")}</div>`;
}

function gateSummary(input: ReportInput): string {
  const gates = input.gates;
  if (gates === undefined) return `<span class="muted">gates not run</span>`;
  const failed = gates.filter((g) => !g.passed);
  if (failed.length === 0)
    return `<span class="badge ok">gates passed</span> <span class="muted">${count(gates.length)} of ${count(gates.length)}</span>`;
  return `<span class="badge err">gates failed</span> <span class="lv-error">${failed.map((g) => escapeHtml(g.name)).join(", ")}</span> <span class="muted">(${count(failed.length)} of ${count(gates.length)})</span>`;
}

async function taskPlots(e: Evaluation): Promise<string[]> {
  const out: string[] = [];
  if (e.task === "classification") {
    if (e.roc !== undefined && e.roc.length > 0) out.push(await rocPlot(e.roc));
    if (e.pr !== undefined && e.pr.length > 0) out.push(await prPlot(e.pr));
    if (e.calibration !== undefined) out.push(await calibrationPlot(e.calibration));
    if (e.confusion !== undefined) out.push(await confusionMatrixPlot(e.confusion));
  } else if (e.residuals !== undefined) {
    out.push(await residualsPlot({ predictions: e.predictions, residuals: e.residuals }));
  }
  return out;
}

function confusionTable(e: Evaluation): string {
  const c = e.confusion;
  if (c === undefined) return "";
  return blockHtml({
    kind: "table",
    head: ["true \\ predicted", ...c.labels],
    rows: c.counts.map((row, t) => [c.labels[t]!, ...row.map((n) => count(n))]),
    numeric: c.labels.map((_, i) => i + 1),
  });
}

function cvPlotInput(input: ReportInput): {
  name: string;
  cv: { folds: readonly { scores: Record<string, number> }[]; mean: Record<string, number> };
}[] {
  return input.training.candidates
    .filter((c) => c.cv.folds !== undefined && c.cv.folds.length > 0)
    .map((c) => ({ name: c.name, cv: { folds: c.cv.folds!, mean: c.cv.mean } }));
}

/**
 * Render the evaluation report as one HTML document.
 *
 * @example
 * const html = await renderEvaluationReport({ ...cardInput, evaluation });
 * await writeFileAtomic(join(runDir, "evaluation.html"), html);
 */
export async function renderEvaluationReport(input: ReportInput): Promise<string> {
  const e = input.evaluation;
  const title = input.title ?? `Evaluation: ${modelTitle(input)}`;
  const plots = await taskPlots(e);
  const cv = cvPlotInput(input);
  const cvSvg =
    cv.length > 0
      ? await cvScoresPlot(cv, input.training.select, { winner: input.training.winner })
      : undefined;
  const shapSvg = e.shap !== undefined ? await shapSummaryPlot(e.shap) : undefined;
  const impSvg = e.importances !== undefined ? await importancePlot(e.importances) : undefined;

  const parts: string[] = [];
  parts.push(
    `<p class="muted">Project ${escapeHtml(input.project.name)} · ${escapeHtml(input.model.kind)} (candidate ${escapeHtml(input.model.candidate)}) · ${escapeHtml(input.task)} of ${escapeHtml(input.target)} · ${count(e.rows)} test rows${input.model.runId === undefined ? "" : ` · run ${escapeHtml(input.model.runId)}`}${input.sluiceVersion === undefined ? "" : ` · Sluice ${escapeHtml(input.sluiceVersion)}`}</p>`,
  );
  parts.push(`<p>${gateSummary(input)}</p>`);
  parts.push(tiles(input));

  parts.push(`<h2>${e.task === "classification" ? "Performance on the test rows" : "Residuals"}</h2>`);
  parts.push(`<div class="plots">${plots.map(plotBox).join("\n")}</div>`);
  if (e.confusion !== undefined) parts.push(`<h2>Confusion matrix</h2>${confusionTable(e)}`);
  parts.push(`<h2>Test metrics</h2>${blockHtml(metricsBlock(input))}`);

  parts.push(`<h2>Candidates</h2>`);
  parts.push(
    `<p>Chosen by the best cross-validated ${escapeHtml(input.training.select)} over ${count(input.training.folds)} folds; test scores are reported, never used to choose.</p>`,
  );
  parts.push(blockHtml(leaderboardBlock(input.training)));
  if (cvSvg !== undefined) parts.push(`<div class="plots">${plotBox(cvSvg)}</div>`);

  if (input.gates !== undefined) parts.push(`<h2>Gates</h2>${blockHtml(gatesBlock(input.gates))}`);

  parts.push(`<h2>What drives predictions</h2>`);
  if (e.shap !== undefined) {
    const top = topShap(e.shap, 10);
    parts.push(
      `<p>SHAP values on ${count(e.shap.rows.length)} test rows, explaining ${escapeHtml(e.shap.output)}. Top features by mean |SHAP|: ${top.map((t) => `${escapeHtml(t.feature)} (${metricText(t.meanAbs)})`).join(", ")}.</p>`,
    );
  }
  parts.push(
    `<div class="plots">${[shapSvg, impSvg]
      .filter((s): s is string => s !== undefined)
      .map(plotBox)
      .join("\n")}</div>`,
  );

  // The card's data, features and limitations complete the picture.
  const extra = cardSections(input).filter((s) => ["Data", "Features", "Limitations"].includes(s.title));
  parts.push(sectionsHtml(extra));

  return htmlPage(title, REPORT_CSS, parts.join("\n"));
}
