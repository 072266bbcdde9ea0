/**
 * The evaluation plots, each a self-contained SVG string: a Vega-Lite spec compiled to Vega and
 * rendered headless (no canvas, no browser, no network). Every plot has a title and axis titles
 * and is sized to read well at 480 × 320. The same input gives the same string: there is no
 * randomness (the SHAP summary's jitter is computed from the data) and no clock.
 *
 * This is the only module that loads Vega; keep it out of the serving path.
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { Calibration, ImportanceSummary, PrCurve, RocCurve, ShapSummary } from "./evaluation.js";

/** Plot size in pixels, everything included (axes, title, legend). */
export const PLOT_WIDTH = 480;
export const PLOT_HEIGHT = 320;

/** Points drawn on a scatter plot, at most (evenly thinned beyond). */
export const SCATTER_POINTS = 2000;

/** Rows drawn on the SHAP summary by default (of the evaluation's sample; evenly thinned). */
export const SHAP_PLOT_ROWS = 300;

const BLUE = "#4c78a8";
const GREY = "#8c959f";

/** Common options of every plot. */
export interface PlotOptions {
  /** The plot's title (each plot has a default). */
  title?: string;
}

type Row = Record<string, number | string | null>;
type Layer = Record<string, unknown>;

function fmt(v: number): string {
  return String(Number(v.toPrecision(3)));
}

/** FNV-1a hash of a text, as 8 hex digits. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, "0");
}

/**
 * Smaller SVG text, the same picture: coordinates in `transform` and `d` attributes to 2
 * decimals (a hundredth of a pixel), and no `aria-hidden` on every mark. Vega numbers
 * gradients and clip paths with process-wide counters; they are renamed after the content, so
 * the same plot gives the same text and different plots in one page never share an id.
 */
function compact(svg: string): string {
  const short = svg
    .replaceAll(' aria-hidden="true"', "")
    .replace(/ (transform|d)="([^"]*)"/g, (_, name: string, value: string) => {
      return ` ${name}="${value.replace(/(\d+\.\d\d)\d+/g, "$1")}"`;
    });
  const ids = [...new Set([...short.matchAll(/ id="((?:gradient_|clip)\d+)"/g)].map((m) => m[1]!))];
  if (ids.length === 0) return short;
  const pattern = new RegExp(`\\b(${ids.join("|")})\\b`, "g");
  const key = hash(short.replace(pattern, ""));
  return short.replace(pattern, (id) => `p${key}-${ids.indexOf(id)}`);
}

/** Render a Vega-Lite spec to SVG. */
async function render(
  title: string,
  body: Record<string, unknown>,
  size = { width: PLOT_WIDTH, height: PLOT_HEIGHT },
): Promise<string> {
  const spec = {
    title: { text: title, anchor: "start", fontSize: 14 },
    width: size.width,
    height: size.height,
    autosize: { type: "fit", contains: "padding" },
    background: "white",
    padding: 8,
    config: {
      font: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
      axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: "normal" },
      legend: { labelFontSize: 11, titleFontSize: 11, labelLimit: 140 },
      view: { stroke: null },
      // No per-mark aria labels: they repeat every datum and make scatter plots megabytes.
      mark: { aria: false },
    },
    ...body,
  } as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    return compact(await view.toSVG());
  } finally {
    view.finalize();
  }
}

/**
 * Render a Vega-Lite body (data, mark, encoding or layers) to SVG in the house style, for
 * plots drawn outside this module (drift distributions).
 */
export function renderVegaLite(
  title: string,
  body: Record<string, unknown>,
  size: { width: number; height: number } = { width: PLOT_WIDTH, height: PLOT_HEIGHT },
): Promise<string> {
  return render(title, body, size);
}

/** Keep at most `max` items, evenly spaced, first and last included. */
function thin<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  const out: T[] = [];
  const step = (items.length - 1) / (max - 1);
  for (let k = 0; k < max; k++) out.push(items[Math.round(k * step)]!);
  return out;
}

