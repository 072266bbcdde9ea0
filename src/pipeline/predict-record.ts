/**
 * Batch scoring, one record at a time: how CSV text becomes a record value, and the exact check
 * of one row as the server checks a request. The columnar path (predict-columns.ts) decides
 * most rows on its own and sends every row it rejects, or cannot decide, here; so each reject
 * reason is the server's own message, word for word.
 */
import type { FittedFeatures } from "../features/fitted.js";
import type { Plan } from "../features/kernel.js";
import { loadRecord } from "../features/load.js";
import type { ColumnRule, ServeConfig } from "../project/schema.js";
import { checkRequestRecord, type RequestSchema } from "../serve/validate-request.js";

/** How a column's CSV text becomes a record value. */
export type ConverterKind = "number" | "datetime" | "text";

const NUMBER_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** CSV text → a number (or a boolean), as the frame reader reads numeric cells; other text stays text (a type error). */
export function toNumber(text: string): unknown {
  const t = text.trim();
  if (t === "") return null;
  if (NUMBER_TEXT.test(t)) return Number(t);
  const lower = t.toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  return text;
}

/** Datetime text: epoch ms when all digits, else the text (ISO 8601 is parsed by the features). */
export function toDatetime(text: string): unknown {
  const t = text.trim();
  if (t === "") return null;
  return /^-?\d+$/.test(t) ? Number(t) : t;
}

/** Text as is; an empty field is missing. */
export function toText(text: string): unknown {
  return text === "" ? null : text;
}

const CONVERTERS: Record<ConverterKind, (text: string) => unknown> = {
  number: toNumber,
  datetime: toDatetime,
  text: toText,
};

/** How column `name` is read: as the model input of that name reads it, else by its rule's type. */
export function converterKind(
  name: string,
  features: FittedFeatures,
  rule: ColumnRule | undefined,
): ConverterKind {
  const input = features.inputs.find((i) => i.name === name);
  if (input !== undefined) {
    if (input.kind !== "numeric") return "text";
    return input.dtype === "datetime" ? "datetime" : "number";
  }
  if (rule === undefined) return "text";
  if (rule.type === "datetime") return "datetime";
  return rule.type === "integer" || rule.type === "number" || rule.type === "boolean" ? "number" : "text";
}

/** The converter function of a kind. */
export function converterOf(kind: ConverterKind): (text: string) => unknown {
  return CONVERTERS[kind];
}

/** The result of checking one row: a reason to reject it, or none and its input registers loaded. */
export type RowVerdict = { ok: false; reason: string } | { ok: true };

/**
 * Checks rows of one file exactly as `checkRequestRecord` checks a request, reading only the
 * columns the model's schema knows (others pass through unread).
 */
export class RecordChecker {
  /** Header positions of the columns the schema knows. */
  readonly known: readonly number[];
  private readonly convert: ((text: string) => unknown)[];
  private readonly names: readonly string[];
  /** One record reused for every row: the check and the load read it at once and keep nothing. */
  private readonly record: Record<string, unknown> = {};

  constructor(
    header: readonly string[],
    private readonly schema: RequestSchema,
    private readonly config: Pick<ServeConfig, "unknown_fields" | "invalid_values">,
    rules: Readonly<Record<string, ColumnRule>>,
  ) {
    const features = schema.features;
    this.names = header;
    this.convert = header.map((name) =>
      converterOf(converterKind(name, features, Object.hasOwn(rules, name) ? rules[name] : undefined)),
    );
    this.known = header.flatMap((name, j) => (schema.byName.has(name) ? [j] : []));
    for (const j of this.known) this.record[header[j]!] = null;
  }

  /**
   * Check one row given as its field texts (at least as many as the header).
   *
   * @param registers when given and the row passes, its model inputs are loaded there as the
   *   features load a record (input k of the plan at `plan.inputs[k].slot`)
   */
  check(fields: readonly string[], plan?: Plan, registers?: Float64Array): RowVerdict {
    const record = this.record;
    for (const j of this.known) record[this.names[j]!] = this.convert[j]!(fields[j]!);
    const check = checkRequestRecord(this.schema, record, this.config);
    if (check.errors.length > 0) return { ok: false, reason: check.errors.map((e) => e.message).join("; ") };
    if (plan !== undefined && registers !== undefined) loadRecord(plan, check.record, registers);
    return { ok: true };
  }
}
