import { describe, expect, it } from "vitest";
import type { StoredPrediction } from "../track/types.js";
import { referenceData, windowData, type WindowShape } from "./data.js";
import type { MonitorReference } from "./reference.js";

function logged(
  i: number,
  input: Record<string, unknown>,
  output: Record<string, unknown>,
): StoredPrediction {
  return {
    id: i,
    requestId: `r${i}`,
    at: i,
    model: "m",
    version: 1,
    input,
    output,
    latencyMs: 1,
    feedback: null,
    feedbackAt: null,
  };
}

const shape: WindowShape = {
  columns: [
    { name: "age", kind: "numeric" },
    { name: "region", kind: "categorical" },
    { name: "plan", kind: "categorical" },
    { name: "signup", kind: "numeric" },
  ],
  prediction: { kind: "numeric", field: "probability" },
};

describe("windowData", () => {
  it("reads logged records as the features read a request", () => {
    const rows = [
      logged(1, { age: 30, region: "north", plan: 2, signup: "2024-01-02T00:00:00Z" }, { probability: 0.25 }),
      logged(2, { age: null, region: "", plan: true, signup: 1700000000000 }, { probability: 0.5 }),
      logged(3, { age: "old", region: { x: 1 }, signup: "yesterday" }, {}),
    ];
    const d = windowData(shape, rows, "log");
    expect(d.rows).toBe(3);
    const [age, region, plan, signup] = d.columns;
    expect(Array.from(age!.values as Float64Array)).toEqual([30, NaN, NaN]);
    expect(region!.values).toEqual(["north", null, null]);
    expect(plan!.values).toEqual(["2", "true", null]);
    expect(Array.from(signup!.values as Float64Array)).toEqual([Date.UTC(2024, 0, 2), 1700000000000, NaN]);
    expect(d.invalid).toEqual({ age: 1, region: 1, signup: 1 });
    expect(d.absent).toEqual([]);
    expect(Array.from(d.prediction!.values as Float64Array)).toEqual([0.25, 0.5, NaN]);
  });

  it("lists inputs no logged record carries at all", () => {
    const d = windowData(shape, [logged(1, { age: 1 }, {}), logged(2, { age: 2, plan: null }, {})], "log");
    expect(d.absent).toEqual(["region", "signup"]);
  });

  it("reads a categorical prediction from its field", () => {
    const d = windowData(
      { columns: [], prediction: { kind: "categorical", field: "prediction" } },
      [logged(1, {}, { prediction: "b" }), logged(2, {}, { prediction: 3 })],
      "log",
    );
    expect(d.prediction!.values).toEqual(["b", "3"]);
  });
});

describe("referenceData", () => {
  it("turns the stored nulls into missing values", () => {
    const ref: MonitorReference = {
      format: "sluice-monitor-reference",
      formatVersion: 1,
      sluiceVersion: "0",
      trainingRows: 2,
      rows: 2,
      seed: 1,
      task: "classification",
      columns: [
        { name: "age", kind: "numeric", values: [1, null] },
        { name: "region", kind: "categorical", values: [null, "x"] },
      ],
      prediction: { kind: "numeric", field: "probability", values: [0.1, null] },
      importance: { age: 1, region: 0 },
    };
    const d = referenceData(ref);
    expect(Array.from(d.columns[0]!.values as Float64Array)).toEqual([1, NaN]);
    expect(d.columns[1]!.values).toEqual([null, "x"]);
    expect(Array.from(d.prediction!.values as Float64Array)).toEqual([0.1, NaN]);
  });
});
