import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Frame, categoricalFromStrings, numericColumn, textColumn } from "../data/frame.js";
import { readFrame } from "../data/read.js";
import { summarizeValidation } from "./summary.js";
import { validateFrame } from "./validate.js";
import type { CheckName, CheckResult, ValidationReport } from "./types.js";
import { f64, schemaOf, settings } from "./test-utils/support.js";

function validate(frame: Frame, rules: Record<string, unknown>): ValidationReport {
  return validateFrame(frame, {
    schema: schemaOf(rules),
    validation: settings({ duplicate_rows: "off", unexpected_columns: "off" }),
  });
}

function check(report: ValidationReport, name: CheckName, column: string): CheckResult {
  const found = report.checks.find((c) => c.check === name && c.column === column);
  if (found === undefined) throw new Error(`no ${name} check for ${column}`);
  return found;
}

describe("type, for a numeric column without a schema rule", () => {
  it("warns about text cells that became missing, naming the column, the count and the rows with their text", () => {
    const n = 6000;
    const values = Float64Array.from({ length: n }, (_, i) => i % 97);
    values[4999] = NaN;
    values[5500] = NaN;
    values[10] = NaN; // blank: missing, not text
    const invalid = new Map([
      [5500, "n.a."],
      [4999, "abc"],
    ]);
    const frame = new Frame([numericColumn("amount", values, "integer", invalid)]);
    const r = validate(frame, {});
    const t = check(r, "type", "amount");
    expect(t).toMatchObject({ level: "warn", passed: false, failingRows: 2 });
    expect(t.fraction).toBeCloseTo(2 / (n - 1), 15);
    expect(t.examples).toEqual([
      { row: 5000, value: "abc" },
      { row: 5501, value: "n.a." },
    ]);
    expect(t.message).toMatchInlineSnapshot(
      `""amount": 2 of 5,999 values (0.03%) are text in a column read as integers (it has no schema rule, and the rest of its values are integers), so they count as missing values, e.g. row 5,000: "abc", row 5,501: "n.a."; fix those cells, or give "amount" a rule in the schema: type: integer makes them errors (quarantinable), type: category keeps the text"`,
    );
    // A warning: the data passes, and no row is set aside.
    expect(r.passed).toBe(true);
    expect(r.warnings).toBe(1);
    expect(r.rowFailures.rows).toEqual([]);
    expect(summarizeValidation(r)).toMatch(/! warn {2}type amount {2}"amount": 2 of 5,999 values/);
  });

  it("adds no check for a numeric column whose cells all parsed", () => {
    const r = validate(new Frame([numericColumn("x", f64([1, null, 3]))]), {});
    expect(r.checks.filter((c) => c.check === "type")).toEqual([]);
  });

  it("leaves a column with a rule to its rule: one error-level type check, no extra warning", () => {
    const frame = new Frame([numericColumn("amount", f64([1, null, 3]), "float", new Map([[1, "abc"]]))]);
    const r = validate(frame, { amount: { type: "number" } });
    const types = r.checks.filter((c) => c.check === "type" && c.column === "amount");
    expect(types.map((c) => [c.level, c.passed])).toEqual([["error", false]]);
  });

  it("reports the text cells of a CSV column read as numbers, as `sluice validate` reads the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-inferred-"));
    try {
      const path = join(dir, "data.csv");
      const lines = ["id,amount"];
      for (let i = 1; i <= 6000; i++)
        lines.push(`${i},${i === 5000 ? "see note" : i === 20 ? "" : (i % 50) + 0.5}`);
      writeFileSync(path, `${lines.join("\n")}\n`);
      const frame = await readFrame(path);
      expect(frame.column("amount").kind).toBe("numeric");
      const t = check(validate(frame, {}), "type", "amount");
      expect(t).toMatchObject({
        level: "warn",
        failingRows: 1,
        examples: [{ row: 5000, value: "see note" }],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("presence", () => {
  it("fails for a column the data lacks, suggesting the near name, and skips that column's other checks", () => {
    const frame = new Frame([numericColumn("income", f64([1, 2]))]);
    const r = validate(frame, { incom: { type: "number", min: 0 } });
    const p = check(r, "presence", "incom");
    expect(p.passed).toBe(false);
    expect(p.message).toMatch(/"incom" is not in the data \(did you mean "income"\?\)/);
    expect(r.checks.filter((c) => c.column === "incom").map((c) => c.check)).toEqual(["presence"]);
    expect(r.passed).toBe(false);
  });
});

describe("type", () => {
  it("names row 5,000 and its text when a numeric column has an unparsable cell there", () => {
    const n = 6000;
    const values = Float64Array.from({ length: n }, (_, i) => i % 97);
    values[4999] = NaN;
    const frame = new Frame([numericColumn("amount", values, "float", new Map([[4999, "abc"]]))]);
    const r = validate(frame, { amount: { type: "number", nullable: false, min: 0 } });
    const t = check(r, "type", "amount");
    expect(t.passed).toBe(false);
    expect(t.failingRows).toBe(1);
    expect(t.examples).toEqual([{ row: 5000, value: "abc" }]);
    expect(t.message).toContain('row 5,000: "abc"');
    // Unparsable is not missing, and not out of range.
    expect(check(r, "nullable", "amount").passed).toBe(true);
    expect(check(r, "min", "amount").failingRows).toBe(0);
    expect(r.rowFailures.rows).toEqual([4999]);
  });

  it("flags non-integers in an integer column, with their values", () => {
    const frame = new Frame([numericColumn("age", f64([30, 2.5, null, 41, 7.25]), "integer")]);
    const t = check(validate(frame, { age: { type: "integer" } }), "type", "age");
    expect(t.passed).toBe(false);
    expect(t.examples).toEqual([
      { row: 2, value: 2.5 },
      { row: 5, value: 7.25 },
    ]);
    expect(t.fraction).toBeCloseTo(2 / 4, 15);
  });

  it("reports a categorical column declared as a number as a type failure, not a crash, and still checks its range", () => {
    const frame = new Frame([categoricalFromStrings("price", ["10", "12.5", "cheap", null, "250"])]);
    const r = validate(frame, { price: { type: "number", max: 100 } });
    const t = check(r, "type", "price");
    expect(t.passed).toBe(false);
    expect(t.examples).toEqual([{ row: 3, value: "cheap" }]);
    expect(t.message).toContain("the column holds categories");
    const max = check(r, "max", "price");
    expect(max.examples).toEqual([{ row: 5, value: "250" }]);
    expect(max.failingRows).toBe(1);
  });

  it("accepts numbers as categories and flags a boolean column holding 2", () => {
    const frame = new Frame([
      numericColumn("code", f64([1, 2, 3])),
      numericColumn("flag", f64([0, 1, 2]), "boolean"),
    ]);
    const r = validate(frame, { code: { type: "category" }, flag: { type: "boolean" } });
    expect(check(r, "type", "code").passed).toBe(true);
    expect(check(r, "type", "flag").examples).toEqual([{ row: 3, value: 2 }]);
  });

  it("passes within mostly and fails beyond it", () => {
    const values = f64(Array.from({ length: 100 }, (_, i) => i));
    const invalid = new Map([[10, "x"]]);
    values[10] = NaN;
    const frame = new Frame([numericColumn("v", values, "float", invalid)]);
    const within = check(validate(frame, { v: { type: "number", mostly: 0.99 } }), "type", "v");
    expect([within.passed, within.failingRows, within.mostly]).toEqual([true, 1, 0.99]);
    expect(within.message).toMatch(/within mostly: 0\.99/);
    const beyond = check(validate(frame, { v: { type: "number", mostly: 0.995 } }), "type", "v");
    expect(beyond.passed).toBe(false);
  });
});

describe("nullable", () => {
  it("fails on missing values when nullable is false, listing their rows", () => {
    const frame = new Frame([textColumn("name", ["a", null, "c", null])]);
    const n = check(validate(frame, { name: { type: "string", nullable: false } }), "nullable", "name");
    expect(n.passed).toBe(false);
    expect(n.examples).toEqual([
      { row: 2, value: null },
      { row: 4, value: null },
    ]);
    expect(n.fraction).toBe(0.5);
  });

  it("counts the share over all rows for mostly", () => {
    const values = f64(Array.from({ length: 20 }, (_, i) => (i === 3 ? null : i)));
    const frame = new Frame([numericColumn("x", values)]);
    expect(
      check(validate(frame, { x: { type: "number", nullable: false, mostly: 0.95 } }), "nullable", "x")
        .passed,
    ).toBe(true);
    expect(
      check(validate(frame, { x: { type: "number", nullable: false, mostly: 0.96 } }), "nullable", "x")
        .passed,
    ).toBe(false);
  });

  it("is not evaluated when the column is nullable", () => {
    const frame = new Frame([numericColumn("x", f64([null]))]);
    expect(validate(frame, { x: { type: "number" } }).checks.some((c) => c.check === "nullable")).toBe(false);
  });
});

describe("min and max", () => {
  const frame = new Frame([numericColumn("age", f64([18, 150, null, 17, 40, 200]), "integer")]);

  it("flags values beyond the bounds, ignoring missing values", () => {
    const r = validate(frame, { age: { type: "integer", min: 18, max: 120 } });
    const min = check(r, "min", "age");
    const max = check(r, "max", "age");
    expect([min.passed, min.failingRows, min.threshold, min.examples]).toEqual([
      false,
      1,
      18,
      [{ row: 4, value: 17 }],
    ]);
    expect([max.failingRows, max.examples.map((e) => e.row)]).toEqual([2, [2, 6]]);
    expect(max.fraction).toBeCloseTo(2 / 5, 15);
    expect(max.message).toMatch(/2 of 5 values \(40%\) are above the maximum 120/);
  });

  it("passes exactly at the mostly share (99 of 100) and fails just below it (98 of 100)", () => {
    const values = f64(Array.from({ length: 100 }, () => 5));
    values[0] = 500;
    const one = new Frame([numericColumn("x", values)]);
    expect(check(validate(one, { x: { type: "number", max: 10, mostly: 0.99 } }), "max", "x").passed).toBe(
      true,
    );
    const v2 = values.slice();
    v2[1] = 600;
    const two = new Frame([numericColumn("x", v2)]);
    expect(check(validate(two, { x: { type: "number", max: 10, mostly: 0.99 } }), "max", "x").passed).toBe(
      false,
    );
  });

  it("does not count missing values against mostly", () => {
    // 10 present values, 1 too large, 90 missing: 90% of present values pass.
    const values = f64([
      ...Array.from({ length: 9 }, () => 1),
      99,
      ...Array.from({ length: 90 }, () => null),
    ]);
    const f = new Frame([numericColumn("x", values)]);
    const c = check(validate(f, { x: { type: "number", max: 10, mostly: 0.9 } }), "max", "x");
    expect([c.passed, c.fraction]).toEqual([true, 0.1]);
  });
});

describe("values", () => {
  it("flags categories that are not allowed", () => {
    const frame = new Frame([categoricalFromStrings("gender", ["M", "F", "X", null, "m"])]);
    const v = check(
      validate(frame, { gender: { type: "category", values: ["M", "F"] } }),
      "values",
      "gender",
    );
    expect(v.examples).toEqual([
      { row: 3, value: "X" },
      { row: 5, value: "m" },
    ]);
    expect(v.fraction).toBe(0.5);
  });

  it("compares numbers numerically (1 and 1.0 are the same value)", () => {
    const frame = new Frame([numericColumn("stars", f64([1, 2, 3, 2.5, null]))]);
    const v = check(
      validate(frame, { stars: { type: "number", values: [1, "2.0", "3"] } }),
      "values",
      "stars",
    );
    expect(v.examples).toEqual([{ row: 4, value: 2.5 }]);
    // A categorical column declared numeric is compared numerically too.
    const cat = new Frame([categoricalFromStrings("stars", ["1.0", "2", "4"])]);
    expect(
      check(validate(cat, { stars: { type: "integer", values: [1, 2] } }), "values", "stars").examples,
    ).toEqual([{ row: 3, value: "4" }]);
  });

  it("checks text columns too", () => {
    const frame = new Frame([textColumn("code", ["a", "b", "zz"])]);
    expect(
      check(validate(frame, { code: { type: "string", values: ["a", "b"] } }), "values", "code").failingRows,
    ).toBe(1);
  });
});

describe("unique", () => {
  it("flags every occurrence of a repeated value, in numeric, categorical and text columns", () => {
    const frame = new Frame([
      numericColumn("n", f64([1, 2, 1, null, null, 3, -0, 0])),
      categoricalFromStrings("c", ["a", "b", "a", "c", null, null, "d", "e"]),
      textColumn("t", ["x", "y", "z", "y", null, null, "w", "v"]),
    ]);
    const r = validate(frame, {
      n: { type: "number", unique: true },
      c: { type: "category", unique: true },
      t: { type: "string", unique: true },
    });
    expect(check(r, "unique", "n").examples.map((e) => e.row)).toEqual([1, 3, 7, 8]);
    expect(check(r, "unique", "n").message).toMatch(/2 distinct values occur more than once/);
    expect(check(r, "unique", "c").examples.map((e) => e.row)).toEqual([1, 3]);
    expect(check(r, "unique", "t").examples.map((e) => e.row)).toEqual([2, 4]);
  });

  it("passes when every present value is different", () => {
    const frame = new Frame([textColumn("id", ["a", "b", null, null])]);
    expect(check(validate(frame, { id: { type: "string", unique: true } }), "unique", "id").passed).toBe(
      true,
    );
  });
});

describe("pattern", () => {
  it("matches the whole value, not a part of it", () => {
    const frame = new Frame([textColumn("zip", ["12345", "1234", "123456", "ab123", null])]);
    const p = check(validate(frame, { zip: { type: "string", pattern: "[0-9]{4,5}" } }), "pattern", "zip");
    expect(p.examples.map((e) => e.value)).toEqual(["123456", "ab123"]);
  });

  it("uses Unicode-aware regular expressions", () => {
    const frame = new Frame([categoricalFromStrings("city", ["Zürich", "Köln", "Paris9"])]);
    const p = check(validate(frame, { city: { type: "category", pattern: "\\p{L}+" } }), "pattern", "city");
    expect(p.examples).toEqual([{ row: 3, value: "Paris9" }]);
  });

  it("tests numbers by their text", () => {
    const frame = new Frame([numericColumn("year", f64([1999, 2020, 20201, 1999]))]);
    expect(
      check(validate(frame, { year: { type: "integer", pattern: "(19|20)[0-9]{2}" } }), "pattern", "year")
        .examples,
    ).toEqual([{ row: 3, value: 20201 }]);
  });
});

describe("max_null_fraction", () => {
  it("compares the share of missing values with the limit; unparsable cells are not missing", () => {
    const frame = new Frame([
      numericColumn("x", f64([1, null, null, NaN, 5, 6, 7, 8, 9, 10]), "float", new Map([[3, "oops"]])),
    ]);
    const ok = check(
      validate(frame, { x: { type: "number", max_null_fraction: 0.2 } }),
      "max_null_fraction",
      "x",
    );
    expect([ok.passed, ok.observed, ok.failingRows]).toEqual([true, 0.2, 2]);
    const bad = check(
      validate(frame, { x: { type: "number", max_null_fraction: 0.1 } }),
      "max_null_fraction",
      "x",
    );
    expect(bad.passed).toBe(false);
    expect(bad.message).toMatch(/2 of 10 values missing \(20%\), more than max_null_fraction 0\.1 allows/);
  });
});

describe("severity", () => {
  it("counts a failing warn-level column as a warning and the data still passes", () => {
    const frame = new Frame([numericColumn("x", f64([1, 50]))]);
    const r = validate(frame, { x: { type: "number", max: 10, severity: "warn" } });
    expect([r.passed, r.errors, r.warnings]).toEqual([true, 0, 1]);
    expect(r.rowFailures.rows).toEqual([]);
  });
});
