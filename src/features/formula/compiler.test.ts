import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compileFormula, type FormulaColumns } from "./index.js";

const COLUMNS: FormulaColumns = new Map([
  ["x", { kind: "numeric" }],
  ["y", { kind: "numeric" }],
  ["t", { kind: "numeric", dtype: "datetime" }],
  ["g", { kind: "categorical" }],
  ["h", { kind: "categorical" }],
  ["Monthly Charges", { kind: "numeric" }],
]);

const M = null; // a missing value in a record

function ev(source: string, record: Record<string, unknown> = {}): number {
  return compileFormula(source, COLUMNS).evaluate(record);
}

describe("arithmetic", () => {
  it("follows precedence and associativity", () => {
    expect(ev("1 + 2 * 3")).toBe(7);
    expect(ev("2 ^ 3 ^ 2")).toBe(512);
    expect(ev("-2 ^ 2")).toBe(-4);
    expect(ev("2 ^ -1")).toBe(0.5);
    expect(ev("10 - 4 - 3")).toBe(3);
    expect(ev("7 % 4")).toBe(3);
    expect(ev("-7 % 4")).toBe(-3);
    expect(ev("(1 + 2) * 3")).toBe(9);
  });

  it("treats true and false as 1 and 0", () => {
    expect(ev("true + true")).toBe(2);
    expect(ev("false * 3")).toBe(0);
  });

  it("reads backtick-quoted column names", () => {
    expect(ev("`Monthly Charges` * 2", { "Monthly Charges": 21 })).toBe(42);
  });

  it("propagates a missing operand", () => {
    for (const src of [
      "x + 1",
      "1 - x",
      "x * 0",
      "0 / x",
      "x % 2",
      "x ^ 0",
      "0 ^ x",
      "-x",
      "pow(x, 0)",
      "pow(1, x)",
    ])
      expect(ev(src, { x: M }), src).toBeNaN();
  });

  it("turns every infinite or undefined result into missing", () => {
    expect(ev("x / 0", { x: 1 })).toBeNaN();
    expect(ev("0 / 0")).toBeNaN();
    expect(ev("x * x", { x: 1e200 })).toBeNaN();
    expect(ev("x + x", { x: 1e308 })).toBeNaN();
    expect(ev("5 % 0")).toBeNaN();
    expect(ev("10 ^ 400")).toBeNaN();
    // Missing at every step, not only at the end: 1 / (1 / 0) is missing, not 0.
    expect(ev("1 / (1 / 0)")).toBeNaN();
    expect(ev("coalesce(x / 0, 7)", { x: 1 })).toBe(7);
    expect(ev("is_missing(x / 0)", { x: 1 })).toBe(1);
  });

  it("treats ±Infinity inputs as missing", () => {
    expect(ev("is_missing(x)", { x: Infinity })).toBe(1);
    expect(ev("is_missing(x)", { x: -Infinity })).toBe(1);
    expect(ev("coalesce(x, 3)", { x: Infinity })).toBe(3);
  });

  it("keeps extreme finite values", () => {
    expect(ev("x / 10", { x: 1e300 })).toBe(1e299);
    expect(ev("x * 2", { x: 5e-324 })).toBe(1e-323);
  });
});

