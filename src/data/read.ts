/**
 * Reading CSV and Parquet files into a {@link Frame}, with DuckDB.
 *
 * The file is loaded once into a DuckDB table; typing decisions (see read-plan.ts) are made
 * with SQL over that table, and finished columns are copied out chunk by chunk into typed
 * arrays (see read-fetch.ts). A file whose frame would not fit the memory budget is refused
 * before it is loaded, naming the numbers and the ways out.
 */
import { SluiceError } from "../errors.js";
import type { DatasetSchema } from "../project/schema.js";
import { Frame, columnNotFound, type ColumnKind } from "./frame.js";
import { CELL_BYTES, defaultMaxFrameBytes, estimateFrameBytes, tooLargeError } from "./read-budget.js";
import type { SourceColumn } from "./read-csv.js";
import { DuckSession, cellText, duckdbMemoryLimit } from "./read-duckdb.js";
import { materializeColumns } from "./read-fetch.js";
import { checkDataFile, detectFormat, readTextHead, type DataFile } from "./read-file.js";
import { TABLE, planColumns, typeClass } from "./read-plan.js";
import {
  countRows,
  csvReadTypes,
  loadTable,
  openSource,
  type RowSelection,
  type Source,
} from "./read-source.js";

export interface ReadOptions {
  /** Default: from the extension (.csv .tsv .txt, optionally .gz → csv; .parquet .pq → parquet), else sniffed. */
  format?: "csv" | "parquet";
  /** CSV field delimiter. Default: sniffed. */
  delimiter?: string;
  /** Whether the CSV has a header line. Default: sniffed. Without one, columns are column_1, column_2, … */
  header?: boolean;
  /** Rules that steer how each named column is typed. */
  schema?: DatasetSchema;
  /** Read only these columns, in this order. */
  columns?: readonly string[];
  /**
   * Read a uniform random sample of this many rows, in file order: one pass over the file with
   * DuckDB's reservoir sampling, memory bounded by the sample's size. Seeded: the same seed draws
   * the same rows (with the same DuckDB version), whatever the thread count or the format.
   */
  sampleRows?: number;
  /** Seed for `sampleRows`. Default 42. */
  seed?: number;
  /** Memory budget of the frame. Default: env SLUICE_MAX_FRAME_BYTES, or min(4 GiB, 25% of memory). */
  maxFrameBytes?: number;
}

/** What a file holds, without reading its rows. */
export interface FileHeader {
  path: string;
  format: "csv" | "parquet";
  delimiter?: string;
  header?: boolean;
  columns: { name: string; sourceType: string /* DuckDB type */ }[];
}

/**
 * Read the header of a data file: its format, CSV dialect and columns with DuckDB's types.
 *
 * @throws SluiceError E_FILE_NOT_FOUND, E_DATA_UNREADABLE
 * @example
 * const header = await readHeader("data/customers.csv");
 * header.columns.map((c) => c.name); // ["customer_id", "age", …]
 */
export async function readHeader(
  path: string,
  options: Omit<ReadOptions, "columns" | "sampleRows"> = {},
): Promise<FileHeader> {
  const file = await checkDataFile(path);
  const format = await detectFormat(file, options.format);
  const session = await DuckSession.open();
  try {
    const source = await openSource(session, file, format, csvOptions(options));
    const header: FileHeader = {
      path,
      format,
      columns: source.columns.map((c) => ({ name: c.name, sourceType: c.type })),
    };
    if (source.csv !== undefined) {
      header.delimiter = source.csv.dialect.delimiter;
      header.header = source.csv.dialect.header;
    }
    return header;
  } finally {
    session.close();
  }
}

