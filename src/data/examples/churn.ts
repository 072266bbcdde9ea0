/**
 * The churn example: telecom customers, one row each, and whether they left.
 *
 * How the signal is built: each customer's churn probability is the logistic function of a
 * score made of short tenure, high monthly charges, low income, region, age, an interaction
 * (new customers on expensive plans leave most) and an unobserved satisfaction term that no
 * model can see. The label is a coin flip with that probability, so the best possible ranking
 * (the latent probability itself) scores a ROC AUC near 0.87 and a model fitted on the
 * columns a little less.
 */
import { Random } from "../random.js";
import { csvChunks, drawAll, type BatchSource } from "./chunks.js";
import { code, exponential, fixed, integer, sigmoid, truncatedNormal } from "./draw.js";

export const CHURN_DATA_FILE = "data/customers.csv";

export const CHURN_COLUMNS = [
  "customer_id",
  "age",
  "income",
  "gender",
  "region",
  "tenure_months",
  "monthly_charges",
  "total_charges",
  "churn",
] as const;

export const CHURN_GENDERS = ["F", "M"] as const;
export const CHURN_REGIONS = ["north", "south", "east", "west", "central"] as const;

const REGION_WEIGHTS = new Float64Array([0.22, 0.18, 0.2, 0.24, 0.16]);
/** Each region's own pull on the churn score (competition differs by region). */
const REGION_EFFECT = new Float64Array([0, 0.45, -0.3, 0.15, -0.5]);

const MEDIAN_INCOME = 48_000;
const LOG_INCOME_SD = 0.6;
const INTERCEPT = -1.45;

/** The customers of one batch, column by column. NaN marks a blank cell. */
export interface ChurnRows {
  readonly age: Float64Array;
  readonly income: Float64Array;
  /** Index into {@link CHURN_GENDERS}. */
  readonly gender: Uint8Array;
  /** Index into {@link CHURN_REGIONS}. */
  readonly region: Uint8Array;
  readonly tenure: Float64Array;
  readonly monthly: Float64Array;
  readonly total: Float64Array;
  readonly churn: Uint8Array;
  /** The probability each row's label was drawn with, unobserved satisfaction included. */
  readonly p: Float64Array;
}

/** Draws customers in a fixed order from one seeded stream. */
export class ChurnSource implements BatchSource<ChurnRows> {
  private readonly rng: Random;

  constructor(seed: number) {
    this.rng = Random.derive(seed, "example:churn");
  }

  alloc(capacity: number): ChurnRows {
    return {
      age: new Float64Array(capacity),
      income: new Float64Array(capacity),
      gender: new Uint8Array(capacity),
      region: new Uint8Array(capacity),
      tenure: new Float64Array(capacity),
      monthly: new Float64Array(capacity),
      total: new Float64Array(capacity),
      churn: new Uint8Array(capacity),
      p: new Float64Array(capacity),
    };
  }

  fill(out: ChurnRows, count: number): void {
    const rng = this.rng;
    for (let i = 0; i < count; i++) {
      // A handful of centenarians (and data-entry slips) that the schema still allows.
      const age = rng.bernoulli(0.002) ? 100 + rng.int(21) : Math.round(truncatedNormal(rng, 44, 14, 18, 90));
      const gender = rng.int(2);
      const region = rng.choice(REGION_WEIGHTS);

      // Log-normal, rising gently with age until retirement: a long right tail, plus rare outliers.
      const logIncomeZ = rng.normal();
      let income = MEDIAN_INCOME * Math.exp(LOG_INCOME_SD * logIncomeZ + 0.008 * (Math.min(age, 65) - 44));
      if (rng.bernoulli(0.001)) income *= 10 + 20 * rng.next();
      income = Math.round(income);
      const incomeBlank = rng.bernoulli(0.03);

      // Young customers are more often recent sign-ups: tenure and age are confounded on purpose.
      const recent = rng.bernoulli(age < 30 ? 0.45 : 0.3);
      const tenure = recent ? Math.min(72, 1 + Math.floor(exponential(rng, 6))) : rng.int(73);

      // Three plan tiers; richer customers pick the premium tier more often.
      const tierDraw = rng.next();
      const premiumShare = income > 80_000 ? 0.4 : 0.22;
      let monthly: number;
      if (tierDraw < 0.28) monthly = rng.uniform(20, 35);
      else if (tierDraw < 1 - premiumShare) monthly = truncatedNormal(rng, 65, 10, 20, 120);
      else monthly = truncatedNormal(rng, 95, 10, 20, 120);
      monthly = Math.round(monthly * 100) / 100;

      // Like the Telco data: customers in their first month mostly have no total yet.
      let total: number;
      if (tenure === 0) total = rng.bernoulli(0.8) ? NaN : 0;
      else total = Math.round(Math.max(0, monthly * tenure * (1 + rng.normal(0, 0.04))) * 100) / 100;

      const satisfaction = rng.normal(0, 0.4);
      const shortAndPricey = tenure < 12 && monthly > 80 ? 1 : 0;
      const score =
        INTERCEPT -
        1.1 * (Math.log1p(tenure) - 2.5) +
        0.036 * (monthly - 65) +
        1.0 * shortAndPricey -
        0.6 * ((Math.log(Math.max(income, 1)) - Math.log(MEDIAN_INCOME)) / LOG_INCOME_SD) +
        REGION_EFFECT[region]! +
        (age < 30 ? 0.6 : age >= 65 ? 0.35 : 0) +
        satisfaction;
      const p = sigmoid(score);

      out.age[i] = age;
      out.income[i] = incomeBlank ? NaN : income;
      out.gender[i] = gender;
      out.region[i] = region;
      out.tenure[i] = tenure;
      out.monthly[i] = monthly;
      out.total[i] = total;
      out.p[i] = p;
      out.churn[i] = rng.bernoulli(p) ? 1 : 0;
    }
  }

  format(rows: ChurnRows, count: number, firstRow: number): string {
    let s = "";
    for (let i = 0; i < count; i++) {
      s +=
        `${code("C", firstRow + i + 1, 6)},${integer(rows.age[i]!)},${integer(rows.income[i]!)},` +
        `${CHURN_GENDERS[rows.gender[i]!]!},${CHURN_REGIONS[rows.region[i]!]!},${integer(rows.tenure[i]!)},` +
        `${fixed(rows.monthly[i]!, 2)},${fixed(rows.total[i]!, 2)},${rows.churn[i]!}\n`;
    }
    return s;
  }
}

/** The CSV text of `rows` customers, header first, in chunks. */
export function churnCsv(rows: number, seed: number): Generator<string> {
  return csvChunks(CHURN_COLUMNS, new ChurnSource(seed), rows);
}

/** The same customers as {@link churnCsv} writes, as columns, with each row's latent churn probability. */
export function generateChurnRows(rows: number, seed: number): ChurnRows {
  return drawAll(new ChurnSource(seed), rows);
}
