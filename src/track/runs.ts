/** Experiments, runs and what is logged to them. */
import { hostname } from "node:os";
import type { Kysely } from "kysely";
import { SluiceError } from "../errors.js";
import { type Conn, type Database, newId, num, numOrNull, read, write } from "./db.js";
import type {
  ArtifactRecord,
  CreateRunInput,
  Experiment,
  LogBatchInput,
  MetricPoint,
  RunRecord,
  RunStatus,
} from "./types.js";
import { checkKey, checkMetric, checkRunId, paramText, tagText } from "./validate.js";

export const RUN_STATUSES: readonly RunStatus[] = ["running", "finished", "failed", "killed"];

function toExperiment(row: { id: string; name: string; created_at: number }): Experiment {
  return { id: row.id, name: row.name, createdAt: num(row.created_at) };
}

export async function getExperimentByName(conn: Conn, name: string): Promise<Experiment | null> {
  const row = await read(conn, "read an experiment", (db) =>
    db.selectFrom("experiments").selectAll().where("name", "=", name).executeTakeFirst(),
  );
  return row === undefined ? null : toExperiment(row);
}

export async function getOrCreateExperiment(conn: Conn, name: string): Promise<Experiment> {
  if (typeof name !== "string" || name.trim() === "" || name.length > 250)
    throw new SluiceError(
      "E_USAGE",
      `an experiment name must be 1 to 250 characters, got "${String(name)}"`,
      {
        details: { name },
      },
    );
  const found = await getExperimentByName(conn, name);
  if (found !== null) return found;
  return write(conn, "create an experiment", async (tx) => {
    await tx
      .insertInto("experiments")
      .values({ id: newId(), name, created_at: Date.now() })
      .onConflict((oc) => oc.column("name").doNothing())
      .execute();
    return toExperiment(
      await tx.selectFrom("experiments").selectAll().where("name", "=", name).executeTakeFirstOrThrow(),
    );
  });
}

export async function listExperiments(conn: Conn): Promise<Experiment[]> {
  const rows = await read(conn, "list experiments", (db) =>
    db.selectFrom("experiments").selectAll().orderBy("created_at").orderBy("name").execute(),
  );
  return rows.map(toExperiment);
}

function runNotFound(runId: string): SluiceError {
  return new SluiceError("E_NOT_FOUND", `no run with id "${runId}"`, {
    details: { runId },
    hint: "`sluice runs list` shows the runs",
  });
}

async function requireRun(tx: Kysely<Database>, runId: string): Promise<{ status: string }> {
  const row = await tx.selectFrom("runs").select("status").where("id", "=", runId).executeTakeFirst();
  if (row === undefined) throw runNotFound(runId);
  return row;
}

export async function createRun(conn: Conn, input: CreateRunInput): Promise<RunRecord> {
  const id = input.id === undefined ? newId() : checkRunId(input.id);
  const tags = Object.entries(input.tags ?? {}).map(([k, v]) => {
    const key = checkKey("tag", k);
    return { run_id: id, key, value: tagText(key, v) };
  });
  const startTime = input.startTime ?? Date.now();
  await write(conn, "create a run", async (tx) => {
    const experiment = await tx
      .selectFrom("experiments")
      .select("id")
      .where("id", "=", input.experimentId)
      .executeTakeFirst();
    if (experiment === undefined)
      throw new SluiceError("E_NOT_FOUND", `no experiment with id "${input.experimentId}"`, {
        details: { experimentId: input.experimentId },
        hint: "create it first with getOrCreateExperiment(name)",
      });
    if (input.parentRunId !== undefined) await requireRun(tx, input.parentRunId);
    const exists = await tx.selectFrom("runs").select("id").where("id", "=", id).executeTakeFirst();
    if (exists !== undefined)
      throw new SluiceError("E_USAGE", `a run with id "${id}" already exists`, {
        details: { runId: id },
        hint: "leave the id out to get a generated one",
      });
    await tx
      .insertInto("runs")
      .values({
        id,
        experiment_id: input.experimentId,
        name: input.name,
        status: "running",
        start_time: startTime,
        end_time: null,
        parent_run_id: input.parentRunId ?? null,
        pid: input.pid ?? null,
        host: input.host ?? null,
      })
      .execute();
    if (tags.length > 0) await tx.insertInto("tags").values(tags).execute();
  });
  return getRun(conn, id);
}

