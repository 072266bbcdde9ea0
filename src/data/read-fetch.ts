/**
 * Moving planned columns out of DuckDB into frame columns without a JS value per cell:
 *
 * - numeric columns arrive as DOUBLE vectors with NaN for missing (no NULLs, so no validity
 *   masks to consult) and each chunk is one byte copy into the column's Float64Array;
 * - categorical columns are dictionary-encoded in SQL: the sorted distinct values become an
 *   ENUM type and DuckDB hands back its integer codes, copied like numbers (a missing value is
 *   not in the ENUM, so its cast fails to NULL, and the code to -1);
 * - text columns are joined by DuckDB into one string per block of rows (NUL-separated) and
 *   split in JS: one decode per block instead of one per cell.
 */
import bindings from "@duckdb/node-bindings";
import { DuckDBTypeId, type DuckDBDataChunk } from "@duckdb/node-api";
import { SluiceError } from "../errors.js";
import { categoricalColumn, compareCodePoints, numericColumn, textColumn, type Column } from "./frame.js";
import { cellText, type DuckSession } from "./read-duckdb.js";
import { TABLE, type ColumnPlan } from "./read-plan.js";

/** Rows per text block: large enough to amortise the decode, small enough to stay modest. */
const TEXT_BLOCK_ROWS = 65536;

/** Read every planned column of {@link TABLE} (which has `rows` rows) into frame columns. */
export async function materializeColumns(
  session: DuckSession,
  plans: readonly ColumnPlan[],
  rows: number,
): Promise<Column[]> {
  const columns = new Array<Column | undefined>(plans.length);
  const wide: { index: number; sql: string; out: Float64Array | Int32Array }[] = [];
  const dictionaries = new Map<number, { dictionary: string[]; remap: Int32Array | undefined }>();

  for (const [index, plan] of plans.entries()) {
    if (plan.kind === "numeric") wide.push({ index, sql: plan.value, out: new Float64Array(rows) });
    else if (plan.kind === "categorical") {
      const type = `sl_enum_${index}`;
      const values =
        plan.values !== undefined
          ? `SELECT v FROM ${plan.values} ORDER BY v`
          : `SELECT DISTINCT v FROM (SELECT ${plan.value} AS v FROM ${TABLE}) WHERE NOT sl_na(v) ORDER BY v`;
      await session.run(`CREATE TYPE ${type} AS ENUM (${values})`);
      const fromDuckdb = (await session.rows(`SELECT unnest(enum_range(NULL::${type}))`)).map((r) =>
        cellText(r[0]),
      );
      dictionaries.set(index, sortDictionary(fromDuckdb));
      wide.push({
        index,
        sql: `coalesce(CAST(enum_code(TRY_CAST(${plan.value} AS ${type})) AS INTEGER), -1)`,
        out: new Int32Array(rows),
      });
    }
  }

  // Text columns and unparsable cells are fetched over a second connection while the wide
  // query streams: DuckDB works on both, and the waits between chunks overlap.
  const side = await session.fork();
  const sideWork = (async () => {
    const invalid = new Map<number, Map<number, string>>();
    for (const [index, plan] of plans.entries()) {
      if (plan.kind === "text")
        columns[index] = textColumn(plan.name, await fetchText(side, plan.value, rows));
      else if (plan.kind === "numeric" && plan.invalid !== undefined)
        invalid.set(index, await fetchInvalid(side, plan.invalid));
    }
    return invalid;
  })();
  // Both settle before anything is thrown: the session must not close under a running query.
  const [sideResult, wideResult] = await Promise.allSettled([
    sideWork,
    wide.length > 0 ? copyChunks(session, wide, rows) : undefined,
  ]);
  if (wideResult.status === "rejected") throw wideResult.reason;
  if (sideResult.status === "rejected") throw sideResult.reason;
  const invalid = sideResult.value;

  for (const w of wide) {
    const plan = plans[w.index]!;
    if (plan.kind === "numeric")
      columns[w.index] = numericColumn(plan.name, w.out as Float64Array, plan.dtype, invalid.get(w.index));
    else {
      const { dictionary, remap } = dictionaries.get(w.index)!;
      const codes = w.out as Int32Array;
      if (remap !== undefined)
        for (let i = 0; i < codes.length; i++) if (codes[i]! >= 0) codes[i] = remap[codes[i]!]!;
      columns[w.index] = categoricalColumn(plan.name, codes, dictionary);
    }
  }
  return columns as Column[];
}

/**
 * DuckDB sorts text by UTF-8 bytes; frame dictionaries are in {@link compareCodePoints} order
 * (UTF-16 units). The two differ only around astral characters; when they do, codes are remapped.
 */
function sortDictionary(fromDuckdb: string[]): { dictionary: string[]; remap: Int32Array | undefined } {
  const sorted = fromDuckdb.slice().sort(compareCodePoints);
  let same = true;
  for (let i = 0; i < sorted.length && same; i++) same = sorted[i] === fromDuckdb[i];
  if (same) return { dictionary: fromDuckdb, remap: undefined };
  const position = new Map<string, number>();
  sorted.forEach((v, i) => position.set(v, i));
  const remap = new Int32Array(fromDuckdb.length);
  fromDuckdb.forEach((v, i) => (remap[i] = position.get(v)!));
  return { dictionary: sorted, remap };
}

