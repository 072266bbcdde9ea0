import { describe, expect, it } from "vitest";
import { Frame, categoricalFromStrings, numericColumn, textColumn } from "../data/frame.js";
import { isSluiceError, type SluiceError } from "../errors.js";
import { ColumnRule, FeatureSpec, type DatasetSchema } from "../project/schema.js";
import {
  fitFeatures,
  matrixColumn,
  transform,
  transformRecord,
  type FitContext,
  type FittedFeatures,
} from "./index.js";
import { CHURN_SCHEMA, CHURN_SPEC, churnLikeFrame } from "./test-utils/frames.js";

const spec = (input: unknown = {}): FeatureSpec => FeatureSpec.parse(input);
const ctx = (extra: Partial<FitContext> = {}): FitContext => ({ target: "y", task: "regression", ...extra });

function failure(fn: () => unknown): SluiceError {
  try {
    fn();
  } catch (err) {
    if (isSluiceError(err)) return err;
    throw err;
  }
  throw new Error("expected a SluiceError");
}

/** A small frame: numbers x (with a missing value), z, category g, target y. */
function small(): Frame {
  return new Frame([
    numericColumn("x", Float64Array.from([1, 2, NaN, 4, 5, 6])),
    numericColumn("z", Float64Array.from([10, 20, 30, 40, 50, 60])),
    categoricalFromStrings("g", ["a", "b", "a", null, "c", "a"]),
    numericColumn("y", Float64Array.from([0, 1, 0, 1, 0, 1])),
  ]);
}

const outputNames = (f: FittedFeatures): string[] => f.outputs.map((o) => o.name);

