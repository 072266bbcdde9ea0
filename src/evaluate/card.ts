/**
 * The model card (Mitchell et al. 2019, "Model Cards for Model Reporting"), written from what
 * the pipeline measured: intended use, data and its profile, features, the candidates, test
 * metrics, gates, the features that drive predictions, and limitations derived from the facts
 * (rows, files, class balance, test size, training ranges, gate results) rather than boilerplate.
 * One set of sections renders as Markdown and as a self-contained HTML page.
 */
import type { FittedFeatures } from "../features/fitted.js";
import { higherIsBetter, isMetricName, type Task } from "../project/metric-names.js";
import type { GateRecord } from "../track/types.js";
import { count } from "../util/text.js";
import { escapeHtml, VALIDATION_CSS } from "../validate/html.js";
import type { ColumnProfile, DataProfile } from "../validate/profile-schema.js";
import { sectionsHtml, toMarkdown, type Block, type Cell, type Section } from "./document.js";
import type { Evaluation } from "./evaluation.js";

/** One candidate of the leaderboard (a `CandidateResult` of the training step fits). */
export interface CardCandidate {
  /** Its name in `models:`. */
  name: string;
  /** Model kind (`gradient_boosting`, …). */
  kind: string;
  /** Cross-validation: each metric's mean and standard deviation over the folds (and the folds' scores, for the report's plot). */
  cv: {
    mean: Record<string, number>;
    std: Record<string, number>;
    folds?: readonly { scores: Record<string, number> }[];
  };
  /** Its refit's test metrics (reported, never used to choose). */
  test: Record<string, number>;
  /** Seconds of the refit on train + validation. */
  fitSeconds: number;
}

/** Everything the model card shows. Plain data; the pipeline fills it after gating. */
export interface CardInput {
  /** The project: its name, and its description (the card's intended use). */
  project: { name: string; description?: string };
  /** The model: registered name, version and stage when registered, the kind and the winning candidate. */
  model: {
    name: string;
    version?: number;
    stage?: string;
    kind: string;
    candidate: string;
    /** The run that made it. */
    runId?: string;
  };
  task: Task;
  /** The target column. */
  target: string;
  /** Class labels by code (classification). */
  classes?: readonly string[];
  /** The positive class label (binary). */
  positive?: string;
  /** The data: the file, rows read, rows quarantined, split sizes and the training rows' profile. */
  data: {
    path: string;
    /** Rows used (after quarantine). */
    rows: number;
    /** Rows set aside by quarantine. */
    quarantined?: number;
    split: { train: number; validation: number; test: number };
    /** Profile of the data (drift reference); used for types, missing shares, ranges, top values. */
    profile?: DataProfile;
  };
  /** The fitted features: input columns and output columns. */
  features: Pick<FittedFeatures, "inputs" | "outputs">;
  /** The leaderboard: the select metric, its direction, folds, winner and every candidate. */
  training: {
    select: string;
    higherIsBetter: boolean;
    folds: number;
    winner: string;
    candidates: readonly CardCandidate[];
  };
  /** The chosen model's test metrics (null or NaN = undefined on the test rows). */
  metrics: Record<string, number | null>;
  /** Gate results, when gates ran. */
  gates?: readonly GateRecord[];
  /** The evaluation: SHAP summary (top features) and test class counts are read from it. */
  evaluation?: Pick<Evaluation, "shap" | "confusion" | "rows">;
  /** The production version compared with, and its metrics on the same test rows. */
  production?: { version: number; metrics: Record<string, number> };
  /** Sluice version that wrote the card. */
  sluiceVersion?: string;
}

/** A metric value for a table: 4 decimals, "–" when undefined. */
export function metricText(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3);
  return a >= 100 ? v.toFixed(2) : v.toFixed(4);
}

function seconds(s: number): string {
  return s < 10 ? `${s.toFixed(2)} s` : `${s.toFixed(1)} s`;
}

