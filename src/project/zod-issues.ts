/**
 * Turning zod issues into the messages Sluice prints: a dotted path, what was expected, what
 * was found, and a "did you mean" for unknown keys.
 *
 * Leaf schemas can carry a human expectation ("integer ≥ 2") registered with {@link expect};
 * the formatter walks the schema along the issue's path to find it.
 */
import type { z } from "zod";
import { describeValue, didYouMean } from "../util/text.js";

const expectations = new WeakMap<object, string>();

/** Attach the phrase used after "expected" in error messages to a schema, and return it. */
export function expect<T extends z.ZodType>(schema: T, expectation: string): T {
  expectations.set(schema, expectation);
  return schema;
}

/** One problem found in a document, with the path to it. */
export interface ConfigIssue {
  /** Path segments from the root of the document. */
  path: (string | number)[];
  /** Stable machine-readable kind of problem. */
  code:
    "invalid_type" | "invalid_value" | "unknown_key" | "too_small" | "too_big" | "invalid_format" | "custom";
  /** The message without the path: `expected integer ≥ 2, got "many"`. */
  message: string;
}

interface AnyDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  valueType?: z.ZodType;
  element?: z.ZodType;
  options?: readonly z.ZodType[];
  items?: readonly z.ZodType[];
  getter?: () => z.ZodType;
  left?: z.ZodType;
  right?: z.ZodType;
}

function defOf(schema: z.ZodType): AnyDef {
  return (schema as unknown as { _zod: { def: AnyDef } })._zod.def;
}

/** Strip wrappers (optional, default, pipe, lazy, …) that do not change what a value must look like. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let guard = 0; guard < 32; guard++) {
    if (expectations.has(s)) return s;
    const d = defOf(s);
    if (
      d.type === "optional" ||
      d.type === "nullable" ||
      d.type === "default" ||
      d.type === "prefault" ||
      d.type === "readonly" ||
      d.type === "catch" ||
      d.type === "nonoptional"
    )
      s = d.innerType!;
    else if (d.type === "pipe") s = d.in!;
    else if (d.type === "lazy") s = d.getter!();
    else return s;
  }
  return s;
}

/** The schema that describes the value at `path`, or undefined when the path leaves the schema. */
export function schemaAt(root: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let s: z.ZodType | undefined = root;
  for (const seg of path) {
    if (s === undefined) return undefined;
    s = childSchema(unwrap(s), seg);
  }
  return s;
}

function childSchema(s: z.ZodType, seg: PropertyKey): z.ZodType | undefined {
  const d = defOf(s);
  switch (d.type) {
    case "object":
      return typeof seg === "string" ? d.shape?.[seg] : undefined;
    case "record":
      return d.valueType;
    case "array":
      return d.element;
    case "tuple":
      return typeof seg === "number" ? d.items?.[seg] : undefined;
    case "union":
      for (const o of d.options ?? []) {
        const c = childSchema(unwrap(o), seg);
        if (c !== undefined) return c;
      }
      return undefined;
    case "intersection":
      return childSchema(unwrap(d.left!), seg) ?? childSchema(unwrap(d.right!), seg);
    default:
      return undefined;
  }
}

/** The keys an object schema at `path` allows (for "did you mean"). */
export function keysAt(root: z.ZodType, path: readonly PropertyKey[]): string[] {
  const s = schemaAt(root, path);
  if (s === undefined) return [];
  const u = unwrap(s);
  const d = defOf(u);
  if (d.type === "object") return Object.keys(d.shape ?? {});
  if (d.type === "union")
    return (d.options ?? []).flatMap((o) => {
      const od = defOf(unwrap(o));
      return od.type === "object" ? Object.keys(od.shape ?? {}) : [];
    });
  return [];
}

/** The registered expectation for the value at `path`, if any. */
function expectationAt(root: z.ZodType, path: readonly PropertyKey[]): string | undefined {
  const s = schemaAt(root, path);
  if (s === undefined) return undefined;
  let cur: z.ZodType = s;
  for (let guard = 0; guard < 32; guard++) {
    const e = expectations.get(cur);
    if (e !== undefined) return e;
    const next = unwrap(cur);
    if (next === cur) break;
    cur = next;
  }
  return expectations.get(cur);
}

