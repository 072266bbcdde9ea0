/**
 * CSV specifics: sniffing the dialect and column types with DuckDB, building the `read_csv`
 * call that reads the file with that dialect spelled out (so a later read cannot sniff
 * differently), and turning DuckDB's CSV errors into messages with the line number.
 */
import { SluiceError } from "../errors.js";
import { describeValue } from "../util/text.js";
import type { DataFile } from "./read-file.js";
import { readTextHead } from "./read-file.js";
import { csvErrorFacts, duckdbMessage, sqlString, type DuckSession } from "./read-duckdb.js";

/** A column as the file presents it: its name and DuckDB's type for it. */
export interface SourceColumn {
  readonly name: string;
  readonly type: string;
}

/** How a CSV file is laid out, as sniffed (or as given). */
export interface CsvDialect {
  delimiter: string;
  quote: string;
  escape: string;
  newLine: string;
  comment: string;
  skip: number;
  header: boolean;
  dateFormat?: string;
  timestampFormat?: string;
}

/** A sniffed CSV file: its dialect and columns. */
export interface CsvLayout {
  dialect: CsvDialect;
  columns: SourceColumn[];
}

/** Options the caller can fix instead of sniffing. */
export interface CsvOptions {
  delimiter?: string;
  header?: boolean;
}

const DELIMITER_CANDIDATES = [",", ";", "\t", "|"];

function unempty(v: unknown): string {
  const s = typeof v === "string" ? v : "";
  return s === "(empty)" ? "" : s;
}

async function sniff(session: DuckSession, file: DataFile, options: CsvOptions): Promise<CsvLayout> {
  // skip = 0: DuckDB may otherwise decide the first lines are a preamble and drop them silently.
  const args = [sqlString(file.path), "skip = 0"];
  if (options.delimiter !== undefined) args.push(`delim = ${sqlString(options.delimiter)}`);
  if (options.header !== undefined) args.push(`header = ${options.header}`);
  const rows = await session.rows(
    `SELECT Delimiter, Quote, Escape, NewLineDelimiter, Comment, SkipRows, HasHeader, Columns, DateFormat, TimestampFormat
     FROM sniff_csv(${args.join(", ")})`,
  );
  const r = rows[0] ?? [];
  const header = r[6] === true;
  const rawColumns = Array.isArray(r[7]) ? r[7] : [];
  const columns = rawColumns.map((c, i) => {
    const o = c as { name?: unknown; type?: unknown };
    // Without a header DuckDB says column0, column1…; Sluice numbers columns from 1.
    const name = header ? String(o.name) : `column_${i + 1}`;
    return { name, type: String(o.type) };
  });
  const quote = unempty(r[1]);
  const escape = unempty(r[2]);
  const dialect: CsvDialect = {
    delimiter: unempty(r[0]),
    // No quotes in the sample does not mean none later: keep RFC 4180 quoting on.
    quote: quote === "" ? '"' : quote,
    escape: escape === "" ? (quote === "" ? '"' : quote) : escape,
    newLine: unempty(r[3]),
    comment: unempty(r[4]),
    skip: Number(r[5] ?? 0),
    header,
  };
  const dateFormat = unempty(r[8]);
  const timestampFormat = unempty(r[9]);
  if (dateFormat !== "") dialect.dateFormat = dateFormat;
  if (timestampFormat !== "") dialect.timestampFormat = timestampFormat;
  return { dialect, columns };
}

function likelyDelimiter(firstLine: string): string | undefined {
  let best: string | undefined;
  let bestCount = 0;
  for (const d of DELIMITER_CANDIDATES) {
    const n = firstLine.split(d).length - 1;
    if (n > bestCount) {
      best = d;
      bestCount = n;
    }
  }
  return best;
}

/**
 * Sniff a CSV file's dialect and columns.
 *
 * When DuckDB settles on a single column although the first line holds a delimiter, the file is
 * most likely broken (a row with a different number of fields makes every dialect fail); it is
 * then read with that delimiter so the error names the offending line.
 *
 * @throws SluiceError E_DATA_UNREADABLE naming the file (and the line, when DuckDB gives it).
 */
