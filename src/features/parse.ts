/** Loading fitted features from JSON: format check, schema check, then a full plan build. */
import { SluiceError, isSluiceError } from "../errors.js";
import { validateFittedJson, type FittedFeatures } from "./fitted.js";
import { freezeDeep } from "./freeze.js";
import { planFor } from "./plan.js";

/**
 * Read fitted features from parsed JSON (e.g. `JSON.parse` of a stored file). Checks the
 * format version, every field, and that the state is consistent (formulas compile against the
 * inputs, outputs name existing steps). The result is frozen and ready to transform.
 *
 * @throws SluiceError E_FORMAT naming the version found and the one supported, or what is wrong.
 * @example
 * const fitted = parseFittedFeatures(JSON.parse(readFileSync("features.json", "utf8")));
 * transformRecord(fitted, { tenure: 3, contract: "Month-to-month" });
 */
export function parseFittedFeatures(json: unknown): FittedFeatures {
  const fitted = freezeDeep(validateFittedJson(json));
  try {
    planFor(fitted);
  } catch (err) {
    if (isSluiceError(err, "E_FORMULA"))
      throw new SluiceError(
        "E_FORMAT",
        `fitted features: a stored formula does not compile: ${err.message}`,
        {
          cause: err,
          details: err.details,
          hint: "the fitted state is inconsistent (damaged or edited by hand); fit the features again",
        },
      );
    throw err;
  }
  return fitted;
}
