/**
 * Model files: a model as versioned, plain JSON (never code), written atomically and read back
 * into a model whose predictions are bit-identical.
 *
 * A file is the model's `toJSON()`: the header of ./header.ts, then the kind's own fields (see
 * each kind's fromJSON), then `checksum`, which {@link saveModel} adds: `sha256:` and the hash
 * of the file's canonical text without that field. {@link loadModel} checks it when present, so
 * a changed digit, which would still be valid JSON and a valid model, is caught as damage.
 *
 * The canonical text is deterministic: header fields first in a fixed order, the kind's fields
 * in the order the model lists them, two-space indentation, lists of numbers or texts on one
 * line. Numbers are written in JavaScript's shortest round-trip form (and -0 as `-0`), so every
 * double reads back as the same double. A file reformatted by hand still verifies; a file
 * whose content changed does not.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { isSluiceError, SluiceError } from "../errors.js";
import { writeFileAtomicSync } from "../util/fs.js";
import { gradientBoostingFromJSON } from "./gbdt/learner.js";
import { randomForestFromJSON } from "./forest/learner.js";
import { checkHeader } from "./header.js";
import { logisticRegressionFromJSON } from "./linear/logistic.js";
import { ridgeFromJSON } from "./linear/ridge.js";
import type { Model, ModelFile } from "./types.js";

/** The order of the header fields at the top of a file. */
const HEADER_KEYS = [
  "format",
  "formatVersion",
  "sluiceVersion",
  "kind",
  "task",
  "classes",
  "featureNames",
  "nOutputs",
  "params",
  "iterations",
] as const;

/** The field saveModel adds; reserved in every kind's fields. */
const CHECKSUM_KEY = "checksum";

const DAMAGED = "the file is damaged or was changed after it was saved; save the model again from its run";

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function isNumberArray(v: unknown): v is ArrayLike<number> {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

// ---------------------------------------------------------------------------------------------
// Writing

function numberText(v: number, path: string): string {
  if (!Number.isFinite(v))
    throw new SluiceError(
      "E_INTERNAL",
      `cannot write the model file: ${path} is ${v}, which JSON cannot hold`,
      {
        details: { path, value: String(v) },
        hint: "the model holds a value that is not a finite number; this is a bug in the learner that made it",
      },
    );
  return Object.is(v, -0) ? "-0" : String(v);
}

function isFlat(list: ArrayLike<unknown>): boolean {
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (v !== null && typeof v === "object") return false;
  }
  return true;
}

function write(v: unknown, path: string, indent: string, out: string[]): void {
  if (typeof v === "number") out.push(numberText(v, path));
  else if (typeof v === "string") out.push(JSON.stringify(v));
  else if (typeof v === "boolean" || v === null) out.push(String(v));
  else if (isNumberArray(v)) {
    const parts = new Array<string>(v.length);
    for (let i = 0; i < v.length; i++) parts[i] = numberText(v[i]!, `${path}[${i}]`);
    out.push(`[${parts.join(",")}]`);
  } else if (Array.isArray(v)) {
    if (v.length === 0) out.push("[]");
    else if (isFlat(v)) {
      out.push("[");
      v.forEach((x, i) => {
        if (i > 0) out.push(",");
        write(x, `${path}[${i}]`, indent, out);
      });
      out.push("]");
    } else {
      const inner = `${indent}  `;
      out.push("[\n");
      v.forEach((x, i) => {
        out.push(inner);
        write(x, `${path}[${i}]`, inner, out);
        out.push(i < v.length - 1 ? ",\n" : "\n");
      });
      out.push(`${indent}]`);
    }
  } else if (isRecord(v)) writeObject(v, Object.keys(v), path, indent, out);
  else
    throw new SluiceError(
      "E_INTERNAL",
      `cannot write the model file: ${path} is a ${typeof v}, not JSON data`,
      {
        details: { path },
      },
    );
}

