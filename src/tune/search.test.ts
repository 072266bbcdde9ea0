import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { isSluiceError, SluiceError } from "../errors.js";
import { exceedsBound } from "../models/fit-worker-bound.js";
import { PROPOSAL_LAG, runSearch, type SearchSettings, type TrialOutcome, type TrialSpec } from "./search.js";

const space: SearchSettings["space"] = {
  rate: { type: "float", low: 0.001, high: 1, log: true },
  depth: { type: "int", low: 1, high: 12, log: false },
};

/**
 * A fake learner: its validation loss decays towards a floor set by the parameters, at a speed
 * set by the rate; it stops when the pruning bound says so. Trials take different times, so
 * with several at once they finish out of order.
 */
async function fakeFit(trial: TrialSpec, finished?: Set<number>): Promise<TrialOutcome> {
  const rate = trial.params.rate as number;
  const depth = trial.params.depth as number;
  const floor = 0.1 + Math.abs(Math.log10(rate) + 1.5) * 0.2 + Math.abs(depth - 6) * 0.03;
  const curve: number[] = [];
  let best = Infinity;
  let pruned = false;
  for (let s = 0; s < 60; s++) {
    const loss = floor + Math.exp(-rate * 4 * s);
    curve.push(loss);
    best = Math.min(best, loss);
    if (trial.pruning !== undefined && exceedsBound(trial.pruning, s, best)) {
      pruned = true;
      break;
    }
  }
  await sleep(1 + ((trial.index * 7919) % 11));
  finished?.add(trial.index);
  return { score: -best, iterations: curve.length, pruned, seconds: 0.001, curve: Float64Array.from(curve) };
}

const settings = (over: Partial<SearchSettings> = {}): SearchSettings => ({
  method: "tpe",
  trials: 24,
  space,
  seed: 42,
  higherIsBetter: true,
  prune: true,
  pruner: { warmupSteps: 5 },
  ...over,
});

function strip(r: Awaited<ReturnType<typeof runSearch>>) {
  return r.trials.map(({ seconds: _s, ...t }) => ({ ...t, curve: Array.from(t.curve) }));
}

describe("runSearch", () => {
  it("gives identical trials whether 1, 2 or 4 run at once", async () => {
    const one = await runSearch(settings(), (t) => fakeFit(t), { parallel: 1 });
    const two = await runSearch(settings(), (t) => fakeFit(t), { parallel: 2 });
    const four = await runSearch(settings(), (t) => fakeFit(t), { parallel: 4 });
    expect(one.trials).toHaveLength(24);
    expect(strip(two)).toEqual(strip(one));
    expect(strip(four)).toEqual(strip(one));
    expect(two.best!.index).toBe(one.best!.index);
  });

  it("starts trial i only after trials 0 … i − LAG have finished", async () => {
    const finished = new Set<number>();
    const violations: number[] = [];
    await runSearch(
      settings(),
      (t) => {
        for (let j = 0; j <= t.index - PROPOSAL_LAG; j++) if (!finished.has(j)) violations.push(t.index);
        return fakeFit(t, finished);
      },
      { parallel: 8 },
    );
    expect(violations).toEqual([]);
  });

  it("prunes trials whose curves fall behind, and never picks a pruned trial", async () => {
    const r = await runSearch(settings({ trials: 30, method: "random" }), (t) => fakeFit(t), { parallel: 2 });
    const pruned = r.trials.filter((t) => t.pruned);
    expect(pruned.length).toBeGreaterThan(3);
    for (const t of pruned) expect(t.iterations).toBeLessThan(60);
    expect(r.best!.pruned).toBe(false);
    // Pruned trials are those that were doing worse: their final scores trail the kept ones'.
    const kept = r.trials.filter((t) => !t.pruned).map((t) => t.score);
    const median = [...kept].sort((a, b) => a - b)[kept.length >> 1]!;
    expect(pruned.filter((t) => t.score > median).length).toBeLessThanOrEqual(pruned.length / 4);
  });

  it("prunes nothing when pruning is off", async () => {
    const r = await runSearch(settings({ prune: false }), (t) => fakeFit(t), { parallel: 2 });
    expect(r.trials.every((t) => !t.pruned && t.iterations === 60)).toBe(true);
  });

  it("stops starting trials after the timeout and lets running ones finish", async () => {
    let started = 0;
    let done = 0;
    const r = await runSearch(
      settings({ trials: 100, timeoutMs: 60 }),
      async (t) => {
        started++;
        await sleep(25);
        done++;
        return fakeFit(t);
      },
      { parallel: 2 },
    );
    expect(r.timedOut).toBe(true);
    expect(r.trials.length).toBeLessThan(100);
    expect(r.trials.length).toBe(started);
    expect(done).toBe(started);
  });

  it("fails with the first error a trial throws", async () => {
    await expect(
      runSearch(
        settings(),
        (t) => (t.index === 3 ? Promise.reject(new SluiceError("E_LABELS", "bad labels")) : fakeFit(t)),
        { parallel: 2 },
      ),
    ).rejects.toThrow("bad labels");
  });

  it("stops with E_ABORTED when its signal aborts", async () => {
    const controller = new AbortController();
    const run = runSearch(
      settings({ trials: 50 }),
      async (t) => {
        if (t.index === 5) controller.abort();
        return fakeFit(t);
      },
      { parallel: 2, signal: controller.signal },
    );
    const err: unknown = await run.catch((e: unknown) => e);
    expect(isSluiceError(err, "E_ABORTED")).toBe(true);
  });

  it("picks the best score by the metric's direction", async () => {
    const r = await runSearch(
      settings({ higherIsBetter: false, prune: false, method: "random", trials: 10 }),
      (t) =>
        Promise.resolve({
          score: t.params.depth as number,
          iterations: 1,
          pruned: false,
          seconds: 0,
          curve: new Float64Array(),
        }),
    );
    const lowest = Math.min(...r.trials.map((t) => t.score));
    expect(r.best!.score).toBe(lowest);
    expect(r.best!.index).toBe(r.trials.find((t) => t.score === lowest)!.index);
  });
});
