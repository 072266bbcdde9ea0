/**
 * A deliberately tiny CSV reader for the example data, which never quotes a field: the tests
 * read the files with it instead of depending on the real reader, and it refuses anything it
 * would not read faithfully.
 */

export interface SimpleCsv {
  header: string[];
  /** Cells by column name, "" for a blank cell. */
  columns: Map<string, string[]>;
  rows: number;
}

export function parseSimpleCsv(text: string): SimpleCsv {
  if (text.includes('"')) throw new Error("quoted fields are not expected in example data");
  if (!text.endsWith("\n")) throw new Error("the file should end with a newline");
  const lines = text.slice(0, -1).split("\n");
  const header = lines[0]!.split(",");
  const columns = new Map<string, string[]>(header.map((h) => [h, []]));
  const cells = header.map((h) => columns.get(h)!);
  for (let r = 1; r < lines.length; r++) {
    const fields = lines[r]!.split(",");
    if (fields.length !== header.length)
      throw new Error(`line ${r + 1} has ${fields.length} fields, the header ${header.length}: ${lines[r]}`);
    for (let c = 0; c < fields.length; c++) cells[c]!.push(fields[c]!);
  }
  return { header, columns, rows: lines.length - 1 };
}

/** A column as numbers, NaN for blank cells. */
export function numbers(csv: SimpleCsv, column: string): Float64Array {
  const cells = csv.columns.get(column);
  if (cells === undefined) throw new Error(`no column ${column}`);
  return Float64Array.from(cells, (v) => (v === "" ? NaN : Number(v)));
}
