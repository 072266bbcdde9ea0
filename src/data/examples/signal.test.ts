import { describe, expect, it } from "vitest";
import { CHURN_REGIONS, generateChurnRows } from "./churn.js";
import { FOREIGN, FRAUD_LOCATIONS, fraudHour, generateFraudRows } from "./fraud.js";
import { generateHousingRows } from "./housing.js";
import { mean, negate, pearson, rocAuc } from "./test-utils/stats.js";

/** The largest single-column ROC AUC the leakage check lets through. */
const LEAKAGE_AUC = 0.98;

function flag(n: number, test: (i: number) => boolean): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = test(i) ? 1 : 0;
  return out;
}

function countNaN(a: Float64Array): number {
  let n = 0;
  for (const v of a) if (Number.isNaN(v)) n++;
  return n;
}

describe("churn signal (20,000 rows)", () => {
  const rows = generateChurnRows(20_000, 42);
  const n = rows.churn.length;

  it("has 20–30% churners", () => {
    expect(mean(rows.churn)).toBeGreaterThan(0.2);
    expect(mean(rows.churn)).toBeLessThan(0.3);
  });

  it("ranks churners with the latent probability at a ROC AUC of 0.85–0.92", () => {
    const auc = rocAuc(rows.p, rows.churn);
    expect(auc).toBeGreaterThan(0.85);
    expect(auc).toBeLessThan(0.92);
  });

  it("gives tenure and monthly charges a clear single-column signal below the leakage line", () => {
    const tenure = rocAuc(negate(rows.tenure), rows.churn);
    const monthly = rocAuc(rows.monthly, rows.churn);
    for (const auc of [tenure, monthly]) {
      expect(auc).toBeGreaterThan(0.62);
      expect(auc).toBeLessThan(LEAKAGE_AUC);
    }
    // Low income raises churn too.
    expect(rocAuc(negate(rows.income), rows.churn)).toBeGreaterThan(0.55);
  });

  it("lets no column alone predict churn almost perfectly", () => {
    for (const column of [rows.age, rows.income, rows.tenure, rows.monthly, rows.total]) {
      const auc = rocAuc(column, rows.churn);
      expect(Math.max(auc, 1 - auc)).toBeLessThan(0.85);
    }
  });

  it("gives regions different churn rates", () => {
    const rates = CHURN_REGIONS.map((_, r) => {
      let k = 0;
      let c = 0;
      for (let i = 0; i < n; i++)
        if (rows.region[i] === r) {
          k++;
          c += rows.churn[i]!;
        }
      return c / k;
    });
    expect(Math.max(...rates) - Math.min(...rates)).toBeGreaterThan(0.08);
  });

  it("churns new customers on expensive plans most (the interaction)", () => {
    const both = flag(n, (i) => rows.tenure[i]! < 12 && rows.monthly[i]! > 80);
    let k = 0;
    let c = 0;
    for (let i = 0; i < n; i++)
      if (both[i] === 1) {
        k++;
        c += rows.churn[i]!;
      }
    expect(c / k).toBeGreaterThan(0.6);
  });

  it("has about 3% blank incomes, blank totals only in first months, and a few ages over 100", () => {
    expect(countNaN(rows.income) / n).toBeGreaterThan(0.02);
    expect(countNaN(rows.income) / n).toBeLessThan(0.04);
    let blankTotals = 0;
    for (let i = 0; i < n; i++)
      if (Number.isNaN(rows.total[i]!)) {
        blankTotals++;
        expect(rows.tenure[i]).toBe(0);
      }
    expect(blankTotals).toBeGreaterThan(0);
    const old = rows.age.filter((a) => a > 100).length;
    expect(old).toBeGreaterThan(5);
    expect(old).toBeLessThan(100);
    expect(Math.max(...rows.age)).toBeLessThanOrEqual(120);
  });

  it("keeps total charges near monthly × tenure", () => {
    const product = new Float64Array(n);
    for (let i = 0; i < n; i++) product[i] = rows.monthly[i]! * rows.tenure[i]!;
    expect(pearson(product, rows.total)).toBeGreaterThan(0.99);
  });
});