describe("choosing feature columns", () => {
  const frame = new Frame([
    textColumn("id", ["r1", "r2", "r3", "r4"]),
    numericColumn("age", Float64Array.from([20, 30, 40, 50]), "integer"),
    numericColumn("senior", Float64Array.from([0, 1, 0, 1]), "integer"),
    numericColumn("signup", Float64Array.from([0, 86_400_000, 2 * 86_400_000, 3 * 86_400_000]), "datetime"),
    numericColumn("weight", Float64Array.from([1, 2, 1, 2])),
    numericColumn("noise", Float64Array.from([5, 1, 3, 2])),
    categoricalFromStrings("notes", ["a", "b", "a", "b"]),
    numericColumn("y", Float64Array.from([1, 0, 1, 0])),
  ]);
  const schema: DatasetSchema = {
    id: ColumnRule.parse({ type: "string", role: "id" }),
    senior: ColumnRule.parse({ type: "category" }),
    notes: ColumnRule.parse({ type: "category", role: "ignore" }),
  };

  it("leaves out the target, id/ignore roles, text, datetime, excluded and dropped columns", () => {
    const f = fitFeatures(spec({ drop: ["noise"] }), frame, ctx({ schema, exclude: ["weight"] }));
    expect(f.inputs.map((i) => i.name)).toEqual(["age", "senior"]);
    expect(outputNames(f)).toEqual(["age", "senior=0", "senior=1"]);
  });

  it("treats a numeric column typed category in the schema as categories of String(n)", () => {
    const f = fitFeatures(spec(), frame, ctx({ schema }));
    expect(f.inputs.find((i) => i.name === "senior")).toMatchObject({
      kind: "categorical",
      dtype: "integer",
      categories: ["0", "1"],
    });
    expect(Array.from(transformRecord(f, { age: 20, senior: 1, noise: 1, weight: 1, signup: 0 }))).toContain(
      1,
    );
  });

  it("lets formulas read dropped and datetime columns, and records them as inputs", () => {
    const f = fitFeatures(
      spec({ drop: ["noise"], derived: { day_noise: "day(signup) + noise" } }),
      frame,
      ctx({ schema, exclude: ["weight"] }),
    );
    expect(f.inputs.map((i) => [i.name, i.usedBy])).toEqual([
      ["age", ["numeric"]],
      ["senior", ["categorical"]],
      ["signup", ["derived.day_noise"]],
      ["noise", ["derived.day_noise"]],
    ]);
    expect(f.inputs.find((i) => i.name === "signup")).toMatchObject({ kind: "numeric", dtype: "datetime" });
  });

  it("does not let formulas read the target or id columns", () => {
    expect(
      failure(() => fitFeatures(spec({ derived: { leak: "y * 2" } }), frame, ctx({ schema }))).message,
    ).toMatch(/^features\.derived\.leak: unknown column "y"/);
    expect(
      failure(() =>
        fitFeatures(spec({ binary: { w: "weight > 1" } }), frame, ctx({ schema, exclude: ["weight"] })),
      ).message,
    ).toMatch(/unknown column "weight"/);
  });

  it("uses numeric.columns and categorical.columns as complete lists", () => {
    const f = fitFeatures(
      spec({ numeric: { columns: ["noise"] }, categorical: { columns: ["senior"] } }),
      frame,
      ctx(),
    );
    expect(outputNames(f)).toEqual(["noise", "senior=0", "senior=1"]);
  });

  it("applies numeric.exclude and categorical.exclude", () => {
    const f = fitFeatures(
      spec({ numeric: { exclude: ["noise", "weight"] }, categorical: { exclude: ["senior"] } }),
      frame,
      ctx({ schema }),
    );
    expect(outputNames(f)).toEqual(["age"]);
  });

  it("names a missing column with its key path and a did-you-mean", () => {
    const cases: [unknown, string][] = [
      [{ drop: ["nose"] }, 'features.drop: column "nose" is not in the data (did you mean "noise"?)'],
      [
        { numeric: { columns: ["agee"] } },
        'features.numeric.columns: column "agee" is not in the data (did you mean "age"?)',
      ],
      [
        { categorical: { exclude: ["senor"] } },
        'features.categorical.exclude: column "senor" is not in the data (did you mean "senior"?)',
      ],
      [
        { binned: { age_group: { column: "ag", edges: [0, 50] } } },
        'features.binned.age_group.column: column "ag" is not in the data (did you mean "age"?)',
      ],
    ];
    for (const [input, message] of cases) {
      const err = failure(() => fitFeatures(spec(input), frame, ctx({ schema })));
      expect(err.code).toBe("E_COLUMN_NOT_FOUND");
      expect(err.message).toBe(message);
      expect(err.hint).toMatch(/^the columns are: .*\bage\b/);
    }
  });

  it("refuses a text-category column listed as numeric, and contradictory lists", () => {
    expect(failure(() => fitFeatures(spec({ numeric: { columns: ["notes"] } }), frame, ctx())).code).toBe(
      "E_COLUMN_TYPE",
    );
    expect(
      failure(() =>
        fitFeatures(spec({ numeric: { columns: ["age"] }, categorical: { columns: ["age"] } }), frame, ctx()),
      ).message,
    ).toMatch(/both numeric.columns and categorical.columns/);
    expect(
      failure(() => fitFeatures(spec({ numeric: { columns: ["id"] } }), frame, ctx({ schema }))).message,
    ).toBe('features.numeric.columns: column "id" cannot be a feature: its schema role is id');
    expect(
      failure(() => fitFeatures(spec({ numeric: { columns: ["age"] }, drop: ["age"] }), frame, ctx()))
        .message,
    ).toMatch(/listed in features.drop/);
  });

  it("refuses binning a categorical column", () => {
    expect(
      failure(() => fitFeatures(spec({ binned: { b: { column: "notes", bins: 2 } } }), frame, ctx())).code,
    ).toBe("E_COLUMN_TYPE");
  });
});

describe("feature names", () => {
  it("refuses a new feature named like a data column, or two features with one name", () => {
    expect(failure(() => fitFeatures(spec({ derived: { x: "z + 1" } }), small(), ctx())).message).toBe(
      'features.derived.x: "x" is already a column of the data',
    );
    expect(
      failure(() => fitFeatures(spec({ derived: { d: "z + 1" }, binary: { d: "z > 1" } }), small(), ctx()))
        .message,
    ).toBe('features.binary.d: the name "d" is also used by features.derived.d');
  });

  it("refuses two outputs with one name", () => {
    const frame = new Frame([
      ...small().columns,
      numericColumn("g=a", Float64Array.from([1, 2, 3, 4, 5, 7])),
    ]);
    expect(failure(() => fitFeatures(spec(), frame, ctx())).message).toMatch(
      /two output columns are both called "g=a"/,
    );
  });
});