function diagonal(): Layer {
  return {
    data: {
      values: [
        { a: 0, b: 0 },
        { a: 1, b: 1 },
      ],
    },
    mark: { type: "line", strokeDash: [4, 4], color: GREY, strokeWidth: 1 },
    encoding: { x: { field: "a", type: "quantitative" }, y: { field: "b", type: "quantitative" } },
  };
}

function colourByLabel(multi: boolean, title: string): Record<string, unknown> {
  return multi ? { color: { field: "label", type: "nominal", title } } : { color: { value: BLUE } };
}

/**
 * ROC curve(s): true positive rate against false positive rate, the chance diagonal dashed.
 * One curve for a binary task (of the positive class), one per class (one-vs-rest) otherwise.
 */
export async function rocPlot(curves: readonly RocCurve[], options: PlotOptions = {}): Promise<string> {
  const multi = curves.length > 1;
  const values: Row[] = [];
  for (const c of curves) {
    const label = multi ? `${c.label} (AUC ${c.auc === null ? "–" : fmt(c.auc)})` : c.label;
    for (const p of c.points) values.push({ label, fpr: p.fpr, tpr: p.tpr });
  }
  const auc = curves.length === 1 && curves[0]!.auc !== null ? ` (AUC ${fmt(curves[0]!.auc)})` : "";
  return render(options.title ?? `ROC curve${auc}`, {
    layer: [
      diagonal(),
      {
        data: { values },
        mark: { type: "line", strokeWidth: 2 },
        encoding: {
          x: { field: "fpr", type: "quantitative", title: "False positive rate", scale: { domain: [0, 1] } },
          y: { field: "tpr", type: "quantitative", title: "True positive rate", scale: { domain: [0, 1] } },
          order: { field: "fpr" },
          ...colourByLabel(multi, "class (one vs rest)"),
        },
      },
    ],
  });
}

/** Precision-recall curve(s), with the share of positives (a guessing model) as a dashed line. */
export async function prPlot(curves: readonly PrCurve[], options: PlotOptions = {}): Promise<string> {
  const multi = curves.length > 1;
  const values: Row[] = [];
  for (const c of curves) {
    const label = multi
      ? `${c.label} (AP ${c.averagePrecision === null ? "–" : fmt(c.averagePrecision)})`
      : c.label;
    c.points.forEach((p, i) => values.push({ label, recall: p.recall, precision: p.precision, i }));
  }
  const layers: Layer[] = [
    {
      data: { values },
      mark: { type: "line", strokeWidth: 2, interpolate: "step-before" },
      encoding: {
        x: { field: "recall", type: "quantitative", title: "Recall", scale: { domain: [0, 1] } },
        y: { field: "precision", type: "quantitative", title: "Precision", scale: { domain: [0, 1] } },
        order: { field: "i" },
        ...colourByLabel(multi, "class (one vs rest)"),
      },
    },
  ];
  if (!multi && curves.length === 1)
    layers.unshift({
      data: { values: [{ baseline: curves[0]!.baseline }] },
      mark: { type: "rule", strokeDash: [4, 4], color: GREY },
      encoding: { y: { field: "baseline", type: "quantitative" } },
    });
  const ap =
    curves.length === 1 && curves[0]!.averagePrecision !== null
      ? ` (AP ${fmt(curves[0]!.averagePrecision)})`
      : "";
  return render(options.title ?? `Precision-recall curve${ap}`, { layer: layers });
}

