import { describe, expect, it } from "vitest";
import { SluiceError } from "../errors.js";
import { ModelParams } from "../project/schema.js";
import { SLUICE_VERSION } from "../version.js";
import { checkHeader, MODEL_FORMAT_VERSION, modelHeader } from "./header.js";

function failure(fn: () => unknown): SluiceError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SluiceError) return err;
    throw err;
  }
  throw new Error("expected a SluiceError, got none");
}

const gbParams = ModelParams.gradient_boosting.parse({ trees: 10 });

function header(): Record<string, unknown> {
  return {
    ...modelHeader({
      kind: "gradient_boosting",
      task: "classification",
      classes: ["no", "yes"],
      featureNames: ["age", "income"],
      nOutputs: 1,
      params: gbParams,
      iterations: 10,
    }),
  };
}

describe("modelHeader", () => {
  it("fills the format, its version and the Sluice version, keys in a fixed order", () => {
    const h = header();
    expect(Object.keys(h)).toEqual([
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
    ]);
    expect(h.format).toBe("sluice-model");
    expect(h.formatVersion).toBe(MODEL_FORMAT_VERSION);
    expect(h.sluiceVersion).toBe(SLUICE_VERSION);
  });

  it("writes params in their schema's order whatever order they were given in", () => {
    const reversed = Object.fromEntries(Object.entries(gbParams).reverse()) as typeof gbParams;
    const a = modelHeader({ ...header(), kind: "gradient_boosting", params: gbParams } as never);
    const b = modelHeader({ ...header(), kind: "gradient_boosting", params: reversed } as never);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(Object.keys(b.params)).toEqual(Object.keys(ModelParams.gradient_boosting.shape));
  });

  it("leaves classes out of a regression header", () => {
    const h = modelHeader({
      kind: "ridge",
      task: "regression",
      featureNames: ["x"],
      nOutputs: 1,
      params: ModelParams.ridge.parse({}),
      iterations: 1,
    });
    expect("classes" in h).toBe(false);
  });

  it("refuses to build a header its own check would refuse (a learner bug)", () => {
    const err = failure(() =>
      modelHeader({
        kind: "ridge",
        task: "regression",
        featureNames: ["x"],
        nOutputs: 1,
        params: { alpha: -1, fit_intercept: true },
        iterations: 1,
      }),
    );
    expect(err.code).toBe("E_USAGE");
    expect(err.message).toMatch(
      /^model header: params do not fit a ridge model: params\.alpha: expected number ≥ 0/,
    );
  });
});