describe("numeric features", () => {
  it("imputes, scales, and adds indicators only for columns that had missing values", () => {
    const f = fitFeatures(
      spec({ numeric: { impute: "mean", scale: "none", missing_indicator: true } }),
      small(),
      ctx(),
    );
    expect(outputNames(f)).toEqual(["x", "z", "x_missing", "g=a", "g=b", "g=c"]);
    const m = transform(f, small());
    expect(Array.from(matrixColumn(m, 0))).toEqual([1, 2, 3.6, 4, 5, 6]);
    expect(Array.from(matrixColumn(m, 2))).toEqual([0, 0, 1, 0, 0, 0]);
  });

  it("treats ±Infinity as missing, in fitting and in transforming", () => {
    const frame = new Frame([
      numericColumn("x", Float64Array.from([1, Infinity, 3, -Infinity, 5])),
      numericColumn("y", new Float64Array(5)),
    ]);
    const f = fitFeatures(spec({ numeric: { impute: "mean", scale: "standard" } }), frame, ctx());
    expect(f.numeric.features[0]).toMatchObject({ missing: 2, fill: 3, center: 3 });
    expect(transformRecord(f, { x: Infinity })[0]).toBe(0);
  });

  it("keeps a constant column's scale at 1 and drops its constant output", () => {
    const frame = new Frame([
      numericColumn("k", Float64Array.from([0.1, 0.1, 0.1])),
      numericColumn("x", Float64Array.from([1, 2, 3])),
      numericColumn("y", new Float64Array(3)),
    ]);
    const f = fitFeatures(spec(), frame, ctx());
    expect(f.numeric.features[0]).toMatchObject({ name: "k", scale: 1 });
    expect(outputNames(f)).toEqual(["x"]);
    expect(f.nearConstant.dropped).toEqual([
      { output: { name: "k", kind: "numeric", feature: "k" }, topShare: 1 },
    ]);
  });
});

describe("derived and binary features", () => {
  it("imputes and scales derived values like numeric columns", () => {
    const f = fitFeatures(
      spec({
        derived: { gap: "z - x" },
        numeric: { impute: "median", scale: "none" },
        categorical: { columns: [] },
      }),
      small(),
      ctx(),
    );
    expect(outputNames(f)).toEqual(["x", "z", "gap"]);
    // gap: 9, 18, missing, 36, 45, 54 → the median 36 fills the missing row.
    expect(Array.from(matrixColumn(transform(f, small()), 2))).toEqual([9, 18, 36, 36, 45, 54]);
    expect(f.formulas[0]).toMatchObject({ name: "gap", missing: 1, columns: ["z", "x"] });
    expect(f.numeric.features[2]).toMatchObject({ name: "gap", from: "derived", fill: 36 });
  });

  it("lets a formula use earlier derived features, and binary ones use derived ones", () => {
    const f = fitFeatures(
      spec({ derived: { a: "z / 10", b: "a * 2" }, binary: { big: "b > 5" }, numeric: { scale: "none" } }),
      small(),
      ctx(),
    );
    const m = transform(f, small());
    expect(Array.from(matrixColumn(m, m.names.indexOf("b")))).toEqual([2, 4, 6, 8, 10, 12]);
    expect(Array.from(matrixColumn(m, m.names.indexOf("big")))).toEqual([0, 0, 1, 1, 1, 1]);
  });

  it("reports a derived formula that reads a binary feature as an unknown column", () => {
    expect(
      failure(() =>
        fitFeatures(spec({ derived: { d: "flag + 1" }, binary: { flag: "z > 1" } }), small(), ctx()),
      ).message,
    ).toMatch(/unknown column "flag"/);
  });

  it("gives binary features 0/1, imputes a missing condition with the mode, and never scales them", () => {
    const f = fitFeatures(
      spec({ binary: { small_x: "x < 3", is_a: 'g == "a"' }, numeric: { scale: "standard" } }),
      small(),
      ctx(),
    );
    const m = transform(f, small());
    // x < 3 is 1, 1, missing, 0, 0, 0: mode 0 fills the missing row.
    expect(Array.from(matrixColumn(m, m.names.indexOf("small_x")))).toEqual([1, 1, 0, 0, 0, 0]);
    // g is missing in row 3, so is the condition; elsewhere it is 1 in three rows of five: mode 1.
    expect(Array.from(matrixColumn(m, m.names.indexOf("is_a")))).toEqual([1, 0, 1, 1, 0, 1]);
    expect(f.binary).toEqual([
      { name: "small_x", fill: 0, missing: 1 },
      { name: "is_a", fill: 1, missing: 1 },
    ]);
  });

  it("reports formula errors with the feature's key path", () => {
    const err = failure(() => fitFeatures(spec({ derived: { ratio: "z / (xx + 1)" } }), small(), ctx()));
    expect(err.code).toBe("E_FORMULA");
    expect(err.message.split("\n")[0]).toBe(
      'features.derived.ratio: unknown column "xx" (did you mean "x"?)',
    );
  });
});

