/**
 * The tracking store and model registry contract. One interface, two implementations
 * (SQLite through better-sqlite3, PostgreSQL through pg), one SQL layer (Kysely) and one
 * conformance suite that runs against both.
 *
 * Single-value calls (`logMetric`, `logParam`, `setTag`) funnel into {@link Store.logBatch}, as
 * in MLflow. Checks live in one place (the shared base), so both backends refuse the same bad
 * input with the same error codes.
 */

export type RunStatus = "running" | "finished" | "failed" | "killed";
export type Stage = "none" | "staging" | "production" | "archived";
export const STAGES: readonly Stage[] = ["none", "staging", "production", "archived"];

export interface Experiment {
  id: string;
  name: string;
  /** Epoch milliseconds. */
  createdAt: number;
}

export interface MetricPoint {
  key: string;
  value: number;
  /** Iteration, fold or trial number; 0 by default. */
  step?: number;
  /** Epoch milliseconds; now by default. */
  timestamp?: number;
}

export interface ArtifactRecord {
  /** Path relative to the run's artifact root (`model.json`, `report/evaluation.html`). */
  path: string;
  /** Where the bytes are (`file:///…` for the local store). */
  uri: string;
  bytes: number;
  sha256: string;
}

export interface RunRecord {
  id: string;
  experimentId: string;
  name: string;
  status: RunStatus;
  startTime: number;
  endTime: number | null;
  parentRunId: string | null;
  /** Process id and host of the process that runs it (to tell a killed run from a live one). */
  pid: number | null;
  host: string | null;
  params: Record<string, string>;
  tags: Record<string, string>;
  /** The latest value of each metric (highest step, then latest timestamp). */
  metrics: Record<string, number>;
  artifacts: ArtifactRecord[];
}

export interface CreateRunInput {
  /** The run id; generated when absent. A caller-chosen id must be unique ([A-Za-z0-9_-], ≤ 64 chars). */
  id?: string;
  experimentId: string;
  name: string;
  parentRunId?: string;
  tags?: Record<string, string>;
  startTime?: number;
  pid?: number;
  host?: string;
}

export interface LogBatchInput {
  metrics?: MetricPoint[];
  params?: Record<string, string | number | boolean>;
  tags?: Record<string, string>;
}

export interface SearchRunsInput {
  /** Limit to these experiments (ids); all by default. */
  experimentIds?: string[];
  /**
   * MLflow-like filter: clauses joined by `and`; each `<entity>.<key> <op> <value>` where entity
   * is `metrics`, `params`, `tags` or `attributes` (status, name, start_time, end_time,
   * parent_run_id, experiment_id); ops `= != < <= > >=` and `like` / `ilike` for text;
   * strings in single or double quotes; keys with odd characters in backticks.
   * Example: `metrics.roc_auc > 0.8 and params.kind = 'gradient_boosting'`.
   */
  filter?: string;
  /** e.g. `["metrics.roc_auc DESC", "attributes.start_time"]`; default start_time DESC. */
  orderBy?: string[];
  /** Default 100, at most 1000. */
  pageSize?: number;
  /** Opaque token from the previous page. */
  pageToken?: string;
}

export interface RunsPage {
  runs: RunRecord[];
  nextPageToken: string | null;
}

export interface RegisteredModel {
  name: string;
  description: string;
  createdAt: number;
  updatedAt: number;
  /** Highest version number. */
  latestVersion: number;
  /** alias → version */
  aliases: Record<string, number>;
}

export interface GateRecord {
  name: string;
  /** The measured value (NaN-free; null when it could not be measured). */
  value: number | null;
  threshold: number | null;
  passed: boolean;
  detail: string;
}

export interface ModelVersion {
  name: string;
  version: number;
  runId: string | null;
  /** Where the model file is (an artifact URI or a file path). */
  source: string;
  stage: Stage;
  description: string;
  createdAt: number;
  tags: Record<string, string>;
  /** Aliases pointing at this version. */
  aliases: string[];
  /** Test metrics recorded at registration. */
  metrics: Record<string, number>;
  gates: GateRecord[];
}

export interface Transition {
  name: string;
  version: number;
  /** `stage` transitions, or alias set/removed. */
  kind: "stage" | "alias";
  /** For `alias` transitions: the alias that was set, moved or removed. */
  alias?: string;
  from: string | null;
  to: string | null;
  at: number;
  by: string;
  reason: string;
}

export interface CreateVersionInput {
  name: string;
  source: string;
  runId?: string;
  description?: string;
  tags?: Record<string, string>;
  metrics?: Record<string, number>;
  by?: string;
}

export interface TransitionInput {
  by: string;
  reason: string;
}

/**
 * One served prediction as the prediction log stores it (the serving contract's
 * `PredictionRecord` has this shape).
 */