function percent(x: number): string {
  return `${(x * 100).toFixed(x < 0.01 && x > 0 ? 2 : 1)}%`;
}

function plural(n: number, word: string): string {
  return `${count(n)} ${word}${n === 1 ? "" : "s"}`;
}

/** The title of the card and the report: `name v3 (staging)`. */
export function modelTitle(input: Pick<CardInput, "model">): string {
  const { model } = input;
  const version = model.version === undefined ? "" : ` v${model.version}`;
  const stage = model.stage === undefined ? "" : ` (${model.stage})`;
  return `${model.name}${version}${stage}`;
}

function intendedUse(input: CardInput): Block[] {
  const blocks: Block[] = [];
  const description = input.project.description?.trim();
  const what =
    input.task === "classification"
      ? `Predicts ${input.target} (classification${input.classes === undefined ? "" : ` into ${input.classes.join(", ")}`}${input.positive === undefined ? "" : `; positive class ${input.positive}`})`
      : `Predicts ${input.target} (regression)`;
  blocks.push({
    kind: "p",
    text: `${what} from ${plural(input.features.inputs.length, "input column")} of records like those in ${input.data.path}.`,
  });
  if (description !== undefined && description.length > 0) blocks.push({ kind: "p", text: description });
  else
    blocks.push({
      kind: "p",
      text: `The project gives no description of its intended use; as trained, the model suits records drawn the way the training file was. Add a description to the project file to state who uses it and for what.`,
    });
  return blocks;
}

function overview(input: CardInput): Block {
  const rows: Cell[][] = [
    ["model", { text: input.model.name, code: true }],
    ["version", input.model.version === undefined ? "not registered" : String(input.model.version)],
    ["stage", input.model.stage ?? "–"],
    ["kind", input.model.kind],
    ["candidate", { text: input.model.candidate, code: true }],
    ["task", input.task],
    ["target", { text: input.target, code: true }],
  ];
  if (input.model.runId !== undefined) rows.push(["run", { text: input.model.runId, code: true }]);
  if (input.sluiceVersion !== undefined) rows.push(["Sluice", input.sluiceVersion]);
  return { kind: "table", head: ["", ""], rows };
}

function columnType(p: ColumnProfile): string {
  return p.kind === "numeric" ? p.dtype : p.kind === "categorical" ? "category" : "text";
}

function num(v: number | null): string {
  if (v === null) return "–";
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return count(v);
  return String(Number(v.toPrecision(4)));
}

function columnRange(p: ColumnProfile): string {
  if (p.kind === "numeric") {
    if (p.min === null || p.max === null) return "–";
    if (p.dtype === "datetime") return `${new Date(p.min).toISOString()} – ${new Date(p.max).toISOString()}`;
    return `${num(p.min)} – ${num(p.max)}`;
  }
  if (p.kind === "categorical")
    return p.top
      .slice(0, 3)
      .map((t) => `${t.value} (${percent(t.fraction)})`)
      .join(", ");
  return p.examples.slice(0, 2).join(", ");
}

function dataBlocks(input: CardInput): Block[] {
  const { data } = input;
  const { split } = data;
  const blocks: Block[] = [
    {
      kind: "p",
      text: `${count(data.rows)} rows from ${data.path}${data.quarantined ? ` (${count(data.quarantined)} more set aside by quarantine)` : ""}: ${count(split.train)} to train, ${count(split.validation)} to validate (search, early stopping), ${count(split.test)} to test.`,
    },
  ];
  const profile = data.profile;
  if (profile !== undefined) {
    const inputs = new Set(input.features.inputs.map((i) => i.name));
    const rows: Cell[][] = profile.columns
      .filter((c) => inputs.has(c.name) || c.name === input.target)
      .map((c) => {
        const total = c.count + c.missing;
        return [
          { text: c.name, code: true },
          c.name === input.target ? `${columnType(c)} (target)` : columnType(c),
          total > 0 ? percent(c.missing / total) : "–",
          columnRange(c),
        ];
      });
    blocks.push({
      kind: "table",
      head: ["column", "type", "missing", "range / top values"],
      rows,
      numeric: [2],
    });
  }
  return blocks;
}

