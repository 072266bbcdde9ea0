/**
 * `GET /sample`: a valid example request for the serving model, built from the training profile
 * (`profile.json` beside the model: the median of each number, the most frequent category, a
 * real id) and, without it, from the fitted features (imputation values, kept categories).
 * Values are kept inside the project's column rules so that posting the sample gives 200.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ModelBundle } from "../pipeline/bundle.js";
import type { ColumnRule } from "../project/schema.js";

/** The parts of a profile.json column that a sample uses. */
interface ProfileColumn {
  name: string;
  kind?: string;
  quantiles?: { q: number; value: number }[];
  top?: { value: string }[];
  examples?: string[];
}

const samples = new WeakMap<ModelBundle, Record<string, unknown>>();

/** The training profile's columns by name, or an empty map when the file is absent or unreadable. */
function readProfile(bundle: ModelBundle): Map<string, ProfileColumn> {
  const path = join(dirname(bundle.modelPath), "profile.json");
  const byName = new Map<string, ProfileColumn>();
  if (!existsSync(path)) return byName;
  try {
    const json = JSON.parse(readFileSync(path, "utf8")) as { columns?: unknown };
    if (Array.isArray(json.columns))
      for (const c of json.columns as ProfileColumn[])
        if (typeof c === "object" && c !== null && typeof c.name === "string") byName.set(c.name, c);
  } catch {
    // A damaged profile only costs the sample its realism: fall back to the features.
  }
  return byName;
}

function clamp(x: number, rule: ColumnRule | undefined): number {
  if (rule?.min !== undefined && x < rule.min) x = rule.min;
  if (rule?.max !== undefined && x > rule.max) x = rule.max;
  return x;
}

/**
 * An example record for `bundle` (computed once per bundle).
 *
 * @example
 * const body = sampleRecord(bundle); // { customer_id: "C000001", age: 45, gender: "F", … }
 */
export function sampleRecord(bundle: ModelBundle): Record<string, unknown> {
  const cached = samples.get(bundle);
  if (cached !== undefined) return cached;
  const profile = readProfile(bundle);
  const rules = bundle.serving?.schema ?? {};
  const ruleOf = (name: string): ColumnRule | undefined =>
    Object.hasOwn(rules, name) ? rules[name] : undefined;
  const record: Record<string, unknown> = {};

  for (const id of bundle.serving?.idColumns ?? []) {
    const example = profile.get(id)?.examples?.[0];
    const rule = ruleOf(id);
    if (example !== undefined) record[id] = example;
    else if (rule?.values !== undefined) record[id] = rule.values[0];
    else if (rule?.pattern === undefined) record[id] = "example-1";
  }

  const numericFill = new Map(
    bundle.features.numeric.features.filter((f) => f.from === "input").map((f) => [f.name, f.fill]),
  );
  const categoricalFill = new Map(bundle.features.categorical.features.map((f) => [f.name, f.fill]));
  for (const input of bundle.features.inputs) {
    const rule = ruleOf(input.name);
    const col = profile.get(input.name);
    if (input.kind === "numeric") {
      const median = col?.quantiles?.find((q) => q.q === 0.5)?.value;
      let x = median ?? numericFill.get(input.name) ?? rule?.min ?? 0;
      if (input.dtype === "integer" || input.dtype === "boolean" || rule?.type === "integer")
        x = Math.round(x);
      x = clamp(x, rule);
      if (rule?.values !== undefined && !rule.values.includes(String(x))) x = Number(rule.values[0]);
      record[input.name] = input.dtype === "datetime" ? new Date(x).toISOString() : x;
    } else {
      let value = col?.top?.[0]?.value ?? categoricalFill.get(input.name) ?? input.categories[0] ?? "";
      if (rule?.values !== undefined && !rule.values.includes(value)) value = rule.values[0]!;
      record[input.name] = input.dtype === "string" || Number.isNaN(Number(value)) ? value : Number(value);
    }
  }
  samples.set(bundle, record);
  return record;
}
