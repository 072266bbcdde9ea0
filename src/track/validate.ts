/**
 * Checks on everything written to the store, in one place so both backends refuse the same
 * input with the same errors.
 */
import { SluiceError } from "../errors.js";
import { describeValue } from "../util/text.js";
import { STAGES, type MetricPoint, type Stage } from "./types.js";

export const MAX_KEY_LENGTH = 250;
export const MAX_PARAM_LENGTH = 6000;
export const MAX_TAG_LENGTH = 8000;

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f`]/;

/** A metric, param or tag key: non-empty, ≤ 250 characters, no control characters or backticks. */
export function checkKey(kind: "metric" | "param" | "tag", key: unknown): string {
  if (typeof key !== "string" || key.trim() === "")
    throw new SluiceError("E_USAGE", `a ${kind} key must be a non-empty string, got ${describeValue(key)}`, {
      details: { kind, key },
      hint: "name it with letters, digits, _ - . / or spaces",
    });
  if (key.length > MAX_KEY_LENGTH)
    throw new SluiceError(
      "E_USAGE",
      `${kind} key "${key.slice(0, 40)}…" is ${key.length} characters long; at most ${MAX_KEY_LENGTH} are allowed`,
      { details: { kind, key }, hint: "use a shorter key" },
    );
  if (CONTROL.test(key))
    throw new SluiceError(
      "E_USAGE",
      `${kind} key ${JSON.stringify(key)} holds a control character or a backtick`,
      {
        details: { kind, key },
        hint: "name it with letters, digits, _ - . / or spaces",
      },
    );
  return key;
}

/** A param value as text (numbers and booleans as JS prints them), ≤ 6000 characters. */
export function paramText(key: string, value: unknown): string {
  if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean")
    throw new SluiceError(
      "E_USAGE",
      `param "${key}" must be a string, number or boolean, got ${describeValue(value)}`,
      { details: { key }, hint: "JSON.stringify objects before logging them as params" },
    );
  const text = String(value);
  if (text.length > MAX_PARAM_LENGTH)
    throw new SluiceError(
      "E_USAGE",
      `param "${key}" is ${text.length} characters long; at most ${MAX_PARAM_LENGTH} are allowed`,
      { details: { key, length: text.length }, hint: "log long values as an artifact instead" },
    );
  return text;
}

/** A tag value, ≤ 8000 characters. */
export function tagText(key: string, value: unknown): string {
  if (typeof value !== "string")
    throw new SluiceError("E_USAGE", `tag "${key}" must be a string, got ${describeValue(value)}`, {
      details: { key },
      hint: "convert the value with String(value)",
    });
  if (value.length > MAX_TAG_LENGTH)
    throw new SluiceError(
      "E_USAGE",
      `tag "${key}" is ${value.length} characters long; at most ${MAX_TAG_LENGTH} are allowed`,
      { details: { key, length: value.length }, hint: "log long values as an artifact instead" },
    );
  return value;
}

/** A metric point with its defaults filled in; non-finite values are refused. */
export function checkMetric(point: MetricPoint, now: number): Required<MetricPoint> {
  const key = checkKey("metric", point.key);
  if (typeof point.value !== "number" || !Number.isFinite(point.value))
    throw new SluiceError(
      "E_USAGE",
      `metric "${key}" must be a finite number, got ${describeValue(point.value)}`,
      {
        details: { key, value: String(point.value) },
        hint: "NaN and ±Infinity are not stored; skip the point or log a tag saying why it is missing",
      },
    );
  const step = point.step ?? 0;
  if (!Number.isSafeInteger(step))
    throw new SluiceError("E_USAGE", `metric "${key}": step must be an integer, got ${describeValue(step)}`, {
      details: { key, step },
    });
  const timestamp = point.timestamp ?? now;
  if (!Number.isSafeInteger(timestamp) || timestamp < 0)
    throw new SluiceError(
      "E_USAGE",
      `metric "${key}": timestamp must be epoch milliseconds (an integer ≥ 0), got ${describeValue(timestamp)}`,
      { details: { key, timestamp } },
    );
  return { key, value: point.value, step, timestamp };
}

const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** A caller-chosen run id: [A-Za-z0-9_-], 1 to 64 characters. */
export function checkRunId(id: string): string {
  if (!RUN_ID.test(id))
    throw new SluiceError("E_USAGE", `run id "${id}" is not valid`, {
      details: { id },
      hint: "a run id is 1 to 64 letters, digits, _ or -",
    });
  return id;
}

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,249}$/;

/** A registered model name: letters, digits, `_ . -` (so it fits in `models:/NAME@alias`). */
export function checkModelName(name: unknown): string {
  if (typeof name !== "string" || !MODEL_NAME.test(name))
    throw new SluiceError("E_REGISTRY", `model name ${describeValue(name)} is not valid`, {
      details: { name },
      hint: "a model name starts with a letter or digit and holds letters, digits, _ . - (at most 250)",
    });
  return name;
}

/** A version number: an integer ≥ 1. */
export function checkVersion(version: unknown): number {
  if (typeof version !== "number" || !Number.isSafeInteger(version) || version < 1)
    throw new SluiceError("E_USAGE", `a model version is a whole number ≥ 1, got ${describeValue(version)}`, {
      details: { version },
    });
  return version;
}

/** A stage name, or E_REGISTRY listing the stages. */
export function checkStage(stage: unknown): Stage {
  if (typeof stage === "string" && (STAGES as readonly string[]).includes(stage)) return stage as Stage;
  throw new SluiceError("E_REGISTRY", `unknown stage ${describeValue(stage)}`, {
    details: { stage, stages: STAGES },
    hint: `the stages are: ${STAGES.join(", ")}`,
  });
}

const ALIAS = /^[a-z][a-z0-9_-]{0,63}$/;

/** An alias: `[a-z][a-z0-9_-]*`, not a stage name. */
export function checkAlias(alias: unknown): string {
  if (typeof alias !== "string" || !ALIAS.test(alias))
    throw new SluiceError("E_REGISTRY", `alias ${describeValue(alias)} is not valid`, {
      details: { alias },
      hint: "an alias is lower-case: a letter, then letters, digits, _ or - (such as champion)",
    });
  if ((STAGES as readonly string[]).includes(alias))
    throw new SluiceError("E_REGISTRY", `"${alias}" is a stage name and cannot be an alias`, {
      details: { alias, stages: STAGES },
      hint: `move the version to that stage instead, or choose another alias (stages: ${STAGES.join(", ")})`,
    });
  return alias;
}
