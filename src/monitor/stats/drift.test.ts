import { describe, expect, it } from "vitest";
import { Random } from "../../data/random.js";
import { isSluiceError, SluiceError } from "../../errors.js";
import { doaneEdges, pooledSturgesEdges } from "./binning.js";
import { driftTest, type DriftTestResult } from "./drift.js";
import { DRIFT_METHOD_NAMES, DRIFT_METHODS, type DriftMethodName } from "./methods.js";
import { categoricalSample, numericSample, type CategoricalSample } from "./sample.js";
import {
  fixtureNumber,
  generate,
  readFixture,
  relativeError,
  type FixtureNumber,
  type GeneratorSpec,
} from "./test-utils/fixtures.js";

interface Expected {
  statistic: FixtureNumber;
  pValue?: FixtureNumber;
  drifted: boolean;
  buckets?: number;
  binning?: "sturges" | "values";
  distance?: FixtureNumber;
  scale?: FixtureNumber;
}
interface Case<T> {
  name: string;
  reference: T;
  current: T;
  referenceCount: number;
  currentCount: number;
  auto: DriftMethodName;
  distinct: number;
  tests: Partial<Record<DriftMethodName, Expected>>;
  doaneEdges?: FixtureNumber[];
  sturgesEdges?: FixtureNumber[];
}
const ref = readFixture<{
  numeric: Case<FixtureNumber[] | GeneratorSpec>[];
  categorical: Case<number[]>[];
}>("drift-reference.json");

function values(v: FixtureNumber[] | GeneratorSpec): Float64Array {
  return Array.isArray(v) ? Float64Array.from(v, fixtureNumber) : generate(v);
}

/** Relative error, or absolute below 1e-300 (p-values that underflow on one side). */
function deviation(actual: number, expected: number): number {
  if (Number.isNaN(expected) || !Number.isFinite(expected)) return Object.is(actual, expected) ? 0 : Infinity;
  return Math.abs(expected) > 1e-300 ? relativeError(actual, expected) : Math.abs(actual - expected);
}

function checkAgainst(result: DriftTestResult, e: Expected, label: string): void {
  // One value or category on both sides: SciPy's chisquare has 0 degrees of freedom and returns
  // NaN. There is nothing to test; this gives statistic 0 and p-value 1 (Evidently's verdict too:
  // NaN < 0.05 is false).
  if (label === "chisquare" && e.buckets === 1) {
    expect(fixtureNumber(e.pValue!)).toBeNaN();
    expect(result).toMatchObject({ statistic: 0, pValue: 1, drifted: false });
    return;
  }
  const statistic = fixtureNumber(e.statistic);
  expect(
    deviation(result.statistic, statistic),
    `${label}: statistic ${result.statistic} vs ${statistic}`,
  ).toBeLessThan(1e-10);
  if (e.pValue !== undefined) {
    expect(result.kind).toBe("p_value");
    const p = result.kind === "p_value" ? result.pValue : NaN;
    const expected = fixtureNumber(e.pValue);
    expect(deviation(p, expected), `${label}: p-value ${p} vs ${expected}`).toBeLessThan(1e-10);
  }
  expect(result.drifted, `${label}: verdict`).toBe(e.drifted);
  if (e.buckets !== undefined) expect(result.info.buckets, `${label}: buckets`).toBe(e.buckets);
  if (e.binning !== undefined) expect(result.info.binning, `${label}: binning`).toBe(e.binning);
  if (e.scale !== undefined)
    expect(deviation(result.info.scale!, fixtureNumber(e.scale))).toBeLessThan(1e-12);
}

describe("driftTest against SciPy and Evidently's formulas: numeric features", () => {
  for (const c of ref.numeric) {
    it(c.name, () => {
      const a = numericSample(values(c.reference));
      const b = numericSample(values(c.current));
      for (const [method, e] of Object.entries(c.tests) as [DriftMethodName, Expected][]) {
        const r = driftTest(method, a, b);
        expect(r.referenceCount).toBe(c.referenceCount);
        expect(r.currentCount).toBe(c.currentCount);
        checkAgainst(r, e, method);
      }
      const auto = driftTest("auto", a, b);
      expect(auto.method, "auto").toBe(c.auto);
      expect(auto.reason).toMatch(/: /);
      for (const [edges, expected] of [
        [doaneEdges([a.sorted, b.sorted]), c.doaneEdges!],
        [pooledSturgesEdges([a.sorted, b.sorted]), c.sturgesEdges!],
      ] as const) {
        expect(edges.length).toBe(expected.length);
        edges.forEach((x, i) =>
          expect(deviation(x, fixtureNumber(expected[i]!)) < 1e-14 || x === 0).toBe(true),
        );
      }
    });
  }
});

