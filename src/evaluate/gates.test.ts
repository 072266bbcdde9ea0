import { beforeAll, describe, expect, it } from "vitest";
import { isSluiceError } from "../errors.js";
import { GatesConfig } from "../project/schema.js";
import type { Model } from "../models/types.js";
import type { FeatureMatrix } from "../features/matrix.js";
import { computeMetrics } from "./metrics.js";
import { checkGatesConfig, runGates, type GateContext } from "./gates.js";
import { fitSmall, type Fitted } from "./test-utils/models.js";

let binary: Fitted;
let binaryMetrics: Record<string, number>;
let regression: Fitted;
let regressionMetrics: Record<string, number>;

function finite(m: Record<string, number | undefined>): Record<string, number> {
  return Object.fromEntries(Object.entries(m).filter((e): e is [string, number] => Number.isFinite(e[1])));
}

beforeAll(async () => {
  binary = await fitSmall("gbdt-binary");
  binaryMetrics = finite(
    computeMetrics("classification", { y: binary.y, proba: binary.model.predictProba(binary.X) }),
  );
  regression = await fitSmall("ridge");
  regressionMetrics = finite(
    computeMetrics("regression", { y: regression.y, pred: regression.model.predict(regression.X) }),
  );
});

/** Gates with only the named parts on (determinism and round trip default on). */
function gates(input: Record<string, unknown>): GatesConfig {
  return GatesConfig.parse({ determinism: false, round_trip: false, ...input });
}

function ctx(overrides: Partial<GateContext> = {}): GateContext {
  return { task: "classification", metrics: binaryMetrics, model: binary.model, X: binary.X, ...overrides };
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected an error");
}

/** Spin for `ms` milliseconds (a slow prediction). */
function busyWait(ms: number): void {
  const end = process.hrtime.bigint() + BigInt(Math.round(ms * 1e6));
  while (process.hrtime.bigint() < end);
}

/** The same model, but its probabilities are nudged by `delta` after `after` calls. */
function drifting(model: Model, after: number, delta: number): Model {
  let calls = 0;
  const wrapped = Object.create(model) as Model & { predictProba: Model["predictProba"] };
  wrapped.predictProba = (X: FeatureMatrix) => {
    const p = model.predictProba(X);
    if (calls++ >= after) p[0] = p[0]! + delta;
    return p;
  };
  return wrapped;
}

describe("checkGatesConfig", () => {
  it("accepts the metrics of the task", () => {
    expect(() =>
      checkGatesConfig(gates({ minimum: { roc_auc: 0.7, log_loss: 0.6 } }), "classification"),
    ).not.toThrow();
    expect(() =>
      checkGatesConfig(gates({ max_drop_vs_production: { rmse: 1 } }), "regression"),
    ).not.toThrow();
  });

  it("refuses an unknown metric with E_CONFIG, naming it, a suggestion and the task's metrics", () => {
    const err = thrown(() => checkGatesConfig(gates({ minimum: { rocauc: 0.7 } }), "classification"));
    expect(isSluiceError(err, "E_CONFIG")).toBe(true);
    const e = err as Error & { hint: string; details: Record<string, unknown> };
    expect(e.message).toBe('gates.minimum.rocauc: unknown metric "rocauc" (did you mean "roc_auc"?)');
    expect(e.hint).toContain("classification metrics are roc_auc, pr_auc, accuracy");
    expect(e.details.gates).toEqual(["gates.minimum.rocauc"]);
  });

  it("refuses a metric of the other task, naming every bad entry at once", () => {
    const err = thrown(() =>
      checkGatesConfig(
        gates({ minimum: { accuracy: 0.8, r2: 0.5 }, max_drop_vs_production: { rsme: 0.1 } }),
        "regression",
      ),
    );
    expect(isSluiceError(err, "E_CONFIG")).toBe(true);
    expect((err as Error).message).toBe(
      "gates.minimum.accuracy: accuracy is a classification metric and this project is regression; " +
        'gates.max_drop_vs_production.rsme: unknown metric "rsme" (did you mean "rmse"?)',
    );
    expect((err as { hint: string }).hint).toBe("regression metrics are rmse, mae, r2 and mape");
  });

  it("refuses a minimum above 1 for a metric that cannot exceed 1, suggesting the fraction", () => {
    const err = thrown(() => checkGatesConfig(gates({ minimum: { roc_auc: 75 } }), "classification"));
    expect(isSluiceError(err, "E_CONFIG")).toBe(true);
    expect((err as Error).message).toBe(
      "gates.minimum.roc_auc: 75 can never be reached, roc_auc is at most 1 (did you mean 0.75?)",
    );
    expect(() => checkGatesConfig(gates({ minimum: { rmse: 75 } }), "regression")).not.toThrow();
  });

  it("is checked by runGates before any gate runs", async () => {
    await expect(runGates(gates({ minimum: { auc: 0.5 } }), ctx())).rejects.toMatchObject({
      code: "E_CONFIG",
    });
  });
});