/**
 * Read a CSV or Parquet file into a {@link Frame}.
 *
 * Columns with a schema rule are typed by it (unparsable cells become NaN and are kept in the
 * column's `invalid` map for validation to report); other columns are typed from the data.
 * Blank cells and the NA tokens (NA, N/A, NaN, nan, null, NULL, None, -) are missing values.
 *
 * @throws SluiceError E_FILE_NOT_FOUND, E_DATA_UNREADABLE (empty, header only, broken CSV, bad
 *   Parquet, unknown format), E_DATA_TOO_LARGE, E_COLUMN_NOT_FOUND, E_USAGE (bad options),
 *   E_CONFIG (a schema datetime format DuckDB cannot use)
 * @example
 * const frame = await readFrame("data/customers.csv", { schema: config.schema });
 * frame.numeric("age").values; // Float64Array, NaN where missing
 * const sample = await readFrame("big.parquet", { sampleRows: 100_000, seed: 7 });
 */
export async function readFrame(path: string, options: ReadOptions = {}): Promise<Frame> {
  checkOptions(options);
  const file = await checkDataFile(path);
  const format = await detectFormat(file, options.format);
  if (format === "csv") await refuseBlankFile(file);
  const budget = options.maxFrameBytes ?? defaultMaxFrameBytes();
  const session = await DuckSession.open();
  try {
    const source = await openSource(session, file, format, csvOptions(options));
    const wanted = selectColumns(source, options.columns);
    const { types, sniffedBoolean } = csvReadTypes(source, options.schema);
    const selection = await chooseRows(session, source, wanted, options, budget);
    // A sample needs room for the rows drawn, not for the file: a small limit keeps memory flat
    // however large the file (DuckDB spills or fails rather than grows past it).
    if (selection.kind === "sample")
      await session.setMemoryLimit(
        sampleMemoryLimit(selection.rows, upperBytesPerRow(wanted, options.schema)),
      );

    await loadTable(
      session,
      source,
      wanted.map((c) => c.name),
      types,
      selection,
    );
    const rows = await session.number(`SELECT CAST(count(*) AS DOUBLE) FROM ${TABLE}`);
    if (rows === 0) throw noRows(source);

    const loaded = (await session.rows(`DESCRIBE ${TABLE}`)).map((r) => ({
      name: cellText(r[0]),
      type: cellText(r[1]),
    }));
    const plans = await planColumns(session, loaded, options.schema, sniffedBoolean);
    const estimate = estimateFrameBytes(
      rows,
      plans.map((p) => p.kind),
    );
    if (estimate > budget)
      throw tooLargeError({
        file: file.display,
        fileBytes: file.size,
        rows,
        columns: plans.length,
        estimate,
        budget,
        atLeast: false,
      });

    const columns = await materializeColumns(session, plans, rows);
    return new Frame(columns, rows);
  } finally {
    session.close();
  }
}

function csvOptions(options: Pick<ReadOptions, "delimiter" | "header">): {
  delimiter?: string;
  header?: boolean;
} {
  return {
    ...(options.delimiter === undefined ? {} : { delimiter: options.delimiter }),
    ...(options.header === undefined ? {} : { header: options.header }),
  };
}

function checkOptions(options: ReadOptions): void {
  const { sampleRows, maxFrameBytes } = options;
  if (sampleRows !== undefined && !(Number.isInteger(sampleRows) && sampleRows >= 1))
    throw new SluiceError("E_USAGE", `sampleRows must be an integer ≥ 1, got ${sampleRows}`, {
      details: { sampleRows },
    });
  if (maxFrameBytes !== undefined && !(maxFrameBytes > 0))
    throw new SluiceError("E_USAGE", `maxFrameBytes must be a number of bytes > 0, got ${maxFrameBytes}`, {
      details: { maxFrameBytes },
    });
}

/** A small file of blank lines is empty, whatever the sniffer makes of it. */
async function refuseBlankFile(file: DataFile): Promise<void> {
  if (file.compressed || file.size > 65536) return;
  if ((await readTextHead(file.path, 65536)).trim() === "")
    throw new SluiceError("E_DATA_UNREADABLE", `${file.display} is empty (it holds only blank lines)`, {
      details: { path: file.display, bytes: file.size },
      hint: "check that the export that produced it finished, or point the path at another file",
    });
}