describe("three-valued logic", () => {
  const V = { T: 1, F: 0, U: M } as const;
  const R = (v: number): string => (Number.isNaN(v) ? "U" : v === 1 ? "T" : v === 0 ? "F" : String(v));
  // The truth tables of Kleene's strong three-valued logic.
  const AND: Record<string, string> = {
    TT: "T",
    TF: "F",
    TU: "U",
    FT: "F",
    FF: "F",
    FU: "F",
    UT: "U",
    UF: "F",
    UU: "U",
  };
  const OR: Record<string, string> = {
    TT: "T",
    TF: "T",
    TU: "T",
    FT: "T",
    FF: "F",
    FU: "U",
    UT: "T",
    UF: "U",
    UU: "U",
  };
  for (const a of ["T", "F", "U"] as const)
    for (const b of ["T", "F", "U"] as const) {
      it(`${a} and ${b} = ${AND[a + b]}, ${a} or ${b} = ${OR[a + b]}`, () => {
        const rec = { x: V[a], y: V[b] };
        expect(R(ev("x and y", rec))).toBe(AND[a + b]);
        expect(R(ev("x && y", rec))).toBe(AND[a + b]);
        expect(R(ev("x or y", rec))).toBe(OR[a + b]);
        expect(R(ev("x || y", rec))).toBe(OR[a + b]);
      });
    }

  it("negates with not and !, keeping missing missing", () => {
    expect(ev("not x", { x: 1 })).toBe(0);
    expect(ev("not x", { x: 0 })).toBe(1);
    expect(ev("!x", { x: 5 })).toBe(0);
    expect(ev("not x", { x: M })).toBeNaN();
  });

  it("treats any non-zero number as true", () => {
    expect(ev("x and 1", { x: -3.5 })).toBe(1);
    expect(ev("if(x, 10, 20)", { x: 0.001 })).toBe(10);
  });
});

describe("comparisons", () => {
  it("give 1 or 0, and missing when a side is missing", () => {
    expect(ev("x < y", { x: 1, y: 2 })).toBe(1);
    expect(ev("x >= y", { x: 1, y: 2 })).toBe(0);
    expect(ev("x == y", { x: 2, y: 2 })).toBe(1);
    expect(ev("x != y", { x: 2, y: 2 })).toBe(0);
    expect(ev("x <= y", { x: 2, y: 2 })).toBe(1);
    expect(ev("x > y", { x: 3, y: 2 })).toBe(1);
    for (const op of ["<", "<=", ">", ">=", "==", "!="]) expect(ev(`x ${op} 1`, { x: M })).toBeNaN();
  });

  it("compares a categorical column with strings, either way round", () => {
    expect(ev('g == "F"', { g: "F" })).toBe(1);
    expect(ev('"F" == g', { g: "M" })).toBe(0);
    expect(ev('g != "F"', { g: "M" })).toBe(1);
    expect(ev('g == "F"', { g: M })).toBeNaN();
    expect(ev('g == "F"', { g: "" })).toBeNaN();
  });

  it("treats a category no literal names as different from every literal", () => {
    expect(ev('g == "F"', { g: "never seen" })).toBe(0);
    expect(ev('g != "F"', { g: "never seen" })).toBe(1);
    expect(ev('g in ("a", "b")', { g: "c" })).toBe(0);
  });

  it("reads numbers given to a categorical field as text", () => {
    expect(ev('g == "1"', { g: 1 })).toBe(1);
    expect(ev('g == "true"', { g: true })).toBe(1);
  });

  it("tests membership with in and not in", () => {
    expect(ev('g in ("a", "b")', { g: "b" })).toBe(1);
    expect(ev('g not in ("a", "b")', { g: "b" })).toBe(0);
    expect(ev('g in ("a")', { g: M })).toBeNaN();
    expect(ev("x in (1, 2, -3)", { x: -3 })).toBe(1);
    expect(ev("x in (1, 2, -3)", { x: 3 })).toBe(0);
    expect(ev("x not in (1, 2)", { x: 3 })).toBe(1);
    expect(ev("x in (true)", { x: 1 })).toBe(1);
    expect(ev("x in (1)", { x: M })).toBeNaN();
  });
});