function featureBlocks(input: CardInput): Block[] {
  const { inputs, outputs } = input.features;
  const byInput = new Map<string, number>();
  for (const o of outputs) byInput.set(o.feature, (byInput.get(o.feature) ?? 0) + 1);
  const list = (names: readonly string[], max = 40): string =>
    names.length <= max
      ? names.join(", ")
      : `${names.slice(0, max).join(", ")}, … (${names.length - max} more)`;
  return [
    {
      kind: "p",
      text: `${plural(inputs.length, "input column")} → ${plural(outputs.length, "model feature")}.`,
    },
    {
      kind: "table",
      head: ["input", "kind", "features made from it"],
      rows: inputs.map((i) => [{ text: i.name, code: true }, i.kind, String(byInput.get(i.name) ?? 0)]),
      numeric: [2],
    },
    { kind: "p", text: `Model features: ${list(outputs.map((o) => o.name))}.` },
  ];
}

/** The leaderboard: every candidate's CV mean ± std of the select metric, test score, fit time. */
export function leaderboardBlock(training: CardInput["training"]): Block {
  const m = training.select;
  return {
    kind: "table",
    head: ["candidate", "kind", `CV ${m} (mean ± std, ${training.folds} folds)`, `test ${m}`, "fit"],
    rows: training.candidates.map((c) => [
      { text: c.name === training.winner ? `${c.name} (chosen)` : c.name, code: c.name !== training.winner },
      c.kind,
      `${metricText(c.cv.mean[m])} ± ${metricText(c.cv.std[m])}`,
      metricText(c.test[m]),
      seconds(c.fitSeconds),
    ]),
    numeric: [2, 3, 4],
  };
}

/** Test metrics, with the production version's on the same rows when there is one. */
export function metricsBlock(input: Pick<CardInput, "metrics" | "production">): Block {
  const prod = input.production;
  const direction = (name: string): string =>
    isMetricName(name) ? (higherIsBetter(name) ? "higher is better" : "lower is better") : "";
  return {
    kind: "table",
    head: ["metric", "test", ...(prod === undefined ? [] : [`production v${prod.version}`]), ""],
    rows: Object.entries(input.metrics).map(([name, v]) => [
      name,
      metricText(v),
      ...(prod === undefined ? [] : [metricText(prod.metrics[name])]),
      direction(name),
    ]),
    numeric: prod === undefined ? [1] : [1, 2],
  };
}

function gateNumber(v: number | null): string {
  if (v === null) return "–";
  return Number.isInteger(v) ? count(v) : metricText(v);
}

/** Gate results: name, value, threshold, pass/fail, detail. */
export function gatesBlock(gates: readonly GateRecord[]): Block {
  return {
    kind: "table",
    head: ["gate", "value", "threshold", "result", "detail"],
    rows: gates.map((g) => [
      { text: g.name, code: true },
      gateNumber(g.value),
      gateNumber(g.threshold),
      { text: g.passed ? "passed" : "failed", status: g.passed ? "pass" : "fail" },
      g.detail,
    ]),
    numeric: [1, 2],
  };
}

/** The `top` features by mean |SHAP|, largest first. */
export function topShap(
  shap: NonNullable<Evaluation["shap"]>,
  top: number,
): { feature: string; meanAbs: number }[] {
  return shap.features
    .map((feature, f) => ({ feature, meanAbs: shap.meanAbs[f]! }))
    .sort((a, b) => b.meanAbs - a.meanAbs || (a.feature < b.feature ? -1 : 1))
    .slice(0, top);
}

