/**
 * The formula compiler: a checked syntax tree → one closure `(registers) => number`.
 *
 * Registers are a `Float64Array` the caller fills: a numeric column's value (NaN = missing), or
 * a categorical column's code in the caller's own code space (NaN = missing, any code that no
 * literal has = a category the formula does not mention). The closure is the only evaluator:
 * a whole batch and a single record run the very same function, so they agree bit for bit.
 *
 * Semantics:
 * - every arithmetic result that is ±Infinity or NaN becomes missing (NaN), at every step, so
 *   `coalesce(x / 0, 1)` is 1;
 * - a missing operand makes the result missing, except in `and`/`or` (three-valued logic:
 *   `0 and missing` is 0, `1 or missing` is 1), `is_missing` and `coalesce`;
 * - conditions are true when non-zero; comparisons give 1 or 0.
 */
import { SluiceError } from "../../errors.js";
import type { Call, Expr } from "./ast.js";
import type { CheckedFormula } from "./checker.js";
import { dayOf, hourOf, monthOf, weekdayOf, yearOf } from "./datetime.js";

/** A compiled formula bound to registers. */
export type Evaluator = (registers: Float64Array) => number;

/** Where the compiled code finds each column, and how categorical literals are coded. */
export interface FormulaBinding {
  /** The register holding `column`. */
  slot(column: string): number;
  /** The code that the register of categorical `column` holds when its value is `literal`. */
  code(column: string, literal: string): number;
}

/** x when finite, else NaN: a formula never produces ±Infinity. */
export function finite(x: number): number {
  return x - x === 0 ? x : NaN;
}

/** Round half away from zero (2.5 → 3, -2.5 → -3), keeping the sign of zero. */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** Compile a checked tree into an evaluator over registers laid out by `binding`. */
export function compile(ast: Expr, checked: CheckedFormula, binding: FormulaBinding): Evaluator {
  return new Compiler(checked, binding).number(ast);
}

const UNARY_MATH: Readonly<Partial<Record<Call["name"], (x: number) => number>>> = {
  log: Math.log,
  log1p: Math.log1p,
  exp: Math.exp,
  sqrt: Math.sqrt,
  abs: Math.abs,
  floor: Math.floor,
  ceil: Math.ceil,
  round: roundHalfAway,
  hour: hourOf,
  weekday: weekdayOf,
  day: dayOf,
  month: monthOf,
  year: yearOf,
};

class Compiler {
  constructor(
    private readonly checked: CheckedFormula,
    private readonly binding: FormulaBinding,
  ) {}

  private internal(e: Expr): SluiceError {
    return new SluiceError("E_INTERNAL", `formula compiler: unexpected ${e.type} node at ${e.start}`);
  }

  /** A categorical value: an evaluator giving codes in the binding's space for `column`. */
  private category(e: Expr, column: string): Evaluator {
    if (e.type === "string") {
      const k = this.binding.code(column, e.value);
      return () => k;
    }
    if (e.type === "column") {
      const s = this.binding.slot(e.name);
      return (r) => r[s] as number;
    }
    if (e.type === "call" && e.name === "coalesce")
      return coalesce(e.args.map((a) => this.category(a, column)));
    throw this.internal(e);
  }

  private columnOf(e: Expr): string | undefined {
    const t = this.checked.types.get(e);
    return t?.kind === "category" ? t.column : undefined;
  }

