import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeEach, describe, expect, it, onTestFinished } from "vitest";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { openStore } from "../track/open.js";
import type { StoredPrediction, Store } from "../track/types.js";
import {
  createBatchedLog,
  createPredictionLog,
  storeBatchWriter,
  type BatchWriter,
} from "./prediction-log.js";
import { ThreadWriter } from "./prediction-log-thread.js";
import type { PredictionRecord } from "./types.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = mkdtempSync(join(tmpdir(), "sluice-plog-"));
let n = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

function record(i: number): PredictionRecord {
  return {
    requestId: `req-${i}`,
    at: 1_700_000_000_000 + i,
    model: "churn",
    version: 2,
    input: { age: 40, region: "south" },
    output: { prediction: "0", probability: 0.125 },
    latencyMs: 0.5,
  };
}

/** Every logged row, paging by id. */
async function allRows(store: Store): Promise<StoredPrediction[]> {
  const out: StoredPrediction[] = [];
  let afterId: number | undefined;
  for (;;) {
    const page = await store.listPredictions!({ limit: 5000, ...(afterId === undefined ? {} : { afterId }) });
    if (page.length === 0) return out;
    out.push(...page);
    afterId = page[page.length - 1]!.id;
  }
}

/** A writer that counts the batches (transactions) it is given and fails them on demand. */
function counting<T>(writer: BatchWriter<T>): {
  writer: BatchWriter<T>;
  calls: () => number;
  fail: (on: boolean) => void;
} {
  let calls = 0;
  let failing = false;
  return {
    writer: {
      encode: (record) => writer.encode(record),
      async write(batch) {
        calls++;
        if (failing) throw new Error("disk unplugged");
        await writer.write(batch);
      },
      close: () => writer.close(),
    },
    calls: () => calls,
    fail: (on) => (failing = on),
  };
}

const writers = [
  { how: "through the store", make: (store: Store): BatchWriter<unknown> => storeBatchWriter(store) },
  {
    how: "from a worker thread",
    make: (store: Store): BatchWriter<unknown> => new ThreadWriter(store.url.slice("sqlite:".length)),
  },
] as const;

