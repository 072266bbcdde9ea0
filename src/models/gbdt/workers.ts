/**
 * Histogram threads: they share the row passes of boosting with the fitting thread
 * (row-tasks.ts) — histogram builds, splits of leaves (partition and the smaller child's
 * histogram), gradients and the training scores of a grown tree. The round's rows are cut
 * once into shards (contiguous stretches of the partition, fixed by the data size) and every
 * leaf keeps its rows shard by shard, so a command's chunks are groups of shards: each chunk
 * partitions its own stretch of the partition and sums its own histogram, and the fitting
 * thread adds the chunks' histograms up in chunk order. How a command is cut depends on the
 * data only (never on the threads), so whoever runs a chunk computes the same bits, which is
 * why a model does not depend on the number of threads.
 *
 * Protocol, over one shared Int32Array (`control`): the fitting thread writes the command, its
 * arguments and its number of chunks, tags C_NEXT with the command, bumps C_SEQ and wakes the
 * workers; then every thread, the fitting one included, claims chunks one at a time (compare
 * and swap on C_NEXT) and adds 1 to C_DONE per chunk finished, and the fitting thread waits
 * (Atomics.wait: allowed on Node's main thread) until C_DONE reaches the number of chunks.
 * Claiming keeps a busy machine from stalling a fit: a thread that is not scheduled simply
 * claims nothing, and the others do its share. Commands come in quick bursts while a tree
 * grows (tens of microseconds apart), and waking a sleeping thread costs a system call on both
 * sides and tens of microseconds, so each side first polls for {@link SPIN_MS} and only then
 * sleeps; the other side wakes it only when it has said it sleeps (C_SLEEPERS, C_MAIN_SLEEPS).
 * Every flag is read after the value it guards is written (sequentially consistent atomics),
 * so no wake-up is lost. The data itself (packed bins, row partition, leaf ranges, gradients,
 * histograms) is on SharedArrayBuffers given once at start.
 */
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from "node:worker_threads";
import { SluiceError } from "../../errors.js";
import { startWorker } from "../../util/worker.js";
import type { PackedRows } from "../kernels/rowbins.js";
import type { ObjectiveName } from "./objective.js";

/** Control fields. */
export const C_SEQ = 0;
/** Chunks of the current command finished. */
export const C_DONE = 1;
export const C_ERROR = 2;
/** Workers asleep on C_SEQ. */
export const C_SLEEPERS = 3;
/** 1 while the fitting thread sleeps on C_DONE. */
export const C_MAIN_SLEEPS = 4;
/** The next chunk to claim, tagged with the command: (tag << CHUNK_BITS) | chunk. */
export const C_NEXT = 5;
/** Chunks of the current command. */
export const C_CHUNKS = 6;
/** The command, then up to {@link MAX_ARGS} integer arguments. */
export const C_ARGS = 7;
export const MAX_ARGS = 10;
export const CONTROL_LENGTH = C_ARGS + 1 + MAX_ARGS;

/** At most 2^CHUNK_BITS chunks per command. */
export const CHUNK_BITS = 10;
export const MAX_CHUNKS = 1 << CHUNK_BITS;
const TAG_MASK = (1 << (31 - CHUNK_BITS)) - 1;

/** The tag of command number `seq` in C_NEXT. */
export function commandTag(seq: number): number {
  return seq & TAG_MASK;
}

export const CMD_EXIT = 0;
/** Histogram of a leaf, a chunk per group of shards: hist base, leaf, gradient base, flags (BUILD_*). */
export const CMD_BUILD = 1;
/** Gradients and sums of gradient blocks (a chunk is a block): no arguments. */
export const CMD_GRADIENTS = 2;
/**
 * Split a leaf, a chunk per group of shards: partition each shard's rows of the leaf, then sum
 * one child's histogram. Arguments: leaf (keeps the left rows), right (the new leaf), column
 * base, split bin, missing bin, flags (SPLIT_*), child to build (or -1), hist base, gradient
 * base.
 */
export const CMD_SPLIT = 3;
/** Add a grown tree's leaf values to the training scores, a chunk per group of shards: leaves, score base. */
export const CMD_ADD_LEAVES = 4;

