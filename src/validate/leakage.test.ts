import { describe, expect, it } from "vitest";
import { Frame, categoricalFromStrings, numericColumn, textColumn } from "../data/frame.js";
import { readFrame } from "../data/read.js";
import { Random } from "../data/random.js";
import { guessTask, idLikeReason } from "./leakage.js";
import { validateFrame } from "./validate.js";
import type { ValidationReport } from "./types.js";
import { HOUSING, TELCO, f64, fixture, schemaOf, settings } from "./test-utils/support.js";

interface RealFixture {
  multiclass: {
    label: string[];
    numeric: { values: (number | null)[]; score: number };
    categorical: { values: (string | null)[]; score: number };
  };
  real: { telco?: { scores: Record<string, number> }; housing?: { scores: Record<string, number> } };
}
const ref = fixture<RealFixture>("leakage-reference.json");

/** A churn-like frame: a weak signal, a copy of the target, an id and row numbers. */
function churnFrame(n = 300): Frame {
  const rng = new Random(42);
  const churn: string[] = [];
  const tenure = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const yes = rng.bernoulli(0.3);
    churn.push(yes ? "Yes" : "No");
    tenure[i] = Math.round(rng.normal(yes ? 20 : 35, 15));
  }
  return new Frame([
    numericColumn(
      "row",
      Float64Array.from({ length: n }, (_, i) => i + 1),
      "integer",
    ),
    textColumn(
      "customer",
      Array.from({ length: n }, (_, i) => `C-${(i * 7919) % 100000}`),
    ),
    numericColumn("tenure", tenure, "integer"),
    categoricalFromStrings(
      "churned_flag",
      churn.map((c) => (c === "Yes" ? "Y" : "N")),
    ),
    categoricalFromStrings("churn", churn),
  ]);
}

function leakageOf(report: ValidationReport, column: string) {
  return report.leakage.find((l) => l.column === column);
}

