/**
 * Scoring the chunks of `predictFile`: on this thread, or on a worker thread so that parsing
 * and checking the next chunk overlaps with scoring this one. Both give the same bits: the
 * worker runs the same model code on the same matrix (rebuilt from the model's file form).
 *
 * Chunks are answered in the order they are sent; `predictFile` keeps at most two in flight.
 */
import type { Worker } from "node:worker_threads";
import { SluiceError, type ErrorCode } from "../errors.js";
import type { FeatureMatrix } from "../features/matrix.js";
import type { Model, ModelFile } from "../models/types.js";
import { startWorker } from "../util/worker.js";

/** Scores feature matrices with one model. */
export interface ChunkScorer {
  /**
   * The model's outputs for `X` (probabilities for a classifier, values for a regressor),
   * row-major. `X.data` may be handed to another thread: do not use it afterwards.
   *
   * @param reuse an array of a result no longer needed, to write into when its size fits
   */
  score(X: FeatureMatrix, reuse?: Float64Array): Promise<Float64Array>;
  close(): Promise<void>;
}

/** Scores on the calling thread. */
export class InlineScorer implements ChunkScorer {
  constructor(private readonly model: Model) {}

  score(X: FeatureMatrix, reuse?: Float64Array): Promise<Float64Array> {
    const width = this.model.task === "classification" ? (this.model.classes?.length ?? 0) : 1;
    const out = reuse !== undefined && reuse.length === X.nRows * width ? reuse : undefined;
    return Promise.resolve(
      this.model.task === "classification" ? this.model.predictProba(X, out) : this.model.predict(X, out),
    );
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** What the scoring thread starts with. */
export interface ScorerThreadData {
  model: ModelFile;
  names: readonly string[];
  /** predictProba (classification) or predict (regression). */
  proba: boolean;
  /** Outputs per row. */
  width: number;
}

/** A chunk to score; `data` (and `out`) are transferred. */
export interface ToScorerThread {
  id: number;
  nRows: number;
  data: Float64Array;
  out?: Float64Array;
}

export type FromScorerThread =
  { id: number; result: Float64Array } | { id: number; error: { code: ErrorCode; message: string } };

interface Pending {
  resolve: (r: Float64Array) => void;
  reject: (e: Error) => void;
}

/** Scores on a worker thread, one chunk after another. */
export class ThreadScorer implements ChunkScorer {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | undefined;

  constructor(model: Model, names: readonly string[]) {
    const proba = model.task === "classification";
    const data: ScorerThreadData = {
      model: model.toJSON(),
      names,
      proba,
      width: proba ? (model.classes?.length ?? 0) : 1,
    };
    this.worker = startWorker(import.meta.url, "./predict-worker", { workerData: data });
    this.worker.on("message", (m: FromScorerThread) => {
      const p = this.pending.get(m.id);
      if (p === undefined) return;
      this.pending.delete(m.id);
      if ("result" in m) p.resolve(m.result);
      else p.reject(new SluiceError(m.error.code, m.error.message));
    });
    const fail = (err: Error) => {
      this.failure = new SluiceError("E_WORKER", `the scoring thread stopped: ${err.message}`, {
        cause: err,
        hint: "run again; if it happens again, report it with the model file",
      });
      for (const p of this.pending.values()) p.reject(this.failure);
      this.pending.clear();
    };
    this.worker.on("error", fail);
    this.worker.on("exit", (code) => {
      if (this.pending.size > 0) fail(new Error(`it exited with code ${code}`));
    });
  }

  score(X: FeatureMatrix, reuse?: Float64Array): Promise<Float64Array> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<Float64Array>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      const message: ToScorerThread = { id, nRows: X.nRows, data: X.data };
      const transfer = [X.data.buffer as ArrayBuffer];
      if (reuse !== undefined) {
        message.out = reuse;
        transfer.push(reuse.buffer as ArrayBuffer);
      }
      this.worker.postMessage(message, transfer);
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
