/**
 * `sluice monitor`: measure drift of what a model sees in production against what it was
 * trained on, grade it, keep it in the version's history, and act on it — a webhook alert,
 * Prometheus gauges, and a retraining (the project's own `sluice run`, whose gates decide
 * whether the new version reaches staging) with a cooldown against retraining storms.
 *
 *   window of the prediction log (or a batch file) ──▶ drift per feature + prediction
 *     ──▶ severity ──▶ report (JSON, HTML) + store history ──▶ alert ──▶ retrain ──▶ gates
 */
import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { SluiceError } from "../errors.js";
import { sendAlert, type AlertBody } from "../monitor/alerts.js";
import { referenceData, windowData, type MonitorData, type WindowShape } from "../monitor/data.js";
import { fileData } from "../monitor/file.js";
import { driftGaugeSamples, pushGauges } from "../monitor/gauges.js";
import { measureDrift } from "../monitor/measure.js";
import { loadReference, PREDICTION_COLUMN, type MonitorReference } from "../monitor/reference.js";
import { inputImportance } from "../monitor/reference-build.js";
import { liveQuality } from "../monitor/quality.js";
import { renderMonitorHtml, type MonitorReport, type RetrainOutcome } from "../monitor/report.js";
import { severityRank } from "../monitor/severity.js";
import { transform } from "../features/transform.js";
import type { Project } from "../project/project.js";
import { formatDuration } from "../project/duration.js";
import type { DriftReportRecord, MonitorEvent, Store, StoredPrediction } from "../track/types.js";
import { parseModelUri } from "../track/uri.js";
import { count, didYouMean, listing } from "../util/text.js";
import { writeFileAtomic } from "../util/fs.js";
import { silentProgress, withStep, type Progress } from "../util/progress.js";
import { loadBundle, type ModelBundle } from "./bundle.js";
import { actor, openTracking, storeChoice } from "./tracking.js";
import { runProject, type RunOptions } from "./run.js";

export interface MonitorOptions {
  /** The model to monitor: `models:/NAME@production` (default), `models:/NAME/3`, or a model.json path. */
  model?: string;
  /** The last this many logged predictions (default `monitor.window`). */
  window?: number;
  /** Only predictions logged at or after this epoch ms. */
  since?: number;
  /** Measure a CSV/Parquet batch instead of the prediction log. */
  current?: string;
  /** Compare with this CSV/Parquet file instead of the reference stored with the model. */
  reference?: string;
  /** An open store (the caller closes it) or a store URL; default the project's. */
  store?: Store | string;
  /** Send the webhook alert when configured (default true). */
  alert?: boolean;
  /** Retrain when configured (default true). */
  retrain?: boolean;
  /** Push the gauges to this Pushgateway, or to `monitor.pushgateway` when `true`. */
  push?: string | boolean;
  /** Where to write drift.json and drift.html; default `.sluice/monitor/<stamp>-<model>-v<version>/`. */
  reportDir?: string;
  progress?: Progress;
  /** Who acts (recorded with a retraining's registry changes). */
  by?: string;
  /** For tests: the fetch used by alerts and pushes, and how alerts wait between tries. */
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Options of the retraining run (threads, candidates). */
  runOptions?: Pick<RunOptions, "threads" | "candidates">;
  /** The clock (tests). */
  now?: () => number;
}

export interface MonitorResult {
  report: MonitorReport;
  files: { json: string; html: string };
  /** Why the Pushgateway push failed, when it did. */
  pushError?: string;
}

function stamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, "0");
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(
    d.getUTCSeconds(),
  )}-${randomBytes(2).toString("hex")}`;
}

/** The stored reference of a bundle (`reference.json` beside model.json). */
async function storedReference(bundle: ModelBundle): Promise<MonitorReference> {
  return loadReference(join(dirname(bundle.modelPath), "reference.json"));
}

function positiveCode(bundle: ModelBundle): number | undefined {
  const classes = bundle.model.classes ?? bundle.serving?.classes ?? [];
  if (classes.length !== 2) return undefined;
  const label = bundle.serving?.positive ?? classes[1];
  const i = label === undefined ? -1 : classes.indexOf(label);
  return i >= 0 ? i : undefined;
}

/**
 * Monitor a project's model: drift of the current data (the latest window of the prediction
 * log, or a batch file) against the reference stored with the model version; live quality
 * from feedback; the report; the store's drift history; then, as sluice.yaml says, an alert,
 * gauges pushed, and a retraining.
 *
 * @throws SluiceError E_NOT_FOUND (no such model or version), E_FILE_NOT_FOUND (no reference),
 *   E_COLUMN_NOT_FOUND (a batch file lacking an input), E_USAGE (an empty window)
 * @example
 * const { report } = await monitorProject(loadProject("churn"), { window: 2000 });
 * report.severity;  // "severe"
 * report.drifted;   // ["income", "tenure_months"]
 * report.retrain;   // { status: "finished", version: 2, stage: "staging", … }
 */
export async function monitorProject(project: Project, options: MonitorOptions = {}): Promise<MonitorResult> {
  const config = project.config.monitor;
  const progress = options.progress ?? silentProgress;
  const now = options.now ?? Date.now;
  const name = project.config.registry?.model ?? project.config.name;
  const modelRef = options.model ?? `models:/${name}@production`;
  const tracking = await openTracking(project, storeChoice(options.store));
  const store = tracking.store;
  try {
    const bundle = await withStep(progress, `load ${modelRef}`, () => loadBundle(modelRef, store));
    const version = bundle.version ?? null;
    checkTestNames(config.tests, bundle);
    const modelName = version?.name ?? bundle.serving?.project ?? name;
    const positive = positiveCode(bundle);

    // The reference: stored with the version, or a file given for the occasion.
    let ref: MonitorData;
    let importance: Record<string, number>;
    if (options.reference !== undefined) {
      ref = await withStep(progress, `read the reference ${options.reference}`, () =>
        fileData({
          path: options.reference!,
          features: bundle.features,
          model: bundle.model,
          ...(positive === undefined ? {} : { positive }),
          schema: project.config.schema,
          role: "reference",
        }),
      );
      const stored = await storedReference(bundle).catch(() => undefined);
      importance = stored?.importance ?? {};
      if (stored === undefined) {
        // No stored weights: explain (a sample of) the given reference rows.
        const { readFrame } = await import("../data/read.js");
        const frame = await readFrame(options.reference, { schema: project.config.schema, sampleRows: 500 });
        importance = inputImportance(bundle.features, bundle.model, transform(bundle.features, frame));
      }
    } else {
      const stored = await withStep(progress, "load the monitoring reference", () => storedReference(bundle));
      ref = referenceData(stored);
      importance = stored.importance;
    }

    // The current data: a batch file, or the latest window of the prediction log.
    let current: MonitorData;
    let window: StoredPrediction[] | undefined;
    if (options.current !== undefined) {
      current = await withStep(progress, `read ${options.current}`, () =>
        fileData({
          path: options.current!,
          features: bundle.features,
          model: bundle.model,
          ...(positive === undefined ? {} : { positive }),
          schema: project.config.schema,
        }),
      );
    } else {
      if (store.recentPredictions === undefined)
        throw new SluiceError("E_STORE", `the tracking store ${store.url} has no prediction log`, {
          hint: "use a SQLite or PostgreSQL store, or pass --current FILE",
        });
      const last = options.window ?? config.window;
      const rows = await withStep(
        progress,
        "read the prediction log",
        () =>
          store.recentPredictions!({
            model: modelName,
            ...(version === null ? {} : { version: version.version }),
            last,
            ...(options.since === undefined ? {} : { since: options.since }),
          }),
        (r) => `${count(r.length)} predictions`,
      );
      if (rows.length === 0)
        throw new SluiceError(
          "E_USAGE",
          `the prediction log holds no predictions of ${modelName}${version === null ? "" : ` v${version.version}`}${
            options.since === undefined ? "" : ` since ${new Date(options.since).toISOString()}`
          }: there is nothing to monitor`,
          {
            details: { model: modelName, version: version?.version ?? null },
            hint: "serve the model with prediction logging on (serve.log_predictions), send it requests, or pass --current FILE",
          },
        );
      window = rows;
      const what =
        options.since === undefined
          ? `prediction log: last ${count(rows.length)} predictions`
          : `prediction log: ${count(rows.length)} predictions since ${new Date(options.since).toISOString()}`;
      current = windowData(
        shapeOf(ref, bundle, positive),
        rows,
        `${what} of ${modelName}${version === null ? "" : ` v${version.version}`}`,
      );
    }

    const drift = await withStep(
      progress,
      "measure drift",
      () => measureDrift(ref, current, { config, importance }),
      (d) => `${d.drifted.length} of ${d.tested} features drifted → ${d.severity}`,
    );
    const at = now();
    const report: MonitorReport = {
      ...drift,
      model: modelName,
      version: version?.version ?? null,
      stage: version?.stage ?? null,
      at: new Date(at).toISOString(),
    };
    if (window !== undefined && window.some((r) => r.feedback !== null)) {
      report.quality = liveQuality(
        window,
        {
          task: bundle.model.task,
          target: bundle.features.target,
          ...(bundle.model.classes === undefined ? {} : { classes: bundle.model.classes }),
          ...(positive === undefined ? {} : { positive: bundle.model.classes![positive]! }),
        },
        version?.metrics ?? {},
        config.min_rows,
      );
    }

    const reportDir =
      options.reportDir ??
      join(
        project.stateDir,
        "monitor",
        `${stamp(at)}-${modelName}${version === null ? "" : `-v${version.version}`}`,
      );
    await mkdir(reportDir, { recursive: true }).catch((cause: unknown) => {
      throw new SluiceError(
        "E_WRITE",
        `cannot create the report folder ${reportDir}: ${(cause as Error).message}`,
        {
          cause,
          details: { path: reportDir },
          hint: "make the folder writable, or pass another with --report-dir",
        },
      );
    });
    const files = { json: join(reportDir, "drift.json"), html: join(reportDir, "drift.html") };

    // Alert: after the drift is known, never failing the monitoring.
    const alerts = config.alerts;
    if (
      options.alert !== false &&
      alerts !== undefined &&
      severityRank(drift.severity) >= severityRank(alerts.on)
    ) {
      const body: AlertBody = {
        type: "sluice.drift",
        model: modelName,
        version: report.version,
        severity: drift.severity,
        datasetDrift: drift.datasetDrift,
        driftShare: drift.driftShare,
        driftedFeatures: drift.drifted,
        predictionDrift: drift.prediction?.status === "tested" && drift.prediction.drifted,
        reason: drift.severityReason,
        at: report.at,
        report: files.html,
        source: drift.source,
      };
      const outcome = await withStep(
        progress,
        "send the alert",
        () =>
          sendAlert(alerts.webhook, body, {
            timeoutMs: alerts.timeout,
            retries: alerts.retries,
            ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
            ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
          }),
        (o) =>
          o.status === "sent"
            ? `sent (${o.httpStatus ?? "?"})`
            : `failed after ${o.attempts} tries: ${o.error ?? ""}`,
      );
      report.alert = { ...outcome, url: alerts.webhook };
      await store
        .recordMonitorEvent?.({
          model: modelName,
          version: report.version,
          kind: "alert",
          at,
          severity: drift.severity,
          status: outcome.status,
          reason: drift.severityReason,
          detail: {
            url: alerts.webhook,
            attempts: outcome.attempts,
            ...(outcome.error === undefined ? {} : { error: outcome.error }),
          },
        })
        .catch(() => undefined);
    }

    // Retrain: when drift reaches monitor.retrain.on, and no retraining started within the cooldown.
    const retrain = config.retrain;
    if (
      options.retrain !== false &&
      retrain !== undefined &&
      severityRank(drift.severity) >= severityRank(retrain.on)
    ) {
      report.retrain = await retrainProject(project, store, {
        model: modelName,
        version: report.version,
        severity: drift.severity,
        reason: `${drift.severity} drift (${drift.drifted.length > 0 ? listing(drift.drifted) : "the prediction"}): ${drift.severityReason}`,
        cooldownMs: retrain.cooldown,
        at,
        progress,
        ...(options.by === undefined ? {} : { by: options.by }),
        ...(options.runOptions === undefined ? {} : { runOptions: options.runOptions }),
      });
    }

    // The history in the store, then the files (a report on disk always has its history row).
    if (store.recordDriftReport !== undefined) {
      const { plotless } = stripPlots(report);
      const saved = await store.recordDriftReport({
        model: modelName,
        version: report.version,
        at,
        source: drift.source,
        referenceRows: drift.referenceRows,
        currentRows: drift.currentRows,
        datasetDrift: drift.datasetDrift,
        driftShare: drift.driftShare,
        severity: drift.severity,
        drifted: drift.drifted,
        report: plotless,
      });
      report.storeId = saved.id;
    }
    await withStep(progress, "write the report", async () => {
      await writeFileAtomic(files.json, `${JSON.stringify(report, null, 2)}\n`);
      await writeFileAtomic(files.html, await renderMonitorHtml(report));
    });

    let pushError: string | undefined;
    const gateway =
      typeof options.push === "string"
        ? options.push
        : options.push === true
          ? config.pushgateway
          : undefined;
    if (options.push === true && gateway === undefined)
      throw new SluiceError(
        "E_USAGE",
        "--push needs a Pushgateway: none given and monitor.pushgateway is not set",
        {
          hint: "pass --push http://pushgateway:9091 or set monitor.pushgateway in sluice.yaml",
        },
      );
    if (gateway !== undefined)
      pushError = await pushGauges(
        gateway,
        modelName,
        driftGaugeSamples(drift, modelName, report.version, at),
        {
          ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
        },
      );

    return { report, files, ...(pushError === undefined ? {} : { pushError }) };
  } finally {
    await tracking.close();
  }
}

/** A model's drift history and monitoring events, newest first. */
export interface MonitorHistory {
  model: string;
  reports: DriftReportRecord[];
  events: MonitorEvent[];
}

/**
 * The drift history (each measurement's verdicts) and the alerts and retraining triggers of a
 * project's model, newest first.
 *
 * @example
 * const { reports, events } = await monitorHistory(loadProject("churn"));
 */
export async function monitorHistory(
  project: Project,
  options: { model?: string; store?: Store | string; limit?: number } = {},
): Promise<MonitorHistory> {
  const ref = options.model === undefined ? null : parseModelUri(options.model);
  const model = ref?.name ?? options.model ?? project.config.registry?.model ?? project.config.name;
  const tracking = await openTracking(project, storeChoice(options.store));
  try {
    const store = tracking.store;
    const limit = options.limit ?? 50;
    return {
      model,
      reports: (await store.listDriftReports?.({ model, limit })) ?? [],
      events: (await store.listMonitorEvents?.({ model, limit })) ?? [],
    };
  } finally {
    await tracking.close();
  }
}

/** `monitor.tests` may only name the model's inputs and `prediction`. */
function checkTestNames(tests: Record<string, unknown>, bundle: ModelBundle): void {
  const names = [...bundle.features.inputs.map((i) => i.name), PREDICTION_COLUMN];
  const unknown = Object.keys(tests).filter((k) => !names.includes(k));
  if (unknown.length > 0)
    throw new SluiceError(
      "E_CONFIG",
      `monitor.tests names ${unknown.map((u) => `"${u}"${didYouMean(u, names)}`).join(", ")}, which the model does not take`,
      {
        details: { unknown, inputs: names },
        hint: `name the model's inputs (${names.join(", ")})`,
      },
    );
}

