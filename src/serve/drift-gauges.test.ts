import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exampleRecords, shiftRecords, type TrafficRecord } from "../monitor/test-utils/traffic.js";
import { MonitorConfig } from "../project/schema.js";
import { openStore } from "../track/index.js";
import type { PredictionLogRow, Store } from "../track/types.js";
import { startDriftGauges } from "./drift-gauges.js";
import { startServer } from "./server.js";
import { FixedHolder, trainChurn, type TrainedChurn } from "./test-utils/model.js";

let trained: TrainedChurn;
let store: Store;

beforeAll(async () => {
  trained = await trainChurn();
  store = await openStore(undefined, { projectDir: trained.dir });
}, 120_000);

afterAll(async () => {
  await store.close();
  rmSync(dirname(trained.dir), { recursive: true, force: true });
});

const inputs = (records: readonly TrafficRecord[]): Record<string, unknown>[] =>
  records.map(({ churn: _c, customer_id: _id, ...input }) => input);

function logged(records: readonly Record<string, unknown>[], version: number): PredictionLogRow[] {
  return records.map((input, i) => ({
    requestId: `g-${version}-${i}-${Math.random()}`,
    at: Date.now(),
    model: "churn_predictor",
    version,
    input,
    output: { prediction: "0", probability: 0.2 },
    latencyMs: 0.1,
  }));
}

describe("startDriftGauges", () => {
  it("sets the sluice_drift_* gauges from the serving version's latest window, per feature", async () => {
    const shifted = inputs(
      shiftRecords(exampleRecords("churn", 600, 31), {
        income: { scale: 1.6 },
        tenure_months: { scale: 0.4 },
      }),
    );
    await store.logPredictions!(logged(shifted, 1));
    // Another version's traffic is not this version's window.
    await store.logPredictions!(logged(inputs(exampleRecords("churn", 600, 32)), 2));
    const registry = new Registry();
    const gauges = startDriftGauges({
      registry,
      store,
      holder: new FixedHolder([trained.loaded]),
      config: MonitorConfig.parse({ window: 600, drift_share: 0.25 }),
      intervalMs: 3_600_000,
      now: () => 1_700_000_000_000,
    });
    try {
      const result = await gauges.refresh();
      expect(result?.drifted).toEqual(["income", "tenure_months"]);
      const text = await registry.metrics();
      expect(text).toContain('sluice_drift_dataset{model="churn_predictor",version="1"} 1');
      expect(text).toContain(
        'sluice_drift_feature_drifted{model="churn_predictor",version="1",feature="income"} 1',
      );
      expect(text).toContain(
        'sluice_drift_feature_drifted{model="churn_predictor",version="1",feature="age"} 0',
      );
      expect(text).toMatch(
        /sluice_drift_feature_score\{model="churn_predictor",version="1",feature="income",method="wasserstein"\} 0\.\d+/,
      );
      expect(text).toContain(
        'sluice_drift_timestamp_seconds{model="churn_predictor",version="1"} 1700000000',
      );
    } finally {
      gauges.close();
    }
  });

  it("measures nothing, and says so once, for a model without a reference", async () => {
    const lines: string[] = [];
    const loaded = { ...trained.loaded, bundle: { ...trained.bundle, modelPath: "/nowhere/model.json" } };
    const gauges = startDriftGauges({
      registry: new Registry(),
      store,
      holder: new FixedHolder([loaded]),
      config: MonitorConfig.parse({}),
      intervalMs: 3_600_000,
      log: (l) => lines.push(l),
    });
    try {
      expect(await gauges.refresh()).toBeUndefined();
      expect(await gauges.refresh()).toBeUndefined();
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/has no usable reference/);
    } finally {
      gauges.close();
    }
  });
});

describe("a server with monitor.metrics_interval", () => {
  it("shows dataset drift on /metrics after shifted requests", async () => {
    const server = await startServer({
      source: "models:/churn_predictor/1",
      projectDir: trained.dir,
      port: 0,
      driftIntervalMs: 1000,
      log: () => undefined,
    });
    try {
      const shifted = inputs(
        shiftRecords(exampleRecords("churn", 400, 41), {
          income: { scale: 1.8 },
          tenure_months: { scale: 0.3 },
        }),
      );
      for (const record of shifted) {
        const res = await fetch(`${server.url}/predict`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(record),
        });
        await res.arrayBuffer();
      }
      let text = "";
      const end = Date.now() + 20_000;
      while (Date.now() < end) {
        text = await (await fetch(`${server.url}/metrics`)).text();
        if (/sluice_drift_feature_drifted\{[^}]*feature="tenure_months"[^}]*\} 1/.test(text)) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(text).toMatch(/sluice_drift_feature_drifted\{[^}]*feature="income"[^}]*\} 1/);
      expect(text).toMatch(/sluice_drift_feature_drifted\{[^}]*feature="tenure_months"[^}]*\} 1/);
      expect(text).toMatch(/sluice_drift_severity\{[^}]*model="churn_predictor"[^}]*\} [23]/);
    } finally {
      await server.close();
    }
  });
});
