import { describe, expect, it } from "vitest";
import { Random } from "../../data/random.js";
import {
  bestSplitOfFeature,
  leafValue,
  nodeScore,
  SPLIT_BIN,
  SPLIT_FIELDS,
  SPLIT_GAIN,
  SPLIT_LEFT_COUNT,
  SPLIT_LEFT_G,
  SPLIT_LEFT_H,
  SPLIT_MISSING_LEFT,
} from "./split.js";

interface Constraints {
  minData: number;
  minHessian: number;
  lambda: number;
  minGain: number;
}

/** One feature's histogram: V value bins then the missing bin, (g, h, count) each. */
function randomFeature(rng: Random, V: number, hasMissing: boolean): Float64Array {
  const hist = new Float64Array((V + 1) * 3);
  for (let b = 0; b <= V; b++) {
    if (b === V && !hasMissing) continue;
    const c = rng.next() < 0.15 ? 0 : 1 + rng.int(30);
    let g = 0;
    let h = 0;
    for (let i = 0; i < c; i++) {
      g += rng.normal() + (b < V / 2 ? 0.3 : -0.3);
      h += 0.05 + rng.next() * 0.2;
    }
    hist.set([g, h, c], b * 3);
  }
  return hist;
}

/** Every candidate the search may consider, scored from scratch. */
function bruteForce(hist: Float64Array, V: number, hasMissing: boolean, k: Constraints) {
  let G = 0;
  let H = 0;
  let C = 0;
  for (let b = 0; b <= V; b++) {
    G += hist[b * 3]!;
    H += hist[b * 3 + 1]!;
    C += hist[b * 3 + 2]!;
  }
  const score = (g: number, h: number): number => (g * g) / (h + k.lambda + 1e-15);
  type Candidate = { gain: number; bin: number; missingLeft: number; gl: number; hl: number; cl: number };
  let best: Candidate | undefined;
  const all: Candidate[] = [];
  const lastBin = hasMissing ? V - 1 : V - 2;
  for (const missingLeft of hasMissing ? [0, 1] : [0]) {
    for (let bin = 0; bin <= lastBin; bin++) {
      if (missingLeft === 1 && bin === V - 1) continue; // would leave the right side empty
      let gl = 0;
      let hl = 0;
      let cl = 0;
      for (let b = 0; b <= V; b++) {
        const left = b < V ? b <= bin : missingLeft === 1;
        if (!left) continue;
        gl += hist[b * 3]!;
        hl += hist[b * 3 + 1]!;
        cl += hist[b * 3 + 2]!;
      }
      const cr = C - cl;
      const hr = H - hl;
      if (cl < k.minData || cr < k.minData || hl < k.minHessian || hr < k.minHessian) continue;
      const gain = score(gl, hl) + score(G - gl, hr) - score(G, H);
      all.push({ gain, bin, missingLeft, gl, hl, cl });
      if (gain > k.minGain && (best === undefined || gain > best.gain))
        best = { gain, bin, missingLeft, gl, hl, cl };
    }
  }
  return { best, all, G, H, C };
}