/** The shape of a window: the reference's columns, and the output field its prediction is in. */
function shapeOf(ref: MonitorData, bundle: ModelBundle, positive: number | undefined): WindowShape {
  const numericPrediction = ref.prediction?.kind !== "categorical";
  return {
    columns: ref.columns.map((c) => ({ name: c.name, kind: c.kind })),
    prediction: {
      kind: numericPrediction ? "numeric" : "categorical",
      field: bundle.model.task === "classification" && positive !== undefined ? "probability" : "prediction",
    },
  };
}

/** The report without its plot data (the store keeps the verdicts; the files keep the pictures). */
function stripPlots(report: MonitorReport): { plotless: Record<string, unknown> } {
  const strip = (f: MonitorReport["features"][number]) => {
    const { plot: _plot, ...rest } = f;
    return rest;
  };
  return {
    plotless: {
      ...report,
      features: report.features.map(strip),
      ...(report.prediction === undefined ? {} : { prediction: strip(report.prediction) }),
    },
  };
}

interface RetrainInput {
  model: string;
  version: number | null;
  severity: MonitorReport["severity"];
  reason: string;
  cooldownMs: number;
  at: number;
  progress: Progress;
  by?: string;
  runOptions?: Pick<RunOptions, "threads" | "candidates">;
}

