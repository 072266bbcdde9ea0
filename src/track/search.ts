/**
 * `searchRuns`: a parsed filter and order turned into one bound SQL query (keys and values are
 * parameters, never spliced in), then the page's params, tags, metrics and artifacts in one
 * query each.
 *
 * Metric clauses go through `latest_metrics` (one row per run and key, indexed on
 * `(key, value, run_id)`). When the first order key is a metric the filter also compares, the
 * query is driven from that index: it walks the metric's values in order and stops after the
 * page, instead of sorting every run.
 */
import { createHash } from "node:crypto";
import { type RawBuilder, sql } from "kysely";
import { SluiceError } from "../errors.js";
import { type Conn, read } from "./db.js";
import { ATTRIBUTES, type Clause, type OrderKey, parseFilter, parseOrderKey } from "./filter.js";
import { hydrateRuns } from "./runs.js";
import type { RunsPage, SearchRunsInput } from "./types.js";

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** Run columns that may hold NULL (ordered with `nulls last`). */
const NULLABLE = new Set(["end_time", "parent_run_id"]);

const TABLES = { metrics: "latest_metrics", params: "params", tags: "tags" } as const;

interface PageToken {
  /** Rows to skip. */
  o: number;
  /** Fingerprint of the query the token belongs to. */
  q: string;
}

function fingerprint(input: SearchRunsInput): string {
  const basis = JSON.stringify([input.filter ?? "", input.orderBy ?? [], input.experimentIds ?? []]);
  return createHash("sha256").update(basis).digest("hex").slice(0, 12);
}

function decodeToken(token: string, q: string): number {
  let parsed: Partial<PageToken> | undefined;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as Partial<PageToken>;
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || typeof parsed.o !== "number" || !Number.isSafeInteger(parsed.o) || parsed.o < 0)
    throw new SluiceError("E_USAGE", `page token "${token.slice(0, 40)}" is not valid`, {
      details: { pageToken: token },
      hint: "pass the nextPageToken of the previous page unchanged, or leave it out for the first page",
    });
  if (parsed.q !== q)
    throw new SluiceError(
      "E_USAGE",
      "the page token belongs to a search with another filter, order or experiments",
      {
        details: { pageToken: token },
        hint: "repeat the same filter and order when asking for the next page",
      },
    );
  return parsed.o;
}

function encodeToken(o: number, q: string): string {
  return Buffer.from(JSON.stringify({ o, q } satisfies PageToken), "utf8").toString("base64url");
}

function sqlOp(op: string): RawBuilder<unknown> {
  // Only operators produced by the parser reach here.
  return sql.raw(op);
}

/** The condition `column op value` for a parsed clause (column is a SQL expression). */
function compare(conn: Conn, column: RawBuilder<unknown>, clause: Clause): RawBuilder<unknown> {
  const { op, value } = clause;
  switch (op) {
    case "is null":
      return sql`${column} is null`;
    case "is not null":
      return sql`${column} is not null`;
    case "in":
    case "not in": {
      const list = value as (string | number)[];
      return sql`${column} ${sqlOp(op)} (${sql.join(list.map((v) => sql`${v}`))})`;
    }
    case "like":
      return sql`${column} like ${value}`;
    case "not like":
      return sql`${column} not like ${value}`;
    case "ilike":
    case "not ilike": {
      const not = op === "not ilike" ? sql.raw("not ") : sql.raw("");
      return conn.dialect === "postgres"
        ? sql`${column} ${not}ilike ${value}`
        : sql`lower(${column}) ${not}like lower(${value})`;
    }
    default:
      return sql`${column} ${sqlOp(op)} ${value}`;
  }
}

function condition(conn: Conn, clause: Clause, runRef: RawBuilder<unknown>): RawBuilder<unknown> {
  if (clause.entity === "attributes") {
    const column = sql.raw(`runs.${ATTRIBUTES[clause.key]!.column}`);
    return compare(conn, column, clause);
  }
  const table = sql.raw(TABLES[clause.entity]);
  const base = sql`select 1 from ${table} k where k.run_id = ${runRef} and k.key = ${clause.key}`;
  if (clause.op === "is null") return sql`not exists (${base})`;
  if (clause.op === "is not null") return sql`exists (${base})`;
  return sql`exists (${base} and ${compare(conn, sql.raw("k.value"), clause)})`;
}

function checkPageSize(pageSize: number | undefined): number {
  const n = pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_PAGE_SIZE)
    throw new SluiceError(
      "E_USAGE",
      `page size must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${String(pageSize)}`,
      {
        details: { pageSize },
      },
    );
  return n;
}

