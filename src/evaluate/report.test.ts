import { beforeAll, describe, expect, it } from "vitest";
import { featureMatrix } from "../features/matrix.js";
import { GatesConfig } from "../project/schema.js";
import { evaluateModel } from "./evaluation.js";
import { runGates } from "./gates.js";
import { renderEvaluationReport, type ReportInput } from "./report.js";
import { scenario } from "./test-utils/card-input.js";
import { fitSmall } from "./test-utils/models.js";

let input: ReportInput;
let html: string;

beforeAll(async () => {
  ({ input } = await scenario());
  html = await renderEvaluationReport(input);
});

function count(text: string, what: string): number {
  return text.split(what).length - 1;
}

describe("renderEvaluationReport", () => {
  it("is one HTML document with every classification plot inline", () => {
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html.trimEnd().endsWith("</html>")).toBe(true);
    for (const title of [
      "ROC curve (AUC",
      "Precision-recall curve (AP",
      "Calibration",
      "Confusion matrix",
      "Cross-validation: roc_auc per fold",
      "SHAP summary (top 5 features",
      "Feature importance (top 5)",
    ])
      expect(html, title).toContain(title);
    expect(count(html, "<svg")).toBe(7);
    expect(count(html, "</svg>")).toBe(7);
  });

  it("refers to nothing outside the file: no URLs, no scripts, no external styles", () => {
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script|<link|<img|src=/i);
  });

  it("has a header with the model, metric tiles and the gate summary", () => {
    expect(html).toContain("<h1>Evaluation: churn_predictor v3 (none)</h1>");
    expect(html).toMatch(/<span class="v">0\.\d{4}<\/span><span class="k">test roc_auc<\/span>/);
    expect(html).toContain(
      '<span class="badge err">gates failed</span> <span class="lv-error">minimum.accuracy</span>',
    );
    expect(html.indexOf("test roc_auc")).toBeLessThan(html.indexOf("test accuracy"));
  });

  it("shows the confusion matrix counts, the leaderboard, the gates and the top SHAP features", () => {
    const counts = input.evaluation.confusion!.counts;
    expect(html).toContain(
      `<td>no</td><td class="n">${counts[0]![0]}</td><td class="n">${counts[0]![1]}</td>`,
    );
    expect(html).toContain("gbdt (chosen)");
    expect(html).toContain("0.8000 ± 0.0200");
    expect(html).toContain("<code>max_drop_vs_production.roc_auc</code>");
    expect(html).toContain("no production version");
    expect(html).toMatch(/Top features by mean \|SHAP\|: (tenure|charges)/);
    expect(html).toContain("<h2>Limitations</h2>");
  });

  it("says so when every gate passed", async () => {
    const passing = { ...input, gates: input.gates!.filter((g) => g.passed) };
    expect(await renderEvaluationReport(passing)).toContain('<span class="badge ok">gates passed</span>');
  });

  it("shows markup in names as text", async () => {
    const { input: odd } = await scenario({ names: ["<script>alert(1)</script>", "b", "c"], gates: {} });
    const page = await renderEvaluationReport({ ...odd, model: { ...odd.model, name: "<b>m</b>" } });
    expect(page).not.toContain("<script>");
    expect(page).not.toContain("<b>m</b>");
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page).toContain("Evaluation: &lt;b&gt;m&lt;/b&gt; v3");
  });

  it("draws the residuals for a regression model, with no classification plots", async () => {
    const r = await fitSmall("ridge");
    const evaluation = evaluateModel(r.model, r.X, r.y, { shapRows: 100 });
    const metrics = Object.fromEntries(Object.entries(evaluation.metrics).map(([k, v]) => [k, v ?? NaN]));
    const gates = await runGates(GatesConfig.parse({ minimum: { rmse: 100 } }), {
      task: "regression",
      metrics,
      model: r.model,
      X: featureMatrix(r.X.nRows, r.X.names, r.X.data),
    });
    const page = await renderEvaluationReport({
      ...input,
      task: "regression",
      target: "amount",
      classes: undefined,
      positive: undefined,
      metrics: evaluation.metrics,
      evaluation,
      gates,
      training: { ...input.training, select: "rmse", higherIsBetter: false },
      data: { ...input.data, profile: undefined },
    });
    expect(page).toContain("Residuals");
    expect(page).not.toContain("ROC curve");
    expect(page).not.toContain("Confusion matrix");
    expect(page).toContain('<span class="badge ok">gates passed</span>');
    expect(page).not.toMatch(/https?:\/\//);
  });

  it("is deterministic", async () => {
    expect(await renderEvaluationReport(input)).toBe(html);
  });
});
