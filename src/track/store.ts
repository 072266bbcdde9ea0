/**
 * The tracking store: one Kysely implementation of {@link Store} for SQLite and PostgreSQL.
 * Each method delegates to the file of its entity (`runs.ts`, `search.ts`, `registry.ts`,
 * `predictions.ts`).
 */
import { type Kysely, sql } from "kysely";
import type { Conn, Database } from "./db.js";
import * as monitoring from "./monitoring.js";
import * as predictions from "./predictions.js";
import * as registry from "./registry.js";
import * as runs from "./runs.js";
import { searchRuns } from "./search.js";
import type {
  ArtifactRecord,
  CreateRunInput,
  CreateVersionInput,
  DriftReportInput,
  DriftReportRecord,
  Experiment,
  FeedbackInput,
  GateRecord,
  LogBatchInput,
  MetricPoint,
  ModelRef,
  ModelVersion,
  MonitorEvent,
  MonitorEventInput,
  PredictionLogRow,
  PredictionQuery,
  PredictionWindowQuery,
  RegisteredModel,
  RunRecord,
  RunStatus,
  RunsPage,
  SearchRunsInput,
  Stage,
  Store,
  StoredPrediction,
  Transition,
  TransitionInput,
} from "./types.js";

export class KyselyStore implements Store {
  readonly url: string;
  readonly dialect: "sqlite" | "postgres";
  private readonly conn: Conn;
  private closed = false;

  constructor(conn: Conn) {
    this.conn = conn;
    this.url = conn.url;
    this.dialect = conn.dialect;
  }

  /** The underlying query builder, for tools that load data in bulk (benchmarks, imports). */
  get kysely(): Kysely<Database> {
    return this.conn.db;
  }

  getOrCreateExperiment(name: string): Promise<Experiment> {
    return runs.getOrCreateExperiment(this.conn, name);
  }

  getExperimentByName(name: string): Promise<Experiment | null> {
    return runs.getExperimentByName(this.conn, name);
  }

  listExperiments(): Promise<Experiment[]> {
    return runs.listExperiments(this.conn);
  }

  createRun(input: CreateRunInput): Promise<RunRecord> {
    return runs.createRun(this.conn, input);
  }

  setRunStatus(runId: string, status: RunStatus, endTime?: number): Promise<void> {
    return runs.setRunStatus(this.conn, runId, status, endTime);
  }

  logBatch(runId: string, batch: LogBatchInput): Promise<void> {
    return runs.logBatch(this.conn, runId, batch);
  }

  logMetric(runId: string, key: string, value: number, step?: number): Promise<void> {
    return runs.logBatch(this.conn, runId, {
      metrics: [{ key, value, ...(step === undefined ? {} : { step }) }],
    });
  }

  logParam(runId: string, key: string, value: string | number | boolean): Promise<void> {
    return runs.logBatch(this.conn, runId, { params: { [key]: value } });
  }

  setTag(runId: string, key: string, value: string): Promise<void> {
    return runs.logBatch(this.conn, runId, { tags: { [key]: value } });
  }

  recordArtifact(runId: string, artifact: ArtifactRecord): Promise<void> {
    return runs.recordArtifact(this.conn, runId, artifact);
  }

  getRun(runId: string): Promise<RunRecord> {
    return runs.getRun(this.conn, runId);
  }

  getMetricHistory(runId: string, key: string): Promise<Required<MetricPoint>[]> {
    return runs.getMetricHistory(this.conn, runId, key);
  }

  searchRuns(input?: SearchRunsInput): Promise<RunsPage> {
    return searchRuns(this.conn, input);
  }

  reapOrphanRuns(options?: { staleMs?: number }): Promise<string[]> {
    return runs.reapOrphanRuns(this.conn, options);
  }

  createRegisteredModel(name: string, description?: string): Promise<RegisteredModel> {
    return registry.createRegisteredModel(this.conn, name, description);
  }

  getRegisteredModel(name: string): Promise<RegisteredModel> {
    return registry.getRegisteredModel(this.conn, name);
  }

