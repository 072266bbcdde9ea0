/**
 * The formula type checker. Every column a formula names must be in the column environment
 * (a `Map`: a name such as `constructor` or `__proto__` is just an unknown column), and every
 * operator must get the kinds of value it works on:
 *
 * - numbers (true/false are 1/0) go everywhere except into string comparisons;
 * - a categorical column only meets strings, through `==`, `!=`, `in`, or inside
 *   `is_missing`/`coalesce`;
 * - a string literal only meets a categorical column.
 *
 * The result of a formula is a number (derived features) or a 0/1 condition (binary features).
 */
import type { NumericDType } from "../../data/frame.js";
import { didYouMean } from "../../util/text.js";
import type { Binary, Call, Expr, InList } from "./ast.js";
import { FormulaSyntaxError } from "./errors.js";

/** What a formula may name: input columns (and earlier derived features), by name. */
export type FormulaColumn =
  { readonly kind: "numeric"; readonly dtype?: NumericDType } | { readonly kind: "categorical" };

/** The column environment of a formula. A `Map`, so lookups never reach object prototypes. */
export type FormulaColumns = ReadonlyMap<string, FormulaColumn>;

/** The kind of value a sub-expression has. */
export type ValueType =
  | { readonly kind: "number" }
  | { readonly kind: "category"; readonly column: string }
  | { readonly kind: "string"; readonly value: string };

const NUMBER: ValueType = { kind: "number" };

/** What the checker learned about a formula. */
export interface CheckedFormula {
  /** The type of every node. */
  readonly types: ReadonlyMap<Expr, ValueType>;
  /** Columns read, in order of first use. */
  readonly columns: readonly string[];
  /** The string literals compared with each categorical column, in order of first use. */
  readonly literals: ReadonlyMap<string, readonly string[]>;
}

/**
 * Check `ast` against `columns`.
 *
 * @throws FormulaSyntaxError at the first node whose column is unknown or whose operands have the wrong kind.
 */
export function check(ast: Expr, columns: FormulaColumns): CheckedFormula {
  const c = new Checker(columns);
  const t = c.visit(ast);
  if (t.kind === "category")
    throw new FormulaSyntaxError(
      `the formula gives a value of the categorical column "${t.column}", not a number`,
      ast.start,
      ast.end,
      `compare it with a string to get a 0/1 value: ${quoteName(t.column)} == "some value"`,
    );
  if (t.kind === "string")
    throw new FormulaSyntaxError(
      "the formula is a string, not a number",
      ast.start,
      ast.end,
      'a formula must give a number, e.g. gender == "F"',
    );
  return { types: c.types, columns: c.order, literals: c.literals };
}

/** A column name as written in a formula: bare when it is an identifier, else in backticks. */
export function quoteName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !["and", "or", "not", "in", "true", "false"].includes(name)
    ? name
    : `\`${name}\``;
}

function describeType(t: ValueType, e: Expr): string {
  if (t.kind === "number") return e.type === "column" ? `the numeric column "${e.name}"` : "a number";
  if (t.kind === "category")
    return e.type === "column"
      ? `the categorical column "${t.column}"`
      : `a value of the categorical column "${t.column}"`;
  return `the string ${JSON.stringify(t.value)}`;
}

class Checker {
  readonly types = new Map<Expr, ValueType>();
  readonly order: string[] = [];
  readonly literals = new Map<string, string[]>();
  private readonly seen = new Set<string>();

  constructor(private readonly columns: FormulaColumns) {}

  visit(e: Expr): ValueType {
    const t = this.typeOf(e);
    this.types.set(e, t);
    return t;
  }

  private literal(column: string, value: string): void {
    let list = this.literals.get(column);
    if (list === undefined) this.literals.set(column, (list = []));
    if (!list.includes(value)) list.push(value);
  }

  private number(e: Expr, context: string): void {
    const t = this.visit(e);
    if (t.kind === "number") return;
    if (t.kind === "category")
      throw new FormulaSyntaxError(
        `${describeType(t, e)} cannot be used ${context}`,
        e.start,
        e.end,
        `a categorical column can only be compared with strings: ${quoteName(t.column)} == "some value" or ${quoteName(t.column)} in ("a", "b")`,
      );
    throw new FormulaSyntaxError(
      `${describeType(t, e)} cannot be used ${context}`,
      e.start,
      e.end,
      "strings can only be compared with a categorical column (==, != or in)",
    );
  }

  private typeOf(e: Expr): ValueType {
    switch (e.type) {
      case "number":
      case "boolean":
        return NUMBER;
      case "string":
        return { kind: "string", value: e.value };
      case "column": {
        const col = this.columns.get(e.name);
        if (col === undefined) {
          const names = [...this.columns.keys()];
          const shown = names.length > 15 ? `${names.slice(0, 15).join(", ")}, …` : names.join(", ");
          throw new FormulaSyntaxError(
            `unknown column "${e.name}"${didYouMean(e.name, names)}`,
            e.start,
            e.end,
            names.length === 0
              ? "no columns are available to formulas"
              : `the columns a formula can use are: ${shown}`,
          );
        }
        if (!this.seen.has(e.name)) {
          this.seen.add(e.name);
          this.order.push(e.name);
        }
        return col.kind === "numeric" ? NUMBER : { kind: "category", column: e.name };
      }
      case "unary":
        this.number(e.operand, e.op === "-" ? "with unary -" : "as a condition of not");
        return NUMBER;
      case "binary":
        return this.binary(e);
      case "in":
        return this.inList(e);
      case "call":
        return this.call(e);
    }
  }