export interface PredictionLogRow {
  requestId: string;
  /** Epoch milliseconds. */
  at: number;
  model: string;
  version: number | null;
  /** The record as received. */
  input: Record<string, unknown>;
  /** prediction, probability, confidence, risk, … */
  output: Record<string, unknown>;
  latencyMs: number;
}

/** A logged prediction read back: its row id (insertion order) and feedback, when given. */
export interface StoredPrediction extends PredictionLogRow {
  id: number;
  /** Ground truth sent later (monitoring), or null. */
  feedback: Record<string, unknown> | null;
  /** Epoch milliseconds of the feedback, or null. */
  feedbackAt: number | null;
}

/** Which logged predictions to read. */
export interface PredictionQuery {
  /** Only this registered model (or file model name). */
  model?: string;
  /** Epoch ms, inclusive. */
  since?: number;
  /** Epoch ms, exclusive. */
  until?: number;
  /** Rows after this id (paging: pass the last id of the previous page). */
  afterId?: number;
  /** Page size: default 1000, at most 10,000 (ignored by counts). */
  limit?: number;
}

/** Ground truth for one logged prediction, sent after the fact (`POST /feedback`). */
export interface FeedbackInput {
  /** The logged prediction's request id (`x-request-id`; `<id>-<i>` for instance i of a batch). */
  requestId: string;
  /** What happened, e.g. `{ label: "1" }` or `{ value: 412000 }`. */
  feedback: Record<string, unknown>;
  /** Epoch ms; now by default. */
  at?: number;
}

/** The most recent logged predictions of one model: a monitoring window. */
export interface PredictionWindowQuery {
  model: string;
  /** Only predictions of this version. */
  version?: number;
  /** The last this many rows (default 1000, at most 1,000,000). */
  last?: number;
  /** Epoch ms, inclusive. */
  since?: number;
  /** Epoch ms, exclusive. */
  until?: number;
}

/** Drift severity levels, in order. */
export type DriftSeverity = "none" | "moderate" | "severe" | "critical";
export const DRIFT_SEVERITIES: readonly DriftSeverity[] = ["none", "moderate", "severe", "critical"];

/** One drift measurement of a model version, as the store keeps it (its history). */
export interface DriftReportInput {
  model: string;
  version: number | null;
  /** Epoch ms; now by default. */
  at?: number;
  /** What the current data was: `prediction log: last 1000 rows`, `file:///…/batch.csv`. */
  source: string;
  referenceRows: number;
  currentRows: number;
  datasetDrift: boolean;
  /** Share of tested features that drifted. */
  driftShare: number;
  severity: DriftSeverity;
  /** Names of the drifted features. */
  drifted: string[];
  /** The JSON report (per-feature tests, statistics, thresholds, verdicts). */
  report: Record<string, unknown>;
}

export interface DriftReportRecord extends Required<Omit<DriftReportInput, "report">> {
  id: number;
  report: Record<string, unknown>;
}

/** A monitoring event: an alert sent, or a retraining started by drift. */
export interface MonitorEventInput {
  model: string;
  version: number | null;
  kind: "alert" | "retrain";
  /** Epoch ms; now by default. */
  at?: number;
  severity: DriftSeverity;
  /** alert: `sent` | `failed`; retrain: `started` | `finished` | `failed`. */
  status: string;
  /** Why it happened, in words. */
  reason: string;
  /** The run a retraining started. */
  runId?: string | null;
  detail?: Record<string, unknown>;
}

export interface MonitorEvent extends Required<Omit<MonitorEventInput, "runId" | "detail">> {
  id: number;
  runId: string | null;
  detail: Record<string, unknown>;
}

/** Parsed `models:/NAME@alias`, `models:/NAME/3`, `models:/NAME@production` (stage). */
export type ModelRef =
  | { kind: "version"; name: string; version: number }
  | { kind: "alias"; name: string; alias: string }
  | { kind: "stage"; name: string; stage: Stage };

export interface Store {
  /** `sqlite:/abs/path.db` or `postgres://…` (password hidden). */
  readonly url: string;
  readonly dialect: "sqlite" | "postgres";

  // experiments
  getOrCreateExperiment(name: string): Promise<Experiment>;
  getExperimentByName(name: string): Promise<Experiment | null>;
  listExperiments(): Promise<Experiment[]>;