describe("split search", () => {
  it("agrees with a brute-force search over every bin and both missing directions", () => {
    const rng = new Random(5);
    let found = 0;
    for (let trial = 0; trial < 400; trial++) {
      const V = 2 + rng.int(30);
      const hasMissing = rng.next() < 0.6;
      const k: Constraints = {
        minData: [1, 5, 20, 60][rng.int(4)]!,
        minHessian: [0, 1e-3, 2][rng.int(3)]!,
        lambda: [0, 1, 10][rng.int(3)]!,
        minGain: [0, 0.5, 5][rng.int(3)]!,
      };
      const hist = randomFeature(rng, V, hasMissing);
      const { best, all, G, H, C } = bruteForce(hist, V, hasMissing, k);
      const out = new Float64Array(SPLIT_FIELDS);
      out[SPLIT_GAIN] = -Infinity;
      const improved = bestSplitOfFeature(
        hist,
        0,
        V,
        hasMissing ? 1 : 0,
        G,
        H,
        C,
        k.minData,
        k.minHessian,
        k.lambda,
        k.minGain,
        out,
        0,
      );
      expect(improved, `trial ${trial}`).toBe(best !== undefined);
      if (best === undefined) continue;
      found++;
      // Candidates that cut the same rows (around empty bins, or with no missing rows) tie
      // exactly; the search may return any of them.
      const chosen = all.find((c) => c.bin === out[SPLIT_BIN] && c.missingLeft === out[SPLIT_MISSING_LEFT]);
      expect(chosen, `trial ${trial}: a candidate the brute force considered`).toBeDefined();
      expect(chosen!.gain).toBeCloseTo(best.gain, 9);
      expect(out[SPLIT_GAIN]).toBeCloseTo(best.gain, 9);
      expect(out[SPLIT_LEFT_COUNT]).toBe(chosen!.cl);
      expect(out[SPLIT_LEFT_G]).toBeCloseTo(chosen!.gl, 9);
      expect(out[SPLIT_LEFT_H]).toBeCloseTo(chosen!.hl, 9);
    }
    // The constraints must leave enough cases with a split for the comparison to mean something.
    expect(found).toBeGreaterThan(150);
  });

  it("keeps an earlier feature's split unless this feature strictly beats it", () => {
    const rng = new Random(9);
    const hist = randomFeature(rng, 10, false);
    const { best, G, H, C } = bruteForce(hist, 10, false, {
      minData: 1,
      minHessian: 0,
      lambda: 0,
      minGain: 0,
    });
    const out = new Float64Array(2 * SPLIT_FIELDS);
    out[SPLIT_FIELDS + SPLIT_GAIN] = best!.gain; // an equal gain found earlier
    out[SPLIT_FIELDS + SPLIT_BIN] = 99;
    expect(bestSplitOfFeature(hist, 0, 10, 0, G, H, C, 1, 0, 0, 0, out, SPLIT_FIELDS)).toBe(false);
    expect(out[SPLIT_FIELDS + SPLIT_BIN]).toBe(99);
    out[SPLIT_FIELDS + SPLIT_GAIN] = best!.gain * 0.999;
    expect(bestSplitOfFeature(hist, 0, 10, 0, G, H, C, 1, 0, 0, 0, out, SPLIT_FIELDS)).toBe(true);
    expect(out[SPLIT_FIELDS + SPLIT_BIN]).toBe(best!.bin);
  });

  it("offers 'every value left, missing right' for a feature with missing values", () => {
    // Values carry nothing; missingness carries everything.
    const hist = Float64Array.from([5, 1, 10, 5, 1, 10, -20, 1, 10]);
    const out = new Float64Array(SPLIT_FIELDS);
    out[SPLIT_GAIN] = -Infinity;
    expect(bestSplitOfFeature(hist, 0, 2, 1, -10, 3, 30, 1, 0, 0, 0, out, 0)).toBe(true);
    expect(out[SPLIT_BIN]).toBe(1);
    expect(out[SPLIT_MISSING_LEFT]).toBe(0);
    expect(out[SPLIT_LEFT_COUNT]).toBe(20);
  });

  it("finds nothing when every candidate leaves a side with too few rows", () => {
    const hist = Float64Array.from([1, 1, 3, -1, 1, 3, 0, 0, 0]);
    const out = new Float64Array(SPLIT_FIELDS);
    out[SPLIT_GAIN] = -Infinity;
    expect(bestSplitOfFeature(hist, 0, 2, 0, 0, 2, 6, 4, 0, 0, 0, out, 0)).toBe(false);
    expect(out[SPLIT_GAIN]).toBe(-Infinity);
  });

  it("scores nodes and values leaves with the l2 penalty, finite even at zero hessian", () => {
    expect(nodeScore(3, 1, 2)).toBeCloseTo(3, 12);
    expect(leafValue(3, 1, 2)).toBeCloseTo(-1, 12);
    expect(Number.isFinite(leafValue(0, 0, 0))).toBe(true);
    expect(Number.isFinite(nodeScore(1, 0, 0))).toBe(true);
  });
});
