/**
 * Reading a column as the type its rule declares. A column normally arrives already typed by
 * the rule; when it does not (a frame read without the schema, or built by hand), its text is
 * parsed here so the value checks still run and the type check can name the cells that are not
 * of the declared type.
 */
import type { Column } from "../data/frame.js";
import type { ColumnType } from "../project/schema.js";

/** The same words the CSV reader takes for booleans. */
const TRUE_WORDS = new Set(["true", "yes", "y", "t", "1"]);
const FALSE_WORDS = new Set(["false", "no", "n", "f", "0"]);

/** Rule types whose values are numbers in a frame (datetime as epoch milliseconds). */
export function isNumericType(t: ColumnType): boolean {
  return t === "integer" || t === "number" || t === "boolean" || t === "datetime";
}

/** A number from text, NaN when the text is not one (blank text is not 0). */
export function parseNumber(text: string): number {
  const t = text.trim();
  return t === "" ? NaN : Number(t);
}

/** 1, 0 or NaN from a true/false word (true/yes/y/t/1, false/no/n/f/0, any case). */
export function parseBoolean(text: string): number {
  const t = text.trim().toLowerCase();
  return TRUE_WORDS.has(t) ? 1 : FALSE_WORDS.has(t) ? 0 : NaN;
}

/** Text read as a value of a numeric rule type; NaN when it is not one. */
export function parseAs(type: ColumnType, text: string): number {
  switch (type) {
    case "integer": {
      const x = parseNumber(text);
      return Number.isInteger(x) ? x : NaN;
    }
    case "boolean":
      return parseBoolean(text);
    case "datetime": {
      const t = text.trim();
      return t === "" ? NaN : Date.parse(t);
    }
    default:
      return parseNumber(text);
  }
}

/**
 * The column's values as numbers, NaN where missing or not of `type`. A numeric column is
 * returned as is (no copy); a categorical one is parsed once per dictionary entry; a text one
 * once per row.
 */
export function numericView(c: Column, type: ColumnType): Float64Array {
  if (c.kind === "numeric") return c.values;
  const out = new Float64Array(c.kind === "categorical" ? c.codes.length : c.values.length);
  if (c.kind === "categorical") {
    const dict = new Float64Array(c.dictionary.length);
    for (let g = 0; g < dict.length; g++) dict[g] = parseAs(type, c.dictionary[g]!);
    for (let i = 0; i < out.length; i++) {
      const g = c.codes[i]!;
      out[i] = g < 0 ? NaN : dict[g]!;
    }
    return out;
  }
  for (let i = 0; i < out.length; i++) {
    const v = c.values[i];
    out[i] = v === null || v === undefined ? NaN : parseAs(type, v);
  }
  return out;
}

/** An allowed value from the schema (always text there) as a number for a numeric column. */
export function allowedNumber(text: string): number {
  const x = parseNumber(text);
  return Number.isNaN(x) ? parseBoolean(text) : x;
}