describe("fraud signal (20,000 rows)", () => {
  const rows = generateFraudRows(20_000, 42);
  const n = rows.fraud.length;

  it("has about 2% fraud", () => {
    expect(mean(rows.fraud)).toBeGreaterThan(0.012);
    expect(mean(rows.fraud)).toBeLessThan(0.03);
  });

  it("ranks fraud with the latent probability at a ROC AUC of 0.88–0.96", () => {
    const auc = rocAuc(rows.p, rows.fraud);
    expect(auc).toBeGreaterThan(0.88);
    expect(auc).toBeLessThan(0.96);
  });

  it("makes large amounts, night hours and foreign places riskier, none of them alone decisive", () => {
    const amount = rocAuc(rows.amount, rows.fraud);
    expect(amount).toBeGreaterThan(0.7);
    expect(amount).toBeLessThan(LEAKAGE_AUC);
    const night = flag(n, (i) => fraudHour(rows, i) < 6);
    const foreign = flag(n, (i) => FRAUD_LOCATIONS[rows.location[i]!] === FOREIGN);
    const rate = (mask: Float64Array, value: number): number => {
      let k = 0;
      let c = 0;
      for (let i = 0; i < n; i++)
        if (mask[i] === value) {
          k++;
          c += rows.fraud[i]!;
        }
      return c / k;
    };
    expect(rate(night, 1)).toBeGreaterThan(2 * rate(night, 0));
    expect(rate(foreign, 1)).toBeGreaterThan(3 * rate(foreign, 0));
    // Nights are quiet: a minority of all traffic.
    expect(mean(night)).toBeLessThan(0.15);
  });

  it("draws from a population of repeat users", () => {
    const distinct = new Set(rows.user).size;
    expect(distinct).toBeGreaterThan(100);
    expect(distinct).toBeLessThan(n / 5);
  });
});

describe("housing signal (20,000 rows)", () => {
  const rows = generateHousingRows(20_000, 42);
  const n = rows.price.length;
  const logPrice = rows.price.map(Math.log);

  it("correlates log price clearly with floor area", () => {
    expect(pearson(rows.sqft.map(Math.log), logPrice)).toBeGreaterThan(0.4);
    expect(pearson(rows.sqft, rows.price)).toBeGreaterThan(0.3);
  });

  it("leaves a model room below perfection: the noise-free price explains 80–92% of the variance", () => {
    let m = 0;
    for (const v of rows.price) m += v;
    m /= n;
    let total = 0;
    let residual = 0;
    for (let i = 0; i < n; i++) {
      total += (rows.price[i]! - m) ** 2;
      residual += (rows.price[i]! - rows.expectedPrice[i]!) ** 2;
    }
    const r2 = 1 - residual / total;
    expect(r2).toBeGreaterThan(0.8);
    expect(r2).toBeLessThan(0.92);
  });

  it("discounts distance from the centre and age", () => {
    expect(pearson(rows.distance, logPrice)).toBeLessThan(0);
    const age = rows.yearBuilt.map((y) => 2026 - y);
    const residual = new Float64Array(n);
    for (let i = 0; i < n; i++) residual[i] = logPrice[i]! - Math.log(rows.expectedPrice[i]!);
    // The noise is independent of the columns.
    expect(Math.abs(pearson(age, residual))).toBeLessThan(0.03);
  });

  it("has some blank lots and a few outlier prices", () => {
    const blank = countNaN(rows.lotSize) / n;
    expect(blank).toBeGreaterThan(0.03);
    expect(blank).toBeLessThan(0.15);
    let outliers = 0;
    for (let i = 0; i < n; i++) {
      const ratio = rows.price[i]! / rows.expectedPrice[i]!;
      if (ratio < 0.5 || ratio > 2) outliers++;
    }
    expect(outliers).toBeGreaterThan(5);
    expect(outliers).toBeLessThan(200);
  });
});
