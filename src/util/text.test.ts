import { describe, expect, it } from "vitest";
import { closest, describeValue, didYouMean, editDistance, listing } from "./text.js";

describe("editDistance", () => {
  it("counts insertions, deletions, substitutions and adjacent swaps as one edit each", () => {
    expect(editDistance("churn", "churn")).toBe(0);
    expect(editDistance("chrun", "churn")).toBe(1);
    expect(editDistance("tenur", "tenure")).toBe(1);
    expect(editDistance("gendre", "gender")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
  });

  it("is symmetric", () => {
    const words = ["roc_auc", "roc_acu", "rmse", "rmsee", "", "a", "ab", "ba"];
    for (const a of words) for (const b of words) expect(editDistance(a, b)).toBe(editDistance(b, a));
  });
});

describe("didYouMean", () => {
  it("suggests a close candidate and stays silent for far ones", () => {
    expect(didYouMean("roc_acu", ["roc_auc", "accuracy"])).toBe(' (did you mean "roc_auc"?)');
    expect(closest("Target", ["target", "feature"])).toBe("target");
    expect(didYouMean("zzz", ["roc_auc", "accuracy"])).toBe("");
  });
});

describe("describeValue", () => {
  it("renders values for messages, shortening long ones", () => {
    expect(describeValue("many")).toBe('"many"');
    expect(describeValue(undefined)).toBe("nothing");
    expect(describeValue([30, 18])).toBe("[30,18]");
    expect(describeValue("x".repeat(100))).toHaveLength(60);
  });

  it("joins lists for prose", () => {
    expect(listing(["a", "b", "c"])).toBe("a, b and c");
  });
});