function shapBlocks(input: CardInput): Block[] {
  const shap = input.evaluation?.shap;
  if (shap === undefined) return [{ kind: "p", text: "No SHAP values were computed." }];
  return [
    {
      kind: "p",
      text: `Mean |SHAP value| on ${plural(shap.rows.length, "test row")}: the average size of each feature's contribution to ${shap.output}.`,
    },
    {
      kind: "table",
      head: ["rank", "feature", "mean |SHAP|"],
      rows: topShap(shap, 10).map((t, i) => [
        String(i + 1),
        { text: t.feature, code: true },
        metricText(t.meanAbs),
      ]),
      numeric: [0, 2],
    },
  ];
}

/** Class shares: from the target's profile, else the test rows' confusion matrix. */
function classShares(input: CardInput): { label: string; share: number; where: string }[] | undefined {
  if (input.task !== "classification") return undefined;
  const target = input.data.profile?.columns.find((c) => c.name === input.target);
  if (target !== undefined && target.kind === "categorical" && target.top.length > 0)
    return target.top.map((t) => ({ label: t.value, share: t.fraction, where: "of the rows" }));
  const confusion = input.evaluation?.confusion;
  if (confusion === undefined) return undefined;
  const sums = confusion.counts.map((r) => r.reduce((a, b) => a + b, 0));
  const total = sums.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  return confusion.labels.map((label, k) => ({ label, share: sums[k]! / total, where: "of the test rows" }));
}

function limitations(input: CardInput): string[] {
  const out: string[] = [];
  const { data, training } = input;
  const trainRows = data.split.train + data.split.validation;
  out.push(
    `Trained on ${count(trainRows)} rows from one file (${data.path}). It knows only what those rows show; records from another source, period or population may behave differently.`,
  );
  const acc = input.metrics.accuracy;
  const n = data.split.test;
  let testLine = `The test metrics come from one split of ${plural(n, "row")}, not from repeated samples: they carry sampling error`;
  if (acc !== undefined && acc !== null && Number.isFinite(acc) && n > 0) {
    const half = 1.96 * Math.sqrt((acc * (1 - acc)) / n);
    testLine += ` (accuracy ${metricText(acc)} ± ${metricText(half)} at 95%, binomial)`;
  }
  out.push(
    `${testLine}.${n < 1000 ? " The test set is small, so differences of a few points may be noise." : ""}`,
  );
  const shares = classShares(input);
  if (shares !== undefined) {
    const minority = shares.reduce((a, b) => (b.share < a.share ? b : a));
    if (minority.share < 0.2)
      out.push(
        `The classes are imbalanced: ${minority.label} is ${percent(minority.share)} ${minority.where}. Accuracy flatters here; read balanced_accuracy, recall and pr_auc, and choose the decision threshold for the cost of each error.`,
      );
  }
  const profile = data.profile;
  if (profile !== undefined) {
    const inputs = new Set(input.features.inputs.map((i) => i.name));
    const numeric = profile.columns.filter(
      (c): c is Extract<ColumnProfile, { kind: "numeric" }> =>
        c.kind === "numeric" &&
        inputs.has(c.name) &&
        c.min !== null &&
        c.max !== null &&
        c.dtype !== "boolean",
    );
    if (numeric.length > 0) {
      const shown = numeric
        .slice(0, 6)
        .map((c) => `${c.name} ${columnRange(c)}`)
        .join("; ");
      out.push(
        `Inputs outside the training range extrapolate (trees hold the edge value, linear models continue the line): ${shown}${numeric.length > 6 ? "; …" : ""}.`,
      );
    }
    const missing = profile.columns.filter(
      (c) => inputs.has(c.name) && c.count + c.missing > 0 && c.missing / (c.count + c.missing) >= 0.2,
    );
    if (missing.length > 0)
      out.push(
        `Often missing in training: ${missing.map((c) => `${c.name} (${percent(c.missing / (c.count + c.missing))})`).join(", ")}. Records missing them are predicted from imputed values (or a tree's learned default branch); if values start to go missing for new reasons, predictions shift.`,
      );
  }
  if (input.features.inputs.some((i) => i.kind === "categorical"))
    out.push('Categories not seen in training are treated as the rare "other" bucket.');
  const sorted = [...training.candidates].filter((c) => Number.isFinite(c.cv.mean[training.select]));
  const winner = sorted.find((c) => c.name === training.winner);
  if (winner !== undefined && sorted.length > 1) {
    const sign = training.higherIsBetter ? 1 : -1;
    const runnerUp = sorted
      .filter((c) => c !== winner)
      .sort((a, b) => sign * (b.cv.mean[training.select]! - a.cv.mean[training.select]!))[0]!;
    const gap = Math.abs(winner.cv.mean[training.select]! - runnerUp.cv.mean[training.select]!);
    const spread = Math.max(winner.cv.std[training.select] ?? 0, runnerUp.cv.std[training.select] ?? 0);
    if (gap <= spread)
      out.push(
        `The choice is close: ${winner.name} beats ${runnerUp.name} by ${metricText(gap)} in CV ${training.select}, within one fold standard deviation (${metricText(spread)}).`,
      );
  }
  const failed = (input.gates ?? []).filter((g) => !g.passed);
  if (failed.length > 0)
    out.push(
      `Failed gates: ${failed.map((g) => g.name).join(", ")}. The version is not fit for use until they pass.`,
    );
  out.push(
    "SHAP values explain what the model uses, not what causes the outcome. No fairness or subgroup analysis was run; check the metrics on the groups that matter before relying on the model for them.",
  );
  out.push(
    "Performance holds only while new data resembles the training data: monitor drift against the training profile.",
  );
  return out;
}

