import { describe, expect, it } from "vitest";
import { Frame, categoricalFromStrings, numericColumn, textColumn } from "../data/frame.js";
import { renderValidationHtml } from "./html.js";
import { summarizeValidation } from "./summary.js";
import { validateFrame } from "./validate.js";
import type { ValidationReport } from "./types.js";
import { f64, schemaOf, settings } from "./test-utils/support.js";

function sample(): { frame: Frame; report: ValidationReport } {
  const n = 80;
  const frame = new Frame([
    numericColumn(
      "age",
      Float64Array.from({ length: n }, (_, i) => (i === 4 ? 150 : i === 9 ? NaN : 20 + (i % 40))),
      "integer",
      new Map([[9, "<b>old</b>"]]),
    ),
    numericColumn(
      "when",
      Float64Array.from({ length: n }, (_, i) => Date.UTC(2024, 0, 1 + i)),
      "datetime",
    ),
    categoricalFromStrings(
      "plan",
      Array.from({ length: n }, (_, i) => ["basic", "pro", 'team "x" & <y>'][i % 3]!),
    ),
    textColumn(
      "note",
      Array.from({ length: n }, (_, i) => (i % 2 === 0 ? `n${i}` : null)),
    ),
    categoricalFromStrings(
      "churn",
      Array.from({ length: n }, (_, i) => (i % 4 === 0 ? "yes" : "no")),
    ),
  ]);
  const schema = schemaOf({
    age: { type: "integer", max: 120 },
    plan: { type: "category", values: ["basic", "pro"], severity: "warn" },
    email: { type: "string" },
  });
  return { frame, report: validateFrame(frame, { schema, validation: settings(), target: "churn" }) };
}

describe("the report", () => {
  it("counts errors and warnings from the failed checks, and lists failures in check order", () => {
    const { report } = sample();
    expect(report.failures).toEqual(report.checks.filter((c) => !c.passed));
    expect(report.errors).toBe(report.failures.filter((f) => f.level === "error").length);
    expect(report.warnings).toBe(report.failures.filter((f) => f.level === "warn").length);
    expect(report.failures.map((f) => `${f.check}:${f.column ?? ""}`)).toEqual([
      "type:age",
      "max:age",
      "values:plan",
      "presence:email",
      "unexpected_columns:",
    ]);
    expect([report.rows, report.columns, report.passed, report.formatVersion]).toEqual([80, 5, false, 1]);
    expect(report.rowFailures.rows).toEqual([4, 9]);
  });

  it("is plain JSON: it survives a round trip unchanged and holds no NaN", () => {
    const { report } = sample();
    const text = JSON.stringify(report);
    expect(text).not.toMatch(/NaN|Infinity/);
    expect(JSON.parse(text)).toEqual(report);
  });

  it("is deterministic: the same data gives the same report", () => {
    expect(JSON.stringify(sample().report)).toBe(JSON.stringify(sample().report));
  });

  it("with an empty schema runs only the file-level checks, feature checks and the profile", () => {
    const frame = new Frame([
      numericColumn("x", f64([1, 2, 3])),
      categoricalFromStrings("y", ["a", "b", "a"]),
    ]);
    const r = validateFrame(frame, { schema: {}, validation: settings(), target: "y" });
    expect(new Set(r.checks.map((c) => c.check))).toEqual(new Set(["duplicate_rows", "id_like", "leakage"]));
    expect(r.profile.columns.map((c) => c.name)).toEqual(["x", "y"]);
  });

  it("reports a target that is not in the data", () => {
    const frame = new Frame([numericColumn("x", f64([1, 2]))]);
    const r = validateFrame(frame, { schema: {}, validation: settings(), target: "label" });
    expect(r.failures.map((f) => [f.check, f.column])).toEqual([["presence", "label"]]);
  });
});

describe("renderValidationHtml", () => {
  const html = renderValidationHtml(sample().report, { title: "churn <data>" });

  it("is one self-contained document with no external assets or scripts", () => {
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/https?:/i);
    expect(html).not.toMatch(/<script|<link|@import|url\(/i);
    expect(html).toContain("<style>");
  });

  it("draws a histogram for numeric columns and top-value bars for categories as inline SVG", () => {
    expect(html).toContain('aria-label="histogram of age"');
    expect(html).toContain('aria-label="top values of plan"');
    expect((html.match(/<svg /g) ?? []).length).toBe(4);
  });

  it("escapes every value taken from the data and the title", () => {
    expect(html).not.toContain("<b>old</b>");
    expect(html).toContain("&lt;b&gt;old&lt;/b&gt;");
    expect(html).toContain("<title>churn &lt;data&gt;</title>");
    expect(html).not.toContain('team "x" & <y>');
  });

  it("shows each failed check with its example rows, and dates as dates", () => {
    expect(html).toContain("row 5: 150");
    expect(html).toContain("2024-01-01");
    expect(html).toContain('<span class="badge err">failed</span>');
  });
});

describe("summarizeValidation", () => {
  it("gives a headline and one line per failure, without color codes unless asked", () => {
    const { report } = sample();
    const text = summarizeValidation(report);
    const lines = text.split("\n");
    expect(lines[0]).toBe(
      "✗ data failed validation: 80 rows × 5 columns; 3 errors, 2 warnings; 2 rows can be quarantined",
    );
    expect(lines).toHaveLength(1 + report.failures.length);
    expect(lines[1]).toMatch(/^ {2}✗ error type +age {2}"age": 1 of 80 values/);
    const ESC = String.fromCharCode(27);
    expect(text).not.toContain(`${ESC}[`);
    expect(summarizeValidation(report, { color: true })).toContain(`${ESC}[31m`);
  });

  it("says the data passed when nothing failed", () => {
    const frame = new Frame([
      numericColumn("x", f64([1, 2, 3, 4])),
      categoricalFromStrings("y", ["a", "b", "a", "b"]),
    ]);
    const text = summarizeValidation(
      validateFrame(frame, { schema: {}, validation: settings(), target: "y" }),
    );
    expect(text.split("\n")[0]).toBe("✓ data passed validation: 4 rows × 2 columns; 0 errors, 0 warnings");
  });
});
