/**
 * Opening a tracking store from a URL: SQLite (a file path, `sqlite:PATH`) or PostgreSQL
 * (`postgres://…`, `postgresql://…`). The schema is migrated on open.
 */
import { mkdirSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { SluiceError } from "../errors.js";
import { type Conn, type Database, Mutex, mutexFor } from "./db.js";
import { migrate } from "./migrations.js";
import { KyselyStore } from "./store.js";
import type { Store } from "./types.js";

export interface OpenStoreOptions {
  /** The project folder: the default store is `<projectDir>/.sluice/sluice.db`, and relative SQLite paths resolve here. Default: the working directory. */
  projectDir?: string;
  /**
   * The store named by the project file (sluice.yaml's `store:`). `SLUICE_STORE` wins over it;
   * an explicit `url` wins over both.
   */
  configUrl?: string;
  /** PostgreSQL schema to use (created when missing); also `?schema=NAME` in the URL. */
  schema?: string;
  /** Milliseconds to wait for a PostgreSQL connection (default 5000). */
  connectTimeoutMs?: number;
}

/** SQLite waits this long for another writer's lock before failing. */
const BUSY_TIMEOUT_MS = 10_000;

/** The URL with its password replaced by `***`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== "") u.password = "***";
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, "//$1:***@");
  }
}

/**
 * Open the tracking store. Which one, first match wins:
 * 1. `url` (a `--store` flag);
 * 2. the `SLUICE_STORE` environment variable (like MLflow's `MLFLOW_TRACKING_URI`, it wins
 *    over the project file, so CI can point every project at a shared PostgreSQL);
 * 3. `options.configUrl` (sluice.yaml's `store:`);
 * 4. SQLite at `<projectDir>/.sluice/sluice.db`.
 *
 * A plain path or `sqlite:PATH` is SQLite (relative paths resolve against `projectDir`;
 * `:memory:` is an in-memory store), opened with WAL, a 10 s busy timeout, foreign keys on
 * and `synchronous=NORMAL`. `postgres://` and `postgresql://` are PostgreSQL; `?schema=NAME`
 * (or `options.schema`) puts the tables in that schema, created when missing.
 *
 * @throws SluiceError E_STORE (cannot open or connect: names the URL, password hidden),
 *   E_STORE_VERSION (the store was written by a newer Sluice)
 */
export async function openStore(url?: string, options: OpenStoreOptions = {}): Promise<Store> {
  const projectDir = resolve(options.projectDir ?? ".");
  const env = process.env.SLUICE_STORE;
  const chosen = nonEmpty(url) ?? nonEmpty(env) ?? nonEmpty(options.configUrl);
  const target = chosen ?? join(projectDir, ".sluice", "sluice.db");
  if (/^postgres(ql)?:\/\//i.test(target)) return openPostgres(target, options);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target) && !/^sqlite:/i.test(target) && !/^file:/i.test(target))
    throw new SluiceError("E_STORE", `unsupported store URL ${redactUrl(target)}`, {
      details: { url: redactUrl(target) },
      hint: "use a SQLite file path (sqlite:PATH or a plain path) or postgres://user@host:5432/db",
    });
  return openSqlite(sqlitePath(target, projectDir));
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s.trim() === "" ? undefined : s.trim();
}

function sqlitePath(target: string, projectDir: string): string {
  let path = target;
  if (/^sqlite:/i.test(path)) path = path.slice("sqlite:".length);
  else if (/^file:/i.test(path)) path = path.slice("file:".length);
  if (path.startsWith("///")) path = path.slice(2);
  else if (path.startsWith("//")) path = path.slice(2);
  if (path === ":memory:") return path;
  return isAbsolute(path) ? path : resolve(projectDir, path);
}

async function openSqlite(path: string): Promise<Store> {
  const url = `sqlite:${path}`;
  let database: BetterSqlite3.Database;
  try {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    database = new BetterSqlite3(path, { timeout: BUSY_TIMEOUT_MS });
    database.pragma("journal_mode = WAL");
    database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    database.pragma("foreign_keys = ON");
    database.pragma("synchronous = NORMAL");
    // LIKE is case-sensitive, as in PostgreSQL (ILIKE is the case-insensitive one).
    database.pragma("case_sensitive_like = ON");
  } catch (err) {
    throw new SluiceError("E_STORE", `cannot open the SQLite store ${path}: ${(err as Error).message}`, {
      cause: err,
      details: { url, path },
      hint: "check that the folder exists and is writable and that the file is a SQLite database",
    });
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
  const conn: Conn = {
    db,
    dialect: "sqlite",
    url,
    mutex: path === ":memory:" ? new Mutex() : mutexFor(path),
  };
  try {
    await migrate(conn);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return new KyselyStore(conn);
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

async function openPostgres(rawUrl: string, options: OpenStoreOptions): Promise<Store> {
  let parsed: URL;
  try {
    parsed = new URL(rawUrl);
  } catch (err) {
    throw new SluiceError("E_STORE", `the store URL ${redactUrl(rawUrl)} is not a valid URL`, {
      cause: err,
      details: { url: redactUrl(rawUrl) },
      hint: "write it as postgres://USER:PASSWORD@HOST:5432/DATABASE",
    });
  }
  const schema = options.schema ?? (parsed.searchParams.get("schema") || undefined);
  parsed.searchParams.delete("schema");
  const display = redactUrl(parsed.toString()) + (schema === undefined ? "" : `?schema=${schema}`);
  if (schema !== undefined && !IDENT.test(schema))
    throw new SluiceError("E_STORE", `bad schema name "${schema}" in ${display}`, {
      details: { url: display, schema },
      hint: "a schema name is letters, digits and _ (not starting with a digit)",
    });

  // bigint (epoch ms, counts) as numbers, never strings.
  const types: pg.CustomTypesConfig = {
    getTypeParser: (oid: number, format?: "text" | "binary"): unknown =>
      oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format),
  };
  const pool = new pg.Pool({
    connectionString: parsed.toString(),
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    max: 5,
    types,
    // The store's queries read pages of ≤ 1000 rows: parallel workers only add start-up time
    // (tens of ms) to them, so this session does without.
    options: `-c max_parallel_workers_per_gather=0${schema === undefined ? "" : ` -c search_path=${schema}`}`,
  });
  pool.on("error", () => undefined); // an idle client lost: the next query reports it
  try {
    const client = await pool.connect();
    try {
      if (schema !== undefined) {
        await client.query(`create schema if not exists "${schema}"`).catch((err: { code?: string }) => {
          // two processes creating it at once: the other one won
          if (err.code !== "23505" && err.code !== "42P06") throw err;
        });
      }
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end().catch(() => undefined);
    const host = `${parsed.hostname || "localhost"}:${parsed.port || "5432"}`;
    const db = parsed.pathname.replace(/^\//, "") || "(default)";
    throw new SluiceError(
      "E_STORE",
      `cannot connect to the PostgreSQL store ${display}: ${(err as Error).message}`,
      {
        cause: err,
        details: { url: display },
        hint: `is PostgreSQL running on ${host}? check the host, port and database ("${db}"), the user and password`,
      },
    );
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const conn: Conn = { db, dialect: "postgres", url: display, mutex: new Mutex() };
  try {
    await sql`select 1`.execute(db);
    await migrate(conn);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return new KyselyStore(conn);
}