function noRows(source: Source): SluiceError {
  const headerOnly = source.csv === undefined || source.csv.dialect.header;
  return new SluiceError(
    "E_DATA_UNREADABLE",
    source.csv !== undefined && headerOnly
      ? `${source.file.display} has a header but no data rows (columns: ${source.columns.map((c) => c.name).join(", ")})`
      : `${source.file.display} has no data rows`,
    {
      details: { path: source.file.display, columns: source.columns.map((c) => c.name) },
      hint: "check that the export that produced it wrote its rows, or point the path at another file",
    },
  );
}

function selectColumns(source: Source, wanted: readonly string[] | undefined): SourceColumn[] {
  if (wanted === undefined) return [...source.columns];
  const byName = new Map(source.columns.map((c) => [c.name, c]));
  const names = source.columns.map((c) => c.name);
  const out: SourceColumn[] = [];
  for (const name of new Set(wanted)) {
    const c = byName.get(name);
    if (c === undefined) throw columnNotFound(name, names, source.file.display);
    out.push(c);
  }
  return out;
}

/**
 * DuckDB's memory limit while drawing a sample of `rows` rows: 256 MiB for scanning, plus twice
 * the sample's largest size, and never above the session's usual limit.
 */
export function sampleMemoryLimit(rows: number, bytesPerRow: number): number {
  return Math.min(duckdbMemoryLimit(), 256 * 1024 * 1024 + 2 * rows * bytesPerRow);
}

/** Bytes per row at most (text for every column that may turn out text). */
function upperBytesPerRow(columns: readonly SourceColumn[], schema: DatasetSchema | undefined): number {
  let bytes = 0;
  for (const c of columns) {
    const rule = schema?.[c.name];
    const kind: ColumnKind =
      rule !== undefined
        ? rule.type === "string"
          ? "text"
          : "numeric"
        : ["integer", "float", "datetime"].includes(typeClass(c.type))
          ? "numeric"
          : "text";
    bytes += CELL_BYTES[kind];
  }
  return bytes;
}

/**
 * Which rows to load, refusing files whose frame cannot fit `budget` before loading them.
 * The row count (a full scan of its own) is skipped when even the most rows the file's size
 * allows would fit, and for a sample that fits: the sample is drawn in the one pass that loads it.
 */
async function chooseRows(
  session: DuckSession,
  source: Source,
  wanted: readonly SourceColumn[],
  options: ReadOptions,
  budget: number,
): Promise<RowSelection> {
  const { file } = source;
  // A lower bound per row: columns the schema declares as text will be text; the rest take at least a number's room.
  let minRowBytes = 0;
  for (const c of wanted)
    minRowBytes += options.schema?.[c.name]?.type === "string" ? CELL_BYTES.text : CELL_BYTES.numeric;
  const sampleRows = options.sampleRows;
  if (sampleRows === undefined && source.format === "csv" && !file.compressed) {
    // Each line holds at least one byte per column (delimiters and the line end).
    const mostRows = Math.floor(file.size / Math.max(1, source.columns.length)) + 1;
    if (mostRows * upperBytesPerRow(wanted, options.schema) <= budget) return { kind: "all" };
  }
  const seed = options.seed ?? 42;
  if (sampleRows !== undefined && sampleRows * minRowBytes <= budget)
    return { kind: "sample", rows: sampleRows, seed };
  const total = await countRows(session, source);
  const rows = sampleRows === undefined ? total : Math.min(total, sampleRows);
  if (rows * minRowBytes > budget)
    throw tooLargeError({
      file: file.display,
      fileBytes: file.size,
      rows,
      columns: wanted.length,
      estimate: rows * minRowBytes,
      budget,
      atLeast: true,
    });
  if (sampleRows === undefined || sampleRows >= total) return { kind: "all" };
  return { kind: "sample", rows: sampleRows, seed };
}