describe("driftTest against SciPy and Evidently's formulas: categorical features", () => {
  for (const c of ref.categorical) {
    it(c.name, () => {
      const a = categoricalSample(c.reference);
      const b = categoricalSample(c.current);
      for (const [method, e] of Object.entries(c.tests) as [DriftMethodName, Expected][]) {
        checkAgainst(driftTest(method, a, b), e, method);
      }
      expect(driftTest("auto", a, b).method, "auto").toBe(c.auto);
    });
  }
});

describe("driftTest properties", () => {
  const rng = new Random(2024);
  const sample = (n: number, shift: number): Float64Array => {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = rng.normal(shift, 1);
    return v;
  };

  it("finds no drift between a sample and itself, with every method", () => {
    const x = numericSample(sample(800, 0));
    for (const method of DRIFT_METHOD_NAMES) {
      const r = driftTest(method, x, x);
      expect(r.drifted, method).toBe(false);
      if (r.kind === "p_value") expect(r.pValue, method).toBe(1);
      else expect(r.statistic, method).toBe(0);
    }
    const cat = categoricalSample([5, 9, 0, 31]);
    for (const method of DRIFT_METHOD_NAMES.filter((m) =>
      DRIFT_METHODS[m].features.includes("categorical"),
    )) {
      const r = driftTest(method, cat, cat);
      expect(r.drifted, method).toBe(false);
      expect(r.score, method).toBe(r.kind === "p_value" ? 1 : 0);
    }
  });

  it("gives the same answer whichever side is which, for the symmetric tests", () => {
    const a = numericSample(sample(300, 0));
    const b = numericSample(sample(500, 0.2));
    for (const method of ["ks", "jensenshannon", "z"] as const) {
      const ab = driftTest(method, a, b);
      const ba = driftTest(method, b, a);
      expect(relativeError(ba.score, ab.score), method).toBeLessThan(1e-12);
    }
    // The raw Wasserstein distance is symmetric; Evidently scales it by the reference's spread.
    const ab = driftTest("wasserstein", a, b);
    const ba = driftTest("wasserstein", b, a);
    expect(relativeError(ab.info.distance!, ba.info.distance!)).toBeLessThan(1e-12);
  });

  it("counts NaN and ±Infinity as missing and leaves them out", () => {
    const r = driftTest(
      "ks",
      Float64Array.from([1, NaN, 2, Infinity, 3]),
      Float64Array.from([-Infinity, 1, 2, 3]),
    );
    expect(r).toMatchObject({ referenceCount: 3, referenceMissing: 2, currentCount: 3, currentMissing: 1 });
    expect(r.statistic).toBe(0);
  });

  it("calls a category new in the current data drift, without failing", () => {
    const reference = categoricalSample([120, 80]);
    const current = categoricalSample([30, 50, 20]);
    expect(driftTest("chisquare", reference, current)).toMatchObject({
      statistic: Infinity,
      pValue: 0,
      drifted: true,
    });
    for (const method of ["jensenshannon", "psi", "hellinger", "z"] as const) {
      const r = driftTest(method, reference, current);
      expect(Number.isFinite(r.statistic), method).toBe(true);
    }
  });

  it("treats counts past the end of one side as zeros", () => {
    const short = driftTest("jensenshannon", categoricalSample([10, 20]), categoricalSample([10, 20, 5]));
    const padded = driftTest("jensenshannon", categoricalSample([10, 20, 0]), categoricalSample([10, 20, 5]));
    expect(short.statistic).toBe(padded.statistic);
  });

  it("applies a threshold given in the options, in Evidently's direction per method", () => {
    const a = numericSample(sample(400, 0));
    const b = numericSample(sample(400, 0.15));
    const w = driftTest("wasserstein", a, b);
    expect(driftTest("wasserstein", a, b, { threshold: w.statistic }).drifted).toBe(true); // ≥
    expect(driftTest("wasserstein", a, b, { threshold: w.statistic * 1.001 }).drifted).toBe(false);
    const ks = driftTest("ks", a, b);
    expect(ks.kind === "p_value" && driftTest("ks", a, b, { threshold: ks.pValue }).drifted).toBe(true); // ≤
    const chi = driftTest("chisquare", categoricalSample([50, 50]), categoricalSample([40, 60]));
    expect(
      driftTest("chisquare", categoricalSample([50, 50]), categoricalSample([40, 60]), {
        threshold: chi.score,
      }).drifted,
    ).toBe(
      false, // <
    );
  });

  it("explains the automatic choice", () => {
    const r = driftTest("auto", sample(2000, 0), sample(300, 0.5));
    expect(r.method).toBe("wasserstein");
    expect(r.reason).toMatchInlineSnapshot(
      `"numeric feature with 2,300 distinct values (> 5), reference of 2,000 rows (> 1,000): normalised Wasserstein distance"`,
    );
  });
});

