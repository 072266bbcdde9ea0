import { describe, expect, it } from "vitest";
import { Random } from "../data/random.js";
import { pruneReference, shouldPrune } from "./pruner.js";

/** The median of each step's best-so-far losses, computed the slow, obvious way. */
function naiveMedians(curves: number[][]): number[] {
  const steps = Math.max(...curves.map((c) => c.length));
  const out: number[] = [];
  for (let s = 0; s < steps; s++) {
    const values = curves
      .map((c) => Math.min(...c.slice(0, Math.min(s, c.length - 1) + 1)))
      .sort((a, b) => a - b);
    const m = values.length >> 1;
    out.push(values.length % 2 ? values[m]! : (values[m - 1]! + values[m]!) / 2);
  }
  return out;
}

describe("pruneReference", () => {
  it("is the median of each step's best loss so far, carrying short curves' best forward", () => {
    const rng = new Random(5);
    const curves = Array.from({ length: 7 }, (_, t) =>
      Array.from({ length: 20 + 13 * t }, (_, s) => 1 / (1 + s * (0.1 + 0.05 * t)) + 0.05 * rng.next()),
    );
    const ref = pruneReference(curves, { startupTrials: 3, warmupSteps: 0 })!;
    expect(ref.medians.length).toBe(20 + 13 * 6);
    const naive = naiveMedians(curves);
    for (let s = 0; s < naive.length; s++) expect(ref.medians[s]!, `step ${s}`).toBeCloseTo(naive[s]!, 14);
  });

  it("gives no reference before enough trials have finished", () => {
    expect(pruneReference([[1, 0.5]], { startupTrials: 2, warmupSteps: 0 })).toBeUndefined();
    expect(pruneReference([[1, 0.5], []], { startupTrials: 2, warmupSteps: 0 })).toBeUndefined();
    expect(pruneReference([[1, 0.5], [2]], { startupTrials: 2, warmupSteps: 0 })).toBeDefined();
  });
});

describe("shouldPrune", () => {
  const ref = pruneReference(
    [
      [1.0, 0.8, 0.6, 0.5],
      [1.0, 0.7, 0.5, 0.4],
      [1.0, 0.9, 0.8, 0.7],
    ],
    { startupTrials: 3, warmupSteps: 2 },
  )!;

  it("never prunes during the warm-up", () => {
    expect(shouldPrune(ref, 0, 99)).toBe(false);
    expect(shouldPrune(ref, 1, 99)).toBe(false);
  });

  it("prunes a trial whose best loss is above the median at that step", () => {
    expect(shouldPrune(ref, 2, 0.61)).toBe(true);
    expect(shouldPrune(ref, 2, 0.6)).toBe(false);
    expect(shouldPrune(ref, 3, 0.5)).toBe(false);
    expect(shouldPrune(ref, 3, 0.51)).toBe(true);
  });

  it("holds the last median beyond the longest reference curve", () => {
    expect(shouldPrune(ref, 50, 0.51)).toBe(true);
    expect(shouldPrune(ref, 50, 0.49)).toBe(false);
  });

  it("ignores reference losses that are not numbers", () => {
    const r = pruneReference(
      [
        [NaN, NaN],
        [NaN, NaN],
      ],
      { startupTrials: 2, warmupSteps: 0 },
    )!;
    expect(shouldPrune(r, 1, 1e9)).toBe(false);
  });
});
