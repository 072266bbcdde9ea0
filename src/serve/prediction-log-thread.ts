/**
 * The prediction log's writer for a SQLite store: a worker thread with its own connection to the
 * store's file does the inserts, so a batch costs the event loop a copy of its bytes and one
 * message rather than a synchronous transaction. Rows are encoded as text when they are pushed
 * (`encodePredictionRow`); a batch is written as UTF-8 into a buffer that is transferred to the
 * thread (not copied) and handed back with the answer, once the batch is committed, for the next
 * batch. Joining a batch into one string and posting it would cost more: a batch of a few hundred
 * rows is a string too large for V8's young generation, and posting copies it twice.
 *
 * A thread that dies (an uncaught error, a crash of the driver) fails the batch in flight, which
 * the log keeps and writes again; the next batch starts a new thread. The process is never
 * taken down with it, and the thread never keeps the process alive while it is idle.
 */
import type { Worker } from "node:worker_threads";
import { type ErrorCode, SluiceError } from "../errors.js";
import { encodePredictionRow, ROW_SEPARATOR } from "../track/prediction-batches.js";
import { startWorker } from "../util/worker.js";
import type { BatchWriter } from "./prediction-log.js";
import type { PredictionRecord } from "./types.js";

/** What the thread is started with. */
export interface WriterThreadData {
  /** The SQLite file of the store. */
  path: string;
  busyTimeoutMs: number;
}

/** Messages to the thread: a batch is `bytes` bytes of UTF-8 at the start of `buffer` (transferred). */
export type ToWriterThread =
  { kind: "write"; id: number; buffer: ArrayBuffer; bytes: number } | { kind: "close" };

/** Messages from the thread: `ready` once started, then one per write, handing the batch's buffer back. */
export type FromWriterThread =
  | { kind: "ready" }
  | { kind: "written"; id: number; rows: number; buffer: ArrayBuffer }
  | { kind: "failed"; id: number; code: ErrorCode; message: string; buffer: ArrayBuffer };

export interface ThreadWriterOptions {
  /** How long a batch waits for another writer's lock before it fails (and is kept). Default 10 s. */
  busyTimeoutMs?: number;
  /** Told when the thread stops unexpectedly (once until a batch is written again). */
  onCrash?: (message: string, err: SluiceError) => void;
}

interface Pending {
  resolve: () => void;
  reject: (err: Error) => void;
}

/** A batch buffer's first size; it grows (doubling) when a batch needs more. */
const FIRST_BUFFER_BYTES = 1 << 20;
/** Buffers kept for reuse: one out with the thread, one being filled. */
const POOL = 2;
const RS = ROW_SEPARATOR.charCodeAt(0);
const utf8 = new TextEncoder();

/** `rows` joined by the row separator, as UTF-8 into `buffer` (or a larger one): the buffer and the bytes written. */
function encodeBatch(rows: readonly string[], first: ArrayBuffer): { buffer: ArrayBuffer; bytes: number } {
  let buffer = first;
  let view = new Uint8Array(buffer);
  let at = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    for (;;) {
      // Room for the separator and the row's worst case (3 bytes per UTF-16 unit) saves a retry.
      if (view.length - at > row.length * 3) break;
      const bigger = new Uint8Array(Math.max(view.length * 2, at + 1 + row.length * 3));
      bigger.set(view.subarray(0, at));
      buffer = bigger.buffer;
      view = bigger;
    }
    if (i > 0) view[at++] = RS;
    at += utf8.encodeInto(row, view.subarray(at)).written;
  }
  return { buffer, bytes: at };
}

/** A {@link BatchWriter} writing encoded rows from a worker thread. */
export class ThreadWriter implements BatchWriter<string> {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private readonly stopping = new WeakSet<Worker>();
  private readonly pool: ArrayBuffer[] = [];
  private nextId = 1;
  private closed = false;
  private crashReported = false;
  private readonly data: WriterThreadData;
  private readonly onCrash: (message: string, err: SluiceError) => void;
  /** Resolves when the current thread has started (or stopped before it could). */
  private started: Promise<void> = Promise.resolve();