describe("driftTest errors", () => {
  function errorOf(f: () => unknown): SluiceError {
    try {
      f();
    } catch (e) {
      if (isSluiceError(e, "E_DRIFT_TEST")) return e;
      throw e;
    }
    throw new Error("expected an E_DRIFT_TEST error");
  }

  it("rejects an unknown method with a did-you-mean", () => {
    const e = errorOf(() => driftTest("wasserstien" as DriftMethodName, [1, 2], [1, 2]));
    expect(e.message).toMatchInlineSnapshot(
      `"Unknown drift method "wasserstien" (did you mean "wasserstein"?)."`,
    );
    expect(errorOf(() => driftTest("chi2" as DriftMethodName, [1], [1])).message).toContain(
      'did you mean "chisquare"',
    );
    expect(errorOf(() => driftTest("JS" as DriftMethodName, [1], [1])).message).toContain(
      'did you mean "jensenshannon"',
    );
  });

  it("says how many values a side needs and has when all are missing", () => {
    const e = errorOf(() => driftTest("ks", [1, 2, 3], [NaN, NaN]));
    expect(e.message).toMatchInlineSnapshot(
      `"The ks test needs at least 1 non-missing value in the current data, got 0 (all 2 rows are missing)."`,
    );
    expect(e.details).toMatchObject({ side: "current", needed: 1, got: 0, missing: 2 });
    expect(errorOf(() => driftTest("auto", new Float64Array(0), [1])).message).toMatchInlineSnapshot(
      `"A drift test needs at least 1 non-missing value in the reference, got 0 (it is empty)."`,
    );
    expect(
      errorOf(() => driftTest("psi", categoricalSample([0, 0], 7), categoricalSample([1]))).message,
    ).toContain("all 7 rows are missing");
  });

  it("refuses a numeric-only test on categories, naming the ones that fit", () => {
    const e = errorOf(() => driftTest("ks", categoricalSample([1, 2]), categoricalSample([2, 1])));
    expect(e.message).toMatchInlineSnapshot(
      `"The ks test takes numeric features only; this feature is categorical."`,
    );
    expect(e.hint).toBe("For categorical features use chisquare, z, jensenshannon, psi, hellinger.");
  });

  it("refuses samples of two kinds, bad counts and bad thresholds", () => {
    expect(
      errorOf(() => driftTest("psi", [1, 2], categoricalSample([1, 2]) as unknown as number[])).message,
    ).toContain("The reference is numeric but the current data is categorical");
    expect(errorOf(() => categoricalSample([1, -2])).message).toMatchInlineSnapshot(
      `"Category counts must be whole numbers ≥ 0: count 1 is -2."`,
    );
    expect(errorOf(() => driftTest("psi", [1, 2], [1, 3], { threshold: NaN })).message).toContain(
      "threshold must be a finite number",
    );
  });

  it("is typed: numeric and categorical samples do not mix", () => {
    const c: CategoricalSample = categoricalSample([1]);
    // @ts-expect-error a categorical reference needs a categorical current sample
    expect(() => driftTest("psi", c, [1, 2])).toThrow(SluiceError);
  });
});
