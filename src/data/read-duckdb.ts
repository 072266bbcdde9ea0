/**
 * One DuckDB instance per read: opened with a memory limit and a private spill folder,
 * always closed (and the folder removed) by whoever opened it. Also the SQL quoting helpers
 * and the translation of DuckDB's error text into short, readable reasons.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { DuckDBInstance, type DuckDBConnection, type JS } from "@duckdb/node-api";

const MiB = 1024 * 1024;

/** The NA tokens: cells holding one of these (after trimming blanks) are missing values. */
export const NA_TOKENS = ["NA", "N/A", "NaN", "nan", "null", "NULL", "None", "-"] as const;

/** Blank, whitespace-only, or an NA token with optional blanks around it (RE2 syntax). */
const NA_PATTERN = `^\\s*(?:${NA_TOKENS.map((t) => t.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&")).join("|")})?\\s*$`;

/**
 * DuckDB's own memory limit: a fifth of the machine, between 256 MiB and 2 GiB. Above it DuckDB
 * spills to its temp folder rather than growing; the frame itself is bounded separately.
 */
export function duckdbMemoryLimit(total = totalmem()): number {
  return Math.max(256 * MiB, Math.min(2048 * MiB, Math.floor(total / 5)));
}

/** `'it''s'`: a SQL string literal. */
export function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/**
 * `['a', 'b']`: a SQL list literal, for membership tests as `list_contains(list, x)`.
 * Never `x IN ('a', 'b', ...)`: DuckDB turns an IN list of five or more constants into a join,
 * and that join does not keep row order, so values would no longer line up with their rows.
 */
export function sqlList(values: readonly string[]): string {
  return `[${values.map(sqlString).join(", ")}]`;
}

/** `"col ""x"""`: a SQL identifier. */
export function sqlIdent(s: string): string {
  return `"${s.replaceAll('"', '""')}"`;
}

/**
 * An open DuckDB instance and connection. Call {@link DuckSession.close} in a `finally`.
 * Tables, types and macros live in the instance's main schema (not TEMP), so that a second
 * connection from {@link DuckSession.fork} sees them and can query in parallel.
 */
export class DuckSession {
  private closed = false;
  private readonly forks: DuckSession[] = [];

  private constructor(
    private readonly instance: DuckDBInstance,
    readonly conn: DuckDBConnection,
    /** The spill folder, owned (and removed) by the session that opened the instance. */
    private readonly spillDir: string | undefined,
  ) {}

  /** Open an in-memory instance with a memory limit, UTC time zone and the NA macro. */
  static async open(): Promise<DuckSession> {
    const spillDir = mkdtempSync(join(tmpdir(), "sluice-duckdb-"));
    let instance: DuckDBInstance | undefined;
    try {
      instance = await DuckDBInstance.create(":memory:", {
        memory_limit: `${Math.floor(duckdbMemoryLimit() / MiB)}MiB`,
        temp_directory: spillDir,
        preserve_insertion_order: "true",
      });
      const conn = await instance.connect();
      const session = new DuckSession(instance, conn, spillDir);
      await conn.run(`SET TimeZone = 'UTC'`);
      // Missing means NULL, blank or whitespace-only, or an NA token: one definition for every column.
      await conn.run(
        `CREATE MACRO sl_trim(v) AS trim(v, ' ' || chr(9) || chr(10) || chr(13));
         CREATE MACRO sl_na(v) AS (v IS NULL OR regexp_matches(v, ${sqlString(NA_PATTERN)}));`,
      );
      return session;
    } catch (err) {
      instance?.closeSync();
      rmSync(spillDir, { recursive: true, force: true });
      throw err;
    }
  }

  /** A second connection to the same instance, closed with this session. */
  async fork(): Promise<DuckSession> {
    const conn = await this.instance.connect();
    const forked = new DuckSession(this.instance, conn, undefined);
    this.forks.push(forked);
    await conn.run(`SET TimeZone = 'UTC'`);
    return forked;
  }

  /** Lower (or raise) DuckDB's memory limit for the rest of this session's work. */
  async setMemoryLimit(bytes: number): Promise<void> {
    await this.conn.run(`SET memory_limit = '${Math.max(1, Math.floor(bytes / MiB))}MiB'`);
  }

  /** Run statements for their effect. */
  async run(sql: string): Promise<void> {
    await this.conn.run(sql);
  }

  /** All rows of a (small) result as plain JS values. */
  async rows(sql: string): Promise<JS[][]> {
    const reader = await this.conn.runAndReadAll(sql);
    return reader.getRowsJS();
  }

  /** The first column of a one-row result, as a number. */
  async number(sql: string): Promise<number> {
    const rows = await this.rows(sql);
    return Number(rows[0]?.[0] ?? NaN);
  }

  /** Close the connection (and forks); the opening session also closes the instance and removes the spill folder. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      for (const f of this.forks) f.close();
      this.conn.closeSync();
    } finally {
      if (this.spillDir !== undefined) {
        this.instance.closeSync();
        rmSync(this.spillDir, { recursive: true, force: true });
      }
    }
  }
}

/** A cell of a small result as text (names, types, raw values); NULL → "". */
export function cellText(v: JS | undefined): string {
  if (typeof v === "string") return v;
  if (v === null || v === undefined) return "";
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return String(v);
  return JSON.stringify(v, (_key, x: unknown) => (typeof x === "bigint" ? x.toString() : x));
}

/** DuckDB's error text without its SQL excerpt (`LINE 1: …`) and trailing blank lines. */
export function duckdbMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const cut = text.search(/\n\s*LINE \d+:/);
  return (cut >= 0 ? text.slice(0, cut) : text).trim();
}

/** What a CSV error from DuckDB says: the line, the offending text and the reason. */
export interface CsvErrorFacts {
  line?: number;
  original?: string;
  reason: string;
  /** For a conversion error: the column DuckDB could not convert. */
  column?: string;
}

/** Pick the facts out of DuckDB's CSV error text (it is free text; missing parts stay undefined). */
export function csvErrorFacts(err: unknown): CsvErrorFacts {
  const text = duckdbMessage(err);
  const lines = text.split("\n");
  const lineMatch = /CSV Error on Line: (\d+)/.exec(text);
  const originalIndex = lines.findIndex((l) => l.startsWith("Original Line:"));
  let original: string | undefined;
  let reasonIndex = -1;
  if (originalIndex >= 0) {
    // The original line may itself span lines (a quoted newline); the reason follows it.
    original = lines[originalIndex]!.slice("Original Line:".length).trim();
    reasonIndex = lines.findIndex(
      (l, i) =>
        i > originalIndex &&
        /(Expected Number of Columns|unterminated quote|Error when converting|Invalid unicode|Maximum line size|Value with)/i.test(
          l,
        ),
    );
  }
  const columnMatch = /Error when converting column "((?:[^"]|"")*)"/.exec(text);
  const first = (lines[0] ?? text).replace(/^[A-Za-z ]+Error: /, "").trim();
  const reason = reasonIndex >= 0 ? lines[reasonIndex]!.trim() : first;
  return {
    ...(lineMatch === null ? {} : { line: Number(lineMatch[1]) }),
    ...(original === undefined ? {} : { original }),
    ...(columnMatch === null ? {} : { column: columnMatch[1]!.replaceAll('""', '"') }),
    reason,
  };
}
