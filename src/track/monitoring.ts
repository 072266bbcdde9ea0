/**
 * Monitoring in the store: monitoring windows of the prediction log, ground truth sent after
 * the fact, each version's drift history, and the alerts and retraining triggers drift caused
 * (migration 4). JSON columns are text, as in the prediction log.
 */
import { type Kysely, sql } from "kysely";
import { SluiceError } from "../errors.js";
import { describeValue, listing } from "../util/text.js";
import { type Conn, type Database, num, numOrNull, read, write } from "./db.js";
import { toStoredPrediction, type PredictionsTable } from "./predictions.js";
import {
  DRIFT_SEVERITIES,
  type DriftReportInput,
  type DriftReportRecord,
  type DriftSeverity,
  type FeedbackInput,
  type MonitorEvent,
  type MonitorEventInput,
  type PredictionWindowQuery,
  type StoredPrediction,
} from "./types.js";

/** The `drift_reports` table. */
export interface DriftReportsTable {
  id: number | undefined;
  model: string;
  version: number | null;
  at: number;
  source: string;
  reference_rows: number;
  current_rows: number;
  dataset_drift: number;
  drift_share: number;
  severity: string;
  /** JSON array of feature names. */
  drifted: string;
  /** JSON object. */
  report: string;
}

/** The `monitor_events` table. */
export interface MonitorEventsTable {
  id: number | undefined;
  model: string;
  version: number | null;
  kind: string;
  at: number;
  severity: string;
  status: string;
  reason: string;
  run_id: string | null;
  /** JSON object. */
  detail: string;
}

type MonitoringDatabase = Database & {
  predictions: PredictionsTable;
  drift_reports: DriftReportsTable;
  monitor_events: MonitorEventsTable;
};

const typed = (db: Kysely<Database>): Kysely<MonitoringDatabase> =>
  db.withTables<{
    predictions: PredictionsTable;
    drift_reports: DriftReportsTable;
    monitor_events: MonitorEventsTable;
  }>();

/** The largest monitoring window. */
export const MAX_WINDOW = 1_000_000;
/** Feedback ids looked up per query (parameter limits of both databases). */
const ID_CHUNK = 500;

function usage(message: string, value: unknown, hint: string): SluiceError {
  return new SluiceError("E_USAGE", `${message}, got ${describeValue(value)}`, {
    details: { value: describeValue(value) },
    hint,
  });
}

function parseObject(text: string | null): Record<string, unknown> | null {
  return text === null ? null : (JSON.parse(text) as Record<string, unknown>);
}

/**
 * The last `query.last` predictions of a model (optionally one version, within a time range),
 * oldest first. Reads newest-first through the `(model, id)` index and stops at the window.
 */
export async function recentPredictions(
  conn: Conn,
  query: PredictionWindowQuery,
): Promise<StoredPrediction[]> {
  const last = query.last ?? 1000;
  if (!Number.isInteger(last) || last < 1 || last > MAX_WINDOW)
    throw usage(
      "monitoring window: last must be an integer in [1, 1,000,000]",
      last,
      "ask for a window of 1 to 1,000,000 predictions",
    );
  for (const key of ["since", "until"] as const) {
    const v = query[key];
    if (v !== undefined && !Number.isFinite(v))
      throw usage(
        `monitoring window: ${key} must be epoch milliseconds`,
        v,
        "give times as epoch milliseconds",
      );
  }
  const rows = await read(conn, "read a monitoring window of the prediction log", (db) => {
    let q = typed(db).selectFrom("predictions").selectAll().where("model", "=", query.model);
    if (query.version !== undefined) q = q.where("version", "=", query.version);
    if (query.since !== undefined) q = q.where("at", ">=", query.since);
    if (query.until !== undefined) q = q.where("at", "<", query.until);
    return q.orderBy("id", "desc").limit(last).execute();
  });
  rows.reverse();
  return rows.map(toStoredPrediction);
}

/**
 * Attach ground truth to logged predictions in one transaction. Every id must be known: an
 * unknown one writes nothing and is named in the error (all of them, up to 20).
 *
 * @throws SluiceError E_USAGE for a malformed item, E_NOT_FOUND for unknown request ids
 */
