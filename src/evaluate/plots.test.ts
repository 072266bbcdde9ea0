import { beforeAll, describe, expect, it } from "vitest";
import { evaluateModel, type Evaluation } from "./evaluation.js";
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
import { fitSmall } from "./test-utils/models.js";

let bin: Evaluation;
let multi: Evaluation;
let reg: Evaluation;

beforeAll(async () => {
  const [b, m, r] = await Promise.all([
    fitSmall("gbdt-binary"),
    fitSmall("gbdt-multiclass"),
    fitSmall("ridge"),
  ]);
  bin = evaluateModel(b.model, b.X, b.y);
  multi = evaluateModel(m.model, m.X, m.y, { shapRows: 100 });
  reg = evaluateModel(r.model, r.X, r.y, { shapRows: 100 });
});

const cv = {
  folds: [0.81, 0.84, 0.79].map((roc_auc) => ({ scores: { roc_auc }, fitSeconds: 0.1, iterations: 10 })),
  mean: { roc_auc: 0.8133 },
};
const cvOther = {
  folds: [0.71, 0.74, 0.7].map((roc_auc) => ({ scores: { roc_auc }, fitSeconds: 0.1, iterations: 10 })),
  mean: { roc_auc: 0.7167 },
};

/** Every plot of the tests, by name, with the marks it must hold. */
function plots(): Record<string, { draw: () => Promise<string>; title: string; marks: string[] }> {
  return {
    roc: { draw: () => rocPlot(bin.roc!), title: "ROC curve (AUC", marks: ["mark-line"] },
    rocMulticlass: { draw: () => rocPlot(multi.roc!), title: "ROC curve", marks: ["mark-line"] },
    pr: {
      draw: () => prPlot(bin.pr!),
      title: "Precision-recall curve (AP",
      marks: ["mark-line", "mark-rule"],
    },
    calibration: {
      draw: () => calibrationPlot(bin.calibration!),
      title: "Calibration",
      marks: ["mark-line", "mark-symbol"],
    },
    confusion: {
      draw: () => confusionMatrixPlot(multi.confusion!),
      title: "Confusion matrix",
      marks: ["mark-rect", "mark-text"],
    },
    importance: {
      draw: () => importancePlot(bin.importances!),
      title: "Feature importance (top 5)",
      marks: ["mark-rect"],
    },
    shap: {
      draw: () => shapSummaryPlot(bin.shap!),
      title: "SHAP summary (top 5 features, 300 rows)",
      marks: ["mark-symbol"],
    },
    residuals: {
      draw: () => residualsPlot({ predictions: reg.predictions, residuals: reg.residuals! }),
      title: "Residuals",
      marks: ["mark-symbol", "mark-rule"],
    },
    cv: {
      draw: () =>
        cvScoresPlot(
          [
            { name: "gbdt", cv },
            { name: "logistic", cv: cvOther },
          ],
          "roc_auc",
          { winner: "gbdt" },
        ),
      title: "Cross-validation: roc_auc per fold",
      marks: ["mark-symbol", "mark-rect"],
    },
  };
}

describe("plots", () => {
  it("each returns one well-formed SVG document with its title and its marks", async () => {
    for (const [name, p] of Object.entries(plots())) {
      const svg = await p.draw();
      expect(svg.startsWith("<svg"), name).toBe(true);
      expect(svg.endsWith("</svg>"), name).toBe(true);
      expect(svg.match(/<svg/g), name).toHaveLength(1);
      expect(svg, name).toContain(p.title);
      for (const mark of p.marks) expect(svg, `${name}: ${mark}`).toContain(`class="${mark} role-mark`);
      expect(svg, name).toMatch(/width="\d+" height="\d+"/);
    }
  });

  it("are deterministic: the same input draws the same string", async () => {
    for (const [name, p] of Object.entries(plots())) expect(await p.draw(), name).toBe(await p.draw());
  });

  it("title their axes", async () => {
    const roc = await rocPlot(bin.roc!);
    expect(roc).toContain("False positive rate");
    expect(roc).toContain("True positive rate");
    const res = await residualsPlot({ predictions: reg.predictions, residuals: reg.residuals! });
    expect(res).toContain("Predicted value");
    expect(res).toContain("Residual (actual − predicted)");
    expect(await confusionMatrixPlot(bin.confusion!)).toContain("True class");
  });

  it("label each class of a one-vs-rest ROC plot with its AUC", async () => {
    const svg = await rocPlot(multi.roc!);
    for (const c of multi.roc!) expect(svg).toContain(`${c.label} (AUC `);
  });

  it("print every confusion-matrix count as text", async () => {
    const svg = await confusionMatrixPlot({
      labels: ["no", "yes"],
      counts: [
        [1234, 56],
        [78, 910],
      ],
    });
    for (const n of ["1,234", ">56<", ">78<", ">910<"]) expect(svg).toContain(n);
  });

  it("show at most the top 20 importances and the top 15 SHAP features", async () => {
    const features = Array.from({ length: 30 }, (_, i) => `f${String(i).padStart(2, "0")}`);
    const imp = await importancePlot({ kind: "gain", features, values: features.map((_, i) => i) });
    expect(imp).toContain(">f29<");
    expect(imp).toContain(">f10<");
    expect(imp).not.toContain(">f09<");
    const shap = {
      ...bin.shap!,
      features,
      meanAbs: features.map((_, i) => i),
      values: bin.shap!.values.slice(0, 20).map(() => features.map((_, i) => i / 10)),
      featureValues: bin.shap!.values.slice(0, 20).map(() => features.map(() => 1)),
    };
    const svg = await shapSummaryPlot(shap);
    expect(svg).toContain(">f15<");
    expect(svg).not.toContain(">f14<");
  });

  it("escape names that look like markup", async () => {
    const svg = await importancePlot({
      kind: "gain",
      features: ["<script>x</script>", "a&b"],
      values: [2, 1],
    });
    expect(svg).not.toContain("<script>");
    expect(svg).toContain("&lt;script&gt;");
    expect(svg).toContain("a&amp;b");
  });
});
