/**
 * One rate-limit budget for all the processes of `sluice serve --workers N`. Each worker's
 * limiter asks the cluster primary to count (one IPC message each way per limited request); the
 * primary keeps the counts, so a client gets `max` requests per window from the server, not
 * `max` from each worker.
 *
 * The counts are fixed windows per key, the same rule as @fastify/rate-limit's own store: the
 * first request of a key opens a window of `timeWindow` ms; requests in it are counted; the
 * first one after it opens the next window.
 */
import type { Worker } from "node:cluster";

/** A key's count in its current window, and the ms left in that window. */
export interface RateHit {
  current: number;
  ttl: number;
}

interface Window {
  count: number;
  start: number;
  length: number;
}

/** Fixed-window request counts per key (client address), bounded to `maxKeys` keys. */
export class RateCounts {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly maxKeys = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Count one request of `key` in a window of `windowMs`. */
  hit(key: string, windowMs: number): RateHit {
    const t = this.now();
    let w = this.windows.get(key);
    if (w === undefined || w.start + w.length <= t) {
      if (w !== undefined) this.windows.delete(key);
      else if (this.windows.size >= this.maxKeys) this.evict(t);
      w = { count: 0, start: t, length: windowMs };
      this.windows.set(key, w);
    }
    w.count++;
    return { current: w.count, ttl: w.start + w.length - t };
  }

  /** Keys counted now (for tests and sizing). */
  get size(): number {
    return this.windows.size;
  }

  /** Drop the ended windows; if none ended, the oldest window (a Map iterates in insertion order). */
  private evict(t: number): void {
    for (const [key, w] of this.windows) if (w.start + w.length <= t) this.windows.delete(key);
    if (this.windows.size < this.maxKeys) return;
    const oldest = this.windows.keys().next();
    if (oldest.done !== true) this.windows.delete(oldest.value);
  }
}

/** Worker → primary: count a request. */
interface RateAsk {
  sluice: "rate";
  id: number;
  key: string;
  window: number;
}

/** Primary → worker: the count. */
interface RateAnswer extends RateHit {
  sluice: "rate";
  id: number;
}

function isRateMessage(m: unknown): m is { sluice: "rate"; id: number } {
  return (
    typeof m === "object" &&
    m !== null &&
    (m as { sluice?: unknown }).sluice === "rate" &&
    typeof (m as { id?: unknown }).id === "number"
  );
}

/**
 * In the cluster primary: answer a worker's count requests from `counts` (one table for all
 * workers). Call once per forked worker.
 */
export function countForWorker(worker: Worker, counts: RateCounts): void {
  worker.on("message", (m: unknown) => {
    if (!isRateMessage(m)) return;
    const ask = m as RateAsk;
    if (typeof ask.key !== "string" || !(ask.window > 0)) return;
    const hit = counts.hit(ask.key, ask.window);
    if (worker.isConnected())
      worker.send({ sluice: "rate", id: ask.id, current: hit.current, ttl: hit.ttl } satisfies RateAnswer);
  });
}

type Callback = (error: Error | null, result?: RateHit) => void;

/** What a worker's limiter waits for, by message id; answered locally once the primary is gone. */
const pending = new Map<number, { key: string; window: number; cb: Callback }>();
let nextId = 0;
let listening = false;
/** Counts in this process, used only when the primary cannot be asked (the channel closed). */
const alone = new RateCounts();

function listen(): void {
  if (listening) return;
  listening = true;
  process.on("message", (m: unknown) => {
    if (!isRateMessage(m)) return;
    const waiting = pending.get(m.id);
    if (waiting === undefined) return;
    pending.delete(m.id);
    const a = m as RateAnswer;
    waiting.cb(null, { current: a.current, ttl: a.ttl });
  });
  // Without a primary nothing answers: count what waits, and what comes, here.
  process.once("disconnect", () => {
    for (const [id, w] of pending) {
      pending.delete(id);
      w.cb(null, alone.hit(w.key, w.window));
    }
  });
}

/**
 * A store for @fastify/rate-limit in a cluster worker: every count is kept by the primary
 * ({@link countForWorker}). One budget for all routes that use it.
 */
export class PrimaryCountedStore {
  incr(key: string, cb: Callback, timeWindow?: number): void {
    const window = timeWindow ?? 60_000;
    if (process.send === undefined || !process.connected) {
      cb(null, alone.hit(key, window));
      return;
    }
    listen();
    const id = ++nextId;
    pending.set(id, { key, window, cb });
    process.send({ sluice: "rate", id, key, window } satisfies RateAsk, undefined, {}, (err) => {
      if (err === null || !pending.has(id)) return;
      pending.delete(id);
      cb(null, alone.hit(key, window));
    });
  }

  child(): PrimaryCountedStore {
    return this;
  }
}
