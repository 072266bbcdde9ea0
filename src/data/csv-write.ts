/**
 * Writing frames as CSV: RFC 4180 quoting, numbers in their shortest round-trip form (so they
 * read back bit-identical), missing values as empty fields. Output streams through an atomic
 * writer: a failure halfway leaves no half-written file behind.
 */
import { AtomicFileWriter } from "../util/fs.js";
import type { Cell, Column, Frame } from "./frame.js";

/** An extra output column computed per row (e.g. the `_reason` of a quarantined row). */
export interface ExtraColumn {
  name: string;
  /** The text for frame row `row`. */
  values: (row: number) => string;
}

/** Options for {@link writeFrameCsv}. */
export interface WriteCsvOptions {
  /** Frame rows to write, in this order (default: all). */
  rows?: ArrayLike<number>;
  /** Columns appended after the frame's own. */
  extraColumns?: readonly ExtraColumn[];
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;
const ROWS_PER_BLOCK = 4096;

function formatNumber(x: number): string {
  if (Number.isNaN(x)) return "";
  // String(-0) is "0": keep the sign so the value reads back bit-identical.
  return Object.is(x, -0) ? "-0" : String(x);
}

function formatText(s: string): string {
  return NEEDS_QUOTES.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * One CSV field: numbers in shortest round-trip form, text quoted when it holds a comma, a
 * quote, a line break or blanks at either end (quotes doubled), missing → empty.
 *
 * @example
 * formatCsvField(0.1); // "0.1"
 * formatCsvField('say "hi", then go'); // "\"say \"\"hi\"\", then go\""
 * formatCsvField(null); // ""
 */
export function formatCsvField(value: Cell): string {
  if (value === null) return "";
  return typeof value === "number" ? formatNumber(value) : formatText(value);
}

/** Per-column field formatter state, prepared once so the row loop only indexes. */
type Prepared =
  | { kind: "numeric"; values: Float64Array }
  | { kind: "categorical"; codes: Int32Array; fields: string[] }
  | { kind: "text"; values: readonly (string | null)[] };

function prepare(c: Column): Prepared {
  if (c.kind === "numeric") return { kind: "numeric", values: c.values };
  if (c.kind === "categorical")
    return { kind: "categorical", codes: c.codes, fields: c.dictionary.map(formatText) };
  return { kind: "text", values: c.values };
}

function field(p: Prepared, row: number): string {
  if (p.kind === "numeric") return formatNumber(p.values[row]!);
  if (p.kind === "categorical") {
    const code = p.codes[row]!;
    return code < 0 ? "" : p.fields[code]!;
  }
  const v = p.values[row];
  return v === null || v === undefined ? "" : formatText(v);
}

/**
 * The frame as CSV text, in blocks of a few thousand lines (header first), for streaming.
 *
 * @param rows frame rows to write, in order (default: all)
 * @param extra columns appended after the frame's own
 */
export function* frameToCsv(
  frame: Frame,
  rows?: ArrayLike<number>,
  extra: readonly ExtraColumn[] = [],
): Generator<string> {
  const prepared = frame.columns.map(prepare);
  const nCols = prepared.length;
  yield [...frame.names, ...extra.map((e) => e.name)].map(formatText).join(",") + "\n";
  const n = rows === undefined ? frame.nRows : rows.length;
  const fields = new Array<string>(nCols + extra.length);
  let block = "";
  for (let i = 0; i < n; i++) {
    const row = rows === undefined ? i : rows[i]!;
    for (let j = 0; j < nCols; j++) fields[j] = field(prepared[j]!, row);
    for (let j = 0; j < extra.length; j++) fields[nCols + j] = formatText(extra[j]!.values(row));
    block += fields.join(",") + "\n";
    if ((i + 1) % ROWS_PER_BLOCK === 0) {
      yield block;
      block = "";
    }
  }
  if (block !== "") yield block;
}

/**
 * Write the frame (or some of its rows) to `path` as CSV, atomically: the file appears complete
 * or not at all.
 *
 * @throws SluiceError E_WRITE when the file cannot be written.
 * @example
 * writeFrameCsv("quarantine.csv", frame, {
 *   rows: failedRows,
 *   extraColumns: [{ name: "_reason", values: (row) => reasons.get(row)! }],
 * });
 */
export function writeFrameCsv(path: string, frame: Frame, options: WriteCsvOptions = {}): void {
  const writer = new AtomicFileWriter(path);
  try {
    for (const block of frameToCsv(frame, options.rows, options.extraColumns)) writer.write(block);
    writer.commit();
  } catch (err) {
    writer.abort();
    throw err;
  }
}
