import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { featureMatrix } from "../features/matrix.js";
import { Random } from "../data/random.js";
import { binMatrix, binOf, featureThresholds, fitBinMapper } from "./binning.js";

interface Reference {
  values: Record<string, number[]>;
  cases: { name: string; maxBins: number; thresholds: number[]; probe: number[]; bins: number[] }[];
}
const ref = JSON.parse(
  readFileSync(new URL("./fixtures/binning-reference.json", import.meta.url), "utf8"),
) as Reference;

describe("binning", () => {
  it("places thresholds as scikit-learn's HistGradientBoosting does, and maps values to the same bins", () => {
    for (const c of ref.cases) {
      const sorted = Float64Array.from(ref.values[c.name]!).sort();
      const t = featureThresholds(sorted, c.maxBins);
      // scikit-learn keeps repeated cuts (and cuts at the maximum) as empty bins; we drop them.
      const max = sorted[sorted.length - 1]!;
      const expected = c.thresholds.filter((x, i) => x < max && (i === 0 || x !== c.thresholds[i - 1]));
      // (-0 and 0 are the same cut.)
      expect(
        [...t].map((x) => x + 0),
        `${c.name} maxBins ${c.maxBins}`,
      ).toEqual(expected.map((x) => x + 0));
      if (expected.length === c.thresholds.length)
        c.probe.forEach((x, i) => expect(binOf(t, x), `${c.name}: ${x}`).toBe(c.bins[i]));
    }
  });

  it("puts missing values in their own bin, one past the value bins", () => {
    const X = featureMatrix(5, ["a"], Float64Array.from([1, NaN, 2, 3, NaN]));
    const m = fitBinMapper(X);
    expect(m.nBins[0]).toBe(3);
    expect(m.hasMissing[0]).toBe(1);
    expect([...binMatrix(X, m)]).toEqual([0, 3, 1, 2, 3]);
  });

  it("gives a constant feature one bin and no thresholds", () => {
    const X = featureMatrix(4, ["c"], Float64Array.from([7, 7, 7, 7]));
    const m = fitBinMapper(X);
    expect(m.nBins[0]).toBe(1);
    expect(m.thresholds[0]!.length).toBe(0);
    expect([...binMatrix(X, m)]).toEqual([0, 0, 0, 0]);
  });

  it("routes raw values and bins the same way: bin ≤ b exactly when x ≤ threshold b", () => {
    const rng = new Random(3);
    const n = 5000;
    const data = new Float64Array(n);
    for (let i = 0; i < n; i++) data[i] = rng.next() < 0.05 ? NaN : Math.round(rng.normal() * 1000) / 100;
    const X = featureMatrix(n, ["x"], data);
    const m = fitBinMapper(X, { maxBins: 32 });
    const bins = binMatrix(X, m);
    const t = m.thresholds[0]!;
    let disagreements = 0;
    for (let b = 0; b < t.length; b++)
      for (let i = 0; i < n; i++)
        if (data[i] === data[i] && bins[i]! <= b !== data[i]! <= t[b]!) disagreements++;
    expect(disagreements).toBe(0);
  });

  it("keeps huge values finite and ordered", () => {
    const X = featureMatrix(4, ["x"], Float64Array.from([-1e300, 1e300, 1.7e308, -1.7e308]));
    const t = fitBinMapper(X).thresholds[0]!;
    expect([...t].every(Number.isFinite)).toBe(true);
    expect([...binMatrix(X, fitBinMapper(X))]).toEqual([1, 2, 3, 0]);
  });

  it("samples rows to place thresholds, reproducibly", () => {
    const rng = new Random(9);
    const n = 50_000;
    const data = Float64Array.from({ length: n }, () => rng.normal());
    const X = featureMatrix(n, ["x"], data);
    const a = fitBinMapper(X, { sampleRows: 10_000, seed: 1 });
    const b = fitBinMapper(X, { sampleRows: 10_000, seed: 1 });
    expect([...a.thresholds[0]!]).toEqual([...b.thresholds[0]!]);
    expect(a.nBins[0]).toBe(255);
  });

  it("refuses max_bins outside 2..255", () => {
    const X = featureMatrix(2, ["x"], Float64Array.from([1, 2]));
    expect(() => fitBinMapper(X, { maxBins: 256 })).toThrow(/max_bins must be an integer in \[2, 255\]/);
  });
  it("gives columns of a few values the thresholds of their sorted values, zero and minus zero as one", () => {
    const rng = new Random(5);
    const n = 3000;
    const pools = [
      [1],
      [0, 1],
      [-0, 0, 2.5, -1, 7],
      Array.from({ length: 16 }, (_, i) => i * 0.5),
      Array.from({ length: 17 }, (_, i) => i),
    ];
    const data = new Float64Array(n * pools.length);
    pools.forEach((pool, f) => {
      for (let i = 0; i < n; i++) data[f * n + i] = pool[rng.int(pool.length)]!;
    });
    const X = featureMatrix(
      n,
      pools.map((_, f) => `c${f}`),
      data,
    );
    for (const maxBins of [255, 4]) {
      const mapper = fitBinMapper(X, { maxBins });
      pools.forEach((_, f) => {
        const sorted = data.slice(f * n, (f + 1) * n).sort();
        expect([...mapper.thresholds[f]!], `column ${f}, maxBins ${maxBins}`).toEqual([
          ...featureThresholds(sorted, maxBins),
        ]);
      });
    }
  });

  it("places thresholds from the seeded sample of rows: the first rows of a permutation, ascending", () => {
    const rng = new Random(12);
    const n = 6000;
    const data = Float64Array.from({ length: 2 * n }, (_, i) => (i < n ? rng.normal() : rng.int(400)));
    const X = featureMatrix(n, ["a", "b"], data);
    const mapper = fitBinMapper(X, { maxBins: 64, sampleRows: 1000, seed: 3 });
    const rows = Random.derive(3, "binning").permutation(n).subarray(0, 1000).sort();
    for (let f = 0; f < 2; f++) {
      const sample = Float64Array.from(rows, (r) => data[f * n + r]!).sort();
      expect(mapper.thresholds[f]).toEqual(featureThresholds(sample, 64));
    }
  });
});
