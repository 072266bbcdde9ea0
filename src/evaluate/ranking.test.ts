import { describe, expect, it } from "vitest";
import { Random } from "../data/random.js";
import { orderByScore, scoreGroups } from "./ranking.js";

describe("orderByScore", () => {
  it("orders scores as a numeric sort does, negatives, zeros, infinities and huge values included", () => {
    const rng = new Random(1);
    const special = [-Infinity, Infinity, -0, 0, -1e300, 1e300, 5e-324, -5e-324, 1, -1];
    const scores = Float64Array.from({ length: 5000 }, (_, i) =>
      i < special.length
        ? special[i]!
        : rng.next() < 0.3
          ? Math.round(rng.normal() * 4)
          : rng.normal() * 10 ** rng.int(8),
    );
    const order = orderByScore(scores, scores.length, 1, 0);
    const sorted = Float64Array.from(order, (i) => scores[i]!);
    expect([...sorted]).toEqual([...scores.slice().sort()]);
    expect(new Set(order).size).toBe(scores.length);
  });

  it("keeps rows of equal score in row order", () => {
    const scores = Float64Array.from([3, 1, 3, 1, 2, 3]);
    expect([...orderByScore(scores, 6, 1, 0)]).toEqual([1, 3, 4, 0, 2, 5]);
  });

  it("reads one column of row-major values", () => {
    const proba = Float64Array.from([0.9, 0.1, 0.2, 0.8, 0.6, 0.4]);
    expect([...orderByScore(proba, 3, 2, 1)]).toEqual([0, 2, 1]);
  });
});

describe("scoreGroups", () => {
  it("sums positive and negative weight per distinct score, treating -0 and 0 as one", () => {
    const y = Int32Array.from([1, 0, 1, 0, 1]);
    const scores = Float64Array.from([0, -0, 0.5, 0.5, 0.25]);
    const g = scoreGroups(y, 1, scores, 1, 0, Float64Array.from([1, 2, 3, 4, 5]));
    expect(g.n).toBe(3);
    expect([...g.scores]).toEqual([-0, 0.25, 0.5]);
    expect([...g.pos]).toEqual([1, 5, 3]);
    expect([...g.neg]).toEqual([2, 0, 4]);
    expect([g.totalPos, g.totalNeg]).toEqual([9, 6]);
  });
});