export async function setRunStatus(
  conn: Conn,
  runId: string,
  status: RunStatus,
  endTime?: number,
): Promise<void> {
  if (!RUN_STATUSES.includes(status))
    throw new SluiceError("E_USAGE", `unknown run status "${String(status)}"`, {
      details: { status, statuses: RUN_STATUSES },
      hint: `the statuses are: ${RUN_STATUSES.join(", ")}`,
    });
  await write(conn, "set a run's status", async (tx) => {
    await requireRun(tx, runId);
    await tx
      .updateTable("runs")
      .set({ status, end_time: status === "running" ? null : (endTime ?? Date.now()) })
      .where("id", "=", runId)
      .execute();
  });
}

/** Chunk rows for multi-row inserts (SQLite caps bound parameters per statement). */
function chunks<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/**
 * Log metrics, params and tags in one transaction: everything is checked first, and a bad
 * entry writes nothing. A param already logged with another value is refused (E_USAGE), as in
 * MLflow; the same value again is a no-op. `latest_metrics` keeps, per key, the point with the
 * highest step (then the latest timestamp).
 */
export async function logBatch(conn: Conn, runId: string, batch: LogBatchInput): Promise<void> {
  const now = Date.now();
  const metrics = (batch.metrics ?? []).map((m) => checkMetric(m, now));
  const params = new Map<string, string>();
  for (const [k, v] of Object.entries(batch.params ?? {})) params.set(checkKey("param", k), paramText(k, v));
  const tags = new Map<string, string>();
  for (const [k, v] of Object.entries(batch.tags ?? {})) tags.set(checkKey("tag", k), tagText(k, v));

  // The latest point per key within the batch (one upsert per key).
  const latest = new Map<string, Required<MetricPoint>>();
  for (const m of metrics) {
    const prev = latest.get(m.key);
    if (prev === undefined || m.step > prev.step || (m.step === prev.step && m.timestamp >= prev.timestamp))
      latest.set(m.key, m);
  }

  await write(conn, "log to a run", async (tx) => {
    await requireRun(tx, runId);
    if (params.size > 0) {
      const existing = await tx
        .selectFrom("params")
        .select(["key", "value"])
        .where("run_id", "=", runId)
        .where("key", "in", [...params.keys()])
        .execute();
      for (const row of existing) {
        const value = params.get(row.key)!;
        if (value !== row.value)
          throw new SluiceError(
            "E_USAGE",
            `param "${row.key}" of run ${runId} is already "${row.value}"; it cannot change to "${value}"`,
            {
              details: { runId, key: row.key, old: row.value, new: value },
              hint: "params are fixed once logged: log the new value under another key, or start a new run",
            },
          );
        params.delete(row.key);
      }
      for (const part of chunks([...params], 300))
        await tx
          .insertInto("params")
          .values(part.map(([key, value]) => ({ run_id: runId, key, value })))
          .execute();
    }
    for (const part of chunks([...tags], 300))
      await tx
        .insertInto("tags")
        .values(part.map(([key, value]) => ({ run_id: runId, key, value })))
        .onConflict((oc) =>
          oc.columns(["run_id", "key"]).doUpdateSet((eb) => ({ value: eb.ref("excluded.value") })),
        )
        .execute();
    for (const part of chunks(metrics, 150))
      await tx
        .insertInto("metrics")
        .values(part.map((m) => ({ run_id: runId, ...m })))
        .execute();
    for (const part of chunks([...latest.values()], 150))
      await tx
        .insertInto("latest_metrics")
        .values(part.map((m) => ({ run_id: runId, ...m })))
        .onConflict((oc) =>
          oc
            .columns(["run_id", "key"])
            .doUpdateSet((eb) => ({
              value: eb.ref("excluded.value"),
              step: eb.ref("excluded.step"),
              timestamp: eb.ref("excluded.timestamp"),
            }))
            .where((eb) =>
              eb.or([
                eb("excluded.step", ">", eb.ref("latest_metrics.step")),
                eb.and([
                  eb("excluded.step", "=", eb.ref("latest_metrics.step")),
                  eb("excluded.timestamp", ">=", eb.ref("latest_metrics.timestamp")),
                ]),
              ]),
            ),
        )
        .execute();
  });
}

export async function recordArtifact(conn: Conn, runId: string, artifact: ArtifactRecord): Promise<void> {
  if (typeof artifact.path !== "string" || artifact.path === "" || typeof artifact.uri !== "string")
    throw new SluiceError("E_USAGE", `an artifact needs a path and a URI, got ${JSON.stringify(artifact)}`, {
      details: { runId },
    });
  await write(conn, "record an artifact", async (tx) => {
    await requireRun(tx, runId);
    await tx
      .insertInto("artifacts")
      .values({
        run_id: runId,
        path: artifact.path,
        uri: artifact.uri,
        bytes: artifact.bytes,
        sha256: artifact.sha256,
      })
      .onConflict((oc) =>
        oc.columns(["run_id", "path"]).doUpdateSet((eb) => ({
          uri: eb.ref("excluded.uri"),
          bytes: eb.ref("excluded.bytes"),
          sha256: eb.ref("excluded.sha256"),
        })),
      )
      .execute();
  });
}

