/**
 * The syntax tree of a feature formula. Every node keeps the span of source text it came from
 * (`start` inclusive, `end` exclusive, in UTF-16 code units) so that errors found after parsing
 * can still point at the right characters.
 */

/** Binary operators, by the token a user writes (`&&`/`||` are read as `and`/`or`). */
export type BinaryOp =
  "or" | "and" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "+" | "-" | "*" | "/" | "%" | "^";

/** The functions a formula may call, and nothing else. */
export const FUNCTIONS = {
  if: { min: 3, max: 3 },
  log: { min: 1, max: 1 },
  log1p: { min: 1, max: 1 },
  exp: { min: 1, max: 1 },
  sqrt: { min: 1, max: 1 },
  abs: { min: 1, max: 1 },
  min: { min: 1, max: Infinity },
  max: { min: 1, max: Infinity },
  clip: { min: 3, max: 3 },
  round: { min: 1, max: 1 },
  floor: { min: 1, max: 1 },
  ceil: { min: 1, max: 1 },
  pow: { min: 2, max: 2 },
  is_missing: { min: 1, max: 1 },
  coalesce: { min: 1, max: Infinity },
  hour: { min: 1, max: 1 },
  weekday: { min: 1, max: 1 },
  day: { min: 1, max: 1 },
  month: { min: 1, max: 1 },
  year: { min: 1, max: 1 },
} as const satisfies Record<string, { min: number; max: number }>;

export type FunctionName = keyof typeof FUNCTIONS;

/** The functions that read a number as a UTC timestamp in epoch milliseconds. */
export const DATETIME_FUNCTIONS: ReadonlySet<string> = new Set(["hour", "weekday", "day", "month", "year"]);

interface Span {
  readonly start: number;
  readonly end: number;
}

export interface NumberLiteral extends Span {
  readonly type: "number";
  readonly value: number;
}
export interface StringLiteral extends Span {
  readonly type: "string";
  readonly value: string;
}
export interface BooleanLiteral extends Span {
  readonly type: "boolean";
  readonly value: boolean;
}
export interface ColumnRef extends Span {
  readonly type: "column";
  readonly name: string;
}
export interface Unary extends Span {
  readonly type: "unary";
  readonly op: "-" | "not";
  readonly operand: Expr;
}
export interface Binary extends Span {
  readonly type: "binary";
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
  /** Where the operator itself is, for errors about it. */
  readonly opStart: number;
  readonly opEnd: number;
}
export interface InList extends Span {
  readonly type: "in";
  readonly operand: Expr;
  readonly items: readonly (NumberLiteral | StringLiteral | BooleanLiteral)[];
  /** `x not in (…)`. */
  readonly negated: boolean;
}
export interface Call extends Span {
  readonly type: "call";
  readonly name: FunctionName;
  readonly args: readonly Expr[];
}

export type Literal = NumberLiteral | StringLiteral | BooleanLiteral;
export type Expr = Literal | ColumnRef | Unary | Binary | InList | Call;