  private binary(e: Binary): ValueType {
    const { op } = e;
    if (op === "==" || op === "!=") return this.equality(e);
    const context =
      op === "and" || op === "or"
        ? `as a condition of ${op}`
        : ["<", "<=", ">", ">="].includes(op)
          ? `in an ordering comparison (${op})`
          : `in arithmetic (${op})`;
    if (["<", "<=", ">", ">="].includes(op)) {
      const lt = this.visit(e.left);
      if (lt.kind === "category")
        throw new FormulaSyntaxError(
          `${describeType(lt, e.left)} has no order, so it cannot be compared with ${op}`,
          e.left.start,
          e.left.end,
          `use == or in: ${quoteName(lt.column)} in ("a", "b")`,
        );
    }
    this.number(e.left, context);
    this.number(e.right, context);
    return NUMBER;
  }

  private equality(e: Binary): ValueType {
    const lt = this.visit(e.left);
    const rt = this.visit(e.right);
    if (lt.kind === "number" && rt.kind === "number") return NUMBER;
    if (lt.kind === "category" && rt.kind === "string") {
      this.literal(lt.column, rt.value);
      return NUMBER;
    }
    if (lt.kind === "string" && rt.kind === "category") {
      this.literal(rt.column, lt.value);
      return NUMBER;
    }
    const at = { start: e.opStart, end: e.opEnd };
    if (lt.kind === "category" && rt.kind === "category")
      throw new FormulaSyntaxError(
        `two categorical columns ("${lt.column}" and "${rt.column}") cannot be compared with each other`,
        e.start,
        e.end,
        "compare each of them with strings instead",
      );
    if (lt.kind === "category" || rt.kind === "category") {
      const [cat, other] =
        lt.kind === "category" ? [lt, e.right] : [rt as ValueType & { kind: "category" }, e.left];
      const example = other.type === "number" ? JSON.stringify(String(other.value)) : '"some value"';
      throw new FormulaSyntaxError(
        `the categorical column "${cat.column}" can only be compared with a string, not ${describeType(this.types.get(other)!, other)}`,
        other.start,
        other.end,
        `write the value as a string: ${quoteName(cat.column)} ${e.op} ${example}`,
      );
    }
    if (lt.kind === "string" && rt.kind === "string")
      throw new FormulaSyntaxError(
        "this compares two strings, which is always the same",
        at.start,
        at.end,
        "compare a categorical column with a string",
      );
    const [num, str] = lt.kind === "string" ? [e.right, lt] : [e.left, rt as ValueType & { kind: "string" }];
    const asNumber = Number(str.value);
    throw new FormulaSyntaxError(
      `${describeType(NUMBER, num)} cannot be compared with the string ${JSON.stringify(str.value)}`,
      e.start,
      e.end,
      num.type === "column" && str.value.trim() !== "" && Number.isFinite(asNumber)
        ? `compare with a number: ${quoteName(num.name)} ${e.op} ${asNumber}`
        : "strings can only be compared with categorical columns",
    );
  }

  private inList(e: InList): ValueType {
    const t = this.visit(e.operand);
    if (t.kind === "string")
      throw new FormulaSyntaxError(
        "the left side of in must be a column or an expression, not a string",
        e.operand.start,
        e.operand.end,
        'write column in ("a", "b")',
      );
    for (const item of e.items) {
      this.types.set(item, item.type === "string" ? { kind: "string", value: item.value } : NUMBER);
      if (t.kind === "category") {
        if (item.type !== "string")
          throw new FormulaSyntaxError(
            `the categorical column "${t.column}" can only be matched against strings`,
            item.start,
            item.end,
            `write the value as a string: "${item.type === "number" ? String(item.value) : String(item.value)}"`,
          );
        this.literal(t.column, item.value);
      } else if (item.type === "string")
        throw new FormulaSyntaxError(
          `${describeType(t, e.operand)} can only be matched against numbers`,
          item.start,
          item.end,
          "use numbers in the list, or match a categorical column against strings",
        );
    }
    return NUMBER;
  }

  private call(e: Call): ValueType {
    if (e.name === "is_missing") {
      const t = this.visit(e.args[0]!);
      if (t.kind === "string")
        throw new FormulaSyntaxError(
          "is_missing() needs a column or an expression, not a string",
          e.args[0]!.start,
          e.args[0]!.end,
          "is_missing(column)",
        );
      return NUMBER;
    }
    if (e.name === "coalesce") return this.coalesce(e);
    for (const a of e.args) this.number(a, `as an argument of ${e.name}()`);
    return NUMBER;
  }

  private coalesce(e: Call): ValueType {
    const types = e.args.map((a) => this.visit(a));
    const cats = types.filter((t): t is ValueType & { kind: "category" } => t.kind === "category");
    if (cats.length === 0) {
      const s = e.args.findIndex((_, i) => types[i]!.kind === "string");
      if (s >= 0)
        throw new FormulaSyntaxError(
          "coalesce() gets a string but no categorical column",
          e.args[s]!.start,
          e.args[s]!.end,
          'use strings with a categorical column: coalesce(gender, "unknown") == "unknown"',
        );
      return NUMBER;
    }
    const column = cats[0]!.column;
    for (let i = 0; i < e.args.length; i++) {
      const t = types[i]!;
      const a = e.args[i]!;
      if (t.kind === "number")
        throw new FormulaSyntaxError(
          `coalesce() mixes the categorical column "${column}" with a number`,
          a.start,
          a.end,
          `give strings as the fallbacks of a categorical column: coalesce(${quoteName(column)}, "unknown")`,
        );
      if (t.kind === "category" && t.column !== column)
        throw new FormulaSyntaxError(
          `coalesce() mixes two categorical columns ("${column}" and "${t.column}")`,
          a.start,
          a.end,
          "coalesce one categorical column with string fallbacks",
        );
      if (t.kind === "string") this.literal(column, t.value);
    }
    return { kind: "category", column };
  }
}