/** Stream one query of DOUBLE/INTEGER columns and copy each chunk's vectors into `out` arrays. */
async function copyChunks(
  session: DuckSession,
  columns: readonly { sql: string; out: Float64Array | Int32Array }[],
  rows: number,
): Promise<void> {
  // Column 0 is the row id: every chunk is checked to hold the rows that come next, so values
  // can never be silently paired with the wrong rows.
  const result = await session.conn.stream(
    `SELECT CAST(rowid AS DOUBLE), ${columns.map((c) => c.sql).join(", ")} FROM ${TABLE}`,
  );
  for (const [j, c] of columns.entries()) {
    const expected = c.out instanceof Float64Array ? DuckDBTypeId.DOUBLE : DuckDBTypeId.INTEGER;
    if (result.columnTypeId(j + 1) !== expected)
      throw new SluiceError(
        "E_INTERNAL",
        `read: column ${j} came back as type ${result.columnTypeId(j + 1)}, expected ${expected}`,
      );
  }
  const rowIds = new Float64Array(4096);
  let offset = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    const n = chunk.rowCount;
    if (offset + n > rows)
      throw new SluiceError("E_INTERNAL", `read: DuckDB returned more than the ${rows} rows it counted`);
    copyVector(chunk.chunk, 0, n, rowIds.length >= n ? rowIds : new Float64Array(n), 0);
    for (let i = 0; i < n; i++)
      if (rowIds[i] !== offset + i)
        throw new SluiceError(
          "E_INTERNAL",
          `read: DuckDB returned row ${rowIds[i]} where row ${offset + i} was due`,
        );
    for (const [j, c] of columns.entries()) copyVector(chunk.chunk, j + 1, n, c.out, offset);
    offset += n;
  }
  if (offset !== rows)
    throw new SluiceError("E_INTERNAL", `read: DuckDB returned ${offset} rows, expected ${rows}`);
}

/** Copy `n` values of vector `column` of a chunk into `out` from `offset`. */
function copyVector(
  chunk: DuckDBDataChunk["chunk"],
  column: number,
  n: number,
  out: Float64Array | Int32Array,
  offset: number,
): void {
  const width = out.BYTES_PER_ELEMENT;
  const src = bindings.vector_get_data(bindings.data_chunk_get_vector(chunk, column), n * width);
  // A byte copy into the destination: no alignment assumption about DuckDB's buffer.
  new Uint8Array(out.buffer, out.byteOffset + offset * width, n * width).set(src.subarray(0, n * width));
}

async function fetchInvalid(
  session: DuckSession,
  invalid: { where: string; raw: string },
): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  const rows = await session.rows(
    `SELECT CAST(rowid AS DOUBLE), ${invalid.raw} FROM ${TABLE} WHERE ${invalid.where} ORDER BY rowid`,
  );
  for (const r of rows) out.set(Number(r[0]), cellText(r[1]));
  return out;
}

/** One text column, missing (NULL) → null. */
async function fetchText(session: DuckSession, value: string, rows: number): Promise<(string | null)[]> {
  const out = new Array<string | null>(rows);
  const result = await session.conn.stream(
    `SELECT CAST(rowid // ${TEXT_BLOCK_ROWS} AS DOUBLE) AS block,
            string_agg(CASE WHEN sl_na(${value}) THEN '' ELSE ${value} END, chr(0) ORDER BY rowid)
     FROM ${TABLE} GROUP BY block ORDER BY block`,
  );
  const blocks = await result.getRowsJS();
  for (const [b, r] of blocks.entries()) {
    const start = b * TEXT_BLOCK_ROWS;
    const size = Math.min(TEXT_BLOCK_ROWS, rows - start);
    const parts = typeof r[1] === "string" ? r[1].split("\0") : [];
    // A NUL inside a value would shift every later cell: read such a column cell by cell.
    if (Number(r[0]) !== b || parts.length !== size) return fetchTextByCell(session, value, rows);
    for (let i = 0; i < size; i++) out[start + i] = parts[i] === "" ? null : parts[i]!;
  }
  if (blocks.length * TEXT_BLOCK_ROWS < rows) return fetchTextByCell(session, value, rows);
  return out;
}

async function fetchTextByCell(
  session: DuckSession,
  value: string,
  rows: number,
): Promise<(string | null)[]> {
  const out = new Array<string | null>(rows);
  const result = await session.conn.stream(
    `SELECT CASE WHEN sl_na(${value}) THEN NULL ELSE ${value} END FROM ${TABLE}`,
  );
  let offset = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    const vector = chunk.getColumnVector(0);
    for (let i = 0; i < chunk.rowCount; i++) {
      const v = vector.getItem(i);
      out[offset + i] = typeof v === "string" && v !== "" ? v : null;
    }
    offset += chunk.rowCount;
  }
  return out;
}
