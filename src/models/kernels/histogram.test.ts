import { describe, expect, it } from "vitest";
import { Random } from "../../data/random.js";
import {
  addHistogram,
  addHistogramAndClear,
  BATCH_ROWS,
  fillConstantHessians,
  fillDefaultBins,
  histogramAllRows,
  histogramAllRowsConstantHessian,
  histogramAllRowsGradients,
  histogramAllRowsUncounted,
  histogramColumn,
  histogramLeafRows,
  histogramLeafRowsBatched,
  histogramLeafRowsBatchedConstantHessian,
  histogramLeafRowsConstantHessian,
  HIST_STRIDE,
  setCounts,
  subtractHistogram,
} from "./histogram.js";
import { balancedRanges, packRows } from "./rowbins.js";
import {
  maxRelativeDifference,
  naiveHistogram,
  packAll,
  randomBins,
  randomRows,
  type RandomBins,
} from "./test-utils/random-bins.js";

/** A leaf's histogram the way the learner builds it: packed rows, then the default bins. */
function leafHistogram(d: RandomBins, rows: Int32Array, batched = false): Float64Array {
  const pack = packAll(d);
  const hist = new Float64Array(d.totalBins * HIST_STRIDE);
  if (batched)
    histogramLeafRowsBatched(
      pack.rowStart,
      pack.entries,
      rows,
      0,
      rows.length,
      d.g,
      d.h,
      0,
      hist,
      0,
      new Int32Array(2 * BATCH_ROWS),
      new Float64Array(2 * BATCH_ROWS),
    );
  else histogramLeafRows(pack.rowStart, pack.entries, rows, 0, rows.length, d.g, d.h, 0, hist, 0);
  let sg = 0;
  let sh = 0;
  for (const r of rows) {
    sg += d.g[r]!;
    sh += d.h[r]!;
  }
  fillDefaultBins(hist, 0, 0, d.nFeatures, d.binOffset, d.defaultBin, sg, sh, rows.length);
  return hist;
}

function channel(hist: Float64Array, c: number): Float64Array {
  return Float64Array.from({ length: hist.length / HIST_STRIDE }, (_, j) => hist[j * HIST_STRIDE + c]!);
}

function expectSameHistogram(actual: Float64Array, expected: Float64Array, tol = 1e-12): void {
  expect(channel(actual, 2)).toEqual(channel(expected, 2));
  expect(maxRelativeDifference(channel(actual, 0), channel(expected, 0))).toBeLessThan(tol);
  expect(maxRelativeDifference(channel(actual, 1), channel(expected, 1))).toBeLessThan(tol);
}

