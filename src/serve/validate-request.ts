/**
 * Request validation: one record checked against the model's inputs and the project's column
 * rules (serving.json), reporting every problem at once. Runs before any prediction.
 *
 * Errors (the request is refused with 422): a body that is not an object, unknown fields (when
 * `unknown_fields: reject`), missing values where the rule says `nullable: false`, wrong types,
 * non-finite numbers, over-long strings, and rule violations (min, max, values, pattern, integer)
 * when `invalid_values: reject`. Warnings (the prediction is made and the warnings are returned):
 * unseen categories (encoded as "other"), ignored unknown fields, and rule violations when
 * `invalid_values: warn` or the rule's severity is `warn`.
 */
import { checkRecord } from "../features/transform.js";
import type { FittedFeatures } from "../features/fitted.js";
import type { FieldIssue } from "../features/values.js";
import type { ModelBundle } from "../pipeline/bundle.js";
import type { ColumnRule, ServeConfig } from "../project/schema.js";
import { describeValue } from "../util/text.js";

/** The longest string a field may hold. */
export const MAX_STRING_LENGTH = 10_000;

/** A problem that does not stop the prediction. */
export interface FieldWarning {
  field: string;
  message: string;
}

/** What validation found in one record. */
export interface RecordCheck {
  /** Every field error; the record is refused when there is one. */
  errors: FieldIssue[];
  warnings: FieldWarning[];
  /** Unknown fields that were dropped (`unknown_fields: ignore`). */
  ignored: string[];
  /** The record to predict from: the input, or a copy without the ignored fields. */
  record: Record<string, unknown>;
}

/** One field a request may carry, with its rule compiled. */
interface FieldSpec {
  name: string;
  /** `numeric` or `categorical` for model inputs; `id` for id columns; `other` for the rest. */
  kind: "numeric" | "categorical" | "id" | "other";
  required: boolean;
  rule: ColumnRule | undefined;
  pattern: RegExp | undefined;
  values: ReadonlySet<string> | undefined;
  /** Training categories (categorical inputs). */
  categories: ReadonlySet<string> | undefined;
}

/** The compiled request schema of one bundle. */
export interface RequestSchema {
  fields: readonly FieldSpec[];
  byName: ReadonlyMap<string, FieldSpec>;
  features: FittedFeatures;
  /** The id column echoed back as `id`, when the project names one. */
  idColumn: string | undefined;
}

const schemas = new WeakMap<ModelBundle, RequestSchema>();

/** The request schema of a bundle (compiled once per bundle). */
export function requestSchema(bundle: ModelBundle): RequestSchema {
  let schema = schemas.get(bundle);
  if (schema === undefined) {
    schema = compileSchema(bundle);
    schemas.set(bundle, schema);
  }
  return schema;
}

function compileSchema(bundle: ModelBundle): RequestSchema {
  const rules = bundle.serving?.schema ?? {};
  const idColumns = bundle.serving?.idColumns ?? [];
  const fields: FieldSpec[] = [];
  const spec = (name: string, kind: FieldSpec["kind"], categories?: readonly string[]): FieldSpec => {
    const rule = Object.hasOwn(rules, name) ? rules[name] : undefined;
    return {
      name,
      kind,
      required: rule !== undefined && !rule.nullable,
      rule,
      pattern: rule?.pattern === undefined ? undefined : new RegExp(`^(?:${rule.pattern})$`, "u"),
      values: rule?.values === undefined ? undefined : new Set(rule.values),
      categories: categories === undefined ? undefined : new Set(categories),
    };
  };
  for (const id of idColumns) fields.push(spec(id, "id"));
  for (const input of bundle.features.inputs)
    if (!idColumns.includes(input.name))
      fields.push(
        input.kind === "numeric"
          ? spec(input.name, "numeric")
          : spec(input.name, "categorical", input.categories),
      );
  // Columns the project declares but the model does not read (role `ignore`, or features the
  // selection dropped) are accepted and not checked; the target is not a request field.
  const target = bundle.serving?.target ?? bundle.features.target;
  for (const [name, rule] of Object.entries(rules))
    if (name !== target && rule.role !== "target" && !fields.some((f) => f.name === name))
      fields.push({ ...spec(name, "other"), required: false });
  return {
    fields,
    byName: new Map(fields.map((f) => [f.name, f])),
    features: bundle.features,
    idColumn: idColumns[0],
  };
}

function fieldIssue(field: string, expected: string, value: unknown, message?: string): FieldIssue {
  const got = describeValue(value);
  return { field, expected, got, message: message ?? `field "${field}": expected ${expected}, got ${got}` };
}

function isMissing(value: unknown): boolean {
  return value === null || value === undefined || value === "";
}

/**
 * Check one record. `prefix` names its place in a batch (`instances[3].`) in every message.
 *
 * @example
 * const { errors, warnings } = checkRequestRecord(requestSchema(bundle), body, config);
 */
