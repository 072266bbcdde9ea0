/**
 * The monitoring reference: what current data is compared with. `sluice run` writes it beside
 * the model (`reference.json`): a seeded sample of the training rows' raw inputs (the fields a
 * request carries), the model's prediction on each of them, and how much of the model's
 * attention each input gets (mean |SHAP|, normalised to sum to 1), which grades drift severity.
 *
 * Plain versioned JSON, like every file Sluice persists; missing values are `null`.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { SluiceError } from "../errors.js";
import { formatPath } from "../project/zod-issues.js";
import { SLUICE_VERSION } from "../version.js";

/** The `formatVersion` this version of Sluice writes and reads. */
export const REFERENCE_FORMAT_VERSION = 1;

/** The prediction column's name in references, windows and reports. */
export const PREDICTION_COLUMN = "prediction";

const ReferenceColumnSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    name: z.string().min(1),
    kind: z.literal("numeric"),
    values: z.array(z.number().nullable()),
  }),
  z.strictObject({
    name: z.string().min(1),
    kind: z.literal("categorical"),
    values: z.array(z.string().nullable()),
  }),
]);
export type ReferenceColumn = z.output<typeof ReferenceColumnSchema>;

export const MonitorReferenceSchema = z.strictObject({
  format: z.literal("sluice-monitor-reference"),
  formatVersion: z.literal(REFERENCE_FORMAT_VERSION),
  sluiceVersion: z.string(),
  /** Training rows the sample was drawn from. */
  trainingRows: z.number().int().min(0),
  /** Rows in the sample (every column has this many values). */
  rows: z.number().int().min(0),
  seed: z.number().int(),
  task: z.enum(["classification", "regression"]),
  /** The raw inputs of the model, in the features' order. */
  columns: z.array(ReferenceColumnSchema),
  /**
   * The model's prediction per sampled row: P(positive class) for a binary target (numeric),
   * the predicted class for multiclass (categorical), the predicted value for regression.
   */
  prediction: z.strictObject({
    kind: z.enum(["numeric", "categorical"]),
    /** Which output field of a logged prediction holds it: `probability` or `prediction`. */
    field: z.enum(["probability", "prediction"]),
    values: z.array(z.union([z.number(), z.string()]).nullable()),
  }),
  /** Share of the model's mean |SHAP| per input (sums to 1 when the model uses any input). */
  importance: z.record(z.string(), z.number().min(0)),
});
export type MonitorReference = z.output<typeof MonitorReferenceSchema>;

/**
 * Read a reference from parsed JSON, checking the format version and every field.
 *
 * @throws SluiceError E_FORMAT naming the first bad field, or the version this Sluice cannot read
 */
export function parseReference(json: unknown, where = "reference.json"): MonitorReference {
  const head = json as { format?: unknown; formatVersion?: unknown; sluiceVersion?: unknown } | null;
  if (
    head !== null &&
    typeof head === "object" &&
    typeof head.formatVersion === "number" &&
    head.formatVersion > REFERENCE_FORMAT_VERSION
  )
    throw new SluiceError(
      "E_FORMAT",
      `${where} has monitoring reference format ${head.formatVersion} (written by sluice ${typeof head.sluiceVersion === "string" ? head.sluiceVersion : "?"}), but this sluice (${SLUICE_VERSION}) reads format ${REFERENCE_FORMAT_VERSION}`,
      {
        details: { where, formatVersion: head.formatVersion },
        hint: "upgrade sluice, or retrain the model with this version",
      },
    );
  const parsed = MonitorReferenceSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SluiceError(
      "E_FORMAT",
      `${where} is not a monitoring reference: ${formatPath(issue.path as (string | number)[])}: ${issue.message}`,
      {
        details: { where, path: formatPath(issue.path as (string | number)[]) },
        hint: "the file is damaged or not one sluice wrote; retrain the model to write it again",
      },
    );
  }
  const ref = parsed.data;
  for (const c of ref.columns)
    if (c.values.length !== ref.rows)
      throw new SluiceError(
        "E_FORMAT",
        `${where}: column "${c.name}" has ${c.values.length} values, expected ${ref.rows}`,
        {
          details: { where, column: c.name },
          hint: "the file is damaged; retrain the model to write it again",
        },
      );
  if (ref.prediction.values.length !== ref.rows)
    throw new SluiceError(
      "E_FORMAT",
      `${where}: the prediction has ${ref.prediction.values.length} values, expected ${ref.rows}`,
      {
        details: { where },
        hint: "the file is damaged; retrain the model to write it again",
      },
    );
  return ref;
}

/**
 * Load `reference.json` from a path.
 *
 * @throws SluiceError E_FILE_NOT_FOUND (with how to get one), E_FORMAT
 */
export async function loadReference(path: string): Promise<MonitorReference> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT")
      throw new SluiceError("E_FILE_NOT_FOUND", `no monitoring reference at ${path}`, {
        cause: err,
        details: { path },
        hint: "models trained by `sluice run` keep one beside model.json; retrain the model, or pass --reference FILE (a CSV of reference rows)",
      });
    throw new SluiceError(
      "E_FILE_NOT_FOUND",
      `cannot read the monitoring reference ${path}: ${(err as Error).message}`,
      {
        cause: err,
        details: { path },
        hint: "check the file's permissions",
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SluiceError("E_FORMAT", `${path} is not valid JSON (${(err as Error).message})`, {
      cause: err,
      details: { path },
      hint: "the file is truncated or damaged; retrain the model to write it again",
    });
  }
  return parseReference(json, path);
}
