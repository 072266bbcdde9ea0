/**
 * `inferSchema`: a first draft of the dataset schema from the data, for `sluice init` and
 * `sluice schema infer`. It is meant to pass on the data it came from and to be predictable, so
 * it writes down what is plainly true and never pins ranges to the sample.
 *
 * Rules, per column (keys in the frame's column order):
 * - type: a numeric column read as true/false is `boolean`, as dates `datetime`; other numbers
 *   are `integer` when every value is a whole number (0/1 columns included), else `number`;
 *   categories are `category` (yes/no text included); free text is `string`.
 * - role: the target is `target`. A column is an `id` when its present values are all different
 *   and either its name looks like an identifier (`id`, `uuid`, `key` as the last word:
 *   `customer_id`, `customerID`, `OrderKey`), or it is text with at least 50 values, or it holds
 *   strictly increasing whole numbers in at least 50 rows (row numbers). Ids get `unique: true`,
 *   and an id read as categories is typed `string`.
 * - nullable: false when no value is missing (the target too).
 * - values: the categories of a categorical column with at most 50 of them (not for ids).
 * - max_null_fraction: for columns with missing values, twice the observed share rounded up to
 *   the next of 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75 (none when that would reach 1).
 * - min: 0 for integer and number columns (not ids) whose values are never negative.
 * - mostly: for a numeric column with cells that did not parse, the share that did, rounded down
 *   to two decimals, so the draft passes on its own data while the type check still lists them.
 */
import type { Column, Frame } from "../data/frame.js";
import type { ColumnRule, ColumnType, DatasetSchema } from "../project/schema.js";
import { ID_LIKE_MIN_ROWS } from "./leakage.js";
import { sortedPresent } from "./stats.js";

/** Categorical columns with at most this many categories get a `values` list. */
export const MAX_INFERRED_VALUES = 50;
const NULL_FRACTION_STEPS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75] as const;

/** Names that say "identifier": a last word id/uuid/key, snake_case or camelCase. */
export function looksLikeIdName(name: string): boolean {
  return /(^|[_\s.-])(id|uuid|guid|key)$/i.test(name) || /[a-z0-9](Id|ID|Uuid|UUID|Key|KEY)$/.test(name);
}

interface ColumnFacts {
  present: number;
  missing: number;
  invalid: number;
  allInteger: boolean;
  negative: boolean;
  /** No repeated present value. Only settled for id candidates; false for other columns. */
  unique: boolean;
  increasing: boolean;
  /** Used categories in dictionary (code-point) order, for categorical columns. */
  categories?: string[];
}

function factsOf(c: Column): ColumnFacts {
  if (c.kind === "numeric") {
    let present = 0;
    let allInteger = true;
    let increasing = true;
    let prev = -Infinity;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < c.values.length; i++) {
      const x = c.values[i]!;
      if (x !== x) continue;
      present++;
      if (!Number.isInteger(x)) allInteger = false;
      if (x <= prev) increasing = false;
      prev = x;
      if (x < min) min = x;
      if (x > max) max = x;
    }
    // Uniqueness only matters for id candidates, and a sort is the costly part: settle it
    // without one where possible (strictly increasing is unique; more whole numbers than the
    // range holds must repeat).
    let unique: boolean;
    if (present === 0) unique = false;
    else if (increasing) unique = true;
    else if (allInteger && max - min + 1 < present) unique = false;
    else if (allInteger || looksLikeIdName(c.name)) {
      const sorted = sortedPresent(c.values);
      unique = true;
      for (let i = 1; i < sorted.length && unique; i++) if (sorted[i] === sorted[i - 1]) unique = false;
    } else unique = false;
    return {
      present,
      missing: c.values.length - present - c.invalid.size,
      invalid: c.invalid.size,
      allInteger: allInteger && present > 0,
      negative: present > 0 && min < 0,
      unique,
      increasing: increasing && present > 0,
    };
  }
  if (c.kind === "categorical") {
    const counts = new Int32Array(c.dictionary.length);
    let missing = 0;
    for (let i = 0; i < c.codes.length; i++) {
      const g = c.codes[i]!;
      if (g < 0) missing++;
      else counts[g]!++;
    }
    const categories: string[] = [];
    let unique = true;
    for (let g = 0; g < counts.length; g++) {
      if (counts[g]! > 0) categories.push(c.dictionary[g]!);
      if (counts[g]! > 1) unique = false;
    }
    return {
      present: c.codes.length - missing,
      missing,
      invalid: 0,
      allInteger: false,
      negative: false,
      unique,
      increasing: false,
      categories,
    };
  }
  const seen = new Set<string>();
  let missing = 0;
  let unique = true;
  for (const v of c.values) {
    if (v === null || v === undefined) missing++;
    else if (unique) {
      if (seen.has(v)) unique = false;
      else seen.add(v);
    }
  }
  return {
    present: c.values.length - missing,
    missing,
    invalid: 0,
    allInteger: false,
    negative: false,
    unique,
    increasing: false,
  };
}

