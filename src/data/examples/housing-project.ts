/** The housing example's project file and README. */
import { HOUSING_DATA_FILE } from "./housing.js";
import { thousands, tryItSection, type ReadmeFacts } from "./readme.js";

export const HOUSING_MODEL = "house_price";

export const HOUSING_YAML = String.raw`# Sluice example: house prices (regression).
# Written by 'sluice example housing' together with ${HOUSING_DATA_FILE} (synthetic; see README.md).
name: housing
description: Estimate the sale price of a house from its size, age, condition and neighbourhood.

data:
  path: ${HOUSING_DATA_FILE}
  target: price
  task: regression

schema:
  house_id:              { type: string, role: id, unique: true, nullable: false, pattern: '^H\d{6,}$' }
  square_feet:           { type: integer, min: 300, max: 20000, nullable: false }
  bedrooms:              { type: integer, min: 1, max: 8, nullable: false }
  bathrooms:             { type: number, min: 1, max: 6, nullable: false }
  year_built:            { type: integer, min: 1880, max: 2026, nullable: false }
  lot_size:              { type: integer, min: 100, max_null_fraction: 0.15, description: "square feet; condos have none" }
  neighborhood:          { type: category, nullable: false, values: [downtown, midtown, old_town, riverside, hillcrest, lakeside, northgate, southfield] }
  condition:             { type: category, nullable: false, values: [poor, fair, good, very_good, excellent] }
  garage:                { type: integer, min: 0, max: 3, nullable: false, description: parking spaces }
  distance_to_center_km: { type: number, min: 0, max: 50, nullable: false }
  price:                 { type: number, role: target, min: 10000, nullable: false, description: dollars }

validation:
  rows: { min: 200 }
  duplicate_rows: warn
  leakage: { threshold: 0.98, level: error }

features:
  derived:
    house_age: "2026 - year_built"
    log_sqft: "log(square_feet)"
    sqft_per_room: "square_feet / (bedrooms + bathrooms)"
    log_lot: "log1p(lot_size)"
  binary:
    has_garage: "garage > 0"
    is_central: "distance_to_center_km < 5"
    well_kept_old: 'condition in ("very_good", "excellent") and house_age > 40'
  binned:
    distance_band: { column: distance_to_center_km, edges: [0, 2, 5, 10, 20, 50] }
  numeric: { impute: median, scale: standard, missing_indicator: true }
  categorical: { impute: most_frequent, encode: onehot }

split: { test: 0.2, validation: 0.1, stratify: false, seed: 42 }

models:
  ridge:  { kind: ridge, params: { alpha: 1.0 } }
  forest: { kind: random_forest, params: { trees: 200, min_samples_leaf: 3, max_features: 0.5 } }
  gbdt:
    kind: gradient_boosting
    params: { trees: 500, learning_rate: 0.05, num_leaves: 31, min_data_in_leaf: 20, early_stopping_rounds: 50 }

cv: { folds: 5 }
select: rmse

gates:
  minimum: { r2: 0.7 }
  max_drop_vs_production: { r2: 0.02 }
  latency_p99_ms: 5

registry: { model: ${HOUSING_MODEL}, on_pass: staging }
serve: { port: 8000, log_predictions: true }
monitor: { window: 1000, drift_share: 0.5, retrain: { on: severe, cooldown: 24h } }
`;

/** README.md of a housing project written with these rows and seed. */
export function housingReadme(facts: ReadmeFacts): string {
  return `# House prices (Sluice example)

${thousands(facts.rows)} house sales in one city in \`${HOUSING_DATA_FILE}\`, with their price in dollars. The
task is a regression: estimate what a house will sell for.

| column | meaning |
| --- | --- |
| house_id | \`H000001\`, … (an id) |
| square_feet | floor area; a few estates far larger than the rest |
| bedrooms, bathrooms | counts (bathrooms in halves: 2.5) |
| year_built | 1890–2025, older in the old town |
| lot_size | square feet; blank for most downtown condos and a few others |
| neighborhood | downtown, midtown, old_town, riverside, hillcrest, lakeside, northgate, southfield |
| condition | poor, fair, good, very_good, excellent |
| garage | parking spaces, 0–3 |
| distance_to_center_km | distance to the city centre |
| price | sale price in dollars (the target) |

## How the signal was built

The price is a product of factors: floor area to the power 0.8, a premium per neighbourhood, the
condition, a small discount per year of age and per km from the centre, the garage, the lot and
the bathrooms, times a log-normal error of about 18%. A few sales are outliers: sold within a
family far below value, or trophy houses far above. The noise-free prices explain about 87% of
the variance, so expect a good model's R² at about 0.85.

\`sluice.yaml\` derives the age and log sizes, flags central houses, bins the distance, adds a
missing-value indicator for the lot, and compares ridge regression with two tree ensembles.

${tryItSection(facts, HOUSING_MODEL, {
  square_feet: 1850,
  bedrooms: 3,
  bathrooms: 2,
  year_built: 1994,
  lot_size: 6500,
  neighborhood: "riverside",
  condition: "good",
  garage: 2,
  distance_to_center_km: 5.4,
})}`;
}