/** Claim a retraining (cooldown), run the project, and record how it ended. */
async function retrainProject(project: Project, store: Store, input: RetrainInput): Promise<RetrainOutcome> {
  if (store.claimRetrain === undefined || store.updateMonitorEvent === undefined)
    return { status: "disabled", reason: `the store ${store.url} cannot record retraining triggers` };
  const claim = await store.claimRetrain(
    {
      model: input.model,
      version: input.version,
      kind: "retrain",
      at: input.at,
      severity: input.severity,
      status: "started",
      reason: input.reason,
    },
    input.cooldownMs,
  );
  if (!claim.claimed) {
    const since = input.at - claim.event.at;
    return {
      status: "cooldown",
      reason: `a retraining started ${formatDuration(since)} ago (${new Date(claim.event.at).toISOString()}, run ${
        claim.event.runId ?? "?"
      }); the cooldown is ${formatDuration(input.cooldownMs)}, so none starts before ${new Date(
        claim.event.at + input.cooldownMs,
      ).toISOString()}`,
      eventId: claim.event.id,
    };
  }
  const eventId = claim.event.id;
  try {
    const { summary } = await runProject(project, {
      store,
      progress: input.progress,
      by: input.by ?? `${actor()} (sluice monitor)`,
      ...input.runOptions,
    });
    const reg = summary.registry;
    const outcome: RetrainOutcome = {
      status: summary.status === "finished" ? "finished" : "failed",
      reason: input.reason,
      runId: summary.runId,
      eventId,
      ...(reg === undefined ? {} : { version: reg.version, stage: reg.stage, gatesPassed: reg.gatesPassed }),
      ...(summary.failure === undefined ? {} : { error: summary.failure.message }),
    };
    await store.updateMonitorEvent(eventId, {
      status: outcome.status,
      runId: summary.runId,
      detail: {
        ...(reg === undefined
          ? {}
          : { version: reg.version, stage: reg.stage, gatesPassed: reg.gatesPassed }),
        ...(summary.failure === undefined ? {} : { error: summary.failure.message }),
      },
    });
    return outcome;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await store
      .updateMonitorEvent(eventId, { status: "failed", detail: { error: message } })
      .catch(() => undefined);
    return { status: "failed", reason: input.reason, eventId, error: message };
  }
}
