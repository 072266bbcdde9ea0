import { describe, expect, it } from "vitest";
import { Frame, categoricalFromStrings, numericColumn, textColumn } from "../data/frame.js";
import { Random } from "../data/random.js";
import { duplicateRows } from "./duplicates.js";
import { validateFrame } from "./validate.js";
import type { CheckName, ValidationReport } from "./types.js";
import { f64, schemaOf, settings } from "./test-utils/support.js";

function fileCheck(report: ValidationReport, name: CheckName) {
  return report.checks.find((c) => c.check === name);
}

describe("row count", () => {
  const frame = new Frame([numericColumn("x", f64([1, 2, 3]))]);

  it("fails below validation.rows.min and above max, and is skipped without bounds", () => {
    const low = fileCheck(
      validateFrame(frame, { schema: {}, validation: settings({ rows: { min: 10 } }) }),
      "rows",
    )!;
    expect([low.passed, low.level, low.observed, low.threshold]).toEqual([false, "error", 3, 10]);
    expect(low.message).toMatch(/3 rows, fewer than the 10/);
    const high = fileCheck(
      validateFrame(frame, { schema: {}, validation: settings({ rows: { max: 2 } }) }),
      "rows",
    )!;
    expect([high.passed, high.threshold]).toEqual([false, 2]);
    expect(
      fileCheck(
        validateFrame(frame, { schema: {}, validation: settings({ rows: { min: 1, max: 3 } }) }),
        "rows",
      )!.passed,
    ).toBe(true);
    expect(fileCheck(validateFrame(frame, { schema: {}, validation: settings() }), "rows")).toBeUndefined();
  });
});

describe("duplicate rows", () => {
  it("finds the later copies of fully repeated rows, as pandas duplicated(keep='first')", () => {
    const frame = new Frame([
      numericColumn("n", f64([1, 2, 1, 1, null, null, 0, -0])),
      categoricalFromStrings("c", ["a", "b", "a", "b", null, null, "z", "z"]),
      textColumn("t", ["x", "y", "x", "x", null, null, "", ""]),
    ]);
    const { rows, firstOf } = duplicateRows(frame);
    expect(Array.from(rows)).toEqual([2, 5, 7]);
    expect(Array.from(firstOf)).toEqual([0, 4, 6]);
  });

  it("agrees with a cell-by-cell comparison on random frames with many repeats", () => {
    const rng = new Random(5);
    for (let t = 0; t < 30; t++) {
      const n = 50 + rng.int(150);
      const a = f64(Array.from({ length: n }, () => (rng.bernoulli(0.1) ? null : rng.int(3))));
      const b = Array.from({ length: n }, () => (rng.bernoulli(0.1) ? null : ["p", "q"][rng.int(2)]!));
      const c = Array.from({ length: n }, () => (rng.bernoulli(0.1) ? null : `s${rng.int(2)}`));
      const frame = new Frame([numericColumn("a", a), categoricalFromStrings("b", b), textColumn("c", c)]);
      const expected: number[] = [];
      for (let i = 0; i < n; i++)
        for (let j = 0; j < i; j++) {
          const same =
            (Object.is(a[i], a[j]) || (Number.isNaN(a[i]) && Number.isNaN(a[j]))) &&
            b[i] === b[j] &&
            c[i] === c[j];
          if (same) {
            expected.push(i);
            break;
          }
        }
      expect(Array.from(duplicateRows(frame).rows)).toEqual(expected);
    }
  });

  it("reports copies as a warning by default, names the row they repeat, and can be turned off", () => {
    const frame = new Frame([numericColumn("x", f64([1, 2, 1])), textColumn("y", ["a", "b", "a"])]);
    const d = fileCheck(validateFrame(frame, { schema: {}, validation: settings() }), "duplicate_rows")!;
    expect([d.passed, d.level, d.failingRows]).toEqual([false, "warn", 1]);
    expect(d.examples).toEqual([{ row: 3, value: "same as row 1" }]);
    expect(
      fileCheck(
        validateFrame(frame, { schema: {}, validation: settings({ duplicate_rows: "off" }) }),
        "duplicate_rows",
      ),
    ).toBeUndefined();
  });
});

describe("unexpected columns", () => {
  const frame = new Frame([
    numericColumn("a", f64([1])),
    numericColumn("b", f64([2])),
    numericColumn("c", f64([3])),
  ]);

  it("lists columns the schema does not name", () => {
    const u = fileCheck(
      validateFrame(frame, { schema: schemaOf({ a: { type: "number" } }), validation: settings() }),
      "unexpected_columns",
    )!;
    expect([u.passed, u.level, u.columns]).toEqual([false, "warn", ["b", "c"]]);
    expect(u.message).toMatch(/2 columns "b" and "c" are in the data but not in the schema/);
  });

  it("is not evaluated with an empty schema or when off, and fails the run at level error", () => {
    expect(
      fileCheck(validateFrame(frame, { schema: {}, validation: settings() }), "unexpected_columns"),
    ).toBeUndefined();
    const schema = schemaOf({ a: { type: "number" } });
    expect(
      fileCheck(
        validateFrame(frame, { schema, validation: settings({ unexpected_columns: "off" }) }),
        "unexpected_columns",
      ),
    ).toBeUndefined();
    expect(
      validateFrame(frame, { schema, validation: settings({ unexpected_columns: "error" }) }).passed,
    ).toBe(false);
  });
});