/** CMD_BUILD flags: the leaf is the rows 0..n-1 in order (the root without bagging): `rows` is not read. */
export const BUILD_ALL_ROWS = 1;
/** CMD_BUILD flags: with BUILD_ALL_ROWS, leave the counts at 0 (the caller knows them). */
export const BUILD_UNCOUNTED = 2;
/**
 * CMD_BUILD flags: with BUILD_ALL_ROWS | BUILD_UNCOUNTED (one output): compute the round's
 * gradients of the rows too, block by block just before summing them (while they are in
 * cache), and each shard's gradient and hessian totals into `shardSums`.
 */
export const BUILD_GRADIENTS = 4;
/** CMD_SPLIT flags: missing values go left. */
export const SPLIT_MISSING_LEFT = 1;
/** CMD_SPLIT flags: the leaf is the rows 0..n-1 in order: `rows` is written, not read. */
export const SPLIT_IN_ORDER = 2;
/**
 * CMD_SPLIT flags: neither child will be split again: add their values (`leafValue` of both
 * leaves) to their rows' scores (score base in the gradient-base argument) instead of
 * partitioning, and leave both children empty of rows (so the tree's score pass skips them).
 */
export const SPLIT_SCORE = 4;

/**
 * Claim the next chunk of the command tagged `tag`, or -1 when none is left (or the command
 * is no longer the current one: a thread that woke late takes no chunk of the next command).
 */
export function claimChunk(control: Int32Array, tag: number): number {
  for (;;) {
    const v = Atomics.load(control, C_NEXT);
    if (v >>> CHUNK_BITS !== tag) return -1;
    const c = v & (MAX_CHUNKS - 1);
    if (c >= control[C_CHUNKS]!) return -1;
    if (Atomics.compareExchange(control, C_NEXT, v, v + 1) === v) return c;
  }
}

/** Shared arrays every worker reads or writes, and the fit's constants. */
export interface SharedBuffers {
  /** The partition: row indices, every leaf a range. */
  rows: Int32Array;
  /** The partition's scratch (right rows while a leaf is split), as long as `rows`. */
  scratch: Int32Array;
  /** Column-major bins of the training matrix. */
  bins: Uint8Array;
  nRows: number;
  g: Float32Array;
  h: Float32Array;
  /** The histogram pool, and the histograms of chunks 1.. of a build (zero between builds). */
  hist: Float64Array;
  chunkHist: Float64Array;
  /** Doubles per histogram. */
  histLength: number;
  constantHessian: boolean;
  /** Gradient inputs: objective, outputs, class-major raw scores, labels and weights. */
  objective: ObjectiveName;
  nOutputs: number;
  raw: Float64Array;
  y: Int32Array | Float64Array;
  /** Row weights; undefined when every weight is 1. */
  w: Float64Array | undefined;
  /** Per output and block of GRADIENT_BLOCK rows, the sums of its gradients and hessians. */
  blockSums: Float64Array;
  /** Per shard, the sums of its gradients and hessians (2s, 2s + 1) when a root build computes them. */
  shardSums: Float64Array;
  /** Shards of the round's rows: leaf l's rows in shard s are `rows[shardBegin[l·S + s] ..)`, `shardCount[l·S + s]` of them. */
  shards: number;
  shardBegin: Int32Array;
  shardCount: Int32Array;
  /** The grown tree's leaf values, added to their rows' scores. */
  leafValue: Float64Array;
}

/**
 * How long a thread polls the control word before it sleeps on it. Within a tree commands come
 * 0.1–0.3 ms apart (the fitting thread adds up histograms and finds splits in between), and a
 * thread woken from sleep starts 20–50 µs late on a quiet machine (system calls on both
 * sides, scheduling), far later on a busy one. Measured on the churn example at 800,000 rows
 * with 0.2 ms: three commands in four found the worker asleep. On a busy machine a polling
 * thread takes a core others could use, which is why it does not poll for longer.
 */
export const SPIN_MS = 1;

/** Polls between two looks at the clock while spinning. */
export const POLLS_PER_CLOCK = 256;

/**
 * Poll `control[at]` for up to {@link SPIN_MS}: while it is below `value` (`below`) or equal
 * to it (otherwise).
 */
export function spinWhile(control: Int32Array, at: number, value: number, below: boolean): void {
  const until = performance.now() + SPIN_MS;
  for (;;) {
    for (let i = 0; i < POLLS_PER_CLOCK; i++) {
      const v = Atomics.load(control, at);
      if (below ? v >= value : v !== value) return;
    }
    if (performance.now() > until) return;
  }
}

/** How long the fitting thread sleeps between checks that its workers are alive. */
const WAIT_SLICE_MS = 500;