/** Calibration: mean predicted probability against the observed share per bin (point size = rows). */
export async function calibrationPlot(calibration: Calibration, options: PlotOptions = {}): Promise<string> {
  const values: Row[] = calibration.bins
    .filter((b) => b.count > 0 && b.meanPredicted !== null && b.observed !== null)
    .map((b) => ({ predicted: b.meanPredicted, observed: b.observed, rows: b.count }));
  const positive = calibration.kind === "positive";
  const x = positive
    ? `Mean predicted P(${calibration.label ?? "positive"})`
    : "Mean confidence of the predicted class";
  const y = positive ? `Observed share of ${calibration.label ?? "positives"}` : "Share predicted correctly";
  return render(options.title ?? "Calibration", {
    layer: [
      diagonal(),
      {
        data: { values },
        mark: { type: "line", point: false, color: BLUE },
        encoding: {
          x: { field: "predicted", type: "quantitative", title: x, scale: { domain: [0, 1] } },
          y: { field: "observed", type: "quantitative", title: y, scale: { domain: [0, 1] } },
        },
      },
      {
        data: { values },
        mark: { type: "circle", color: BLUE, opacity: 0.9 },
        encoding: {
          x: { field: "predicted", type: "quantitative" },
          y: { field: "observed", type: "quantitative" },
          size: { field: "rows", type: "quantitative", title: "rows", scale: { range: [20, 300] } },
        },
      },
    ],
  });
}

/** The confusion matrix as a heat map, rows the true class, columns the predicted one, counts as text. */
export async function confusionMatrixPlot(
  confusion: { labels: readonly string[]; counts: readonly (readonly number[])[] },
  options: PlotOptions = {},
): Promise<string> {
  const values: Row[] = [];
  let max = 0;
  confusion.counts.forEach((row, t) =>
    row.forEach((count, p) => {
      max = Math.max(max, count);
      values.push({ actual: confusion.labels[t]!, predicted: confusion.labels[p]!, count });
    }),
  );
  const order = [...confusion.labels];
  const k = order.length;
  const side = Math.min(PLOT_HEIGHT, 60 + 40 * k);
  return render(
    options.title ?? "Confusion matrix",
    {
      data: { values },
      encoding: {
        x: {
          field: "predicted",
          type: "nominal",
          sort: order,
          title: "Predicted class",
          axis: { labelAngle: 0 },
        },
        y: { field: "actual", type: "nominal", sort: order, title: "True class" },
      },
      layer: [
        {
          mark: { type: "rect" },
          encoding: {
            color: { field: "count", type: "quantitative", title: "rows", scale: { scheme: "blues" } },
          },
        },
        {
          mark: { type: "text", fontSize: 13 },
          encoding: {
            text: { field: "count", type: "quantitative", format: ",.4~g" },
            color: { condition: { test: `datum.count > ${max / 2}`, value: "white" }, value: "black" },
          },
        },
      ],
    },
    { width: PLOT_WIDTH, height: Math.max(side, 160) },
  );
}

/** The `top` most important features as horizontal bars (gain for trees, |coefficient| for linear models). */
export async function importancePlot(
  importances: ImportanceSummary,
  options: PlotOptions & { top?: number } = {},
): Promise<string> {
  const top = options.top ?? 20;
  const values = importances.features
    .map((feature, i) => ({ feature, value: importances.values[i]! }))
    .sort((a, b) => b.value - a.value || (a.feature < b.feature ? -1 : 1))
    .slice(0, top);
  const what =
    importances.kind === "gain"
      ? "Total gain of the splits"
      : importances.kind === "coefficient"
        ? "Mean |coefficient| (scaled features)"
        : "Number of splits";
  return render(options.title ?? `Feature importance (top ${Math.min(top, values.length)})`, {
    data: { values },
    mark: { type: "bar", color: BLUE },
    encoding: {
      y: {
        field: "feature",
        type: "nominal",
        sort: values.map((v) => v.feature),
        title: null,
        axis: { labelLimit: 160 },
      },
      x: { field: "value", type: "quantitative", title: what },
    },
  });
}

/**
 * Vertical offsets in [-0.4, 0.4] that spread points with close x values, as a beeswarm: the
 * points of a feature are binned by x, and within a bin they alternate above and below the line.
 */
