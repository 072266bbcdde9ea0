import { describe, expect, it } from "vitest";
import { Random } from "../../data/random.js";
import { naiveEvaluate } from "../test-utils/naive-formula.js";
import { compileFormula, type FormulaColumns } from "./index.js";
import { parse } from "./parser.js";

const COLUMNS: FormulaColumns = new Map([
  ["x", { kind: "numeric" }],
  ["y", { kind: "numeric" }],
  ["z", { kind: "numeric" }],
  ["t", { kind: "numeric", dtype: "datetime" }],
  ["g", { kind: "categorical" }],
]);

const NUMBERS = [0, -0, 1, -1, 2, 0.5, 3.25, -7, 10, 100, 1e-300, 1e300, -1e300, 1e10];
const LITERALS = ["0", "1", "2", "0.5", "3", "10", "1e300", "-1", "true", "false", "1e-3"];
const CATEGORIES = ["a", "b", "c"];

/** A random number-valued formula over x, y, z, t and the categorical g. */
function randomFormula(rng: Random, depth: number): string {
  const leaf = (): string => {
    const k = rng.int(4);
    return k === 0 ? LITERALS[rng.int(LITERALS.length)]! : ["x", "y", "z"][rng.int(3)]!;
  };
  if (depth <= 0) return leaf();
  const sub = (): string => randomFormula(rng, depth - 1);
  const str = (): string => JSON.stringify(CATEGORIES[rng.int(CATEGORIES.length)]!);
  switch (rng.int(16)) {
    case 0:
      return leaf();
    case 1:
      return `(-${sub()})`;
    case 2:
      return `(not ${sub()})`;
    case 3:
    case 4:
      return `(${sub()} ${["+", "-", "*", "/", "%", "^"][rng.int(6)]!} ${sub()})`;
    case 5:
      return `(${sub()} ${["<", "<=", ">", ">=", "==", "!="][rng.int(6)]!} ${sub()})`;
    case 6:
      return `(${sub()} ${["and", "or", "&&", "||"][rng.int(4)]!} ${sub()})`;
    case 7:
      return `if(${sub()}, ${sub()}, ${sub()})`;
    case 8:
      return `${["log", "log1p", "exp", "sqrt", "abs", "round", "floor", "ceil"][rng.int(8)]!}(${sub()})`;
    case 9:
      return `${["min", "max", "coalesce"][rng.int(3)]!}(${Array.from({ length: 1 + rng.int(3) }, sub).join(", ")})`;
    case 10:
      return `clip(${sub()}, ${sub()}, ${sub()})`;
    case 11:
      return `pow(${sub()}, ${sub()})`;
    case 12:
      return `is_missing(${rng.bernoulli(0.5) ? "g" : sub()})`;
    case 13:
      return rng.bernoulli(0.5)
        ? `(g ${rng.bernoulli(0.5) ? "==" : "!="} ${str()})`
        : `(g ${rng.bernoulli(0.5) ? "in" : "not in"} (${str()}, ${str()}))`;
    case 14:
      return rng.bernoulli(0.5) ? `(coalesce(g, ${str()}) == ${str()})` : `(${sub()} in (1, -1, 0.5, true))`;
    default:
      return `${["hour", "weekday", "day", "month", "year"][rng.int(5)]!}(${rng.bernoulli(0.7) ? "t" : sub()})`;
  }
}

function randomRecord(rng: Random): Record<string, number | string | null> {
  const n = (): number | null =>
    rng.bernoulli(0.15)
      ? null
      : rng.bernoulli(0.1)
        ? [Infinity, -Infinity][rng.int(2)]!
        : NUMBERS[rng.int(NUMBERS.length)]!;
  const t = rng.bernoulli(0.1) ? null : rng.bernoulli(0.05) ? 9e15 : Math.floor(rng.uniform(-5e12, 5e12));
  const g = rng.bernoulli(0.15)
    ? null
    : rng.bernoulli(0.15)
      ? "unseen"
      : CATEGORIES[rng.int(CATEGORIES.length)]!;
  return { x: n(), y: n(), z: n(), t, g };
}

// Exact equality, NaN = NaN; the sign of a zero result may differ (the naive clip picks a bound
// by comparison where Math.min/max prefer -0).
const same = (a: number, b: number): boolean => a === b || (Number.isNaN(a) && Number.isNaN(b));

describe("compiled formulas against a naive interpreter", () => {
  it("agree on 3,000 random formulas × 20 random records", () => {
    const rng = new Random(20240601);
    let compared = 0;
    let present = 0;
    for (let k = 0; k < 3000; k++) {
      const source = randomFormula(rng, 1 + rng.int(4));
      const compiled = compileFormula(source, COLUMNS);
      const ast = parse(source);
      for (let r = 0; r < 20; r++) {
        const record = randomRecord(rng);
        const got = compiled.evaluate(record);
        const want = naiveEvaluate(ast, record);
        if (!same(got, want))
          expect.fail(`${source} on ${JSON.stringify(record)}: compiled ${got}, naive ${want}`);
        compared++;
        if (!Number.isNaN(got)) present++;
      }
    }
    expect(compared).toBe(60_000);
    // Guard against a generator that only ever produces missing results.
    expect(present / compared).toBeGreaterThan(0.3);
  });

  it("never yields ±Infinity", () => {
    const rng = new Random(7);
    for (let k = 0; k < 500; k++) {
      const compiled = compileFormula(randomFormula(rng, 4), COLUMNS);
      for (let r = 0; r < 10; r++) {
        const v = compiled.evaluate(randomRecord(rng));
        expect(v === Infinity || v === -Infinity).toBe(false);
      }
    }
  });
});
