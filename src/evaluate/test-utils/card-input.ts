/**
 * A complete, real card/report input: a generated frame is profiled, its features fitted and
 * applied, a gradient boosting model and a logistic regression fitted on the training rows, the
 * winner evaluated and gated on the test rows. Only the leaderboard's CV numbers are written
 * here (the CV itself is the training step's business and is tested there).
 */
import { Frame, categoricalFromStrings, numericColumn } from "../../data/frame.js";
import { Random } from "../../data/random.js";
import { fitFeatures, transform } from "../../features/index.js";
import { learnerFor } from "../../models/learners.js";
import { FeatureSpec, GatesConfig } from "../../project/schema.js";
import { profileFrame } from "../../validate/profile.js";
import type { CardInput } from "../card.js";
import { definedMetrics, evaluateModel, type Evaluation } from "../evaluation.js";
import { runGates } from "../gates.js";

export interface Scenario {
  input: CardInput & { evaluation: Evaluation };
}

/**
 * @param names input column names (use odd names to test escaping)
 * @param minority share of the positive class
 */
export async function scenario(
  options: {
    names?: [string, string, string];
    minority?: number;
    rows?: number;
    gates?: Record<string, unknown>;
  } = {},
): Promise<Scenario> {
  const [a, b, plan] = options.names ?? ["tenure", "charges", "plan"];
  const n = options.rows ?? 900;
  const rng = new Random(5);
  const va = new Float64Array(n);
  const vb = new Float64Array(n);
  const vp: (string | null)[] = [];
  const y: string[] = [];
  const shift = Math.log((options.minority ?? 0.35) / (1 - (options.minority ?? 0.35)));
  for (let i = 0; i < n; i++) {
    va[i] = Math.round(rng.uniform(0, 72));
    vb[i] = rng.next() < 0.25 ? NaN : rng.uniform(20, 120);
    const p = ["basic", "plus", "pro"][rng.int(3)]!;
    vp.push(p);
    const s =
      -0.05 * va[i]! +
      (Number.isNaN(vb[i]!) ? 0 : 0.02 * (vb[i]! - 70)) +
      (p === "basic" ? 0.8 : 0) +
      1.2 +
      shift;
    y.push(rng.next() < 1 / (1 + Math.exp(-2 * s)) ? "yes" : "no");
  }
  const frame = new Frame([
    numericColumn(a, va, "integer"),
    numericColumn(b, vb),
    categoricalFromStrings(plan, vp),
    categoricalFromStrings("churned", y),
  ]);
  const profile = profileFrame(frame);
  const trainRows = Int32Array.from({ length: Math.floor(n * 0.7) }, (_, i) => i);
  const testRows = Int32Array.from({ length: n - trainRows.length }, (_, i) => trainRows.length + i);
  const train = frame.take(trainRows);
  const test = frame.take(testRows);
  const features = fitFeatures(FeatureSpec.parse({}), train, { target: "churned", task: "classification" });
  const Xtrain = transform(features, train);
  const Xtest = transform(features, test);
  const codes = (f: Frame): Int32Array => {
    const col = f.get("churned");
    if (col?.kind !== "categorical") throw new Error("target is categorical");
    return Int32Array.from(col.codes);
  };
  const target = { task: "classification" as const, classes: ["no", "yes"] };
  const model = await learnerFor("gradient_boosting", { trees: 30, num_leaves: 7, threads: 1 }, target).fit(
    Xtrain,
    codes(train),
    { seed: 1 },
  );
  const evaluation = evaluateModel(model, Xtest, codes(test), { shapRows: 200 });
  const metrics = definedMetrics(evaluation);
  const gates = await runGates(
    GatesConfig.parse(
      options.gates ?? {
        minimum: { roc_auc: 0.6, accuracy: 0.99 },
        max_drop_vs_production: { roc_auc: 0.01 },
      },
    ),
    { task: "classification", metrics, model, X: Xtest },
  );
  const cv = (mean: number, std: number): CardInput["training"]["candidates"][number]["cv"] => ({
    mean: { roc_auc: mean },
    std: { roc_auc: std },
    folds: [-1, 0, 1].map((k) => ({ scores: { roc_auc: mean + k * std } })),
  });
  return {
    input: {
      project: {
        name: "churn",
        description: "Flags customers likely to cancel so the retention team can call them.",
      },
      model: {
        name: "churn_predictor",
        version: 3,
        stage: "none",
        kind: "gradient_boosting",
        candidate: "gbdt",
        runId: "r-1",
      },
      task: "classification",
      target: "churned",
      classes: ["no", "yes"],
      positive: "yes",
      data: {
        path: "data/customers.csv",
        rows: n,
        quarantined: 4,
        split: { train: trainRows.length - 60, validation: 60, test: testRows.length },
        profile,
      },
      features,
      training: {
        select: "roc_auc",
        higherIsBetter: true,
        folds: 5,
        winner: "gbdt",
        candidates: [
          {
            name: "logistic",
            kind: "logistic_regression",
            cv: cv(0.8, 0.02),
            test: { roc_auc: 0.79 },
            fitSeconds: 0.05,
          },
          { name: "gbdt", kind: "gradient_boosting", cv: cv(0.81, 0.02), test: metrics, fitSeconds: 0.4 },
        ],
      },
      metrics: evaluation.metrics,
      gates,
      evaluation,
      sluiceVersion: "0.1.0",
    },
  };
}