function swarm(xs: readonly number[], bins = 80): number[] {
  const out = new Array<number>(xs.length).fill(0);
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of xs) {
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  const width = hi > lo ? (hi - lo) / bins : 1;
  const inBin = new Map<number, number[]>();
  xs.forEach((x, i) => {
    const b = Math.min(bins - 1, Math.floor((x - lo) / width));
    const list = inBin.get(b);
    if (list === undefined) inBin.set(b, [i]);
    else list.push(i);
  });
  let most = 1;
  for (const list of inBin.values()) most = Math.max(most, list.length);
  const step = Math.min(0.08, 0.8 / most);
  for (const list of inBin.values())
    list.forEach((i, k) => {
      const level = Math.ceil(k / 2);
      out[i] = (k % 2 === 0 ? 1 : -1) * level * step;
    });
  return out;
}

/** Each value's rank among the non-missing values, scaled to [0, 1] (null stays null). */
function normalisedRanks(values: readonly (number | null)[]): (number | null)[] {
  const present = values
    .map((v, i) => ({ v, i }))
    .filter((e): e is { v: number; i: number } => e.v !== null)
    .sort((a, b) => a.v - b.v || a.i - b.i);
  const out = new Array<number | null>(values.length).fill(null);
  const n = present.length;
  let start = 0;
  while (start < n) {
    // Ties share their mean rank.
    let end = start;
    while (end + 1 < n && present[end + 1]!.v === present[start]!.v) end++;
    const rank = n > 1 ? (start + end) / 2 / (n - 1) : 0.5;
    for (let k = start; k <= end; k++) out[present[k]!.i] = rank;
    start = end + 1;
  }
  return out;
}

/**
 * The SHAP summary (beeswarm): one row per feature (the `top` by mean |SHAP|), one point per
 * sampled row at its SHAP value, coloured by the feature's value (its rank among the sample,
 * low blue to high red; grey when missing). Draws at most `maxRows` of the sample's rows
 * (default {@link SHAP_PLOT_ROWS}), which keeps the SVG under a megabyte with 15 features.
 */
export async function shapSummaryPlot(
  shap: ShapSummary,
  options: PlotOptions & { top?: number; maxRows?: number } = {},
): Promise<string> {
  const top = options.top ?? 15;
  const sample = thin(
    shap.values.map((_, s) => s),
    options.maxRows ?? SHAP_PLOT_ROWS,
  );
  const order = shap.features
    .map((feature, f) => ({ feature, f, m: shap.meanAbs[f]! }))
    .sort((a, b) => b.m - a.m || a.f - b.f)
    .slice(0, top);
  const present: Row[] = [];
  const missing: Row[] = [];
  for (const { feature, f } of order) {
    const xs = sample.map((s) => shap.values[s]![f]!);
    const jitter = swarm(xs);
    const ranks = normalisedRanks(sample.map((s) => shap.featureValues[s]![f] ?? null));
    xs.forEach((shapValue, s) => {
      const row = { feature, shap: shapValue, jitter: jitter[s]!, value: ranks[s] ?? null };
      (row.value === null ? missing : present).push(row);
    });
  }
  const y = {
    field: "feature",
    type: "nominal",
    sort: order.map((o) => o.feature),
    title: null,
    axis: { labelLimit: 160, grid: true, gridColor: "#eee" },
  };
  const x = { field: "shap", type: "quantitative", title: `SHAP value (impact on ${shap.output})` };
  const yOffset = { field: "jitter", type: "quantitative", scale: { domain: [-0.5, 0.5] } };
  const height = Math.min(PLOT_HEIGHT * 2, Math.max(PLOT_HEIGHT, 24 * order.length + 60));
  return render(
    options.title ?? `SHAP summary (top ${order.length} features, ${sample.length} rows)`,
    {
      layer: [
        {
          data: { values: [{ zero: 0 }] },
          mark: { type: "rule", color: GREY },
          encoding: { x: { field: "zero", type: "quantitative" } },
        },
        {
          data: { values: missing },
          mark: { type: "circle", size: 14, color: "#bbbbbb", opacity: 0.8 },
          encoding: { x, y, yOffset },
        },
        {
          data: { values: present },
          mark: { type: "circle", size: 14, opacity: 0.85 },
          encoding: {
            x,
            y,
            yOffset,
            color: {
              field: "value",
              type: "quantitative",
              title: "feature value (rank)",
              scale: { domain: [0, 1], range: ["#1e88e5", "#ff0d57"] },
              legend: {
                values: [0, 1],
                labelExpr: "datum.value === 0 ? 'low' : 'high'",
                gradientLength: 120,
              },
            },
          },
        },
      ],
    },
    { width: PLOT_WIDTH, height },
  );
}