describe("leakage", () => {
  it("flags a copy of the target as an error, and id columns as id-like warnings without scoring them", () => {
    const r = validateFrame(churnFrame(), { schema: {}, validation: settings(), target: "churn" });
    const copy = leakageOf(r, "churned_flag")!;
    expect([copy.flagged, copy.score, copy.measure]).toEqual([true, 1, "roc_auc"]);
    const failing = r.failures.map((f) => `${f.level} ${f.check} ${f.column}`);
    expect(failing).toEqual(["warn id_like row", "warn id_like customer", "error leakage churned_flag"]);
    expect(leakageOf(r, "customer")).toMatchObject({ idLike: true, score: null, flagged: false });
    expect(leakageOf(r, "tenure")!.flagged).toBe(false);
    expect(leakageOf(r, "tenure")!.score).toBeGreaterThan(0.6);
    expect(r.passed).toBe(false);
    expect(r.failures.find((f) => f.check === "leakage")!.message).toMatch(
      /"churned_flag" alone predicts "churn" almost perfectly \(ROC AUC 1 ≥ 0\.98\)/,
    );
  });

  it("does not flag a many-valued category whose in-sample AUC comes from rare values, and says why", () => {
    const rng = new Random(21);
    const n = 400;
    const frame = new Frame([
      categoricalFromStrings(
        "zip",
        Array.from({ length: n }, () => `z${rng.int(1000)}`),
      ),
      categoricalFromStrings(
        "y",
        Array.from({ length: n }, () => (rng.bernoulli(0.4) ? "a" : "b")),
      ),
    ]);
    const r = validateFrame(frame, { schema: {}, validation: settings(), target: "y" });
    const zip = leakageOf(r, "zip")!;
    expect(zip.score!).toBeGreaterThanOrEqual(0.98);
    expect(zip.outOfFoldScore!).toBeLessThan(0.7);
    expect(zip.flagged).toBe(false);
    expect(zip.note).toMatch(/not flagged: out of fold the AUC is/);
    expect(r.passed).toBe(true);
    expect(r.checks.find((c) => c.check === "leakage")!.message).toMatch(
      /reaches 0\.98, but out of fold it is .*not leakage/,
    );
  });

  it("follows the configured threshold and level, and stays quiet when off or without a target", () => {
    const frame = churnFrame();
    const warn = validateFrame(frame, {
      schema: {},
      validation: settings({ leakage: { threshold: 0.6, level: "warn" } }),
      target: "churn",
      featureColumns: ["tenure"],
    });
    expect(warn.failures.map((f) => [f.check, f.level, f.column])).toEqual([["leakage", "warn", "tenure"]]);
    expect(warn.passed).toBe(true);
    const off = validateFrame(frame, {
      schema: {},
      validation: settings({ leakage: { level: "off" } }),
      target: "churn",
    });
    expect(off.leakage).toEqual([]);
    expect(off.checks.some((c) => c.check === "leakage")).toBe(false);
    expect(validateFrame(frame, { schema: {}, validation: settings() }).leakage).toEqual([]);
  });

  it("leaves id and ignore roles out of the default features", () => {
    const schema = schemaOf({
      row: { type: "integer", role: "ignore" },
      customer: { type: "string", role: "id" },
      churned_flag: { type: "category", role: "ignore" },
    });
    const r = validateFrame(churnFrame(), {
      schema,
      validation: settings({ unexpected_columns: "off" }),
      target: "churn",
    });
    expect(r.leakage.map((l) => l.column)).toEqual(["tenure"]);
    expect(r.passed).toBe(true);
  });

  it("scores regression features by |Pearson r| and η, flagging a rescaled copy of the target", () => {
    const rng = new Random(9);
    const n = 200;
    const price = Float64Array.from({ length: n }, () => rng.normal(300, 50));
    const frame = new Frame([
      numericColumn(
        "price_k",
        price.map((p) => p / 1000),
      ),
      numericColumn(
        "noise",
        Float64Array.from({ length: n }, () => rng.normal()),
      ),
      categoricalFromStrings(
        "band",
        Array.from(price, (p) => (p > 300 ? "hi" : "lo")),
      ),
      numericColumn("price", price),
    ]);
    const r = validateFrame(frame, {
      schema: {},
      validation: settings(),
      target: "price",
      task: "regression",
    });
    expect(leakageOf(r, "price_k")).toMatchObject({ measure: "abs_pearson", flagged: true });
    expect(leakageOf(r, "price_k")!.score).toBeCloseTo(1, 12);
    expect(leakageOf(r, "noise")!.score).toBeLessThan(0.3);
    expect(leakageOf(r, "band")).toMatchObject({ measure: "correlation_ratio", flagged: false });
    expect(leakageOf(r, "band")!.score).toBeGreaterThan(0.7);
  });

  it("does not flag a many-valued category whose η comes from rare values, but flags one that fixes the target", () => {
    const rng = new Random(23);
    const n = 400;
    const y = Float64Array.from({ length: n }, () => rng.normal(100, 10));
    const tier = Array.from({ length: n }, (_, i) => `t${i % 5}`);
    const frame = new Frame([
      categoricalFromStrings(
        "parcel",
        Array.from({ length: n }, () => `p${rng.int(1000)}`),
      ),
      categoricalFromStrings("tier", tier),
      numericColumn("noise", y),
      numericColumn(
        "y",
        y.map((v, i) => (i % 5) * 1000 + v / 1e6),
      ),
    ]);
    // Random values are only that close to η = 1 with about one category per row, so the
    // threshold is lowered to where a many-valued column reaches it.
    const validation = settings({ leakage: { threshold: 0.85 } });
    const noise = validateFrame(frame, {
      schema: {},
      validation,
      target: "noise",
      featureColumns: ["parcel"],
      task: "regression",
    });
    const parcel = leakageOf(noise, "parcel")!;
    expect(parcel.score!).toBeGreaterThanOrEqual(0.85);
    expect(parcel.outOfFoldScore!).toBeLessThan(0.5);
    expect(parcel.flagged).toBe(false);
    expect(noise.passed).toBe(true);
    const r = validateFrame(frame, {
      schema: {},
      validation,
      target: "y",
      featureColumns: ["tier"],
      task: "regression",
    });
    expect(leakageOf(r, "tier")).toMatchObject({ flagged: true });
    expect(leakageOf(r, "tier")!.outOfFoldScore!).toBeGreaterThan(0.99);
  });

  it("takes the largest one-vs-rest AUC for a multiclass target and names that class", () => {
    const frame = new Frame([
      numericColumn("x", f64(ref.multiclass.numeric.values)),
      categoricalFromStrings("c", ref.multiclass.categorical.values),
      categoricalFromStrings("y", ref.multiclass.label),
    ]);
    const r = validateFrame(frame, { schema: {}, validation: settings(), target: "y" });
    expect(leakageOf(r, "x")!.score).toBeCloseTo(ref.multiclass.numeric.score, 12);
    expect(leakageOf(r, "x")!.note).toBe('largest one-vs-rest AUC: class "beta"');
    expect(leakageOf(r, "c")!.score).toBeCloseTo(ref.multiclass.categorical.score, 12);
  });
});

