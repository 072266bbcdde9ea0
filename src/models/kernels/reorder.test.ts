import { describe, expect, it } from "vitest";
import { Random } from "../../data/random.js";
import { HIST_STRIDE, histogramLeafRows } from "./histogram.js";
import { gatherBytes, gatherFloat64, gatherInt32 } from "./reorder.js";
import { packRows, packRowsInto } from "./rowbins.js";
import { maxRelativeDifference, packAll, randomBins, randomRows } from "./test-utils/random-bins.js";

describe("row reordering", () => {
  it("gathers every kind of column so that new row i is old row order[i]", () => {
    const order = Int32Array.of(3, 0, 4, 1, 2);
    const bytes = new Uint8Array(5);
    gatherBytes(Uint8Array.of(9, 9, 10, 11, 12, 13, 14), 2, order, bytes);
    expect([...bytes]).toEqual([13, 10, 14, 11, 12]);
    const doubles = new Float64Array(5);
    gatherFloat64(Float64Array.of(0.5, 1.5, 2.5, 3.5, 4.5), 0, order, doubles);
    expect([...doubles]).toEqual([3.5, 0.5, 4.5, 1.5, 2.5]);
    const ints = new Int32Array(5);
    gatherInt32(Int32Array.of(-1, -2, -3, -4, -5), order, ints);
    expect([...ints]).toEqual([-4, -1, -5, -2, -3]);
  });

  it("packs the reordered columns in place so that new row i holds old row order[i]'s entries", () => {
    const d = randomBins(800, 6, 5);
    const order = new Random(6).permutation(d.nRows);
    const pack = packAll(d);
    const before = packAll(d);
    const column = new Uint8Array(d.nRows);
    for (let f = 0; f < d.nFeatures; f++) {
      gatherBytes(d.bins, f * d.nRows, order, column);
      d.bins.set(column, f * d.nRows);
    }
    const entries = pack.entries;
    packRowsInto(d.bins, d.nRows, d.binOffset, d.defaultBin, pack);
    expect(pack.entries).toBe(entries);
    for (let i = 0; i < d.nRows; i++) {
      const r = order[i]!;
      expect([...pack.entries.subarray(pack.rowStart[i], pack.rowStart[i + 1])], `row ${i}`).toEqual([
        ...before.entries.subarray(before.rowStart[r], before.rowStart[r + 1]),
      ]);
    }
  });

  it("leaves a leaf's histogram unchanged when its rows are renumbered", () => {
    const d = randomBins(3000, 7, 7);
    const order = new Random(8).permutation(d.nRows);
    const where = new Int32Array(d.nRows);
    for (let i = 0; i < d.nRows; i++) where[order[i]!] = i;
    const pack = packAll(d);
    const bins = new Uint8Array(d.bins.length);
    const column = new Uint8Array(d.nRows);
    for (let f = 0; f < d.nFeatures; f++) {
      gatherBytes(d.bins, f * d.nRows, order, column);
      bins.set(column, f * d.nRows);
    }
    const { rowStart: start, entries } = packRows(
      bins,
      d.nRows,
      0,
      d.nFeatures,
      d.binOffset,
      d.defaultBin,
      false,
    );
    const g = Float32Array.from(order, (r) => d.g[r]!);
    const h = Float32Array.from(order, (r) => d.h[r]!);
    const rows = randomRows(d.nRows, 0.2, 9);
    const moved = Int32Array.from(rows, (r) => where[r]!).sort();
    const before = new Float64Array(d.totalBins * HIST_STRIDE);
    histogramLeafRows(pack.rowStart, pack.entries, rows, 0, rows.length, d.g, d.h, 0, before, 0);
    const after = new Float64Array(before.length);
    histogramLeafRows(start, entries, moved, 0, moved.length, g, h, 0, after, 0);
    const channel = (a: Float64Array, c: number) => a.filter((_, j) => j % HIST_STRIDE === c);
    expect(channel(after, 2)).toEqual(channel(before, 2));
    expect(maxRelativeDifference(channel(after, 0), channel(before, 0))).toBeLessThan(1e-12);
    expect(maxRelativeDifference(channel(after, 1), channel(before, 1))).toBeLessThan(1e-12);
  });
});
