/**
 * Checks a parsed example CSV against the rules of a dataset schema, independently of the
 * validation part: one line per broken rule, with the column and a sample of the bad values.
 */
import type { ColumnRule, DatasetSchema } from "../../../project/schema.js";
import type { SimpleCsv } from "./csv.js";

const INTEGER_RE = /^-?\d+$/;
const NUMBER_RE = /^-?\d+(\.\d+)?$/;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

function typeOk(type: ColumnRule["type"], v: string): boolean {
  switch (type) {
    case "integer":
      return INTEGER_RE.test(v);
    case "number":
      return NUMBER_RE.test(v);
    case "datetime": {
      if (!DATETIME_RE.test(v)) return false;
      const t = Date.parse(v);
      // Round-trips only when every field was in range (no 2026-02-30).
      return Number.isFinite(t) && new Date(t).toISOString().replace(".000Z", "Z") === v;
    }
    case "boolean":
      return v === "true" || v === "false" || v === "0" || v === "1";
    default:
      return true;
  }
}

/** Every rule of `schema` that the data breaks (empty when it conforms). */
export function schemaViolations(csv: SimpleCsv, schema: DatasetSchema): string[] {
  const problems: string[] = [];
  for (const [column, rule] of Object.entries(schema)) {
    const cells = csv.columns.get(column);
    if (cells === undefined) {
      problems.push(`${column}: not in the data`);
      continue;
    }
    const bad = (what: string, values: string[]): void => {
      if (values.length > 0)
        problems.push(`${column}: ${values.length} ${what}, e.g. ${JSON.stringify(values.slice(0, 3))}`);
    };
    const present = cells.filter((v) => v !== "");
    const blanks = cells.length - present.length;
    if (!rule.nullable && blanks > 0)
      problems.push(`${column}: ${blanks} blank cells in a non-nullable column`);
    if (rule.max_null_fraction !== undefined && blanks / cells.length > rule.max_null_fraction)
      problems.push(`${column}: blank share ${blanks / cells.length} > ${rule.max_null_fraction}`);
    bad(
      `values not of type ${rule.type}`,
      present.filter((v) => !typeOk(rule.type, v)),
    );
    if (rule.min !== undefined)
      bad(
        `values below ${rule.min}`,
        present.filter((v) => Number(v) < rule.min!),
      );
    if (rule.max !== undefined)
      bad(
        `values above ${rule.max}`,
        present.filter((v) => Number(v) > rule.max!),
      );
    if (rule.values !== undefined) {
      const allowed = new Set(rule.values);
      bad(
        "values not allowed",
        present.filter((v) => !allowed.has(v)),
      );
    }
    if (rule.pattern !== undefined) {
      const re = new RegExp(`^(?:${rule.pattern})$`, "u");
      bad(
        `values not matching ${rule.pattern}`,
        present.filter((v) => !re.test(v)),
      );
    }
    if (rule.unique) {
      const seen = new Set<string>();
      bad(
        "repeated values",
        present.filter((v) => (seen.has(v) ? true : (seen.add(v), false))),
      );
    }
  }
  return problems;
}
