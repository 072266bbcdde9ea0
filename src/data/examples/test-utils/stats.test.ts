import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { naiveRocAuc, pearson, rocAuc } from "./stats.js";

interface Case {
  name: string;
  score: number[];
  label: number[];
  roc_auc: number;
  x: number[];
  z: number[];
  pearson: number;
}
const reference = JSON.parse(
  readFileSync(new URL("../fixtures/stats-reference.json", import.meta.url), "utf8"),
) as {
  cases: Case[];
};

describe("statistics used by the example-data tests", () => {
  for (const c of reference.cases) {
    it(`ROC AUC matches scikit-learn and the pairwise count on ${c.name} scores`, () => {
      expect(rocAuc(c.score, c.label)).toBeCloseTo(c.roc_auc, 12);
      expect(naiveRocAuc(c.score, c.label)).toBeCloseTo(c.roc_auc, 12);
    });
    it(`Pearson correlation matches SciPy on ${c.name} values`, () => {
      expect(pearson(c.x, c.z)).toBeCloseTo(c.pearson, 12);
    });
  }

  it("counts a tie between a positive and a negative as half a win", () => {
    expect(rocAuc([1, 1], [1, 0])).toBe(0.5);
    expect(rocAuc([0, 1, 1, 2], [0, 1, 0, 1])).toBe(0.875);
  });

  it("skips rows whose score is missing", () => {
    expect(rocAuc([NaN, 0, 1], [0, 0, 1])).toBe(1);
  });
});
