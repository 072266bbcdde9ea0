/**
 * `FittedFeatures`: everything `fitFeatures` learned, as plain JSON. It is stored with every
 * model, read by the server to build its request schema, and by people debugging a model, so
 * it says where every output column comes from and keeps the training counts behind each
 * decision. Formulas are kept as source text and compiled again on load; nothing is code.
 *
 * The schema below is the format (version 1). A future version that changes it bumps
 * `formatVersion` and migrates older files in {@link parseFittedFeatures}.
 */
import { z } from "zod";
import { SluiceError } from "../errors.js";
import { formatPath } from "../project/zod-issues.js";
import { SLUICE_VERSION } from "../version.js";

/** The `formatVersion` this version of Sluice writes and reads. */
export const FEATURES_FORMAT_VERSION = 1;

const finite = z.number().refine(Number.isFinite, "expected a finite number");
const count = z.number().int().min(0);
const NumericDType = z.enum(["float", "integer", "boolean", "datetime"]);

/** A raw field every record must carry (missing values are allowed and imputed). */
export const FittedInput = z.discriminatedUnion("kind", [
  z.strictObject({
    name: z.string().min(1),
    kind: z.literal("numeric"),
    /** How the column was read; datetime values are epoch milliseconds (UTC). */
    dtype: NumericDType,
    /** Missing (or non-finite) values in the training rows. */
    missing: count,
    /** The steps that read this input: `numeric`, `derived.<name>`, `binary.<name>`, `binned.<name>`. */
    usedBy: z.array(z.string()),
  }),
  z.strictObject({
    name: z.string().min(1),
    kind: z.literal("categorical"),
    /** `string`, or the numeric type of a column used as categories (its numbers are read as `String(n)`). */
    dtype: z.enum(["string", "float", "integer", "boolean", "datetime"]),
    /** The categories seen in training, in code-point order. Others are accepted and treated as unknown. */
    categories: z.array(z.string()),
    missing: count,
    usedBy: z.array(z.string()),
  }),
]);
export type FittedInput = z.output<typeof FittedInput>;

/** A derived or binary feature: a formula over inputs and earlier formulas. */
export const FittedFormula = z.strictObject({
  name: z.string().min(1),
  /** `derived`: a number; `binary`: a condition, stored as 0/1. */
  kind: z.enum(["derived", "binary"]),
  source: z.string().min(1),
  /** The columns (inputs or earlier formulas) it reads. */
  columns: z.array(z.string()),
  /** Training rows where the result was missing. */
  missing: count,
});
export type FittedFormula = z.output<typeof FittedFormula>;

/** An imputed and scaled numeric feature: output = ((x missing ? fill : x) − center) / scale. */
export const FittedNumeric = z.strictObject({
  name: z.string().min(1),
  /** An input column, or a derived formula. */
  from: z.enum(["input", "derived"]),
  missing: count,
  fill: finite,
  /** mean (standard), minimum (minmax), median (robust) or 0 (none). */
  center: finite,
  /** population std (standard), max − min (minmax), IQR (robust) or 1 (none); 1 where that would be 0. */
  scale: finite.refine((s) => s !== 0, "expected a non-zero scale"),
  /** Whether a `<name>_missing` 0/1 output was made (the option is on and training had missing values). */
  indicator: z.boolean(),
});
export type FittedNumeric = z.output<typeof FittedNumeric>;

/** A binary formula's fitted state: missing → the training mode. Never scaled. */
export const FittedBinary = z.strictObject({
  name: z.string().min(1),
  fill: z.union([z.literal(0), z.literal(1)]),
  missing: count,
});
export type FittedBinary = z.output<typeof FittedBinary>;

/**
 * A binned feature. Bin k is [edges[k], edges[k+1]) and the last bin is closed; values below
 * the first edge fall in bin 0, above the last edge in the last bin; missing → `fill`.
 */
export const FittedBinned = z.strictObject({
  name: z.string().min(1),
  /** The numeric input or derived formula being binned. */
  column: z.string().min(1),
  strategy: z.enum(["fixed", "quantile", "uniform"]),
  /** Strictly increasing. Fewer than 2 edges (a constant or empty training column) means one bin. */
  edges: z.array(finite),
  encode: z.enum(["ordinal", "onehot"]),
  /** Readable bin names, e.g. `[18,30)`. */
  labels: z.array(z.string()),
  /** Training rows per bin (after imputation). */
  counts: z.array(count),
  fill: count,
  missing: count,
});
export type FittedBinned = z.output<typeof FittedBinned>;

/** A categorical feature's vocabulary. */
export const FittedCategorical = z.strictObject({
  name: z.string().min(1),
  /** The category that replaces a missing value. */
  fill: z.string(),
  missing: count,
  /**
   * Kept categories by frequency rank (most frequent first, ties in code-point order), with
   * their training counts after imputation. The ordinal code of a category is its index here.
   */
  kept: z.array(z.strictObject({ value: z.string(), count: count })),
  /**
   * The "other" bucket: training categories not kept (too rare, or beyond max_categories).
   * null when every training category was kept; unseen categories then encode as all zeros
   * (onehot) or the code kept.length (ordinal).
   */
  other: z.strictObject({ categories: count.min(1), count: count }).nullable(),
});
export type FittedCategorical = z.output<typeof FittedCategorical>;