describe("functions", () => {
  it("computes the math functions, missing outside their domain", () => {
    expect(ev("log(x)", { x: Math.E })).toBe(Math.log(Math.E));
    expect(ev("log(0)")).toBeNaN();
    expect(ev("log(-1)")).toBeNaN();
    expect(ev("log1p(x)", { x: 1e-10 })).toBe(Math.log1p(1e-10));
    expect(ev("exp(1)")).toBe(Math.E);
    expect(ev("exp(1000)")).toBeNaN();
    expect(ev("sqrt(16)")).toBe(4);
    expect(ev("sqrt(-1)")).toBeNaN();
    expect(ev("abs(-2.5)")).toBe(2.5);
    expect(ev("floor(-2.5)")).toBe(-3);
    expect(ev("ceil(-2.5)")).toBe(-2);
    expect(ev("pow(2, 10)")).toBe(1024);
    expect(ev("pow(-8, 1/3)")).toBeNaN();
  });

  it("rounds halves away from zero", () => {
    expect([
      ev("round(2.5)"),
      ev("round(-2.5)"),
      ev("round(0.49999999999999994)"),
      ev("round(-0.5)"),
      ev("round(1.4)"),
    ]).toEqual([3, -3, 0, -1, 1]);
  });

  it("takes min and max over any number of arguments, missing if any is", () => {
    expect(ev("min(3, 1, 2)")).toBe(1);
    expect(ev("max(3, 1, 2, 9)")).toBe(9);
    expect(ev("max(7)")).toBe(7);
    expect(ev("min(x, 1)", { x: M })).toBeNaN();
  });

  it("clips into [low, high]", () => {
    expect(ev("clip(x, 0, 10)", { x: -5 })).toBe(0);
    expect(ev("clip(x, 0, 10)", { x: 50 })).toBe(10);
    expect(ev("clip(x, 0, 10)", { x: 5 })).toBe(5);
    expect(ev("clip(x, 0, 10)", { x: M })).toBeNaN();
  });

  it("branches with if, missing when the condition is", () => {
    expect(ev("if(x > 0, 1, -1)", { x: 3 })).toBe(1);
    expect(ev("if(x > 0, 1, -1)", { x: -3 })).toBe(-1);
    expect(ev("if(x > 0, 1, -1)", { x: M })).toBeNaN();
    // Only the chosen branch matters: a missing value in the other one does not leak.
    expect(ev("if(x > 0, 1, y)", { x: 3, y: M })).toBe(1);
  });

  it("tests for missing values and coalesces", () => {
    expect(ev("is_missing(x)", { x: M })).toBe(1);
    expect(ev("is_missing(x)", { x: 0 })).toBe(0);
    expect(ev("is_missing(g)", { g: M })).toBe(1);
    expect(ev("is_missing(g)", { g: "anything" })).toBe(0);
    expect(ev("coalesce(x, y, 3)", { x: M, y: M })).toBe(3);
    expect(ev("coalesce(x, y, 3)", { x: M, y: 2 })).toBe(2);
    expect(ev("coalesce(x, y)", { x: M, y: M })).toBeNaN();
    expect(ev('coalesce(g, "unknown") == "unknown"', { g: M })).toBe(1);
    expect(ev('coalesce(g, "unknown") == "unknown"', { g: "b" })).toBe(0);
  });

  it("reads calendar fields of known UTC timestamps", () => {
    // 2024-02-29T13:45:10.123Z, a Thursday.
    const t = Date.UTC(2024, 1, 29, 13, 45, 10, 123);
    expect([
      ev("hour(t)", { t }),
      ev("weekday(t)", { t }),
      ev("day(t)", { t }),
      ev("month(t)", { t }),
      ev("year(t)", { t }),
    ]).toEqual([13, 3, 29, 2, 2024]);
    // 1969-12-31T23:59:59.999Z, a Wednesday: negative epoch milliseconds.
    expect([
      ev("hour(t)", { t: -1 }),
      ev("weekday(t)", { t: -1 }),
      ev("day(t)", { t: -1 }),
      ev("month(t)", { t: -1 }),
      ev("year(t)", { t: -1 }),
    ]).toEqual([23, 2, 31, 12, 1969]);
    expect(ev("hour(t)", { t: M })).toBeNaN();
    expect(ev("year(t)", { t: 9e15 })).toBeNaN();
  });

  it("accepts ISO 8601 text for a datetime field, as UTC when no offset is given", () => {
    expect(ev("hour(t)", { t: "2024-02-29T13:45:00" })).toBe(13);
    expect(ev("hour(t)", { t: "2024-02-29T13:45:00+02:00" })).toBe(11);
    expect(ev("day(t)", { t: "2024-02-29" })).toBe(29);
  });

  it("agrees with Python's datetime on every fixture timestamp", () => {
    const fx = JSON.parse(
      readFileSync(new URL("../fixtures/datetime.json", import.meta.url), "utf8"),
    ) as Record<string, number[]>;
    const fields = ["hour", "weekday", "day", "month", "year"] as const;
    const compiled = Object.fromEntries(fields.map((f) => [f, compileFormula(`${f}(t)`, COLUMNS)]));
    fx.ms!.forEach((t, i) => {
      for (const f of fields) expect(compiled[f]!.evaluate({ t }), `${f}(${t})`).toBe(fx[f]![i]);
    });
  });
});

