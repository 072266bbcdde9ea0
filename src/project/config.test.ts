import { describe, expect, expectTypeOf, it } from "vitest";
import { ConfigError, parseProjectConfig, safeParseProjectConfig, type ModelConfig } from "./config.js";

const DESIGN_EXAMPLE = `
name: churn
data:
  path: data/customers.csv        # csv or parquet
  target: churn
  task: classification            # classification | regression
  positive: "1"
schema:
  customer_id: { type: string, role: id, unique: true, nullable: false }
  age:         { type: integer, min: 18, max: 120 }
  gender:      { type: category, values: [M, F] }
  income:      { type: number, min: 0, max_null_fraction: 0.05 }
features:
  derived:
    charges_per_month: "total_charges / (tenure_months + 1)"
  binary:
    is_high_value: "monthly_charges > 80"
  binned:
    age_group: { column: age, edges: [18, 30, 45, 60, 120] }
  numeric: { impute: median, scale: standard }
  categorical: { impute: most_frequent, encode: onehot }
split: { test: 0.2, validation: 0.1, stratify: true, seed: 42 }
models:
  logistic: { kind: logistic_regression }
  forest:   { kind: random_forest, params: { trees: 200, max_depth: 10 } }
  gbdt:
    kind: gradient_boosting
    params: { trees: 300, learning_rate: 0.05, num_leaves: 31 }
    search: { trials: 30, space: { num_leaves: [15, 63], learning_rate: [0.01, 0.3, log] } }
cv: { folds: 5 }
select: roc_auc                   # the metric that picks the best candidate
gates:
  minimum: { accuracy: 0.75, roc_auc: 0.75, f1: 0.60 }
  max_drop_vs_production: { roc_auc: 0.01 }
  latency_p99_ms: 2
registry: { model: churn_predictor, on_pass: staging }   # production needs \`sluice promote\`
serve: { port: 8000, log_predictions: true }
monitor: { reference: training, window: 1000, drift_share: 0.5 }
`;

function problems(text: string): string[] {
  try {
    parseProjectConfig(text, "sluice.yaml");
  } catch (err) {
    if (err instanceof ConfigError)
      return err.message
        .split("\n")
        .slice(1)
        .map((l) => l.trim());
    throw err;
  }
  throw new Error("expected the project file to be refused");
}