/** Residual (y − prediction) against the prediction, with the zero line. */
export async function residualsPlot(
  input: { predictions: readonly number[]; residuals: readonly number[] },
  options: PlotOptions = {},
): Promise<string> {
  const all = input.predictions.map((p, i) => ({ predicted: p, residual: input.residuals[i]! }));
  const values = thin(all, SCATTER_POINTS);
  const shown = values.length < all.length ? ` (${values.length} of ${all.length} rows)` : "";
  return render(options.title ?? `Residuals${shown}`, {
    layer: [
      {
        data: { values: [{ zero: 0 }] },
        mark: { type: "rule", color: GREY, strokeDash: [4, 4] },
        encoding: { y: { field: "zero", type: "quantitative" } },
      },
      {
        data: { values },
        mark: { type: "circle", size: 16, opacity: 0.6, color: BLUE },
        encoding: {
          x: { field: "predicted", type: "quantitative", title: "Predicted value", scale: { zero: false } },
          y: { field: "residual", type: "quantitative", title: "Residual (actual − predicted)" },
        },
      },
    ],
  });
}

/**
 * Cross-validation scores: one point per candidate and fold, a bar at each candidate's mean.
 *
 * @param metric the metric to show (the `select` metric)
 */
export async function cvScoresPlot(
  candidates: readonly {
    name: string;
    cv: { folds: readonly { scores: Record<string, number> }[]; mean: Record<string, number> };
  }[],
  metric: string,
  options: PlotOptions & { winner?: string } = {},
): Promise<string> {
  const points: Row[] = [];
  const means: Row[] = [];
  for (const c of candidates) {
    const label = c.name === options.winner ? `${c.name} (chosen)` : c.name;
    c.cv.folds.forEach((fold, i) => {
      const score = fold.scores[metric];
      if (score !== undefined && Number.isFinite(score))
        points.push({ candidate: label, fold: i + 1, score });
    });
    const mean = c.cv.mean[metric];
    if (mean !== undefined && Number.isFinite(mean)) means.push({ candidate: label, mean });
  }
  const order = candidates.map((c) => (c.name === options.winner ? `${c.name} (chosen)` : c.name));
  const x = { field: "candidate", type: "nominal", sort: order, title: "Candidate", axis: { labelAngle: 0 } };
  return render(options.title ?? `Cross-validation: ${metric} per fold`, {
    layer: [
      {
        data: { values: means },
        mark: { type: "tick", thickness: 2, size: 40, color: "#e45756" },
        encoding: { x, y: { field: "mean", type: "quantitative", title: metric, scale: { zero: false } } },
      },
      {
        data: { values: points },
        mark: { type: "circle", size: 50, opacity: 0.8, color: BLUE },
        encoding: {
          x,
          y: {
            field: "score",
            type: "quantitative",
            title: `${metric} (points: folds, red: mean)`,
            scale: { zero: false },
          },
          tooltip: [{ field: "fold" }, { field: "score" }],
        },
      },
    ],
  });
}
