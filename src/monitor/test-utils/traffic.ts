/**
 * Traffic for monitoring tests and demos: records drawn from an example's generator (a seed the
 * training data did not use), optionally shifted column by column, as a client would send them.
 */
import { parse } from "csv-parse/sync";
import { generateExampleCsv, type ExampleName } from "../../data/examples/index.js";

export type TrafficRecord = Record<string, string | number | null>;

/** How to move one numeric column: x → x × scale + add (missing stays missing; integers stay integers). */
export interface Shift {
  scale?: number;
  add?: number;
}

const NUMBER = /^-?\d+(\.\d+)?(e[-+]?\d+)?$/i;

/** `rows` records of an example's generated data, cells typed as JSON would carry them. */
export function exampleRecords(
  name: ExampleName,
  rows: number,
  seed: number,
  drop: readonly string[] = [],
): TrafficRecord[] {
  const text = [...generateExampleCsv(name, { rows, seed })].join("");
  const raw = parse<Record<string, string>>(text, { columns: true, skip_empty_lines: true });
  return raw.map((r) => {
    const out: TrafficRecord = {};
    for (const [k, v] of Object.entries(r)) {
      if (drop.includes(k)) continue;
      out[k] = v === "" ? null : NUMBER.test(v) ? Number(v) : v;
    }
    return out;
  });
}

/** The records with the named numeric columns shifted (a new array; the input is left alone). */
export function shiftRecords(
  records: readonly TrafficRecord[],
  shifts: Readonly<Record<string, Shift>>,
): TrafficRecord[] {
  return records.map((r) => {
    const out = { ...r };
    for (const [column, s] of Object.entries(shifts)) {
      const v = out[column];
      if (typeof v !== "number") continue;
      const moved = v * (s.scale ?? 1) + (s.add ?? 0);
      // Whole numbers stay whole (an integer column would refuse 12.4 months).
      out[column] = Number.isInteger(v) ? Math.round(moved) : Math.round(moved * 100) / 100;
    }
    return out;
  });
}
