import { describe, expect, it } from "vitest";
import { isSluiceError } from "../../errors.js";
import type { TreeJSON } from "../tree.js";
import type { ModelFile } from "../types.js";
import { fitGradientBoosting, gradientBoostingFromJSON } from "./learner.js";
import { BINARY, gbParams, REGRESSION, synthetic, THREE } from "./test-utils/data.js";

/** A model file open to damage. */
interface Editable {
  kind: string;
  objective: string;
  baseScore: (number | null)[];
  trees: (TreeJSON | string)[];
  importances?: { gain: number[]; split: number[] };
  params: Record<string, unknown>;
}

function tree(f: Editable, i: number): TreeJSON {
  return f.trees[i] as TreeJSON;
}

function formatError(file: unknown): string {
  try {
    gradientBoostingFromJSON(file as ModelFile);
  } catch (err) {
    if (isSluiceError(err, "E_FORMAT")) return err.message;
    throw err;
  }
  throw new Error("expected the file to be refused");
}

describe("gradient boosting model files", () => {
  it("load back to bit-identical predictions and a byte-identical file", async () => {
    for (const [task, target] of [
      ["binary", BINARY],
      ["multiclass", THREE],
      ["regression", REGRESSION],
    ] as const) {
      const { X, y } = synthetic(1500, task);
      const model = await fitGradientBoosting(gbParams({ trees: 20, lambda_l2: 0.3 }), target, X, y);
      const text = JSON.stringify(model.toJSON());
      const loaded = gradientBoostingFromJSON(JSON.parse(text) as ModelFile);
      expect(JSON.stringify(loaded.toJSON())).toBe(text);
      expect(loaded.predictRaw(X)).toEqual(model.predictRaw(X));
      expect(loaded.predict(X)).toEqual(model.predict(X));
      expect(loaded.iterations).toBe(20);
      expect(loaded.importances()).toEqual(model.importances());
      const file = JSON.parse(text) as ModelFile;
      expect(file.kind).toBe("gradient_boosting");
      expect(file.objective).toBe(task);
    }
  });

  it("refuse damaged files, naming the field", async () => {
    const { X, y } = synthetic(500, "binary");
    const model = await fitGradientBoosting(gbParams({ trees: 3 }), BINARY, X, y);
    const good = JSON.stringify(model.toJSON());
    const damaged = (edit: (f: Editable) => void): unknown => {
      const f = JSON.parse(good) as Editable;
      edit(f);
      return f;
    };
    expect(formatError(damaged((f) => (f.objective = "multiclass")))).toContain("objective");
    expect(formatError(damaged((f) => (f.baseScore = [0, 1])))).toContain("baseScore has 2 entries");
    expect(formatError(damaged((f) => (f.baseScore = [null])))).toContain("baseScore[0]");
    expect(formatError(damaged((f) => f.trees.pop()))).toContain("trees has 2 entries");
    expect(formatError(damaged((f) => (f.trees[1] = "tree")))).toContain("trees[1]");
    expect(formatError(damaged((f) => (tree(f, 2).left[0] = 0)))).toMatch(/trees\[2\].*node 0/);
    expect(formatError(damaged((f) => (tree(f, 0).value[1] = null as unknown as number)))).toContain(
      "trees[0].value[1]",
    );
    expect(formatError(damaged((f) => (tree(f, 0).feature[0] = 9)))).toMatch(/trees\[0\].*feature 9/);
    expect(formatError(damaged((f) => (tree(f, 0).missingLeft[0] = 2)))).toContain("trees[0].missingLeft[0]");
    expect(formatError(damaged((f) => (tree(f, 0).valueDim = 2)))).toContain("valueDim");
    expect(formatError(damaged((f) => delete f.importances))).toContain("importances");
    expect(formatError(damaged((f) => (f.importances!.gain = [1])))).toContain(
      "importances.gain has 1 entries",
    );
    expect(formatError(damaged((f) => (f.kind = "random_forest")))).toContain(
      "expected a gradient_boosting model",
    );
    expect(formatError(damaged((f) => (f.params.num_leaves = "many")))).toContain("num_leaves");
  });
});
