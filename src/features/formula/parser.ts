/**
 * The formula parser: tokens → syntax tree, by recursive descent. Precedence, loosest first:
 *
 * ```
 * or (||)  <  and (&&)  <  not (!)  <  == != < <= > >= in  <  + -  <  * / %  <  unary -  <  ^
 * ```
 *
 * `^` is right-associative and binds tighter than unary minus (`-2^2` is -4, `2^-1` is 0.5).
 * Comparisons do not chain (`a < b < c` is an error that suggests `a < b and b < c`).
 * Nesting is capped at {@link MAX_DEPTH} so hostile input fails with a message, never a stack
 * overflow; the token cap of the tokenizer bounds left-leaning chains the same way.
 */
import { FUNCTIONS, type BinaryOp, type Expr, type FunctionName, type Literal } from "./ast.js";
import { FormulaSyntaxError } from "./errors.js";
import { tokenize, type Token } from "./tokenizer.js";
import { didYouMean } from "../../util/text.js";

/** Deepest nesting of parentheses, calls and prefix operators accepted. */
export const MAX_DEPTH = 48;

const KEYWORDS = new Set(["and", "or", "not", "in", "true", "false"]);
const COMPARISONS = new Set(["==", "!=", "<", "<=", ">", ">="]);

/**
 * Parse a formula into its syntax tree.
 *
 * @throws FormulaSyntaxError naming the position and what was expected there.
 */
export function parse(source: string): Expr {
  return new Parser(source, tokenize(source)).parseFormula();
}

