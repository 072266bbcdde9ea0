import { describe, expect, it } from "vitest";
import { gradeSeverity, severityRank, type SeverityInput } from "./severity.js";

const base: SeverityInput = {
  tested: 10,
  drifted: 0,
  driftedImportance: 0,
  predictionDrifted: false,
  driftShare: 0.5,
  severeImportance: 0.3,
  criticalImportance: 0.6,
};

describe("gradeSeverity", () => {
  it("is none without any drift", () => {
    expect(gradeSeverity(base)).toMatchObject({ level: "none", datasetDrift: false });
  });

  it("is moderate for a few drifted features the model barely uses", () => {
    expect(gradeSeverity({ ...base, drifted: 2, driftedImportance: 0.05 })).toMatchObject({
      level: "moderate",
      datasetDrift: false,
    });
  });

  it("is severe at dataset drift, at the severe importance share, or when the prediction drifted", () => {
    expect(gradeSeverity({ ...base, drifted: 5, driftedImportance: 0.1 })).toMatchObject({
      level: "severe",
      datasetDrift: true,
    });
    expect(gradeSeverity({ ...base, drifted: 1, driftedImportance: 0.3 }).level).toBe("severe");
    expect(gradeSeverity({ ...base, drifted: 1, driftedImportance: 0.29 }).level).toBe("moderate");
    expect(gradeSeverity({ ...base, predictionDrifted: true }).level).toBe("severe");
  });

  it("is critical when drifted features carry most of the importance, or dataset and prediction drift together", () => {
    expect(gradeSeverity({ ...base, drifted: 2, driftedImportance: 0.6 }).level).toBe("critical");
    expect(
      gradeSeverity({ ...base, drifted: 5, driftedImportance: 0.1, predictionDrifted: true }).level,
    ).toBe("critical");
  });

  it("says why, with the counts, the shares and the prediction", () => {
    expect(
      gradeSeverity({ ...base, drifted: 2, driftedImportance: 0.45, predictionDrifted: true }).reason,
    ).toBe(
      "2 of 10 features drifted (20%; dataset drift at 50%), carrying 45% of the model's importance; the prediction drifted",
    );
  });

  it("never calls drift with nothing tested", () => {
    expect(gradeSeverity({ ...base, tested: 0, driftShare: 0 })).toMatchObject({
      level: "none",
      datasetDrift: false,
    });
  });
});

describe("severityRank", () => {
  it("orders the levels", () => {
    expect(["critical", "none", "severe", "moderate"].map((s) => severityRank(s as "none"))).toEqual([
      3, 0, 2, 1,
    ]);
  });
});