/**
 * Search runs: filter, order (nulls last, ties broken by run id), one page.
 *
 * @throws SluiceError E_FILTER (bad filter or order), E_USAGE (bad page size or token)
 */
export async function searchRuns(conn: Conn, input: SearchRunsInput = {}): Promise<RunsPage> {
  const pageSize = checkPageSize(input.pageSize);
  const clauses = parseFilter(input.filter);
  const orders: OrderKey[] =
    input.orderBy === undefined || input.orderBy.length === 0
      ? [{ entity: "attributes", key: "start_time", desc: true }]
      : input.orderBy.map(parseOrderKey);
  const q = fingerprint(input);
  const offset =
    input.pageToken === undefined || input.pageToken === "" ? 0 : decodeToken(input.pageToken, q);

  const remaining = [...clauses];
  if (input.experimentIds !== undefined && input.experimentIds.length === 0)
    return { runs: [], nextPageToken: null };

  // Drive from the first order key's index when it is a metric the filter already requires.
  const first = orders[0]!;
  const driving =
    first.entity === "metrics"
      ? remaining.filter((c) => c.entity === "metrics" && c.key === first.key && c.op !== "is null")
      : [];
  for (const c of driving) remaining.splice(remaining.indexOf(c), 1);
  const needsRuns =
    driving.length === 0 ||
    input.experimentIds !== undefined ||
    remaining.some((c) => c.entity === "attributes") ||
    orders.some((o) => o.entity === "attributes");
  // Without conditions on the runs table, the page's ids come from the indexes alone.
  const runRef = sql.raw(needsRuns ? "runs.id" : "o0.run_id");

  const from: RawBuilder<unknown>[] = [];
  const orderParts: RawBuilder<unknown>[] = [];
  const where: RawBuilder<unknown>[] = [];

  orders.forEach((order, i) => {
    const dir = sql.raw(order.desc ? "desc" : "asc");
    if (order.entity === "attributes") {
      const column = ATTRIBUTES[order.key]!.column;
      // `nulls last` only where nulls can be: on NOT NULL columns it would stop both databases
      // from reading an index backwards for DESC.
      const nulls = sql.raw(NULLABLE.has(column) ? " nulls last" : "");
      orderParts.push(sql`${sql.raw(`runs.${column}`)} ${dir}${nulls}`);
      return;
    }
    const alias = sql.raw(`o${i}`);
    const table = sql.raw(TABLES[order.entity]);
    if (i === 0 && driving.length > 0) {
      if (needsRuns)
        from.push(sql`join ${table} ${alias} on ${alias}.run_id = runs.id and ${alias}.key = ${order.key}`);
      else where.push(sql`${alias}.key = ${order.key}`);
      for (const c of driving) if (c.op !== "is not null") where.push(compare(conn, sql`${alias}.value`, c));
      orderParts.push(sql`${alias}.value ${dir}`);
    } else {
      from.push(
        sql`left join ${table} ${alias} on ${alias}.run_id = ${runRef} and ${alias}.key = ${order.key}`,
      );
      orderParts.push(sql`${alias}.value ${dir} nulls last`);
    }
  });
  const tieBreak = sql.raw(driving.length > 0 ? "o0.run_id" : "runs.id");
  orderParts.push(sql`${tieBreak} ${sql.raw(first.desc ? "desc" : "asc")}`);

  for (const c of remaining) where.push(condition(conn, c, runRef));
  if (input.experimentIds !== undefined)
    where.push(sql`runs.experiment_id in (${sql.join(input.experimentIds.map((id) => sql`${id}`))})`);

  const source = needsRuns ? sql`runs` : sql`latest_metrics o0`;
  const query = sql<{ id: string }>`select ${runRef} as id from ${source} ${sql.join(from, sql` `)}
    where ${where.length === 0 ? sql`1 = 1` : sql.join(where, sql` and `)}
    order by ${sql.join(orderParts)}
    limit ${pageSize + 1} offset ${offset}`;

  return read(conn, "search runs", async (db) => {
    const { rows } = await query.execute(db);
    const more = rows.length > pageSize;
    const ids = (more ? rows.slice(0, pageSize) : rows).map((r) => r.id);
    if (ids.length === 0) return { runs: [], nextPageToken: null };
    const runRows = await db.selectFrom("runs").selectAll().where("id", "in", ids).execute();
    const byId = new Map(runRows.map((r) => [r.id, r]));
    const runs = await hydrateRuns(
      db,
      ids.map((id) => byId.get(id)!),
    );
    return { runs, nextPageToken: more ? encodeToken(offset + pageSize, q) : null };
  });
}
