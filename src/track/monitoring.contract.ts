/**
 * The monitoring conformance suite (windows, feedback, drift history, alerts and retraining
 * triggers): every {@link Store} with a prediction log must pass it. Used by `sqlite.test.ts`
 * and `postgres.test.ts`; `makeStore` returns a fresh, empty store.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { expectSluiceError } from "./store.contract.js";
import type { DriftReportInput, MonitorEventInput, PredictionLogRow, Store } from "./types.js";

type Monitoring = Required<
  Pick<
    Store,
    | "logPredictions"
    | "recentPredictions"
    | "recordFeedback"
    | "recordDriftReport"
    | "listDriftReports"
    | "recordMonitorEvent"
    | "claimRetrain"
    | "updateMonitorEvent"
    | "listMonitorEvents"
  >
>;

function monitoring(store: Store): Monitoring {
  const m = store as Partial<Monitoring>;
  for (const key of [
    "logPredictions",
    "recentPredictions",
    "recordFeedback",
    "recordDriftReport",
    "listDriftReports",
    "recordMonitorEvent",
    "claimRetrain",
    "updateMonitorEvent",
    "listMonitorEvents",
  ] as const)
    if (typeof m[key] !== "function") throw new Error(`the store ${store.url} has no ${key}`);
  return store as Monitoring;
}

function row(i: number, extra: Partial<PredictionLogRow> = {}): PredictionLogRow {
  return {
    requestId: `req-${i}`,
    at: 1_700_000_000_000 + i * 1000,
    model: "churn",
    version: i < 50 ? 1 : 2,
    input: { age: 30 + (i % 50), region: i % 2 === 0 ? "north" : "south" },
    output: { prediction: String(i % 2), probability: (i % 100) / 100 },
    latencyMs: 0.25,
    ...extra,
  };
}

function report(extra: Partial<DriftReportInput> = {}): DriftReportInput {
  return {
    model: "churn",
    version: 2,
    source: "prediction log: last 1000 rows",
    referenceRows: 5000,
    currentRows: 1000,
    datasetDrift: true,
    driftShare: 2 / 7,
    severity: "severe",
    drifted: ["income", "tenure_months"],
    report: { features: [{ name: "income", method: "wasserstein", statistic: 0.41 }] },
    ...extra,
  };
}

function event(extra: Partial<MonitorEventInput> = {}): MonitorEventInput {
  return {
    model: "churn",
    version: 2,
    kind: "retrain",
    at: 1_700_000_000_000,
    severity: "severe",
    status: "started",
    reason: "dataset drift: income, tenure_months",
    ...extra,
  };
}

export function monitoringContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Monitoring contract: ${name}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await makeStore();
    });

    afterEach(async () => {
      await store.close();
    });

    it("reads the last N predictions of a model, oldest first, by version and time", async () => {
      const m = monitoring(store);
      await m.logPredictions([
        ...Array.from({ length: 100 }, (_, i) => row(i)),
        row(100, { model: "fraud", requestId: "f-1" }),
      ]);
      const last10 = await m.recentPredictions({ model: "churn", last: 10 });
      expect(last10.map((r) => r.requestId)).toEqual(Array.from({ length: 10 }, (_, i) => `req-${90 + i}`));
      const v1 = await m.recentPredictions({ model: "churn", version: 1, last: 3 });
      expect(v1.map((r) => r.requestId)).toEqual(["req-47", "req-48", "req-49"]);
      const since = await m.recentPredictions({
        model: "churn",
        since: 1_700_000_000_000 + 95_000,
        last: 1000,
      });
      expect(since).toHaveLength(5);
      expect(await m.recentPredictions({ model: "nope" })).toEqual([]);
      await expectSluiceError(m.recentPredictions({ model: "churn", last: 0 }), "E_USAGE", "last");
    });

    it("attaches feedback to logged predictions, and writes nothing when an id is unknown", async () => {
      const m = monitoring(store);
      await m.logPredictions([row(1), row(2), row(3)]);
      expect(
        await m.recordFeedback([
          { requestId: "req-1", feedback: { label: "1" }, at: 1_700_000_100_000 },
          { requestId: "req-2", feedback: { label: "0" } },
        ]),
      ).toEqual({ updated: 2 });
      const err = await expectSluiceError(
        m.recordFeedback([
          { requestId: "req-3", feedback: { label: "1" } },
          { requestId: "req-404", feedback: { label: "1" } },
        ]),
        "E_NOT_FOUND",
        '"req-404"',
        "x-request-id",
      );
      expect(err.message).not.toContain("req-3");
      const back = await m.recentPredictions({ model: "churn" });
      expect(back.map((r) => r.feedback)).toEqual([{ label: "1" }, { label: "0" }, null]);
      expect(back[0]!.feedbackAt).toBe(1_700_000_100_000);
      await expectSluiceError(
        m.recordFeedback([{ requestId: "req-1", feedback: null as unknown as Record<string, unknown> }]),
        "E_USAGE",
        "feedback must be an object",
      );
    });

    it("keeps each version's drift history, newest first", async () => {
      const m = monitoring(store);
      const a = await m.recordDriftReport(
        report({ at: 1000, version: 1, severity: "none", datasetDrift: false, drifted: [] }),
      );
      const b = await m.recordDriftReport(report({ at: 2000 }));
      expect(b.id).toBeGreaterThan(a.id);
      const all = await m.listDriftReports({ model: "churn" });
      expect(all.map((r) => r.at)).toEqual([2000, 1000]);
      expect(all[0]).toMatchObject({
        model: "churn",
        version: 2,
        datasetDrift: true,
        severity: "severe",
        drifted: ["income", "tenure_months"],
        referenceRows: 5000,
        currentRows: 1000,
        report: { features: [{ name: "income", method: "wasserstein", statistic: 0.41 }] },
      });
      expect(all[0]!.driftShare).toBeCloseTo(2 / 7, 12);
      expect(await m.listDriftReports({ model: "churn", version: 1 })).toHaveLength(1);
      await expectSluiceError(
        m.recordDriftReport(report({ severity: "awful" as "severe" })),
        "E_USAGE",
        "severity",
      );
    });

    it("claims a retraining once per cooldown, records how it ended, and lists events newest first", async () => {
      const m = monitoring(store);
      const first = await m.claimRetrain(event({ at: 1_000_000 }), 3_600_000);
      expect(first.claimed).toBe(true);
      const blocked = await m.claimRetrain(event({ at: 1_000_000 + 60_000 }), 3_600_000);
      expect(blocked).toMatchObject({ claimed: false, event: { id: first.event.id } });
      const later = await m.claimRetrain(event({ at: 1_000_000 + 3_600_000 }), 3_600_000);
      expect(later.claimed).toBe(true);
      const done = await m.updateMonitorEvent(first.event.id, {
        status: "finished",
        runId: "run-1",
        detail: { version: 3, stage: "staging" },
      });
      expect(done).toMatchObject({
        status: "finished",
        runId: "run-1",
        detail: { version: 3, stage: "staging" },
      });
      await m.recordMonitorEvent(event({ kind: "alert", status: "sent", at: 5_000_000 }));
      const events = await m.listMonitorEvents({ model: "churn" });
      expect(events.map((e) => e.kind)).toEqual(["alert", "retrain", "retrain"]);
      expect((await m.listMonitorEvents({ model: "churn", kind: "retrain" })).map((e) => e.status)).toEqual([
        "started",
        "finished",
      ]);
      await expectSluiceError(m.updateMonitorEvent(999_999, { status: "x" }), "E_NOT_FOUND", "999999");
    });

    it("lets only one of two concurrent claims through", async () => {
      const m = monitoring(store);
      const { openStore } = await import("./open.js");
      const second = monitoring(await openStore(store.url));
      try {
        const results = await Promise.all([
          m.claimRetrain(event({ at: Date.now() }), 60_000),
          second.claimRetrain(event({ at: Date.now() }), 60_000),
        ]);
        expect(results.filter((r) => r.claimed)).toHaveLength(1);
      } finally {
        await (second as unknown as Store).close();
      }
    });
  });
}