  constructor(path: string, options: ThreadWriterOptions = {}) {
    this.data = { path, busyTimeoutMs: options.busyTimeoutMs ?? 10_000 };
    this.onCrash = options.onCrash ?? (() => undefined);
    // Started now, so that its start-up (loading modules, opening the store) is over before the
    // first batch: a server starts it before it serves.
    this.thread();
  }

  encode(record: PredictionRecord, json?: { input: string; output: string }): string {
    return encodePredictionRow(record, json);
  }

  write(batch: readonly string[]): Promise<void> {
    if (this.closed)
      return Promise.reject(
        new SluiceError("E_INTERNAL", "the prediction log's writer thread was asked to write after close"),
      );
    const worker = this.thread();
    const id = this.nextId++;
    const { buffer, bytes } = encodeBatch(batch, this.pool.pop() ?? new ArrayBuffer(FIRST_BUFFER_BYTES));
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Held while a batch is out, so awaiting a flush keeps the process alive.
      worker.ref();
      worker.postMessage({ kind: "write", id, buffer, bytes } satisfies ToWriterThread, [buffer]);
    });
  }

  /**
   * Resolves once the thread has started and opened its connection (or stopped trying), so
   * that a row pushed from then on is written within the log's flush interval rather than
   * after the thread's start-up (module loading can take a second). Never rejects.
   */
  ready(): Promise<void> {
    return this.started;
  }

  /** Let the thread finish what it was sent, close its connection and stop. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (worker === undefined || this.stopping.has(worker)) return;
    this.stopping.add(worker);
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    worker.ref();
    worker.postMessage({ kind: "close" } satisfies ToWriterThread);
    await exited;
  }

  /**
   * Stop the thread at once, as a crash would: the batch in flight fails (the log keeps it) and
   * the next batch starts a new thread. For tests of that path.
   */
  async terminate(): Promise<void> {
    await this.worker?.terminate();
  }

  /** Whether a thread is running now. */
  running(): boolean {
    return this.worker !== undefined;
  }

  private thread(): Worker {
    if (this.worker !== undefined) return this.worker;
    const worker = startWorker(import.meta.url, "./prediction-log-worker", { workerData: this.data });
    worker.unref();
    let up!: () => void;
    this.started = new Promise<void>((resolve) => (up = resolve));
    let uncaught: Error | undefined;
    worker.on("message", (m: FromWriterThread) => {
      if (m.kind === "ready") {
        up();
        return;
      }
      if (this.pool.length < POOL) this.pool.push(m.buffer);
      const p = this.pending.get(m.id);
      if (p === undefined) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0 && !this.stopping.has(worker)) worker.unref();
      if (m.kind === "written") {
        this.crashReported = false;
        p.resolve();
      } else p.reject(new SluiceError(m.code, m.message, { details: { path: this.data.path } }));
    });
    // Without this listener an error in the thread would be thrown in the serving process.
    worker.on("error", (err: Error) => {
      uncaught = err;
    });
    worker.on("exit", (code) => {
      up();
      if (this.worker === worker) this.worker = undefined;
      if (this.stopping.has(worker) && this.pending.size === 0) return;
      const err = new SluiceError(
        "E_WORKER",
        `the prediction log's writer thread stopped (exit code ${code})${uncaught === undefined ? "" : `: ${uncaught.message}`}`,
        {
          cause: uncaught,
          details: { path: this.data.path, exitCode: code },
          hint: "the rows it was writing are kept and a new thread writes them with the next batch",
        },
      );
      const waiting = [...this.pending.values()];
      this.pending.clear();
      for (const p of waiting) p.reject(err);
      if (!this.crashReported) {
        this.crashReported = true;
        this.onCrash(err.message, err);
      }
    });
    this.worker = worker;
    return worker;
  }
}
