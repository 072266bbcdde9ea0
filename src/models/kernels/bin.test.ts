import { describe, expect, it } from "vitest";
import { Random } from "../../data/random.js";
import { featureMatrix } from "../../features/matrix.js";
import { binMatrix, fitBinMapper } from "../binning.js";
import { binColumns } from "./bin.js";

describe("binning kernel", () => {
  it("gives every cell the bin binMatrix gives it", () => {
    const rng = new Random(4);
    const n = 5000;
    const cols = 6;
    const data = new Float64Array(n * cols);
    for (let i = 0; i < n; i++) {
      data[i] = rng.normal(); // many thresholds
      data[n + i] = rng.int(3); // few
      data[2 * n + i] = rng.next() < 0.2 ? NaN : Math.round(rng.normal() * 4) / 4; // ties, missing
      data[3 * n + i] = 7; // constant
      data[4 * n + i] = rng.next() < 0.01 ? (rng.next() < 0.5 ? Infinity : -Infinity) : rng.normal() * 1e300;
      data[5 * n + i] = rng.int(9); // up to 8 thresholds: the linear scan
    }
    const X = featureMatrix(n, ["a", "b", "c", "d", "e", "f"], data);
    for (const maxBins of [255, 32, 2]) {
      const mapper = fitBinMapper(X, { maxBins });
      // Probe the thresholds themselves too: x ≤ t goes to t's bin.
      for (let f = 0; f < cols; f++) {
        const t = mapper.thresholds[f]!;
        for (let j = 0; j < Math.min(t.length, 50); j++) data[f * n + j] = t[j]!;
      }
      const out = new Uint8Array(n * cols);
      binColumns(X.data, n, mapper.thresholds, out);
      expect(out).toEqual(binMatrix(X, mapper));
    }
  });

  it("bins values next to every threshold, in skewed ranges, as binMatrix does", () => {
    const rng = new Random(9);
    const n = 20_000;
    const names = ["lognormal", "clustered", "tiny", "wide"];
    const data = new Float64Array(n * names.length);
    for (let i = 0; i < n; i++) {
      data[i] = Math.exp(3 * rng.normal()); // most thresholds crowd near 0
      data[n + i] = rng.next() < 0.9 ? 1 + rng.next() * 1e-9 : rng.normal() * 1e6; // a tight cluster and a wide spread
      data[2 * n + i] = rng.normal() * 1e-310; // subnormal range
      data[3 * n + i] = rng.normal() * 1e307;
    }
    const X = featureMatrix(n, names, data);
    const mapper = fitBinMapper(X, { maxBins: 255 });
    // Each threshold itself and the doubles just around it, and values between thresholds.
    for (let f = 0; f < names.length; f++) {
      const t = mapper.thresholds[f]!;
      let at = f * n;
      for (let j = 0; j < t.length && at + 4 < (f + 1) * n; j++) {
        const v = t[j]!;
        const ulp = Math.max(Math.abs(v) * Number.EPSILON, Number.MIN_VALUE);
        data[at++] = v;
        data[at++] = v - ulp;
        data[at++] = v + ulp;
        if (j + 1 < t.length) data[at++] = (v + t[j + 1]!) / 2;
      }
    }
    const out = new Uint8Array(n * names.length);
    binColumns(X.data, n, mapper.thresholds, out);
    expect(out).toEqual(binMatrix(X, mapper));
  });
});
