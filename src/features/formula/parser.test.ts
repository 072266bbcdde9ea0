import { describe, expect, it } from "vitest";
import type { Expr } from "./ast.js";
import { FormulaSyntaxError } from "./errors.js";
import { MAX_DEPTH, parse } from "./parser.js";
import { MAX_SOURCE_LENGTH, MAX_TOKENS, tokenize } from "./tokenizer.js";

/** Fully parenthesised rendering of a tree: shows exactly how the parser grouped the input. */
function show(e: Expr): string {
  switch (e.type) {
    case "number":
      return String(e.value);
    case "string":
      return JSON.stringify(e.value);
    case "boolean":
      return String(e.value);
    case "column":
      return e.name;
    case "unary":
      return `(${e.op} ${show(e.operand)})`;
    case "binary":
      return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case "in":
      return `(${show(e.operand)} ${e.negated ? "not in" : "in"} [${e.items.map(show).join(", ")}])`;
    case "call":
      return `${e.name}(${e.args.map(show).join(", ")})`;
  }
}

const grouped = (source: string): string => show(parse(source));

function syntaxError(source: string): FormulaSyntaxError {
  try {
    parse(source);
  } catch (err) {
    if (err instanceof FormulaSyntaxError) return err;
    throw err;
  }
  throw new Error(`expected ${source} to fail`);
}

describe("tokenizer", () => {
  it("reads numbers in plain, decimal and exponent forms", () => {
    const values = tokenize("1 2.5 .5 1e-3 2E+2 7.")
      .filter((t) => t.type === "number")
      .map((t) => t.value);
    expect(values).toEqual([1, 2.5, 0.5, 0.001, 200, 7]);
  });

  it("decodes escapes in single- and double-quoted strings", () => {
    const strings = tokenize(`"a\\"b" 'it\\'s' "tab\\tnew\\n"`)
      .filter((t) => t.type === "string")
      .map((t) => t.text);
    expect(strings).toEqual(['a"b', "it's", "tab\tnew\n"]);
  });

  it("reads backtick-quoted column names with any characters", () => {
    const t = tokenize("`Monthly Charges (€)` + x");
    expect(t[0]).toMatchObject({ type: "quoted", text: "Monthly Charges (€)" });
  });

  it("refuses a number that overflows to Infinity", () => {
    expect(() => tokenize("1e400")).toThrow(/too large/);
  });

  it("refuses a name glued to a number", () => {
    expect(() => tokenize("2x")).toThrow(/right after the number/);
  });

  it("refuses unterminated strings and backticks", () => {
    expect(() => tokenize('"abc')).toThrow(/not closed/);
    expect(() => tokenize("`abc")).toThrow(/not closed/);
  });

  it("caps the source length and the number of tokens", () => {
    expect(() => tokenize("x".repeat(MAX_SOURCE_LENGTH + 1))).toThrow(/characters long/);
    expect(() => tokenize(Array.from({ length: MAX_TOKENS }, () => "1").join("+"))).toThrow(
      /more than 1000 tokens/,
    );
  });
});

describe("parser precedence and associativity", () => {
  it.each([
    ["1 + 2 * 3", "(1 + (2 * 3))"],
    ["1 - 2 - 3", "((1 - 2) - 3)"],
    ["8 / 4 / 2", "((8 / 4) / 2)"],
    ["7 % 4 * 2", "((7 % 4) * 2)"],
    ["2 ^ 3 ^ 2", "(2 ^ (3 ^ 2))"],
    ["-2 ^ 2", "(- (2 ^ 2))"],
    ["2 ^ -1", "(2 ^ (- 1))"],
    ["--x", "(- (- x))"],
    ["a + b < c * d", "((a + b) < (c * d))"],
    ["a < b and c > d", "((a < b) and (c > d))"],
    ["a or b and c", "(a or (b and c))"],
    ["a and b or c and d", "((a and b) or (c and d))"],
    ["not a and b", "((not a) and b)"],
    ["not a == b", "(not (a == b))"],
    ["! a || b && c", "((not a) or (b and c))"],
    ["a or b or c", "((a or b) or c)"],
    ["(1 + 2) * 3", "((1 + 2) * 3)"],
    ['g in ("a", "b") or x', '((g in ["a", "b"]) or x)'],
    ["x not in (1, -2, true)", "(x not in [1, -2, true])"],
    ["not x in (1)", "(not (x in [1]))"],
    ["if(a > 1, -b, c ^ 2)", "if((a > 1), (- b), (c ^ 2))"],
    ["min(1, 2, 3) + max(a)", "(min(1, 2, 3) + max(a))"],
    ["`x y` * 2", "(x y * 2)"],
    ["true == 1", "(true == 1)"],
  ])("%s groups as %s", (source, expected) => {
    expect(grouped(source)).toBe(expected);
  });
});