/** How each output column is computed from the fitted steps. */
export const FittedOutput = z.discriminatedUnion("kind", [
  /** The imputed, scaled value of a numeric feature. */
  z.strictObject({ name: z.string(), kind: z.literal("numeric"), feature: z.string() }),
  /** 1 when the numeric feature is missing. */
  z.strictObject({ name: z.string(), kind: z.literal("indicator"), feature: z.string() }),
  /** A binary formula, 0/1. */
  z.strictObject({ name: z.string(), kind: z.literal("binary"), feature: z.string() }),
  /** The bin index of a binned feature. */
  z.strictObject({ name: z.string(), kind: z.literal("bin_index"), feature: z.string() }),
  /** 1 when the binned feature falls in bin `bin`. */
  z.strictObject({ name: z.string(), kind: z.literal("bin"), feature: z.string(), bin: count }),
  /** 1 when the categorical feature equals `category`. */
  z.strictObject({
    name: z.string(),
    kind: z.literal("category"),
    feature: z.string(),
    category: z.string(),
  }),
  /** 1 when the categorical feature is in the other bucket (rare in training, or unseen). */
  z.strictObject({ name: z.string(), kind: z.literal("category_other"), feature: z.string() }),
  /** The ordinal code of a categorical feature (frequency rank; other/unseen = number kept). */
  z.strictObject({ name: z.string(), kind: z.literal("category_code"), feature: z.string() }),
]);
export type FittedOutput = z.output<typeof FittedOutput>;

export const FittedFeaturesSchema = z.strictObject({
  formatVersion: z.literal(FEATURES_FORMAT_VERSION),
  /** The Sluice version that fitted these features. */
  sluiceVersion: z.string(),
  target: z.string(),
  task: z.enum(["classification", "regression"]),
  /** Rows the features were fitted on. */
  trainingRows: count,
  inputs: z.array(FittedInput),
  /** Derived formulas first, then binary formulas, each in file order (the evaluation order). */
  formulas: z.array(FittedFormula),
  numeric: z.strictObject({
    impute: z.enum(["mean", "median", "most_frequent", "constant"]),
    scale: z.enum(["standard", "minmax", "robust", "none"]),
    features: z.array(FittedNumeric),
  }),
  binary: z.array(FittedBinary),
  binned: z.array(FittedBinned),
  categorical: z.strictObject({
    impute: z.enum(["most_frequent", "constant"]),
    encode: z.enum(["onehot", "ordinal"]),
    maxCategories: count,
    /** Smallest count a category needs to be kept (min_frequency resolved against the training rows). */
    minCount: count,
    features: z.array(FittedCategorical),
  }),
  /** Outputs dropped because one value covered at least `threshold` of the training rows. */
  nearConstant: z.strictObject({
    threshold: z.number().gt(0).max(1),
    dropped: z.array(z.strictObject({ output: FittedOutput, topShare: z.number().min(0).max(1) })),
  }),
  /**
   * Univariate selection: every candidate output (after near-constant drops) with its F
   * statistic against the target; `f` is null when infinite (a perfect separation) or undefined.
   */
  selection: z
    .strictObject({
      method: z.literal("f_test"),
      top: count.min(1),
      scores: z.array(z.strictObject({ name: z.string(), f: finite.nullable(), selected: z.boolean() })),
    })
    .nullable(),
  /** The matrix columns, in order. */
  outputs: z.array(FittedOutput),
});

/** Fitted feature state: plain JSON, see the schema above for the meaning of every field. */
export type FittedFeatures = z.output<typeof FittedFeaturesSchema>;

/** A fresh header for fitted state written by this version. */
export function formatHeader(): { formatVersion: typeof FEATURES_FORMAT_VERSION; sluiceVersion: string } {
  return { formatVersion: FEATURES_FORMAT_VERSION, sluiceVersion: SLUICE_VERSION };
}

/**
 * Read fitted features from parsed JSON: checks the format version, then every field.
 *
 * @throws SluiceError E_FORMAT naming the version found and the one supported, or the first
 *   fields that do not fit the format.
 */
export function validateFittedJson(json: unknown): FittedFeatures {
  if (json === null || typeof json !== "object" || Array.isArray(json))
    throw new SluiceError(
      "E_FORMAT",
      `fitted features must be a JSON object, got ${Array.isArray(json) ? "an array" : json === null ? "null" : typeof json}`,
      {
        hint: "pass the parsed content of a fitted-features file written by Sluice",
      },
    );
  const version = (json as { formatVersion?: unknown }).formatVersion;
  const writer = (json as { sluiceVersion?: unknown }).sluiceVersion;
  if (version !== FEATURES_FORMAT_VERSION) {
    const found = version === undefined ? "no formatVersion" : `formatVersion ${JSON.stringify(version)}`;
    throw new SluiceError(
      "E_FORMAT",
      `fitted features have ${found}${typeof writer === "string" ? ` (written by Sluice ${writer})` : ""}; Sluice ${SLUICE_VERSION} reads formatVersion ${FEATURES_FORMAT_VERSION}`,
      {
        details: { found: version ?? null, supported: [FEATURES_FORMAT_VERSION], writtenBy: writer ?? null },
        hint:
          typeof version === "number" && version > FEATURES_FORMAT_VERSION
            ? "upgrade Sluice to read this file, or fit the features again with this version"
            : "fit the features again with this version of Sluice",
      },
    );
  }
  const parsed = FittedFeaturesSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${formatPath(i.path as (string | number)[])}: ${i.message}`);
    throw new SluiceError(
      "E_FORMAT",
      `fitted features do not match formatVersion ${FEATURES_FORMAT_VERSION}: ${issues.join("; ")}`,
      {
        details: { issues: parsed.error.issues.map((i) => ({ path: i.path, message: i.message })) },
        hint: "the file is damaged or was edited by hand; fit the features again",
      },
    );
  }
  return parsed.data;
}
