/**
 * How raw values become feature inputs. One rule set for frames and records, so that a value
 * means the same thing in a training batch and in a serving request:
 *
 * - numbers: NaN, +Infinity and -Infinity are missing;
 * - numeric fields of a record take numbers, booleans (true → 1, false → 0) and, for datetime
 *   fields, ISO 8601 text (UTC when no offset is given); null and undefined are missing;
 * - categorical fields take strings ("" is missing, as in CSV files), numbers (converted with
 *   `String(n)`, so 1 → "1"; non-finite numbers are missing) and booleans ("true"/"false").
 */
import type { NumericDType } from "../data/frame.js";
import { SluiceError } from "../errors.js";
import { describeValue } from "../util/text.js";

/** x when finite, else NaN: ±Infinity inputs are treated as missing. */
export function cleanNumber(x: number): number {
  return x - x === 0 ? x : NaN;
}

/** The category text of a number: `String(n)`, or null (missing) when it is not finite. */
export function numberToCategory(x: number): string | null {
  return x - x === 0 ? String(x) : null;
}

/** One wrong field of a record. */
export interface FieldIssue {
  field: string;
  expected: string;
  got: string;
  message: string;
}

const ISO_DATETIME =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?))?(Z|[+-]\d{2}:?\d{2})?$/;

/** Epoch milliseconds of ISO 8601 text (no offset → UTC), or undefined when it is not a valid date. */
export function parseIsoDatetime(text: string): number | undefined {
  const m = ISO_DATETIME.exec(text.trim());
  if (m === null) return undefined;
  const ms = Date.parse(`${m[1]!}T${m[2] ?? "00:00:00"}${m[3] ?? "Z"}`);
  return Number.isNaN(ms) ? undefined : ms;
}

function issue(field: string, expected: string, value: unknown): FieldIssue {
  const got = describeValue(value);
  return { field, expected, got, message: `field "${field}": expected ${expected}, got ${got}` };
}

/**
 * The numeric input of a record field, or a {@link FieldIssue} when the value has a wrong type.
 * Missing (null, undefined, non-finite) gives NaN.
 */
export function numericField(field: string, dtype: NumericDType, value: unknown): number | FieldIssue {
  if (typeof value === "number") return cleanNumber(value);
  if (value === null || value === undefined) return NaN;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (dtype === "datetime") {
    if (typeof value === "string") {
      const ms = parseIsoDatetime(value);
      if (ms !== undefined) return ms;
    }
    return issue(field, "a datetime (epoch milliseconds or ISO 8601 text)", value);
  }
  return issue(field, "a number", value);
}

/**
 * The categorical input of a record field as text, null when missing, or a {@link FieldIssue}.
 */
export function categoricalField(field: string, value: unknown): string | null | FieldIssue {
  if (typeof value === "string") return value === "" ? null : value;
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return numberToCategory(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  return issue(field, "a string", value);
}

/** The E_RECORD error for one or more wrong fields. */
export function recordError(issues: readonly FieldIssue[]): SluiceError {
  const first = issues[0]!;
  const message =
    issues.length === 1
      ? first.message
      : `${issues.length} fields have wrong types: ${issues.map((i) => i.message).join("; ")}`;
  return new SluiceError("E_RECORD", message, {
    details: { issues },
    hint: "send numbers for numeric fields, strings for categorical fields, and null for a missing value",
  });
}

/** The value of `record[field]` when it is the record's own property (never from its prototype). */
export function ownField(record: Readonly<Record<string, unknown>>, field: string): unknown {
  return Object.hasOwn(record, field) ? record[field] : undefined;
}
