/**
 * The data profile as a zod schema. The profile is persisted with every model as the drift
 * reference, so it is versioned and read back through {@link parseDataProfile}, which refuses
 * versions it does not know.
 */
import { z } from "zod";
import { SluiceError } from "../errors.js";
import { SLUICE_VERSION } from "../version.js";

/** The version of the {@link DataProfile} JSON layout. */
export const DATA_PROFILE_FORMAT = 1;

/** Distinct values are counted exactly up to this many; past it, only "more than" is kept. */
export const DISTINCT_CAP = 10_000;

/** The quantile levels every numeric profile records. */
export const PROFILE_QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99] as const;

const count = z.number().int().min(0);
const finite = z.number().refine(Number.isFinite, "expected a finite number");

/** `{ count: 12, capped: false }` is exactly 12; `{ count: 10000, capped: true }` is more than 10,000. */
export const DistinctCount = z.strictObject({ count, capped: z.boolean() });
export type DistinctCount = z.output<typeof DistinctCount>;

export const NumericProfile = z.strictObject({
  name: z.string(),
  kind: z.literal("numeric"),
  dtype: z.enum(["float", "integer", "boolean", "datetime"]),
  /** Non-missing values. */
  count,
  /** Missing values (NaN), including cells whose text did not parse. */
  missing: count,
  /** Cells whose text did not parse as the column's type (a subset of `missing`). */
  invalid: count,
  min: finite.nullable(),
  max: finite.nullable(),
  mean: finite.nullable(),
  /** Sample standard deviation (ddof = 1, as pandas); null below 2 values. */
  std: finite.nullable(),
  zeros: count,
  distinct: DistinctCount,
  /** At {@link PROFILE_QUANTILES}, linear interpolation (numpy's default); empty when no value. */
  quantiles: z.array(z.strictObject({ q: z.number().min(0).max(1), value: finite })),
  /** Equal-width bins over [min, max] as numpy.histogram: the last bin includes max. Null when no value. */
  histogram: z.strictObject({ edges: z.array(finite), counts: z.array(count) }).nullable(),
});
export type NumericProfile = z.output<typeof NumericProfile>;

export const CategoricalProfile = z.strictObject({
  name: z.string(),
  kind: z.literal("categorical"),
  count,
  missing: count,
  distinct: DistinctCount,
  /** The most frequent values (count descending, then value in code-point order); fraction of non-missing rows. */
  top: z.array(z.strictObject({ value: z.string(), count, fraction: z.number().min(0).max(1) })),
  /** Non-missing rows whose value is not in `top`. */
  otherCount: count,
});
export type CategoricalProfile = z.output<typeof CategoricalProfile>;

export const TextProfile = z.strictObject({
  name: z.string(),
  kind: z.literal("text"),
  count,
  missing: count,
  distinct: DistinctCount,
  /** Shortest and longest value in Unicode code points; null when no value. */
  minLength: count.nullable(),
  maxLength: count.nullable(),
  /** The first few distinct values, in row order. */
  examples: z.array(z.string()),
});
export type TextProfile = z.output<typeof TextProfile>;

export const ColumnProfile = z.discriminatedUnion("kind", [NumericProfile, CategoricalProfile, TextProfile]);
export type ColumnProfile = z.output<typeof ColumnProfile>;

export const DataProfile = z.strictObject({
  formatVersion: z.literal(DATA_PROFILE_FORMAT),
  sluiceVersion: z.string(),
  rows: count,
  /** In frame order. */
  columns: z.array(ColumnProfile),
});
/** A statistical profile of a frame: the drift reference kept with every model. */
export type DataProfile = z.output<typeof DataProfile>;

/**
 * Read a data profile from parsed JSON, checking its version and shape.
 *
 * @throws SluiceError E_FORMAT when the input is not a profile, names another format version,
 *   or is damaged (the message gives the first problem's path).
 * @example
 * const profile = parseDataProfile(JSON.parse(readFileSync("profile.json", "utf8")));
 */
export function parseDataProfile(json: unknown): DataProfile {
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw new SluiceError(
      "E_FORMAT",
      `a data profile must be a JSON object, got ${json === null ? "null" : Array.isArray(json) ? "an array" : typeof json}`,
      {
        hint: "point at the profile.json written with the model, not at another file",
      },
    );
  const version = (json as { formatVersion?: unknown }).formatVersion;
  if (version !== DATA_PROFILE_FORMAT)
    throw new SluiceError(
      "E_FORMAT",
      version === undefined
        ? "this JSON has no formatVersion, so it is not a Sluice data profile"
        : `this data profile has formatVersion ${JSON.stringify(version)}; Sluice ${SLUICE_VERSION} reads formatVersion ${DATA_PROFILE_FORMAT}`,
      {
        details: { formatVersion: version, supported: DATA_PROFILE_FORMAT, sluiceVersion: SLUICE_VERSION },
        hint:
          typeof version === "number" && version > DATA_PROFILE_FORMAT
            ? "it was written by a newer Sluice: upgrade Sluice, or profile the data again with this one"
            : "profile the data again with this version of Sluice",
      },
    );
  const parsed = DataProfile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
    throw new SluiceError(
      "E_FORMAT",
      `the data profile is damaged at ${path === "" ? "its top level" : path.replace(/^\./, "")}: ${issue.message}`,
      {
        details: {
          issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
        },
        hint: "the file was edited or truncated; profile the data again",
      },
    );
  }
  return parsed.data;
}
