/**
 * A pool of worker threads that run fit jobs (search trials, cross-validation folds, refits)
 * side by side over one shared set of rows. Each worker fits one job at a time with the
 * learner's own threading off, so N workers keep N cores busy with no oversubscription.
 *
 * With `parallel` ≤ 1 there are no workers: jobs run one after another on this thread through
 * the same {@link runFitJob}, which is why results do not depend on the pool size.
 */
import type { Worker } from "node:worker_threads";
import { SluiceError, type ErrorCode } from "../errors.js";
import { startWorker } from "../util/worker.js";
import {
  runFitJob,
  type FitData,
  type FitJob,
  type FitJobHooks,
  type FitJobResult,
} from "./fit-worker-job.js";

/** A message to a worker. */
export interface ToWorker {
  id: number;
  job: FitJob;
}

/** A message from a worker. */
export type ToPool =
  | { type: "progress"; id: number; done: number; total?: number }
  | { type: "result"; id: number; result: FitJobResult }
  | {
      type: "error";
      id: number;
      error: {
        code: ErrorCode;
        message: string;
        details: Record<string, unknown>;
        hint?: string;
        stack?: string;
      };
    };

interface Pending {
  id: number;
  job: FitJob;
  hooks: FitJobHooks;
  resolve: (r: FitJobResult) => void;
  reject: (e: unknown) => void;
}

interface Slot {
  worker: Worker;
  busy: Pending | undefined;
}

/** Options for {@link FitPool}. */
export interface FitPoolOptions {
  /** Jobs fitted at once, each on its own worker thread; ≤ 1 runs jobs on this thread. */
  parallel: number;
}

/**
 * Runs fit jobs over shared rows.
 *
 * @example
 * const pool = new FitPool(shareFitData(X, y), { parallel: 2 });
 * try {
 *   const results = await Promise.all(folds.map((f) => pool.run({ ...base, train: f.train, score: f.valid })));
 * } finally {
 *   await pool.close();
 * }
 */
export class FitPool {
  readonly parallel: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;
  private inProcess: Promise<unknown> = Promise.resolve();

  constructor(
    readonly data: FitData,
    options: FitPoolOptions,
  ) {
    this.parallel = Math.max(1, Math.floor(options.parallel));
  }

  /** Run one job; resolves with its result when a worker has fitted it. */
  run(job: FitJob, hooks: FitJobHooks = {}): Promise<FitJobResult> {
    if (this.closed) return Promise.reject(new SluiceError("E_INTERNAL", "the fit pool is closed"));
    if (this.parallel <= 1) {
      // One job at a time, in order, so that memory stays that of one fit.
      const next = this.inProcess.then(async () => (await runFitJob(this.data, job, hooks)).result);
      this.inProcess = next.catch(() => undefined);
      return next;
    }
    return new Promise<FitJobResult>((resolve, reject) => {
      const pending: Pending = { id: this.nextId++, job, hooks, resolve, reject };
      if (hooks.signal?.aborted === true) return reject(aborted());
      hooks.signal?.addEventListener("abort", () => this.abort(pending), { once: true });
      this.queue.push(pending);
      this.dispatch();
    });
  }

  /** Stop every worker; queued and running jobs fail with E_ABORTED. */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(aborted());
    const slots = this.slots.splice(0);
    for (const s of slots) s.busy?.reject(aborted());
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.busy === undefined);
      if (slot === undefined && this.slots.length < this.parallel) slot = this.spawn();
      if (slot === undefined) return;
      const pending = this.queue.shift()!;
      slot.busy = pending;
      slot.worker.ref();
      const message: ToWorker = { id: pending.id, job: pending.job };
      slot.worker.postMessage(message);
    }
  }

  private spawn(): Slot {
    const worker = startWorker(import.meta.url, "./fit-worker", { workerData: this.data });
    const slot: Slot = { worker, busy: undefined };
    worker.on("message", (message: ToPool) => this.receive(slot, message));
    const lost = (why: string, cause?: unknown): void => {
      const i = this.slots.indexOf(slot);
      if (i < 0) return;
      this.slots.splice(i, 1);
      const p = slot.busy;
      slot.busy = undefined;
      p?.reject(
        new SluiceError(
          "E_WORKER",
          `a fit worker thread ${why}${p === undefined ? "" : ` while fitting ${p.job.kind}`}`,
          {
            ...(cause === undefined ? {} : { cause }),
            hint: "run again with --verbose for the cause; if it ran out of memory, use fewer threads",
          },
        ),
      );
      this.dispatch();
    };
    worker.on("error", (err) => lost(`failed: ${err.message}`, err));
    worker.on("exit", (code) => lost(`exited with code ${code}`));
    this.slots.push(slot);
    return slot;
  }

  private receive(slot: Slot, message: ToPool): void {
    const p = slot.busy;
    if (p === undefined || p.id !== message.id) return;
    if (message.type === "progress") {
      p.hooks.progress?.update(message.done, message.total);
      return;
    }
    slot.busy = undefined;
    // An idle worker must not keep the process alive.
    slot.worker.unref();
    if (message.type === "result") p.resolve(message.result);
    else {
      const { code, message: text, details, hint, stack } = message.error;
      // The worker's stack becomes the cause, so `--verbose` shows where a fit failed.
      const cause = stack === undefined ? undefined : Object.assign(new Error(text), { stack });
      p.reject(
        new SluiceError(code, text, {
          details,
          ...(hint === undefined ? {} : { hint }),
          ...(cause === undefined ? {} : { cause }),
        }),
      );
    }
    this.dispatch();
  }

  private abort(p: Pending): void {
    const queued = this.queue.indexOf(p);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      p.reject(aborted());
      return;
    }
    const slot = this.slots.find((s) => s.busy === p);
    if (slot === undefined) return;
    // A fit cannot be interrupted from outside its thread: drop the worker, start a fresh one later.
    this.slots.splice(this.slots.indexOf(slot), 1);
    slot.busy = undefined;
    p.reject(aborted());
    void slot.worker.terminate();
    this.dispatch();
  }
}

function aborted(): SluiceError {
  return new SluiceError("E_ABORTED", "the fit was stopped before it finished");
}