export async function recordFeedback(
  conn: Conn,
  items: readonly FeedbackInput[],
): Promise<{ updated: number }> {
  if (items.length === 0) return { updated: 0 };
  const rows = items.map((item, i) => {
    if (typeof item.requestId !== "string" || item.requestId === "")
      throw usage(
        `feedback ${i + 1}: requestId must be a non-empty text`,
        item.requestId,
        "send the request id of the prediction (its x-request-id)",
      );
    if (item.feedback === null || typeof item.feedback !== "object" || Array.isArray(item.feedback))
      throw usage(
        `feedback ${i + 1}: feedback must be an object`,
        item.feedback,
        'send e.g. { "label": "1" }',
      );
    const at = item.at ?? Date.now();
    if (!Number.isFinite(at))
      throw usage(`feedback ${i + 1}: at must be epoch milliseconds`, at, "leave it out for now");
    return { requestId: item.requestId, feedback: JSON.stringify(item.feedback), at: Math.round(at) };
  });
  return write(conn, "record feedback", async (tx) => {
    const db = typed(tx);
    const ids = [...new Set(rows.map((r) => r.requestId))];
    const known = new Set<string>();
    for (let i = 0; i < ids.length; i += ID_CHUNK) {
      const found = await db
        .selectFrom("predictions")
        .select("request_id")
        .where("request_id", "in", ids.slice(i, i + ID_CHUNK))
        .execute();
      for (const f of found) known.add(f.request_id);
    }
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length > 0)
      throw new SluiceError(
        "E_NOT_FOUND",
        `no logged prediction has the request id${unknown.length === 1 ? "" : "s"} ${listing(
          unknown.slice(0, 20).map((u) => `"${u}"`),
        )}${unknown.length > 20 ? ` (and ${unknown.length - 20} more)` : ""}; no feedback was recorded`,
        {
          details: { unknown: unknown.slice(0, 100), count: unknown.length },
          hint: "send the x-request-id of a logged prediction (instance i of a batch is <id>-<i>), and check that the server logs predictions (serve.log_predictions)",
        },
      );
    let updated = 0;
    for (const r of rows) {
      const res = await db
        .updateTable("predictions")
        .set({ feedback: r.feedback, feedback_at: r.at })
        .where("request_id", "=", r.requestId)
        .executeTakeFirst();
      updated += Number(res.numUpdatedRows);
    }
    return { updated };
  });
}

function checkSeverity(s: unknown): DriftSeverity {
  if (typeof s !== "string" || !(DRIFT_SEVERITIES as readonly string[]).includes(s))
    throw usage(
      "severity must be one of none, moderate, severe, critical",
      s,
      "use one of the drift severity levels",
    );
  return s as DriftSeverity;
}

function toDriftRecord(r: DriftReportsTable): DriftReportRecord {
  return {
    id: num(r.id),
    model: r.model,
    version: numOrNull(r.version),
    at: num(r.at),
    source: r.source,
    referenceRows: num(r.reference_rows),
    currentRows: num(r.current_rows),
    datasetDrift: num(r.dataset_drift) === 1,
    driftShare: num(r.drift_share),
    severity: checkSeverity(r.severity),
    drifted: JSON.parse(r.drifted) as string[],
    report: parseObject(r.report) ?? {},
  };
}

/** Keep a drift measurement in the version's history. */
export async function recordDriftReport(conn: Conn, input: DriftReportInput): Promise<DriftReportRecord> {
  checkSeverity(input.severity);
  if (!Number.isFinite(input.driftShare))
    throw usage("driftShare must be a finite number", input.driftShare, "pass the share of drifted features");
  const row: Omit<DriftReportsTable, "id"> = {
    model: input.model,
    version: input.version,
    at: Math.round(input.at ?? Date.now()),
    source: input.source,
    reference_rows: input.referenceRows,
    current_rows: input.currentRows,
    dataset_drift: input.datasetDrift ? 1 : 0,
    drift_share: input.driftShare,
    severity: input.severity,
    drifted: JSON.stringify(input.drifted),
    report: JSON.stringify(input.report),
  };
  return write(conn, "record a drift report", async (tx) => {
    const inserted = await typed(tx)
      .insertInto("drift_reports")
      .values(row)
      .returning("id")
      .executeTakeFirstOrThrow();
    return toDriftRecord({ ...row, id: num(inserted.id) });
  });
}

/** A model's drift history, newest first. */
export async function listDriftReports(
  conn: Conn,
  query: { model: string; version?: number; limit?: number },
): Promise<DriftReportRecord[]> {
  const limit = Math.min(Math.max(1, Math.floor(query.limit ?? 100)), 10_000);
  const rows = await read(conn, "read the drift history", (db) => {
    let q = typed(db).selectFrom("drift_reports").selectAll().where("model", "=", query.model);
    if (query.version !== undefined) q = q.where("version", "=", query.version);
    return q.orderBy("at", "desc").orderBy("id", "desc").limit(limit).execute();
  });
  return rows.map(toDriftRecord);
}

