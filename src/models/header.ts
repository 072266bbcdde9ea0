/**
 * The header every model file starts with: what wrote it (format, format version, Sluice
 * version), what the model is (kind, task, classes, feature names, outputs) and how it was
 * fitted (params, iterations). The kind's own fields (trees, coefficients) follow it.
 *
 * Learners build their header with {@link modelHeader} in `toJSON()` and check it with
 * {@link checkHeader} in their `fromJSON`, so every kind rejects the same mistakes with the
 * same words.
 */
import { SluiceError } from "../errors.js";
import { MODEL_KINDS, ModelParams, type ModelKind, type ModelParamsByKind } from "../project/schema.js";
import { convertIssues, formatPath } from "../project/zod-issues.js";
import { describeValue, didYouMean } from "../util/text.js";
import { compareVersions, isVersion, SLUICE_VERSION } from "../version.js";
import type { ModelFileHeader, Task } from "./types.js";

/** The `format` field of every model file. */
export const MODEL_FORMAT = "sluice-model";
/** The `formatVersion` this version of Sluice writes, and the newest it reads. */
export const MODEL_FORMAT_VERSION = 1;

/** The fields of a header that a learner provides; the rest is filled in. */
export interface ModelHeaderArgs<K extends ModelKind = ModelKind> {
  kind: K;
  task: Task;
  /** Class labels by code (classification only). */
  classes?: readonly string[] | undefined;
  featureNames: readonly string[];
  nOutputs: number;
  params: Readonly<ModelParamsByKind[K]>;
  iterations: number;
}

/**
 * A complete header for a model file written by this version: plain arrays, params in the
 * order of their schema (so equal models give byte-identical files), keys in a fixed order.
 *
 * @throws SluiceError E_USAGE when the params do not fit the kind's schema or the parts disagree
 *   (the learner has a bug: a model file must never be written that {@link checkHeader} refuses).
 * @example
 * toJSON(): ModelFile {
 *   return { ...modelHeader({ kind: "ridge", task: "regression", featureNames, nOutputs: 1,
 *     params: this.params, iterations: 1 }), coefficients: Array.from(this.coef) };
 * }
 */
export function modelHeader<K extends ModelKind>(args: ModelHeaderArgs<K>): ModelFileHeader {
  const header = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    sluiceVersion: SLUICE_VERSION,
    kind: args.kind,
    task: args.task,
    ...(args.classes === undefined ? {} : { classes: [...args.classes] }),
    featureNames: [...args.featureNames],
    nOutputs: args.nOutputs,
    params: args.params as unknown,
    iterations: args.iterations,
  };
  try {
    return checkHeader(header, args.kind);
  } catch (err) {
    if (err instanceof SluiceError)
      throw new SluiceError("E_USAGE", err.message.replace(/^model file/, "model header"), {
        cause: err,
        details: err.details,
        hint: "the model's fields disagree with each other; this is a bug in the learner that made it",
      });
    throw err;
  }
}

function formatError(message: string, hint: string, details: Record<string, unknown> = {}): SluiceError {
  return new SluiceError("E_FORMAT", `model file: ${message}`, { details, hint });
}

const DAMAGED = "the file is damaged or was edited by hand; save the model again from its run";

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function kindOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  return typeof v === "object" ? "an object" : `${typeof v} ${describeValue(v)}`;
}

function stringList(json: Record<string, unknown>, key: string): string[] {
  const v = json[key];
  if (!Array.isArray(v)) throw formatError(`${key} must be a list of names, got ${kindOf(v)}`, DAMAGED);
  const seen = new Set<string>();
  v.forEach((s, i) => {
    if (typeof s !== "string" || s.length === 0)
      throw formatError(`${key}[${i}] must be a non-empty name, got ${describeValue(s)}`, DAMAGED);
    if (seen.has(s)) throw formatError(`${key} names ${JSON.stringify(s)} twice (at ${i})`, DAMAGED);
    seen.add(s);
  });
  return v as string[];
}

function count(json: Record<string, unknown>, key: string, min: number): number {
  const v = json[key];
  if (typeof v !== "number" || !Number.isInteger(v) || v < min)
    throw formatError(`${key} must be an integer ≥ ${min}, got ${describeValue(v)}`, DAMAGED);
  return v;
}

/** Kinds bound to one task: a logistic regression classifies, a ridge regresses. */
const TASK_OF_KIND: Partial<Record<ModelKind, Task>> = {
  logistic_regression: "classification",
  ridge: "regression",
};

/**
 * Check the header of a parsed model file and return it, with params completed by their
 * defaults (a file written before a parameter existed reads as if it had the default).
 * Fields after the header are the kind's business and are not looked at.
 *
 * @param kind when given, the file must be a model of this kind (a learner's `fromJSON`).
 * @throws SluiceError E_FORMAT naming what is wrong: not a Sluice model file, a format version
 *   newer than this Sluice reads (both versions named), an unknown or unexpected kind, params
 *   that do not fit the kind (the path and a "did you mean"), or feature names, classes and
 *   outputs that disagree.
 * @example
 * export function ridgeFromJSON(file: ModelFile): Model {
 *   const header = checkHeader(file, "ridge");
 *   ...
 * }
 */
