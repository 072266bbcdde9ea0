/**
 * The prediction log sink: requests push records into memory (never waiting, never throwing);
 * a timer writes them to the store's prediction log in batches, each batch one transaction.
 * A crash loses at most what arrived since the last flush (`flushMs`, 100 ms by default).
 *
 * Where a batch goes is a {@link BatchWriter}. A SQLite file store is written from a worker
 * thread with its own connection (better-sqlite3 is synchronous: inserts on the event loop would
 * stall every request behind them); rows are encoded to text as they are pushed, and a batch
 * crosses to the thread as one string. Other stores (PostgreSQL, in-memory SQLite) are written
 * through the store itself, whose driver is asynchronous.
 */
import { SluiceError, isSluiceError } from "../errors.js";
import type { Store } from "../track/types.js";
import { ThreadWriter } from "./prediction-log-thread.js";
import type { PredictionRecord, PredictionSink } from "./types.js";

export interface PredictionLogOptions {
  /** Write what is queued every this many milliseconds. Default 100. */
  flushMs?: number;
  /** Rows per transaction; a queue this deep is written at once rather than at the next tick. Default 500. */
  maxBatch?: number;
  /** Rows kept while the store cannot be written; beyond it the oldest are dropped and counted. Default 100,000. */
  maxQueue?: number;
  /** Told once when writes start failing (and once when they recover). Default: a line on stderr. */
  onError?: (message: string, err?: unknown) => void;
  /**
   * Write from a worker thread with its own connection. Default: yes for a SQLite file store;
   * PostgreSQL and in-memory SQLite are written through the store.
   */
  thread?: boolean;
  /** SQLite, thread writes: how long a batch waits for another writer's lock before it fails and is kept. Default 10 s. */
  busyTimeoutMs?: number;
}

/** A {@link PredictionSink} that also takes the JSON texts a server already has of a record. */
export interface JsonPredictionSink extends PredictionSink {
  /**
   * {@link PredictionSink.push}, given `record.input` and `record.output` as JSON text too (the
   * request body, the answer): a writer that stores text keeps these instead of serialising
   * the objects again. The texts must be the JSON of those same objects.
   */
  pushJson(record: PredictionRecord, inputJson: string, outputJson: string): void;
}

/** True when `sink` takes JSON texts along with a record. */
export function takesJson(sink: PredictionSink): sink is JsonPredictionSink {
  return typeof (sink as Partial<JsonPredictionSink>).pushJson === "function";
}

/** A {@link PredictionSink} that also counts the rows it had to drop. */
export interface PredictionLog extends JsonPredictionSink {
  /** Rows dropped: queue overflow, malformed rows the store refused, pushes after close. */
  dropped(): number;
  /** Resolves once its writer has started (a SQLite store's thread is up); never rejects. */
  ready(): Promise<void>;
}

/**
 * Where a prediction log's batches go. `T` is what the queue keeps for a record.
 *
 * @example
 * const writer: BatchWriter<PredictionRecord> = {
 *   encode: (record) => record,
 *   write: (batch) => store.logPredictions!(batch),
 *   close: () => Promise.resolve(),
 * };
 */
export interface BatchWriter<T> {
  /**
   * What to queue for a record (on the request path: keep it cheap). `json`, when given, holds
   * the JSON texts of its input and output, for a writer that stores text.
   *
   * @throws SluiceError E_USAGE for a malformed record, which is dropped alone
   */
  encode(record: PredictionRecord, json?: { input: string; output: string }): T;
  /**
   * Write a batch in one transaction. A rejection with E_USAGE means a malformed row (the batch
   * is split until it is found and dropped); any other rejection keeps the batch for the next try.
   */
  write(batch: readonly T[]): Promise<void>;
  /** Called once, after the last write. */
  close(): Promise<void>;
  /** Resolves once writes can start without a start-up delay (a thread started); never rejects. Default: at once. */
  ready?(): Promise<void>;
}

function defaultOnError(message: string): void {
  process.stderr.write(`sluice: ${message}\n`);
}

