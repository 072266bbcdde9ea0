/**
 * Frames for feature tests: random frames with every kind of column and awkward value, and a
 * realistic churn-like frame. Used by tests only (not part of the package).
 */
import { Frame, categoricalFromStrings, numericColumn, textColumn, type Column } from "../../data/frame.js";
import { Random } from "../../data/random.js";
import { ColumnRule, FeatureSpec, type DatasetSchema } from "../../project/schema.js";

const EXTREMES = [1e300, -1e300, -0, 0, Infinity, -Infinity, 5e-324, -5e-324, 1.7976931348623157e308];

function pick<T>(rng: Random, items: readonly T[]): T {
  return items[rng.int(items.length)]!;
}

function zipf(rng: Random, k: number): number {
  const weights = Array.from({ length: k }, (_, i) => 1 / (i + 1));
  return rng.choice(weights);
}

/** A random frame of `n` rows; `unseen` adds categories and values training never had. */
export function randomFrame(rng: Random, n: number, unseen: boolean): Frame {
  const cols: Column[] = [];
  cols.push(
    textColumn(
      "id",
      Array.from({ length: n }, (_, i) => `row-${i}`),
    ),
  );
  const n1 = new Float64Array(n);
  const n2 = new Float64Array(n);
  const n3 = new Float64Array(n);
  const ts = new Float64Array(n);
  const c3 = new Float64Array(n);
  const y = new Float64Array(n);
  const c1: (string | null)[] = [];
  const c2: (string | null)[] = [];
  for (let i = 0; i < n; i++) {
    const u = rng.next();
    n1[i] = u < 0.1 ? NaN : u < 0.16 ? pick(rng, EXTREMES) : rng.normal(10, 5);
    n2[i] = rng.bernoulli(0.08) ? NaN : rng.int(unseen ? 40 : 20);
    n3[i] = rng.bernoulli(0.5) ? 1 : 0;
    ts[i] = rng.bernoulli(0.05) ? NaN : Math.floor(rng.uniform(-1e12, 2e12));
    c3[i] = rng.bernoulli(0.05) ? NaN : rng.int(unseen ? 5 : 3);
    c1.push(
      rng.bernoulli(0.1)
        ? null
        : pick(rng, unseen ? ["a", "b", "c", "d", "new", "newer"] : ["a", "b", "c", "d"]),
    );
    c2.push(rng.bernoulli(0.05) ? null : `k${zipf(rng, unseen ? 30 : 20)}`);
    y[i] = (Number.isFinite(n1[i]!) && n1[i]! > 10 ? 1 : 0) ^ (rng.bernoulli(0.2) ? 1 : 0);
  }
  cols.push(numericColumn("n1", n1));
  cols.push(numericColumn("n2", n2, "integer"));
  cols.push(numericColumn("n3", n3, "boolean"));
  cols.push(numericColumn("ts", ts, "datetime"));
  cols.push(categoricalFromStrings("c1", c1));
  cols.push(categoricalFromStrings("c2", c2));
  cols.push(numericColumn("c3", c3, "integer"));
  cols.push(numericColumn("y", y));
  return new Frame(cols, n);
}

/** The schema of {@link randomFrame}. */
export const RANDOM_SCHEMA: DatasetSchema = {
  id: ColumnRule.parse({ type: "string", role: "id" }),
  c3: ColumnRule.parse({ type: "category" }),
  y: ColumnRule.parse({ type: "integer", role: "target" }),
};

/** A random feature spec over the columns of {@link randomFrame}. */
export function randomSpec(rng: Random): FeatureSpec {
  const derived: Record<string, string> = { ratio: "n1 / (n2 + 1)" };
  if (rng.bernoulli(0.7)) derived.clock = "log1p(abs(n1)) + hour(ts) - weekday(ts) / 7";
  if (rng.bernoulli(0.7)) derived.branch = 'if(c1 == "a", n2, -n2) * ratio';
  if (rng.bernoulli(0.5)) derived.big = "n1 * 1e10";
  const binary: Record<string, string> = { busy: 'n2 > 5 and c1 != "b"' };
  if (rng.bernoulli(0.7)) binary.flag = 'is_missing(n1) or c3 == "1" or c2 in ("k1", "k2")';
  const binned: Record<string, unknown> = {
    n2_bins: { column: "n2", edges: [0, 5, 10, 20], encode: pick(rng, ["ordinal", "onehot"]) },
  };
  if (rng.bernoulli(0.7))
    binned.ratio_bins = {
      column: "ratio",
      bins: 2 + rng.int(4),
      strategy: pick(rng, ["quantile", "uniform"]),
      encode: pick(rng, ["ordinal", "onehot"]),
    };
  return FeatureSpec.parse({
    derived,
    binary,
    binned,
    numeric: {
      impute: pick(rng, ["mean", "median", "most_frequent", "constant"]),
      fill_value: -1,
      scale: pick(rng, ["standard", "minmax", "robust", "none"]),
      missing_indicator: rng.bernoulli(0.5),
    },
    categorical: {
      impute: pick(rng, ["most_frequent", "constant"]),
      encode: pick(rng, ["onehot", "onehot", "ordinal"]),
      max_categories: 1 + rng.int(8),
      ...(rng.bernoulli(0.5) ? { min_frequency: pick(rng, [2, 5, 0.05]) } : {}),
    },
    drop_near_constant: pick(rng, [1, 1, 0.97]),
    ...(rng.bernoulli(0.3) ? { select: { top: 3 + rng.int(6) } } : {}),
  });
}

