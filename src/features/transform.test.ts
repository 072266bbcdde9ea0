import { describe, expect, it } from "vitest";
import { Frame, categoricalFromStrings, numericColumn, textColumn } from "../data/frame.js";
import { isSluiceError, type SluiceError } from "../errors.js";
import { ColumnRule, FeatureSpec } from "../project/schema.js";
import {
  checkRecord,
  featureMatrix,
  fitFeatures,
  matrixColumn,
  matrixRow,
  parseFittedFeatures,
  transform,
  transformRecord,
  type FittedFeatures,
} from "./index.js";

function failure(fn: () => unknown): SluiceError {
  try {
    fn();
  } catch (err) {
    if (isSluiceError(err)) return err;
    throw err;
  }
  throw new Error("expected a SluiceError");
}

const frame = new Frame([
  numericColumn("age", Float64Array.from([20, 35, NaN, 50, 41]), "integer"),
  numericColumn("active", Float64Array.from([1, 0, 1, 1, 0]), "boolean"),
  numericColumn("seen", Float64Array.from([0, 1e12, 2e12, 3e12, 4e12]), "datetime"),
  numericColumn("level", Float64Array.from([1, 2, 1, 3, 2]), "integer"),
  categoricalFromStrings("plan", ["basic", "pro", "basic", null, "team"]),
  numericColumn("y", Float64Array.from([0, 1, 0, 1, 1])),
]);
const fitted: FittedFeatures = fitFeatures(
  FeatureSpec.parse({
    derived: { seen_hour: "hour(seen)" },
    binary: { pro: 'plan == "pro"' },
    numeric: { scale: "none" },
  }),
  frame,
  { target: "y", task: "classification", schema: { level: ColumnRule.parse({ type: "category" }) } },
);
const col = (name: string): number => fitted.outputs.findIndex((o) => o.name === name);

describe("transformRecord", () => {
  it("reads booleans for numeric fields as 1/0", () => {
    expect(transformRecord(fitted, { active: true })[col("active")]).toBe(1);
    expect(transformRecord(fitted, { active: false })[col("active")]).toBe(0);
  });

  it("reads numbers and booleans for categorical fields as their text", () => {
    expect(transformRecord(fitted, { level: 2 })[col("level=2")]).toBe(1);
    expect(transformRecord(fitted, { level: "2" })[col("level=2")]).toBe(1);
    const boolFitted = fitFeatures(
      FeatureSpec.parse({}),
      new Frame([
        categoricalFromStrings("flag", ["true", "false", "true"]),
        numericColumn("y", new Float64Array(3)),
      ]),
      {
        target: "y",
        task: "regression",
      },
    );
    expect(Array.from(transformRecord(boolFitted, { flag: false }))).toEqual([1, 0]);
  });

  it("accepts epoch milliseconds or ISO 8601 text for datetime fields", () => {
    const t = Date.UTC(2024, 4, 1, 17, 30);
    expect(transformRecord(fitted, { seen: t })[col("seen_hour")]).toBe(17);
    expect(transformRecord(fitted, { seen: "2024-05-01T17:30:00Z" })[col("seen_hour")]).toBe(17);
  });

  it("imputes missing, null, empty and non-finite values as in training", () => {
    const complete = transformRecord(fitted, { age: 38, active: 1, seen: 0, level: 1, plan: "basic" });
    const holes = [{}, { age: null }, { age: undefined }, { age: NaN }, { age: Infinity }];
    const medianAge = fitted.numeric.features.find((f) => f.name === "age")!.fill;
    for (const rec of holes) expect(transformRecord(fitted, rec)[col("age")]).toBe(medianAge);
    expect(transformRecord(fitted, { plan: "" })[col("plan=basic")]).toBe(1);
    expect(complete[col("age")]).toBe(38);
  });

  it("never fails on an unseen category or unknown extra fields", () => {
    const out = transformRecord(fitted, {
      plan: "enterprise",
      level: 99,
      extra: { nested: true },
      another: [1, 2],
    });
    expect(["plan=basic", "plan=pro", "plan=team"].map((n) => out[col(n)])).toEqual([0, 0, 0]);
    expect(out[col("pro")]).toBe(0);
  });

  it("names every wrong field, what it expected and what it got", () => {
    const err = failure(() =>
      transformRecord(fitted, { age: "abc", plan: 3, active: "yes", seen: "not a date", level: { a: 1 } }),
    );
    expect(err.code).toBe("E_RECORD");
    expect(err.message).toBe(
      '4 fields have wrong types: field "age": expected a number, got "abc"; field "active": expected a number, got "yes"; field "seen": expected a datetime (epoch milliseconds or ISO 8601 text), got "not a date"; field "level": expected a string, got {"a":1}',
    );
    expect(failure(() => transformRecord(fitted, { age: "abc" })).message).toBe(
      'field "age": expected a number, got "abc"',
    );
    expect(checkRecord(fitted, { age: [1] }).map((i) => i.field)).toEqual(["age"]);
    expect(checkRecord(fitted, { age: 1, plan: "x" })).toEqual([]);
  });

  it("refuses something that is not a record", () => {
    expect(failure(() => transformRecord(fitted, null as unknown as Record<string, unknown>)).code).toBe(
      "E_RECORD",
    );
    expect(failure(() => transformRecord(fitted, [] as unknown as Record<string, unknown>)).code).toBe(
      "E_RECORD",
    );
  });

  it("reads only a record's own fields, so inputs named like Object members are safe", () => {
    const odd = new Frame([
      numericColumn("constructor", Float64Array.from([1, 2, 3])),
      numericColumn("toString", Float64Array.from([3, 1, 2])),
      numericColumn("y", new Float64Array(3)),
    ]);
    const f = fitFeatures(FeatureSpec.parse({ numeric: { scale: "none", impute: "mean" } }), odd, {
      target: "y",
      task: "regression",
    });
    expect(Array.from(transformRecord(f, {}))).toEqual([2, 2]);
    expect(
      Array.from(
        transformRecord(f, JSON.parse('{"constructor": 7, "toString": 9}') as Record<string, unknown>),
      ),
    ).toEqual([7, 9]);
  });

  it("writes into a given output array", () => {
    const out = new Float64Array(fitted.outputs.length + 2).fill(-5);
    const ret = transformRecord(fitted, { age: 30 }, out);
    expect(ret).toBe(out);
    expect(out[fitted.outputs.length]).toBe(-5);
  });
});

