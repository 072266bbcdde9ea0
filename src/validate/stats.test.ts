import { describe, expect, it } from "vitest";
import { Random } from "../data/random.js";
import {
  codePointLength,
  distinctSorted,
  histogram,
  lowerBound,
  quantileSorted,
  sortedPresent,
  upperBound,
} from "./stats.js";
import { f64 } from "./test-utils/support.js";

describe("stats kernels", () => {
  it("sortedPresent drops NaN, sorts numerically and treats -0 as 0", () => {
    expect(Array.from(sortedPresent(f64([3, null, -0, 10, 2, null])))).toEqual([0, 2, 3, 10]);
    expect(Object.is(sortedPresent(f64([-0]))[0], 0)).toBe(true);
  });

  it("quantileSorted interpolates linearly between closest ranks", () => {
    const s = f64([1, 2, 4, 8]);
    expect(quantileSorted(s, 0)).toBe(1);
    expect(quantileSorted(s, 1)).toBe(8);
    expect(quantileSorted(s, 0.5)).toBe(3);
    expect(quantileSorted(s, 0.25)).toBeCloseTo(1.75, 15);
    expect(quantileSorted(new Float64Array(0), 0.5)).toBeNaN();
  });

  it("histogram counts every value once and puts the maximum in the last bin", () => {
    const rng = new Random(3);
    for (let t = 0; t < 50; t++) {
      const n = 1 + rng.int(200);
      const v = new Float64Array(n);
      for (let i = 0; i < n; i++) v[i] = Math.round(rng.normal(0, 5) * 4) / 4;
      const s = sortedPresent(v);
      const bins = 1 + rng.int(25);
      const { edges, counts } = histogram(s, s[0]!, s[n - 1]!, bins);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(n);
      // Naive placement: the bin whose half-open interval holds the value, the last bin closed.
      const naive = new Float64Array(bins);
      for (const x of s) {
        let k = bins - 1;
        for (let b = 0; b < bins; b++)
          if (x >= edges[b]! && x < edges[b + 1]!) {
            k = b;
            break;
          }
        naive[k]!++;
      }
      expect(Array.from(counts)).toEqual(Array.from(naive));
    }
  });

  it("binary searches bracket a tie group", () => {
    const s = f64([1, 2, 2, 2, 5]);
    expect([lowerBound(s, 2), upperBound(s, 2)]).toEqual([1, 4]);
    expect([lowerBound(s, 0), upperBound(s, 9)]).toEqual([0, 5]);
  });

  it("distinctSorted stops counting past the cap", () => {
    expect(distinctSorted(f64([1, 1, 2, 3, 3, 4]), 100)).toBe(4);
    expect(distinctSorted(f64([1, 2, 3, 4, 5]), 2)).toBe(3);
  });

  it("codePointLength counts an astral character once", () => {
    expect(codePointLength("a𝔘b")).toBe(3);
    expect("a𝔘b".length).toBe(4);
  });
});
