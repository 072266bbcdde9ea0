/**
 * Checks about the file as a whole: the number of rows, fully repeated rows and columns the
 * schema does not name. Each runs at the level `validation:` gives it; `off` skips it.
 */
import type { Frame } from "../data/frame.js";
import type { DatasetSchema, ValidationConfig } from "../project/schema.js";
import { count, listing } from "../util/text.js";
import { duplicateRows } from "./duplicates.js";
import { type Outcome, formatExamples, percent } from "./outcome.js";
import type { CheckExample } from "./types.js";

/** The row-count check, when `validation.rows` sets a bound. Always error level. */
export function checkRowCount(frame: Frame, bounds: ValidationConfig["rows"]): Outcome[] {
  if (bounds === undefined || (bounds.min === undefined && bounds.max === undefined)) return [];
  const n = frame.nRows;
  const { min, max } = bounds;
  const low = min !== undefined && n < min;
  const high = max !== undefined && n > max;
  const range =
    min !== undefined && max !== undefined
      ? `between ${count(min)} and ${count(max)}`
      : min !== undefined
        ? `at least ${count(min)}`
        : `at most ${count(max!)}`;
  const message = low
    ? `the data has ${count(n)} rows, fewer than the ${count(min)} validation.rows.min asks for; check that the export is complete`
    : high
      ? `the data has ${count(n)} rows, more than the ${count(max)} validation.rows.max allows; check for a repeated or wrong export`
      : `the data has ${count(n)} rows (${range})`;
  const threshold = low ? min : high ? max : (min ?? max);
  return [
    {
      result: {
        check: "rows",
        level: "error",
        passed: !low && !high,
        failingRows: 0,
        fraction: 0,
        ...(threshold === undefined ? {} : { threshold }),
        observed: n,
        message,
        examples: [],
      },
    },
  ];
}

/** Fully repeated rows: every copy after the first fails. */
export function checkDuplicateRows(
  frame: Frame,
  level: ValidationConfig["duplicate_rows"],
  maxExamples: number,
): Outcome[] {
  if (level === "off") return [];
  const { rows, firstOf } = duplicateRows(frame);
  const n = frame.nRows;
  const examples: CheckExample[] = [];
  for (let i = 0; i < rows.length && i < maxExamples; i++)
    examples.push({ row: rows[i]! + 1, value: `same as row ${count(firstOf[i]! + 1)}` });
  const fraction = n === 0 ? 0 : rows.length / n;
  const message =
    rows.length === 0
      ? "no row repeats another"
      : `${count(rows.length)} of ${count(n)} rows (${percent(fraction)}) repeat an earlier row in every column, e.g. ${formatExamples(examples)}; remove the copies (or quarantine them), or set validation.duplicate_rows: off if repeats are expected`;
  const reason = (row: number): string => {
    // rows is ascending: find the row's slot to name the row it repeats.
    let lo = 0;
    let hi = rows.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (rows[mid]! < row) lo = mid + 1;
      else hi = mid;
    }
    return `repeats row ${firstOf[lo]! + 1}`;
  };
  return [
    {
      result: {
        check: "duplicate_rows",
        level,
        passed: rows.length === 0,
        failingRows: rows.length,
        fraction,
        message,
        examples,
      },
      rows,
      reason,
    },
  ];
}

/** Columns in the data that a non-empty schema does not name. */
export function checkUnexpectedColumns(
  frame: Frame,
  schema: DatasetSchema,
  level: ValidationConfig["unexpected_columns"],
): Outcome[] {
  if (level === "off" || Object.keys(schema).length === 0) return [];
  const extra = frame.names.filter((n) => !Object.hasOwn(schema, n));
  const message =
    extra.length === 0
      ? "every column in the data is in the schema"
      : `${extra.length === 1 ? "column" : `${extra.length} columns`} ${listing(extra.map((n) => `"${n}"`))} ${extra.length === 1 ? "is" : "are"} in the data but not in the schema; add ${extra.length === 1 ? "a rule" : "rules"} (\`sluice schema infer\` drafts them), or set validation.unexpected_columns: off`;
  return [
    {
      result: {
        check: "unexpected_columns",
        level,
        passed: extra.length === 0,
        failingRows: 0,
        fraction: 0,
        columns: extra,
        message,
        examples: [],
      },
    },
  ];
}
