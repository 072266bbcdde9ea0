import { describe, expect, it } from "vitest";
import { Random } from "../data/random.js";
import { binIndex } from "./kernel.js";
import {
  meanPresent,
  medianPresent,
  medianSorted,
  modeSorted,
  populationStd,
  quantileSorted,
  sortedPresent,
  topShare,
} from "./stats.js";

/** Naive top share: count values in a Map (NaN as one value). */
function naiveTopShare(values: Float64Array): number {
  const counts = new Map<string, number>();
  for (const v of values) {
    const key = Number.isNaN(v) ? "NaN" : String(v === 0 ? 0 : v);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return Math.max(...counts.values()) / values.length;
}

describe("column statistics", () => {
  it("computes the top share like a naive count, on few and many distinct values", () => {
    const rng = new Random(1);
    for (let k = 0; k < 200; k++) {
      const n = 1 + rng.int(60);
      const distinct = 1 + rng.int(k % 2 === 0 ? 4 : 20);
      const values = Float64Array.from({ length: n }, () =>
        rng.bernoulli(0.1) ? NaN : rng.bernoulli(0.05) ? -0 : rng.int(distinct),
      );
      expect(topShare(values), String(values)).toBe(naiveTopShare(values));
    }
  });

  it("only checks constancy when the threshold is 1", () => {
    expect(topShare(Float64Array.from([1, 1, 1]), 1)).toBe(1);
    expect(topShare(Float64Array.from([NaN, NaN]), 1)).toBe(1);
    expect(topShare(Float64Array.from([1, 1, 2]), 1)).toBeLessThan(1);
  });

  it("takes NumPy's linear quantiles, medians and modes of sorted values", () => {
    const s = Float64Array.from([1, 2, 4, 8]);
    expect([
      quantileSorted(s, 0),
      quantileSorted(s, 0.25),
      quantileSorted(s, 0.5),
      quantileSorted(s, 1),
    ]).toEqual([1, 1.75, 3, 8]);
    expect(medianSorted(Float64Array.from([1, 2, 4]))).toBe(2);
    expect(medianSorted(s)).toBe(3);
    expect(modeSorted(Float64Array.from([1, 2, 2, 3, 3]))).toBe(2);
    expect(modeSorted(new Float64Array(0))).toBeNaN();
  });

  it("selects the median a full sort gives, the sign of a zero included, without sorting", () => {
    const rng = new Random(7);
    const pool = [0, -0, 1, -1, 2.5, Infinity, -Infinity, NaN];
    for (let k = 0; k < 2000; k++) {
      const n = rng.int(k < 1000 ? 12 : 400);
      const fewValues = k % 3 === 0;
      const values = Float64Array.from({ length: n }, () =>
        fewValues ? pool[rng.int(pool.length)]! : rng.next() < 0.1 ? NaN : Math.round(rng.normal() * 20) / 4,
      );
      const expected = medianSorted(sortedPresent(values));
      const got = medianPresent(values);
      expect(Object.is(got, expected), `[${Array.from(values).join(", ")}]: ${got} vs ${expected}`).toBe(
        true,
      );
    }
    expect(medianPresent(new Float64Array([NaN, NaN]))).toBeNaN();
    expect(Object.is(medianPresent(new Float64Array([-0, 0, -0])), -0)).toBe(true);
    expect(Object.is(medianPresent(new Float64Array([0, -0, 0])), 0)).toBe(true);
  });

  it("skips missing values in means and standard deviations", () => {
    const v = Float64Array.from([1, NaN, 3, NaN, 5]);
    expect(meanPresent(v)).toBe(3);
    expect(populationStd(v, 3)).toBeCloseTo(Math.sqrt(8 / 3), 15);
    expect(Array.from(sortedPresent(v))).toEqual([1, 3, 5]);
    expect(meanPresent(Float64Array.from([NaN]))).toBeNaN();
  });

  it("sums without losing small terms next to large ones", () => {
    const v = Float64Array.from([1e16, 1, 1, 1, 1, -1e16]);
    expect(meanPresent(v)).toBeCloseTo(4 / 6, 15);
  });
});

describe("bin index", () => {
  it("agrees with a linear scan over the interior edges", () => {
    const rng = new Random(2);
    for (let k = 0; k < 300; k++) {
      const edges = Float64Array.from({ length: rng.int(12) }, () => rng.int(50))
        .sort()
        .filter((v, i, a) => i === 0 || v > a[i - 1]!);
      const x = rng.bernoulli(0.3) ? (edges[rng.int(Math.max(1, edges.length))] ?? 3) : rng.uniform(-10, 60);
      let want = 0;
      for (let e = 0; e < edges.length; e++) if (x >= edges[e]!) want = e + 1;
      expect(binIndex(edges, x)).toBe(want);
    }
  });
});
