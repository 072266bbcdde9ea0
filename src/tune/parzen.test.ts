import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Random } from "../data/random.js";
import { categoricalWeights, fitParzen, logPdfParzen, normalCdf, sampleParzen } from "./parzen.js";

interface Case {
  name: string;
  observations: number[];
  low: number;
  high: number;
  priorWeight: number;
  mus: number[];
  sigmas: number[];
  weights: number[];
  x: number[];
  logpdf: number[];
}
const reference = JSON.parse(
  readFileSync(join(import.meta.dirname, "fixtures", "parzen-reference.json"), "utf8"),
) as {
  cases: Case[];
  cdf: { x: number; cdf: number }[];
};

function expectClose(actual: ArrayLike<number>, expected: readonly number[]): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i]!, `[${i}]`).toBeCloseTo(expected[i]!, 12);
}

describe("normalCdf", () => {
  it("matches scipy's norm.cdf to 1e-7 from -8 to 7", () => {
    for (const { x, cdf } of reference.cdf)
      expect(Math.abs(normalCdf(x) - cdf), `x = ${x}`).toBeLessThan(1e-7);
  });
});

describe("fitParzen", () => {
  for (const c of reference.cases) {
    it(`places components and bandwidths as Optuna's estimator does: ${c.name}`, () => {
      const p = fitParzen(c.observations, c.low, c.high, c.priorWeight);
      expectClose(p.mus, c.mus);
      expectClose(p.sigmas, c.sigmas);
      expectClose(p.weights, c.weights);
    });

    it(`gives scipy's truncated-normal mixture density: ${c.name}`, () => {
      const p = fitParzen(c.observations, c.low, c.high, c.priorWeight);
      c.x.forEach((x, i) =>
        expect(Math.abs(logPdfParzen(p, x) - c.logpdf[i]!), `x = ${x}`).toBeLessThan(1e-6),
      );
    });
  }

  it("is a density on [low, high]: it integrates to 1", () => {
    const p = fitParzen([0.1, 0.15, 0.7, 0.72, 0.95], 0, 1, 1);
    const n = 20000;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += Math.exp(logPdfParzen(p, (i + 0.5) / n)) / n;
    expect(sum).toBeCloseTo(1, 5);
  });

  it("draws samples inside the range, distributed as its density", () => {
    const p = fitParzen([0.1, 0.12, 0.8], 0, 1, 1);
    const rng = new Random(7);
    const bins = new Float64Array(10);
    const n = 40000;
    for (let i = 0; i < n; i++) {
      const x = sampleParzen(p, rng);
      expect(x >= 0 && x <= 1).toBe(true);
      bins[Math.min(9, Math.floor(x * 10))]! += 1 / n;
    }
    for (let b = 0; b < 10; b++) {
      let mass = 0;
      for (let i = 0; i < 1000; i++) mass += Math.exp(logPdfParzen(p, (b + (i + 0.5) / 1000) / 10)) / 10000;
      expect(Math.abs(bins[b]! - mass), `bin ${b}`).toBeLessThan(0.01);
    }
  });
});

describe("categoricalWeights", () => {
  it("spreads the prior evenly and adds one per observation", () => {
    expectClose(categoricalWeights([0, 0, 2], 3, 1), [(1 / 3 + 2) / 4, 1 / 3 / 4, (1 / 3 + 1) / 4]);
  });
});