function toEvent(r: MonitorEventsTable): MonitorEvent {
  return {
    id: num(r.id),
    model: r.model,
    version: numOrNull(r.version),
    kind: r.kind === "retrain" ? "retrain" : "alert",
    at: num(r.at),
    severity: checkSeverity(r.severity),
    status: r.status,
    reason: r.reason,
    runId: r.run_id,
    detail: parseObject(r.detail) ?? {},
  };
}

function eventRow(input: MonitorEventInput): Omit<MonitorEventsTable, "id"> {
  if (input.kind !== "alert" && input.kind !== "retrain")
    throw usage(
      "a monitor event's kind must be alert or retrain",
      input.kind,
      "record alerts and retraining triggers only",
    );
  return {
    model: input.model,
    version: input.version,
    kind: input.kind,
    at: Math.round(input.at ?? Date.now()),
    severity: checkSeverity(input.severity),
    status: input.status,
    reason: input.reason,
    run_id: input.runId ?? null,
    detail: JSON.stringify(input.detail ?? {}),
  };
}

/** Record an alert or a retraining trigger. */
export async function recordMonitorEvent(conn: Conn, input: MonitorEventInput): Promise<MonitorEvent> {
  const row = eventRow(input);
  return write(conn, "record a monitoring event", async (tx) => {
    const inserted = await typed(tx)
      .insertInto("monitor_events")
      .values(row)
      .returning("id")
      .executeTakeFirstOrThrow();
    return toEvent({ ...row, id: num(inserted.id) });
  });
}

/**
 * Record a retraining trigger unless another started within `cooldownMs` (one transaction:
 * SQLite's write lock, PostgreSQL's advisory lock on the model, so two monitors never both
 * claim one).
 */
export async function claimRetrain(
  conn: Conn,
  input: MonitorEventInput,
  cooldownMs: number,
): Promise<{ claimed: boolean; event: MonitorEvent }> {
  if (!(cooldownMs >= 0))
    throw usage(
      "cooldown must be ≥ 0 ms",
      cooldownMs,
      "set monitor.retrain.cooldown to a duration such as 24h",
    );
  const row = eventRow({ ...input, kind: "retrain" });
  return write(conn, "claim a retraining", async (tx) => {
    const db = typed(tx);
    if (conn.dialect === "postgres")
      await sql`select pg_advisory_xact_lock(hashtext(${`sluice.retrain.${input.model}`}))`.execute(tx);
    const last = await db
      .selectFrom("monitor_events")
      .selectAll()
      .where("model", "=", input.model)
      .where("kind", "=", "retrain")
      .orderBy("at", "desc")
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
    if (last !== undefined && row.at - num(last.at) < cooldownMs)
      return { claimed: false, event: toEvent(last) };
    const inserted = await db
      .insertInto("monitor_events")
      .values(row)
      .returning("id")
      .executeTakeFirstOrThrow();
    return { claimed: true, event: toEvent({ ...row, id: num(inserted.id) }) };
  });
}

/** Change an event's status (a retraining that finished or failed), its run and detail. */
export async function updateMonitorEvent(
  conn: Conn,
  id: number,
  patch: { status: string; runId?: string | null; detail?: Record<string, unknown> },
): Promise<MonitorEvent> {
  return write(conn, "update a monitoring event", async (tx) => {
    const db = typed(tx);
    const before = await db.selectFrom("monitor_events").selectAll().where("id", "=", id).executeTakeFirst();
    if (before === undefined)
      throw new SluiceError("E_NOT_FOUND", `no monitoring event has the id ${id}`, {
        details: { id },
        hint: "list the events with listMonitorEvents",
      });
    const detail = { ...(parseObject(before.detail) ?? {}), ...(patch.detail ?? {}) };
    const next = {
      status: patch.status,
      run_id: patch.runId === undefined ? before.run_id : patch.runId,
      detail: JSON.stringify(detail),
    };
    await db.updateTable("monitor_events").set(next).where("id", "=", id).execute();
    return toEvent({ ...before, ...next });
  });
}

/** A model's alerts and retraining triggers, newest first. */
export async function listMonitorEvents(
  conn: Conn,
  query: { model: string; kind?: "alert" | "retrain"; limit?: number },
): Promise<MonitorEvent[]> {
  const limit = Math.min(Math.max(1, Math.floor(query.limit ?? 100)), 10_000);
  const rows = await read(conn, "read the monitoring events", (db) => {
    let q = typed(db).selectFrom("monitor_events").selectAll().where("model", "=", query.model);
    if (query.kind !== undefined) q = q.where("kind", "=", query.kind);
    return q.orderBy("at", "desc").orderBy("id", "desc").limit(limit).execute();
  });
  return rows.map(toEvent);
}
