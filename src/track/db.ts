/**
 * The tables of the tracking store as Kysely sees them, and the small helpers every query file
 * shares: the write lock, transactions, id generation and row conversion.
 */
import { randomBytes } from "node:crypto";
import { type Kysely, sql } from "kysely";
import { SluiceError, isSluiceError } from "../errors.js";

export interface ExperimentsTable {
  id: string;
  name: string;
  created_at: number;
}

export interface RunsTable {
  id: string;
  experiment_id: string;
  name: string;
  status: string;
  start_time: number;
  end_time: number | null;
  parent_run_id: string | null;
  pid: number | null;
  host: string | null;
}

export interface KeyValueTable {
  run_id: string;
  key: string;
  value: string;
}

export interface MetricsTable {
  run_id: string;
  key: string;
  value: number;
  step: number;
  timestamp: number;
}

export interface ArtifactsTable {
  run_id: string;
  path: string;
  uri: string;
  bytes: number;
  sha256: string;
}

export interface RegisteredModelsTable {
  name: string;
  description: string;
  created_at: number;
  updated_at: number;
  latest_version: number;
}

export interface ModelVersionsTable {
  name: string;
  version: number;
  run_id: string | null;
  source: string;
  stage: string;
  description: string;
  created_at: number;
  /** JSON object of test metrics. */
  metrics: string;
}

export interface VersionTagsTable {
  name: string;
  version: number;
  key: string;
  value: string;
}

export interface AliasesTable {
  name: string;
  alias: string;
  version: number;
}

export interface TransitionsTable {
  /** Insertion order (autoincrement). */
  seq: number | undefined;
  name: string;
  version: number;
  kind: string;
  alias: string | null;
  from_value: string | null;
  to_value: string | null;
  at: number;
  by: string;
  reason: string;
}

export interface GateResultsTable {
  name: string;
  version: number;
  position: number;
  gate: string;
  value: number | null;
  threshold: number | null;
  passed: number;
  detail: string;
}

export interface SchemaTable {
  version: number;
  sluice_version: string;
  applied_at: number;
}

export interface Database {
  sluice_schema: SchemaTable;
  experiments: ExperimentsTable;
  runs: RunsTable;
  params: KeyValueTable;
  tags: KeyValueTable;
  metrics: MetricsTable;
  latest_metrics: MetricsTable;
  artifacts: ArtifactsTable;
  registered_models: RegisteredModelsTable;
  model_versions: ModelVersionsTable;
  version_tags: VersionTagsTable;
  aliases: AliasesTable;
  transitions: TransitionsTable;
  gate_results: GateResultsTable;
}

export type Dialect = "sqlite" | "postgres";

/** A random 16-byte id in hex (32 characters). */
export function newId(): string {
  return randomBytes(16).toString("hex");
}

/** A number from a driver value (PostgreSQL `bigint` may arrive as a string). */
export function num(value: unknown): number {
  return typeof value === "number" ? value : Number(value);
}

/** The same, keeping null. */
export function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : num(value);
}

/**
 * A promise-chain mutex. SQLite allows one writer; better-sqlite3 waits for a lock
 * synchronously, so two stores of one process on the same file must never hold write
 * transactions at the same time (one would block the event loop the other needs to finish).
 * Writers of one process on one file therefore queue here first.
 */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

const fileMutexes = new Map<string, Mutex>();

/** The process-wide write mutex of a SQLite file. */
export function mutexFor(key: string): Mutex {
  let m = fileMutexes.get(key);
  if (m === undefined) {
    m = new Mutex();
    fileMutexes.set(key, m);
  }
  return m;
}

/** The database handle and how to write through it. */
export interface Conn {
  db: Kysely<Database>;
  dialect: Dialect;
  /** The store URL with the password hidden, for error messages. */
  url: string;
  /** Writers of this file in this process (SQLite) or of this store (PostgreSQL). */
  mutex: Mutex;
}

/** Turn a driver failure into E_STORE; SluiceErrors pass through. */
export function storeError(conn: Pick<Conn, "url">, what: string, err: unknown): SluiceError {
  if (isSluiceError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new SluiceError("E_STORE", `the tracking store ${conn.url} failed to ${what}: ${message}`, {
    cause: err,
    details: { url: conn.url },
    hint: "check that the store is reachable and not corrupted; --verbose shows the cause",
  });
}

/** Run a read, turning driver failures into E_STORE. */
export async function read<T>(
  conn: Conn,
  what: string,
  fn: (db: Kysely<Database>) => Promise<T>,
): Promise<T> {
  try {
    return await fn(conn.db);
  } catch (err) {
    throw storeError(conn, what, err);
  }
}

/**
 * Run `fn` in one write transaction: SQLite `BEGIN IMMEDIATE` (the write lock is taken at once,
 * so read-then-write sequences cannot race), PostgreSQL `BEGIN` (callers lock rows they depend
 * on with `FOR UPDATE`). Everything is rolled back when `fn` throws.
 */
export async function write<T>(
  conn: Conn,
  what: string,
  fn: (tx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  try {
    return await conn.mutex.run(() =>
      conn.db.connection().execute(async (c) => {
        await sql.raw(conn.dialect === "sqlite" ? "begin immediate" : "begin").execute(c);
        try {
          const result = await fn(c);
          await sql.raw("commit").execute(c);
          return result;
        } catch (err) {
          await sql
            .raw("rollback")
            .execute(c)
            .catch(() => undefined);
          throw err;
        }
      }),
    );
  } catch (err) {
    throw storeError(conn, what, err);
  }
}
