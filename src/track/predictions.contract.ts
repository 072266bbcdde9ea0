/**
 * The prediction log's conformance suite: every {@link Store} with a prediction log must pass
 * it. Used by `sqlite.test.ts` and `postgres.test.ts`; `makeStore` returns a fresh, empty store.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { expectSluiceError } from "./store.contract.js";
import type { PredictionLogRow, Store } from "./types.js";

/** The store's prediction log methods, failing the test when the store has none. */
function log(store: Store): Required<Pick<Store, "logPredictions" | "listPredictions" | "countPredictions">> {
  if (
    store.logPredictions === undefined ||
    store.listPredictions === undefined ||
    store.countPredictions === undefined
  )
    throw new Error(`the store ${store.url} has no prediction log`);
  return {
    logPredictions: (rows) => store.logPredictions!(rows),
    listPredictions: (query) => store.listPredictions!(query),
    countPredictions: (query) => store.countPredictions!(query),
  };
}

function row(i: number, extra: Partial<PredictionLogRow> = {}): PredictionLogRow {
  return {
    requestId: `req-${i}`,
    at: 1_700_000_000_000 + i * 1000,
    model: "churn",
    version: 3,
    input: { age: 30 + (i % 50), region: i % 2 === 0 ? "north" : "south", note: `é"\n,${i}` },
    output: { prediction: String(i % 2), probability: (i % 100) / 100, confidence: 0.5 },
    latencyMs: 0.25 + i / 1000,
    ...extra,
  };
}

export function predictionsContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Prediction log contract: ${name}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await makeStore();
    });

    afterEach(async () => {
      await store.close();
    });

    it("reads back logged predictions with their inputs, outputs, version and latency, in id order", async () => {
      const p = log(store);
      const rows = [row(1), row(2, { version: null }), row(3, { model: "fraud" })];
      await p.logPredictions(rows);
      const back = await p.listPredictions();
      expect(back).toHaveLength(3);
      expect(back.map((b) => b.id)).toEqual([...back.map((b) => b.id)].sort((a, b) => a - b));
      for (let i = 0; i < 3; i++) {
        const { id, feedback, feedbackAt, ...rest } = back[i]!;
        expect(typeof id).toBe("number");
        expect(feedback).toBeNull();
        expect(feedbackAt).toBeNull();
        expect(rest).toEqual(rows[i]);
      }
    });

    it("filters by model and time (since inclusive, until exclusive) and counts the same rows", async () => {
      const p = log(store);
      await p.logPredictions(
        Array.from({ length: 20 }, (_, i) => row(i, i % 4 === 0 ? { model: "fraud" } : {})),
      );
      const t = (i: number) => 1_700_000_000_000 + i * 1000;
      const churn = await p.listPredictions({ model: "churn" });
      expect(churn.map((r) => r.requestId)).toEqual(
        Array.from({ length: 20 }, (_, i) => i)
          .filter((i) => i % 4 !== 0)
          .map((i) => `req-${i}`),
      );
      const window = await p.listPredictions({ since: t(5), until: t(10) });
      expect(window.map((r) => r.requestId)).toEqual(["req-5", "req-6", "req-7", "req-8", "req-9"]);
      expect(await p.countPredictions({ since: t(5), until: t(10) })).toBe(5);
      expect(await p.countPredictions({ model: "fraud" })).toBe(5);
      expect(await p.countPredictions()).toBe(20);
      expect(await p.countPredictions({ model: "nope" })).toBe(0);
    });

    it("pages through the log with afterId and limit, visiting every row once", async () => {
      const p = log(store);
      await p.logPredictions(Array.from({ length: 1234 }, (_, i) => row(i)));
      const seen: string[] = [];
      let afterId: number | undefined;
      for (;;) {
        const page = await p.listPredictions({ limit: 100, ...(afterId === undefined ? {} : { afterId }) });
        if (page.length === 0) break;
        expect(page.length).toBeLessThanOrEqual(100);
        seen.push(...page.map((r) => r.requestId));
        afterId = page[page.length - 1]!.id;
      }
      expect(seen).toEqual(Array.from({ length: 1234 }, (_, i) => `req-${i}`));
      expect(await p.listPredictions()).toHaveLength(1000);
    });

    it("writes nothing of a batch holding a malformed row, naming the row", async () => {
      const p = log(store);
      await expectSluiceError(
        p.logPredictions([row(1), row(2, { latencyMs: Number.NaN })]),
        "E_USAGE",
        "prediction 2",
        "latencyMs",
      );
      await expectSluiceError(
        p.logPredictions([row(1), { ...row(2), input: null as unknown as Record<string, unknown> }]),
        "E_USAGE",
        "input must be an object",
      );
      expect(await p.countPredictions()).toBe(0);
      await expectSluiceError(p.listPredictions({ limit: 0 }), "E_USAGE", "limit");
    });

    it("keeps rows logged by concurrent batches on two store instances", async () => {
      const p = log(store);
      const { openStore } = await import("./open.js");
      const second = await openStore(store.url);
      try {
        const q = log(second);
        await Promise.all(
          Array.from({ length: 10 }, (_, b) =>
            (b % 2 === 0 ? p : q).logPredictions(Array.from({ length: 50 }, (_, i) => row(b * 50 + i))),
          ),
        );
        expect(await q.countPredictions()).toBe(500);
        const ids = new Set((await p.listPredictions({ limit: 1000 })).map((r) => r.requestId));
        expect(ids.size).toBe(500);
      } finally {
        await second.close();
      }
    });
  });
}
