import { describe, expect, it } from "vitest";
import { Random } from "../../data/random.js";
import {
  binnedShares,
  fillZeroShares,
  histogramCounts,
  linspaceEdges,
  sturgesEdges,
  valueBuckets,
} from "./binning.js";
import {
  hellingerCategorical,
  jensenShannonDistance,
  populationStabilityIndex,
  wassersteinDistance,
} from "./distances.js";
import { categoricalSample, numericSample } from "./sample.js";
import { relativeError } from "./test-utils/fixtures.js";

/** ∫|F_a − F_b| dx from the definition: both CDFs counted afresh on every gap, O((n+m)²). */
function naiveWasserstein(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const points = [...Array.from(a), ...Array.from(b)].sort((x, y) => x - y);
  let w = 0;
  for (let k = 0; k + 1 < points.length; k++) {
    const z = points[k]!;
    let fa = 0;
    for (let i = 0; i < a.length; i++) if (a[i]! <= z) fa++;
    let fb = 0;
    for (let i = 0; i < b.length; i++) if (b[i]! <= z) fb++;
    w += Math.abs(fa / a.length - fb / b.length) * (points[k + 1]! - z);
  }
  return w;
}

function draw(rng: Random, n: number, shift: number, grid: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = rng.normal(shift, 1 + shift);
    out[i] = grid > 0 ? Math.round(v / grid) * grid : v;
  }
  return out;
}

describe("wassersteinDistance", () => {
  it("equals the integral of |F_a − F_b| computed from its definition", () => {
    const rng = new Random(17);
    for (let trial = 0; trial < 40; trial++) {
      const grid = trial % 2 === 0 ? 0 : 0.25;
      const a = draw(rng, 1 + rng.int(70), 0, grid);
      const b = draw(rng, 1 + rng.int(70), rng.next(), grid);
      const w = wassersteinDistance(numericSample(a).sorted, numericSample(b).sorted);
      expect(
        relativeError(w, naiveWasserstein(a, b)) < 1e-12 || w === naiveWasserstein(a, b),
        `trial ${trial}`,
      ).toBe(true);
    }
  });

  it("is the mean gap between matched order statistics for equal sizes", () => {
    const rng = new Random(4);
    const a = numericSample(draw(rng, 500, 0, 0)).sorted;
    const b = numericSample(draw(rng, 500, 0.7, 0)).sorted;
    let direct = 0;
    for (let i = 0; i < 500; i++) direct += Math.abs(a[i]! - b[i]!) / 500;
    expect(relativeError(wassersteinDistance(a, b), direct)).toBeLessThan(1e-12);
  });

  it("is 0 for equal samples, symmetric, and the shift for shifted copies", () => {
    const rng = new Random(8);
    const a = numericSample(draw(rng, 300, 0, 0)).sorted;
    const shifted = a.map((v) => v + 2.5);
    expect(wassersteinDistance(a, a)).toBe(0);
    expect(wassersteinDistance(a, shifted)).toBeCloseTo(2.5, 12);
    expect(wassersteinDistance(shifted, a)).toBe(wassersteinDistance(a, shifted));
  });
});

describe("jensenShannonDistance", () => {
  it("is √(JS divergence) in nats, straight from the definition", () => {
    const rng = new Random(21);
    for (let trial = 0; trial < 30; trial++) {
      const k = 2 + rng.int(10);
      const p = new Float64Array(k);
      const q = new Float64Array(k);
      for (let i = 0; i < k; i++) {
        p[i] = rng.next() < 0.2 ? 0 : rng.next();
        q[i] = rng.next() < 0.2 ? 0 : rng.next();
      }
      p[0] = 1; // never all zero
      q[1] = 1;
      const sp = p.reduce((s, v) => s + v, 0);
      const sq = q.reduce((s, v) => s + v, 0);
      let js = 0;
      for (let i = 0; i < k; i++) {
        const m = (p[i]! / sp + q[i]! / sq) / 2;
        if (p[i]! > 0) js += ((p[i]! / sp) * Math.log(p[i]! / sp / m)) / 2;
        if (q[i]! > 0) js += ((q[i]! / sq) * Math.log(q[i]! / sq / m)) / 2;
      }
      expect(relativeError(jensenShannonDistance(p, q), Math.sqrt(js))).toBeLessThan(1e-12);
    }
  });

  it("is 0 for equal distributions, symmetric, and √ln 2 for disjoint ones", () => {
    const p = Float64Array.from([0.2, 0.3, 0.5]);
    const q = Float64Array.from([0.5, 0.1, 0.4]);
    expect(jensenShannonDistance(p, p)).toBe(0);
    expect(jensenShannonDistance(p, q)).toBe(jensenShannonDistance(q, p));
    expect(jensenShannonDistance(Float64Array.from([1, 0]), Float64Array.from([0, 1]))).toBeCloseTo(
      Math.sqrt(Math.LN2),
      15,
    );
  });
});

