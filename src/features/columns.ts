/**
 * Which frame columns are features, and of which kind. The rules:
 *
 * - never features, and not readable by formulas: the target, schema roles `id`, `ignore` and
 *   `target`, `context.exclude` (e.g. a weight column), and text columns (ids, free text);
 * - readable by formulas but not features by themselves: `features.drop`, datetime columns
 *   (frame dtype or schema type `datetime`), and `numeric.exclude` / `categorical.exclude`;
 * - a numeric column whose schema type is `category` or `string` is categorical (its numbers
 *   are read as text, `String(n)`);
 * - `numeric.columns` / `categorical.columns`, when given, are the complete lists of that kind.
 */
import type { Frame, NumericDType } from "../data/frame.js";
import { SluiceError } from "../errors.js";
import type { DatasetSchema, FeatureSpec } from "../project/schema.js";
import { didYouMean } from "../util/text.js";
import type { FormulaColumn } from "./formula/index.js";

export interface ColumnChoice {
  /** Columns formulas and bins may read, by name, in frame order. */
  readonly env: ReadonlyMap<string, FormulaColumn & { readonly dtype?: NumericDType }>;
  /** Numeric feature inputs, in frame order. */
  readonly numeric: readonly string[];
  /** Categorical feature inputs, in frame order. */
  readonly categorical: readonly string[];
}

/** The E_COLUMN_NOT_FOUND error for a column named at `path` in the features config. */
export function missingColumn(path: string, name: string, available: readonly string[]): SluiceError {
  const shown = available.length > 15 ? `${available.slice(0, 15).join(", ")}, …` : available.join(", ");
  return new SluiceError(
    "E_COLUMN_NOT_FOUND",
    `${path}: column "${name}" is not in the data${didYouMean(name, available)}`,
    {
      details: { path, column: name, available },
      hint: `the columns are: ${shown}`,
    },
  );
}

/**
 * Decide the feature columns of `frame`.
 *
 * @throws SluiceError E_COLUMN_NOT_FOUND for a named column the frame does not have,
 *   E_COLUMN_TYPE for a categorical column listed as numeric, E_CONFIG for contradictory lists.
 */
export function chooseColumns(
  spec: FeatureSpec,
  frame: Frame,
  context: { target: string; schema?: DatasetSchema; exclude?: readonly string[] },
): ColumnChoice {
  const names = frame.names;
  const check = (path: string, list: readonly string[] | undefined): void => {
    list?.forEach((name) => {
      if (!frame.has(name)) throw missingColumn(path, name, names);
    });
  };
  check("features.drop", spec.drop);
  check("features.numeric.columns", spec.numeric.columns);
  check("features.numeric.exclude", spec.numeric.exclude);
  check("features.categorical.columns", spec.categorical.columns);
  check("features.categorical.exclude", spec.categorical.exclude);

  const schema = context.schema ?? {};
  const rule = (name: string) => (Object.hasOwn(schema, name) ? schema[name] : undefined);
  const never = new Map<string, string>();
  never.set(context.target, "it is the target");
  for (const name of context.exclude ?? [])
    never.set(name, "it is excluded by the caller (e.g. the weight column)");
  for (const name of names) {
    const role = rule(name)?.role;
    if (role === "id" || role === "ignore" || role === "target")
      never.set(name, `its schema role is ${role}`);
  }

  const explicitNumeric = new Set(spec.numeric.columns ?? []);
  const explicitCategorical = new Set(spec.categorical.columns ?? []);
  for (const name of explicitNumeric) {
    if (explicitCategorical.has(name))
      throw new SluiceError(
        "E_CONFIG",
        `features: column "${name}" is listed in both numeric.columns and categorical.columns`,
        {
          hint: "list it under one of them",
        },
      );
  }
  const drop = new Set(spec.drop);
  for (const [path, list] of [
    ["features.numeric.columns", explicitNumeric],
    ["features.categorical.columns", explicitCategorical],
  ] as const)
    for (const name of list) {
      const why = never.get(name) ?? (drop.has(name) ? "it is listed in features.drop" : undefined);
      if (why !== undefined)
        throw new SluiceError("E_CONFIG", `${path}: column "${name}" cannot be a feature: ${why}`, {
          hint: `remove "${name}" from ${path}`,
        });
    }

  const env = new Map<string, FormulaColumn & { dtype?: NumericDType }>();
  const autoNumeric: string[] = [];
  const autoCategorical: string[] = [];
  for (const col of frame.columns) {
    const name = col.name;
    if (never.has(name)) continue;
    const type = rule(name)?.type;
    if (col.kind === "text") {
      if (explicitCategorical.has(name)) env.set(name, { kind: "categorical" });
      continue;
    }
    if (col.kind === "categorical") {
      if (explicitNumeric.has(name))
        throw new SluiceError(
          "E_COLUMN_TYPE",
          `features.numeric.columns: column "${name}" holds text categories, not numbers`,
          {
            details: { column: name },
            hint: `list it under features.categorical.columns, or give it a numeric type in the schema`,
          },
        );
      env.set(name, { kind: "categorical" });
      autoCategorical.push(name);
      continue;
    }
    const datetime = col.dtype === "datetime" || type === "datetime";
    const asCategory =
      explicitCategorical.has(name) ||
      (!explicitNumeric.has(name) && (type === "category" || type === "string"));
    if (asCategory) {
      env.set(name, { kind: "categorical" });
      if (!datetime) autoCategorical.push(name);
    } else {
      env.set(name, { kind: "numeric", dtype: datetime ? "datetime" : col.dtype });
      if (!datetime) autoNumeric.push(name);
    }
  }

  const numericExclude = new Set(spec.numeric.exclude);
  const categoricalExclude = new Set(spec.categorical.exclude);
  const numeric =
    spec.numeric.columns === undefined
      ? autoNumeric.filter((n) => !drop.has(n))
      : names.filter((n) => explicitNumeric.has(n));
  const categorical =
    spec.categorical.columns === undefined
      ? autoCategorical.filter((n) => !drop.has(n))
      : names.filter((n) => explicitCategorical.has(n));
  return {
    env,
    numeric: numeric.filter((n) => !numericExclude.has(n)),
    categorical: categorical.filter((n) => !categoricalExclude.has(n)),
  };
}