describe("checkHeader", () => {
  it("accepts what modelHeader writes and returns it unchanged", () => {
    const h = header();
    expect(checkHeader(JSON.parse(JSON.stringify(h)))).toEqual(h);
  });

  it("completes params missing from older files with their defaults", () => {
    const h = header();
    h.params = { trees: 10 };
    expect(checkHeader(h).params).toEqual(gbParams);
  });

  it("refuses what is not an object, naming what it got", () => {
    expect(failure(() => checkHeader([1, 2])).message).toBe("model file: expected a JSON object, got a list");
    expect(failure(() => checkHeader("model")).message).toBe(
      'model file: expected a JSON object, got string "model"',
    );
    expect(failure(() => checkHeader(null)).code).toBe("E_FORMAT");
  });

  it("refuses a file of another format", () => {
    expect(failure(() => checkHeader({ ...header(), format: "sluice-features" })).message).toBe(
      'model file: not a Sluice model file: format is "sluice-features", expected "sluice-model"',
    );
    expect(failure(() => checkHeader({ kind: "ridge" })).message).toMatch(/no "format" field/);
  });

  it("names both versions when the file is newer than this Sluice reads", () => {
    const err = failure(() => checkHeader({ ...header(), formatVersion: 2, sluiceVersion: "0.4.0" }));
    expect(err.code).toBe("E_FORMAT");
    expect(err.message).toBe(
      `model file: format 2 was written by sluice 0.4.0; this is sluice ${SLUICE_VERSION}, which reads format 1`,
    );
    expect(err.hint).toMatch(/^upgrade sluice to 0\.4\.0 or later/);
    expect(err.details).toMatchObject({ found: 2, supported: 1, writtenBy: "0.4.0" });
  });

  it("calls a file of a newer format from a version no newer than this one a development build", () => {
    const err = failure(() => checkHeader({ ...header(), formatVersion: 99, sluiceVersion: SLUICE_VERSION }));
    expect(err.code).toBe("E_FORMAT");
    expect(err.message).toBe(
      `model file: format 99 was written by a development build of sluice ${SLUICE_VERSION} with a newer format than this sluice (${SLUICE_VERSION}), which reads format 1`,
    );
    expect(err.hint).not.toMatch(/upgrade sluice to/);
    expect(err.hint).toMatch(
      /^read it with the build that wrote it, or a sluice release that reads format 99/,
    );
    expect(err.details).toMatchObject({ found: 99, supported: 1, writtenBy: SLUICE_VERSION });
  });

  it("refuses a format version that is not a positive integer", () => {
    expect(failure(() => checkHeader({ ...header(), formatVersion: "1" })).message).toBe(
      'model file: formatVersion must be an integer ≥ 1, got "1"',
    );
  });

  it("refuses an unknown kind with a did-you-mean and the known kinds", () => {
    expect(failure(() => checkHeader({ ...header(), kind: "gradient_bosting" })).message).toBe(
      'model file: unknown model kind "gradient_bosting" (did you mean "gradient_boosting"?); this version of Sluice knows logistic_regression, ridge, random_forest, gradient_boosting',
    );
  });

  it("refuses a model of another kind than the caller reads", () => {
    expect(failure(() => checkHeader(header(), "random_forest")).message).toBe(
      "model file: expected a random_forest model, got a gradient_boosting model",
    );
  });

  it("names a params typo with its path and the likely intended name", () => {
    const h = header();
    h.params = { ...gbParams, num_leavs: 31 };
    const err = failure(() => checkHeader(h));
    expect(err.message).toMatch(
      /^model file: params do not fit a gradient_boosting model: params\.num_leavs: unknown key \(did you mean "num_leaves"\?\)/,
    );
  });

  it("names a params value of the wrong type", () => {
    const h = header();
    h.params = { ...gbParams, learning_rate: "fast" };
    expect(failure(() => checkHeader(h)).message).toMatch(
      /params\.learning_rate: expected number in \(0, 10\], got "fast"$/,
    );
    h.params = [1];
    expect(failure(() => checkHeader(h)).message).toBe("model file: params must be an object, got a list");
  });

  it("refuses classes and outputs that disagree", () => {
    expect(failure(() => checkHeader({ ...header(), nOutputs: 3 })).message).toBe(
      "model file: nOutputs is 3 for 2 classes; expected 1 or 2",
    );
    expect(failure(() => checkHeader({ ...header(), classes: ["a", "b", "c"], nOutputs: 1 })).message).toBe(
      "model file: nOutputs is 1 for 3 classes; expected 3",
    );
    expect(failure(() => checkHeader({ ...header(), classes: ["only"] })).message).toBe(
      "model file: a classification model needs at least 2 classes, got 1",
    );
    expect(failure(() => checkHeader({ ...header(), classes: undefined })).message).toBe(
      "model file: a classification model must list its classes",
    );
    expect(failure(() => checkHeader({ ...header(), task: "regression" })).message).toMatch(
      /^model file: a regression model has no classes, got \["no","yes"\]$/,
    );
  });

  it("refuses feature names that are missing, repeated or not text", () => {
    expect(failure(() => checkHeader({ ...header(), featureNames: "age" })).message).toBe(
      'model file: featureNames must be a list of names, got string "age"',
    );
    expect(failure(() => checkHeader({ ...header(), featureNames: ["a", "b", "a"] })).message).toBe(
      'model file: featureNames names "a" twice (at 2)',
    );
    expect(failure(() => checkHeader({ ...header(), featureNames: ["a", 3] })).message).toBe(
      "model file: featureNames[1] must be a non-empty name, got 3",
    );
  });

  it("refuses a logistic regression for regression and a ridge for classification", () => {
    const h = { ...header(), kind: "ridge", params: { alpha: 1, fit_intercept: true } };
    expect(failure(() => checkHeader(h)).message).toBe(
      "model file: a ridge model is for regression, but the file says task classification",
    );
  });

  it("refuses negative or fractional counts", () => {
    expect(failure(() => checkHeader({ ...header(), iterations: -1 })).message).toBe(
      "model file: iterations must be an integer ≥ 0, got -1",
    );
    expect(failure(() => checkHeader({ ...header(), nOutputs: 1.5 })).message).toBe(
      "model file: nOutputs must be an integer ≥ 1, got 1.5",
    );
  });
});