describe("transform", () => {
  it("returns one row per frame row and one column per output", () => {
    const m = transform(fitted, frame);
    expect([m.nRows, m.nCols, m.names]).toEqual([
      5,
      fitted.outputs.length,
      fitted.outputs.map((o) => o.name),
    ]);
  });

  it("ignores extra columns and column order", () => {
    const shuffled = new Frame(
      [...frame.columns].reverse().concat([textColumn("comment", ["a", "b", "c", "d", "e"])]),
    );
    expect(transform(fitted, shuffled).data).toEqual(transform(fitted, frame).data);
  });

  it("reads a categorical input given as text or as another dictionary", () => {
    const asText = frame.withColumn(textColumn("plan", ["basic", "pro", "basic", null, "team"]));
    expect(transform(fitted, asText).data).toEqual(transform(fitted, frame).data);
    const other = frame.withColumn(categoricalFromStrings("plan", ["zz", "pro", "basic", null, "team"]));
    const m = transform(fitted, other);
    expect(matrixColumn(m, col("plan=basic"))[0]).toBe(0);
    expect(matrixColumn(m, col("plan=pro"))[1]).toBe(1);
  });

  it("refuses a frame without an input column, or with a text numeric column", () => {
    const missing = failure(() => transform(fitted, frame.drop(["age"])));
    expect(missing.code).toBe("E_COLUMN_NOT_FOUND");
    expect(missing.message).toMatch(/^column "age" is not in the data to transform/);
    const wrong = failure(() =>
      transform(fitted, frame.withColumn(categoricalFromStrings("age", ["1", "2", "3", "4", "5"]))),
    );
    expect(wrong.code).toBe("E_COLUMN_TYPE");
  });
});

describe("parseFittedFeatures", () => {
  const json = (): Record<string, unknown> => JSON.parse(JSON.stringify(fitted)) as Record<string, unknown>;

  it("loads what fitting wrote, frozen, transforming identically", () => {
    const loaded = parseFittedFeatures(json());
    expect(loaded).toEqual(fitted);
    expect(Object.isFrozen(loaded.outputs)).toBe(true);
    expect(transform(loaded, frame).data).toEqual(transform(fitted, frame).data);
  });

  it("names the version found and the one supported", () => {
    const err = failure(() => parseFittedFeatures({ ...json(), formatVersion: 2, sluiceVersion: "9.0.0" }));
    expect(err.code).toBe("E_FORMAT");
    expect(err.message).toMatch(
      /^fitted features have formatVersion 2 \(written by Sluice 9\.0\.0\); Sluice \S+ reads formatVersion 1$/,
    );
    expect(err.hint).toMatch(/upgrade Sluice/);
    expect(failure(() => parseFittedFeatures({ inputs: [] })).message).toMatch(/have no formatVersion/);
    expect(failure(() => parseFittedFeatures("features")).message).toMatch(
      /must be a JSON object, got string/,
    );
  });

  it("names the fields that do not fit the format", () => {
    const bad = json();
    (bad.numeric as { features: { scale: number }[] }).features[0]!.scale = 0;
    expect(failure(() => parseFittedFeatures(bad)).message).toMatch(
      /numeric\.features\[0\]\.scale: expected a non-zero scale/,
    );
  });

  it("refuses outputs that point at nothing, and formulas that no longer compile", () => {
    const dangling = json();
    (dangling.outputs as { feature: string }[])[0]!.feature = "nope";
    expect(failure(() => parseFittedFeatures(dangling)).message).toMatch(
      /refers to the numeric feature "nope"/,
    );
    const tampered = json();
    (tampered.formulas as { source: string }[])[0]!.source = "process.exit(1)";
    const err = failure(() => parseFittedFeatures(tampered));
    expect(err.code).toBe("E_FORMAT");
    expect(err.message).toMatch(
      /a stored formula does not compile: features\.derived\.seen_hour: unexpected "\."/,
    );
  });
});

describe("feature matrix access", () => {
  const m = featureMatrix(3, ["a", "b"], Float64Array.from([1, 2, 3, 10, 20, 30]));

  it("views a column without copying", () => {
    const b = matrixColumn(m, 1);
    expect(Array.from(b)).toEqual([10, 20, 30]);
    b[0] = 11;
    expect(m.data[3]).toBe(11);
  });

  it("gathers a row, into a given array when asked", () => {
    expect(Array.from(matrixRow(m, 2))).toEqual([3, 30]);
    const out = new Float64Array(2);
    expect(matrixRow(m, 0, out)).toBe(out);
  });

  it("refuses out-of-range indices and inconsistent sizes", () => {
    expect(() => matrixColumn(m, 2)).toThrow(/column 2 is out of range/);
    expect(() => matrixRow(m, -1)).toThrow(/row -1 is out of range/);
    expect(() => featureMatrix(2, ["a"], new Float64Array(3))).toThrow(
      /3 values do not make 2 rows × 1 columns/,
    );
  });
});
