import { afterAll, describe, expect, it } from "vitest";
import { Random } from "../data/random.js";
import { isSluiceError } from "../errors.js";
import { featureMatrix } from "../features/matrix.js";
import { shareFitData } from "../models/fit-worker-job.js";
import { FitPool } from "../models/fit-worker-pool.js";
import type { ResolvedSearch } from "../project/config.js";
import { ModelParams } from "../project/schema.js";
import { fixIterations, searchModel, trialModelParams } from "./model-search.js";

/** 1,500 rows: y = 1 when a smooth function of 6 features plus noise is positive. */
function problem(n = 1500) {
  const rng = new Random(21);
  const p = 6;
  const data = new Float64Array(n * p);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const a = data[i]!;
    const b = data[n + i]!;
    const c = data[2 * n + i]!;
    y[i] = Math.sin(2 * a) + b * c + 0.5 * a - 0.3 + 0.5 * rng.normal() > 0 ? 1 : 0;
  }
  return shareFitData(
    featureMatrix(
      n,
      Array.from({ length: p }, (_, j) => `x${j}`),
      data,
    ),
    y,
  );
}

const data = problem();
const rows = (from: number, to: number) => Int32Array.from({ length: to - from }, (_, i) => from + i);
const train = rows(0, 1100);
const validation = rows(1100, 1500);
const target = { task: "classification" as const, classes: ["0", "1"] };
const pools: FitPool[] = [];
function pool(parallel: number): FitPool {
  const p = new FitPool(data, { parallel });
  pools.push(p);
  return p;
}
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

const logisticSearch: ResolvedSearch = {
  method: "tpe",
  trials: 10,
  prune: true,
  space: {
    C: { type: "float", low: 1e-4, high: 10, log: true },
    penalty: { type: "categorical", choices: ["l1", "l2"] },
  },
};

describe("searchModel", () => {
  it("gives the same trials and best parameters with 1 or 2 worker threads", async () => {
    const base = ModelParams.logistic_regression.parse({});
    const options = { train, validation, metric: "roc_auc" as const, positive: 1, seed: 5 };
    const a = await searchModel(pool(1), "logistic_regression", base, logisticSearch, target, options);
    const b = await searchModel(pool(2), "logistic_regression", base, logisticSearch, target, options);
    const strip = (r: typeof a) =>
      r.search.trials.map(({ seconds: _s, ...t }) => ({ ...t, curve: Array.from(t.curve) }));
    expect(strip(b)).toEqual(strip(a));
    expect(b.params).toEqual(a.params);
    expect(a.search.trials).toHaveLength(10);
    expect(a.params).toMatchObject(a.search.best!.params);
  });

  it("stops clearly bad gradient boosting trials early, and keeps the good ones", async () => {
    const base = ModelParams.gradient_boosting.parse({ trees: 150, num_leaves: 15, min_data_in_leaf: 10 });
    const search: ResolvedSearch = {
      method: "random",
      trials: 16,
      prune: true,
      space: { learning_rate: { type: "float", low: 0.0005, high: 0.5, log: true } },
    };
    const r = await searchModel(pool(2), "gradient_boosting", base, search, target, {
      train,
      validation,
      metric: "roc_auc",
      positive: 1,
      seed: 3,
    });
    const trials = r.search.trials;
    const pruned = trials.filter((t) => t.pruned);
    const kept = trials.filter((t) => !t.pruned);
    expect(pruned.length).toBeGreaterThanOrEqual(3);
    // A learning rate of 0.001 barely moves in 150 trees: such trials must not run to the end.
    for (const t of trials.filter((t) => (t.params.learning_rate as number) < 0.002)) {
      if (t.index >= 4)
        expect(t.pruned, `trial ${t.index}, learning rate ${String(t.params.learning_rate)}`).toBe(true);
    }
    for (const t of pruned) expect(t.iterations).toBeLessThan(150);
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    expect(median(pruned.map((t) => t.params.learning_rate as number))).toBeLessThan(
      median(kept.map((t) => t.params.learning_rate as number)),
    );
    expect(r.search.best!.pruned).toBe(false);
  });

  it("refuses to search without validation rows", async () => {
    const err: unknown = await searchModel(
      pool(1),
      "logistic_regression",
      ModelParams.logistic_regression.parse({}),
      logisticSearch,
      target,
      { train, validation: new Int32Array(0), metric: "roc_auc", seed: 1 },
    ).catch((e: unknown) => e);
    expect(isSluiceError(err, "E_CONFIG")).toBe(true);
  });
});

describe("trialModelParams and fixIterations", () => {
  it("lays a trial's values over the candidate's parameters", () => {
    const base = ModelParams.gradient_boosting.parse({ trees: 300, num_leaves: 31 });
    const p = trialModelParams("gradient_boosting", base, { num_leaves: 12 });
    expect(p).toMatchObject({ trees: 300, num_leaves: 12 });
  });

  it("turns early stopping into a fixed number of trees, for gradient boosting only", () => {
    const gb = ModelParams.gradient_boosting.parse({ trees: 300, early_stopping_rounds: 20 });
    expect(fixIterations("gradient_boosting", gb, 87)).toMatchObject({
      trees: 87,
      early_stopping_rounds: null,
    });
    const noStop = ModelParams.gradient_boosting.parse({ trees: 300 });
    expect(fixIterations("gradient_boosting", noStop, 87)).toBe(noStop);
    const lr = ModelParams.logistic_regression.parse({});
    expect(fixIterations("logistic_regression", lr, 5)).toBe(lr);
  });
});
