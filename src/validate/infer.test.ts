import { describe, expect, it } from "vitest";
import { Frame, categoricalFromStrings, numericColumn, textColumn } from "../data/frame.js";
import { readFrame } from "../data/read.js";
import { Random } from "../data/random.js";
import { ColumnRule } from "../project/schema.js";
import { inferSchema, looksLikeIdName, nullFractionLimit } from "./infer.js";
import { validateFrame } from "./validate.js";
import { HOUSING, TELCO, settings } from "./test-utils/support.js";

const n = 60;
const seq = (f: (i: number) => number): Float64Array => Float64Array.from({ length: n }, (_, i) => f(i));

function sampleFrame(): Frame {
  const rng = new Random(4);
  return new Frame([
    textColumn(
      "customer_id",
      Array.from({ length: n }, (_, i) => `c${i}`),
    ),
    numericColumn(
      "OrderKey",
      seq((i) => 1000 - i),
      "integer",
    ),
    numericColumn(
      "store_id",
      seq((i) => i % 4),
      "integer",
    ),
    numericColumn(
      "row",
      seq((i) => i + 1),
      "float",
    ),
    numericColumn(
      "age",
      seq((i) => 20 + (i % 50)),
      "float",
    ),
    numericColumn(
      "balance",
      seq((i) => (i === 5 ? NaN : i - 10.5)),
    ),
    numericColumn(
      "is_member",
      seq((i) => i % 2),
      "integer",
    ),
    numericColumn(
      "opted_in",
      seq((i) => (i + 1) % 2),
      "boolean",
    ),
    numericColumn(
      "signup",
      seq((i) => Date.UTC(2020, 0, 1 + i)),
      "datetime",
    ),
    categoricalFromStrings(
      "plan",
      Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : ["basic", "pro", "team"][i % 3]!)),
    ),
    categoricalFromStrings(
      "city",
      Array.from({ length: n }, (_, i) => `city${i % 55}`),
    ),
    textColumn(
      "note",
      Array.from({ length: n }, (_, i) => (i < 30 ? `note ${i % 20}` : null)),
    ),
    categoricalFromStrings(
      "churn",
      Array.from({ length: n }, (_, i) => (rng.bernoulli(0.3) || i === 0 ? "yes" : "no")),
    ),
  ]);
}

