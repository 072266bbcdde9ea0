import { describe, expect, it } from "vitest";
import { Random } from "../../data/random.js";
import { isSluiceError } from "../../errors.js";
import { alignCategories, categoricalSample, categoricalSampleFromCodes, numericSample } from "./sample.js";
import { sortFloat64 } from "./sort.js";

function sameAsBuiltIn(values: Float64Array): void {
  const expected = values.slice().sort();
  const actual = sortFloat64(values.slice());
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++)
    if (actual[i] !== expected[i]) expect(actual[i], `at ${i}`).toBe(expected[i]);
}

describe("sortFloat64", () => {
  const rng = new Random(99);
  const n = 20000; // above the radix threshold

  it("sorts like the built-in sort: normal, wide-range and negative values", () => {
    sameAsBuiltIn(Float64Array.from({ length: n }, () => rng.normal(0, 1)));
    sameAsBuiltIn(Float64Array.from({ length: n }, () => (rng.next() - 0.5) * 10 ** rng.int(600) * 1e-300));
    sameAsBuiltIn(Float64Array.from({ length: n }, () => -rng.next() * 1e6));
  });

  it("sorts values that share their high 32 bits (long runs the radix passes leave unordered)", () => {
    sameAsBuiltIn(Float64Array.from({ length: n }, () => 1 + rng.int(1 << 20) * 2 ** -52));
    sameAsBuiltIn(Float64Array.from({ length: n }, () => -(1 + rng.int(1 << 20) * 2 ** -52)));
  });

  it("sorts heavy ties, integers, subnormals and infinities", () => {
    sameAsBuiltIn(Float64Array.from({ length: n }, () => rng.int(7) - 3));
    sameAsBuiltIn(Float64Array.from({ length: n }, () => rng.int(100) * 5e-324));
    sameAsBuiltIn(Float64Array.from({ length: n }, () => [Infinity, -Infinity, 0, 1, -1][rng.int(5)]!));
    sameAsBuiltIn(Float64Array.from({ length: n }, (_, i) => n - i));
  });
});

describe("numericSample", () => {
  it("drops NaN and ±Infinity, sorts, and counts distinct values", () => {
    const s = numericSample(Float64Array.from([3, NaN, 1, Infinity, 2, 2, -Infinity]));
    expect(Array.from(s.sorted)).toEqual([1, 2, 2, 3]);
    expect(s).toMatchObject({ kind: "numeric", missing: 3, distinct: 3, mean: 2 });
    expect(s.std).toBeCloseTo(Math.sqrt(0.5), 15);
  });

  it("treats −0 and 0 as one value", () => {
    const s = numericSample([-0, 0, -0]);
    expect(s.distinct).toBe(1);
    expect(Object.is(s.sorted[0], 0)).toBe(true);
  });

  it("keeps the mean exact enough on a million values", () => {
    const v = new Float64Array(1_000_000).fill(0.1);
    expect(numericSample(v).mean).toBe(0.1);
  });

  it("gives an empty sample for all-missing input", () => {
    expect(numericSample([NaN, NaN])).toMatchObject({ missing: 2, distinct: 0 });
  });
});

describe("categorical samples", () => {
  it("counts codes, negative codes as missing", () => {
    const s = categoricalSampleFromCodes(Int32Array.from([0, 1, 1, -1, 2]), 3);
    expect(Array.from(s.counts)).toEqual([1, 2, 1]);
    expect(s).toMatchObject({ total: 4, missing: 1 });
  });

  it("rejects a code outside the dictionary", () => {
    expect(() => categoricalSampleFromCodes([0, 5], 3)).toThrow(/Category code 5 at row 1/);
  });

  it("rejects counts that are not whole numbers", () => {
    for (const bad of [[1.5], [NaN], [-1]]) {
      try {
        categoricalSample(bad);
        expect.unreachable();
      } catch (e) {
        expect(isSluiceError(e, "E_DRIFT_TEST")).toBe(true);
      }
    }
  });

  it("aligns two label lists: reference order first, new labels after", () => {
    const { labels, reference, current } = alignCategories(
      { labels: ["M", "F"], counts: [60, 40] },
      { labels: ["F", "M", "X"], counts: [10, 12, 3], missing: 2 },
    );
    expect(labels).toEqual(["M", "F", "X"]);
    expect(Array.from(reference.counts)).toEqual([60, 40, 0]);
    expect(Array.from(current.counts)).toEqual([12, 10, 3]);
    expect(current.missing).toBe(2);
  });
});
