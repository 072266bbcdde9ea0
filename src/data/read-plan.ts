/**
 * Typing: how each column read into DuckDB becomes a frame column. The decision is made in SQL
 * over the loaded table, so that millions of cells are classified and cast by DuckDB's
 * vectorised engine and JavaScript only receives finished typed arrays.
 *
 * A column with a schema rule is read as text and cast by the rule. Without a rule, DuckDB's
 * own type decides, except for text: it becomes numeric when at least 95% of its non-missing
 * cells are numbers (the unparsable rest is kept in `invalid`), text when it has more distinct
 * values than max(1000, half its non-missing cells) (ids, free text), else categorical.
 *
 * Text is kept raw in the table; "missing" (`sl_na`: NULL, blank, NA token) is tested only
 * where it changes a result. The casts need no test at all: every NA token fails DuckDB's
 * DOUBLE, BOOLEAN-word and TIMESTAMP parses (or, for "NaN", yields NaN), which is missing anyway.
 */
import { SluiceError } from "../errors.js";
import type { ColumnRule, DatasetSchema } from "../project/schema.js";
import type { NumericDType } from "./frame.js";
import { duckdbMessage, sqlIdent, sqlList, sqlString, type DuckSession } from "./read-duckdb.js";
import { textStats } from "./read-stats.js";

/** The table every read loads the file into. */
export const TABLE = "sl_t";

/** Share of non-missing cells that must be numbers for a text column to be read as numeric. */
export const NUMERIC_SHARE = 0.95;
/** A text column with more distinct values than max(this, half its cells) is text, not categorical. */
export const TEXT_MIN_DISTINCT = 1000;

/** How a column is turned into frame data: SQL expressions over {@link TABLE}. */
export type ColumnPlan =
  | {
      kind: "numeric";
      name: string;
      dtype: NumericDType;
      /** A DOUBLE expression, NaN where missing (never NULL). */
      value: string;
      /** Cells that did not parse: where they are and their raw text. */
      invalid?: { where: string; raw: string };
    }
  | {
      kind: "categorical" | "text";
      name: string;
      /** A VARCHAR expression; missing cells (`sl_na`) may still be in it. */
      value: string;
      /** A table whose column `v` holds the distinct non-missing values, when one was built. */
      values?: string;
    };

type TypeClass = "integer" | "float" | "boolean" | "datetime" | "text" | "other";

/** DuckDB's type name → what Sluice makes of it. */
export function typeClass(type: string): TypeClass {
  const t = type.toUpperCase();
  if (/^(U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT))$/.test(t)) return "integer";
  if (t === "FLOAT" || t === "DOUBLE" || t.startsWith("DECIMAL")) return "float";
  if (t === "BOOLEAN") return "boolean";
  if (t === "DATE" || t.startsWith("TIMESTAMP")) return "datetime";
  if (t === "VARCHAR") return "text";
  return "other";
}

const NAN = "'NaN'::DOUBLE";
const TRUE_WORDS = sqlList(["true", "yes", "y", "t", "1"]);
const FALSE_WORDS = sqlList(["false", "no", "n", "f", "0"]);

/** A numeric column from its native DuckDB type (BIGINT, DECIMAL… are cast to DOUBLE in SQL). */
function nativeNumeric(name: string, x: string, cls: TypeClass, dtype?: NumericDType): ColumnPlan {
  if (cls === "boolean")
    return {
      kind: "numeric",
      name,
      dtype: dtype ?? "boolean",
      value: `CASE WHEN ${x} IS NULL THEN ${NAN} WHEN ${x} THEN 1.0 ELSE 0.0 END`,
    };
  if (cls === "datetime")
    return {
      kind: "numeric",
      name,
      dtype: dtype ?? "datetime",
      value: `coalesce(CAST(epoch_ms(CAST(${x} AS TIMESTAMPTZ)) AS DOUBLE), ${NAN})`,
    };
  return {
    kind: "numeric",
    name,
    dtype: dtype ?? (cls === "integer" ? "integer" : "float"),
    value: `coalesce(CAST(${x} AS DOUBLE), ${NAN})`,
  };
}

/** A numeric column parsed from text `v`: missing → NaN, unparsable → NaN and recorded. */
function parsedNumeric(name: string, v: string, dtype: NumericDType, parse: string): ColumnPlan {
  return {
    kind: "numeric",
    name,
    dtype,
    value: `coalesce(${parse}, ${NAN})`,
    invalid: { where: `(${parse}) IS NULL AND NOT sl_na(${v})`, raw: v },
  };
}

/** DuckDB's DOUBLE cast, which itself ignores surrounding blanks. */
function numberParse(v: string): string {
  return `TRY_CAST(${v} AS DOUBLE)`;
}

function booleanParse(v: string): string {
  return `CASE WHEN list_contains(${TRUE_WORDS}, lower(sl_trim(${v}))) THEN 1.0 WHEN list_contains(${FALSE_WORDS}, lower(sl_trim(${v}))) THEN 0.0 END`;
}

function datetimeParse(v: string, format: string | undefined): string {
  const ts =
    format === undefined
      ? `TRY_CAST(sl_trim(${v}) AS TIMESTAMPTZ)`
      : `try_strptime(sl_trim(${v}), ${sqlString(format)})`;
  return `CAST(epoch_ms(CAST(${ts} AS TIMESTAMPTZ)) AS DOUBLE)`;
}

