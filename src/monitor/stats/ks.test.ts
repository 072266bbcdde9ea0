import { describe, expect, it } from "vitest";
import { Random } from "../../data/random.js";
import { ksExactPValue, ksStatistic, ksTwoSample, roundHalfEven } from "./ks.js";
import { numericSample } from "./sample.js";
import { fixtureNumber, readFixture, relativeError, type FixtureNumber } from "./test-utils/fixtures.js";

interface ExactCase {
  n1: number;
  n2: number;
  d: number;
  success: boolean;
  statistic: FixtureNumber;
  pValue: FixtureNumber;
}
const exact = readFixture<ExactCase[]>("ks-exact-reference.json");

/** The KS statistic straight from its definition: both empirical CDFs at every data point, O((n+m)²). */
function naiveKs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  const points = [...Array.from(a), ...Array.from(b)];
  for (const z of points) {
    let fa = 0;
    for (let i = 0; i < a.length; i++) if (a[i]! <= z) fa++;
    let fb = 0;
    for (let i = 0; i < b.length; i++) if (b[i]! <= z) fb++;
    d = Math.max(d, Math.abs(fa / a.length - fb / b.length));
  }
  return d;
}

function draw(rng: Random, n: number, shift: number, grid: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = rng.normal(shift, 1);
    out[i] = grid > 0 ? Math.round(v / grid) * grid : v;
  }
  return out;
}

describe("ksExactPValue", () => {
  it("gives SciPy's exact two-sample p-values and lattice-snapped statistics", () => {
    let worst = 0;
    for (const c of exact) {
      const r = ksExactPValue(c.n1, c.n2, c.d);
      const label = `n1 ${c.n1}, n2 ${c.n2}, d ${c.d}`;
      expect(r.statistic, label).toBe(fixtureNumber(c.statistic));
      expect(r.pValue !== undefined, label).toBe(c.success);
      if (r.pValue !== undefined) {
        const expected = fixtureNumber(c.pValue);
        const e = expected > 1e-300 ? relativeError(r.pValue, expected) : Math.abs(r.pValue - expected);
        worst = Math.max(worst, e);
        expect(e, label).toBeLessThan(1e-12);
      }
    }
    expect(worst).toBeLessThan(1e-12);
  });

  it("is symmetric in the two sample sizes", () => {
    for (const [n1, n2, d] of [
      [7, 11, 0.4],
      [30, 45, 0.2],
      [200, 300, 0.1],
    ] as const)
      expect(ksExactPValue(n1, n2, d).pValue).toBeCloseTo(ksExactPValue(n2, n1, d).pValue!, 14);
  });
});

describe("ksStatistic", () => {
  it("equals the O(n·m) definition on random samples with and without ties", () => {
    const rng = new Random(11);
    for (let trial = 0; trial < 40; trial++) {
      const grid = trial % 3 === 0 ? 0 : trial % 3 === 1 ? 0.5 : 0.01;
      const a = draw(rng, 1 + rng.int(60), 0, grid);
      const b = draw(rng, 1 + rng.int(60), rng.next(), grid);
      const d = ksStatistic(numericSample(a).sorted, numericSample(b).sorted);
      expect(d, `trial ${trial}`).toBe(naiveKs(a, b));
    }
  });

  it("is 1 for disjoint samples and 0 for equal ones", () => {
    const a = numericSample(Float64Array.from([1, 2, 3])).sorted;
    const b = numericSample(Float64Array.from([4, 5])).sorted;
    expect(ksStatistic(a, b)).toBe(1);
    expect(ksStatistic(a, a)).toBe(0);
  });
});

describe("ksTwoSample", () => {
  it("gives statistic 0 and p-value 1 for identical samples, exact and asymptotic", () => {
    const rng = new Random(5);
    for (const n of [1, 50, 12000]) {
      const s = numericSample(draw(rng, n, 0, 0.1)).sorted;
      const r = ksTwoSample(s, s);
      expect(r.statistic).toBe(0);
      expect(r.pValue).toBe(1);
      expect(r.pMethod).toBe(n > 10000 ? "asymptotic" : "exact");
    }
  });

  it("does not depend on which sample comes first", () => {
    const rng = new Random(9);
    for (const [n1, n2] of [
      [40, 70],
      [300, 300],
      [200, 15000],
    ] as const) {
      const a = numericSample(draw(rng, n1, 0, 0)).sorted;
      const b = numericSample(draw(rng, n2, 0.3, 0)).sorted;
      const ab = ksTwoSample(a, b);
      const ba = ksTwoSample(b, a);
      expect(ba.statistic).toBe(ab.statistic);
      expect(relativeError(ba.pValue, ab.pValue)).toBeLessThan(1e-13);
    }
  });

  it("switches to the asymptotic p-value above 10,000 values, as SciPy's auto method", () => {
    const rng = new Random(3);
    const a = numericSample(draw(rng, 100, 0, 0)).sorted;
    expect(ksTwoSample(a, numericSample(draw(rng, 10000, 0, 0)).sorted).pMethod).toBe("exact");
    expect(ksTwoSample(a, numericSample(draw(rng, 10001, 0, 0)).sorted).pMethod).toBe("asymptotic");
  });
});

describe("roundHalfEven", () => {
  it("rounds halves to the even neighbour, as numpy.round", () => {
    expect([0.5, 1.5, 2.5, 10000.5, 10001.5, 2.4, 2.6].map(roundHalfEven)).toEqual([
      0, 2, 2, 10000, 10002, 2, 3,
    ]);
  });
});
