/**
 * Numbered schema migrations, applied when a store is opened, in one transaction. The
 * `sluice_schema` table holds one row per applied migration with the Sluice version that
 * applied it; a store whose version is ahead of this code is refused (E_STORE_VERSION).
 *
 * Types are portable: text ids, epoch milliseconds as `bigint`, metric values as
 * `double precision` (REAL in SQLite).
 */
import { type Kysely, sql } from "kysely";
import { SluiceError } from "../errors.js";
import { compareVersions, isVersion, SLUICE_VERSION } from "../version.js";
import { type Conn, type Database, type Dialect, write } from "./db.js";

/**
 * One schema change: the Sluice release that first ships it (`since`, so the version a store
 * records always tells which build can read it) and its SQL statements.
 */
export interface Migration {
  /** The first Sluice version with this migration; SLUICE_VERSION must have reached it. */
  since: string;
  /** What it is for, as one line. */
  intent: string;
  statements: (dialect: Dialect) => string[];
}

/** SQLite: key-value tables clustered on their primary key (lookups by key read no other page). */
const clustered = (d: Dialect): string => (d === "sqlite" ? " without rowid" : "");

const serial = (d: Dialect): string =>
  d === "sqlite" ? "integer primary key autoincrement" : "bigserial primary key";

/**
 * Migration n is MIGRATIONS[n - 1]. Never edit a released one: add the next, with `since` set
 * to the coming release, and bump the package version to it (migrations.test.ts checks).
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    since: "0.1.0",
    intent: "experiments and runs",
    statements: (d) => [
      `create table experiments (
      id text primary key,
      name text not null unique,
      created_at bigint not null)`,
      `create table runs (
      id text primary key,
      experiment_id text not null references experiments (id),
      name text not null,
      status text not null,
      start_time bigint not null,
      end_time bigint,
      parent_run_id text,
      pid integer,
      host text)`,
      `create index runs_experiment on runs (experiment_id, start_time)`,
      `create index runs_start on runs (start_time, id)`,
      `create index runs_parent on runs (parent_run_id)`,
      `create index runs_status on runs (status)`,
      `create table params (
      run_id text not null references runs (id),
      key text not null,
      value text not null,
      primary key (run_id, key))${clustered(d)}`,
      `create table tags (
      run_id text not null references runs (id),
      key text not null,
      value text not null,
      primary key (run_id, key))${clustered(d)}`,
      `create table metrics (
      run_id text not null references runs (id),
      key text not null,
      value double precision not null,
      step bigint not null,
      timestamp bigint not null)`,
      `create index metrics_run_key on metrics (run_id, key, step)`,
      `create table latest_metrics (
      run_id text not null references runs (id),
      key text not null,
      value double precision not null,
      step bigint not null,
      timestamp bigint not null,
      primary key (run_id, key))${clustered(d)}`,
      `create index latest_metrics_key_value on latest_metrics (key, value, run_id)`,
      `create index latest_metrics_run on latest_metrics (run_id)`,
      `create table artifacts (
      run_id text not null references runs (id),
      path text not null,
      uri text not null,
      bytes bigint not null,
      sha256 text not null,
      primary key (run_id, path))`,
    ],
  },
  {
    since: "0.1.0",
    intent: "the model registry",
    statements: (d) => [
      `create table registered_models (
      name text primary key,
      description text not null,
      created_at bigint not null,
      updated_at bigint not null,
      latest_version integer not null)`,
      `create table model_versions (
      name text not null references registered_models (name),
      version integer not null,
      run_id text,
      source text not null,
      stage text not null,
      description text not null,
      created_at bigint not null,
      metrics text not null,
      primary key (name, version))`,
      `create index model_versions_stage on model_versions (name, stage)`,
      `create table version_tags (
      name text not null,
      version integer not null,
      key text not null,
      value text not null,
      primary key (name, version, key),
      foreign key (name, version) references model_versions (name, version))`,
      `create table aliases (
      name text not null,
      alias text not null,
      version integer not null,
      primary key (name, alias),
      foreign key (name, version) references model_versions (name, version))`,
      `create table transitions (
      seq ${serial(d)},
      name text not null,
      version integer not null,
      kind text not null,
      alias text,
      from_value text,
      to_value text,
      at bigint not null,
      by text not null,
      reason text not null)`,
      `create index transitions_name on transitions (name, seq)`,
      `create table gate_results (
      name text not null,
      version integer not null,
      position integer not null,
      gate text not null,
      value double precision,
      threshold double precision,
      passed integer not null,
      detail text not null,
      primary key (name, version, position),
      foreign key (name, version) references model_versions (name, version))`,
    ],
  },
  {
    since: "0.1.0",
    intent: "the prediction log (inputs, outputs and later ground truth of served predictions)",
    statements: (d) => [
      `create table predictions (
      id ${serial(d)},
      request_id text not null,
      at bigint not null,
      model text not null,
      version integer,
      input text not null,
      output text not null,
      latency_ms double precision not null,
      feedback text,
      feedback_at bigint)`,
      `create index predictions_model_at on predictions (model, at)`,
      `create index predictions_request on predictions (request_id)`,
    ],
  },
  {
    since: "0.2.0",
    intent: "monitoring: drift reports per model version, alerts and retraining triggers",
    statements: (d) => [
      `create table drift_reports (
      id ${serial(d)},
      model text not null,
      version integer,
      at bigint not null,
      source text not null,
      reference_rows integer not null,
      current_rows integer not null,
      dataset_drift integer not null,
      drift_share double precision not null,
      severity text not null,
      drifted text not null,
      report text not null)`,
      `create index drift_reports_model on drift_reports (model, at)`,
      `create table monitor_events (
      id ${serial(d)},
      model text not null,
      version integer,
      kind text not null,
      at bigint not null,
      severity text not null,
      status text not null,
      reason text not null,
      run_id text,
      detail text not null)`,
      `create index monitor_events_model on monitor_events (model, kind, at)`,
      `create index predictions_model_id on predictions (model, id)`,
    ],
  },
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

async function currentVersion(tx: Kysely<Database>): Promise<{ version: number; sluiceVersion: string }> {
  const row = await tx
    .selectFrom("sluice_schema")
    .select(["version", "sluice_version"])
    .orderBy("version", "desc")
    .limit(1)
    .executeTakeFirst();
  return row === undefined
    ? { version: 0, sluiceVersion: "" }
    : { version: Number(row.version), sluiceVersion: row.sluice_version };
}

/**
 * The refusal of a store whose schema is ahead of this code. A store written by a newer release
 * says which release to upgrade to; one whose writer is not newer than this build (a development
 * build that added a migration before its version was bumped) says so, since no upgrade to that
 * version would help.
 */