describe("inferSchema", () => {
  const schema = inferSchema(sampleFrame(), { target: "churn" });

  it("returns one rule per column in the frame's order, each a valid, fully defaulted rule", () => {
    expect(Object.keys(schema)).toEqual(sampleFrame().names);
    for (const [name, rule] of Object.entries(schema)) expect(ColumnRule.parse(rule), name).toEqual(rule);
  });

  it("types columns predictably", () => {
    const types = Object.fromEntries(Object.entries(schema).map(([k, r]) => [k, r.type]));
    expect(types).toEqual({
      customer_id: "string",
      OrderKey: "integer",
      store_id: "integer",
      row: "integer",
      age: "integer",
      balance: "number",
      is_member: "integer",
      opted_in: "boolean",
      signup: "datetime",
      plan: "category",
      city: "category",
      note: "string",
      churn: "category",
    });
  });

  it("marks unique columns with id-like names, unique text and row numbers as ids, not repeated *_id columns", () => {
    const ids = Object.entries(schema)
      .filter(([, r]) => r.role === "id")
      .map(([k]) => k);
    expect(ids).toEqual(["customer_id", "OrderKey", "row"]);
    for (const id of ids) expect(schema[id]!.unique).toBe(true);
    expect(schema.store_id).toMatchObject({ role: "feature", unique: false });
    expect(schema.churn!.role).toBe("target");
  });

  it("sets nullable, values, max_null_fraction and min: 0 from what is plainly true", () => {
    expect(schema.age).toMatchObject({ nullable: false, min: 0 });
    expect(schema.age!.max).toBeUndefined();
    expect(schema.balance).toMatchObject({ nullable: true, max_null_fraction: 0.05 });
    expect(schema.balance!.min).toBeUndefined();
    expect(schema.plan).toMatchObject({
      nullable: true,
      values: ["basic", "pro", "team"],
      max_null_fraction: 0.3,
    });
    expect(schema.city!.values).toBeUndefined();
    expect(schema.churn).toMatchObject({ nullable: false, values: ["no", "yes"] });
    expect(schema.note!.max_null_fraction).toBeUndefined();
    expect(schema.opted_in!.min).toBeUndefined();
    expect(schema.customer_id!.min).toBeUndefined();
  });

  it("passes validation on the data it came from", () => {
    const frame = sampleFrame();
    const r = validateFrame(frame, { schema, validation: settings(), target: "churn" });
    expect(r.failures).toEqual([]);
  });

  it("allows the unparsable share of a numeric column through mostly, while the type check still lists it", () => {
    const values = seq((i) => i);
    values[3] = NaN;
    const frame = new Frame([numericColumn("x", values, "integer", new Map([[3, "n/a?"]]))]);
    const s = inferSchema(frame);
    expect(s.x).toMatchObject({ type: "integer", nullable: false, mostly: 0.98 });
    const r = validateFrame(frame, { schema: s, validation: settings() });
    const type = r.checks.find((c) => c.check === "type")!;
    expect([r.passed, type.passed, type.failingRows]).toEqual([true, true, 1]);
  });

  it("steps null-fraction limits up from twice the observed share", () => {
    expect([0.001, 0.006, 0.012, 0.03, 0.2, 0.35, 0.4].map(nullFractionLimit)).toEqual([
      0.01,
      0.02,
      0.05,
      0.1,
      0.5,
      0.75,
      undefined,
    ]);
  });

  it("recognises identifier names in snake_case and camelCase only as a last word", () => {
    expect(
      ["id", "customer_id", "customerID", "orderId", "user-uuid", "PrimaryKey", "ID"].every(looksLikeIdName),
    ).toBe(true);
    expect(["idea", "valid", "paid", "keyboard", "monkey", "grid"].some(looksLikeIdName)).toBe(false);
  });
});

describe("inferSchema on the shared datasets", () => {
  it.skipIf(!TELCO.exists)(
    "drafts a Telco schema that the same file, read with it, passes (needs ../shared/data)",
    async () => {
      const schema = inferSchema(await readFrame(TELCO.path), { target: "Churn" });
      expect(schema.customerID).toMatchObject({ type: "string", role: "id", unique: true, nullable: false });
      expect(schema.TotalCharges).toMatchObject({
        type: "number",
        nullable: true,
        max_null_fraction: 0.01,
        min: 0,
      });
      expect(schema.Churn).toMatchObject({ type: "category", role: "target", values: ["No", "Yes"] });
      const frame = await readFrame(TELCO.path, { schema });
      const r = validateFrame(frame, { schema, validation: settings(), target: "Churn" });
      expect(r.failures).toEqual([]);
    },
  );

  it.skipIf(!HOUSING.exists)(
    "drafts a housing schema that the same file, read with it, passes (needs ../shared/data)",
    async () => {
      const schema = inferSchema(await readFrame(HOUSING.path), { target: "median_house_value" });
      expect(schema.total_bedrooms).toMatchObject({
        type: "integer",
        nullable: true,
        max_null_fraction: 0.05,
      });
      expect(schema.longitude!.min).toBeUndefined();
      expect(schema.ocean_proximity!.values).toEqual([
        "<1H OCEAN",
        "INLAND",
        "ISLAND",
        "NEAR BAY",
        "NEAR OCEAN",
      ]);
      const frame = await readFrame(HOUSING.path, { schema });
      const r = validateFrame(frame, {
        schema,
        validation: settings(),
        target: "median_house_value",
        task: "regression",
      });
      expect(r.failures).toEqual([]);
    },
  );
});