/** The plan a schema rule gives a column loaded with DuckDB type `type`. */
function ruledPlan(name: string, type: string, rule: ColumnRule): ColumnPlan {
  const x = sqlIdent(name);
  const cls = typeClass(type);
  const v = cls === "text" ? x : `CAST(${x} AS VARCHAR)`;
  switch (rule.type) {
    case "integer":
    case "number": {
      const dtype = rule.type === "integer" ? "integer" : "float";
      if (cls === "integer" || cls === "float" || cls === "boolean")
        return nativeNumeric(name, x, cls, dtype);
      return parsedNumeric(name, v, dtype, numberParse(v));
    }
    case "boolean":
      if (cls === "boolean") return nativeNumeric(name, x, cls);
      if (cls === "integer" || cls === "float")
        return {
          kind: "numeric",
          name,
          dtype: "boolean",
          value: `CASE WHEN ${x} = 1 THEN 1.0 WHEN ${x} = 0 THEN 0.0 ELSE ${NAN} END`,
          invalid: { where: `${x} IS NOT NULL AND ${x} NOT IN (0, 1)`, raw: `CAST(${x} AS VARCHAR)` },
        };
      return parsedNumeric(name, v, "boolean", booleanParse(v));
    case "datetime":
      if (cls === "datetime") return nativeNumeric(name, x, cls);
      return parsedNumeric(name, v, "datetime", datetimeParse(v, rule.format));
    case "category":
      return { kind: "categorical", name, value: v };
    case "string":
      return { kind: "text", name, value: v };
  }
}

/**
 * Plan every loaded column.
 *
 * @param loaded the columns of {@link TABLE} with their DuckDB types, in frame order.
 * @param sniffedBoolean columns DuckDB sniffed as BOOLEAN in a CSV, loaded as text: they are
 *   boolean only when every value is true/false (DuckDB also takes Yes/No, which stay categories).
 */
export async function planColumns(
  session: DuckSession,
  loaded: readonly { name: string; type: string }[],
  schema: DatasetSchema | undefined,
  sniffedBoolean: ReadonlySet<string>,
): Promise<ColumnPlan[]> {
  await checkDatetimeFormats(session, schema, loaded);
  const plans: (ColumnPlan | undefined)[] = [];
  const open: { index: number; name: string; v: string; boolean: boolean }[] = [];
  for (const [index, c] of loaded.entries()) {
    const rule = schema?.[c.name];
    const cls = typeClass(c.type);
    if (rule !== undefined) plans.push(ruledPlan(c.name, c.type, rule));
    else if (cls === "integer" || cls === "float" || cls === "boolean" || cls === "datetime")
      plans.push(nativeNumeric(c.name, sqlIdent(c.name), cls));
    else {
      plans.push(undefined);
      const v = cls === "text" ? sqlIdent(c.name) : `CAST(${sqlIdent(c.name)} AS VARCHAR)`;
      open.push({ index, name: c.name, v, boolean: sniffedBoolean.has(c.name) });
    }
  }
  const stats = await textStats(session, TABLE, open, {
    distinctThreshold: (nonMissing) => Math.max(TEXT_MIN_DISTINCT, 0.5 * nonMissing),
    numericShare: NUMERIC_SHARE,
  });
  for (const [i, o] of open.entries()) {
    const s = stats[i]!;
    const values = s.values === undefined ? {} : { values: s.values };
    if (sniffedBoolean.has(o.name) && s.nonMissing > 0 && s.booleans === s.nonMissing)
      plans[o.index] = parsedNumeric(o.name, o.v, "boolean", booleanParse(o.v));
    else if (s.nonMissing === 0)
      plans[o.index] = { kind: "numeric", name: o.name, dtype: "float", value: NAN };
    // Integer dtype only when every number is written as an integer ("3", not "3.0" or "3e0").
    else if (s.numbers >= NUMERIC_SHARE * s.nonMissing)
      plans[o.index] = parsedNumeric(
        o.name,
        o.v,
        s.integers === s.numbers ? "integer" : "float",
        numberParse(o.v),
      );
    else if (s.distinct > Math.max(TEXT_MIN_DISTINCT, 0.5 * s.nonMissing))
      plans[o.index] = { kind: "text", name: o.name, value: o.v };
    else plans[o.index] = { kind: "categorical", name: o.name, value: o.v, ...values };
  }
  return plans as ColumnPlan[];
}

/** A strftime format DuckDB refuses is a schema mistake: report it as such, before reading. */
async function checkDatetimeFormats(
  session: DuckSession,
  schema: DatasetSchema | undefined,
  loaded: readonly { name: string }[],
): Promise<void> {
  for (const { name } of loaded) {
    const format = schema?.[name]?.format;
    if (schema?.[name]?.type !== "datetime" || format === undefined) continue;
    try {
      await session.rows(`SELECT try_strptime('2000-01-01', ${sqlString(format)})`);
    } catch (err) {
      throw new SluiceError(
        "E_CONFIG",
        `schema.${name}.format: "${format}" is not a valid strftime format: ${duckdbMessage(err)}`,
        {
          cause: err,
          details: { column: name, format },
          hint: "use strftime codes such as %Y-%m-%d %H:%M:%S or %d/%m/%Y; leave format out for ISO 8601",
        },
      );
    }
  }
}