describe("binned features", () => {
  const ages = new Frame([
    numericColumn("age", Float64Array.from([10, 18, 29, 30, 44, 45, 60, 119, 120, 500, NaN, 33])),
    numericColumn("y", new Float64Array(12)),
  ]);

  it("puts values into fixed bins, out-of-range into the end bins, missing into the mode bin", () => {
    const f = fitFeatures(
      spec({
        binned: { age_group: { column: "age", edges: [18, 30, 45, 60, 120] } },
        numeric: { columns: [] },
      }),
      ages,
      ctx(),
    );
    expect(outputNames(f)).toEqual(["age_group"]);
    // Bins: [18,30) [30,45) [45,60) [60,120]. Non-missing counts 3, 3, 1, 4 → mode bin 3.
    expect(Array.from(matrixColumn(transform(f, ages), 0))).toEqual([0, 0, 0, 1, 1, 2, 3, 3, 3, 3, 3, 1]);
    expect(f.binned[0]).toMatchObject({
      labels: ["[18,30)", "[30,45)", "[45,60)", "[60,120]"],
      fill: 3,
      missing: 1,
      counts: [3, 3, 1, 5],
    });
  });

  it("one-hot encodes bins with readable names and does not scale them", () => {
    const f = fitFeatures(
      spec({
        binned: { age_group: { column: "age", edges: [18, 30, 45, 60, 120], encode: "onehot" } },
        numeric: { columns: [] },
      }),
      ages,
      ctx(),
    );
    expect(outputNames(f)).toEqual([
      "age_group=[18,30)",
      "age_group=[30,45)",
      "age_group=[45,60)",
      "age_group=[60,120]",
    ]);
    expect(Array.from(transformRecord(f, { age: 50 }))).toEqual([0, 0, 1, 0]);
    expect(Array.from(transformRecord(f, { age: null }))).toEqual([0, 0, 0, 1]);
  });

  it("learns quantile edges and removes repeated ones", () => {
    const frame = new Frame([
      numericColumn("v", Float64Array.from([1, 1, 1, 1, 1, 1, 2, 3])),
      numericColumn("y", new Float64Array(8)),
    ]);
    const f = fitFeatures(
      spec({ binned: { vb: { column: "v", bins: 4 } }, numeric: { columns: [] } }),
      frame,
      ctx(),
    );
    // Quantiles 1, 1, 1, 1.25, 3 → edges 1, 1.25, 3.
    expect(f.binned[0]!.edges).toEqual([1, 1.25, 3]);
    expect(f.binned[0]!.labels).toEqual(["[1,1.25)", "[1.25,3]"]);
  });

  it("bins a derived feature", () => {
    const f = fitFeatures(
      spec({
        derived: { double: "age * 2" },
        binned: { db: { column: "double", edges: [0, 100, 1000] } },
        numeric: { columns: [] },
      }),
      ages,
      ctx(),
    );
    expect(transformRecord(f, { age: 60 })[f.outputs.findIndex((o) => o.name === "db")]).toBe(1);
  });
});

