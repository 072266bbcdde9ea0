/** The fraud example's project file and README. */
import { FRAUD_DATA_FILE } from "./fraud.js";
import { thousands, tryItSection, type ReadmeFacts } from "./readme.js";

export const FRAUD_MODEL = "fraud_detector";

export const FRAUD_YAML = String.raw`# Sluice example: card fraud.
# Written by 'sluice example fraud' together with ${FRAUD_DATA_FILE} (synthetic; see README.md).
name: fraud
description: Flag card transactions that are likely fraud, from amount, time, merchant, place and device.

data:
  path: ${FRAUD_DATA_FILE}
  target: is_fraud
  task: classification
  positive: "1"

schema:
  transaction_id:    { type: string, role: id, unique: true, nullable: false, pattern: '^T\d{8,}$' }
  # Users repeat: an id, but not unique. As a feature it would only memorise past users.
  user_id:           { type: string, role: id, nullable: false, pattern: '^U\d{6}$' }
  timestamp:         { type: datetime, nullable: false, description: "UTC, ISO 8601" }
  amount:            { type: number, min: 0.01, max: 50000, nullable: false }
  merchant_category: { type: category, nullable: false, values: [grocery, restaurants, fuel, fashion, electronics, travel, gaming, health, entertainment, digital_goods] }
  location:          { type: category, nullable: false, values: [springfield, riverton, lakewood, fairview, georgetown, madison, clinton, salem, foreign] }
  device:            { type: category, values: [mobile, desktop, tablet, unknown], max_null_fraction: 0.02 }
  is_fraud:          { type: integer, role: target, values: [0, 1], nullable: false }

validation:
  rows: { min: 1000 }
  duplicate_rows: warn
  leakage: { threshold: 0.98, level: error }

features:
  derived:
    hour: "hour(timestamp)"
    weekday: "weekday(timestamp)"           # 0 = Monday
    log_amount: "log1p(amount)"
  binary:
    is_night: "hour(timestamp) < 6"
    is_weekend: "weekday(timestamp) >= 5"
    is_foreign: 'location == "foreign"'
    is_large: "amount > 500"
    risky_device: 'device == "unknown" or is_missing(device)'
    resale_category: 'merchant_category in ("electronics", "gaming", "digital_goods")'
  binned:
    amount_band: { column: amount, edges: [0, 20, 50, 100, 250, 1000, 50000], encode: onehot }
  numeric: { impute: median, scale: robust }   # amounts have a long tail
  categorical: { impute: constant, fill_value: missing, encode: onehot }
  drop: [timestamp]                         # raw epoch time would let a model learn the calendar

split: { test: 0.2, validation: 0.1, stratify: true, seed: 42 }

models:
  logistic: { kind: logistic_regression, params: { C: 0.5, class_weight: balanced, max_iter: 500 } }
  forest:   { kind: random_forest, params: { trees: 300, min_samples_leaf: 3, class_weight: balanced } }
  gbdt:
    kind: gradient_boosting
    params: { trees: 400, learning_rate: 0.05, num_leaves: 15, min_data_in_leaf: 50, lambda_l2: 1, early_stopping_rounds: 40 }

cv: { folds: 5 }
select: pr_auc                    # with 2% positives, precision at the top matters more than ROC AUC

gates:
  minimum: { roc_auc: 0.80, pr_auc: 0.15 }
  max_drop_vs_production: { pr_auc: 0.03 }
  latency_p99_ms: 5

registry: { model: ${FRAUD_MODEL}, on_pass: staging }
serve:
  port: 8000
  log_predictions: true
  risk: { allow: 0, review: 0.1, block: 0.5 }   # lower bounds of the fraud probability
monitor: { window: 5000, drift_share: 0.3, retrain: { on: severe, cooldown: 24h } }
`;

/** README.md of a fraud project written with these rows and seed. */
export function fraudReadme(facts: ReadmeFacts): string {
  return `# Card fraud (Sluice example)

${thousands(facts.rows)} card transactions from 2026-01-01 to 2026-03-31 in \`${FRAUD_DATA_FILE}\`, in time
order, about 2% of them fraud (\`is_fraud\` = 1). The task: score each transaction so that the
riskiest are blocked or reviewed.

| column | meaning |
| --- | --- |
| transaction_id | \`T00000001\`, … (an id) |
| user_id | \`U000001\`, …; about 25 transactions per user, some users far more active |
| timestamp | UTC, ISO 8601 (\`2026-03-01T13:45:10Z\`); quiet nights, busy evenings |
| amount | dollars; log-normal, with a typical size per merchant category |
| merchant_category | grocery, restaurants, fuel, fashion, electronics, travel, gaming, health, entertainment, digital_goods |
| location | the city of the merchant, or \`foreign\` |
| device | mobile, desktop, tablet or unknown; about 1% blank |
| is_fraud | 1 if the transaction was fraud |

## How the signal was built

Each transaction's fraud probability is the logistic function of a score: merchant categories
differ (digital goods, gaming and electronics are riskiest, groceries safest); larger amounts
are riskier; night hours (00:00–05:59) are riskier; a transaction abroad much more, and one
away from the user's home city a little; an unknown device is riskier. Two interactions add
to it (abroad at night; a large amount in a category whose goods resell easily), and an
unobserved term adds noise. Ranking by the true probabilities gives a ROC AUC near 0.92, so
expect a good model at about 0.88–0.93, and a PR AUC of 0.2–0.35 (good at a 2% base rate).

\`sluice.yaml\` drops the raw timestamp but derives the hour, weekday and night flag from it,
treats \`user_id\` as an id, and picks the model by PR AUC, which is what matters when 98% of
rows are negatives.

${tryItSection(facts, FRAUD_MODEL, {
  user_id: "U000042",
  timestamp: "2026-03-01T02:45:10Z",
  amount: 849.99,
  merchant_category: "electronics",
  location: "foreign",
  device: "unknown",
})}`;
}
