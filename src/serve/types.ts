/**
 * The serving contract: the parts of `sluice serve` and how they meet. The app (routes) reads
 * the current model from a {@link ModelHolder}, records every prediction into a
 * {@link PredictionSink} and counts into {@link ServeMetrics}; the server wires real ones.
 *
 * The serving path imports no training-only code (DuckDB, search, plots): only models,
 * features, the bundle loader (src/pipeline/bundle.ts) and the store.
 */
import type { ErrorCode } from "../errors.js";
import type { ModelBundle } from "../pipeline/bundle.js";

/** A model ready to answer: its bundle and where it came from. */
export interface LoadedModel {
  readonly bundle: ModelBundle;
  /** Registered model name, or the model file's folder name for a file. */
  readonly name: string;
  /** Registry version (null for a file). */
  readonly version: number | null;
  /** Registry stage at load time (null for a file); {@link ModelHolder.stage} reads the stage now. */
  readonly stage: string | null;
  /** What was loaded: `models:/churn@production`, a `file://` URI or a path. */
  readonly source: string;
  /** Epoch ms. */
  readonly loadedAt: number;
}

export interface ReloadResult {
  /** True when a different version is now serving. */
  changed: boolean;
  version: number | null;
  /** Why the candidate was refused (the old model keeps serving). */
  error?: string;
  /** The error code of the refusal (E_ARTIFACT for a model that fails its checks, E_NOT_FOUND for a reference that points nowhere, …). */
  code?: ErrorCode;
}

export interface HolderStatus {
  /** The reference followed (`models:/churn@production`), when following the registry. */
  following?: string;
  /** Epoch ms of the last registry check. */
  lastCheckAt?: number;
  /** The last refused reload: which version, why, when. */
  lastError?: { version: number | null; message: string; at: number };
  /** Successful swaps since start. */
  swaps: number;
}

/** Holds the serving model; swaps it atomically (requests in flight keep the one they took). */
export interface ModelHolder {
  /** The model to answer with; undefined until one is loaded (then /ready is 503). */
  current(): LoadedModel | undefined;
  /** Check the source now and swap when it changed and the new model passes its checks. */
  reload(): Promise<ReloadResult>;
  status(): HolderStatus;
  /**
   * The registry's stage of the version serving, read now (it may have moved since the load:
   * a version promoted past is `archived`); the load-time stage when the registry cannot be
   * read, null for a model file. Without this method, the load-time stage is reported.
   */
  stage?(): Promise<string | null>;
  /** Stop following (timers); the current model stays. */
  close(): Promise<void>;
}

/** One logged prediction. */
export interface PredictionRecord {
  requestId: string;
  /** Epoch ms. */
  at: number;
  model: string;
  version: number | null;
  /** The record as received (after unknown fields were dropped, when ignored). */
  input: Record<string, unknown>;
  /** prediction, probability (classification), confidence, risk, … */
  output: Record<string, unknown>;
  latencyMs: number;
}

/** Where predictions go: written in batches off the request path. */
export interface PredictionSink {
  /** Never blocks and never throws on the request path. */
  push(record: PredictionRecord): void;
  /** Records waiting to be written. */
  depth(): number;
  /** Write everything pushed so far. */
  flush(): Promise<void>;
  /** Flush, then stop. */
  close(): Promise<void>;
  /**
   * Resolves once a pushed record is written within the sink's flush interval (its writer has
   * started); a server waits for it before it listens, so a crash loses at most that interval
   * from the first request on. Never rejects.
   */
  ready?(): Promise<void>;
}

/** Prometheus metrics of the server (prom-client). */
export interface ServeMetrics {
  /** One finished HTTP request: route pattern (`/predict`), method, status, seconds. */
  observeRequest(route: string, method: string, status: number, seconds: number): void;
  /** One prediction: the predicted label (classification) or "value", and the probability of the positive/top class. */
  observePrediction(label: string, probability: number | undefined): void;
  /** The model now serving (a gauge with name/version labels set to 1). */
  setModel(name: string, version: number | null): void;
  /** A refused reload. */
  reloadFailed(): void;
  /** Prometheus text exposition. */
  render(): Promise<string>;
  readonly contentType: string;
}
