import { describe, expect, it } from "vitest";
import { Random } from "../data/random.js";
import { runSearch } from "./search.js";
import type { SearchSpace, TrialParams } from "./space.js";
import { goodCount, proposeTpe, type Observation } from "./tpe.js";

const space: SearchSpace = {
  learning_rate: { type: "float", low: 0.001, high: 1, log: true },
  num_leaves: { type: "int", low: 2, high: 128, log: false },
  fraction: { type: "float", low: 0.1, high: 1, log: false },
  kind: { type: "categorical", choices: ["a", "b", "c", "d"] },
};

/** A smooth bowl with its minimum (0) at lr 0.03, 40 leaves, fraction 0.7, kind "c". */
function bowl(p: TrialParams): number {
  const lr = Math.log10(p.learning_rate as number) - Math.log10(0.03);
  const leaves = ((p.num_leaves as number) - 40) / 40;
  const fraction = ((p.fraction as number) - 0.7) / 0.3;
  return lr * lr + leaves * leaves + fraction * fraction + (p.kind === "c" ? 0 : 0.5);
}

async function bestOf(method: "tpe" | "random", seed: number, trials: number): Promise<number> {
  const r = await runSearch({ method, trials, space, seed, higherIsBetter: false, prune: false }, (t) =>
    Promise.resolve({
      score: bowl(t.params),
      iterations: 1,
      pruned: false,
      seconds: 0,
      curve: new Float64Array(),
    }),
  );
  return r.best!.score;
}

describe("TPE", () => {
  it("finds better points than random search at the same budget (30 trials, averaged over 30 seeds)", async () => {
    let tpe = 0;
    let random = 0;
    let wins = 0;
    const seeds = 30;
    for (let s = 0; s < seeds; s++) {
      const a = await bestOf("tpe", s, 30);
      const b = await bestOf("random", s, 30);
      tpe += a / seeds;
      random += b / seeds;
      if (a < b) wins++;
    }
    // Measured: TPE 0.35, random 0.69 on average; TPE better on 26 of 30 seeds.
    expect(tpe).toBeLessThan(0.75 * random);
    expect(wins).toBeGreaterThanOrEqual(20);
  });

  it("proposes the same point from the same observations and seed", () => {
    const rng = new Random(3);
    const obs: Observation[] = Array.from({ length: 15 }, (_, i) => {
      const params = { ...Object.fromEntries(Object.keys(space).map((k) => [k, null])), ...sample(rng, i) };
      return { params, loss: bowl(params) };
    });
    const a = proposeTpe(space, obs, Random.derive(9, "x"), { startupTrials: 5 });
    const b = proposeTpe(space, obs, Random.derive(9, "x"), { startupTrials: 5 });
    expect(a).toEqual(b);
  });

  it("concentrates proposals near the good observations", () => {
    const oneDim: SearchSpace = { x: { type: "float", low: 0, high: 1, log: false } };
    const obs: Observation[] = [];
    for (let i = 0; i < 40; i++) {
      const x = (i + 0.5) / 40;
      obs.push({ params: { x }, loss: Math.abs(x - 0.8) });
    }
    let near = 0;
    for (let s = 0; s < 50; s++) {
      const p = proposeTpe(oneDim, obs, new Random(s));
      if (Math.abs((p.x as number) - 0.8) < 0.1) near++;
    }
    expect(near).toBeGreaterThanOrEqual(45);
  });

  it("keeps integer, log and categorical values inside their dimensions", () => {
    const rng = new Random(11);
    const obs: Observation[] = [];
    for (let i = 0; i < 30; i++) {
      const params = sample(rng, i);
      obs.push({ params, loss: i % 7 === 0 ? Infinity : bowl(params) });
    }
    for (let s = 0; s < 100; s++) {
      const p = proposeTpe(space, obs, new Random(s));
      expect(Number.isInteger(p.num_leaves)).toBe(true);
      expect(p.num_leaves as number).toBeGreaterThanOrEqual(2);
      expect(p.num_leaves as number).toBeLessThanOrEqual(128);
      expect(p.learning_rate as number).toBeGreaterThanOrEqual(0.001);
      expect(p.learning_rate as number).toBeLessThanOrEqual(1);
      expect(["a", "b", "c", "d"]).toContain(p.kind);
    }
  });

  it("proposes uniformly until the start-up trials are observed", () => {
    const obs: Observation[] = [{ params: { x: 0.5 }, loss: 0 }];
    const oneDim: SearchSpace = { x: { type: "float", low: 0, high: 1, log: false } };
    const a = proposeTpe(oneDim, obs, new Random(1), { startupTrials: 5 });
    const r = new Random(1);
    expect(a.x).toBe(r.uniform(0, 1));
  });

  it("puts the best quarter of trials in the good group, at least 1 and at most 25", () => {
    expect(goodCount(1, 0.25)).toBe(1);
    expect(goodCount(8, 0.25)).toBe(2);
    expect(goodCount(9, 0.25)).toBe(3);
    expect(goodCount(400, 0.25)).toBe(25);
  });
});

function sample(rng: Random, i: number): TrialParams {
  return {
    learning_rate: Math.exp(rng.uniform(Math.log(0.001), 0)),
    num_leaves: 2 + rng.int(127),
    fraction: rng.uniform(0.1, 1),
    kind: ["a", "b", "c", "d"][i % 4]!,
  };
}
