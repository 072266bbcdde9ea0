/** The churn example's project file and README. */
import { CHURN_DATA_FILE } from "./churn.js";
import { thousands, tryItSection, type ReadmeFacts } from "./readme.js";

export const CHURN_MODEL = "churn_predictor";

export const CHURN_YAML = String.raw`# Sluice example: customer churn.
# Written by 'sluice example churn' together with ${CHURN_DATA_FILE} (synthetic; see README.md).
name: churn
description: Predict which telecom customers will cancel, from their plan, tenure and profile.

data:
  path: ${CHURN_DATA_FILE}
  target: churn
  task: classification
  positive: "1"                   # the class whose probability is predicted

schema:
  customer_id:     { type: string, role: id, unique: true, nullable: false, pattern: '^C\d{6,}$' }
  age:             { type: integer, min: 18, max: 120, nullable: false }
  income:          { type: number, min: 0, max_null_fraction: 0.05, description: "yearly, in dollars" }
  gender:          { type: category, values: [M, F], nullable: false }
  region:          { type: category, values: [north, south, east, west, central], nullable: false }
  tenure_months:   { type: integer, min: 0, max: 72, nullable: false }
  monthly_charges: { type: number, min: 20, max: 120, nullable: false }
  total_charges:   { type: number, min: 0, max_null_fraction: 0.02, description: "blank in most first months" }
  churn:           { type: integer, role: target, values: [0, 1], nullable: false }

validation:
  rows: { min: 100 }
  duplicate_rows: warn
  leakage: { threshold: 0.98, level: error }   # a column that alone predicts churn is a bug, not a feature
  # quarantine: quarantine/customers.csv       # keep going without rows that fail checks

features:
  derived:
    charges_per_month: "total_charges / (tenure_months + 1)"
    log_income: "log1p(income)"
    charges_to_income: "monthly_charges * 12 / (income + 1000)"
  binary:
    is_high_value: "monthly_charges > 80"
    is_new_customer: "tenure_months < 12"
    new_and_expensive: "is_new_customer and is_high_value"
  binned:
    age_group: { column: age, edges: [18, 30, 45, 60, 120] }
  numeric: { impute: median, scale: standard, missing_indicator: true }
  categorical: { impute: most_frequent, encode: onehot }

split: { test: 0.2, validation: 0.1, stratify: true, seed: 42 }

models:
  logistic: { kind: logistic_regression, params: { C: 1.0 } }
  forest:   { kind: random_forest, params: { trees: 200, max_depth: 10, min_samples_leaf: 5 } }
  gbdt:
    kind: gradient_boosting
    params: { trees: 300, learning_rate: 0.05, num_leaves: 31, min_data_in_leaf: 40, early_stopping_rounds: 30 }
    search:
      trials: 20
      space:
        num_leaves: [7, 63]
        learning_rate: [0.01, 0.3, log]
        min_data_in_leaf: [10, 100]

cv: { folds: 5 }
select: roc_auc                   # the metric that picks the best candidate

gates:
  minimum: { roc_auc: 0.75, accuracy: 0.75 }
  max_drop_vs_production: { roc_auc: 0.01 }
  latency_p99_ms: 5

registry: { model: ${CHURN_MODEL}, on_pass: staging }   # production needs 'sluice promote'
serve:
  port: 8000
  log_predictions: true
  risk: { low: 0, medium: 0.3, high: 0.6 }   # lower bounds of the churn probability
monitor:
  window: 1000                    # the last 1,000 logged predictions
  drift_share: 0.25               # dataset drift when 2 of the 7 inputs drift
  retrain: { on: severe, cooldown: 24h }   # severe drift runs this project again; the gates decide
  # alerts: { webhook: "https://hooks.example.com/sluice", on: moderate }
`;

/** README.md of a churn project written with these rows and seed. */
export function churnReadme(facts: ReadmeFacts): string {
  return `# Customer churn (Sluice example)

${thousands(facts.rows)} telecom customers in \`${CHURN_DATA_FILE}\`, one row each, and whether they
cancelled (\`churn\` = 1). The task: rank customers by their risk of leaving, so that a retention
team calls the right ones first.

| column | meaning |
| --- | --- |
| customer_id | \`C000001\`, … (an id: never a feature) |
| age | years; a few customers are over 100 |
| income | yearly, in dollars; long right tail; about 3% blank |
| gender | M or F |
| region | north, south, east, west or central |
| tenure_months | months as a customer, 0–72 |
| monthly_charges | dollars per month, 20–120 |
| total_charges | billed so far, about monthly × tenure; blank for most customers in their first month |
| churn | 1 if the customer left |

## How the signal was built

Each customer's churn probability is the logistic function of a score: short tenure, high
monthly charges and low income raise it; regions differ; customers under 30 (and over 65) leave
more; new customers on expensive plans (tenure < 12 and charges > 80) leave most. An unobserved
satisfaction score adds noise no model can learn, and each label is a coin flip with its
probability. About a quarter of customers churn. Ranking by the true probabilities gives a
ROC AUC near 0.87, so expect a good model at about 0.83–0.86; the strongest single column,
tenure, reaches about 0.78.

\`sluice.yaml\` shows the toolkit on it: a schema with ranges, allowed values, an id pattern
and null limits; derived, binary and binned features; three candidate models, one with a
hyper-parameter search; gates a release must pass; and risk levels for serving.

${tryItSection(facts, CHURN_MODEL, {
  age: 34,
  income: 41000,
  gender: "F",
  region: "south",
  tenure_months: 3,
  monthly_charges: 94.5,
  total_charges: 280.1,
})}`;
}