/** The target of a frame as a Float64Array. */
export function targetOf(frame: Frame, name: string): Float64Array {
  const col = frame.column(name);
  if (col.kind !== "numeric") throw new Error(`target ${name} is not numeric`);
  return col.values;
}

/**
 * A realistic churn-like frame, with the columns of the churn example: ids, demographics,
 * contract and billing categories, charges with missing values, a signup date and the target.
 */
export function churnLikeFrame(n: number, seed: number): Frame {
  const rng = new Random(seed);
  const id: string[] = [];
  const gender: string[] = [];
  const senior = new Float64Array(n);
  const age = new Float64Array(n);
  const tenure = new Float64Array(n);
  const contract: string[] = [];
  const payment: (string | null)[] = [];
  const monthly = new Float64Array(n);
  const total = new Float64Array(n);
  const signup = new Float64Array(n);
  const churn = new Float64Array(n);
  const payments = [
    "Electronic check",
    "Mailed check",
    "Bank transfer (automatic)",
    "Credit card (automatic)",
  ];
  const now = Date.UTC(2024, 0, 1);
  for (let i = 0; i < n; i++) {
    id.push(`${1000 + i}-CUST`);
    gender.push(rng.bernoulli(0.5) ? "F" : "M");
    age[i] = rng.bernoulli(0.02) ? NaN : 18 + Math.floor(rng.next() * rng.next() * 80);
    senior[i] = age[i]! >= 65 ? 1 : 0;
    tenure[i] = rng.int(73);
    contract.push(pick(rng, ["Month-to-month", "Month-to-month", "One year", "Two year"]));
    payment.push(rng.bernoulli(0.01) ? null : pick(rng, payments));
    monthly[i] = Math.round(rng.uniform(18, 120) * 100) / 100;
    total[i] =
      tenure[i] === 0 ? NaN : Math.round(monthly[i]! * tenure[i]! * rng.uniform(0.9, 1.1) * 100) / 100;
    signup[i] = now - tenure[i]! * 30 * 86_400_000 - rng.int(86_400_000);
    const risk =
      (contract[i] === "Month-to-month" ? 1.2 : -1) + (monthly[i]! > 80 ? 0.6 : 0) - tenure[i]! / 24;
    churn[i] = rng.next() < 1 / (1 + Math.exp(-risk)) ? 1 : 0;
  }
  return new Frame([
    textColumn("customer_id", id),
    categoricalFromStrings("gender", gender),
    numericColumn("senior", senior, "integer"),
    numericColumn("age", age, "integer"),
    numericColumn("tenure_months", tenure, "integer"),
    categoricalFromStrings("contract", contract),
    categoricalFromStrings("payment", payment),
    numericColumn("monthly_charges", monthly),
    numericColumn("total_charges", total),
    numericColumn("signup", signup, "datetime"),
    numericColumn("churn", churn, "integer"),
  ]);
}

/** The schema of {@link churnLikeFrame}. */
export const CHURN_SCHEMA: DatasetSchema = {
  customer_id: ColumnRule.parse({ type: "string", role: "id", unique: true, nullable: false }),
  gender: ColumnRule.parse({ type: "category", values: ["M", "F"] }),
  senior: ColumnRule.parse({ type: "category" }),
  churn: ColumnRule.parse({ type: "integer", role: "target" }),
};

/** The feature spec of the churn example, extended with a datetime formula and selection inputs. */
export const CHURN_SPEC: FeatureSpec = FeatureSpec.parse({
  derived: {
    charges_per_month: "total_charges / (tenure_months + 1)",
    signup_month: "month(signup)",
  },
  binary: {
    is_high_value: "monthly_charges > 80",
    flexible: 'contract == "Month-to-month" and payment in ("Electronic check", "Mailed check")',
  },
  binned: { age_group: { column: "age", edges: [18, 30, 45, 60, 120], encode: "onehot" } },
  numeric: { impute: "median", scale: "standard", missing_indicator: true },
  categorical: { impute: "most_frequent", encode: "onehot" },
  drop: ["signup"],
});