export function checkHeader(json: unknown, kind?: ModelKind): ModelFileHeader {
  if (!isRecord(json))
    throw formatError(`expected a JSON object, got ${kindOf(json)}`, "pass a model file written by Sluice");
  if (json.format !== MODEL_FORMAT)
    throw formatError(
      json.format === undefined
        ? `not a Sluice model file: it has no "format" field`
        : `not a Sluice model file: format is ${describeValue(json.format)}, expected "${MODEL_FORMAT}"`,
      "pass a model file written by Sluice (saveModel, or the model artifact of a run)",
      { found: json.format ?? null },
    );

  const version = json.formatVersion;
  const writer = typeof json.sluiceVersion === "string" ? json.sluiceVersion : undefined;
  if (typeof version !== "number" || !Number.isInteger(version) || version < 1)
    throw formatError(`formatVersion must be an integer ≥ 1, got ${describeValue(version)}`, DAMAGED);
  if (version > MODEL_FORMAT_VERSION) {
    const details = { found: version, supported: MODEL_FORMAT_VERSION, writtenBy: writer ?? null };
    // A writer no newer than this build is a development build whose format changed before its
    // version did: upgrading to its version would not help.
    if (writer !== undefined && isVersion(writer) && compareVersions(writer, SLUICE_VERSION) <= 0)
      throw formatError(
        `format ${version} was written by a development build of sluice ${writer} with a newer format than this sluice (${SLUICE_VERSION}), which reads format ${MODEL_FORMAT_VERSION}`,
        `read it with the build that wrote it, or a sluice release that reads format ${version}; or train the model again with this version`,
        details,
      );
    throw formatError(
      `format ${version} was written by sluice ${writer ?? "(unknown version)"}; this is sluice ${SLUICE_VERSION}, which reads format ${MODEL_FORMAT_VERSION}`,
      `upgrade sluice to ${writer ?? "a newer version"} or later to read this file, or train the model again with this version`,
      details,
    );
  }
  if (writer === undefined)
    throw formatError(
      `sluiceVersion must be a version text, got ${describeValue(json.sluiceVersion)}`,
      DAMAGED,
    );

  const foundKind = json.kind;
  if (typeof foundKind !== "string" || !(MODEL_KINDS as readonly string[]).includes(foundKind))
    throw formatError(
      `unknown model kind ${describeValue(foundKind)}${typeof foundKind === "string" ? didYouMean(foundKind, MODEL_KINDS) : ""}; this version of Sluice knows ${MODEL_KINDS.join(", ")}`,
      "the file was written by another version of Sluice, or is damaged",
      { found: foundKind ?? null },
    );
  const k = foundKind as ModelKind;
  if (kind !== undefined && k !== kind)
    throw formatError(
      `expected a ${kind} model, got a ${k} model`,
      `load it with loadModel, which reads every kind`,
      {
        found: k,
        expected: kind,
      },
    );

  const task = json.task;
  if (task !== "classification" && task !== "regression")
    throw formatError(`task must be "classification" or "regression", got ${describeValue(task)}`, DAMAGED);
  const bound = TASK_OF_KIND[k];
  if (bound !== undefined && bound !== task)
    throw formatError(`a ${k} model is for ${bound}, but the file says task ${task}`, DAMAGED);

  const featureNames = stringList(json, "featureNames");
  const nOutputs = count(json, "nOutputs", 1);
  const iterations = count(json, "iterations", 0);

  let classes: string[] | undefined;
  if (task === "classification") {
    if (json.classes === undefined)
      throw formatError("a classification model must list its classes", DAMAGED);
    classes = stringList(json, "classes");
    const K = classes.length;
    if (K < 2) throw formatError(`a classification model needs at least 2 classes, got ${K}`, DAMAGED);
    // One raw output per class, or a single log-odds for a binary model.
    if (nOutputs !== K && !(K === 2 && nOutputs === 1))
      throw formatError(
        `nOutputs is ${nOutputs} for ${K} classes; expected ${K === 2 ? "1 or 2" : K}`,
        DAMAGED,
      );
  } else {
    if (json.classes !== undefined)
      throw formatError(`a regression model has no classes, got ${describeValue(json.classes)}`, DAMAGED);
    if (nOutputs !== 1)
      throw formatError(`a regression model has 1 output, got nOutputs ${nOutputs}`, DAMAGED);
  }

  const schema = ModelParams[k];
  const parsed = schema.safeParse(json.params, { reportInput: true });
  if (!parsed.success) {
    const issues = convertIssues(schema, parsed.error.issues);
    const shown = issues.slice(0, 5).map((i) => `params.${formatPath(i.path)}: ${i.message}`);
    throw formatError(
      isRecord(json.params)
        ? `params do not fit a ${k} model: ${shown.join("; ")}`
        : `params must be an object, got ${kindOf(json.params)}`,
      DAMAGED,
      { issues },
    );
  }

  return {
    format: MODEL_FORMAT,
    formatVersion: version,
    sluiceVersion: writer,
    kind: k,
    task,
    ...(classes === undefined ? {} : { classes }),
    featureNames,
    nOutputs,
    params: parsed.data,
    iterations,
  };
}