export async function sniffCsv(
  session: DuckSession,
  file: DataFile,
  options: CsvOptions,
): Promise<CsvLayout> {
  let layout: CsvLayout;
  try {
    layout = await sniff(session, file, options);
  } catch (err) {
    throw csvError(file, err, options.delimiter);
  }
  if (layout.columns.length !== 1 || options.delimiter !== undefined) return layout;
  const head = await readTextHead(file.path, 65536);
  const firstLine = head.split(/\r?\n/, 1)[0] ?? "";
  const delimiter = likelyDelimiter(firstLine);
  if (delimiter === undefined) return layout;
  try {
    const forced = await sniff(session, file, { ...options, delimiter });
    return forced.columns.length > 1 ? forced : layout;
  } catch (sniffErr) {
    // Read strictly with the delimiter of the first line to find the line that breaks it.
    const width = firstLine.split(delimiter).length;
    const dialect: CsvDialect = {
      delimiter,
      quote: '"',
      escape: '"',
      newLine: "",
      comment: "",
      skip: 0,
      header: true,
    };
    const columns = Array.from({ length: width }, (_, i) => ({ name: `c${i}`, type: "VARCHAR" }));
    try {
      await session.number(`SELECT count(*) FROM ${csvScan(file, { dialect, columns }, new Map())}`);
    } catch (readErr) {
      throw csvError(file, readErr, delimiter);
    }
    throw csvError(file, sniffErr, delimiter);
  }
}

/**
 * The `read_csv(...)` table expression for `layout`, every option spelled out. `types`
 * overrides the type of named columns (e.g. VARCHAR for columns that Sluice parses itself).
 */
export function csvScan(file: DataFile, layout: CsvLayout, types: ReadonlyMap<string, string>): string {
  const d = layout.dialect;
  const columns = layout.columns
    .map((c) => `${sqlString(c.name)}: ${sqlString(types.get(c.name) ?? c.type)}`)
    .join(", ");
  const args = [
    sqlString(file.path),
    "auto_detect = false",
    `delim = ${sqlString(d.delimiter)}`,
    `quote = ${sqlString(d.quote)}`,
    `escape = ${sqlString(d.escape)}`,
    `header = ${d.header}`,
    `skip = ${d.skip}`,
    `comment = ${sqlString(d.comment)}`,
    `columns = {${columns}}`,
  ];
  if (d.newLine !== "") args.push(`new_line = ${sqlString(d.newLine)}`);
  if (d.dateFormat !== undefined) args.push(`dateformat = ${sqlString(d.dateFormat)}`);
  if (d.timestampFormat !== undefined) args.push(`timestampformat = ${sqlString(d.timestampFormat)}`);
  return `read_csv(${args.join(", ")})`;
}

function describeDelimiter(d: string | undefined): string {
  if (d === undefined || d === "") return "sniffed";
  return d === "\t" ? "tab" : `"${d}"`;
}

/**
 * A CSV read error as a SluiceError naming the file, the line and the reason.
 * Out-of-memory becomes E_DATA_TOO_LARGE; everything else E_DATA_UNREADABLE.
 */
export function csvError(file: DataFile, err: unknown, delimiter?: string): SluiceError {
  const facts = csvErrorFacts(err);
  const where = facts.line === undefined ? "" : ` at line ${facts.line}`;
  const details = { path: file.display, ...facts, duckdb: duckdbMessage(err) };
  if (/out of memory/i.test(facts.reason) || /Out of Memory Error/i.test(details.duckdb))
    return new SluiceError(
      "E_DATA_TOO_LARGE",
      `${file.display}: ran out of memory while reading it${where}`,
      {
        cause: err,
        details,
        hint: "set data.sample_rows in sluice.yaml to read a random sample, or read fewer columns",
      },
    );
  if (/unicode|utf-8|encoding/i.test(facts.reason))
    return new SluiceError("E_DATA_UNREADABLE", `${file.display} is not UTF-8 text${where}`, {
      cause: err,
      details,
      hint: 'save the file as UTF-8 (spreadsheet tools call it "CSV UTF-8") and read it again',
    });
  const shown = facts.original === undefined ? "" : `; the line reads ${describeValue(facts.original, 80)}`;
  // DuckDB's own count of found columns is not the line's field count: say what is certain.
  const width = /Expected Number of Columns: (\d+)/.exec(facts.reason);
  const reason =
    width !== null
      ? `its number of fields differs from the header's ${width[1]!}`
      : facts.reason.replace(/\.$/, "");
  return new SluiceError("E_DATA_UNREADABLE", `${file.display} is not valid CSV${where}: ${reason}${shown}`, {
    cause: err,
    details,
    hint:
      `check the delimiter (${describeDelimiter(delimiter)}) and the quoting: a field holding the delimiter, a quote or a line break ` +
      `must be in double quotes, with quotes inside it doubled. Or set data.delimiter in sluice.yaml`,
  });
}
