import { describe, expect, it } from "vitest";
import { Random } from "../../data/random.js";
import { featureMatrix } from "../../features/matrix.js";
import { fitBinMapper } from "../binning.js";
import { leafOf, type Tree } from "../tree.js";
import { binColumns } from "./bin.js";
import {
  addToRows,
  addTreeToBinnedRows,
  partitionRowRangeApart,
  partitionRows,
  partitionRowsApart,
  scoreSplitRows,
} from "./partition.js";
import { randomBins, randomRows } from "./test-utils/random-bins.js";

describe("row partition", () => {
  it("splits a leaf's rows stably, left rows first, missing values to the chosen side", () => {
    const d = randomBins(3000, 4, 3);
    for (const f of [0, 1, 2, 3])
      for (const missingLeft of [0, 1])
        for (const splitBin of [0, 1, d.nValueBins[f]! - 1]) {
          const leaf = randomRows(d.nRows, 0.5, f * 10 + missingLeft);
          const rows = new Int32Array(leaf.length + 20).fill(-7);
          rows.set(leaf, 10);
          const missingBin = d.nValueBins[f]!;
          const goesLeft = (r: number): boolean => {
            const b = d.bins[f * d.nRows + r]!;
            return b === missingBin ? missingLeft === 1 : b <= splitBin;
          };
          const left = [...leaf].filter(goesLeft);
          const right = [...leaf].filter((r) => !goesLeft(r));
          const n = partitionRows(
            rows,
            10,
            leaf.length,
            d.bins,
            f * d.nRows,
            splitBin,
            missingBin,
            missingLeft,
            new Int32Array(leaf.length),
          );
          expect(n).toBe(left.length);
          expect([...rows.subarray(10, 10 + leaf.length)]).toEqual([...left, ...right]);
          // Nothing outside the leaf's range moves.
          expect([...rows.subarray(0, 10), ...rows.subarray(10 + leaf.length)].every((r) => r === -7)).toBe(
            true,
          );
        }
  });

  it("splits chunks apart that, stitched in order, give the single-pass partition", () => {
    const d = randomBins(5000, 3, 7);
    const f = 1;
    const missingBin = d.nValueBins[f]!;
    const leaf = randomRows(d.nRows, 0.6, 8);
    const n = leaf.length;
    const expected = leaf.slice();
    const nLeft = partitionRows(expected, 0, n, d.bins, f * d.nRows, 3, missingBin, 1, new Int32Array(n));
    for (const chunks of [1, 2, 5]) {
      const rows = leaf.slice();
      const scratch = new Int32Array(n).fill(-1);
      const starts = Array.from({ length: chunks + 1 }, (_, c) => Math.floor((n * c) / chunks));
      const lefts = starts
        .slice(0, -1)
        .map((s, c) =>
          partitionRowsApart(rows, s, starts[c + 1]! - s, d.bins, f * d.nRows, 3, missingBin, 1, scratch, s),
        );
      const stitched = [
        ...lefts.flatMap((l, c) => [...rows.subarray(starts[c], starts[c]! + l)]),
        // Chunk c's right rows sit in the scratch from the chunk's start.
        ...lefts.flatMap((l, c) => [...scratch.subarray(starts[c], starts[c + 1]! - l)]),
      ];
      expect(lefts.reduce((a, b) => a + b, 0)).toBe(nLeft);
      expect(stitched).toEqual([...expected]);
    }
  });

  it("splits a range of rows in order as the same rows listed in the partition", () => {
    const d = randomBins(2000, 2, 9);
    const f = 0;
    const missingBin = d.nValueBins[f]!;
    for (const missingLeft of [0, 1]) {
      const listed = Int32Array.from({ length: 900 }, (_, i) => 100 + i);
      const scratchA = new Int32Array(2000);
      const a = partitionRowsApart(
        listed,
        0,
        900,
        d.bins,
        f * d.nRows,
        2,
        missingBin,
        missingLeft,
        scratchA,
        0,
      );
      const rows = new Int32Array(2000).fill(-3);
      const scratchB = new Int32Array(2000);
      const b = partitionRowRangeApart(
        rows,
        100,
        900,
        d.bins,
        f * d.nRows,
        2,
        missingBin,
        missingLeft,
        scratchB,
        0,
      );
      expect(b).toBe(a);
      expect([...rows.subarray(100, 100 + b)]).toEqual([...listed.subarray(0, a)]);
      expect([...scratchB.subarray(0, 900 - b)]).toEqual([...scratchA.subarray(0, 900 - a)]);
    }
  });

  it("adds a value to the scores of a leaf's rows only", () => {
    const raw = new Float64Array(12).fill(1);
    addToRows(Int32Array.of(9, 2, 5, 7), 1, 2, 0.5, raw, 2);
    expect([...raw]).toEqual([1, 1, 1, 1, 1.5, 1, 1, 1.5, 1, 1, 1, 1]);
  });

  it("routes binned rows through a tree to the leaf raw values reach", () => {
    const rng = new Random(17);
    const n = 2000;
    const F = 3;
    const data = new Float64Array(n * F);
    for (let i = 0; i < data.length; i++)
      data[i] = rng.next() < 0.1 ? NaN : Math.round(rng.normal() * 50) / 10;
    const X = featureMatrix(n, ["a", "b", "c"], data);
    const mapper = fitBinMapper(X, { maxBins: 16 });
    const bins = new Uint8Array(n * F);
    binColumns(X.data, n, mapper.thresholds, bins);
    // A small tree: 0 splits a at bin 5 (missing left), 1 splits c at bin 2 (missing right).
    const splitBin = Int32Array.of(5, 2, -1, -1, -1);
    const tree: Tree = {
      nNodes: 5,
      valueDim: 1,
      feature: Int32Array.of(0, 2, -1, -1, -1),
      threshold: Float64Array.of(mapper.thresholds[0]![5]!, mapper.thresholds[2]![2]!, 0, 0, 0),
      missingLeft: Uint8Array.of(1, 0, 0, 0, 0),
      left: Int32Array.of(1, 3, -1, -1, -1),
      right: Int32Array.of(2, 4, -1, -1, -1),
      value: Float64Array.of(0, 0, 10, 20, 30),
      cover: new Float64Array(5),
      gain: new Float64Array(5),
    };
    const rows = Int32Array.from({ length: n }, (_, i) => i);
    const raw = new Float64Array(n);
    addTreeToBinnedRows(
      rows,
      0,
      n,
      bins,
      n,
      tree.feature,
      splitBin,
      tree.missingLeft,
      tree.left,
      tree.right,
      mapper.nBins,
      tree.value,
      raw,
      0,
    );
    for (let i = 0; i < n; i++) expect(raw[i], `row ${i}`).toBe(tree.value[leafOf(tree, X, i)]);
  });

  it("scores a final split's rows as partitioning them and adding each side's value does", () => {
    const d = randomBins(4000, 3, 17);
    for (const inOrder of [0, 1])
      for (const missingLeft of [0, 1]) {
        const f = 1;
        const missingBin = d.nValueBins[f]!;
        const splitBin = 2;
        const leaf =
          inOrder === 1 ? Int32Array.from({ length: 900 }, (_, i) => 300 + i) : randomRows(d.nRows, 0.3, 18);
        const begin = inOrder === 1 ? 300 : 0;
        const rows = inOrder === 1 ? new Int32Array(d.nRows) : leaf.slice();
        const scored = Float64Array.from({ length: 2 * d.nRows }, (_, i) => i * 0.25);
        const expected = scored.slice();
        const nLeft = scoreSplitRows(
          rows,
          begin,
          leaf.length,
          inOrder,
          d.bins,
          f * d.nRows,
          splitBin,
          missingBin,
          missingLeft,
          0.125,
          -0.5,
          scored,
          d.nRows,
        );
        const parted = leaf.slice();
        const left = partitionRows(
          parted,
          0,
          parted.length,
          d.bins,
          f * d.nRows,
          splitBin,
          missingBin,
          missingLeft,
          new Int32Array(parted.length),
        );
        addToRows(parted, 0, left, 0.125, expected, d.nRows);
        addToRows(parted, left, parted.length - left, -0.5, expected, d.nRows);
        expect(nLeft).toBe(left);
        expect(scored).toEqual(expected);
        if (inOrder === 1) expect(rows.every((r) => r === 0)).toBe(true);
      }
  });
});
