import { describe, expect, it } from "vitest";
import { Random } from "../../data/random.js";
import { categoryShares, numericHistogram } from "./report.js";
import { categoricalSample } from "./sample.js";

describe("numericHistogram", () => {
  const rng = new Random(12);
  const reference = Float64Array.from({ length: 2000 }, () => rng.normal(0, 1));
  const current = Float64Array.from({ length: 500 }, (_, i) => (i % 50 === 0 ? NaN : rng.normal(1, 1)));

  it("puts both samples on the same edges spanning both, every value in one bin", () => {
    const h = numericHistogram(reference, current);
    expect(h.referenceCounts.length).toBe(h.edges.length - 1);
    expect(h.currentCounts.length).toBe(h.edges.length - 1);
    expect(h.edges[0]).toBe(Math.min(...reference, ...current.filter((v) => !Number.isNaN(v))));
    expect(h.referenceCounts.reduce((a, b) => a + b, 0)).toBe(2000);
    expect(h.currentCounts.reduce((a, b) => a + b, 0)).toBe(490);
    expect(h.currentMissing).toBe(10);
    expect(h.currentShares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it("takes a bin count or a rule", () => {
    expect(numericHistogram(reference, current, { bins: 12 }).edges).toHaveLength(13);
    const sturges = numericHistogram(reference, current, { bins: "sturges" });
    expect(sturges.edges).toHaveLength(Math.ceil(Math.log2(2490) + 1) + 1);
  });

  it("gives one bin around a constant and empty counts for an empty side", () => {
    const h = numericHistogram([4, 4, 4], [NaN]);
    expect(h.edges).toEqual([3.5, 4.5]);
    expect(h.referenceCounts).toEqual([3]);
    expect(h.currentCounts).toEqual([0]);
    expect(h.currentShares).toEqual([0]);
  });
});

describe("categoryShares", () => {
  it("lists every category seen on either side, largest reference share first", () => {
    const shares = categoryShares(categoricalSample([60, 40, 0, 0]), categoricalSample([10, 12, 3, 0]), [
      "M",
      "F",
      "X",
      "unused",
    ]);
    expect(shares).toEqual([
      { index: 0, label: "M", referenceCount: 60, currentCount: 10, referenceShare: 0.6, currentShare: 0.4 },
      { index: 1, label: "F", referenceCount: 40, currentCount: 12, referenceShare: 0.4, currentShare: 0.48 },
      { index: 2, label: "X", referenceCount: 0, currentCount: 3, referenceShare: 0, currentShare: 0.12 },
    ]);
  });
});
