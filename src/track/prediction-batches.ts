/**
 * The prediction log as text, for a writer that owns its own SQLite connection (the serving
 * process writes the log from a worker thread, so that no insert runs on the event loop).
 *
 * A row is its seven column values joined by U+001F; a batch is rows joined by U+001E. JSON text
 * never holds a raw control character (JSON.stringify escapes U+0000–U+001F), so neither
 * separator can occur inside a value; the request id and the model name are written as JSON
 * strings for the same reason. One batch is one string: posting it to a thread is one copy,
 * not a structured clone of many objects.
 */
import BetterSqlite3 from "better-sqlite3";
import { SluiceError } from "../errors.js";
import { toRow } from "./predictions.js";
import type { PredictionLogRow } from "./types.js";

/** Between the columns of a row. */
const FIELD = "\u001f";
/** Between the rows of a batch. */
export const ROW_SEPARATOR = "\u001e";

/** SQLite waits this long for another writer's lock before a batch fails (as the store does). */
const DEFAULT_BUSY_TIMEOUT_MS = 10_000;

const INSERT =
  "insert into predictions (request_id, at, model, version, input, output, latency_ms) values (?, ?, ?, ?, ?, ?, ?)";

function hasSeparator(text: string): boolean {
  return text.includes(FIELD) || text.includes(ROW_SEPARATOR);
}

/** JSON texts of values already serialised once (the model name repeats on every row). */
let lastModel = "";
let lastModelJson = '""';

/** Stand-ins for the input and output of a row whose JSON texts are given. */
const NO_FIELDS: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * One prediction as a line of text for {@link SqlitePredictionWriter.write}. Checks the row as
 * `logPredictions` does. `json`, when given, holds the JSON texts of `row.input` and
 * `row.output` (a server has them already: the request body, the response), which are then
 * written as they are instead of being serialised again; they must be JSON objects.
 *
 * @throws SluiceError E_USAGE naming the malformed field
 * @example
 * const batch = rows.map((row) => encodePredictionRow(row)).join(ROW_SEPARATOR);
 */
export function encodePredictionRow(row: PredictionLogRow, json?: { input: string; output: string }): string {
  let r: ReturnType<typeof toRow>;
  // JSON text cannot hold a raw separator; text that does is not JSON, and the objects are used.
  if (json === undefined || hasSeparator(json.input) || hasSeparator(json.output)) r = toRow(row, 0);
  else {
    // The same checks of the other fields; the objects are already text.
    r = toRow(
      {
        requestId: row.requestId,
        at: row.at,
        model: row.model,
        version: row.version,
        input: NO_FIELDS,
        output: NO_FIELDS,
        latencyMs: row.latencyMs,
      },
      0,
    );
    r.input = json.input;
    r.output = json.output;
  }
  if (r.model !== lastModel) {
    lastModel = r.model;
    lastModelJson = JSON.stringify(r.model);
  }
  return (
    JSON.stringify(r.request_id) +
    FIELD +
    String(r.at) +
    FIELD +
    lastModelJson +
    FIELD +
    String(r.version) +
    FIELD +
    String(r.latency_ms) +
    FIELD +
    r.input +
    FIELD +
    r.output
  );
}

/** Column values of one encoded row, in the order of the insert statement. */
type Values = [string, number, string, number | null, string, string, number];

/** The columns of one row made by {@link encodePredictionRow}. */
export function decodePredictionRow(line: string): Values {
  const f = line.split(FIELD);
  if (f.length !== 7)
    throw new SluiceError("E_INTERNAL", `a prediction log row has ${f.length} fields, not 7`, {
      details: { fields: f.length },
    });
  return [
    JSON.parse(f[0]!) as string,
    Number(f[1]),
    JSON.parse(f[2]!) as string,
    f[3] === "null" ? null : Number(f[3]),
    f[5]!,
    f[6]!,
    Number(f[4]),
  ];
}

/** A connection of its own to a SQLite store's prediction log. */
export interface SqlitePredictionWriter {
  /** Insert a batch (rows joined by {@link ROW_SEPARATOR}) in one transaction; returns the rows written. */
  write(batch: string): number;
  close(): void;
}

/**
 * Open the prediction log of the SQLite store at `path` (which must exist and be migrated:
 * open it with `openStore` first), with the store's settings: WAL, `synchronous=NORMAL`, a busy
 * timeout. Each batch is one `BEGIN IMMEDIATE` transaction, so a killed process leaves whole
 * batches or nothing.
 *
 * @throws SluiceError E_STORE when the file cannot be opened or has no prediction log
 * @example
 * const writer = openSqlitePredictionWriter("/srv/.sluice/sluice.db");
 * writer.write(rows.map(encodePredictionRow).join(ROW_SEPARATOR));
 */
export function openSqlitePredictionWriter(
  path: string,
  options: { busyTimeoutMs?: number } = {},
): SqlitePredictionWriter {
  const timeout = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  let db: BetterSqlite3.Database | undefined;
  try {
    db = new BetterSqlite3(path, { timeout, fileMustExist: true });
    db.pragma("journal_mode = WAL");
    db.pragma(`busy_timeout = ${timeout}`);
    db.pragma("synchronous = NORMAL");
    // better-sqlite3 binds the elements of an array argument in order.
    const insert = db.prepare<[Values]>(INSERT);
    const writeAll = db.transaction((lines: string[]) => {
      for (const line of lines) insert.run(decodePredictionRow(line));
    });
    const open = db;
    return {
      write(batch: string): number {
        if (batch === "") return 0;
        const lines = batch.split(ROW_SEPARATOR);
        try {
          writeAll.immediate(lines);
        } catch (err) {
          throw new SluiceError(
            "E_STORE",
            `the tracking store sqlite:${path} failed to log predictions: ${(err as Error).message}`,
            { cause: err, details: { url: `sqlite:${path}` }, hint: "check that the store is writable" },
          );
        }
        return lines.length;
      },
      close(): void {
        open.close();
      },
    };
  } catch (err) {
    db?.close();
    throw new SluiceError(
      "E_STORE",
      `cannot open the prediction log of the SQLite store ${path}: ${(err as Error).message}`,
      {
        cause: err,
        details: { url: `sqlite:${path}`, path },
        hint: "open the store once with openStore (it creates and migrates it) and check that the file is writable",
      },
    );
  }
}