describe("parseProjectConfig", () => {
  it("parses the example from the design into typed, defaulted objects", () => {
    const c = parseProjectConfig(DESIGN_EXAMPLE);
    expect(c.data).toEqual({
      path: "data/customers.csv",
      target: "churn",
      task: "classification",
      positive: "1",
    });
    expect(c.schema.age).toMatchObject({
      type: "integer",
      min: 18,
      max: 120,
      role: "feature",
      nullable: true,
    });
    expect(c.features.binned.age_group).toEqual({
      column: "age",
      edges: [18, 30, 45, 60, 120],
      strategy: "quantile",
      encode: "ordinal",
    });
    expect(c.models.map((m) => [m.name, m.kind])).toEqual([
      ["logistic", "logistic_regression"],
      ["forest", "random_forest"],
      ["gbdt", "gradient_boosting"],
    ]);
    const gbdt = c.models[2]!;
    if (gbdt.kind !== "gradient_boosting") throw new Error("unreachable");
    expect(gbdt.params).toMatchObject({
      trees: 300,
      learning_rate: 0.05,
      num_leaves: 31,
      min_data_in_leaf: 20,
    });
    expect(gbdt.search?.space).toEqual({
      num_leaves: { type: "int", low: 15, high: 63, log: false },
      learning_rate: { type: "float", low: 0.01, high: 0.3, log: true },
    });
    expect(c.select).toBe("roc_auc");
    expect(c.gates.latency_p99_ms).toBe(2);
    expect(c.registry).toEqual({ model: "churn_predictor", on_pass: "staging" });
  });

  it("fills defaults for everything but name and data", () => {
    const c = parseProjectConfig("name: p\ndata: { path: d.csv, target: y, task: regression }\n");
    expect(c.split).toEqual({ test: 0.2, validation: 0.1, stratify: true, seed: 42 });
    expect(c.features.numeric).toMatchObject({ impute: "median", scale: "standard" });
    expect(c.features.categorical).toMatchObject({
      impute: "most_frequent",
      encode: "onehot",
      max_categories: 30,
    });
    expect(c.models.map((m) => m.kind)).toEqual(["ridge", "gradient_boosting"]);
    expect(c.select).toBe("rmse");
    expect(c.registry).toEqual({ model: "p", on_pass: "staging" });
  });

  it("gives model params a type per kind", () => {
    const c = parseProjectConfig(DESIGN_EXAMPLE);
    const m = c.models[0]!;
    expectTypeOf(m).toEqualTypeOf<ModelConfig>();
    if (m.kind === "logistic_regression") expectTypeOf(m.params.C).toEqualTypeOf<number>();
    if (m.kind === "random_forest") expectTypeOf(m.params.max_depth).toEqualTypeOf<number | null>();
  });

  it("reports every mistake at once, each with its line, path, expectation and what was found", () => {
    const bad = DESIGN_EXAMPLE.replace("num_leaves: 31 }", 'num_leaves: "many" }')
      .replace("[18, 30, 45, 60, 120]", "[30, 18]")
      .replace("select: roc_auc", "select: roc_acu")
      .replace("impute: median,", "imput: median,")
      .replace("cv: { folds: 5 }", "cv: { folds: 1 }")
      .replace("test: 0.2,", "test: 1.5,");
    expect(problems(bad)).toMatchInlineSnapshot(`
      [
        "sluice.yaml:19: features.binned.age_group.edges: expected increasing numbers, got [30, 18]",
        "sluice.yaml:20: features.numeric.imput: unknown key (did you mean "impute"?); allowed here: impute, fill_value, scale, missing_indicator, columns, exclude",
        "sluice.yaml:22: split.test: expected a share in (0, 1), got 1.5",
        "sluice.yaml:28: models.gbdt.params.num_leaves: expected integer ≥ 2, got "many"",
        "sluice.yaml:30: cv.folds: expected integer ≥ 2, got 1",
        "sluice.yaml:31: select: unknown metric "roc_acu" (did you mean "roc_auc"?); classification metrics are: roc_auc, pr_auc, accuracy, balanced_accuracy, precision, recall, f1, log_loss, brier",
      ]
    `);
  });

  it("refuses unknown keys at every level with a did-you-mean", () => {
    const bad = DESIGN_EXAMPLE.replace("cv: { folds: 5 }", "cvv: { folds: 5 }")
      .replace("trees: 200, max_depth: 10", "tress: 200, max_depth: 10")
      .replace(
        "gender:      { type: category, values: [M, F] }",
        "gender:      { typ: category, values: [M, F] }",
      );
    expect(problems(bad)).toMatchInlineSnapshot(`
      [
        "sluice.yaml:11: schema.gender.typ: unknown key (did you mean "type"?); allowed here: type, role, nullable, unique, min, max, values, pattern, max_null_fraction, mostly, severity, format, description",
        "sluice.yaml:11: schema.gender.type: missing: expected one of string, integer, number, category, boolean, datetime",
        "sluice.yaml:25: models.forest.params.tress: unknown key (did you mean "trees"?); allowed here: trees, max_depth, min_samples_leaf, min_samples_split, max_features, bootstrap, max_samples, max_bins, class_weight, oob_score, threads",
        "sluice.yaml:30: cvv: unknown key (did you mean "cv"?); allowed here: name, description, data, schema, validation, features, split, models, cv, select, gates, registry, serve, monitor, store",
      ]
    `);
  });

  it("checks search spaces against the kind's parameters and their types", () => {
    const bad = DESIGN_EXAMPLE.replace(
      "space: { num_leaves: [15, 63], learning_rate: [0.01, 0.3, log] }",
      "space: { num_leafs: [15, 63], num_leaves: [15.5, 63], learning_rate: [0, 0.3, log], min_data_in_leaf: [50, 10] }",
    );
    expect(problems(bad)).toMatchInlineSnapshot(`
      [
        "sluice.yaml:29: models.gbdt.search.space.learning_rate: a log range needs low > 0, got 0",
        "sluice.yaml:29: models.gbdt.search.space.min_data_in_leaf: expected low < high, got [50, 10]",
        "sluice.yaml:29: models.gbdt.search.space.num_leafs: "num_leafs" is not a parameter of gradient_boosting (did you mean "num_leaves"?); its parameters are: trees, learning_rate, num_leaves, max_depth, min_data_in_leaf, min_sum_hessian, lambda_l2, min_gain_to_split, feature_fraction, bagging_fraction, max_bins, early_stopping_rounds, scale_pos_weight, class_weight, threads",
        "sluice.yaml:29: models.gbdt.search.space.num_leaves: num_leaves is an integer parameter; expected integer bounds, got [15.5, 63]",
      ]
    `);
  });

  it("refuses metrics and model kinds that do not fit the task", () => {
    const text = `
name: houses
data: { path: h.csv, target: price, task: regression }
models:
  lr: { kind: logistic_regression }
select: roc_auc
gates:
  minimum: { r2: 0.7, rmsee: 1000 }
`;
    expect(problems(text)).toMatchInlineSnapshot(`
      [
        "sluice.yaml:5: models.lr.kind: logistic_regression is for classification; this project's task is regression (use ridge)",
        "sluice.yaml:6: select: metric "roc_auc" does not apply to regression; regression metrics are: rmse, mae, r2, mape",
        "sluice.yaml:8: gates.minimum.rmsee: unknown metric "rmsee" (did you mean "rmse"?); regression metrics are: rmse, mae, r2, mape",
      ]
    `);
  });

  it("suggests the metric an unknown select name stands for: abbreviations, other spellings, typos", () => {
    const select = (name: string, task = "classification"): string[] =>
      problems(`name: x\ndata: { path: d.csv, target: y, task: ${task} }\nselect: ${name}\n`);
    expect(select("roc")[0]).toMatch(/select: unknown metric "roc" \(did you mean "roc_auc"\?\)/);
    expect(select("auc")[0]).toMatch(/\(did you mean "roc_auc" or "pr_auc"\?\)/);
    expect(select("ROC-AUC")[0]).toMatch(/\(did you mean "roc_auc"\?\)/);
    expect(select("f1_score")[0]).toMatch(/\(did you mean "f1"\?\)/);
    expect(select("neg_log_loss")[0]).toMatch(/\(did you mean "log_loss"\?\)/);
    expect(select("mse", "regression")[0]).toMatch(/\(did you mean "rmse"\?\)/);
    expect(select("rsquared", "regression")[0]).toMatch(/\(did you mean "r2"\?\)/);
    expect(select("rocauc")[0]).toMatch(/\(did you mean "roc_auc"\?\)/);
    // Nothing close: no guess, just the list.
    expect(select("speed")).toEqual([
      'sluice.yaml:3: select: unknown metric "speed"; classification metrics are: roc_auc, pr_auc, accuracy, balanced_accuracy, precision, recall, f1, log_loss, brier',
    ]);
  });

  it("names the line of malformed YAML", () => {
    const issues = safeParseProjectConfig("name: x\ndata: [1, 2\nmodels: {}\n");
    expect(issues.success).toBe(false);
    if (issues.success) return;
    expect(issues.issues[0]!.message).toMatch(/^not valid YAML: /);
    expect(issues.issues[0]!.line).toBeGreaterThanOrEqual(2);
  });

  it("refuses duplicate keys, which YAML would otherwise silently overwrite", () => {
    const issues = safeParseProjectConfig(
      "name: x\nname: y\ndata: { path: a.csv, target: t, task: regression }\n",
    );
    expect(issues.success).toBe(false);
  });

  it("refuses an empty file with a pointer to sluice init", () => {
    expect(problems("")).toEqual(["sluice.yaml: the file is empty; `sluice init` writes a first version"]);
  });

  it("says which required keys are missing", () => {
    expect(problems("name: x\ndata: { path: a.csv }\n")).toMatchInlineSnapshot(`
      [
        "sluice.yaml:2: data.target: missing: expected a non-empty text",
        "sluice.yaml:2: data.task: missing: expected one of classification, regression",
      ]
    `);
  });

  it("refuses a second target and a target with role id", () => {
    const text = `
name: x
data: { path: a.csv, target: y, task: classification }
schema:
  y: { type: category, role: id }
  z: { type: category, role: target }
`;
    expect(problems(text)).toMatchInlineSnapshot(`
      [
        "sluice.yaml:5: schema.y.role: the target "y" cannot have role "id"",
        "sluice.yaml:6: schema.z.role: "z" has role target, but data.target is "y"; a project has one target",
      ]
    `);
  });

  it("refuses min above max, a bad regular expression and min on a category", () => {
    const text = `
name: x
data: { path: a.csv, target: y, task: classification }
schema:
  a: { type: number, min: 5, max: 1 }
  b: { type: string, pattern: "([a-z" }
  c: { type: category, min: 0 }
`;
    expect(problems(text)).toMatchInlineSnapshot(`
      [
        "sluice.yaml:5: schema.a.max: expected max ≥ min (5), got 1",
        "sluice.yaml:6: schema.b.pattern: expected a valid regular expression, got "([a-z"",
        "sluice.yaml:7: schema.c.min: min/max apply to integer, number and datetime columns, not category",
      ]
    `);
  });

  it("parses durations and search dimensions written as objects", () => {
    const c = parseProjectConfig(`
name: x
data: { path: a.csv, target: y, task: classification }
models:
  f:
    kind: random_forest
    search:
      method: random
      timeout: 1h30m
      space:
        max_features: { choices: [sqrt, log2, 0.5] }
        min_samples_leaf: { low: 1, high: 50, log: true }
`);
    const f = c.models[0]!;
    expect(f.search?.timeout).toBe(5_400_000);
    expect(f.search?.space).toEqual({
      max_features: { type: "categorical", choices: ["sqrt", "log2", 0.5] },
      min_samples_leaf: { type: "int", low: 1, high: 50, log: true },
    });
  });

  it("checks categorical search choices against the parameter", () => {
    const text = `
name: x
data: { path: a.csv, target: y, task: classification }
models:
  f:
    kind: random_forest
    search: { space: { max_features: { choices: [sqrt, half] } } }
`;
    expect(problems(text)).toEqual([
      'sluice.yaml:7: models.f.search.space.max_features.choices[1]: expected one of auto, sqrt, log2, all, or a share in (0, 1], got "half"',
    ]);
  });
});
