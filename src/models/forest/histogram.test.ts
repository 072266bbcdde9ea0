import { describe, expect, it } from "vitest";
import { Random } from "../../data/random.js";
import {
  buildClassHistogram,
  buildClassHistograms,
  buildClassHistogramsFew,
  buildValueHistogram,
  buildValueHistograms,
  buildValueHistogramsFew,
  clearBins,
  emptySplit,
  listNonEmptyBins,
  listSeenBins,
  scanClassHistogram,
  scanValueHistogram,
  subtractHistogram,
} from "./histogram.js";

interface Rows {
  bins: Uint8Array;
  y: Int32Array;
  value: Float64Array;
  w: Float64Array;
}

/** n rows of one feature with nBins value bins (some rows missing: bin nBins), K classes. */
function randomRows(rng: Random, n: number, nBins: number, K: number, missingShare: number): Rows {
  const bins = new Uint8Array(n);
  const y = new Int32Array(n);
  const value = new Float64Array(n);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    bins[i] = rng.next() < missingShare ? nBins : rng.int(nBins);
    // Labels that depend on the bin, so that good splits exist.
    y[i] = (bins[i]! * 7 + rng.int(3)) % K;
    value[i] = bins[i]! * 0.5 + rng.normal();
    w[i] = 1 + rng.int(3);
  }
  return { bins, y, value, w };
}

/** Weighted impurity of one side: W·gini for classes, Σw(y − ȳ)² for values. */
function impurity(rows: Rows, members: number[], K: number): number {
  let W = 0;
  if (K > 0) {
    const c = new Array<number>(K).fill(0);
    for (const i of members) {
      c[rows.y[i]!]! += rows.w[i]!;
      W += rows.w[i]!;
    }
    return W === 0 ? 0 : W - c.reduce((s, x) => s + x * x, 0) / W;
  }
  let S = 0;
  for (const i of members) {
    W += rows.w[i]!;
    S += rows.w[i]! * rows.value[i]!;
  }
  const mean = S / W;
  return members.reduce((s, i) => s + rows.w[i]! * (rows.value[i]! - mean) ** 2, 0);
}

function goesLeft(bin: number, nBins: number, threshold: number, missingLeft: boolean): boolean {
  return bin === nBins ? missingLeft : bin <= threshold;
}

/** Every threshold bin and missing direction, by brute force: the lowest impurity with ≥ minLeaf rows a side. */
function naiveBest(rows: Rows, nBins: number, K: number, minLeaf: number): number | undefined {
  let best: number | undefined;
  for (let t = 0; t < nBins; t++)
    for (const missingLeft of [false, true]) {
      const left: number[] = [];
      const right: number[] = [];
      rows.bins.forEach((b, i) => (goesLeft(b, nBins, t, missingLeft) ? left : right).push(i));
      if (left.length < minLeaf || right.length < minLeaf) continue;
      const v = impurity(rows, left, K) + impurity(rows, right, K);
      if (best === undefined || v < best) best = v;
    }
  return best;
}

function histogramOf(
  rows: Rows,
  nBins: number,
  K: number,
  order?: Int32Array,
): { hist: Float64Array; list: Int32Array; nList: number } {
  const n = rows.bins.length;
  const idx = order ?? Int32Array.from({ length: n }, (_, i) => i);
  const S = K > 0 ? K + 1 : 3;
  const hist = new Float64Array((nBins + 1) * S);
  const seen = new Uint32Array(8);
  // Node-ordered labels and weights, as the grower lays them out.
  const w = Float64Array.from(idx, (i) => rows.w[i]!);
  if (K > 0)
    buildClassHistogram(
      rows.bins,
      0,
      idx,
      0,
      idx.length,
      Int32Array.from(idx, (i) => rows.y[i]!),
      w,
      K,
      hist,
      0,
      seen,
    );
  else {
    const wy = Float64Array.from(idx, (i) => rows.w[i]! * rows.value[i]!);
    buildValueHistogram(rows.bins, 0, idx, 0, idx.length, w, wy, hist, 0, seen);
  }
  const list = new Int32Array(256);
  const nList = listSeenBins(seen, nBins, list);
  expect(Array.from(seen)).toEqual(new Array(8).fill(0));
  return { hist, list, nList };
}