describe("populationStabilityIndex and Hellinger", () => {
  it("PSI is Σ(r − c)·ln(r/c), 0 for equal shares and symmetric", () => {
    const r = Float64Array.from([0.1, 0.4, 0.5]);
    const c = Float64Array.from([0.2, 0.3, 0.5]);
    expect(populationStabilityIndex(r, c)).toBeCloseTo(-0.1 * Math.log(0.5) + 0.1 * Math.log(4 / 3), 15);
    expect(populationStabilityIndex(r, r)).toBe(0);
    expect(populationStabilityIndex(c, r)).toBeCloseTo(populationStabilityIndex(r, c), 15);
  });

  it("Hellinger is 0 for equal shares and 1 for disjoint categories", () => {
    expect(hellingerCategorical(categoricalSample([2, 4]), categoricalSample([1, 2]))).toBe(0);
    expect(hellingerCategorical(categoricalSample([3, 0]), categoricalSample([0, 5]))).toBe(1);
  });
});

describe("binning", () => {
  it("counts like numpy.histogram: half-open bins, last bin closed", () => {
    const rng = new Random(31);
    for (let trial = 0; trial < 20; trial++) {
      const values = draw(rng, 1 + rng.int(300), 0, trial % 2 ? 0.5 : 0);
      const s = numericSample(values).sorted;
      const edges = sturgesEdges(s.length + 7, s[0]!, s[s.length - 1]!);
      const counts = histogramCounts(s, edges);
      const naive = new Float64Array(edges.length - 1);
      for (const v of values) {
        for (let b = 0; b < edges.length - 1; b++) {
          const last = b === edges.length - 2;
          if (v >= edges[b]! && (v < edges[b + 1]! || (last && v <= edges[b + 1]!))) {
            naive[b]!++;
            break;
          }
        }
      }
      expect(Array.from(counts)).toEqual(Array.from(naive));
      expect(counts.reduce((x, y) => x + y, 0)).toBe(values.length);
    }
  });

  it("makes numpy.linspace edges: start + i·step, the last one exactly stop", () => {
    expect(Array.from(linspaceEdges(0, 1, 4))).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(Array.from(sturgesEdges(10, 2, 2))).toEqual([1.5, 2.5]); // one value: widened by ±0.5
  });

  it("puts one bucket per distinct value of either sample", () => {
    const b = valueBuckets(Float64Array.from([1, 1, 2, 5]), Float64Array.from([0, 2, 2, 2, 7]));
    expect(Array.from(b.values)).toEqual([0, 1, 2, 5, 7]);
    expect(Array.from(b.reference)).toEqual([0, 2, 1, 1, 0]);
    expect(Array.from(b.current)).toEqual([1, 0, 3, 0, 1]);
  });

  it("fills empty buckets as Evidently's feel_zeroes does", () => {
    expect(Array.from(fillZeroShares(Float64Array.from([0, 0.5, 0.5])))).toEqual([0.0001, 0.5, 0.5]);
    expect(Array.from(fillZeroShares(Float64Array.from([0, 0.00005, 0.99995])))).toEqual([
      5e-11, 0.00005, 0.99995,
    ]);
  });

  it("bins numbers with more than 20 reference values, buckets them otherwise", () => {
    const many = numericSample(Float64Array.from({ length: 100 }, (_, i) => i));
    const few = numericSample(Float64Array.from({ length: 100 }, (_, i) => i % 20));
    expect(binnedShares(many, many, false).binning).toBe("sturges");
    expect(binnedShares(few, few, false)).toMatchObject({ binning: "values" });
    expect(binnedShares(few, few, false).reference.length).toBe(20);
  });
});