describe("minimum gates", () => {
  it("passes a reachable minimum and fails one that cannot be reached", async () => {
    const records = await runGates(gates({ minimum: { roc_auc: 0.6, accuracy: 1 } }), ctx());
    expect(records.map((r) => [r.name, r.passed])).toEqual([
      ["minimum.roc_auc", true],
      ["minimum.accuracy", false],
    ]);
    expect(records[0]!.value).toBe(binaryMetrics.roc_auc);
    expect(records[0]!.threshold).toBe(0.6);
    expect(records[1]!.detail).toMatch(/^accuracy 0\.\d+ < 1 \(minimum\)$/);
  });

  it("treats the threshold of an error metric as a maximum and says so", async () => {
    const rmse = regressionMetrics.rmse!;
    const rctx = ctx({
      task: "regression",
      metrics: regressionMetrics,
      model: regression.model,
      X: regression.X,
    });
    const [pass] = await runGates(gates({ minimum: { rmse: rmse * 2 } }), rctx);
    const [fail] = await runGates(gates({ minimum: { rmse: rmse / 2 } }), rctx);
    expect(pass!.passed).toBe(true);
    expect(fail!.passed).toBe(false);
    expect(fail!.detail).toContain("rmse is an error metric, so the threshold is a maximum");
  });

  it("fails a metric that could not be measured, with a null value", async () => {
    const [r] = await runGates(gates({ minimum: { roc_auc: 0.5 } }), ctx({ metrics: { accuracy: 0.9 } }));
    expect(r).toMatchObject({ name: "minimum.roc_auc", value: null, passed: false });
    expect(r!.detail).toContain("could not be measured");
  });
});

describe("max_drop_vs_production gates", () => {
  it("passes and says so when there is no production version", async () => {
    const [r] = await runGates(gates({ max_drop_vs_production: { roc_auc: 0.01 } }), ctx());
    expect(r).toEqual({
      name: "max_drop_vs_production.roc_auc",
      value: null,
      threshold: 0.01,
      passed: true,
      detail: "no production version",
    });
  });

  it("measures the drop in the metric's better direction", async () => {
    const auc = binaryMetrics.roc_auc!;
    const loss = binaryMetrics.log_loss!;
    const better = { version: 4, metrics: { roc_auc: auc - 0.05, log_loss: loss + 0.05 } };
    const worse = { version: 4, metrics: { roc_auc: auc + 0.05, log_loss: loss - 0.05 } };
    const config = gates({ max_drop_vs_production: { roc_auc: 0.01, log_loss: 0.01 } });
    const up = await runGates(config, ctx({ production: better }));
    const down = await runGates(config, ctx({ production: worse }));
    expect(up.map((r) => r.passed)).toEqual([true, true]);
    expect(up[0]!.value).toBeCloseTo(-0.05, 12);
    expect(up[1]!.value).toBeCloseTo(-0.05, 12);
    expect(down.map((r) => r.passed)).toEqual([false, false]);
    expect(down[0]!.value).toBeCloseTo(0.05, 12);
    expect(down[1]!.value).toBeCloseTo(0.05, 12);
    expect(down[0]!.detail).toContain("production version 4");
    expect(down[0]!.detail).toContain("worse by 0.05");
  });

  it("allows a drop of exactly the threshold despite rounding", async () => {
    const [r] = await runGates(
      gates({ max_drop_vs_production: { accuracy: 0.01 } }),
      ctx({ metrics: { accuracy: 0.79 }, production: { version: 1, metrics: { accuracy: 0.8 } } }),
    );
    expect(r!.passed).toBe(true);
  });

  it("fails, naming the reason, when the production version could not be scored", async () => {
    const [r] = await runGates(
      gates({ max_drop_vs_production: { roc_auc: 0.01 } }),
      ctx({ productionError: { version: 2, message: "its classes (a, b) are not this target's (no, yes)" } }),
    );
    expect(r!.passed).toBe(false);
    expect(r!.detail).toContain("production version 2 could not be scored");
    expect(r!.detail).toContain("its classes (a, b)");
  });
});

