import { describe, expect, it } from "vitest";
import { balancedRanges, mostFrequentBins, packRows } from "./rowbins.js";
import { randomBins } from "./test-utils/random-bins.js";

describe("row-wise packed bins", () => {
  it("hold each row's global bins in feature order, without default bins", () => {
    const d = randomBins(500, 6, 2);
    const pack = packRows(d.bins, d.nRows, 1, 5, d.binOffset, d.defaultBin, false);
    expect(pack.entries).toBeInstanceOf(Uint16Array);
    for (let r = 0; r < d.nRows; r++) {
      const expected: number[] = [];
      for (let f = 1; f < 5; f++) {
        const global = d.binOffset[f]! + d.bins[f * d.nRows + r]!;
        if (global !== d.defaultBin[f]) expected.push(global);
      }
      expect([...pack.entries.subarray(pack.rowStart[r], pack.rowStart[r + 1])], `row ${r}`).toEqual(
        expected,
      );
    }
  });

  it("use 32-bit entries once global bins pass 65,535", () => {
    const nRows = 3;
    const binOffset = Int32Array.of(0, 70_000, 70_010);
    const pack = packRows(
      Uint8Array.of(1, 2, 3, 4, 5, 6),
      nRows,
      0,
      2,
      binOffset,
      Int32Array.of(-1, -1),
      true,
    );
    expect(pack.entries).toBeInstanceOf(Uint32Array);
    expect(pack.entries.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect([...pack.entries.subarray(0, 6)]).toEqual([1, 70_004, 2, 70_005, 3, 70_006]);
  });

  it("name each feature's most frequent bin (the lowest on ties) and its share", () => {
    const bins = Uint8Array.of(2, 2, 0, 1, /* feature 1 */ 1, 0, 0, 1);
    const bin = new Int32Array(2);
    const share = new Float64Array(2);
    mostFrequentBins(bins, 4, 2, Int32Array.of(3, 2), bin, share);
    expect([...bin]).toEqual([2, 0]);
    expect([...share]).toEqual([0.5, 0.5]);
  });

  it("cut features into contiguous, non-empty ranges of about equal work", () => {
    const work = Float64Array.of(10, 1, 1, 1, 10, 1, 1, 1, 10, 1);
    for (const parts of [1, 2, 3, 4, 10, 20]) {
      const r = balancedRanges(work, parts);
      expect(r[0]).toBe(0);
      expect(r[r.length - 1]).toBe(work.length);
      expect(r.length - 1).toBeLessThanOrEqual(Math.min(parts, work.length));
      for (let i = 1; i < r.length; i++) expect(r[i]!).toBeGreaterThan(r[i - 1]!);
    }
    expect([...balancedRanges(work, 2)]).toEqual([0, 5, 10]);
  });
});