  listRegisteredModels(): Promise<RegisteredModel[]> {
    return registry.listRegisteredModels(this.conn);
  }

  createModelVersion(input: CreateVersionInput): Promise<ModelVersion> {
    return registry.createModelVersion(this.conn, input);
  }

  getModelVersion(name: string, version: number): Promise<ModelVersion> {
    return registry.getModelVersion(this.conn, name, version);
  }

  listModelVersions(name: string): Promise<ModelVersion[]> {
    return registry.listModelVersions(this.conn, name);
  }

  resolveModel(ref: ModelRef): Promise<ModelVersion> {
    return registry.resolveModel(this.conn, ref);
  }

  transitionStage(name: string, version: number, to: Stage, input: TransitionInput): Promise<ModelVersion> {
    return registry.transitionStage(this.conn, name, version, to, input);
  }

  setAlias(name: string, alias: string, version: number, input: TransitionInput): Promise<void> {
    return registry.setAlias(this.conn, name, alias, version, input);
  }

  deleteAlias(name: string, alias: string, input: TransitionInput): Promise<void> {
    return registry.deleteAlias(this.conn, name, alias, input);
  }

  setVersionTag(name: string, version: number, key: string, value: string): Promise<void> {
    return registry.setVersionTag(this.conn, name, version, key, value);
  }

  setVersionDescription(name: string, version: number, description: string): Promise<void> {
    return registry.setVersionDescription(this.conn, name, version, description);
  }

  recordGates(name: string, version: number, gates: GateRecord[]): Promise<void> {
    return registry.recordGates(this.conn, name, version, gates);
  }

  history(name: string): Promise<Transition[]> {
    return registry.history(this.conn, name);
  }

  logPredictions(rows: readonly PredictionLogRow[]): Promise<void> {
    return predictions.logPredictions(this.conn, rows);
  }

  listPredictions(query?: PredictionQuery): Promise<StoredPrediction[]> {
    return predictions.listPredictions(this.conn, query);
  }

  countPredictions(query?: PredictionQuery): Promise<number> {
    return predictions.countPredictions(this.conn, query);
  }

  recentPredictions(query: PredictionWindowQuery): Promise<StoredPrediction[]> {
    return monitoring.recentPredictions(this.conn, query);
  }

  recordFeedback(items: readonly FeedbackInput[]): Promise<{ updated: number }> {
    return monitoring.recordFeedback(this.conn, items);
  }

  recordDriftReport(input: DriftReportInput): Promise<DriftReportRecord> {
    return monitoring.recordDriftReport(this.conn, input);
  }

  listDriftReports(query: { model: string; version?: number; limit?: number }): Promise<DriftReportRecord[]> {
    return monitoring.listDriftReports(this.conn, query);
  }

  recordMonitorEvent(input: MonitorEventInput): Promise<MonitorEvent> {
    return monitoring.recordMonitorEvent(this.conn, input);
  }

  claimRetrain(
    input: MonitorEventInput,
    cooldownMs: number,
  ): Promise<{ claimed: boolean; event: MonitorEvent }> {
    return monitoring.claimRetrain(this.conn, input, cooldownMs);
  }

  updateMonitorEvent(
    id: number,
    patch: { status: string; runId?: string | null; detail?: Record<string, unknown> },
  ): Promise<MonitorEvent> {
    return monitoring.updateMonitorEvent(this.conn, id, patch);
  }

  listMonitorEvents(query: {
    model: string;
    kind?: "alert" | "retrain";
    limit?: number;
  }): Promise<MonitorEvent[]> {
    return monitoring.listMonitorEvents(this.conn, query);
  }

  /** Close the connection (pool); closing twice is fine. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // SQLite: refresh the planner's statistics where they have drifted (cheap, as advised for
    // connections about to close).
    if (this.dialect === "sqlite") await sql`pragma optimize`.execute(this.conn.db).catch(() => undefined);
    await this.conn.db.destroy();
  }
}
