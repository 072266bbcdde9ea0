/** Shared test support for the validation tests: data locations, fixtures, schema builders (not part of the build). */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ColumnRule, ValidationConfig, type DatasetSchema } from "../../project/schema.js";

/** The repository root (three levels above this file). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** A shared dataset beside the repository, and whether it is there. */
export function sharedData(file: string): { path: string; exists: boolean } {
  const path = resolve(repoRoot, "..", "shared", "data", file);
  return { path, exists: existsSync(path) };
}

export const TELCO = sharedData("WA_Fn-UseC_-Telco-Customer-Churn.csv");
export const HOUSING = sharedData("housing.csv");

/** A reference fixture from src/validate/fixtures. */
export function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(resolve(repoRoot, "src", "validate", "fixtures", name), "utf8")) as T;
}

/** Validation settings as the project file would give them. */
export function settings(input: unknown = {}): ValidationConfig {
  return ValidationConfig.parse(input);
}

/** A schema from rules as they are written in the project file (defaults filled by zod). */
export function schemaOf(rules: Record<string, unknown>): DatasetSchema {
  const out: DatasetSchema = {};
  for (const [k, v] of Object.entries(rules)) out[k] = ColumnRule.parse(v);
  return out;
}

/** Numbers with null as NaN. */
export function f64(values: readonly (number | null)[]): Float64Array {
  return Float64Array.from(values, (v) => (v === null ? NaN : v));
}