describe.each(writers)("a prediction log written $how", ({ make }) => {
  let store: Store;
  beforeEach(async () => {
    store = await openStore(join(root, `log-${++n}.db`));
  });
  afterEach(async () => {
    await store.close();
  });

  it("writes pushed rows to the store on flush, and only queues them before", async () => {
    const log = createBatchedLog(make(store), { flushMs: 60_000 });
    for (let i = 0; i < 3; i++) log.push(record(i));
    expect(log.depth()).toBe(3);
    expect(await store.countPredictions!()).toBe(0);
    await log.flush();
    expect(log.depth()).toBe(0);
    const rows = await allRows(store);
    expect(rows.map((r) => r.requestId)).toEqual(["req-0", "req-1", "req-2"]);
    expect(rows[0]).toMatchObject({
      at: 1_700_000_000_000,
      model: "churn",
      version: 2,
      input: { age: 40, region: "south" },
      output: { prediction: "0", probability: 0.125 },
      latencyMs: 0.5,
      feedback: null,
    });
    await log.close();
  });

  it("keeps every value of a row as given: text with separators and quotes, a null version, odd numbers", async () => {
    const log = createBatchedLog(make(store), { flushMs: 60_000 });
    const odd: PredictionRecord = {
      requestId: 'r"\u001e\u001f\n1',
      at: 1_700_000_000_000.4,
      model: "churn \u001f model",
      version: null,
      input: { note: 'a\u001eb\u001fc\n"d"', nested: { x: [1, null, "é"] }, big: 1e300 },
      output: { prediction: 0.1 + 0.2, tiny: 5e-324 },
      latencyMs: 1 / 3,
    };
    log.push(odd);
    await log.close();
    const [row] = await allRows(store);
    expect(row).toMatchObject({ ...odd, at: 1_700_000_000_000 });
  });

  it("takes a record with its input and output as JSON text, and falls back to the objects for text that is not JSON", async () => {
    const log = createBatchedLog(make(store), { flushMs: 60_000 });
    const r = record(1);
    log.pushJson(r, ` {"age": 40.0,\n "region": "south"} `, JSON.stringify(r.output));
    log.pushJson(record(2), '{"age": "\u001e"}', '{"x": "\u001f"}');
    await log.close();
    const rows = await allRows(store);
    expect(rows.map((row) => [row.requestId, row.input, row.output])).toEqual([
      ["req-1", r.input, r.output],
      ["req-2", record(2).input, record(2).output],
    ]);
  });

  it("writes a batch of large rows with text of every width", async () => {
    const log = createBatchedLog(make(store), { flushMs: 60_000 });
    const notes = ["a", "é", "€", "😀"].map((c, i) => c.repeat(300_000 + i));
    for (const [i, note] of notes.entries()) log.push({ ...record(i), input: { note } });
    await log.close();
    expect((await allRows(store)).map((r) => r.input.note)).toEqual(notes);
  });

  it("writes rows on its timer without being asked", async () => {
    const log = createBatchedLog(make(store), { flushMs: 10 });
    log.push(record(1));
    // No flush and no close: only the timer can write it (the test's timeout bounds the wait).
    while ((await store.countPredictions!()) === 0) await new Promise((r) => setTimeout(r, 10));
    expect(await store.countPredictions!()).toBe(1);
    await log.close();
  }, 60_000);

  it("writes 10,000 pushes in few transactions, in order", async () => {
    const c = counting(make(store));
    const log = createBatchedLog(c.writer, { flushMs: 60_000, maxBatch: 500 });
    for (let i = 0; i < 10_000; i++) log.push(record(i));
    await log.flush();
    expect(await store.countPredictions!()).toBe(10_000);
    expect(c.calls()).toBeLessThanOrEqual(20);
    const rows = await allRows(store);
    expect(rows.map((r) => r.requestId)).toEqual(Array.from({ length: 10_000 }, (_, i) => `req-${i}`));
    await log.close();
  });

  it("flushes what is left when closed, and counts pushes after close as dropped", async () => {
    const log = createBatchedLog(make(store), { flushMs: 60_000 });
    for (let i = 0; i < 42; i++) log.push(record(i));
    await log.close();
    expect(await store.countPredictions!()).toBe(42);
    log.push(record(99));
    expect(log.dropped()).toBe(1);
    expect(await store.countPredictions!()).toBe(42);
  });

  it("keeps the rows of a failed write for the next try, reporting the failure once", async () => {
    const c = counting(make(store));
    const messages: string[] = [];
    const log = createBatchedLog(c.writer, { flushMs: 60_000, onError: (m) => messages.push(m) });
    for (let i = 0; i < 10; i++) log.push(record(i));
    c.fail(true);
    await expect(log.flush()).rejects.toThrow("disk unplugged");
    log.push(record(10));
    await expect(log.flush()).rejects.toThrow("disk unplugged");
    expect(log.depth()).toBe(11);
    expect(messages.filter((m) => m.includes("failed"))).toHaveLength(1);
    c.fail(false);
    await log.flush();
    const rows = await allRows(store);
    expect(rows.map((r) => r.requestId)).toEqual(Array.from({ length: 11 }, (_, i) => `req-${i}`));
    expect(messages.some((m) => m.includes("works again"))).toBe(true);
    await log.close();
  });

  it("drops the oldest rows beyond maxQueue while the store is down, and counts them", async () => {
    const c = counting(make(store));
    const log = createBatchedLog(c.writer, { flushMs: 60_000, maxQueue: 100, onError: () => {} });
    c.fail(true);
    for (let i = 0; i < 150; i++) log.push(record(i));
    expect(log.depth()).toBe(100);
    expect(log.dropped()).toBe(50);
    await expect(log.flush()).rejects.toThrow();
    c.fail(false);
    await log.close();
    const rows = await allRows(store);
    expect(rows.map((r) => r.requestId)).toEqual(Array.from({ length: 100 }, (_, i) => `req-${i + 50}`));
  });

  it("drops only a malformed row, writing the rest of its batch", async () => {
    const messages: string[] = [];
    const log = createBatchedLog(make(store), { flushMs: 60_000, onError: (m) => messages.push(m) });
    for (let i = 0; i < 5; i++) log.push(i === 2 ? { ...record(i), latencyMs: Number.NaN } : record(i));
    await log.flush();
    expect((await allRows(store)).map((r) => r.requestId)).toEqual(["req-0", "req-1", "req-3", "req-4"]);
    expect(log.dropped()).toBe(1);
    expect(messages.join("\n")).toContain("latencyMs");
    await log.close();
  });

  it("never throws from push while its writes fail", async () => {
    const c = counting(make(store));
    const log = createBatchedLog(c.writer, { flushMs: 5, onError: () => {} });
    c.fail(true);
    expect(() => {
      for (let i = 0; i < 1000; i++) log.push(record(i));
    }).not.toThrow();
    await new Promise((r) => setTimeout(r, 30));
    await expect(log.close()).rejects.toThrow("disk unplugged");
  });
});