describe("categorical features", () => {
  // Counts: a 4, b 3, c 3, d 1, e 1; one missing.
  const values = ["a", "b", "c", "a", "d", "b", "c", "a", "e", "b", "c", "a", null];
  const frame = new Frame([
    categoricalFromStrings("g", values),
    numericColumn("y", new Float64Array(values.length)),
  ]);

  it("keeps the most frequent categories, ties in code-point order, the rest in other", () => {
    const f = fitFeatures(spec({ categorical: { max_categories: 2 } }), frame, ctx());
    // Missing → most frequent (a): a 5, b 3, c 3 → keep a, b.
    expect(f.categorical.features[0]).toMatchObject({
      fill: "a",
      missing: 1,
      kept: [
        { value: "a", count: 5 },
        { value: "b", count: 3 },
      ],
      other: { categories: 3, count: 5 },
    });
    expect(outputNames(f)).toEqual(["g=a", "g=b", "g=__other__"]);
  });

  it("moves categories rarer than min_frequency (a count or a share) to other", () => {
    expect(outputNames(fitFeatures(spec({ categorical: { min_frequency: 2 } }), frame, ctx()))).toEqual([
      "g=a",
      "g=b",
      "g=c",
      "g=__other__",
    ]);
    expect(outputNames(fitFeatures(spec({ categorical: { min_frequency: 0.3 } }), frame, ctx()))).toEqual([
      "g=a",
      "g=__other__",
    ]);
  });

  it("encodes an unseen category as other when there is a bucket, else as all zeros", () => {
    const withOther = fitFeatures(spec({ categorical: { max_categories: 2 } }), frame, ctx());
    expect(Array.from(transformRecord(withOther, { g: "zebra" }))).toEqual([0, 0, 1]);
    expect(Array.from(transformRecord(withOther, { g: "d" }))).toEqual([0, 0, 1]);
    const all = fitFeatures(spec(), frame, ctx());
    expect(all.categorical.features[0]!.other).toBeNull();
    expect(Array.from(transformRecord(all, { g: "zebra" }))).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(transformRecord(all, { g: null }))).toEqual([1, 0, 0, 0, 0]);
    expect(Array.from(transformRecord(all, {}))).toEqual([1, 0, 0, 0, 0]);
  });

  it("imputes a constant category, which becomes a category of its own", () => {
    const f = fitFeatures(spec({ categorical: { impute: "constant", fill_value: "unknown" } }), frame, ctx());
    expect(outputNames(f)).toEqual(["g=a", "g=b", "g=c", "g=d", "g=e", "g=unknown"]);
    expect(Array.from(transformRecord(f, { g: "" }))).toEqual([0, 0, 0, 0, 0, 1]);
  });

  it("codes ordinals by frequency rank, unseen and rare ones as the number kept", () => {
    const f = fitFeatures(spec({ categorical: { encode: "ordinal", max_categories: 3 } }), frame, ctx());
    expect(outputNames(f)).toEqual(["g"]);
    const code = (g: string | null): number => transformRecord(f, { g })[0]!;
    expect([code("a"), code("b"), code("c"), code("d"), code("zebra"), code(null)]).toEqual([
      0, 1, 2, 3, 3, 0,
    ]);
  });

  it("learns categories from the training rows only, not from a shared dictionary", () => {
    const f = fitFeatures(spec(), frame.take([0, 1, 3]), ctx());
    expect(f.inputs[0]).toMatchObject({ categories: ["a", "b"] });
  });
});

