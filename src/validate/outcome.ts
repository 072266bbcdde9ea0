/**
 * What a check produces before it joins the report: its public {@link CheckResult} plus, for
 * row-level checks, the failing rows as one ascending `Int32Array` and a way to say why one row
 * failed. Rows are collected into a growing typed buffer, never one object per row.
 */
import type { Cell } from "../data/frame.js";
import { count } from "../util/text.js";
import type { CheckExample, CheckName, CheckResult } from "./types.js";

/** A check's result with its row-level detail (kept in memory, not in the JSON report). */
export interface Outcome {
  result: CheckResult;
  /** Failing rows (0-based, ascending), for row-level checks. */
  rows?: Int32Array;
  /** Why row `row` failed this check, for quarantine reasons ("age: 150 is above max 120"). */
  reason?: (row: number) => string;
}

/** An append-only list of row indices in a doubling Int32Array. */
export class RowCollector {
  private buf = new Int32Array(16);
  private n = 0;

  push(row: number): void {
    if (this.n === this.buf.length) {
      const next = new Int32Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.n++] = row;
  }

  get length(): number {
    return this.n;
  }

  /** The rows pushed, trimmed to length. */
  finish(): Int32Array {
    return this.buf.slice(0, this.n);
  }
}

/** A cell for messages: strings quoted, numbers as they are, missing as "missing". */
export function formatCell(value: Cell): string {
  if (value === null) return "missing";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 59)}…` : value);
  return String(value);
}

/** A share for messages: "12%", "1.2%", "0.04%", "<0.01%". */
export function percent(fraction: number): string {
  const p = fraction * 100;
  if (p === 0) return "0%";
  if (p < 0.01) return "<0.01%";
  if (p < 1) return `${Number(p.toPrecision(1))}%`;
  if (p < 10) return `${Number(p.toFixed(1))}%`;
  return `${Math.round(p)}%`;
}

/** "row 5,000: \"abc\", row 7: 12" for the first `max` examples. */
export function formatExamples(examples: readonly CheckExample[], max = 3): string {
  return examples
    .slice(0, max)
    .map((e) => `row ${count(e.row)}: ${formatCell(e.value)}`)
    .join(", ");
}

/** The first `max` failing rows as examples with 1-based row numbers. */
export function examplesOf(rows: Int32Array, cell: (row: number) => Cell, max: number): CheckExample[] {
  const out: CheckExample[] = [];
  for (let i = 0; i < rows.length && i < max; i++) out.push({ row: rows[i]! + 1, value: cell(rows[i]!) });
  return out;
}

export interface RowLevelSpec {
  check: CheckName;
  column: string;
  level: "error" | "warn";
  rows: Int32Array;
  /** Rows the check looked at: the denominator of `fraction` and of `mostly`. */
  considered: number;
  mostly?: number;
  threshold?: number;
  cell: (row: number) => Cell;
  maxExamples: number;
  /** What the failing values are, after "N of M values": "are above max 120". */
  failing: string;
  /** What holds when nothing fails: "every value is ≤ 120". */
  ok: string;
  /** What to do about a failure. */
  remedy: string;
  reason: (row: number) => string;
}

/**
 * A row-level outcome. Without `mostly` the check passes only with no failing row; with it,
 * when at least that share of the considered rows pass (Great Expectations' rule). The share is
 * computed as passing / considered, not 1 − fraction, so `mostly: 0.99` with 99 of 100 is exact.
 */
export function rowLevel(spec: RowLevelSpec): Outcome {
  const failing = spec.rows.length;
  const considered = spec.considered;
  const fraction = considered === 0 ? 0 : failing / considered;
  const passShare = considered === 0 ? 1 : (considered - failing) / considered;
  const passed = failing === 0 || (spec.mostly !== undefined && passShare >= spec.mostly);
  const examples = examplesOf(spec.rows, spec.cell, spec.maxExamples);
  let message: string;
  if (failing === 0) message = `"${spec.column}": ${spec.ok}`;
  else {
    message = `"${spec.column}": ${count(failing)} of ${count(considered)} values (${percent(fraction)}) ${spec.failing}, e.g. ${formatExamples(examples)}`;
    if (spec.mostly !== undefined)
      message += passed
        ? ` — within mostly: ${spec.mostly} (up to ${percent(1 - spec.mostly)} may fail), so the check passes`
        : ` — more than mostly: ${spec.mostly} allows (${percent(1 - spec.mostly)}); ${spec.remedy}`;
    else message += `; ${spec.remedy}`;
  }
  const result: CheckResult = {
    check: spec.check,
    column: spec.column,
    level: spec.level,
    passed,
    failingRows: failing,
    fraction,
    ...(spec.threshold === undefined ? {} : { threshold: spec.threshold }),
    ...(spec.mostly === undefined ? {} : { mostly: spec.mostly }),
    message,
    examples,
  };
  return { result, rows: spec.rows, reason: spec.reason };
}