function scan(rows: Rows, nBins: number, K: number, minLeaf: number) {
  const { hist, list, nList } = histogramOf(rows, nBins, K);
  const best = emptySplit();
  let W = 0;
  let S = 0;
  const total = new Float64Array(Math.max(K, 1));
  rows.bins.forEach((_, i) => {
    W += rows.w[i]!;
    S += rows.w[i]! * rows.value[i]!;
    if (K > 0) total[rows.y[i]!]! += rows.w[i]!;
  });
  const n = rows.bins.length;
  if (K > 0)
    scanClassHistogram(hist, 0, nBins, list, nList, K, total, W, n, minLeaf, 0, new Float64Array(K), best);
  else scanValueHistogram(hist, 0, nBins, list, nList, W, S, n, minLeaf, 0, best);
  return best;
}

describe("the forest's split finder", () => {
  for (const K of [2, 3, 0])
    it(`finds the split of lowest ${K > 0 ? `gini (${K} classes)` : "squared error"} that brute force finds, over every bin and missing direction`, () => {
      const rng = new Random(K + 10);
      let compared = 0;
      for (let trial = 0; trial < 200; trial++) {
        const nBins = 1 + rng.int(12);
        const n = 1 + rng.int(40);
        const rows = randomRows(rng, n, nBins, K === 0 ? 1 : K, [0, 0.1, 0.5][trial % 3]!);
        const minLeaf = 1 + rng.int(4);
        const naive = naiveBest(rows, nBins, K, minLeaf);
        const best = scan(rows, nBins, K, minLeaf);
        if (naive === undefined) {
          expect(best.feature, `trial ${trial}`).toBe(-1);
          continue;
        }
        expect(best.feature, `trial ${trial}`).toBe(0);
        let W = 0;
        for (const w of rows.w) W += w;
        const left: number[] = [];
        const right: number[] = [];
        rows.bins.forEach((b, i) => (goesLeft(b, nBins, best.bin, best.missingLeft) ? left : right).push(i));
        expect(left.length).toBe(best.countLeft);
        expect(right.length).toBe(best.countRight);
        expect(Math.min(left.length, right.length)).toBeGreaterThanOrEqual(minLeaf);
        const ours = impurity(rows, left, K) + impurity(rows, right, K);
        expect(ours, `trial ${trial}`).toBeCloseTo(naive, 9);
        // For classes the proxy is W − the weighted gini impurity of the two sides.
        if (K > 0) expect(W - best.proxy).toBeCloseTo(ours, 9);
        compared++;
      }
      expect(compared).toBeGreaterThan(100);
    });

  it("puts a tie between identical partitions halfway between the node's values", () => {
    // Values in bins 1 and 7 only: every threshold 1..6 splits the same; the middle one is kept.
    const rows: Rows = {
      bins: Uint8Array.of(1, 1, 7, 7),
      y: Int32Array.of(0, 0, 1, 1),
      value: new Float64Array(4),
      w: new Float64Array(4).fill(1),
    };
    const best = scan(rows, 10, 2, 1);
    expect(best.bin).toBe(3);
  });

  it("sends the missing rows where they fit, and splits missing from present values", () => {
    // Class 1 exactly where the value is missing.
    const rows: Rows = {
      bins: Uint8Array.of(0, 1, 2, 4, 4, 4),
      y: Int32Array.of(0, 0, 0, 1, 1, 1),
      value: new Float64Array(6),
      w: new Float64Array(6).fill(1),
    };
    const best = scan(rows, 4, 2, 1);
    expect(best.proxy).toBe(6); // a perfect split: Σ c²/W = 3 + 3
    expect(best.bin === 3 || (best.bin === 2 && !best.missingLeft)).toBe(true);
    expect(best.countRight).toBe(3);
  });

  it("builds the same histogram whatever the row order, and the larger child by subtraction", () => {
    const rng = new Random(5);
    const rows = randomRows(rng, 500, 30, 3, 0.1);
    const a = histogramOf(rows, 30, 3).hist;
    const order = rng.permutation(500);
    const b = histogramOf(rows, 30, 3, order).hist;
    // Integer weights: every sum is exact, so the order cannot change a bit.
    expect(Array.from(b)).toEqual(Array.from(a));
    const half = Int32Array.from({ length: 250 }, (_, i) => i * 2);
    const other = Int32Array.from({ length: 250 }, (_, i) => i * 2 + 1);
    const parent = a.slice();
    const small = histogramOf(rows, 30, 3, half).hist;
    const both = new Float64Array(parent.length * 2);
    both.set(parent, 0);
    both.set(small, parent.length);
    subtractHistogram(both, 0, parent.length, parent.length);
    expect(Array.from(both.subarray(0, parent.length))).toEqual(
      Array.from(histogramOf(rows, 30, 3, other).hist),
    );
  });

  it("lists the bins a node touches, ascending, as a scan of the counts does, and clears them", () => {
    const rows = randomRows(new Random(1), 50, 200, 2, 0);
    rows.bins.fill(5);
    rows.bins[3] = 150;
    rows.bins[7] = 200; // missing
    rows.bins[9] = 37;
    const { hist, list, nList } = histogramOf(rows, 200, 2);
    expect(Array.from(list.subarray(0, nList))).toEqual([5, 37, 150]);
    const again = new Int32Array(256);
    expect(listNonEmptyBins(hist, 0, 3, 2, 200, again)).toBe(3);
    expect(Array.from(again.subarray(0, 3))).toEqual([5, 37, 150]);
    clearBins(hist, 0, 3, 200, list, nList);
    expect(hist.every((v) => v === 0)).toBe(true);
  });

  for (const K of [2, 3, 0])
    it(`builds several features in one pass (${K > 0 ? `${K} classes` : "values"}) as one at a time, bin marks included`, () => {
      const rng = new Random(K + 40);
      const n = 300;
      const F = 5;
      const nBins = [2, 1, 40, 200, 7];
      const bins = new Uint8Array(n * F);
      for (let f = 0; f < F; f++)
        for (let i = 0; i < n; i++) bins[f * n + i] = rng.next() < 0.1 ? nBins[f]! : rng.int(nBins[f]!);
      const idx = Int32Array.from({ length: 120 }, () => rng.int(n));
      const y = Int32Array.from(idx, () => rng.int(Math.max(K, 1)));
      const w = Float64Array.from(idx, () => 1 + rng.int(3));
      const wy = Float64Array.from(w, (x) => x * rng.normal());
      const S = K > 0 ? K + 1 : 3;
      const slots = 256 * S;
      // One at a time.
      const alone = new Float64Array(F * slots);
      const aloneSeen = new Uint32Array(8 * F);
      for (let f = 0; f < F; f++) {
        const seen = aloneSeen.subarray(8 * f, 8 * f + 8);
        if (K > 0) buildClassHistogram(bins, f * n, idx, 10, 110, y, w, K, alone, f * slots, seen);
        else buildValueHistogram(bins, f * n, idx, 10, 110, w, wy, alone, f * slots, seen);
      }
      // Together, in the order 3, 0, 2 (marks) and 4, 1 (no marks).
      const together = new Float64Array(F * slots);
      const seen = new Uint32Array(8 * 3);
      const marked = Int32Array.of(3, 0, 2);
      const plain = Int32Array.of(4, 1);
      const cols = (fs: Int32Array) => Int32Array.from(fs, (f) => f * n);
      const at = (fs: Int32Array) => Int32Array.from(fs, (f) => f * slots);
      if (K > 0) {
        buildClassHistograms(bins, cols(marked), at(marked), 3, idx, 10, 110, y, w, K, together, seen);
        buildClassHistogramsFew(bins, cols(plain), at(plain), 2, idx, 10, 110, y, w, K, together);
      } else {
        buildValueHistograms(bins, cols(marked), at(marked), 3, idx, 10, 110, w, wy, together, seen);
        buildValueHistogramsFew(bins, cols(plain), at(plain), 2, idx, 10, 110, w, wy, together);
      }
      expect(together).toEqual(alone);
      marked.forEach((f, j) =>
        expect(seen.subarray(8 * j, 8 * j + 8)).toEqual(aloneSeen.subarray(8 * f, 8 * f + 8)),
      );
    });
});