/** The card's sections, in order (shared by the Markdown, the HTML and the evaluation report). */
export function cardSections(input: CardInput): Section[] {
  const sections: Section[] = [
    { title: "Model", blocks: [overview(input)] },
    { title: "Intended use", blocks: intendedUse(input) },
    { title: "Data", blocks: dataBlocks(input) },
    { title: "Features", blocks: featureBlocks(input) },
    {
      title: "Candidates",
      blocks: [
        {
          kind: "p",
          text: `Chosen by the best cross-validated ${input.training.select} (${input.training.higherIsBetter ? "higher" : "lower"} is better); test scores are reported, never used to choose.`,
        },
        leaderboardBlock(input.training),
      ],
    },
    { title: "Test metrics", blocks: [metricsBlock(input)] },
  ];
  if (input.gates !== undefined) {
    const failed = input.gates.filter((g) => !g.passed).length;
    sections.push({
      title: "Gates",
      blocks: [
        {
          kind: "p",
          text:
            input.gates.length === 0
              ? "No gates were configured."
              : failed === 0
                ? `All ${plural(input.gates.length, "gate")} passed.`
                : `${count(failed)} of ${plural(input.gates.length, "gate")} failed.`,
        },
        gatesBlock(input.gates),
      ],
    });
  }
  sections.push({ title: "What drives predictions (SHAP)", blocks: shapBlocks(input) });
  sections.push({ title: "Limitations", blocks: [{ kind: "list", items: limitations(input) }] });
  return sections;
}

/**
 * The model card, as Markdown (model-card.md) and as a self-contained HTML page (model-card.html,
 * inline CSS, no scripts, no external references). Names and free text are escaped in both.
 *
 * @example
 * const { markdown, html } = renderModelCard({ project, model: { name: "churn_predictor", version: 3, … }, … });
 * await writeFileAtomic(join(runDir, "model-card.md"), markdown);
 */
export function renderModelCard(input: CardInput): { markdown: string; html: string } {
  const title = `Model card: ${modelTitle(input)}`;
  const sections = cardSections(input);
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${VALIDATION_CSS}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="muted">Project ${escapeHtml(input.project.name)}${input.sluiceVersion === undefined ? "" : ` · Sluice ${escapeHtml(input.sluiceVersion)}`}</p>
${sectionsHtml(sections)}
</body>
</html>
`;
  return { markdown: toMarkdown(title, sections), html };
}
