/**
 * A deliberately naive interpreter of formula trees, for tests: walks the tree on every call,
 * represents missing as its own value rather than NaN, and reads calendar fields through
 * `Date`. It shares nothing with the compiler but the parser's tree, so agreement between the
 * two on random formulas checks the compiler's semantics.
 */
import type { Expr } from "../formula/ast.js";

const MISSING = Symbol("missing");
type Value = number | string | typeof MISSING;

function num(v: Value): number | typeof MISSING {
  if (v === MISSING) return MISSING;
  if (typeof v === "string") throw new Error(`naive: a string where a number belongs: ${v}`);
  return v;
}

function finiteOr(x: number): number | typeof MISSING {
  return Number.isFinite(x) ? x : MISSING;
}

function truth(v: Value): "T" | "F" | "U" {
  const x = num(v);
  return x === MISSING ? "U" : x !== 0 ? "T" : "F";
}

function round(x: number): number {
  const a = Math.abs(x);
  const f = Math.floor(a);
  const r = a - f >= 0.5 ? f + 1 : f;
  return x < 0 || Object.is(x, -0) ? -r : r;
}

function calendar(t: number, field: string): number | typeof MISSING {
  // Date truncates fractional milliseconds toward zero; the instant -0.5 ms is still in 1969.
  const d = new Date(Math.floor(t));
  if (Number.isNaN(d.getTime())) return MISSING;
  switch (field) {
    case "hour":
      return d.getUTCHours();
    case "weekday":
      return (d.getUTCDay() + 6) % 7;
    case "day":
      return d.getUTCDate();
    case "month":
      return d.getUTCMonth() + 1;
    default:
      return d.getUTCFullYear();
  }
}

/** Evaluate `e` on a record (numbers for numeric columns, strings for categorical ones, null = missing). */
export function naiveEvaluate(e: Expr, record: Readonly<Record<string, number | string | null>>): number {
  const v = visit(e, record);
  if (typeof v === "string") throw new Error("naive: string result");
  return v === MISSING ? NaN : v;
}

function visit(e: Expr, rec: Readonly<Record<string, number | string | null>>): Value {
  switch (e.type) {
    case "number":
      return e.value;
    case "boolean":
      return e.value ? 1 : 0;
    case "string":
      return e.value;
    case "column": {
      const raw = rec[e.name];
      if (raw === null || raw === undefined || raw === "") return MISSING;
      if (typeof raw === "string") return raw;
      return Number.isFinite(raw) ? raw : MISSING;
    }
    case "unary": {
      if (e.op === "-") {
        const x = num(visit(e.operand, rec));
        return x === MISSING ? MISSING : -x;
      }
      const t = truth(visit(e.operand, rec));
      return t === "U" ? MISSING : t === "T" ? 0 : 1;
    }
    case "in": {
      const x = visit(e.operand, rec);
      if (x === MISSING) return MISSING;
      const found = e.items.some(
        (item) => (item.type === "boolean" ? (item.value ? 1 : 0) : item.value) === x,
      );
      return found !== e.negated ? 1 : 0;
    }
    case "call":
      return call(e.name, e.args, rec);
    case "binary":
      break;
  }
  const { op } = e;
  if (op === "and" || op === "or") {
    const a = truth(visit(e.left, rec));
    const b = truth(visit(e.right, rec));
    if (op === "and") return a === "F" || b === "F" ? 0 : a === "U" || b === "U" ? MISSING : 1;
    return a === "T" || b === "T" ? 1 : a === "U" || b === "U" ? MISSING : 0;
  }
  const l = visit(e.left, rec);
  const r = visit(e.right, rec);
  if (l === MISSING || r === MISSING) return MISSING;
  if (op === "==") return l === r ? 1 : 0;
  if (op === "!=") return l !== r ? 1 : 0;
  const a = l as number;
  const b = r as number;
  switch (op) {
    case "<":
      return a < b ? 1 : 0;
    case "<=":
      return a <= b ? 1 : 0;
    case ">":
      return a > b ? 1 : 0;
    case ">=":
      return a >= b ? 1 : 0;
    case "+":
      return finiteOr(a + b);
    case "-":
      return finiteOr(a - b);
    case "*":
      return finiteOr(a * b);
    case "/":
      return finiteOr(a / b);
    case "%":
      return finiteOr(a % b);
    default:
      return finiteOr(a ** b);
  }
}

function call(
  name: string,
  args: readonly Expr[],
  rec: Readonly<Record<string, number | string | null>>,
): Value {
  if (name === "if") {
    const c = truth(visit(args[0]!, rec));
    return c === "U" ? MISSING : visit(args[c === "T" ? 1 : 2]!, rec);
  }
  const values = args.map((a) => visit(a, rec));
  if (name === "is_missing") return values[0] === MISSING ? 1 : 0;
  if (name === "coalesce") return values.find((v) => v !== MISSING) ?? MISSING;
  if (values.some((v) => v === MISSING)) return MISSING;
  const xs = values as number[];
  const x = xs[0]!;
  switch (name) {
    case "log":
      return finiteOr(Math.log(x));
    case "log1p":
      return finiteOr(Math.log1p(x));
    case "exp":
      return finiteOr(Math.exp(x));
    case "sqrt":
      return finiteOr(Math.sqrt(x));
    case "abs":
      return Math.abs(x);
    case "floor":
      return Math.floor(x);
    case "ceil":
      return Math.ceil(x);
    case "round":
      return round(x);
    case "pow":
      return finiteOr(x ** xs[1]!);
    case "min":
      return Math.min(...xs);
    case "max":
      return Math.max(...xs);
    case "clip": {
      // As NumPy: raise to the low bound, then cap at the high one (so high wins when low > high).
      const raised = x < xs[1]! ? xs[1]! : x;
      return raised > xs[2]! ? xs[2]! : raised;
    }
    default:
      return calendar(x, name);
  }
}
