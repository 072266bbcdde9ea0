/**
 * Fitted values and outputs against scikit-learn / NumPy reference values recorded by
 * scripts/fixtures/features_reference.py.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Frame, categoricalFromStrings, numericColumn } from "../data/frame.js";
import { FeatureSpec } from "../project/schema.js";
import { learnEdges } from "./bins.js";
import { fitFeatures, matrixColumn, transform, transformRecord } from "./index.js";
import { binIndex } from "./kernel.js";
import { classIndices, fClassif, fRegression } from "./select.js";
import { sortedPresent } from "./stats.js";

function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")) as T;
}

const nums = (xs: readonly (number | null)[]): Float64Array =>
  Float64Array.from(xs, (x) => (x === null ? NaN : x));

function expectClose(
  got: ArrayLike<number>,
  want: readonly (number | null)[],
  rtol: number,
  label: string,
): void {
  expect(got.length, label).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = got[i]!;
    if (w === null) expect(g, `${label}[${i}]`).toBeNaN();
    else
      expect(Math.abs(g - w), `${label}[${i}]: got ${g}, want ${w}`).toBeLessThanOrEqual(
        rtol * Math.max(1, Math.abs(w)),
      );
  }
}

describe("numeric imputation and scaling", () => {
  type Case = {
    impute: "mean" | "median" | "most_frequent" | "constant";
    scale: "standard" | "minmax" | "robust" | "none";
    fill_value: number;
    expected: number[][];
  };
  const fx = fixture<{ columns: Record<string, (number | null)[]>; cases: Case[]; indicator: number[][] }>(
    "scalers.json",
  );
  const frame = new Frame([
    ...Object.entries(fx.columns).map(([name, v]) => numericColumn(name, nums(v))),
    numericColumn("y", new Float64Array(40)),
  ]);

  it.each(fx.cases.map((c) => [`${c.impute} + ${c.scale}`, c] as const))(
    "matches SimpleImputer → scaler for %s",
    (_, c) => {
      const spec = FeatureSpec.parse({
        numeric: { impute: c.impute, fill_value: c.fill_value, scale: c.scale },
      });
      const fitted = fitFeatures(spec, frame, { target: "y", task: "regression" });
      const m = transform(fitted, frame);
      expect(m.names).toEqual(["a", "b", "c"]);
      c.expected.forEach((col, j) =>
        expectClose(matrixColumn(m, j), col, 1e-12, `${c.impute}/${c.scale} column ${j}`),
      );
    },
  );

  it("matches SimpleImputer's missing indicators for the columns that had missing values", () => {
    const spec = FeatureSpec.parse({ numeric: { impute: "median", missing_indicator: true } });
    const fitted = fitFeatures(spec, frame, { target: "y", task: "regression" });
    const m = transform(fitted, frame);
    expect(m.names).toEqual(["a", "b", "c", "a_missing", "b_missing"]);
    fx.indicator.forEach((col, k) => expect(Array.from(matrixColumn(m, 3 + k))).toEqual(col));
  });
});

describe("one-hot encoding with an other bucket", () => {
  type Case = {
    impute: "most_frequent" | "constant";
    min_frequency: number | null;
    names: string[];
    train: number[][];
    test: number[][];
  };
  const fx = fixture<{ values: (string | null)[]; unseen: (string | null)[]; cases: Case[] }>("onehot.json");
  const train = new Frame([
    categoricalFromStrings("col", fx.values),
    numericColumn("y", new Float64Array(fx.values.length)),
  ]);
  const test = new Frame([categoricalFromStrings("col", fx.unseen)]);

  it.each(fx.cases.map((c) => [`${c.impute}, min_frequency ${c.min_frequency}`, c] as const))(
    "matches OneHotEncoder(handle_unknown=infrequent_if_exist) for %s",
    (_, c) => {
      const spec = FeatureSpec.parse({
        categorical: {
          impute: c.impute,
          fill_value: "missing",
          ...(c.min_frequency === null ? {} : { min_frequency: c.min_frequency }),
        },
      });
      const fitted = fitFeatures(spec, train, { target: "y", task: "regression" });
      const m = transform(fitted, train);
      expect(m.names).toEqual(c.names);
      c.train.forEach((col, j) => expect(Array.from(matrixColumn(m, j)), c.names[j]).toEqual(col));
      const t = transform(fitted, test);
      c.test.forEach((col, j) => expect(Array.from(matrixColumn(t, j)), `unseen ${c.names[j]}`).toEqual(col));
      fx.unseen.forEach((value, i) =>
        expect(Array.from(transformRecord(fitted, { col: value }))).toEqual(c.test.map((col) => col[i])),
      );
    },
  );
});

describe("univariate F statistics", () => {
  const fx = fixture<{
    X: number[][];
    classes: number[];
    y: number[];
    f_classif: number[];
    f_regression: number[];
  }>("ftests.json");

  it("match sklearn's f_classif", () => {
    const { cls, nClasses } = classIndices(Int32Array.from(fx.classes));
    expectClose(
      fx.X.map((col) => fClassif(Float64Array.from(col), cls, nClasses)),
      fx.f_classif,
      1e-9,
      "f_classif",
    );
  });

  it("match sklearn's f_regression", () => {
    expectClose(
      fx.X.map((col) => fRegression(Float64Array.from(col), Float64Array.from(fx.y))),
      fx.f_regression,
      1e-9,
      "f_regression",
    );
  });

  it("are infinite for a perfect separation and undefined for a constant feature", () => {
    const { cls, nClasses } = classIndices(Int32Array.from([0, 0, 1, 1]));
    expect(fClassif(Float64Array.from([1, 1, 2, 2]), cls, nClasses)).toBe(Infinity);
    expect(fClassif(Float64Array.from([3, 3, 3, 3]), cls, nClasses)).toBeNaN();
    expect(fRegression(Float64Array.from([1, 2, 3, 4]), Float64Array.from([2, 4, 6, 8]))).toBe(Infinity);
  });
});

describe("bin edges", () => {
  const fx = fixture<{
    values: (number | null)[];
    cases: { strategy: "quantile" | "uniform"; bins: number; edges: number[]; index: number[] }[];
  }>("bins.json");
  const present = sortedPresent(nums(fx.values));
  const inFileOrder = nums(fx.values).filter((v) => !Number.isNaN(v));

  it.each(fx.cases.map((c) => [`${c.strategy}, ${c.bins} bins`, c] as const))(
    "match NumPy for %s",
    (_, c) => {
      const edges = learnEdges(present, c.bins, c.strategy);
      expectClose(edges, c.edges, 1e-12, "edges");
      const interior = Float64Array.from(edges.slice(1, -1));
      expect(Array.from(inFileOrder, (v) => binIndex(interior, v))).toEqual(c.index);
    },
  );
});