describe("createPredictionLog", () => {
  let store: Store;
  let path: string;
  beforeEach(async () => {
    path = join(root, `pick-${++n}.db`);
    store = await openStore(path);
  });
  afterEach(async () => {
    await store.close();
  });

  /** The store, with the event-loop driver's logPredictions refusing every call. */
  function withoutLoopWrites(s: Store): Store {
    const wrapped: Store = Object.create(s) as Store;
    wrapped.logPredictions = () => Promise.reject(new Error("written on the event loop"));
    return wrapped;
  }

  it("writes a SQLite file store from a thread of its own, not through the store's connection", async () => {
    const messages: string[] = [];
    const log = createPredictionLog(withoutLoopWrites(store), {
      flushMs: 60_000,
      onError: (m) => messages.push(m),
    });
    for (let i = 0; i < 700; i++) log.push(record(i));
    await log.flush();
    expect(await store.countPredictions!()).toBe(700);
    await log.close();
    expect(messages).toEqual([]);
  });

  it("is ready once its writer thread has started, and never waits for a thread that stopped", async () => {
    const log = createPredictionLog(store, { flushMs: 60_000 });
    await log.ready();
    log.push(record(1));
    await log.close();
    expect(await store.countPredictions!()).toBe(1);
    const writer = new ThreadWriter(store.url.slice("sqlite:".length));
    await writer.terminate();
    await writer.ready();
    expect(writer.running()).toBe(false);
    await writer.close();
    const direct = createPredictionLog(store, { thread: false });
    await direct.ready();
    await direct.close();
  });

  it("writes through the store when told not to use a thread, and for an in-memory store", async () => {
    const direct = createPredictionLog(withoutLoopWrites(store), {
      flushMs: 60_000,
      thread: false,
      onError: () => {},
    });
    direct.push(record(1));
    await expect(direct.flush()).rejects.toThrow("written on the event loop");
    await expect(direct.close()).rejects.toThrow();

    const memory = await openStore(":memory:");
    try {
      const log = createPredictionLog(memory, { flushMs: 60_000 });
      log.push(record(1));
      await log.close();
      expect(await memory.countPredictions!()).toBe(1);
      expect(() => createPredictionLog(memory, { thread: true })).toThrow(/SQLite file store/);
    } finally {
      await memory.close();
    }
  });

  it("keeps a batch that waits too long for a locked store, and writes it once the lock is free", async () => {
    const messages: string[] = [];
    const log = createPredictionLog(store, {
      flushMs: 60_000,
      busyTimeoutMs: 20,
      onError: (m) => messages.push(m),
    });
    const lock = new BetterSqlite3(path);
    try {
      lock.exec("begin immediate");
      for (let i = 0; i < 5; i++) log.push(record(i));
      await expect(log.flush()).rejects.toThrow(/database is locked/);
      expect(log.depth()).toBe(5);
      lock.exec("rollback");
    } finally {
      lock.close();
    }
    await log.flush();
    expect((await allRows(store)).map((r) => r.requestId)).toEqual([
      "req-0",
      "req-1",
      "req-2",
      "req-3",
      "req-4",
    ]);
    expect(messages.filter((m) => m.includes("failed"))).toHaveLength(1);
    expect(messages.some((m) => m.includes("works again"))).toBe(true);
    await log.close();
  });

  it("reports a writer thread that dies, keeps its rows and writes them from a new thread", async () => {
    const messages: string[] = [];
    const onError = (m: string): number => messages.push(m);
    const writer = new ThreadWriter(path, { onCrash: onError });
    const log = createBatchedLog(writer, { flushMs: 60_000, onError });
    log.push(record(0));
    await log.flush();
    expect(writer.running()).toBe(true);

    await writer.terminate();
    expect(writer.running()).toBe(false);
    expect(messages.some((m) => /writer thread stopped \(exit code 1\)/.test(m))).toBe(true);

    for (let i = 1; i < 4; i++) log.push(record(i));
    await log.flush();
    expect(writer.running()).toBe(true);
    expect((await allRows(store)).map((r) => r.requestId)).toEqual(["req-0", "req-1", "req-2", "req-3"]);
    await log.close();
    expect(writer.running()).toBe(false);
  });

  it("loses no row when its thread dies with a batch in flight", async () => {
    const messages: string[] = [];
    const writer = new ThreadWriter(path, { onCrash: (m) => messages.push(m) });
    const log = createBatchedLog(writer, {
      flushMs: 60_000,
      maxBatch: 500,
      onError: (m) => messages.push(m),
    });
    log.push(record(0));
    await log.flush();
    for (let i = 1; i <= 2000; i++) log.push(record(i));
    const flushed = log.flush().then(
      () => "written",
      (err: Error) => err.message,
    );
    // Let the drain post its first batch, then stop the thread under it.
    await new Promise((r) => setImmediate(r));
    await writer.terminate();
    const outcome = await flushed;
    if (outcome !== "written") expect(outcome).toMatch(/writer thread stopped/);
    await log.close();
    const ids = (await allRows(store)).map((r) => r.requestId);
    expect(new Set(ids)).toEqual(new Set(Array.from({ length: 2001 }, (_, i) => `req-${i}`)));
    // A batch the thread committed just before it stopped, unanswered, is written again: at
    // most one batch twice.
    expect(ids.length).toBeLessThanOrEqual(2001 + 500);
  });
});

