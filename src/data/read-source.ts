/**
 * A data file as DuckDB sees it (its columns and the table expression that scans it), and
 * loading the wanted columns, or a seeded sample of rows, into the working table.
 *
 * A sample is drawn in one pass over the file with DuckDB's reservoir sampling, which keeps
 * only the rows drawn so far: memory grows with the sample, not with the file.
 */
import { SluiceError } from "../errors.js";
import type { DatasetSchema } from "../project/schema.js";
import { Random } from "./random.js";
import {
  csvError,
  csvScan,
  sniffCsv,
  type CsvLayout,
  type CsvOptions,
  type SourceColumn,
} from "./read-csv.js";
import {
  cellText,
  csvErrorFacts,
  duckdbMessage,
  sqlIdent,
  sqlString,
  type DuckSession,
} from "./read-duckdb.js";
import type { DataFile, DataFormat } from "./read-file.js";
import { TABLE, typeClass } from "./read-plan.js";

/** A file ready to scan. */
export interface Source {
  readonly file: DataFile;
  readonly format: DataFormat;
  /** Every column of the file, in file order, with DuckDB's type for it. */
  readonly columns: readonly SourceColumn[];
  /** The sniffed layout of a CSV file. */
  readonly csv?: CsvLayout;
}

/** Sniff (CSV) or describe (Parquet) a file. @throws SluiceError E_DATA_UNREADABLE */
export async function openSource(
  session: DuckSession,
  file: DataFile,
  format: DataFormat,
  options: CsvOptions,
): Promise<Source> {
  if (format === "csv") {
    const csv = await sniffCsv(session, file, options);
    return { file, format, columns: csv.columns, csv };
  }
  try {
    const rows = await session.rows(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file.path)})`);
    return { file, format, columns: rows.map((r) => ({ name: cellText(r[0]), type: cellText(r[1]) })) };
  } catch (err) {
    throw parquetError(file, err);
  }
}

/** A Parquet read error naming the file. */
export function parquetError(file: DataFile, err: unknown): SluiceError {
  const reason = duckdbMessage(err)
    .split("\n")[0]!
    .replace(/^[A-Za-z ]+Error: /, "");
  return new SluiceError("E_DATA_UNREADABLE", `${file.display} is not a readable Parquet file: ${reason}`, {
    cause: err,
    details: { path: file.display, duckdb: duckdbMessage(err) },
    hint: "the file may be truncated or not Parquet at all: write it again, or set data.format: csv if it holds CSV text",
  });
}

/** The table expression that scans `source`, with column types overridden by `types` (CSV only). */
export function scanOf(source: Source, types: ReadonlyMap<string, string>): string {
  if (source.csv !== undefined) return csvScan(source.file, source.csv, types);
  return `read_parquet(${sqlString(source.file.path)})`;
}

/**
 * The types to read CSV columns as, where Sluice's own parsing takes over: every column with a
 * schema rule is read as text and cast by the rule, and columns DuckDB sniffed as BOOLEAN are
 * read as text because its sniffer also takes Yes/No for booleans.
 */
export function csvReadTypes(
  source: Source,
  schema: DatasetSchema | undefined,
): { types: Map<string, string>; sniffedBoolean: Set<string> } {
  const types = new Map<string, string>();
  const sniffedBoolean = new Set<string>();
  if (source.format !== "csv") return { types, sniffedBoolean };
  for (const c of source.columns) {
    if (schema?.[c.name] !== undefined) types.set(c.name, "VARCHAR");
    else if (typeClass(c.type) === "boolean") {
      types.set(c.name, "VARCHAR");
      sniffedBoolean.add(c.name);
    }
  }
  return { types, sniffedBoolean };
}

/** Rows in the file, counted by DuckDB (for Parquet from its metadata). */
export async function countRows(session: DuckSession, source: Source): Promise<number> {
  // Every column as text: counting must not fail on a value the sniffed type cannot hold.
  const asText = new Map(source.columns.map((c) => [c.name, "VARCHAR"]));
  try {
    return await session.number(`SELECT CAST(count(*) AS DOUBLE) FROM ${scanOf(source, asText)}`);
  } catch (err) {
    throw readError(source, err);
  }
}

function readError(source: Source, err: unknown): SluiceError {
  return source.format === "csv"
    ? csvError(source.file, err, source.csv?.dialect.delimiter)
    : parquetError(source.file, err);
}

/** How many rows to load: all, or a seeded uniform sample of `rows` (all of them when the file has fewer). */
export type RowSelection = { kind: "all" } | { kind: "sample"; rows: number; seed: number };

const ROW = "sl_file_row";

/**
 * The seed DuckDB's `REPEATABLE` takes (an integer in [0, 2^31)), derived from Sluice's seed so
 * that any seed a project file allows can be used and samples stay apart from other draws.
 */
export function sampleSeed(seed: number): number {
  return Random.derive(seed, "sample_rows").int(2 ** 31);
}

/**
 * The sample as SQL: rows numbered in file order, a reservoir sample of `rows` of them (every
 * row when there are fewer), back in file order.
 *
 * `row_number() OVER ()` numbers the rows in the order the scan delivers them, which is file
 * order because sessions preserve insertion order; the reservoir then sees the same rows in the
 * same order whatever the thread count or the format, so the same seed draws the same rows
 * (with this version of DuckDB: the draw is DuckDB's).
 */
export function sampleSql(names: string, scan: string, selection: { rows: number; seed: number }): string {
  return `SELECT ${names} FROM (SELECT row_number() OVER () AS ${ROW}, * FROM ${scan})
          USING SAMPLE reservoir(${selection.rows} ROWS) REPEATABLE (${sampleSeed(selection.seed)})
          ORDER BY ${ROW}`;
}

/**
 * Load `columns` of `source` (all rows, or a sample) into {@link TABLE}, in file order.
 *
 * A CSV column whose sniffed type fails on a value past DuckDB's sample is read again as text
 * (the typing rules then decide), so a stray "n/a" at row 90,000 does not stop the read.
 *
 * @throws SluiceError E_DATA_UNREADABLE for a broken file.
 */
export async function loadTable(
  session: DuckSession,
  source: Source,
  columns: readonly string[],
  types: Map<string, string>,
  selection: RowSelection,
): Promise<void> {
  const names = columns.map(sqlIdent).join(", ");
  for (let attempt = 0; ; attempt++) {
    const scan = scanOf(source, types);
    const sql = selection.kind === "all" ? `SELECT ${names} FROM ${scan}` : sampleSql(names, scan, selection);
    try {
      await session.run(`CREATE OR REPLACE TABLE ${TABLE} AS ${sql}`);
      return;
    } catch (err) {
      const column = csvErrorFacts(err).column;
      const retry =
        source.format === "csv" &&
        column !== undefined &&
        types.get(column) !== "VARCHAR" &&
        source.columns.some((c) => c.name === column) &&
        attempt < source.columns.length;
      if (!retry) throw readError(source, err);
      types.set(column, "VARCHAR");
    }
  }
}