describe("checking", () => {
  function error(source: string): { message: string; hint?: string } {
    try {
      compileFormula(source, COLUMNS, { where: "features.derived.f" });
    } catch (err) {
      return err as { message: string; hint?: string };
    }
    throw new Error(`expected ${source} to fail`);
  }

  it("refuses arithmetic on a categorical column and shows the fix", () => {
    const err = error("g * 2");
    expect(err.message).toMatchInlineSnapshot(`
      "features.derived.f: the categorical column "g" cannot be used in arithmetic (*)
        g * 2
        ^"
    `);
    expect(err.hint).toBe(
      'a categorical column can only be compared with strings: g == "some value" or g in ("a", "b")',
    );
  });

  it("refuses ordering comparisons on categories", () => {
    expect(error('g < "b"').message).toMatch(/has no order/);
  });

  it("refuses comparing a category with a number, suggesting the string", () => {
    expect(error("g == 1").hint).toBe('write the value as a string: g == "1"');
    expect(error("g in (1, 2)").message).toMatch(/can only be matched against strings/);
  });

  it("refuses comparing a number with a string, suggesting the number", () => {
    expect(error('x == "5"').hint).toBe("compare with a number: x == 5");
    expect(error('x in ("a")').message).toMatch(/can only be matched against numbers/);
  });

  it("refuses comparing two categorical columns", () => {
    expect(error("g == h").message).toMatch(/cannot be compared with each other/);
  });

  it("refuses a formula whose result is a category or a string", () => {
    expect(error("g").message).toMatch(/gives a value of the categorical column "g", not a number/);
    expect(error('"abc"').message).toMatch(/is a string, not a number/);
    expect(error('coalesce(g, "x")').message).toMatch(/not a number/);
  });

  it("refuses mixing kinds in coalesce", () => {
    expect(error("coalesce(g, 1)").message).toMatch(/mixes the categorical column "g" with a number/);
    expect(error('coalesce(g, h, "x") == "x"').message).toMatch(/mixes two categorical columns/);
    expect(error('coalesce(x, "a") == 1').message).toMatch(/gets a string but no categorical column/);
  });

  it("names an unknown column with a did-you-mean and a caret under it", () => {
    const err = error("x / (yy + 1)");
    expect(err.message).toMatchInlineSnapshot(`
      "features.derived.f: unknown column "yy" (did you mean "y"?)
        x / (yy + 1)
             ^^"
    `);
  });

  it("puts the caret on the right line of a multi-line formula", () => {
    const err = error("x +\n  y +\n  zz");
    expect(err.message).toMatchInlineSnapshot(`
      "features.derived.f: unknown column "zz"
          zz
          ^^"
    `);
  });

  it("lists the columns it reads and the literals per categorical column", () => {
    const f = compileFormula('if(g in ("a", "b"), x, y) + (h == "q") + (g == "a")', COLUMNS);
    expect(f.columns).toEqual(["g", "x", "y", "h"]);
    expect(Object.fromEntries(f.literals)).toEqual({ g: ["a", "b"], h: ["q"] });
  });

  it("refuses a record value of the wrong type", () => {
    expect(() => ev("x + 1", { x: "abc" })).toThrow('field "x": expected a number, got "abc"');
    expect(() => ev('g == "a"', { g: { a: 1 } })).toThrow(/field "g": expected a string/);
  });
});