function positiveInt(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new SluiceError("E_USAGE", `prediction log: ${name} must be an integer ≥ 1, got ${String(value)}`, {
      details: { [name]: value },
      hint: `set ${name} to a positive whole number`,
    });
  return value;
}

/** The file of a SQLite file store (`sqlite:/abs/path.db`), else undefined. */
function sqliteFile(store: Store): string | undefined {
  if (store.dialect !== "sqlite" || !store.url.startsWith("sqlite:")) return undefined;
  const path = store.url.slice("sqlite:".length);
  return path === ":memory:" || path === "" ? undefined : path;
}

/**
 * A prediction log writing into `store` (which must have a prediction log: the SQLite and
 * PostgreSQL stores do).
 *
 * @throws SluiceError E_STORE when the store cannot log predictions, E_USAGE for bad options
 * @example
 * const log = createPredictionLog(store);
 * log.push({ requestId, at: Date.now(), model: "churn", version: 3, input, output, latencyMs });
 * await log.close(); // on shutdown: writes what is left
 */
export function createPredictionLog(store: Store, options: PredictionLogOptions = {}): PredictionLog {
  if (store.logPredictions === undefined)
    throw new SluiceError("E_STORE", `the tracking store ${store.url} has no prediction log`, {
      details: { url: store.url },
      hint: "use a SQLite or PostgreSQL store, or turn off serve.log_predictions",
    });
  const file = sqliteFile(store);
  if (options.thread === true && file === undefined)
    throw new SluiceError(
      "E_USAGE",
      `prediction log: thread writes need a SQLite file store, not ${store.url}`,
      {
        details: { url: store.url },
        hint: "leave the thread option out: other stores are written through the store",
      },
    );
  const onError = options.onError ?? defaultOnError;
  if (file !== undefined && options.thread !== false) {
    const writer = new ThreadWriter(file, {
      ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }),
      onCrash: (message, err) => onError(`prediction log: ${message}`, err),
    });
    return createBatchedLog(writer, options);
  }
  return createBatchedLog(storeBatchWriter(store), options);
}

/**
 * A {@link BatchWriter} through the store's own `logPredictions` (asynchronous for PostgreSQL).
 *
 * @throws SluiceError E_STORE when the store cannot log predictions
 */
export function storeBatchWriter(store: Store): BatchWriter<PredictionRecord> {
  const logPredictions = store.logPredictions?.bind(store);
  if (logPredictions === undefined)
    throw new SluiceError("E_STORE", `the tracking store ${store.url} has no prediction log`, {
      details: { url: store.url },
      hint: "use a SQLite or PostgreSQL store, or turn off serve.log_predictions",
    });
  return {
    encode: (record) => record,
    write: (batch) => logPredictions(batch),
    close: () => Promise.resolve(),
  };
}

/**
 * A prediction log over any {@link BatchWriter}: the queue, its bound, the timer, retries and
 * shutdown of {@link createPredictionLog}.
 *
 * @throws SluiceError E_USAGE for bad options
 */