function writeObject(
  obj: Record<string, unknown>,
  keys: readonly string[],
  path: string,
  indent: string,
  out: string[],
): void {
  const present = keys.filter((k) => obj[k] !== undefined);
  if (present.length === 0) {
    out.push("{}");
    return;
  }
  const inner = `${indent}  `;
  out.push("{\n");
  present.forEach((k, i) => {
    out.push(`${inner}${JSON.stringify(k)}: `);
    write(obj[k], path === "" ? k : `${path}.${k}`, inner, out);
    out.push(i < present.length - 1 ? ",\n" : "\n");
  });
  out.push(`${indent}}`);
}

/** The canonical text of a model file without its checksum. */
function canonicalText(file: Record<string, unknown>): string {
  const keys = [
    ...HEADER_KEYS.filter((k) => k in file),
    ...Object.keys(file).filter((k) => k !== CHECKSUM_KEY && !(HEADER_KEYS as readonly string[]).includes(k)),
  ];
  const out: string[] = [];
  writeObject(file, keys, "", "", out);
  return out.join("");
}

function isModel(v: ModelFile | Model): v is Model {
  return typeof (v as Partial<Model>).toJSON === "function";
}

function checksumOf(text: string): string {
  return `sha256:${createHash("sha256").update(text, "utf8").digest("hex")}`;
}

/**
 * The text of a model file: canonical JSON with its checksum as the last field, ending in a
 * newline. `saveModel` writes this; the registry and artifact stores can store it as is.
 *
 * @throws SluiceError E_INTERNAL when the model holds a value JSON cannot represent (NaN,
 *   ±Infinity) or its header does not pass {@link checkHeader}
 */
export function modelFileText(file: ModelFile | Model): string {
  const json = isModel(file) ? file.toJSON() : file;
  try {
    checkHeader(json);
  } catch (err) {
    // Never write a file that loadModel would refuse.
    throw new SluiceError("E_INTERNAL", `cannot write the model file: ${(err as Error).message}`, {
      cause: err,
      hint: "the model's header is inconsistent; this is a bug in the learner that made it",
    });
  }
  const body = canonicalText(json);
  // Insert the checksum as the last field of the top-level object (the body ends in "\n}").
  return `${body.slice(0, -2)},\n  "${CHECKSUM_KEY}": "${checksumOf(body)}"\n}\n`;
}

/**
 * Write a model file atomically (a temporary file renamed into place: a crash leaves the old
 * file or the new one, never half of one). Creates the folder.
 *
 * @throws SluiceError E_WRITE when the file cannot be written; E_INTERNAL when the model holds
 *   a value JSON cannot represent
 * @example
 * const model = await new GradientBoostingLearner(params, target).fit(X, y);
 * saveModel(model, "models/churn.json");
 * const same = loadModel("models/churn.json"); // same.predictRaw(X) is bit-identical
 */
export function saveModel(model: Model, path: string): void {
  writeFileAtomicSync(path, modelFileText(model));
}

// ---------------------------------------------------------------------------------------------
// Reading

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT")
      throw new SluiceError("E_FILE_NOT_FOUND", `model file ${path} does not exist`, {
        cause: err,
        details: { path },
        hint: "check the path, or save the model first (saveModel, or the model artifact of a run)",
      });
    if (code === "EISDIR")
      throw new SluiceError("E_FORMAT", `model file ${path} is a folder, not a file`, {
        cause: err,
        details: { path },
        hint: "pass the path of the model's .json file",
      });
    throw new SluiceError("E_FORMAT", `cannot read model file ${path}: ${(err as Error).message}`, {
      cause: err,
      details: { path, errno: code },
      hint: "check that the file is readable",
    });
  }
}

function parseText(text: string, where: string): unknown {
  const bytes = Buffer.byteLength(text, "utf8");
  if (text.trim() === "")
    throw new SluiceError("E_FORMAT", `${where} is empty (${bytes} bytes)`, {
      details: { bytes },
      hint: DAMAGED,
    });
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const at = /position (\d+)/.exec(message);
    const pos = at === null ? undefined : Number(at[1]);
    const truncated =
      /end of JSON input/.test(message) || (pos !== undefined && pos >= text.trimEnd().length);
    let place: string;
    if (truncated) place = `(truncated at byte ${bytes}?)`;
    else if (pos !== undefined) {
      const before = text.slice(0, pos);
      const line = before.split("\n").length;
      const column = pos - before.lastIndexOf("\n");
      place = `at byte ${Buffer.byteLength(before, "utf8")} (line ${line}, column ${column})`;
    } else place = `(${message})`;
    throw new SluiceError("E_FORMAT", `${where} is not valid JSON ${place}`, {
      cause: err,
      details: { bytes, position: pos ?? null, parser: message },
      hint: truncated ? `the file ends too early; ${DAMAGED}` : DAMAGED,
    });
  }
}