describe("id-like columns", () => {
  it("needs at least 50 rows and 95% distinct values, or strictly increasing integers", () => {
    const ids = (n: number, distinct: number) =>
      textColumn(
        "t",
        Array.from({ length: n }, (_, i) => `k${i % distinct}`),
      );
    expect(idLikeReason(ids(49, 49))).toBeUndefined();
    expect(idLikeReason(ids(100, 95))).toMatch(/95 distinct values in 100 rows/);
    expect(idLikeReason(ids(100, 94))).toBeUndefined();
    const up = numericColumn(
      "n",
      Float64Array.from({ length: 60 }, (_, i) => 1000 + 3 * i),
    );
    expect(idLikeReason(up)).toMatch(/strictly increasing integers/);
    const down = numericColumn(
      "n",
      Float64Array.from({ length: 60 }, (_, i) => 60 - i),
    );
    expect(idLikeReason(down)).toBeUndefined();
    const fractional = numericColumn(
      "n",
      Float64Array.from({ length: 60 }, (_, i) => i + 0.5),
    );
    expect(idLikeReason(fractional)).toBeUndefined();
  });
});

describe("guessTask", () => {
  it("takes few whole numbers and text as classes, and other numbers as regression", () => {
    expect(guessTask(numericColumn("y", f64([0, 1, 1, 0])))).toBe("classification");
    expect(guessTask(numericColumn("y", f64([0.5, 1, 2])))).toBe("regression");
    expect(
      guessTask(
        numericColumn(
          "y",
          Float64Array.from({ length: 20 }, (_, i) => i),
        ),
      ),
    ).toBe("regression");
    expect(guessTask(categoricalFromStrings("y", ["a", "b"]))).toBe("classification");
  });
});

describe("leakage on the shared datasets", () => {
  it.skipIf(!TELCO.exists)(
    "flags a copy of Churn and customerID but none of Telco's real features, with scikit-learn's AUCs (needs ../shared/data)",
    async () => {
      const telco = await readFrame(TELCO.path);
      const churn = telco.categorical("Churn");
      const frame = telco.withColumn(
        categoricalFromStrings(
          "churn_copy",
          Array.from(churn.codes, (g) => churn.dictionary[g]!),
        ),
      );
      const r = validateFrame(frame, { schema: {}, validation: settings(), target: "Churn" });
      expect(r.failures.map((f) => `${f.level} ${f.check} ${f.column}`)).toEqual([
        "warn id_like customerID",
        "error leakage churn_copy",
      ]);
      for (const [column, score] of Object.entries(ref.real.telco!.scores)) {
        const l = leakageOf(r, column)!;
        expect(l.flagged, column).toBe(false);
        expect(l.score!, column).toBeCloseTo(score, 10);
      }
    },
  );

  it.skipIf(!HOUSING.exists)(
    "scores housing features as scipy's |r| and pandas' η (needs ../shared/data)",
    async () => {
      const housing = await readFrame(HOUSING.path);
      const r = validateFrame(housing, {
        schema: {},
        validation: settings(),
        target: "median_house_value",
        task: "regression",
      });
      expect(r.passed).toBe(true);
      for (const [column, score] of Object.entries(ref.real.housing!.scores))
        expect(leakageOf(r, column)!.score!, column).toBeCloseTo(score, 10);
    },
  );
});