describe("a process killed while logging", () => {
  it("leaves a readable SQLite store holding only whole rows", async () => {
    const path = join(root, "killed.db");
    const child = spawn(process.execPath, ["--import", "tsx", join(here, "prediction-log-child.ts"), path], {
      cwd: join(here, "..", ".."),
      stdio: ["ignore", "pipe", "pipe"],
    });
    // Never left running, whatever happens to the test.
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on("exit", (_code, signal) => resolve(signal)),
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => {
        if (d.toString().includes("logging")) resolve();
      });
      child.on("exit", (code) => reject(new Error(`child exited early with ${code}: ${err}`)));
    });
    await new Promise((r) => setTimeout(r, 1000));
    child.kill("SIGKILL");
    expect(await exited).toBe("SIGKILL");

    const reopened = await openStore(path);
    try {
      const rows = await allRows(reopened);
      expect(rows.length).toBeGreaterThan(1000);
      expect(rows[0]!.requestId).toBe("r-0");
      expect(await reopened.countPredictions!()).toBe(rows.length);
      // The child pushes far faster than any store writes, so its bounded queue drops the
      // oldest rows (counted): ids may skip, but they only grow, and each row is whole.
      let last = -1;
      for (const r of rows) {
        const i = Number(r.requestId.slice(2));
        expect(r.requestId).toBe(`r-${i}`);
        expect(i).toBeGreaterThan(last);
        last = i;
        expect(r.model).toBe("churn");
        expect(r.version).toBe(1);
        expect(Number.isFinite(r.at)).toBe(true);
        expect(r.latencyMs).toBe(0.1);
        expect(r.input.note).toBe("x".repeat(i % 300));
        expect(r.output).toEqual({ prediction: "1", probability: (i % 1000) / 1000 });
      }
    } finally {
      await reopened.close();
    }
  }, 120_000);
});

describe("a prediction log over PostgreSQL", () => {
  // The same server the track tests use (SLUICE_TEST_POSTGRES); a schema of its own, dropped after.
  const base = process.env.SLUICE_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";
  const schema = `sluice_plog_${process.pid}`;
  const url = new URL(base);
  url.searchParams.set("schema", schema);
  afterAll(async () => {
    const client = new pg.Client({ connectionString: base });
    await client.connect();
    try {
      await client.query(`drop schema if exists "${schema}" cascade`);
    } finally {
      await client.end();
    }
  });

  it("writes through the store's asynchronous driver, taking records with or without their JSON text", async () => {
    const store = await openStore(url.toString());
    try {
      expect(() => createPredictionLog(store, { thread: true })).toThrow(/SQLite file store/);
      const log = createPredictionLog(store, { flushMs: 60_000, maxBatch: 500 });
      for (let i = 0; i < 1200; i++)
        if (i % 2 === 0) log.push(record(i));
        else {
          const r = record(i);
          log.pushJson(r, JSON.stringify(r.input), JSON.stringify(r.output));
        }
      await log.close();
      const rows = await allRows(store);
      expect(rows.map((r) => r.requestId)).toEqual(Array.from({ length: 1200 }, (_, i) => `req-${i}`));
      expect(rows[1]).toMatchObject({ input: record(1).input, output: record(1).output, version: 2 });
    } finally {
      await store.close();
    }
  });
});