/** Prefix E_FORMAT messages ("model file: …") with where the file came from. */
function located<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof SluiceError && err.code === "E_FORMAT" && where !== "model file")
      throw new SluiceError("E_FORMAT", err.message.replace(/^model file:/, `${where}:`), {
        cause: err,
        details: err.details,
        ...(err.hint === undefined ? {} : { hint: err.hint }),
      });
    throw err;
  }
}

/** Why the file's checksum does not match its content, or undefined when it matches or is absent. */
function checksumMismatch(json: Record<string, unknown>): string | undefined {
  if (!(CHECKSUM_KEY in json)) return undefined;
  const recorded = json[CHECKSUM_KEY];
  const rest: Record<string, unknown> = {};
  for (const k of Object.keys(json)) if (k !== CHECKSUM_KEY) rest[k] = json[k];
  let computed: string;
  try {
    computed = checksumOf(canonicalText(rest));
  } catch {
    computed = "(nothing: the content is not model data)";
  }
  return recorded === computed
    ? undefined
    : `its content does not match its checksum (recorded ${String(recorded)}, content hashes to ${computed})`;
}

function withoutChecksum(json: Record<string, unknown>): ModelFile {
  const rest: Record<string, unknown> = {};
  for (const k of Object.keys(json)) if (k !== CHECKSUM_KEY) rest[k] = json[k];
  return rest as ModelFile;
}

function dispatch(json: unknown): Model {
  const header = checkHeader(json);
  const file = withoutChecksum(json as Record<string, unknown>);
  switch (header.kind) {
    case "gradient_boosting":
      return gradientBoostingFromJSON(file);
    case "random_forest":
      return randomForestFromJSON(file);
    case "logistic_regression":
      return logisticRegressionFromJSON(file);
    case "ridge":
      return ridgeFromJSON(file);
  }
}

/**
 * A model from its parsed file, dispatching on `kind` to that kind's reader. The checksum,
 * when present, must match: a file that passes every check but not its checksum is damaged
 * (a changed digit is still a valid model), and a failed check in a file whose checksum does
 * not match says so too.
 *
 * @throws SluiceError E_FORMAT naming what is wrong
 */
export function modelFromJSON(json: unknown, where = "model file"): Model {
  return located(where, () => {
    const mismatch = isRecord(json) ? checksumMismatch(json) : undefined;
    let model: Model;
    try {
      model = dispatch(json);
    } catch (err) {
      // A newer format may write its checksum differently: the version is the message.
      if (mismatch === undefined || !isSluiceError(err, "E_FORMAT") || err.details.supported !== undefined)
        throw err;
      throw new SluiceError("E_FORMAT", `${err.message}; and ${mismatch}`, {
        cause: err,
        details: err.details,
        hint: DAMAGED,
      });
    }
    if (mismatch !== undefined)
      throw new SluiceError("E_FORMAT", `model file: damaged: ${mismatch}`, { hint: DAMAGED });
    return model;
  });
}

/**
 * Read a model: from a file path (a string), or from its already parsed JSON (a registry entry).
 *
 * @throws SluiceError E_FILE_NOT_FOUND for a missing file; E_FORMAT for a file that is empty,
 *   truncated or not JSON (with the byte where parsing stopped), damaged (checksum), of a newer
 *   format version, of an unknown kind, or with a field that is wrong (named)
 * @example
 * const model = loadModel(".sluice/artifacts/run-12/model.json");
 * const proba = model.predictProba(X);
 */
export function loadModel(source: unknown): Model {
  if (typeof source === "string") {
    const where = `model file ${source}`;
    return modelFromJSON(parseText(readText(source), where), where);
  }
  return modelFromJSON(source);
}
