import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Frame, categoricalFromStrings, numericColumn, textColumn } from "../data/frame.js";
import { Random } from "../data/random.js";
import { isSluiceError } from "../errors.js";
import { quarantineRows } from "./quarantine.js";
import { writeQuarantineCsv } from "./quarantine-csv.js";
import { validateFrame } from "./validate.js";
import type { ValidationReport } from "./types.js";
import { f64, schemaOf, settings } from "./test-utils/support.js";

const dir = mkdtempSync(join(tmpdir(), "sluice-quarantine-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function dirtyFrame(): Frame {
  const ages = f64([34, 150, null, 17, 45, 2.5, 60, 61]);
  ages[2] = NaN;
  return new Frame([
    numericColumn("age", ages, "integer", new Map([[2, "forty"]])),
    categoricalFromStrings("gender", ["M", "F", "X", "M", "F", "M", "q", "F"]),
    textColumn("email", ["a@x.io", "b@x.io", "c@x.io", "bad", "e@x.io", "f@x.io", "g@x.io", "h@x.io"]),
  ]);
}

const rules = {
  age: { type: "integer", min: 18, max: 120 },
  gender: { type: "category", values: ["M", "F"] },
  email: { type: "string", pattern: "[^@]+@[^@]+", severity: "warn" },
};

function validated(extra: Record<string, unknown> = {}): ValidationReport {
  return validateFrame(dirtyFrame(), { schema: schemaOf({ ...rules, ...extra }), validation: settings() });
}

describe("quarantineRows", () => {
  it("sets aside exactly the rows with error-level failures, with every failure of the row as its reason", () => {
    const q = quarantineRows(validated());
    expect(Array.from(q.quarantined)).toEqual([1, 2, 3, 5, 6]);
    expect(Array.from(q.kept)).toEqual([0, 4, 7]);
    expect(q.reasons).toEqual([
      "age: 150 is above the maximum 120",
      'age: "forty" is not an integer; gender: "X" is not an allowed value',
      // The warn-level email failure does not quarantine a row, but is named once the row is out.
      'age: 17 is below the minimum 18; email: "bad" does not match /[^@]+@[^@]+/',
      "age: 2.5 is not an integer; age: 2.5 is below the minimum 18",
      'gender: "q" is not an allowed value',
    ]);
    expect(q.unresolved).toEqual([]);
  });

  it("keeps rows that failed only a check passed by its mostly tolerance", () => {
    const r = validateFrame(dirtyFrame(), {
      schema: schemaOf({ gender: { type: "category", values: ["M", "F"], mostly: 0.7 } }),
      validation: settings(),
    });
    const values = r.checks.find((c) => c.check === "values")!;
    expect([values.passed, values.failingRows]).toEqual([true, 2]);
    const q = quarantineRows(r);
    expect(q.quarantined.length).toBe(0);
    expect(q.kept.length).toBe(8);
  });

  it("keeps the invariant rows = kept + quarantined on random dirty data, the two disjoint and ascending", () => {
    const rng = new Random(1);
    for (let t = 0; t < 20; t++) {
      const n = 100 + rng.int(400);
      const x = f64(Array.from({ length: n }, () => (rng.bernoulli(0.05) ? null : rng.normal(50, 30))));
      const c = Array.from({ length: n }, () => ["a", "b", "c", "zz"][rng.int(4)]!);
      const frame = new Frame([numericColumn("x", x), categoricalFromStrings("c", c)]);
      const schema = schemaOf({
        x: { type: "number", min: 0, nullable: false },
        c: { type: "category", values: ["a", "b", "c"] },
      });
      const report = validateFrame(frame, { schema, validation: settings() });
      const q = quarantineRows(report);
      expect(q.kept.length + q.quarantined.length).toBe(n);
      const seen = new Set([...q.kept, ...q.quarantined]);
      expect(seen.size).toBe(n);
      for (const a of [q.kept, q.quarantined])
        for (let i = 1; i < a.length; i++) expect(a[i]!).toBeGreaterThan(a[i - 1]!);
      expect(q.reasons.length).toBe(q.quarantined.length);
      // Each quarantined row really fails, and each kept row really passes.
      for (let i = 0; i < n; i++) {
        const bad = Number.isNaN(x[i]!) || x[i]! < 0 || c[i] === "zz";
        expect(q.quarantined.includes(i), `row ${i}`).toBe(bad);
      }
      expect(Array.from(q.quarantined)).toEqual(report.rowFailures.rows);
      // What remains passes the same checks.
      const clean = validateFrame(frame.take(q.kept), { schema, validation: settings() });
      expect(clean.passed).toBe(true);
    }
  });

  it("quarantines the later copies of repeated rows when duplicate_rows is an error", () => {
    const frame = new Frame([numericColumn("x", f64([1, 2, 1, 1]))]);
    const q = quarantineRows(
      validateFrame(frame, { schema: {}, validation: settings({ duplicate_rows: "error" }) }),
    );
    expect(Array.from(q.quarantined)).toEqual([2, 3]);
    expect(q.reasons).toEqual(["repeats row 1", "repeats row 1"]);
  });

  it("lists the error-level failures that setting rows aside cannot fix", () => {
    const frame = new Frame([numericColumn("x", f64([1, -1]))]);
    const r = validateFrame(frame, {
      schema: schemaOf({ x: { type: "number", min: 0 }, y: { type: "number" } }),
      validation: settings({ rows: { min: 5 } }),
    });
    const q = quarantineRows(r);
    expect(Array.from(q.quarantined)).toEqual([1]);
    expect(q.unresolved.map((f) => f.check)).toEqual(["presence", "rows"]);
  });

  it("refuses a report read back from JSON, which has no row-level detail", () => {
    const copy = JSON.parse(JSON.stringify(validated())) as ValidationReport;
    try {
      quarantineRows(copy);
      expect.unreachable();
    } catch (err) {
      expect(isSluiceError(err, "E_USAGE")).toBe(true);
    }
  });
});

describe("writeQuarantineCsv", () => {
  it("writes row numbers, the cells as the file had them (raw text for unparsable ones) and the reasons", () => {
    const frame = dirtyFrame();
    const path = join(dir, "q.csv");
    writeQuarantineCsv(path, frame, quarantineRows(validated()));
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    expect(lines[0]).toBe("_row,age,gender,email,_reason");
    expect(lines[1]).toBe("2,150,F,b@x.io,age: 150 is above the maximum 120");
    expect(lines[2]).toBe(
      '3,forty,X,c@x.io,"age: ""forty"" is not an integer; gender: ""X"" is not an allowed value"',
    );
    expect(lines).toHaveLength(6);
  });

  it("avoids clashing with columns already called _row or _reason", () => {
    const frame = new Frame([numericColumn("_row", f64([-1])), textColumn("_reason", ["mine"])]);
    const path = join(dir, "clash.csv");
    writeQuarantineCsv(path, frame, { quarantined: [0], reasons: ["r"] });
    expect(readFileSync(path, "utf8")).toBe("__row,_row,_reason,__reason\n1,-1,mine,r\n");
  });

  it("writes dates as ISO text and booleans as true/false, and quotes what needs quoting", () => {
    const frame = new Frame([
      numericColumn("when", f64([Date.UTC(2024, 1, 29), null]), "datetime"),
      numericColumn("ok", f64([1, 0]), "boolean"),
      textColumn("note", ['say "hi", then go', "x"]),
    ]);
    const path = join(dir, "types.csv");
    writeQuarantineCsv(path, frame, { quarantined: [0, 1], reasons: ["a", "b, c"] });
    expect(readFileSync(path, "utf8")).toBe(
      '_row,when,ok,note,_reason\n1,2024-02-29T00:00:00.000Z,true,"say ""hi"", then go",a\n2,,false,x,"b, c"\n',
    );
  });
});