export function versionAhead(conn: Pick<Conn, "url">, version: number, sluiceVersion: string): SluiceError {
  const details = {
    url: conn.url,
    storeVersion: version,
    storeSluiceVersion: sluiceVersion,
    supportedVersion: SCHEMA_VERSION,
    sluiceVersion: SLUICE_VERSION,
  };
  const known = isVersion(sluiceVersion);
  if (!known || compareVersions(sluiceVersion, SLUICE_VERSION) > 0) {
    const writer = known
      ? `sluice ${sluiceVersion}`
      : `a sluice of unknown version${sluiceVersion === "" ? "" : ` "${sluiceVersion}"`}`;
    return new SluiceError(
      "E_STORE_VERSION",
      `the tracking store ${conn.url} has schema version ${version} (written by ${writer}), ` +
        `but this sluice (${SLUICE_VERSION}) knows schema versions up to ${SCHEMA_VERSION}`,
      {
        details,
        hint: known
          ? `upgrade sluice to ${sluiceVersion} or later, or use another store`
          : "upgrade sluice to the version that wrote the store, or use another store",
      },
    );
  }
  return new SluiceError(
    "E_STORE_VERSION",
    `the tracking store ${conn.url} has schema version ${version}, written by a development build of sluice ` +
      `${sluiceVersion} with a newer schema than this sluice (${SLUICE_VERSION}), which knows schema versions up to ${SCHEMA_VERSION}`,
    {
      details,
      hint:
        `open it with the build that wrote it, or a sluice release that knows schema version ${version}; ` +
        "or use another store (--store, SLUICE_STORE or store: in sluice.yaml)",
    },
  );
}

/**
 * Bring the store's schema up to {@link SCHEMA_VERSION}. PostgreSQL takes a transaction-scoped
 * advisory lock (per schema) so two processes opening a new store at once do not both
 * migrate; SQLite's `BEGIN IMMEDIATE` does the same.
 *
 * @throws SluiceError E_STORE_VERSION when the store is ahead of this code
 */
export async function migrate(conn: Conn): Promise<void> {
  // A quick look first: a store that is ahead is refused without taking the write lock.
  const probe = await conn.db
    .selectFrom("sluice_schema")
    .select(["version", "sluice_version"])
    .orderBy("version", "desc")
    .limit(1)
    .executeTakeFirst()
    .catch(() => undefined);
  if (probe !== undefined && Number(probe.version) > SCHEMA_VERSION)
    throw versionAhead(conn, Number(probe.version), probe.sluice_version);
  if (probe !== undefined && Number(probe.version) === SCHEMA_VERSION) return;

  await write(conn, "migrate its schema", async (tx) => {
    if (conn.dialect === "postgres")
      await sql`select pg_advisory_xact_lock(hashtext(current_schema() || '.sluice_schema'))`.execute(tx);
    await sql
      .raw(
        `create table if not exists sluice_schema (
          version integer primary key,
          sluice_version text not null,
          applied_at bigint not null)`,
      )
      .execute(tx);
    const { version, sluiceVersion } = await currentVersion(tx);
    if (version > SCHEMA_VERSION) throw versionAhead(conn, version, sluiceVersion);
    for (let v = version + 1; v <= SCHEMA_VERSION; v++) {
      for (const statement of MIGRATIONS[v - 1]!.statements(conn.dialect))
        await sql.raw(statement).execute(tx);
      await tx
        .insertInto("sluice_schema")
        .values({ version: v, sluice_version: SLUICE_VERSION, applied_at: Date.now() })
        .execute();
    }
  });
}
