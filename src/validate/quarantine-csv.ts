/**
 * Writing quarantined rows to a CSV file: the row number, every column as the file had it (a cell
 * that did not parse is written as its raw text, which is usually the reason it is here) and the
 * reason. The CSV itself is written by the shared frame writer, atomically.
 */
import { writeFrameCsv } from "../data/csv-write.js";
import { type Column, Frame, numericColumn, textColumn } from "../data/frame.js";

/** The cell as text for the file: raw text for unparsable cells, ISO dates, true/false, "" for missing. */
export function cellText(c: Column, row: number): string {
  if (c.kind === "numeric") {
    const v = c.values[row]!;
    if (v !== v) return c.invalid.size > 0 ? (c.invalid.get(row) ?? "") : "";
    // Beyond ±8.64e15 ms a Date is invalid: keep the number.
    if (c.dtype === "datetime" && Math.abs(v) <= 8.64e15) return new Date(v).toISOString();
    if (c.dtype === "boolean") return v === 1 ? "true" : v === 0 ? "false" : String(v);
    return String(v);
  }
  if (c.kind === "categorical") {
    const g = c.codes[row]!;
    return g < 0 ? "" : c.dictionary[g]!;
  }
  return c.values[row] ?? "";
}

function freeName(base: string, taken: ReadonlySet<string>): string {
  let name = base;
  while (taken.has(name)) name = `_${name}`;
  return name;
}

/**
 * The quarantined rows as a frame for writing: numeric columns that hold unparsable cells, dates
 * or booleans become text as a person wrote them; other columns are gathered as they are.
 */
function quarantineFrame(frame: Frame, rows: ArrayLike<number>, rowName: string): Frame {
  const sub = frame.take(rows);
  const columns: Column[] = [
    numericColumn(
      rowName,
      Float64Array.from(rows, (r) => r + 1),
      "integer",
    ),
  ];
  for (const c of sub.columns) {
    const asText =
      c.kind === "numeric" && (c.invalid.size > 0 || c.dtype === "datetime" || c.dtype === "boolean");
    if (!asText) {
      columns.push(c);
      continue;
    }
    const values = new Array<string | null>(sub.nRows);
    for (let i = 0; i < sub.nRows; i++) {
      const t = cellText(c, i);
      values[i] = t === "" ? null : t;
    }
    columns.push(textColumn(c.name, values));
  }
  return new Frame(columns, sub.nRows);
}

/**
 * Write the quarantined rows of `frame` to `path` as CSV: a `_row` column (1-based data row
 * number), the frame's columns, and a `_reason` column (prefixed with more `_` if the data
 * already uses those names).
 *
 * @throws SluiceError E_WRITE when the file cannot be written.
 * @example
 * const q = quarantineRows(report);
 * writeQuarantineCsv("quarantine.csv", frame, q);
 */
export function writeQuarantineCsv(
  path: string,
  frame: Frame,
  quarantine: { quarantined: ArrayLike<number>; reasons: readonly string[] },
): void {
  const taken = new Set(frame.names);
  const rowName = freeName("_row", taken);
  const reasonName = freeName("_reason", taken);
  const { quarantined, reasons } = quarantine;
  writeFrameCsv(path, quarantineFrame(frame, quarantined, rowName), {
    extraColumns: [{ name: reasonName, values: (i) => reasons[i] ?? "" }],
  });
}
