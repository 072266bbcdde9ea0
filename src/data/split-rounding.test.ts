import { describe, expect, it } from "vitest";
import { Random } from "./random.js";
import { roundShares } from "./split-rounding.js";

/** Every cell its share rounded down or up, classes keep their sizes, parts get their sizes. */
function check(sizes: number[], parts: number[], counts: Int32Array[]): void {
  const n = sizes.reduce((a, b) => a + b, 0);
  for (const [c, size] of sizes.entries()) {
    expect(counts[c]!.reduce((a, b) => a + b, 0)).toBe(size);
    for (const [p, part] of parts.entries()) {
      const exact = (size * part) / n;
      expect(counts[c]![p]! === Math.floor(exact) || counts[c]![p]! === Math.ceil(exact)).toBe(true);
    }
  }
  for (const [p, part] of parts.entries()) expect(counts.reduce((a, row) => a + row[p]!, 0)).toBe(part);
}

/** The naive way: try every floor/ceil choice; true when some choice meets the totals. */
function naiveExists(sizes: number[], parts: number[]): boolean {
  const n = sizes.reduce((a, b) => a + b, 0);
  const cells = sizes.flatMap((s) => parts.map((p) => (s * p) / n));
  const free = cells.map((x, i) => (Number.isInteger(x) ? -1 : i)).filter((i) => i >= 0);
  for (let mask = 0; mask < 1 << free.length; mask++) {
    const v = cells.map(Math.floor);
    free.forEach((cell, bit) => (v[cell]! += (mask >> bit) & 1));
    const rowsOk = sizes.every((s, c) => parts.reduce((a, _, p) => a + v[c * parts.length + p]!, 0) === s);
    const colsOk = parts.every((t, p) => sizes.reduce((a, _, c) => a + v[c * parts.length + p]!, 0) === t);
    if (rowsOk && colsOk) return true;
  }
  return false;
}

describe("roundShares", () => {
  it("rounds small tables wherever exhaustive search finds a rounding (always)", () => {
    const rng = new Random(8);
    for (let trial = 0; trial < 1000; trial++) {
      const sizes = Array.from({ length: 2 + rng.int(3) }, () => 1 + rng.int(12));
      const n = sizes.reduce((a, b) => a + b, 0);
      const a = rng.int(n + 1);
      const b = rng.int(n - a + 1);
      const parts = [a, b, n - a - b];
      expect(naiveExists(sizes, parts)).toBe(true);
      check(sizes, parts, roundShares(sizes, parts));
    }
  });

  it("rounds large tables with many classes", () => {
    const rng = new Random(9);
    for (let trial = 0; trial < 50; trial++) {
      const sizes = Array.from({ length: 2 + rng.int(60) }, () => 1 + rng.int(rng.bernoulli(0.5) ? 5 : 5000));
      const n = sizes.reduce((a, b) => a + b, 0);
      const test = Math.ceil(n * rng.uniform(0.05, 0.4));
      const validation = Math.ceil((n - test) * rng.uniform(0, 0.3));
      const parts = [test, validation, n - test - validation];
      check(sizes, parts, roundShares(sizes, parts));
    }
  });

  it("gives exact shares when they are whole", () => {
    expect(roundShares([10, 20], [3, 6, 21]).map((r) => Array.from(r))).toEqual([
      [1, 2, 7],
      [2, 4, 14],
    ]);
  });
});