describe("histogram kernels", () => {
  it("sum a leaf's rows into the bins of every feature, as the naive per-feature loop does", () => {
    for (const seed of [1, 2, 3]) {
      const d = randomBins(3000, 7, seed);
      const rows = randomRows(d.nRows, 0.4, seed + 10);
      expectSameHistogram(leafHistogram(d, rows), naiveHistogram(d, rows, d.g, d.h));
    }
  });

  it("restore left-out default bins exactly in counts and to rounding in sums", () => {
    const d = randomBins(2000, 6, 4);
    expect([...d.defaultBin].some((b) => b >= 0)).toBe(true);
    const rows = randomRows(d.nRows, 1, 0);
    const hist = leafHistogram(d, rows);
    const naive = naiveHistogram(d, rows, d.g, d.h);
    for (let f = 0; f < d.nFeatures; f++) {
      const b = d.defaultBin[f]!;
      if (b < 0) continue;
      expect(hist[b * HIST_STRIDE + 2]).toBe(naive[b * HIST_STRIDE + 2]);
      expect(hist[b * HIST_STRIDE]).toBeCloseTo(naive[b * HIST_STRIDE]!, 9);
    }
  });

  it("give the same bits whether a leaf is built in batches or row by row", () => {
    for (const share of [0.01, 0.3, 1]) {
      const d = randomBins(5000, 5, 7);
      const rows = randomRows(d.nRows, share, 8);
      expect(leafHistogram(d, rows, true)).toEqual(leafHistogram(d, rows, false));
    }
  });

  it("do not depend on the order of the rows", () => {
    const d = randomBins(4000, 6, 11);
    const rows = randomRows(d.nRows, 0.5, 12);
    const shuffled = new Random(13).shuffle(rows.slice());
    expectSameHistogram(leafHistogram(d, shuffled), leafHistogram(d, rows));
  });

  it("get the larger child by subtracting the smaller from the parent, as a direct build does", () => {
    const d = randomBins(6000, 6, 21);
    const parent = randomRows(d.nRows, 0.7, 22);
    const inSmall = new Random(23);
    const small: number[] = [];
    const large: number[] = [];
    for (const r of parent) (inSmall.next() < 0.3 ? small : large).push(r);
    const hist = leafHistogram(d, parent);
    subtractHistogram(hist, 0, leafHistogram(d, Int32Array.from(small)), 0, hist.length);
    const direct = leafHistogram(d, Int32Array.from(large));
    expect(channel(hist, 2)).toEqual(channel(direct, 2));
    // Subtraction rounds against the parent's sums, so compare at the parent's scale.
    const scale = maxRelativeDifference(channel(hist, 0), channel(direct, 0));
    expect(scale).toBeLessThan(1e-12);
  });

  it("build every row in place exactly as a leaf holding every row", () => {
    const d = randomBins(3000, 5, 31);
    const pack = packAll(d);
    const all = new Float64Array(d.totalBins * HIST_STRIDE);
    histogramAllRows(pack.rowStart, pack.entries, d.nRows, d.g, d.h, 0, all, 0);
    const rows = Int32Array.from({ length: d.nRows }, (_, i) => i);
    const leaf = new Float64Array(all.length);
    histogramLeafRows(pack.rowStart, pack.entries, rows, 0, d.nRows, d.g, d.h, 0, leaf, 0);
    expect(all).toEqual(leaf);
  });

  it("sum chunks of rows in place that add up to the histogram of every row", () => {
    const d = randomBins(3000, 5, 33);
    const pack = packAll(d);
    const L = d.totalBins * HIST_STRIDE;
    const all = new Float64Array(L);
    histogramAllRows(pack.rowStart, pack.entries, d.nRows, d.g, d.h, 0, all, 0);
    const first = new Float64Array(L);
    const second = new Float64Array(2 * L);
    histogramAllRows(pack.rowStart, pack.entries, 1200, d.g, d.h, 0, first, 0);
    histogramAllRows(pack.rowStart, pack.entries, d.nRows, d.g, d.h, 0, second, L, 1200);
    // A chunk is the rows it names only: as a leaf of those rows.
    const rows = Int32Array.from({ length: d.nRows - 1200 }, (_, i) => 1200 + i);
    const leaf = new Float64Array(L);
    histogramLeafRows(pack.rowStart, pack.entries, rows, 0, rows.length, d.g, d.h, 0, leaf, 0);
    expect(second.subarray(L)).toEqual(leaf);
    expect(second.subarray(0, L).every((v) => v === 0)).toBe(true);
    const before = first.slice();
    addHistogram(first, 0, second, L, L);
    expect([...first]).toEqual([...before].map((v, j) => v + leaf[j]!));
    expect(channel(first, 2)).toEqual(channel(all, 2));
    expect(maxRelativeDifference(channel(first, 0), channel(all, 0))).toBeLessThan(1e-12);
    expect(maxRelativeDifference(channel(first, 1), channel(all, 1))).toBeLessThan(1e-12);
  });

  it("read gradients from an offset and write at a histogram offset", () => {
    const d = randomBins(500, 4, 41);
    const pack = packAll(d);
    const L = d.totalBins * HIST_STRIDE;
    const g2 = new Float32Array(2 * d.nRows);
    const h2 = new Float32Array(2 * d.nRows);
    g2.set(d.g, d.nRows);
    h2.set(d.h, d.nRows);
    const hist = new Float64Array(3 * L);
    histogramAllRows(pack.rowStart, pack.entries, d.nRows, g2, h2, d.nRows, hist, 2 * L);
    const plain = new Float64Array(L);
    histogramAllRows(pack.rowStart, pack.entries, d.nRows, d.g, d.h, 0, plain, 0);
    expect(hist.subarray(2 * L)).toEqual(plain);
    expect(hist.subarray(0, 2 * L).every((v) => v === 0)).toBe(true);
  });

  it("with a constant hessian, sum gradients and counts and take hessians from the counts", () => {
    const d = randomBins(3000, 6, 51);
    d.h.fill(1);
    const pack = packAll(d);
    const rows = randomRows(d.nRows, 0.05, 52);
    const L = d.totalBins * HIST_STRIDE;
    const variants: Float64Array[] = [];
    for (const kernel of ["all", "leaf", "batched"] as const) {
      const hist = new Float64Array(L);
      if (kernel === "all")
        histogramAllRowsConstantHessian(pack.rowStart, pack.entries, d.nRows, d.g, 0, hist, 0);
      else if (kernel === "leaf")
        histogramLeafRowsConstantHessian(pack.rowStart, pack.entries, rows, 0, rows.length, d.g, 0, hist, 0);
      else
        histogramLeafRowsBatchedConstantHessian(
          pack.rowStart,
          pack.entries,
          rows,
          0,
          rows.length,
          d.g,
          0,
          hist,
          0,
          new Int32Array(2 * BATCH_ROWS),
          new Float64Array(2 * BATCH_ROWS),
        );
      fillConstantHessians(hist, 0, 0, d.totalBins, 1);
      variants.push(hist);
    }
    const full = new Float64Array(L);
    histogramAllRows(pack.rowStart, pack.entries, d.nRows, d.g, d.h, 0, full, 0);
    expect(variants[0]).toEqual(full);
    const leafFull = new Float64Array(L);
    histogramLeafRows(pack.rowStart, pack.entries, rows, 0, rows.length, d.g, d.h, 0, leafFull, 0);
    expect(variants[1]).toEqual(leafFull);
    expect(variants[2]).toEqual(leafFull);
  });

  it("sum every row without counts, then take known counts, as the counted build does", () => {
    const d = randomBins(3000, 7, 81);
    const pack = packAll(d);
    const L = d.totalBins * HIST_STRIDE;
    const counted = new Float64Array(L);
    histogramAllRows(pack.rowStart, pack.entries, d.nRows, d.g, d.h, 0, counted, 0);
    const counts = Float64Array.from({ length: d.totalBins }, (_, j) => counted[j * HIST_STRIDE + 2]!);
    // Chunks summed apart, as the threads do, then the counts put back.
    const hist = new Float64Array(2 * L);
    histogramAllRowsUncounted(pack.rowStart, pack.entries, 1700, d.g, d.h, 0, hist, 0);
    histogramAllRowsUncounted(pack.rowStart, pack.entries, d.nRows, d.g, d.h, 0, hist, L, 1700);
    expect(channel(hist.subarray(0, L), 2).every((c) => c === 0)).toBe(true);
    addHistogram(hist, 0, hist, L, L);
    setCounts(hist, 0, 0, d.totalBins, counts);
    const twoChunks = new Float64Array(2 * L);
    histogramAllRows(pack.rowStart, pack.entries, 1700, d.g, d.h, 0, twoChunks, 0);
    histogramAllRows(pack.rowStart, pack.entries, d.nRows, d.g, d.h, 0, twoChunks, L, 1700);
    addHistogram(twoChunks, 0, twoChunks, L, L);
    expect(hist.subarray(0, L)).toEqual(twoChunks.subarray(0, L));
    let sg = 0;
    let sh = 0;
    for (let i = 0; i < d.nRows; i++) {
      sg += d.g[i]!;
      sh += d.h[i]!;
    }
    fillDefaultBins(hist, 0, 0, d.nFeatures, d.binOffset, d.defaultBin, sg, sh, d.nRows);
    expectSameHistogram(hist.subarray(0, L), naiveHistogram(d, randomRows(d.nRows, 1, 0), d.g, d.h));
  });

  it("with a constant hessian, sum every row's gradients only, as the counted build does", () => {
    const d = randomBins(2500, 6, 83);
    d.h.fill(1);
    const pack = packAll(d);
    const L = d.totalBins * HIST_STRIDE;
    const counted = new Float64Array(L);
    histogramAllRowsConstantHessian(pack.rowStart, pack.entries, d.nRows, d.g, 0, counted, 0);
    const counts = Float64Array.from({ length: d.totalBins }, (_, j) => counted[j * HIST_STRIDE + 2]!);
    const hist = new Float64Array(L);
    histogramAllRowsGradients(pack.rowStart, pack.entries, d.nRows, d.g, 0, hist, 0);
    setCounts(hist, 0, 0, d.totalBins, counts);
    expect(hist).toEqual(counted);
  });

  it("build the same histogram from feature ranges packed apart as from one pack", () => {
    const d = randomBins(2000, 9, 61);
    const ranges = balancedRanges(new Float64Array(d.nFeatures).fill(1), 3);
    expect(ranges.length).toBe(4);
    const rows = randomRows(d.nRows, 0.5, 62);
    const split = new Float64Array(d.totalBins * HIST_STRIDE);
    for (let p = 0; p + 1 < ranges.length; p++) {
      const pack = packRows(d.bins, d.nRows, ranges[p]!, ranges[p + 1]!, d.binOffset, d.defaultBin, false);
      histogramLeafRows(pack.rowStart, pack.entries, rows, 0, rows.length, d.g, d.h, 0, split, 0);
    }
    const whole = packAll(d);
    const one = new Float64Array(split.length);
    histogramLeafRows(whole.rowStart, whole.entries, rows, 0, rows.length, d.g, d.h, 0, one, 0);
    expect(split).toEqual(one);
  });

  it("build one feature column-wise as the naive loop does", () => {
    const d = randomBins(2500, 4, 71);
    const rows = randomRows(d.nRows, 0.6, 72);
    const naive = naiveHistogram(d, rows, d.g, d.h);
    const hist = new Float64Array(d.totalBins * HIST_STRIDE);
    for (let f = 0; f < d.nFeatures; f++)
      histogramColumn(
        d.bins,
        f * d.nRows,
        rows,
        0,
        rows.length,
        d.g,
        d.h,
        0,
        hist,
        d.binOffset[f]! * HIST_STRIDE,
      );
    expect(hist).toEqual(naive);
  });

  it("add a chunk's histogram as addHistogram does and leave the chunk at zero", () => {
    const hist = Float64Array.from({ length: 12 }, (_, j) => j * 0.5);
    const chunks = Float64Array.from({ length: 24 }, (_, j) => (j % 5) - 2.25);
    const expected = hist.slice();
    addHistogram(expected, 3, chunks, 12, 6);
    addHistogramAndClear(hist, 3, chunks, 12, 6);
    expect(hist).toEqual(expected);
    expect([...chunks.subarray(12, 18)]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(chunks[11]).not.toBe(0);
    expect(chunks[18]).not.toBe(0);
  });
});