export function checkRequestRecord(
  schema: RequestSchema,
  input: unknown,
  config: Pick<ServeConfig, "unknown_fields" | "invalid_values">,
  prefix = "",
): RecordCheck {
  const errors: FieldIssue[] = [];
  const warnings: FieldWarning[] = [];
  const ignored: string[] = [];
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    errors.push(
      fieldIssue(prefix === "" ? "(body)" : prefix.slice(0, -1), "an object of field values", input),
    );
    return { errors, warnings, ignored, record: {} };
  }
  const record = input as Record<string, unknown>;

  // Unknown fields and over-long strings, over what was sent.
  for (const name of Object.keys(record)) {
    const value = record[name];
    if (typeof value === "string" && value.length > MAX_STRING_LENGTH)
      errors.push(
        fieldIssue(
          prefix + name,
          `a string of at most ${MAX_STRING_LENGTH} characters`,
          value,
          `field "${prefix}${name}": expected at most ${MAX_STRING_LENGTH} characters, got ${value.length}`,
        ),
      );
    if (schema.byName.has(name)) continue;
    if (config.unknown_fields === "ignore") ignored.push(name);
    else
      errors.push(
        fieldIssue(
          prefix + name,
          "no such field",
          value,
          `field "${prefix}${name}" is not an input of this model (known: ${schema.fields.map((f) => f.name).join(", ")})`,
        ),
      );
  }

  // Types of the model's inputs, as the features would read them.
  const typeIssues = checkRecord(schema.features, record);
  // Most records have no type error: no set for them.
  const badType = typeIssues.length === 0 ? undefined : new Set<string>();
  for (const issue of typeIssues) {
    badType!.add(issue.field);
    errors.push(
      prefix === ""
        ? issue
        : {
            ...issue,
            field: prefix + issue.field,
            message: issue.message.replace(`"${issue.field}"`, `"${prefix}${issue.field}"`),
          },
    );
  }

  const violations: FieldIssue[] = [];
  for (const f of schema.fields) {
    if (badType?.has(f.name) === true) continue;
    const name = prefix + f.name;
    const value = Object.hasOwn(record, f.name) ? record[f.name] : undefined;
    if (typeof value === "number" && !Number.isFinite(value)) {
      errors.push(fieldIssue(name, "a finite number", value));
      continue;
    }
    if (isMissing(value)) {
      if (f.required)
        errors.push(
          fieldIssue(
            name,
            "a value (the schema says nullable: false)",
            value,
            `field "${name}" is missing: the schema requires a value`,
          ),
        );
      continue;
    }
    if (f.kind === "id" && typeof value !== "string" && typeof value !== "number") {
      errors.push(fieldIssue(name, "a string or a number", value));
      continue;
    }
    const rule = f.rule;
    if (rule !== undefined) {
      const before = violations.length;
      checkRule(name, f, rule, value, violations);
      if (violations.length > before && rule.severity === "warn") {
        for (const v of violations.splice(before)) warnings.push({ field: v.field, message: v.message });
      }
    }
    if (
      f.categories !== undefined &&
      (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
    ) {
      const text = typeof value === "boolean" ? String(value) : String(value);
      if (!f.categories.has(text))
        warnings.push({
          field: name,
          message: `field "${name}": category ${describeValue(value)} was not seen in training; it is treated as "other"`,
        });
    }
  }
  if (config.invalid_values === "warn")
    for (const v of violations) warnings.push({ field: v.field, message: v.message });
  else errors.push(...violations);

  for (const name of ignored)
    warnings.push({
      field: prefix + name,
      message: `field "${prefix}${name}" is not an input of this model: ignored`,
    });
  let clean = record;
  if (ignored.length > 0) {
    clean = { ...record };
    for (const name of ignored) delete clean[name];
  }
  return { errors, warnings, ignored, record: clean };
}

/** Push a rule violation of `value` (a present value of the right type) into `out`. */
function checkRule(name: string, f: FieldSpec, rule: ColumnRule, value: unknown, out: FieldIssue[]): void {
  if (typeof value === "number" && rule.type !== "datetime") {
    if (rule.type === "integer" && !Number.isInteger(value)) out.push(fieldIssue(name, "an integer", value));
    if (rule.min !== undefined && value < rule.min)
      out.push(fieldIssue(name, `a value ≥ ${rule.min}`, value));
    if (rule.max !== undefined && value > rule.max)
      out.push(fieldIssue(name, `a value ≤ ${rule.max}`, value));
  }
  if (f.values !== undefined && !f.values.has(String(value)))
    out.push(fieldIssue(name, `one of ${[...f.values].map((v) => JSON.stringify(v)).join(", ")}`, value));
  if (f.pattern !== undefined && typeof value === "string" && !f.pattern.test(value))
    out.push(fieldIssue(name, `text matching ${rule.pattern!}`, value));
}