export function createBatchedLog<T>(
  writer: BatchWriter<T>,
  options: PredictionLogOptions = {},
): PredictionLog {
  const flushMs = positiveInt("flushMs", options.flushMs ?? 100);
  const maxBatch = positiveInt("maxBatch", options.maxBatch ?? 500);
  const maxQueue = positiveInt("maxQueue", options.maxQueue ?? 100_000);
  const onError = options.onError ?? defaultOnError;

  // The queue is queue[head..]; taken rows advance head, and the array is compacted now and then.
  let queue: (T | undefined)[] = [];
  let head = 0;
  let inFlight = 0;
  // Rows ever queued, and rows done with (written or dropped). Rows leave the queue in the order
  // they came (drops take the oldest), so a flush waits for `retired` to reach `queued` as it
  // was when the flush was asked for, not for a queue that requests keep filling.
  let queued = 0;
  let retired = 0;
  let droppedRows = 0;
  let closed = false;
  let failing = false;
  let running: Promise<void> | undefined;
  let soon: NodeJS.Immediate | undefined;

  const waiting = (): number => queue.length - head;

  function compact(): void {
    if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
  }

  function dropOverflow(): void {
    const excess = waiting() + inFlight - maxQueue;
    if (excess <= 0) return;
    const n = Math.min(excess, waiting());
    for (let i = 0; i < n; i++) queue[head + i] = undefined;
    head += n;
    droppedRows += n;
    retired += n;
    compact();
  }

  function take(): T[] {
    const n = Math.min(maxBatch, waiting());
    const batch = queue.slice(head, head + n) as T[];
    for (let i = 0; i < n; i++) queue[head + i] = undefined;
    head += n;
    compact();
    return batch;
  }

  /** Put a failed batch back in front, keeping its order (the queue bound still holds). */
  function putBack(batch: T[]): void {
    queue = [...batch, ...queue.slice(head)];
    head = 0;
    dropOverflow();
  }

  /** Write one batch; a malformed row (E_USAGE) is dropped alone, the rest written. */
  async function writeBatch(batch: readonly T[]): Promise<void> {
    try {
      await writer.write(batch);
    } catch (err) {
      if (!isSluiceError(err, "E_USAGE")) throw err;
      if (batch.length === 1) {
        droppedRows++;
        onError(`a prediction could not be logged and was dropped: ${err.message}`, err);
        return;
      }
      const half = batch.length >> 1;
      await writeBatch(batch.slice(0, half));
      await writeBatch(batch.slice(half));
    }
  }

  /** Write until every row queued before `target` is done with. */
  async function drain(target: number): Promise<void> {
    while (retired < target && waiting() > 0) {
      const batch = take();
      inFlight = batch.length;
      try {
        await writeBatch(batch);
      } catch (err) {
        inFlight = 0;
        putBack(batch);
        if (!failing) {
          failing = true;
          const message = err instanceof Error ? err.message : String(err);
          onError(
            `prediction log: writing ${batch.length} rows failed; keeping them for the next try: ${message}`,
            err,
          );
        }
        throw err;
      }
      inFlight = 0;
      retired += batch.length;
      if (failing) {
        failing = false;
        onError("prediction log: writing works again");
      }
    }
  }

  /** One drain at a time; a flush asked for during a drain runs after it. */
  function run(): Promise<void> {
    const target = queued;
    const previous = running ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => drain(target));
    running = next;
    void next.then(
      () => {
        if (running === next) running = undefined;
      },
      () => {
        if (running === next) running = undefined;
      },
    );
    return next;
  }

  function tick(): void {
    if (waiting() > 0 && running === undefined) run().catch(() => undefined);
  }

  const timer = setInterval(tick, flushMs);
  timer.unref();

  /** Queue one record; never throws (a malformed one is counted and reported). */
  function add(record: PredictionRecord, json: { input: string; output: string } | undefined): void {
    if (closed) {
      droppedRows++;
      return;
    }
    let row: T;
    try {
      row = writer.encode(record, json);
    } catch (err) {
      droppedRows++;
      onError(
        `a prediction could not be logged and was dropped: ${err instanceof Error ? err.message : String(err)}`,
        err,
      );
      return;
    }
    queue.push(row);
    queued++;
    if (waiting() + inFlight > maxQueue) dropOverflow();
    if (waiting() >= maxBatch && soon === undefined && running === undefined)
      soon = setImmediate(() => {
        soon = undefined;
        tick();
      });
  }

  return {
    push(record: PredictionRecord): void {
      add(record, undefined);
    },
    pushJson(record: PredictionRecord, inputJson: string, outputJson: string): void {
      add(record, { input: inputJson, output: outputJson });
    },
    depth: () => waiting() + inFlight,
    dropped: () => droppedRows,
    ready: () => writer.ready?.() ?? Promise.resolve(),
    flush(): Promise<void> {
      return run();
    },
    async close(): Promise<void> {
      if (closed) return running?.catch(() => undefined);
      closed = true;
      clearInterval(timer);
      if (soon !== undefined) clearImmediate(soon);
      soon = undefined;
      try {
        await run();
      } finally {
        await writer.close();
      }
    },
  };
}
