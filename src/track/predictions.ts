/**
 * The prediction log: every served prediction (request id, time, model version, inputs,
 * outputs, latency) as one row of `predictions`, written in batches, read back in id order for
 * export and monitoring. Inputs, outputs and feedback are JSON text.
 */
import type { Kysely, SelectQueryBuilder } from "kysely";
import { SluiceError } from "../errors.js";
import { describeValue } from "../util/text.js";
import { type Conn, type Database, num, numOrNull, read, write } from "./db.js";
import type { PredictionLogRow, PredictionQuery, StoredPrediction } from "./types.js";

/** The `predictions` table (migration 3). */
export interface PredictionsTable {
  /** Insertion order (autoincrement / bigserial). */
  id: number | undefined;
  request_id: string;
  at: number;
  model: string;
  version: number | null;
  /** JSON object. */
  input: string;
  /** JSON object. */
  output: string;
  latency_ms: number;
  /** JSON object, or null until feedback arrives. */
  feedback: string | null;
  feedback_at: number | null;
}

type PredictionsDatabase = Database & { predictions: PredictionsTable };

/** The default page size of {@link listPredictions}, and the largest. */
export const DEFAULT_PREDICTION_PAGE = 1000;
export const MAX_PREDICTION_PAGE = 10_000;

/** Rows per multi-row insert: 8 parameters each stays far below both databases' limits. */
const INSERT_CHUNK = 500;

/** The store's handle, seeing the predictions table too. */
const typed = (db: Kysely<Database>): Kysely<PredictionsDatabase> =>
  db.withTables<{ predictions: PredictionsTable }>();

function badRow(index: number, what: string, value: unknown): SluiceError {
  return new SluiceError(
    "E_USAGE",
    `prediction ${index + 1} of the batch: ${what}, got ${describeValue(value)}`,
    {
      details: { index, value: describeValue(value) },
      hint: "log predictions with a request id, a finite time and latency, a model name and object inputs and outputs",
    },
  );
}

function objectJson(index: number, field: string, value: unknown): string {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw badRow(index, `${field} must be an object`, value);
  try {
    return JSON.stringify(value);
  } catch (err) {
    throw new SluiceError(
      "E_USAGE",
      `prediction ${index + 1} of the batch: ${field} cannot be written as JSON (${(err as Error).message})`,
      { cause: err, details: { index, field }, hint: "log plain values (no cycles, no BigInt)" },
    );
  }
}

/**
 * The column values of one prediction (`i` is its place in the batch, for messages).
 *
 * @throws SluiceError E_USAGE naming the malformed field
 */
export function toRow(p: PredictionLogRow, i: number): Omit<PredictionsTable, "id"> {
  if (typeof p.requestId !== "string" || p.requestId === "")
    throw badRow(i, "requestId must be a non-empty string", p.requestId);
  if (typeof p.model !== "string" || p.model === "")
    throw badRow(i, "model must be a non-empty string", p.model);
  if (typeof p.at !== "number" || !Number.isFinite(p.at)) throw badRow(i, "at must be epoch ms", p.at);
  if (typeof p.latencyMs !== "number" || !Number.isFinite(p.latencyMs))
    throw badRow(i, "latencyMs must be a finite number", p.latencyMs);
  if (p.version !== null && !Number.isInteger(p.version))
    throw badRow(i, "version must be an integer or null", p.version);
  return {
    request_id: p.requestId,
    at: Math.round(p.at),
    model: p.model,
    version: p.version,
    input: objectJson(i, "input", p.input),
    output: objectJson(i, "output", p.output),
    latency_ms: p.latencyMs,
    feedback: null,
    feedback_at: null,
  };
}

/**
 * Append predictions in one transaction (multi-row inserts): every row is checked first, and a
 * malformed row writes nothing.
 *
 * @throws SluiceError E_USAGE naming the malformed row, E_STORE when the write fails
 */
export async function logPredictions(conn: Conn, rows: readonly PredictionLogRow[]): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map(toRow);
  await write(conn, "log predictions", async (tx) => {
    const db = typed(tx);
    for (let i = 0; i < values.length; i += INSERT_CHUNK)
      await db
        .insertInto("predictions")
        .values(values.slice(i, i + INSERT_CHUNK))
        .execute();
  });
}

function checkQuery(query: PredictionQuery): void {
  for (const key of ["since", "until", "afterId"] as const) {
    const v = query[key];
    if (v !== undefined && (typeof v !== "number" || !Number.isFinite(v)))
      throw new SluiceError(
        "E_USAGE",
        `prediction query: ${key} must be a finite number, got ${describeValue(v)}`,
        {
          details: { [key]: describeValue(v) },
          hint: "give times as epoch milliseconds and afterId as the last id of the previous page",
        },
      );
  }
  if (query.limit !== undefined && (!Number.isInteger(query.limit) || query.limit < 1))
    throw new SluiceError(
      "E_USAGE",
      `prediction query: limit must be an integer ≥ 1, got ${describeValue(query.limit)}`,
      {
        details: { limit: describeValue(query.limit) },
        hint: `ask for 1 to ${MAX_PREDICTION_PAGE} rows per page`,
      },
    );
}

function filtered<O>(
  qb: SelectQueryBuilder<PredictionsDatabase, "predictions", O>,
  query: PredictionQuery,
): SelectQueryBuilder<PredictionsDatabase, "predictions", O> {
  let q = qb;
  if (query.model !== undefined) q = q.where("model", "=", query.model);
  if (query.since !== undefined) q = q.where("at", ">=", query.since);
  if (query.until !== undefined) q = q.where("at", "<", query.until);
  if (query.afterId !== undefined) q = q.where("id", ">", query.afterId);
  return q;
}

function parseJson(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  return JSON.parse(text) as Record<string, unknown>;
}

/**
 * A page of logged predictions in id (insertion) order. Page through everything by passing
 * the last id of each page as `afterId`.
 *
 * @example
 * let page = await listPredictions(conn, { model: "churn", since: Date.now() - 3_600_000 });
 */
export async function listPredictions(conn: Conn, query: PredictionQuery = {}): Promise<StoredPrediction[]> {
  checkQuery(query);
  const limit = Math.min(query.limit ?? DEFAULT_PREDICTION_PAGE, MAX_PREDICTION_PAGE);
  const rows = await read(conn, "read the prediction log", (db) =>
    filtered(typed(db).selectFrom("predictions").selectAll(), query).orderBy("id").limit(limit).execute(),
  );
  return rows.map(toStoredPrediction);
}

/** A `predictions` row as the store's callers see it. */
export function toStoredPrediction(r: Omit<PredictionsTable, "id"> & { id: unknown }): StoredPrediction {
  return {
    id: num(r.id),
    requestId: r.request_id,
    at: num(r.at),
    model: r.model,
    version: numOrNull(r.version),
    input: parseJson(r.input) ?? {},
    output: parseJson(r.output) ?? {},
    latencyMs: num(r.latency_ms),
    feedback: parseJson(r.feedback),
    feedbackAt: numOrNull(r.feedback_at),
  };
}

/** How many logged predictions match `query` (`limit` is ignored). */
export async function countPredictions(conn: Conn, query: PredictionQuery = {}): Promise<number> {
  checkQuery(query);
  const row = await read(conn, "count the prediction log", (db) =>
    filtered(
      typed(db)
        .selectFrom("predictions")
        .select((eb) => eb.fn.countAll<number | string>().as("n")),
      query,
    ).executeTakeFirst(),
  );
  return row === undefined ? 0 : num(row.n);
}