describe("parser errors", () => {
  it("refuses chained comparisons and suggests and", () => {
    const err = syntaxError("1 < x < 3");
    expect(err.problem).toBe("comparisons cannot be chained");
    expect(err.hint).toMatch(/18 <= age and age < 65/);
    expect(err.start).toBe(6);
  });

  it("points at a dangling operator at the end", () => {
    const err = syntaxError("a + ");
    expect(err.problem).toBe("expected a value, got the end of the formula");
    expect(err.start).toBe(4);
  });

  it("reports an unclosed parenthesis", () => {
    expect(syntaxError("(a + b").problem).toBe("expected ), got the end of the formula");
  });

  it("reports an extra closing parenthesis", () => {
    expect(syntaxError("a + b)").problem).toBe('unexpected ")"');
  });

  it("checks the number of arguments of each function", () => {
    expect(syntaxError("log(1, 2)").problem).toBe("log() takes 1 argument, got 2");
    expect(syntaxError("if(a, b)").problem).toBe("if() takes 3 arguments, got 2");
    expect(syntaxError("clip(x)").problem).toBe("clip() takes 3 arguments, got 1");
    expect(syntaxError("min()").problem).toBe("min() takes at least 1 argument, got 0");
  });

  it("suggests the nearest function name", () => {
    expect(syntaxError("sqr(x)").problem).toBe('unknown function "sqr" (did you mean "sqrt"?)');
  });

  it("refuses a keyword where a value should be", () => {
    const err = syntaxError("and + 1");
    expect(err.problem).toBe('expected a value, got the keyword "and"');
    expect(err.hint).toContain("`and`");
  });

  it("accepts a column named like a keyword in backticks", () => {
    expect(grouped("`and` + 1")).toBe("(and + 1)");
  });

  it("refuses an empty formula and an empty in list", () => {
    expect(syntaxError("   ").problem).toBe("the formula is empty");
    expect(syntaxError("x in ()").problem).toMatch(/expected a string or a number in the in/);
  });

  it("refuses unary plus", () => {
    expect(syntaxError("+x").problem).toBe("unary + is not an operator");
  });

  it("fails cleanly, not with a stack overflow, on deep nesting", () => {
    for (const source of [
      "(".repeat(500) + "1" + ")".repeat(500),
      "-".repeat(900) + "1",
      "not ".repeat(300) + "1",
      "abs(".repeat(200) + "1" + ")".repeat(200),
      "2^".repeat(400) + "2",
    ]) {
      const err = syntaxError(source);
      expect(err.problem).toMatch(new RegExp(`nests deeper than ${MAX_DEPTH} levels|more than \\d+ tokens`));
    }
  });

  it("accepts nesting up to the limit", () => {
    const depth = MAX_DEPTH - 1;
    expect(() => parse("(".repeat(depth) + "1" + ")".repeat(depth))).not.toThrow();
  });

  it("keeps long but flat formulas under the token cap", () => {
    const sum = Array.from({ length: 400 }, (_, i) => `x${i % 3}`).join(" + ");
    expect(() => parse(sum)).not.toThrow();
  });
});