  // runs
  createRun(input: CreateRunInput): Promise<RunRecord>;
  /** Status change; a terminal status sets the end time (default now). */
  setRunStatus(runId: string, status: RunStatus, endTime?: number): Promise<void>;
  logBatch(runId: string, batch: LogBatchInput): Promise<void>;
  logMetric(runId: string, key: string, value: number, step?: number): Promise<void>;
  logParam(runId: string, key: string, value: string | number | boolean): Promise<void>;
  setTag(runId: string, key: string, value: string): Promise<void>;
  recordArtifact(runId: string, artifact: ArtifactRecord): Promise<void>;
  /** E_NOT_FOUND for an unknown id. */
  getRun(runId: string): Promise<RunRecord>;
  getMetricHistory(runId: string, key: string): Promise<Required<MetricPoint>[]>;
  searchRuns(input?: SearchRunsInput): Promise<RunsPage>;
  /**
   * Runs left `running` by a process that is gone (same host, pid not alive; or another host
   * and no heartbeat for `staleMs`) become `killed`. Returns their ids.
   */
  reapOrphanRuns(options?: { staleMs?: number }): Promise<string[]>;

  // registry
  createRegisteredModel(name: string, description?: string): Promise<RegisteredModel>;
  getRegisteredModel(name: string): Promise<RegisteredModel>;
  listRegisteredModels(): Promise<RegisteredModel[]>;
  /** Allocates the next version number in a transaction: concurrent callers get distinct numbers. */
  createModelVersion(input: CreateVersionInput): Promise<ModelVersion>;
  getModelVersion(name: string, version: number): Promise<ModelVersion>;
  listModelVersions(name: string): Promise<ModelVersion[]>;
  /** Resolve a reference (alias, stage or number) to a version; E_NOT_FOUND names what exists. */
  resolveModel(ref: ModelRef): Promise<ModelVersion>;
  /** Moving to production archives the version that was in production (both recorded). */
  transitionStage(name: string, version: number, to: Stage, input: TransitionInput): Promise<ModelVersion>;
  setAlias(name: string, alias: string, version: number, input: TransitionInput): Promise<void>;
  deleteAlias(name: string, alias: string, input: TransitionInput): Promise<void>;
  setVersionTag(name: string, version: number, key: string, value: string): Promise<void>;
  setVersionDescription(name: string, version: number, description: string): Promise<void>;
  recordGates(name: string, version: number, gates: GateRecord[]): Promise<void>;
  history(name: string): Promise<Transition[]>;

  // prediction log (optional: stores that cannot log predictions leave these out)
  /** Append predictions in one transaction: all rows or none. E_USAGE names a malformed row. */
  logPredictions?(rows: readonly PredictionLogRow[]): Promise<void>;
  /** Logged predictions in id order, a page at a time (`afterId` = last id of the previous page). */
  listPredictions?(query?: PredictionQuery): Promise<StoredPrediction[]>;
  /** How many logged predictions match the query (`limit` is ignored). */
  countPredictions?(query?: PredictionQuery): Promise<number>;
  /** The most recent predictions of a model (a monitoring window), oldest first. */
  recentPredictions?(query: PredictionWindowQuery): Promise<StoredPrediction[]>;
  /**
   * Attach ground truth to logged predictions, all or none: E_NOT_FOUND names every unknown
   * request id and writes nothing. Feedback sent again for the same id replaces the old.
   */
  recordFeedback?(items: readonly FeedbackInput[]): Promise<{ updated: number }>;

  // monitoring (optional, like the prediction log)
  recordDriftReport?(input: DriftReportInput): Promise<DriftReportRecord>;
  /** Newest first. */
  listDriftReports?(query: { model: string; version?: number; limit?: number }): Promise<DriftReportRecord[]>;
  recordMonitorEvent?(input: MonitorEventInput): Promise<MonitorEvent>;
  /**
   * Record a retraining trigger unless one for the same model started less than `cooldownMs`
   * ago (checked and written in one transaction, so two monitors cannot both start one).
   * Returns the new event, or the blocking one with `claimed: false`.
   */
  claimRetrain?(
    input: MonitorEventInput,
    cooldownMs: number,
  ): Promise<{ claimed: boolean; event: MonitorEvent }>;
  updateMonitorEvent?(
    id: number,
    patch: { status: string; runId?: string | null; detail?: Record<string, unknown> },
  ): Promise<MonitorEvent>;
  /** Newest first. */
  listMonitorEvents?(query: {
    model: string;
    kind?: "alert" | "retrain";
    limit?: number;
  }): Promise<MonitorEvent[]>;

  close(): Promise<void>;
}

/** Where run artifacts live: a local folder now, room for S3 later. */
export interface ArtifactStore {
  /** `file:///…/artifacts` */
  readonly root: string;
  /** Write atomically (temp + rename); returns what to record in the store. */
  put(runId: string, path: string, data: string | Uint8Array): Promise<ArtifactRecord>;
  /** Copy a file in (atomically). */
  putFile(runId: string, path: string, source: string): Promise<ArtifactRecord>;
  read(uri: string): Promise<Buffer>;
  /** A local path for the URI (downloading first for remote stores). */
  localPath(uri: string): Promise<string>;
}
