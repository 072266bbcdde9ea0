import { describe, expect, it } from "vitest";
import { isSluiceError } from "../../errors.js";
import { compileFormula, type FormulaColumns } from "./index.js";

const COLUMNS: FormulaColumns = new Map([
  ["tenure", { kind: "numeric" }],
  ["total", { kind: "numeric" }],
  ["gender", { kind: "categorical" }],
]);

function refuse(source: string): string {
  try {
    compileFormula(source, COLUMNS, { where: "features.derived.evil" });
  } catch (err) {
    expect(isSluiceError(err, "E_FORMULA"), String(err)).toBe(true);
    return `${(err as Error).message}\n${(err as { hint?: string }).hint ?? ""}`;
  }
  throw new Error(`expected ${JSON.stringify(source)} to be refused`);
}

describe("hostile formulas", () => {
  it.each([
    "constructor",
    "__proto__",
    "prototype",
    "this",
    "globalThis",
    "process",
    "require",
    "window",
    "toString",
    "hasOwnProperty",
    "valueOf",
  ])("treats %s as just an unknown column", (name) => {
    expect(refuse(`${name} + 1`)).toMatch(new RegExp(`^features\\.derived\\.evil: unknown column "${name}"`));
  });

  it.each([
    ["process.exit()", /unexpected "\."/],
    ["a.b", /unexpected "\."/],
    ["`x`.y", /unexpected "\."/],
    ["tenure.constructor", /unexpected "\."/],
    ["a[0]", /unexpected "\["/],
    ['tenure["constructor"]', /unexpected "\["/],
    ['import("fs")', /unknown function "import"/],
    ["require('child_process')", /unknown function "require"/],
    ["eval('1')", /unknown function "eval"/],
    ["Function('return 1')()", /unknown function "Function"/],
    ["constructor.constructor('return process')()", /unexpected "\."/],
    ["tenure = 1", /use == to compare/],
    ["{}", /unexpected "\{"/],
    ["x => x", /use == to compare/],
    ["tenure; total", /unexpected ";"/],
    ["`${tenure}`", /unknown column "\$\{tenure\}"/],
    ["tenure ? 1 : 0", /unexpected "\?"/],
    ["new Date()", /unexpected the column|unexpected "Date"|unknown column "new"/],
    ["__proto__(1)", /unknown function "__proto__"/],
    ["constructor(1)", /unknown function "constructor"/],
    ["toString()", /unknown function "toString"/],
  ])("refuses %s", (source, pattern) => {
    expect(refuse(source)).toMatch(pattern);
  });

  it("does not look up columns on object prototypes when evaluating", () => {
    const f = compileFormula("is_missing(tenure)", COLUMNS);
    // The record's prototype carries a value, but only own fields count.
    const record = Object.create({ tenure: 5 }) as Record<string, unknown>;
    expect(f.evaluate(record)).toBe(1);
  });

  it("fails cleanly on very long and deeply nested input", () => {
    expect(refuse("(".repeat(100_000))).toMatch(/characters long/);
    expect(refuse("(".repeat(400) + "1" + ")".repeat(400))).toMatch(/nests deeper/);
    expect(refuse("-".repeat(900) + "1")).toMatch(/nests deeper/);
    expect(refuse(Array.from({ length: 600 }, () => "t").join("+"))).toMatch(/more than 1000 tokens/);
    // The message stays short however long the input is.
    expect(refuse("1+".repeat(1999) + "1").length).toBeLessThan(400);
    expect(refuse("(".repeat(100_000)).length).toBeLessThan(400);
  });

  it("refuses non-ASCII bare names with a backtick hint", () => {
    expect(refuse("prénom + 1")).toMatch(/unexpected character "é"/);
  });

  it("shows control and odd characters safely", () => {
    expect(refuse("tenure \u0000 1")).toMatch(/unexpected character/);
    expect(refuse("tenure @ 1")).toMatch(/unexpected "@"/);
  });
});