describe("latency gate", () => {
  it("passes a fast single-record call and reports the p99 in milliseconds", async () => {
    let calls = 0;
    const [r] = await runGates(
      gates({ latency_p99_ms: 50 }),
      ctx({ singleRecord: () => void calls++, records: 10 }),
    );
    expect(r!.name).toBe("latency_p99_ms");
    expect(r!.passed).toBe(true);
    expect(r!.value).toBeGreaterThanOrEqual(0);
    expect(calls).toBe(2200);
    expect(r!.detail).toContain("p99 of 2000 calls");
  });

  it("fails when more than one call in a hundred is slow", async () => {
    const [r] = await runGates(
      gates({ latency_p99_ms: 0.5 }),
      ctx({ singleRecord: (i) => (i % 20 === 0 ? busyWait(2) : undefined), records: 1000 }),
    );
    expect(r!.passed).toBe(false);
    expect(r!.value).toBeGreaterThan(0.5);
  });

  it("cycles the records it is given", async () => {
    const seen = new Set<number>();
    await runGates(
      gates({ latency_p99_ms: 100 }),
      ctx({ singleRecord: (i) => void seen.add(i), records: 7 }),
    );
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it("times the model alone on the test rows when no record function is given", async () => {
    const [r] = await runGates(gates({ latency_p99_ms: 1000 }), ctx());
    expect(r!.passed).toBe(true);
    expect(r!.detail).toContain("model only");
  });

  it("fails, with the error, when a single-record call throws", async () => {
    const [r] = await runGates(
      gates({ latency_p99_ms: 1000 }),
      ctx({
        singleRecord: () => {
          throw new Error("field age: expected a number");
        },
      }),
    );
    expect(r).toMatchObject({ value: null, passed: false });
    expect(r!.detail).toContain("field age: expected a number");
  });
});

describe("determinism and round-trip gates", () => {
  it("pass for real models of both tasks", async () => {
    const both = GatesConfig.parse({});
    const c = await runGates(both, ctx());
    const r = await runGates(
      both,
      ctx({ task: "regression", metrics: regressionMetrics, model: regression.model, X: regression.X }),
    );
    for (const records of [c, r]) {
      expect(records.map((g) => [g.name, g.passed, g.value])).toEqual([
        ["determinism", true, 0],
        ["round_trip", true, 0],
      ]);
    }
    expect(c[0]!.detail).toContain("800 outputs of 400 rows are bitwise equal");
  });

  it("determinism fails when a second prediction differs in the last bit", async () => {
    const model = drifting(binary.model, 1, 1e-16);
    const [r] = await runGates(gates({ determinism: true }), ctx({ model }));
    expect(r).toMatchObject({ name: "determinism", passed: false, value: 1 });
    expect(r!.detail).toContain("1 of 800 outputs differ (first at row 0");
  });

  it("round trip fails when the model's predictions differ from its file's", async () => {
    const model = drifting(binary.model, 0, 1e-9);
    const [r] = await runGates(gates({ round_trip: true }), ctx({ model }));
    expect(r).toMatchObject({ name: "round_trip", passed: false, value: 1 });
    expect(r!.detail).toContain("the model read back from its file predicts differently");
  });
});