  number(e: Expr): Evaluator {
    switch (e.type) {
      case "number": {
        const v = e.value;
        return () => v;
      }
      case "boolean": {
        const v = e.value ? 1 : 0;
        return () => v;
      }
      case "column": {
        const s = this.binding.slot(e.name);
        return (r) => r[s] as number;
      }
      case "string":
        throw this.internal(e);
      case "unary": {
        const f = this.number(e.operand);
        if (e.op === "-") return (r) => -f(r);
        return (r) => {
          const x = f(r);
          return x !== x ? NaN : x === 0 ? 1 : 0;
        };
      }
      case "in":
        return this.inList(e);
      case "call":
        return this.call(e);
      case "binary":
        break;
    }
    const { op } = e;
    if (op === "==" || op === "!=") {
      const lc = this.columnOf(e.left);
      const rc = this.columnOf(e.right);
      const column = lc ?? rc;
      if (column !== undefined) {
        const [catSide, strSide] = lc !== undefined ? [e.left, e.right] : [e.right, e.left];
        if (strSide.type !== "string") throw this.internal(strSide);
        const f = this.category(catSide, column);
        const k = this.binding.code(column, strSide.value);
        const hit = op === "==" ? 1 : 0;
        const miss = 1 - hit;
        return (r) => {
          const c = f(r);
          return c !== c ? NaN : c === k ? hit : miss;
        };
      }
    }
    const a = this.number(e.left);
    const b = this.number(e.right);
    switch (op) {
      case "+":
        return (r) => finite(a(r) + b(r));
      case "-":
        return (r) => finite(a(r) - b(r));
      case "*":
        return (r) => finite(a(r) * b(r));
      case "/":
        return (r) => finite(a(r) / b(r));
      case "%":
        return (r) => finite(a(r) % b(r));
      case "^":
        // Math.pow(NaN, 0) is 1; a missing base must stay missing.
        return (r) => {
          const x = a(r);
          const y = b(r);
          return x !== x || y !== y ? NaN : finite(Math.pow(x, y));
        };
      case "==":
        return (r) => {
          const x = a(r);
          const y = b(r);
          return x !== x || y !== y ? NaN : x === y ? 1 : 0;
        };
      case "!=":
        return (r) => {
          const x = a(r);
          const y = b(r);
          return x !== x || y !== y ? NaN : x !== y ? 1 : 0;
        };
      case "<":
        return (r) => {
          const x = a(r);
          const y = b(r);
          return x !== x || y !== y ? NaN : x < y ? 1 : 0;
        };
      case "<=":
        return (r) => {
          const x = a(r);
          const y = b(r);
          return x !== x || y !== y ? NaN : x <= y ? 1 : 0;
        };
      case ">":
        return (r) => {
          const x = a(r);
          const y = b(r);
          return x !== x || y !== y ? NaN : x > y ? 1 : 0;
        };
      case ">=":
        return (r) => {
          const x = a(r);
          const y = b(r);
          return x !== x || y !== y ? NaN : x >= y ? 1 : 0;
        };
      case "and":
        return (r) => {
          const x = a(r);
          if (x === 0) return 0;
          const y = b(r);
          if (y === 0) return 0;
          return x !== x || y !== y ? NaN : 1;
        };
      case "or":
        return (r) => {
          const x = a(r);
          if (x === x && x !== 0) return 1;
          const y = b(r);
          if (y === y && y !== 0) return 1;
          return x !== x || y !== y ? NaN : 0;
        };
    }
  }

  private inList(e: Extract<Expr, { type: "in" }>): Evaluator {
    const column = this.columnOf(e.operand);
    const hit = e.negated ? 0 : 1;
    const miss = 1 - hit;
    let f: Evaluator;
    const values = new Float64Array(e.items.length);
    if (column !== undefined) {
      f = this.category(e.operand, column);
      e.items.forEach((item, i) => (values[i] = this.binding.code(column, String(item.value))));
    } else {
      f = this.number(e.operand);
      e.items.forEach((item, i) => {
        if (item.type === "string") throw this.internal(item);
        values[i] = item.type === "boolean" ? (item.value ? 1 : 0) : item.value;
      });
    }
    const n = values.length;
    return (r) => {
      const x = f(r);
      if (x !== x) return NaN;
      for (let i = 0; i < n; i++) if (x === values[i]) return hit;
      return miss;
    };
  }

  private call(e: Call): Evaluator {
    const math = UNARY_MATH[e.name];
    if (math !== undefined) {
      const f = this.number(e.args[0]!);
      return (r) => finite(math(f(r)));
    }
    switch (e.name) {
      case "if": {
        const [c, a, b] = e.args.map((x) => this.number(x)) as [Evaluator, Evaluator, Evaluator];
        return (r) => {
          const x = c(r);
          return x !== x ? NaN : x !== 0 ? a(r) : b(r);
        };
      }
      case "min":
      case "max": {
        const fs = e.args.map((x) => this.number(x));
        const pick = e.name === "min" ? Math.min : Math.max;
        if (fs.length === 1) return fs[0]!;
        if (fs.length === 2) {
          const [a, b] = fs as [Evaluator, Evaluator];
          return (r) => pick(a(r), b(r));
        }
        return (r) => {
          let acc = fs[0]!(r);
          for (let i = 1; i < fs.length; i++) acc = pick(acc, fs[i]!(r));
          return acc;
        };
      }
      case "clip": {
        const [x, lo, hi] = e.args.map((a) => this.number(a)) as [Evaluator, Evaluator, Evaluator];
        return (r) => Math.min(Math.max(x(r), lo(r)), hi(r));
      }
      case "pow": {
        const [a, b] = e.args.map((x) => this.number(x)) as [Evaluator, Evaluator];
        return (r) => {
          const x = a(r);
          const y = b(r);
          return x !== x || y !== y ? NaN : finite(Math.pow(x, y));
        };
      }
      case "is_missing": {
        const arg = e.args[0]!;
        const column = this.columnOf(arg);
        const f = column !== undefined ? this.category(arg, column) : this.number(arg);
        return (r) => {
          const x = f(r);
          return x !== x ? 1 : 0;
        };
      }
      case "coalesce":
        return coalesce(e.args.map((x) => this.number(x)));
      default:
        throw this.internal(e);
    }
  }
}

function coalesce(fs: readonly Evaluator[]): Evaluator {
  const n = fs.length;
  return (r) => {
    for (let i = 0; i < n; i++) {
      const x = fs[i]!(r);
      if (x === x) return x;
    }
    return NaN;
  };
}
