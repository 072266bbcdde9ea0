/**
 * Counting what a text column holds (non-missing cells, numbers, integers, distinct values),
 * which decides whether it becomes numeric, categorical or text.
 *
 * Most text columns have few distinct values, so they are counted over a small table of their
 * distinct values with their counts, which is kept: a categorical column's dictionary comes
 * from it. Columns with very many distinct values (ids, free text) are counted cell by cell,
 * and their distinct count is exact only when the HyperLogLog estimate lies near the threshold
 * that decides between categorical and text.
 */
import type { DuckSession } from "./read-duckdb.js";

/** Columns with at most this many (estimated) distinct values are counted over their distinct values. */
const GROUPED_MAX_DISTINCT = 100_000;
/** How close (as a share) an estimated distinct count may come to the threshold before it is counted exactly. */
const ESTIMATE_MARGIN = 0.1;

/** What a text column holds. */
export interface TextStats {
  /** Non-missing cells. */
  nonMissing: number;
  /** Cells that parse as numbers (DuckDB's DOUBLE cast). */
  numbers: number;
  /** Cells written as integers ("12", "-3", not "3.0"). */
  integers: number;
  /** Distinct non-missing values (exact, or estimated when far from the threshold). */
  distinct: number;
  /** Cells that read true or false (any case); counted cell by cell only for columns that ask. */
  booleans: number;
  /** A table (column `v`) of the distinct non-missing values, when the column was counted that way. */
  values?: string;
}

/** The thresholds of the typing rule, which say which counts must be exact. */
export interface StatsNeeds {
  /** The distinct count that matters for a column with this many non-missing cells. */
  distinctThreshold: (nonMissing: number) => number;
  /** Integers are counted (cell by cell) only when at least this share of cells are numbers. */
  numericShare: number;
}

const INTEGER_PATTERN = `'\\s*[+-]?[0-9]+\\s*'`;
// Every text DuckDB's DOUBLE cast accepts starts like this (digits, sign, point, inf, after
// blanks); the cheap test spares the cast on the many cells that cannot be numbers.
const NUMBER_START = `'^\\s*[+-]?[0-9.iI]'`;

function numberTest(v: string): string {
  return `regexp_matches(${v}, ${NUMBER_START}) AND TRY_CAST(${v} AS DOUBLE) IS NOT NULL`;
}
function integerTest(v: string): string {
  return `regexp_full_match(${v}, ${INTEGER_PATTERN})`;
}
function booleanTest(v: string): string {
  return `lower(trim(${v})) IN ('true', 'false')`;
}

/** Count what each column holds; `v` is a VARCHAR expression over `table`. */
export async function textStats(
  session: DuckSession,
  table: string,
  columns: readonly { v: string; boolean?: boolean }[],
  needs: StatsNeeds,
): Promise<TextStats[]> {
  if (columns.length === 0) return [];
  const first = columns.flatMap(({ v }) => [
    `CAST(count(${v}) AS DOUBLE)`,
    `CAST(approx_count_distinct(${v}) AS DOUBLE)`,
  ]);
  const row = (await session.rows(`SELECT ${first.join(", ")} FROM ${table}`))[0] ?? [];
  const out: TextStats[] = [];
  for (const [i, { v, boolean = false }] of columns.entries()) {
    const present = Number(row[2 * i] ?? 0);
    const estimate = Number(row[2 * i + 1] ?? 0);
    if (present === 0) out.push({ nonMissing: 0, numbers: 0, integers: 0, distinct: 0, booleans: 0 });
    else if (estimate <= GROUPED_MAX_DISTINCT)
      out.push(await groupedStats(session, table, v, `sl_values_${i}`));
    else out.push(await cellStats(session, table, v, boolean, estimate, needs));
  }
  return out;
}

async function groupedStats(
  session: DuckSession,
  table: string,
  v: string,
  values: string,
): Promise<TextStats> {
  await session.run(
    `CREATE OR REPLACE TABLE ${values} AS
     SELECT v, n FROM (SELECT ${v} AS v, count(*) AS n FROM ${table} WHERE ${v} IS NOT NULL GROUP BY 1) WHERE NOT sl_na(v)`,
  );
  const sum = (test: string): string => `CAST(coalesce(sum(n) FILTER (WHERE ${test}), 0) AS DOUBLE)`;
  const r =
    (
      await session.rows(
        `SELECT CAST(coalesce(sum(n), 0) AS DOUBLE), CAST(count(*) AS DOUBLE),
                ${sum(numberTest("v"))}, ${sum(integerTest("v"))}, ${sum(booleanTest("v"))}
         FROM ${values}`,
      )
    )[0] ?? [];
  return {
    nonMissing: Number(r[0]),
    distinct: Number(r[1]),
    numbers: Number(r[2]),
    integers: Number(r[3]),
    booleans: Number(r[4]),
    values,
  };
}

async function cellStats(
  session: DuckSession,
  table: string,
  v: string,
  boolean: boolean,
  estimate: number,
  needs: StatsNeeds,
): Promise<TextStats> {
  const r =
    (
      await session.rows(
        `SELECT CAST(count(*) FILTER (WHERE NOT sl_na(${v})) AS DOUBLE),
                CAST(count(*) FILTER (WHERE ${numberTest(v)}) AS DOUBLE),
                ${boolean ? `CAST(count(*) FILTER (WHERE ${booleanTest(v)}) AS DOUBLE)` : "0.0"}
         FROM ${table}`,
      )
    )[0] ?? [];
  const nonMissing = Number(r[0]);
  const numbers = Number(r[1]);
  const threshold = needs.distinctThreshold(nonMissing);
  const distinct =
    Math.abs(estimate - threshold) <= ESTIMATE_MARGIN * threshold
      ? await session.number(
          `SELECT CAST(count(DISTINCT ${v}) FILTER (WHERE NOT sl_na(${v})) AS DOUBLE) FROM ${table}`,
        )
      : estimate;
  const integers =
    numbers >= needs.numericShare * nonMissing
      ? await session.number(`SELECT CAST(count(*) FILTER (WHERE ${integerTest(v)}) AS DOUBLE) FROM ${table}`)
      : 0;
  return { nonMissing, numbers, integers, distinct, booleans: Number(r[2]) };
}
