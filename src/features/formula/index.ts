/**
 * The formula language of `features.derived` and `features.binary`: a hand-written tokenizer,
 * a recursive-descent parser, a type checker and a compiler to closures over a `Float64Array`
 * of registers. No `eval`, no `new Function`, no property access: column names are looked up
 * in a `Map`, and only the listed functions can be called.
 */
import { SluiceError } from "../../errors.js";
import { categoricalField, numericField, recordError, ownField, type FieldIssue } from "../values.js";
import type { Expr } from "./ast.js";
import { check, type FormulaColumns } from "./checker.js";
import { compile, type Evaluator, type FormulaBinding } from "./compiler.js";
import { FormulaSyntaxError, formulaError } from "./errors.js";
import { parse } from "./parser.js";

export type { Expr, BinaryOp, FunctionName, Literal } from "./ast.js";
export { FUNCTIONS } from "./ast.js";
export type { FormulaColumn, FormulaColumns, ValueType } from "./checker.js";
export { quoteName } from "./checker.js";
export type { Evaluator, FormulaBinding } from "./compiler.js";
export { finite, roundHalfAway } from "./compiler.js";
export { MAX_DEPTH } from "./parser.js";
export { MAX_SOURCE_LENGTH, MAX_TOKENS } from "./tokenizer.js";
export { hourOf, weekdayOf, dayOf, monthOf, yearOf } from "./datetime.js";

/** A parsed and checked formula, ready to be bound to registers. */
export interface CompiledFormula {
  /** The formula as written. */
  readonly source: string;
  /** What the formula is called in messages, e.g. `features.derived.ratio`. */
  readonly where: string;
  readonly ast: Expr;
  /** The columns the formula reads, in order of first use. */
  readonly columns: readonly string[];
  /** For each categorical column the formula reads, the strings it is compared with. */
  readonly literals: ReadonlyMap<string, readonly string[]>;
  /** An evaluator over registers laid out by `binding`. */
  bind(binding: FormulaBinding): Evaluator;
  /**
   * Evaluate on one record of plain values (numbers for numeric columns, strings for
   * categorical ones, null for missing). Gives NaN for a missing result.
   *
   * @throws SluiceError E_RECORD when a value has the wrong type.
   */
  evaluate(values: Readonly<Record<string, unknown>>): number;
}

export interface CompileOptions {
  /** What to call the formula in errors (default `formula`). */
  where?: string;
}

/**
 * Parse, check and compile a formula against a column environment.
 *
 * @throws SluiceError E_FORMULA naming the formula, showing it with a caret under the problem,
 *   and saying what was expected.
 * @example
 * const columns = new Map([["total", { kind: "numeric" }], ["tenure", { kind: "numeric" }], ["contract", { kind: "categorical" }]]);
 * const f = compileFormula('total / (tenure + 1) * (contract == "Month-to-month")', columns);
 * f.evaluate({ total: 100, tenure: 4, contract: "Month-to-month" }); // 20
 * f.evaluate({ total: 100, tenure: null, contract: "Two year" });     // NaN (missing)
 */
export function compileFormula(
  source: string,
  columns: FormulaColumns,
  options: CompileOptions = {},
): CompiledFormula {
  const where = options.where ?? "formula";
  let ast: Expr;
  let checked: ReturnType<typeof check>;
  try {
    ast = parse(source);
    checked = check(ast, columns);
  } catch (err) {
    if (err instanceof FormulaSyntaxError) throw formulaError(where, source, err);
    throw err;
  }
  const order = checked.columns;
  const slotOf = new Map(order.map((c, i) => [c, i]));
  const local: FormulaBinding = {
    slot: (c) => slotOf.get(c)!,
    code: (c, lit) => checked.literals.get(c)!.indexOf(lit),
  };
  let standalone: Evaluator | undefined;
  return {
    source,
    where,
    ast,
    columns: order,
    literals: checked.literals,
    bind: (binding) => compile(ast, checked, binding),
    evaluate(values) {
      standalone ??= compile(ast, checked, local);
      const registers = new Float64Array(order.length);
      const issues: FieldIssue[] = [];
      order.forEach((name, i) => {
        const col = columns.get(name)!;
        const raw = ownField(values, name);
        if (col.kind === "numeric") {
          const v = numericField(name, col.dtype ?? "float", raw);
          if (typeof v === "number") registers[i] = v;
          else issues.push(v);
        } else {
          const v = categoricalField(name, raw);
          if (v !== null && typeof v === "object") issues.push(v);
          else registers[i] = v === null ? NaN : (checked.literals.get(name)?.indexOf(v) ?? -1);
        }
      });
      if (issues.length > 0) throw recordError(issues);
      return standalone(registers);
    },
  };
}

/** True for the E_FORMULA errors of {@link compileFormula}. */
export function isFormulaError(err: unknown): err is SluiceError {
  return err instanceof SluiceError && err.code === "E_FORMULA";
}
