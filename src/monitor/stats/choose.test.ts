import { describe, expect, expectTypeOf, it } from "vitest";
import { chooseDriftTest } from "./choose.js";
import { DRIFT_METHODS, parseDriftMethod, type DriftMethodName } from "./methods.js";

describe("chooseDriftTest", () => {
  it("picks Evidently's default test from reference size, kind and distinct values", () => {
    const cases: [
      kind: "numeric" | "categorical",
      rows: number,
      distinct: number,
      method: DriftMethodName,
    ][] = [
      ["numeric", 1000, 6, "ks"],
      ["numeric", 1000, 5, "chisquare"],
      ["numeric", 1000, 3, "chisquare"],
      ["numeric", 1000, 2, "z"],
      ["numeric", 1, 1, "z"],
      ["categorical", 1000, 3, "chisquare"],
      ["categorical", 1000, 2, "z"],
      ["categorical", 20, 40, "chisquare"],
      ["numeric", 1001, 6, "wasserstein"],
      ["numeric", 1001, 5, "jensenshannon"],
      ["numeric", 1001, 2, "jensenshannon"],
      ["categorical", 1001, 2, "jensenshannon"],
      ["categorical", 500000, 300, "jensenshannon"],
    ];
    for (const [kind, referenceRows, distinctValues, method] of cases) {
      const choice = chooseDriftTest({ kind, referenceRows, distinctValues });
      expect(choice.method, `${kind} ${referenceRows} rows ${distinctValues} values`).toBe(method);
      expect(choice.threshold).toBe(DRIFT_METHODS[method].threshold);
      expect(choice.kind).toBe(DRIFT_METHODS[method].kind);
    }
  });

  it("uses Evidently's default thresholds: 0.05 for p-values, 0.1 for distances", () => {
    expect(chooseDriftTest({ kind: "numeric", referenceRows: 10, distinctValues: 10 }).threshold).toBe(0.05);
    expect(chooseDriftTest({ kind: "numeric", referenceRows: 10000, distinctValues: 10 }).threshold).toBe(
      0.1,
    );
  });

  it("says why, in one sentence", () => {
    expect(
      chooseDriftTest({ kind: "numeric", referenceRows: 800, distinctValues: 37 }).reason,
    ).toMatchInlineSnapshot(
      `"numeric feature with 37 distinct values (> 5), reference of 800 rows (≤ 1,000): two-sample Kolmogorov–Smirnov test"`,
    );
    expect(
      chooseDriftTest({ kind: "numeric", referenceRows: 800, distinctValues: 2 }).reason,
    ).toMatchInlineSnapshot(
      `"numeric feature with only 2 distinct values (≤ 5), reference of 800 rows (≤ 1,000): Z test of proportions"`,
    );
    expect(
      chooseDriftTest({ kind: "categorical", referenceRows: 25000, distinctValues: 1 }).reason,
    ).toMatchInlineSnapshot(
      `"categorical feature with 1 category, reference of 25,000 rows (> 1,000): Jensen–Shannon distance"`,
    );
  });

  it("refuses an empty reference", () => {
    expect(() => chooseDriftTest({ kind: "numeric", referenceRows: 0, distinctValues: 1 })).toThrow(
      "A drift test needs at least 1 non-missing reference row, got 0.",
    );
  });
});

describe("parseDriftMethod", () => {
  it("accepts Evidently's names and auto", () => {
    expect(parseDriftMethod("jensenshannon")).toBe("jensenshannon");
    expect(parseDriftMethod("auto")).toBe("auto");
    expectTypeOf(parseDriftMethod).returns.toEqualTypeOf<DriftMethodName | "auto">();
  });

  it("suggests the right name for typos and other tools' names", () => {
    const suggestion = (name: string): string => {
      try {
        parseDriftMethod(name);
      } catch (e) {
        return (e as Error).message;
      }
      return "";
    };
    expect(suggestion("psy")).toContain('did you mean "psi"');
    expect(suggestion("Kolmogorov-Smirnov")).toContain('did you mean "ks"');
    expect(suggestion("chi_square")).toContain('did you mean "chisquare"');
    expect(suggestion("Hellinger")).toContain('did you mean "hellinger"');
    expect(suggestion("anova")).toMatchInlineSnapshot(`"Unknown drift method "anova"."`);
  });
});
