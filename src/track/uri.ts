/** Model URIs: `models:/NAME/3`, `models:/NAME@alias`, `models:/NAME@production`. */
import { SluiceError } from "../errors.js";
import { STAGES, type ModelRef, type Stage } from "./types.js";

const FORMS =
  "models:/NAME/VERSION (models:/churn/3), models:/NAME@ALIAS (models:/churn@champion) or models:/NAME@STAGE (models:/churn@production)";

/**
 * Parse a model URI. A stage name after `@` (or after `/`) is a stage, anything else after `@`
 * an alias. Returns null for strings that do not start with `models:/` (file paths).
 *
 * @throws SluiceError E_USAGE for a malformed `models:/` URI, listing the accepted forms
 */
export function parseModelUri(uri: string): ModelRef | null {
  if (!uri.startsWith("models:/")) return null;
  const rest = uri.slice("models:/".length);
  const bad = (why: string): SluiceError =>
    new SluiceError("E_USAGE", `bad model URI "${uri}": ${why}`, {
      details: { uri },
      hint: `the forms are ${FORMS}`,
    });
  const m = /^([A-Za-z0-9][A-Za-z0-9_.-]*)(?:\/([^/@]+)|@([^/@]+))$/.exec(rest);
  if (m === null) {
    if (rest === "") throw bad("no model name");
    if (!/[/@]/.test(rest)) throw bad("no version, alias or stage after the name");
    throw bad("expected NAME/VERSION, NAME@ALIAS or NAME@STAGE");
  }
  const name = m[1]!;
  const after = (m[2] ?? m[3])!;
  if ((STAGES as readonly string[]).includes(after.toLowerCase()))
    return { kind: "stage", name, stage: after.toLowerCase() as Stage };
  if (m[2] !== undefined) {
    if (!/^[1-9][0-9]*$/.test(after)) throw bad(`version "${after}" is not a whole number ≥ 1`);
    return { kind: "version", name, version: Number(after) };
  }
  if (!/^[a-z][a-z0-9_-]*$/.test(after))
    throw bad(`alias "${after}" is not valid (lower-case letter first, then letters, digits, _ or -)`);
  return { kind: "alias", name, alias: after };
}

/** The URI of a reference (inverse of {@link parseModelUri}). */
export function formatModelUri(ref: ModelRef): string {
  return ref.kind === "version"
    ? `models:/${ref.name}/${ref.version}`
    : `models:/${ref.name}@${ref.kind === "alias" ? ref.alias : ref.stage}`;
}