type RunRow = Database["runs"];

/**
 * Full records for run rows, in the rows' order: params, tags, latest metrics and artifacts
 * are fetched in one query each for all the runs.
 */
export async function hydrateRuns(db: Kysely<Database>, rows: readonly RunRow[]): Promise<RunRecord[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [params, tags, metrics, artifacts] = await Promise.all([
    db
      .selectFrom("params")
      .select(["run_id", "key", "value"])
      .where("run_id", "in", ids)
      .orderBy("key")
      .execute(),
    db
      .selectFrom("tags")
      .select(["run_id", "key", "value"])
      .where("run_id", "in", ids)
      .orderBy("key")
      .execute(),
    db
      .selectFrom("latest_metrics")
      .select(["run_id", "key", "value"])
      .where("run_id", "in", ids)
      .orderBy("key")
      .execute(),
    db.selectFrom("artifacts").selectAll().where("run_id", "in", ids).orderBy("path").execute(),
  ]);
  const records = new Map<string, RunRecord>();
  for (const r of rows)
    records.set(r.id, {
      id: r.id,
      experimentId: r.experiment_id,
      name: r.name,
      status: r.status as RunStatus,
      startTime: num(r.start_time),
      endTime: numOrNull(r.end_time),
      parentRunId: r.parent_run_id,
      pid: numOrNull(r.pid),
      host: r.host,
      params: {},
      tags: {},
      metrics: {},
      artifacts: [],
    });
  for (const p of params) records.get(p.run_id)!.params[p.key] = p.value;
  for (const t of tags) records.get(t.run_id)!.tags[t.key] = t.value;
  for (const m of metrics) records.get(m.run_id)!.metrics[m.key] = num(m.value);
  for (const a of artifacts)
    records
      .get(a.run_id)!
      .artifacts.push({ path: a.path, uri: a.uri, bytes: num(a.bytes), sha256: a.sha256 });
  return ids.map((id) => records.get(id)!);
}

export async function getRun(conn: Conn, runId: string): Promise<RunRecord> {
  const run = await read(conn, "read a run", async (db) => {
    const row = await db.selectFrom("runs").selectAll().where("id", "=", runId).executeTakeFirst();
    return row === undefined ? undefined : (await hydrateRuns(db, [row]))[0];
  });
  if (run === undefined) throw runNotFound(runId);
  return run;
}

export async function getMetricHistory(
  conn: Conn,
  runId: string,
  key: string,
): Promise<Required<MetricPoint>[]> {
  const rows = await read(conn, "read a metric's history", async (db) => {
    await requireRun(db, runId);
    return db
      .selectFrom("metrics")
      .select(["key", "value", "step", "timestamp"])
      .where("run_id", "=", runId)
      .where("key", "=", key)
      .orderBy("step")
      .orderBy("timestamp")
      .execute();
  });
  return rows.map((r) => ({
    key: r.key,
    value: num(r.value),
    step: num(r.step),
    timestamp: num(r.timestamp),
  }));
}

/** Whether a process of this host is alive (EPERM: alive, owned by someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/**
 * Runs left `running` by a process that is gone become `killed` (end time now): on this host
 * when their pid is not alive; on other hosts (or without a pid) only when `staleMs` is given
 * and they started longer ago than that.
 */
export async function reapOrphanRuns(conn: Conn, options: { staleMs?: number } = {}): Promise<string[]> {
  const running = await read(conn, "list running runs", (db) =>
    db
      .selectFrom("runs")
      .select(["id", "pid", "host", "start_time"])
      .where("status", "=", "running")
      .execute(),
  );
  const host = hostname();
  const now = Date.now();
  const dead = running
    .filter((r) => {
      if (r.host === host && r.pid !== null) return !pidAlive(num(r.pid));
      return options.staleMs !== undefined && now - num(r.start_time) > options.staleMs;
    })
    .map((r) => r.id);
  if (dead.length === 0) return [];
  const reaped: string[] = [];
  await write(conn, "mark orphan runs killed", async (tx) => {
    for (const part of chunks(dead, 500)) {
      const updated = await tx
        .updateTable("runs")
        .set({ status: "killed", end_time: now })
        .where("id", "in", part)
        .where("status", "=", "running")
        .returning("id")
        .execute();
      reaped.push(...updated.map((u) => u.id));
    }
  });
  return reaped.sort();
}
