import { beforeAll, describe, expect, it } from "vitest";
import { renderModelCard, type CardInput } from "./card.js";
import { scenario } from "./test-utils/card-input.js";

let input: CardInput;
let markdown: string;
let html: string;

beforeAll(async () => {
  ({ input } = await scenario());
  ({ markdown, html } = renderModelCard(input));
});

/** The lines of one Markdown section (from its heading to the next). */
function section(md: string, title: string): string {
  const start = md.indexOf(`## ${title}\n`);
  if (start < 0) throw new Error(`no section ${title}`);
  const next = md.indexOf("\n## ", start + 1);
  return md.slice(start, next < 0 ? undefined : next);
}

describe("renderModelCard", () => {
  it("names the model, version, stage and kind in the title and overview", () => {
    expect(markdown.startsWith("# Model card: churn\\_predictor v3 (none)\n")).toBe(true);
    const model = section(markdown, "Model");
    expect(model).toContain("| version | 3 |");
    expect(model).toContain("| kind | gradient\\_boosting |");
    expect(model).toContain("| candidate | `gbdt` |");
  });

  it("takes the intended use from the project description, or says there is none", () => {
    expect(section(markdown, "Intended use")).toContain("so the retention team can call them");
    const none = renderModelCard({ ...input, project: { name: "churn" } }).markdown;
    expect(section(none, "Intended use")).toContain("The project gives no description of its intended use");
    expect(section(none, "Intended use")).toContain(
      "Predicts churned (classification into no, yes; positive class yes)",
    );
  });

  it("describes the data: file, rows, split sizes and a profile line per input column", () => {
    const data = section(markdown, "Data");
    expect(data).toContain(
      "900 rows from data/customers.csv (4 more set aside by quarantine): 570 to train, 60 to validate",
    );
    expect(data).toContain("270 to test");
    expect(data).toMatch(/\| `charges` \| float \| 2\d\.\d% \| 20\.\d+ – 1\d\d\.?\d* \|/);
    expect(data).toMatch(/\| `plan` \| category \| 0\.0% \| (basic|plus|pro) \(3\d\.\d%\)/);
    expect(data).toContain("| `churned` | category (target) |");
  });

  it("lists the features and the leaderboard with CV mean ± std and fit time", () => {
    const features = section(markdown, "Features");
    expect(features).toContain("3 input columns → ");
    expect(features).toContain("| `plan` | categorical | 3 |");
    const candidates = section(markdown, "Candidates");
    expect(candidates).toContain("| CV roc\\_auc (mean ± std, 5 folds) |");
    expect(candidates).toContain("| gbdt (chosen) | gradient\\_boosting | 0.8100 ± 0.0200 |");
    expect(candidates).toContain(
      "| `logistic` | logistic\\_regression | 0.8000 ± 0.0200 | 0.7900 | 0.05 s |",
    );
  });

  it("shows the test metrics, the gates with pass and fail, and the top SHAP features", () => {
    expect(section(markdown, "Test metrics")).toMatch(/\| roc\\_auc \| 0\.\d{4} \| higher is better \|/);
    const gates = section(markdown, "Gates");
    expect(gates).toContain("1 of 5 gates failed.");
    expect(gates).toMatch(/\| `minimum.roc_auc` \| 0\.\d{4} \| 0\.6000 \| passed \|/);
    expect(gates).toContain("| **failed** |");
    const shap = section(markdown, "What drives predictions (SHAP)");
    expect(shap).toContain("Mean \\|SHAP value\\| on 200 test rows");
    expect(shap).toMatch(/\| 1 \| `(tenure|charges|plan=\w+)` \|/);
  });

  it("writes limitations from the facts: one file, one test split, ranges, missing values, failed gates", () => {
    const lim = section(markdown, "Limitations");
    expect(lim).toContain("Trained on 630 rows from one file (data/customers.csv)");
    expect(lim).toMatch(/one split of 270 rows.*accuracy 0\.\d{4} ± 0\.\d{4} at 95%/);
    expect(lim).toContain("The test set is small");
    expect(lim).toMatch(/outside the training range extrapolate.*tenure 0 – 72/);
    expect(lim).toMatch(/Often missing in training.*charges \(2\d\.\d%\)/);
    expect(lim).toContain("Failed gates: minimum.accuracy.");
    expect(lim).toContain("The choice is close: gbdt beats logistic by 0.0100");
    expect(lim).not.toContain("imbalanced");
  });

  it("warns about class imbalance when the minority class is rare", async () => {
    const { input: rare } = await scenario({ minority: 0.05, gates: {} });
    const lim = section(renderModelCard(rare).markdown, "Limitations");
    expect(lim).toMatch(/The classes are imbalanced: yes is \d\.\d% of the rows/);
  });

  it("renders the same content as a self-contained HTML page", () => {
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain("<h1>Model card: churn_predictor v3 (none)</h1>");
    expect(html).toContain("<h2>Limitations</h2>");
    expect(html).toContain('<td class="lv-error">failed</td>');
    expect(html).toContain('<td class="pass">passed</td>');
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toContain("<script");
  });

  it("escapes markup in names in both formats", async () => {
    const { input: odd } = await scenario({ names: ["<script>alert(1)</script>", "a|b", "plan"], gates: {} });
    const card = renderModelCard({ ...odd, project: { name: "x", description: "uses <b>bold</b> & more" } });
    expect(card.html).not.toContain("<script>alert");
    expect(card.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(card.html).toContain("uses &lt;b&gt;bold&lt;/b&gt; &amp; more");
    // Raw markup only inside code spans, where Markdown shows it as text.
    expect(card.markdown.replace(/`[^`\n]*`/g, "")).not.toContain("<");
    expect(card.markdown).toContain("&lt;script&gt;alert(1)&lt;/script&gt; 0 – 72");
    expect(card.markdown).toContain("`a\\|b`");
    // Table rows keep their column count: no cell broke its table.
    const cells = (prefix: string): number =>
      card.markdown
        .split("\n")
        .find((l) => l.startsWith(prefix))!
        .replace(/\\\|/g, "")
        .split("|").length - 2;
    expect(cells("| `a\\|b` | float |")).toBe(4);
    expect(cells("| `a\\|b` | numeric |")).toBe(3);
  });

  it("is deterministic", () => {
    expect(renderModelCard(input)).toEqual({ markdown, html });
  });
});