describe("near-constant outputs and selection", () => {
  it("drops outputs whose top value covers the threshold share of rows", () => {
    const n = 100;
    const rare = Float64Array.from({ length: n }, (_, i) => (i < 3 ? 1 : 0));
    const even = Float64Array.from({ length: n }, (_, i) => i % 2);
    const frame = new Frame([
      numericColumn("rare", rare),
      numericColumn("even", even),
      numericColumn("y", new Float64Array(n)),
    ]);
    expect(outputNames(fitFeatures(spec(), frame, ctx()))).toEqual(["rare", "even"]);
    const f = fitFeatures(spec({ drop_near_constant: 0.95 }), frame, ctx());
    expect(outputNames(f)).toEqual(["even"]);
    expect(f.nearConstant.dropped).toEqual([
      { output: { name: "rare", kind: "numeric", feature: "rare" }, topShare: 0.97 },
    ]);
  });

  it("refuses to end with no output at all", () => {
    const frame = new Frame([
      numericColumn("k", Float64Array.from([1, 1, 1])),
      numericColumn("y", new Float64Array(3)),
    ]);
    expect(failure(() => fitFeatures(spec(), frame, ctx())).message).toMatch(
      /every one of the 1 output columns is constant/,
    );
  });

  it("keeps the top outputs by F statistic, in matrix order", () => {
    const frame = churnLikeFrame(2000, 3);
    const y = (frame.column("churn") as { values: Float64Array }).values;
    const f = fitFeatures({ ...CHURN_SPEC, select: { top: 4, method: "f_test" } }, frame, {
      target: "churn",
      task: "classification",
      schema: CHURN_SCHEMA,
      y,
    });
    const scored = f.selection!.scores;
    const best = [...scored]
      .sort((a, b) => (b.f ?? Infinity) - (a.f ?? Infinity))
      .slice(0, 4)
      .map((s) => s.name);
    expect(new Set(outputNames(f))).toEqual(new Set(best));
    const order = scored.map((s) => s.name);
    expect(outputNames(f)).toEqual(order.filter((name) => best.includes(name)));
    expect(outputNames(f)).toContain("contract=Month-to-month");
  });

  it("needs the target values to select", () => {
    const err = failure(() => fitFeatures(spec({ select: { top: 1 } }), small(), ctx()));
    expect(err.code).toBe("E_TARGET");
  });

  it("scores regression targets with the F of the correlation", () => {
    const n = 200;
    const x1 = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
    const x2 = Float64Array.from({ length: n }, (_, i) => Math.cos(i * 1.7));
    const y = Float64Array.from({ length: n }, (_, i) => 3 * x2[i]! + 0.1 * Math.sin(i * 13));
    const frame = new Frame([numericColumn("x1", x1), numericColumn("x2", x2), numericColumn("y", y)]);
    const f = fitFeatures(spec({ select: { top: 1 } }), frame, ctx({ y }));
    expect(outputNames(f)).toEqual(["x2"]);
  });
});

describe("fitted state", () => {
  it("is plain JSON with finite numbers, and frozen", () => {
    const frame = churnLikeFrame(500, 8);
    const f = fitFeatures(CHURN_SPEC, frame, {
      target: "churn",
      task: "classification",
      schema: CHURN_SCHEMA,
    });
    expect(JSON.parse(JSON.stringify(f))).toEqual(f);
    const walk = (v: unknown): void => {
      if (typeof v === "number") expect(Number.isFinite(v)).toBe(true);
      else if (v !== null && typeof v === "object") Object.values(v).forEach(walk);
    };
    walk(f);
    expect(Object.isFrozen(f)).toBe(true);
    expect(Object.isFrozen(f.inputs[0])).toBe(true);
    expect(f.formatVersion).toBe(1);
    expect(f.trainingRows).toBe(500);
  });

  it("does not change the spec it was given", () => {
    const s = spec({ derived: { d: "z * 2" }, binned: { b: { column: "z", bins: 3 } } });
    const before = JSON.stringify(s);
    fitFeatures(s, small(), ctx());
    expect(JSON.stringify(s)).toBe(before);
  });

  it("refuses an empty frame", () => {
    expect(failure(() => fitFeatures(spec(), small().slice(0, 0), ctx())).message).toMatch(/0 rows/);
  });
});
