/**
 * Growing the trees of a forest, on this thread or on worker threads. Each tree depends only
 * on its index (see grow.ts), and trees are handed to the caller in index order whatever order
 * the workers finish them in, so the forest is the same for any number of threads.
 */
import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import { SluiceError } from "../../errors.js";
import { startWorker } from "../../util/worker.js";
import type { Tree } from "../tree.js";
import { TreeGrower, type ForestData, type GrowSettings } from "./grow.js";
import type { ForestWorkerData } from "./worker.js";

export interface GrowHooks {
  /** Called with each tree in index order; return false to stop growing more. */
  onTree: (t: number, tree: Tree) => boolean;
  signal?: AbortSignal;
}

/** Worker threads for `requested` (0 = one per core), never more than trees. */
export function resolveThreads(requested: number, nTrees: number): number {
  const threads = requested === 0 ? availableParallelism() : requested;
  return Math.max(1, Math.min(threads, nTrees));
}

function workerFailed(err: Error): SluiceError {
  return new SluiceError("E_WORKER", `a worker thread growing trees failed: ${err.message}`, { cause: err });
}

function aborted(signal: AbortSignal): SluiceError {
  return new SluiceError("E_ABORTED", "fitting the random forest was stopped by its caller", {
    cause: signal.reason,
  });
}

/**
 * Worker threads started ahead of the data (they load their modules while the caller bins the
 * matrix), and the first error any of them reported before {@link growTrees} took them over.
 */
export class TreeWorkers {
  readonly workers: Worker[] = [];
  error: Error | undefined;

  constructor(count: number) {
    for (let i = 0; i < count; i++) {
      const w = startWorker(import.meta.url, "./worker");
      // Until growTrees listens: keep the first failure for it.
      w.on("error", (err) => (this.error ??= err));
      w.on("exit", (code) => (this.error ??= new Error(`exited with code ${code}`)));
      this.workers.push(w);
    }
  }

  /** Stop every worker. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** A copy of `a` in shared memory, for worker threads to read without copies of their own. */
function shared<T extends Uint8Array | Int32Array | Float64Array>(a: T): T {
  const ctor = a.constructor as new (buffer: SharedArrayBuffer) => T;
  const out = new ctor(new SharedArrayBuffer(a.byteLength));
  out.set(a);
  return out;
}

/**
 * Grow trees 0..nTrees−1 and return those grown (fewer when `onTree` stopped early): on this
 * thread, and on `pool`'s workers when there is one (they are closed before this returns).
 *
 * @throws SluiceError E_ABORTED (signal), E_WORKER (a worker failed)
 */
export async function growTrees(
  data: ForestData,
  settings: GrowSettings,
  nTrees: number,
  pool: TreeWorkers | undefined,
  hooks: GrowHooks,
): Promise<Tree[]> {
  const trees: Tree[] = [];
  const { signal } = hooks;
  if (pool === undefined) {
    const grower = new TreeGrower(data, settings);
    for (let t = 0; t < nTrees; t++) {
      if (signal?.aborted) throw aborted(signal);
      const tree = grower.grow(t);
      trees.push(tree);
      if (!hooks.onTree(t, tree)) break;
      // Let timers and abort handlers run between trees.
      if (t % 4 === 3) await new Promise((resolve) => setImmediate(resolve));
    }
    if (signal?.aborted) throw aborted(signal);
    return trees;
  }

  const workerData: ForestWorkerData = {
    data: {
      ...data,
      bins: data.bins.buffer instanceof SharedArrayBuffer ? data.bins : shared(data.bins),
      y: data.y.buffer instanceof SharedArrayBuffer ? data.y : shared(data.y),
      weights: data.weights.buffer instanceof SharedArrayBuffer ? data.weights : shared(data.weights),
    },
    settings,
  };
  // This thread grows trees too, so the forest starts at once while the workers load (a
  // worker's start costs tens of milliseconds, a few hundred from TypeScript sources).
  const grower = new TreeGrower(data, settings);
  const workers = pool.workers;
  const done = new Map<number, Tree>();
  let nextToSend = 0;
  let nextToDeliver = 0;
  let failure: Error | undefined;
  let finished = false;
  let wake: (() => void) | undefined;
  const finish = (err?: Error): void => {
    if (finished) return;
    finished = true;
    failure = err;
    wake?.();
  };
  /** Hand over the trees that are next in order; stop when all are in or the caller says so. */
  const deliver = (t: number, tree: Tree): void => {
    done.set(t, tree);
    while (!finished && done.has(nextToDeliver)) {
      const next = done.get(nextToDeliver)!;
      done.delete(nextToDeliver);
      trees.push(next);
      const more = hooks.onTree(nextToDeliver, next);
      nextToDeliver++;
      if (!more || nextToDeliver === nTrees) finish();
    }
  };
  const onAbort = (): void => finish(aborted(signal!));
  signal?.addEventListener("abort", onAbort);
  try {
    if (signal?.aborted) throw aborted(signal);
    const send = (w: Worker): void => {
      if (!finished && nextToSend < nTrees) w.postMessage(nextToSend++);
    };
    if (pool.error !== undefined) throw workerFailed(pool.error);
    for (const w of workers) {
      w.removeAllListeners();
      w.postMessage(workerData);
      w.on("message", (msg: { t: number; tree?: Tree; error?: string }) => {
        if (finished) return;
        if (msg.error !== undefined || msg.tree === undefined)
          return finish(
            new SluiceError(
              "E_WORKER",
              `a worker thread failed while growing tree ${msg.t}: ${msg.error ?? "no tree"}`,
              {
                details: { tree: msg.t },
              },
            ),
          );
        send(w);
        deliver(msg.t, msg.tree);
        wake?.();
      });
      w.on("error", (err) => finish(workerFailed(err)));
      w.on("exit", (code) => {
        if (!finished)
          finish(new SluiceError("E_WORKER", `a worker thread growing trees exited with code ${code}`));
      });
      // Two trees in flight per worker, so it never waits for this thread between trees.
      send(w);
      send(w);
    }
    while (!finished) {
      if (nextToSend < nTrees) {
        const t = nextToSend++;
        deliver(t, grower.grow(t));
        // Let worker results and abort handlers in before the next tree.
        await new Promise((resolve) => setImmediate(resolve));
      } else await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    await pool.close();
  }
  if (failure !== undefined) throw failure;
  return trees;
}