export class HistogramWorkers {
  private constructor(
    private readonly workers: Worker[],
    private readonly ports: MessagePort[],
    /** The control words (shared with the workers). */
    readonly control: Int32Array,
    /** Per chunk, the integer result of the last command (shared with the workers). */
    readonly results: Int32Array,
  ) {}

  /**
   * Start `count` workers and wait until each is ready. They start while the fitting thread
   * bins the matrix, and get their data with {@link attach}.
   *
   * @throws SluiceError E_WORKER when a worker fails to start
   */
  static async start(count: number): Promise<HistogramWorkers> {
    const control = new Int32Array(new SharedArrayBuffer(CONTROL_LENGTH * 4));
    const results = new Int32Array(new SharedArrayBuffer(MAX_CHUNKS * 4));
    const workers: Worker[] = [];
    const ports: MessagePort[] = [];
    const ready: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      const channel = new MessageChannel();
      const worker = startWorker(import.meta.url, "./histogram-worker", {
        workerData: { control, results, errors: channel.port2 },
        transferList: [channel.port2],
      });
      worker.unref();
      workers.push(worker);
      ports.push(channel.port1);
      ready.push(
        new Promise<void>((resolve, reject) => {
          worker.once("message", () => resolve());
          worker.once("error", (err) => reject(err));
          worker.once("exit", (code) => reject(new Error(`exited with code ${code} before it was ready`)));
        }),
      );
    }
    const pool = new HistogramWorkers(workers, ports, control, results);
    try {
      await Promise.all(ready);
    } catch (err) {
      await pool.close();
      throw new SluiceError("E_WORKER", `a histogram thread failed to start: ${(err as Error).message}`, {
        cause: err,
        hint: "fit with threads: 1 to train without worker threads",
      });
    }
    for (const w of workers) w.removeAllListeners();
    return pool;
  }

  get size(): number {
    return this.workers.length;
  }

  /** Give the workers the fit's packed rows and shared arrays; they then take commands. */
  attach(pack: PackedRows, buffers: SharedBuffers): void {
    for (const w of this.workers) w.postMessage({ pack, buffers });
  }

  /** The tag the next {@link issue} gives its command. */
  get nextTag(): number {
    return commandTag(this.control[C_SEQ]! + 1);
  }

  /**
   * Post a command of `chunks` chunks (its arguments already in the control array) and wake
   * the workers; returns at once. The caller claims chunks too, then calls {@link join}.
   */
  issue(chunks: number): void {
    const c = this.control;
    c[C_CHUNKS] = chunks;
    Atomics.store(c, C_DONE, 0);
    Atomics.store(c, C_NEXT, this.nextTag << CHUNK_BITS);
    Atomics.add(c, C_SEQ, 1);
    if (Atomics.load(c, C_SLEEPERS) > 0) Atomics.notify(c, C_SEQ);
  }

  /**
   * Wait until every chunk of the last command is finished.
   *
   * @throws SluiceError E_WORKER when a worker failed or died
   */
  join(chunks: number): void {
    const c = this.control;
    spinWhile(c, C_DONE, chunks, true);
    for (;;) {
      const done = Atomics.load(c, C_DONE);
      if (done >= chunks) break;
      Atomics.store(c, C_MAIN_SLEEPS, 1);
      const woke = Atomics.wait(c, C_DONE, done, WAIT_SLICE_MS);
      Atomics.store(c, C_MAIN_SLEEPS, 0);
      if (woke === "timed-out")
        for (const w of this.workers)
          // A thread that is gone reports threadId -1 before its exit event can run.
          if (w.threadId === -1)
            throw new SluiceError("E_WORKER", "a histogram thread stopped while building a histogram", {
              hint: "the machine may be out of memory; fit with threads: 1 or on fewer rows",
            });
    }
    if (Atomics.load(c, C_ERROR) !== 0) {
      let message = "unknown error";
      for (const p of this.ports) {
        const m = receiveMessageOnPort(p);
        if (m !== undefined) message = String(m.message);
      }
      throw new SluiceError("E_WORKER", `a histogram thread failed: ${message}`, {
        hint: "this is a bug in Sluice; fit with threads: 1 to train without worker threads",
      });
    }
  }

  /** Stop the workers. */
  async close(): Promise<void> {
    const c = this.control;
    c[C_ARGS] = CMD_EXIT;
    Atomics.add(c, C_SEQ, 1);
    Atomics.notify(c, C_SEQ);
    for (const p of this.ports) p.close();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
