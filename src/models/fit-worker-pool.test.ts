import { afterAll, describe, expect, it } from "vitest";
import { Random } from "../data/random.js";
import { isSluiceError } from "../errors.js";
import { featureMatrix } from "../features/matrix.js";
import { ModelParams } from "../project/schema.js";
import { runFitJob, shareFitData, type FitJob } from "./fit-worker-job.js";
import { FitPool } from "./fit-worker-pool.js";

/** y = 1 when x0 − x1 + noise > 0; 600 rows, 5 features. */
function problem(n = 600) {
  const rng = new Random(2);
  const data = new Float64Array(n * 5);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  const y = Int32Array.from({ length: n }, (_, i) => (data[i]! - data[n + i]! + rng.normal() > 0 ? 1 : 0));
  return shareFitData(featureMatrix(n, ["a", "b", "c", "d", "e"], data), y);
}

const data = problem();
const rows = (from: number, to: number) => Int32Array.from({ length: to - from }, (_, i) => from + i);
const job: FitJob = {
  kind: "logistic_regression",
  params: ModelParams.logistic_regression.parse({ C: 0.3 }),
  target: { task: "classification", classes: ["no", "yes"] },
  train: rows(0, 400),
  validation: rows(400, 500),
  score: rows(500, 600),
  seed: 3,
  threads: 1,
  returnModel: true,
};

const pools: FitPool[] = [];
function pool(parallel: number): FitPool {
  const p = new FitPool(data, { parallel });
  pools.push(p);
  return p;
}
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

describe("FitPool", () => {
  it("returns what the same job gives on this thread, from worker threads", async () => {
    const here = (await runFitJob(data, job)).result;
    const p = pool(2);
    const [a, b] = await Promise.all([p.run(job), p.run({ ...job, params: { ...job.params, C: 3 } })]);
    expect(Array.from(a.predictions!)).toEqual(Array.from(here.predictions!));
    expect(JSON.stringify(a.model)).toBe(JSON.stringify(here.model));
    expect(Array.from(a.curve)).toEqual(Array.from(here.curve));
    expect(a.iterations).toBe(here.iterations);
    expect(Array.from(b.predictions!)).not.toEqual(Array.from(a.predictions!));
  });

  it("runs more jobs than workers, each once, in any order", async () => {
    const p = pool(2);
    const Cs = [0.01, 0.1, 1, 10, 100];
    const results = await Promise.all(
      Cs.map((C) => p.run({ ...job, params: { ...job.params, C }, returnModel: false })),
    );
    const here = await Promise.all(
      Cs.map(
        async (C) => (await runFitJob(data, { ...job, params: { ...job.params, C } })).result.predictions!,
      ),
    );
    results.forEach((r, i) => expect(Array.from(r.predictions!)).toEqual(Array.from(here[i]!)));
  });

  it("stops a fit whose learning curve goes above its bound", async () => {
    const free = await pool(2).run(job);
    const bounded = await pool(2).run({
      ...job,
      stopAbove: { medians: new Float64Array([0]), warmupSteps: 3 },
    });
    expect(free.stopped).toBe(false);
    expect(bounded.stopped).toBe(true);
    expect(bounded.curve.length).toBe(4);
    expect(free.curve.length).toBeGreaterThan(4);
  });

  it("passes a learner's error back with its code and message", async () => {
    const err: unknown = await pool(2)
      .run({ ...job, target: { task: "classification", classes: ["only"] } })
      .catch((e: unknown) => e);
    expect(isSluiceError(err)).toBe(true);
    const here: unknown = await runFitJob(data, {
      ...job,
      target: { task: "classification", classes: ["only"] },
    }).catch((e: unknown) => e);
    expect(isSluiceError(here)).toBe(true);
    expect((err as Error).message).toBe((here as Error).message);
  });

  it("refuses a kind that does not fit the task, naming both", async () => {
    const err: unknown = await pool(1)
      .run({ ...job, kind: "ridge", params: ModelParams.ridge.parse({}) })
      .catch((e: unknown) => e);
    expect(isSluiceError(err, "E_USAGE")).toBe(true);
    expect((err as Error).message).toMatch(/ridge cannot learn a classification target/);
  });

  it("stops a job with E_ABORTED and keeps working afterwards", async () => {
    const p = pool(2);
    const controller = new AbortController();
    const slow = p.run(
      { ...job, params: { ...job.params, tol: 1e-300, max_iter: 100_000 } },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 50);
    const err: unknown = await slow.catch((e: unknown) => e);
    expect(isSluiceError(err, "E_ABORTED")).toBe(true);
    const after = await p.run(job);
    expect(after.predictions!.length).toBe(200);
  });

  it("fails queued jobs with E_ABORTED when closed", async () => {
    const p = new FitPool(data, { parallel: 2 });
    const jobs = [1, 2, 3, 4].map(() => p.run(job).catch((e: unknown) => e));
    await p.close();
    const outcomes = await Promise.all(jobs);
    expect(outcomes.some((o) => isSluiceError(o, "E_ABORTED"))).toBe(true);
  });
});