function describe(t: Token): string {
  switch (t.type) {
    case "eof":
      return "the end of the formula";
    case "string":
      return `the string ${JSON.stringify(t.text)}`;
    case "quoted":
      return `the column \`${t.text}\``;
    case "number":
      return `the number ${t.text}`;
    default:
      return `"${t.text}"`;
  }
}

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: readonly Token[],
  ) {}

  parseFormula(): Expr {
    if (this.peek().type === "eof")
      throw new FormulaSyntaxError(
        "the formula is empty",
        0,
        Math.max(1, this.source.length),
        "write an expression such as total / (tenure + 1)",
      );
    const e = this.parseOr();
    const t = this.peek();
    if (t.type !== "eof") {
      const hint =
        t.type === "(" && e.type === "column"
          ? `"${e.name}" is not a function; the functions are: ${Object.keys(FUNCTIONS).join(", ")}`
          : t.type === ")"
            ? "remove it, or add the matching ("
            : "put an operator between the two values, e.g. + or and";
      throw new FormulaSyntaxError(`unexpected ${describe(t)}`, t.start, t.end, hint);
    }
    return e;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const t = this.peek();
    if (t.type !== "eof") this.pos++;
    return t;
  }

  private isOp(t: Token, ...ops: string[]): boolean {
    return t.type === "op" && ops.includes(t.text);
  }

  private isWord(t: Token, word: string): boolean {
    return t.type === "name" && t.text === word;
  }

  private enter(at: Token): void {
    if (++this.depth > MAX_DEPTH)
      throw new FormulaSyntaxError(
        `the formula nests deeper than ${MAX_DEPTH} levels`,
        at.start,
        at.end,
        "simplify it, or split it into several derived features",
      );
  }

  private leave(): void {
    this.depth--;
  }

  private binary(op: BinaryOp, left: Expr, right: Expr, opToken: Token): Expr {
    return {
      type: "binary",
      op,
      left,
      right,
      start: left.start,
      end: right.end,
      opStart: opToken.start,
      opEnd: opToken.end,
    };
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    for (;;) {
      const t = this.peek();
      if (!this.isWord(t, "or") && !this.isOp(t, "||")) return left;
      this.next();
      left = this.binary("or", left, this.parseAnd(), t);
    }
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    for (;;) {
      const t = this.peek();
      if (!this.isWord(t, "and") && !this.isOp(t, "&&")) return left;
      this.next();
      left = this.binary("and", left, this.parseNot(), t);
    }
  }

  private parseNot(): Expr {
    const t = this.peek();
    if (this.isWord(t, "not") || this.isOp(t, "!")) {
      this.next();
      this.enter(t);
      const operand = this.parseNot();
      this.leave();
      return { type: "unary", op: "not", operand, start: t.start, end: operand.end };
    }
    return this.parseComparison();
  }

  private parseComparison(): Expr {
    const left = this.parseAdditive();
    const t = this.peek();
    let result: Expr;
    if (t.type === "op" && COMPARISONS.has(t.text)) {
      this.next();
      result = this.binary(t.text as BinaryOp, left, this.parseAdditive(), t);
    } else if (this.isWord(t, "in") || (this.isWord(t, "not") && this.isWord(this.peek(1), "in"))) {
      const negated = this.isWord(t, "not");
      this.next();
      if (negated) this.next();
      result = this.parseInList(left, negated);
    } else return left;
    const after = this.peek();
    if ((after.type === "op" && COMPARISONS.has(after.text)) || this.isWord(after, "in"))
      throw new FormulaSyntaxError(
        `comparisons cannot be chained`,
        after.start,
        after.end,
        "join two comparisons with and, e.g. 18 <= age and age < 65",
      );
    return result;
  }

  private parseInList(operand: Expr, negated: boolean): Expr {
    const open = this.next();
    if (open.type !== "(")
      throw new FormulaSyntaxError(
        `expected ( after in, got ${describe(open)}`,
        open.start,
        open.end,
        'write the values in parentheses: x in ("a", "b")',
      );
    const items: Literal[] = [];
    for (;;) {
      const t = this.next();
      let item: Literal | undefined;
      if (t.type === "string") item = { type: "string", value: t.text, start: t.start, end: t.end };
      else if (t.type === "number") item = { type: "number", value: t.value, start: t.start, end: t.end };
      else if (this.isOp(t, "-") && this.peek().type === "number") {
        const num = this.next();
        item = { type: "number", value: -num.value, start: t.start, end: num.end };
      } else if (this.isWord(t, "true") || this.isWord(t, "false"))
        item = { type: "boolean", value: t.text === "true", start: t.start, end: t.end };
      if (item === undefined)
        throw new FormulaSyntaxError(
          `expected a string or a number in the in (…) list, got ${describe(t)}`,
          t.start,
          t.end,
          'list literal values only: x in ("a", "b") or n in (1, 2, 3)',
        );
      items.push(item);
      const sep = this.next();
      if (sep.type === ")")
        return { type: "in", operand, items, negated, start: operand.start, end: sep.end };
      if (sep.type !== ",")
        throw new FormulaSyntaxError(
          `expected , or ) in the in (…) list, got ${describe(sep)}`,
          sep.start,
          sep.end,
          "separate the values with commas and close the list with )",
        );
    }
  }

  private parseAdditive(): Expr {
    let left = this.parseMultiplicative();
    for (;;) {
      const t = this.peek();
      if (!this.isOp(t, "+", "-")) return left;
      this.next();
      left = this.binary(t.text as BinaryOp, left, this.parseMultiplicative(), t);
    }
  }

  private parseMultiplicative(): Expr {
    let left = this.parseUnary();
    for (;;) {
      const t = this.peek();
      if (!this.isOp(t, "*", "/", "%")) return left;
      this.next();
      left = this.binary(t.text as BinaryOp, left, this.parseUnary(), t);
    }
  }

  private parseUnary(): Expr {
    const t = this.peek();
    if (this.isOp(t, "-")) {
      this.next();
      this.enter(t);
      const operand = this.parseUnary();
      this.leave();
      return { type: "unary", op: "-", operand, start: t.start, end: operand.end };
    }
    if (this.isOp(t, "+"))
      throw new FormulaSyntaxError("unary + is not an operator", t.start, t.end, "remove the +");
    return this.parsePower();
  }

  private parsePower(): Expr {
    const base = this.parsePrimary();
    const t = this.peek();
    if (!this.isOp(t, "^")) return base;
    this.next();
    this.enter(t);
    // The exponent may carry its own sign and power: 2^-1, 2^3^2 = 2^(3^2).
    const exponent = this.parseUnary();
    this.leave();
    return this.binary("^", base, exponent, t);
  }

  private parsePrimary(): Expr {
    const t = this.next();
    switch (t.type) {
      case "number":
        return { type: "number", value: t.value, start: t.start, end: t.end };
      case "string":
        return { type: "string", value: t.text, start: t.start, end: t.end };
      case "quoted":
        return { type: "column", name: t.text, start: t.start, end: t.end };
      case "(": {
        this.enter(t);
        const inner = this.parseOr();
        this.leave();
        const close = this.next();
        if (close.type !== ")")
          throw new FormulaSyntaxError(
            `expected ), got ${describe(close)}`,
            close.start,
            close.end,
            `close the ( opened at position ${t.start + 1}`,
          );
        return inner;
      }
      case "name":
        return this.parseName(t);
      default:
        throw new FormulaSyntaxError(
          `expected a value, got ${describe(t)}`,
          t.start,
          Math.max(t.end, t.start + 1),
          t.type === "eof"
            ? "the formula ends too early; complete the expression"
            : "write a number, a string, a column name or a function call here",
        );
    }
  }

  private parseName(t: Token): Expr {
    if (t.text === "true" || t.text === "false")
      return { type: "boolean", value: t.text === "true", start: t.start, end: t.end };
    if (KEYWORDS.has(t.text))
      throw new FormulaSyntaxError(
        `expected a value, got the keyword "${t.text}"`,
        t.start,
        t.end,
        `write a value before and after ${t.text}; a column called "${t.text}" must be quoted: \`${t.text}\``,
      );
    if (this.peek().type !== "(") return { type: "column", name: t.text, start: t.start, end: t.end };
    if (!Object.hasOwn(FUNCTIONS, t.text))
      throw new FormulaSyntaxError(
        `unknown function "${t.text}"${didYouMean(t.text, Object.keys(FUNCTIONS))}`,
        t.start,
        t.end,
        `the functions are: ${Object.keys(FUNCTIONS).join(", ")}`,
      );
    const name = t.text as FunctionName;
    const open = this.next();
    this.enter(open);
    const args: Expr[] = [];
    if (this.peek().type !== ")") {
      for (;;) {
        args.push(this.parseOr());
        const sep = this.next();
        if (sep.type === ")") break;
        if (sep.type !== ",")
          throw new FormulaSyntaxError(
            `expected , or ) in the call to ${name}, got ${describe(sep)}`,
            sep.start,
            Math.max(sep.end, sep.start + 1),
            "separate arguments with commas and close the call with )",
          );
      }
    } else this.next();
    this.leave();
    const end = this.tokens[this.pos - 1]!.end;
    const { min, max } = FUNCTIONS[name];
    if (args.length < min || args.length > max) {
      const wanted = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
      throw new FormulaSyntaxError(
        `${name}() takes ${wanted} argument${min === 1 && (max === 1 || max === Infinity) ? "" : "s"}, got ${args.length}`,
        t.start,
        end,
        SIGNATURES[name],
      );
    }
    return { type: "call", name, args, start: t.start, end };
  }
}

/** How each function is called, for arity errors. */
export const SIGNATURES: Readonly<Record<FunctionName, string>> = {
  if: "if(condition, value_if_true, value_if_false)",
  log: "log(x): natural logarithm",
  log1p: "log1p(x) = log(1 + x)",
  exp: "exp(x)",
  sqrt: "sqrt(x)",
  abs: "abs(x)",
  min: "min(a, b, …)",
  max: "max(a, b, …)",
  clip: "clip(x, low, high)",
  round: "round(x): to the nearest integer, halves away from zero",
  floor: "floor(x)",
  ceil: "ceil(x)",
  pow: "pow(base, exponent)",
  is_missing: "is_missing(x): 1 when x is missing, else 0",
  coalesce: "coalesce(x, y, …): the first value that is not missing",
  hour: "hour(t): 0-23, t a datetime (UTC)",
  weekday: "weekday(t): 0 = Monday … 6 = Sunday, t a datetime (UTC)",
  day: "day(t): 1-31, t a datetime (UTC)",
  month: "month(t): 1-12, t a datetime (UTC)",
  year: "year(t), t a datetime (UTC)",
};