function typeOf(c: Column, facts: ColumnFacts): ColumnType {
  if (c.kind === "categorical") return "category";
  if (c.kind === "text") return "string";
  if (c.dtype === "boolean") return "boolean";
  if (c.dtype === "datetime") return "datetime";
  return facts.allInteger ? "integer" : "number";
}

function isId(c: Column, facts: ColumnFacts, type: ColumnType): boolean {
  if (!facts.unique || facts.present === 0 || type === "boolean") return false;
  if (looksLikeIdName(c.name)) return true;
  if (c.kind !== "numeric") return c.kind === "text" && facts.present >= ID_LIKE_MIN_ROWS;
  return type === "integer" && facts.increasing && facts.present >= ID_LIKE_MIN_ROWS;
}

/** A missing-value limit with room above the observed share, on a short ladder of round numbers. */
export function nullFractionLimit(observed: number): number | undefined {
  const wanted = 2 * observed;
  for (const step of NULL_FRACTION_STEPS) if (step >= wanted) return step;
  return undefined;
}

/**
 * Draft a dataset schema from a frame (see the rules at the top of this file).
 *
 * @example
 * const frame = await readFrame("customers.csv");
 * const schema = inferSchema(frame, { target: "churn" });
 * // { customer_id: { type: "string", role: "id", unique: true, nullable: false, … }, age: { type: "integer", min: 0, … }, … }
 */
export function inferSchema(frame: Frame, options: { target?: string } = {}): DatasetSchema {
  const schema: DatasetSchema = {};
  const n = frame.nRows;
  for (const c of frame.columns) {
    const facts = factsOf(c);
    const type = typeOf(c, facts);
    const target = c.name === options.target;
    const id = !target && isId(c, facts, type);
    const rule: ColumnRule = {
      // An id read as categories (few rows) is still text, not a category to one-hot encode.
      type: id && type === "category" ? "string" : type,
      role: target ? "target" : id ? "id" : "feature",
      nullable: facts.missing > 0,
      unique: id,
      severity: "error",
    };
    if (!id && (type === "integer" || type === "number") && facts.present > 0 && !facts.negative)
      rule.min = 0;
    if (
      !id &&
      facts.categories !== undefined &&
      facts.categories.length > 0 &&
      facts.categories.length <= MAX_INFERRED_VALUES
    )
      rule.values = facts.categories;
    if (facts.missing > 0 && n > 0) {
      const limit = nullFractionLimit(facts.missing / n);
      if (limit !== undefined) rule.max_null_fraction = limit;
    }
    if (facts.invalid > 0) {
      const parsedShare = facts.present / (facts.present + facts.invalid);
      rule.mostly = Math.max(0.01, Math.floor(parsedShare * 100) / 100);
    }
    schema[c.name] = rule;
  }
  return schema;
}