type RawIssue = z.core.$ZodIssue & { input?: unknown };

function typeName(input: unknown): string {
  if (input === null) return "null";
  if (Array.isArray(input)) return "a list";
  if (typeof input === "object") return "a mapping";
  return typeof input;
}

function got(issue: RawIssue): string {
  if (!("input" in issue)) return "nothing";
  const v = issue.input;
  if (v !== null && typeof v === "object") return `${typeName(v)} ${describeValue(v)}`;
  return describeValue(v);
}

/** Convert zod's issues into Sluice's, one message per problem (unknown keys: one each). */
export function convertIssues(root: z.ZodType, issues: readonly z.core.$ZodIssue[]): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const raw of issues as readonly RawIssue[]) {
    const path = raw.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    const expectation = expectationAt(root, path);
    switch (raw.code) {
      case "unrecognized_keys": {
        const allowed = keysAt(root, path);
        for (const key of raw.keys) {
          out.push({
            path: [...path, key],
            code: "unknown_key",
            message: `unknown key${didYouMean(key, allowed)}; allowed here: ${allowed.join(", ")}`,
          });
        }
        break;
      }
      case "invalid_type": {
        if (!("input" in raw) || raw.input === undefined) {
          out.push({
            path,
            code: "invalid_type",
            message: `missing: expected ${expectation ?? raw.expected}`,
          });
        } else {
          out.push({
            path,
            code: "invalid_type",
            message: `expected ${expectation ?? raw.expected}, got ${got(raw)}`,
          });
        }
        break;
      }
      case "invalid_value": {
        if (!("input" in raw) || raw.input === undefined) {
          const list = raw.values.map((v) => describeValue(v)).join(", ");
          out.push({
            path,
            code: "invalid_type",
            message: `missing: expected ${expectation ?? `one of ${list}`}`,
          });
          break;
        }
        const values = raw.values.map((v) => describeValue(v));
        const input = typeof raw.input === "string" ? raw.input : describeValue(raw.input);
        out.push({
          path,
          code: "invalid_value",
          message: `expected ${expectation ?? `one of ${values.join(", ")}`}, got ${got(raw)}${didYouMean(
            input,
            raw.values.map(String),
          )}`,
        });
        break;
      }
      case "too_small":
      case "too_big": {
        const bound = raw.code === "too_small" ? raw.minimum : raw.maximum;
        const op =
          raw.code === "too_small"
            ? raw.inclusive === false
              ? ">"
              : "≥"
            : raw.inclusive === false
              ? "<"
              : "≤";
        const what =
          raw.origin === "array" || raw.origin === "set"
            ? `a list of ${op} ${String(bound)} items`
            : raw.origin === "string"
              ? `a text of ${op} ${String(bound)} characters`
              : `${raw.origin === "int" ? "integer" : "number"} ${op} ${String(bound)}`;
        out.push({ path, code: raw.code, message: `expected ${expectation ?? what}, got ${got(raw)}` });
        break;
      }
      case "invalid_format":
      case "not_multiple_of":
        out.push({
          path,
          code: "invalid_format",
          message: `expected ${expectation ?? raw.message}, got ${got(raw)}`,
        });
        break;
      case "invalid_union": {
        out.push({
          path,
          code: "invalid_type",
          message: `expected ${expectation ?? "one of the allowed forms"}, got ${got(raw)}`,
        });
        break;
      }
      default:
        // A bare `.refine()` says only "Invalid input": prefer the schema's own expectation.
        out.push({
          path,
          code: "custom",
          message:
            expectation !== undefined && raw.message === "Invalid input"
              ? `expected ${expectation}, got ${got(raw)}`
              : raw.message,
        });
    }
  }
  return out;
}

/** `models.gbdt.params.num_leaves` — numbers in paths render as `[i]`. */
export function formatPath(path: readonly (string | number)[]): string {
  let s = "";
  for (const p of path) {
    if (typeof p === "number") s += `[${p}]`;
    else s += s === "" ? p : `.${p}`;
  }
  return s === "" ? "(top level)" : s;
}
