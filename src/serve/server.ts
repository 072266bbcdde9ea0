/**
 * The server process: opens the store, loads and follows the model, creates the metrics and the
 * prediction log, builds the app and listens. Shuts down gracefully: stop accepting, let the
 * requests in flight finish, flush the prediction log, close the store.
 *
 * With `workers > 1` the process becomes a node:cluster primary: it forks the workers (each runs
 * the same program, so each calls `startServer` again and listens on the shared port), restarts
 * a worker that dies while serving, forwards SIGTERM / SIGINT to them, and keeps the rate-limit
 * counts for all of them (cluster-rate.ts).
 */
import cluster, { type Worker } from "node:cluster";
import { existsSync } from "node:fs";
import type { Server as HttpServer } from "node:http";
import { join, resolve } from "node:path";
import { SluiceError } from "../errors.js";
import { openProjectStore } from "../pipeline/registry.js";
import { loadProject } from "../project/project.js";
import { MonitorConfig, type ServeConfig } from "../project/schema.js";
import type { Store } from "../track/types.js";
import { parseModelUri } from "../track/uri.js";
import { buildApp, type ApiKeys } from "./app.js";
import { countForWorker, RateCounts } from "./cluster-rate.js";
import { startDriftGauges } from "./drift-gauges.js";
import { createModelHolder, type HolderEvent } from "./holder.js";
import { createServeMetrics } from "./metrics.js";
import { createPredictionLog } from "./prediction-log.js";
import type { LoadedModel, ModelHolder, PredictionSink } from "./types.js";

const ROLES = ["admin", "predict"] as const;
const DEFAULT_HOST = "127.0.0.1";
const DEFAULT_PORT = 8000;
/** While closing, idle keep-alive connections are dropped this often (ms). */
const IDLE_SWEEP_MS = 50;

/**
 * Parse `SLUICE_API_KEYS`: `admin:key1,key2;predict:key3` (roles separated by `;`, keys by
 * `,`), or a plain comma list, which are admin keys.
 *
 * @throws SluiceError E_CONFIG for an unknown role
 * @example
 * parseApiKeys("admin:k1,k2;predict:k3"); // { admin: ["k1", "k2"], predict: ["k3"] }
 * parseApiKeys("k1, k2");                 // { admin: ["k1", "k2"] }: predictions need no key
 */
export function parseApiKeys(text: string | undefined): ApiKeys {
  const keys: Required<ApiKeys> = { admin: [], predict: [] };
  const list = (s: string): string[] =>
    s
      .split(",")
      .map((k) => k.trim())
      .filter((k) => k !== "");
  for (const part of (text ?? "").split(";")) {
    if (part.trim() === "") continue;
    const m = /^\s*([A-Za-z_][A-Za-z0-9_-]*)\s*:(.*)$/s.exec(part);
    if (m === null) {
      keys.admin.push(...list(part));
      continue;
    }
    const role = m[1]!.toLowerCase();
    if (!(ROLES as readonly string[]).includes(role))
      throw new SluiceError("E_CONFIG", `SLUICE_API_KEYS: unknown role "${m[1]!}"`, {
        details: { role: m[1] },
        hint: 'the roles are admin and predict, e.g. SLUICE_API_KEYS="admin:key1,key2;predict:key3"',
      });
    keys[role as keyof ApiKeys].push(...list(m[2]!));
  }
  return keys.predict.length === 0 ? { admin: keys.admin } : keys;
}

export interface StartServerOptions {
  /** `models:/NAME@production`, `models:/NAME@alias`, `models:/NAME/3`, a model.json path or folder, a `file://` URI. */
  source: string;
  /** The project folder: its store, and its `serve:` settings. Default: the working directory. */
  projectDir?: string;
  /** A store URL that wins over the project's (`--store`). */
  storeUrl?: string;
  /** Default: the project's `serve.host`, else 127.0.0.1. */
  host?: string;
  /** Default: the project's `serve.port`, else 8000; 0 picks a free port. */
  port?: number;
  /** Processes on the port (node:cluster) when > 1. Default: the project's `serve.workers`. */
  workers?: number;
  /** `SLUICE_API_KEYS` syntax; default the environment variable. */
  apiKeys?: string;
  /** How often a followed registry reference is checked (ms). */
  pollMs?: number;
  /** Write every prediction to the store's prediction log. Default: the project's `serve.log_predictions` (needs a store). */
  logPredictions?: boolean;
  /** A sink to use instead of the store's prediction log. */
  sink?: PredictionSink;
  /** Serve settings over the project's (and the model's) ones. */
  config?: Partial<ServeConfig>;
  /**
   * At most `max` prediction requests (`/predict`, V2 infer, `/feedback`) per client address per
   * `window` ms; `false` turns off a limit the project sets. Default: `serve.rate_limit`.
   */
  rateLimit?: { max: number; window: number } | false;
  /** Install SIGTERM / SIGINT handlers that shut down and exit 0 (the CLI does). Default false. */
  handleSignals?: boolean;
  /** Lines for people (swaps, refusals, shutdown); default stderr. */
  log?: (line: string) => void;
  /**
   * Refresh the drift gauges on /metrics this often (ms), from the server's own prediction log;
   * default the project's `monitor.metrics_interval` (off when absent).
   */
  driftIntervalMs?: number;
}

/** A listening server (or a cluster primary with its workers). */
export interface RunningServer {
  /** `http://host:port` */
  url: string;
  /** The model serving (in a cluster primary, which serves nothing itself: the model at start). */
  model(): LoadedModel | undefined;
  /** Worker process ids (a cluster primary only). */
  workers(): number[];
  /** The listening HTTP server (undefined in a cluster primary). */
  http: HttpServer | undefined;
  /** Stop accepting, finish in-flight requests, flush the prediction log, close the store. */
  close(): Promise<void>;
}

function defaultLog(line: string): void {
  process.stderr.write(`sluice: ${line}\n`);
}

/** The project's `serve:` settings, or undefined when there is no sluice.yaml. */
function projectServe(projectDir: string): ServeConfig | undefined {
  if (!existsSync(join(projectDir, "sluice.yaml"))) return undefined;
  return loadProject(projectDir).config.serve;
}

/** The project's `monitor:` settings (defaults without a sluice.yaml). */
function projectMonitor(projectDir: string): MonitorConfig {
  return existsSync(join(projectDir, "sluice.yaml"))
    ? loadProject(projectDir).config.monitor
    : MonitorConfig.parse({});
}

function eventLine(e: HolderEvent): string {
  return e.kind === "swapped"
    ? `now serving ${e.name} version ${String(e.to)} (was ${String(e.from)})`
    : `refused ${e.name} version ${String(e.version)}, the previous version keeps serving: ${e.message}`;
}

/** The message a cluster worker sends its primary once it listens. */
interface ListeningMessage {
  sluice: "listening";
  url: string;
}

function isListening(m: unknown): m is ListeningMessage {
  return typeof m === "object" && m !== null && (m as { sluice?: unknown }).sluice === "listening";
}

/**
 * Start serving `options.source`. In a node:cluster worker this is one of the processes of
 * `--workers N`; with `workers > 1` in the primary it forks them.
 *
 * @throws SluiceError when the model cannot be loaded (see createModelHolder), the store cannot
 *   be opened, the keys cannot be parsed, or the port cannot be bound (E_USAGE)
 * @example
 * const server = await startServer({ source: "models:/churn_predictor@production", projectDir: "demo", port: 0 });
 * await fetch(`${server.url}/predict`, { method: "POST", body: JSON.stringify(record), headers });
 * await server.close();
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const projectDir = resolve(options.projectDir ?? ".");
  const fromProject = projectServe(projectDir);
  const workers = options.workers ?? options.config?.workers ?? fromProject?.workers ?? 1;
  if (cluster.isPrimary && workers > 1)
    return startPrimary(options, workers, await loadOnce(options, projectDir));
  return startOne(options, projectDir, fromProject);
}

/** Load and check the model once (a cluster primary does, to fail early with the real error). */
async function loadOnce(options: StartServerOptions, projectDir: string): Promise<LoadedModel> {
  const store =
    parseModelUri(options.source) === null ? undefined : await openProjectStore(projectDir, options.storeUrl);
  try {
    const holder = await createModelHolder(options.source, {
      ...(store === undefined ? {} : { store }),
      pollMs: 0,
    });
    await holder.close();
    return holder.current()!;
  } finally {
    await store?.close();
  }
}

async function startOne(
  options: StartServerOptions,
  projectDir: string,
  fromProject: ServeConfig | undefined,
): Promise<RunningServer> {
  const log = options.log ?? defaultLog;
  const apiKeys = parseApiKeys(options.apiKeys ?? process.env.SLUICE_API_KEYS);
  const isRegistry = parseModelUri(options.source) !== null;
  const wantsLog = options.logPredictions ?? options.config?.log_predictions ?? fromProject?.log_predictions;
  const needsStore =
    isRegistry ||
    (options.sink === undefined &&
      (options.storeUrl !== undefined || fromProject !== undefined) &&
      wantsLog !== false);
  const store: Store | undefined = needsStore
    ? await openProjectStore(projectDir, options.storeUrl)
    : undefined;
  let holder: ModelHolder | undefined;
  let sink: PredictionSink | undefined = options.sink;
  try {
    const metrics = createServeMetrics(
      cluster.isWorker ? { labels: { worker: String(cluster.worker?.id) } } : {},
    );
    holder = await createModelHolder(options.source, {
      ...(store === undefined ? {} : { store }),
      ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
      metrics,
      onEvent: (e) => log(eventLine(e)),
    });
    // The project's serve: settings win over the ones the model was trained with (the app
    // falls back to those, then to the defaults, for what is not given here).
    const given: Partial<ServeConfig> = { ...fromProject, ...options.config };
    const trained = holder.current()?.bundle.serving?.serve;
    const host = options.host ?? given.host ?? trained?.host ?? DEFAULT_HOST;
    const port = options.port ?? given.port ?? trained?.port ?? DEFAULT_PORT;
    const logPredictions = wantsLog ?? trained?.log_predictions ?? true;
    if (sink === undefined && store !== undefined && logPredictions) sink = createPredictionLog(store);
    if (sink !== undefined) metrics.setQueueDepth(() => sink!.depth());
    // Said once per server (not by every cluster worker).
    else if (!cluster.isWorker || cluster.worker?.id === 1)
      log(
        logPredictions
          ? `the prediction log is off: ${options.source} is served without a store to write it to (no sluice.yaml in ${projectDir}); serve it from its project folder or pass --store to log predictions`
          : "the prediction log is off: serve.log_predictions is false",
      );
    const rate =
      options.rateLimit === false
        ? undefined
        : (options.rateLimit ?? given.rate_limit ?? trained?.rate_limit);
    const app = await buildApp({
      holder,
      metrics,
      config: { ...given, log_predictions: sink !== undefined && logPredictions },
      rateLimit:
        rate === undefined
          ? false
          : { max: rate.max, timeWindow: rate.window, acrossWorkers: cluster.isWorker },
      apiKeys,
      ...(sink === undefined ? {} : { sink }),
      // Feedback is attached to logged predictions: only where this server logs them.
      ...(sink !== undefined && store?.recordFeedback !== undefined
        ? {
            feedback: (items: Parameters<NonNullable<Store["recordFeedback"]>>[0]) =>
              store.recordFeedback!(items),
          }
        : {}),
    });
    const monitor = projectMonitor(projectDir);
    const driftEvery = options.driftIntervalMs ?? monitor.metrics_interval;
    const drift =
      driftEvery !== undefined && store !== undefined && sink !== undefined
        ? startDriftGauges({
            registry: metrics.registry,
            store,
            holder,
            config: monitor,
            intervalMs: driftEvery,
            log,
          })
        : undefined;
    if (cluster.isWorker)
      app.addHook("onSend", (_request, reply, payload, done) => {
        reply.header("x-sluice-pid", String(process.pid));
        done(null, payload);
      });
    // The log's writer is up before the first request: a crash then loses at most one flush interval.
    await sink?.ready?.();
    try {
      await app.listen({ host, port });
    } catch (err) {
      await app.close();
      const e = err as NodeJS.ErrnoException;
      throw new SluiceError("E_USAGE", `cannot listen on ${host}:${port}: ${e.code ?? e.message}`, {
        cause: err,
        details: { host, port },
        hint:
          e.code === "EADDRINUSE"
            ? "another process uses this port: pick another with --port (0 picks a free one)"
            : "check --host and --port",
      });
    }
    const address = app.server.address();
    const bound = typeof address === "object" && address !== null ? address.port : port;
    const url = `http://${host.includes(":") ? `[${host}]` : host}:${bound}`;

    let closing: Promise<void> | undefined;
    const heldHolder = holder;
    const heldSink = sink;
    const close = (): Promise<void> =>
      (closing ??= (async () => {
        drift?.close();
        await heldHolder.close();
        // Stop accepting; requests in flight finish. A keep-alive connection whose request
        // finishes after this is dropped once idle rather than held until its timeout.
        const idle = setInterval(() => app.server.closeIdleConnections(), IDLE_SWEEP_MS);
        try {
          await app.close();
        } finally {
          clearInterval(idle);
        }
        await heldSink?.close();
        await store?.close();
      })());
    if (options.handleSignals === true) exitOnSignals(close, log);
    if (cluster.isWorker) process.send?.({ sluice: "listening", url } satisfies ListeningMessage);
    return { url, model: () => heldHolder.current(), workers: () => [], http: app.server, close };
  } catch (err) {
    await holder?.close();
    if (sink !== options.sink) await sink?.close();
    await store?.close();
    throw err;
  }
}

/** On SIGTERM / SIGINT: shut down, then exit 0 (1 when shutting down failed). */
function exitOnSignals(close: () => Promise<void>, log: (line: string) => void): void {
  const stop = (signal: NodeJS.Signals): void => {
    if (!cluster.isWorker) log(`${signal}: shutting down (finishing requests in flight)`);
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        log(`shutdown failed: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

/** Restarts allowed in a short time before the primary gives up (a worker that keeps crashing). */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 30_000;

/**
 * The cluster primary: fork the workers, resolve when each listens, restart one that dies
 * while serving, and stop them all on close (or SIGTERM / SIGINT with `handleSignals`).
 */
function startPrimary(
  options: StartServerOptions,
  count: number,
  atStart: LoadedModel,
): Promise<RunningServer> {
  const log = options.log ?? defaultLog;
  const live = new Set<Worker>();
  const restarts: number[] = [];
  // One rate-limit budget for the server: the workers ask here (a restarted worker keeps it).
  const counts = new RateCounts();
  let stopping = false;
  let url: string | undefined;

  const stopAll = async (): Promise<void> => {
    stopping = true;
    const exits = [...live].map(
      (w) => new Promise<void>((done) => (w.isDead() ? done() : w.once("exit", () => done()))),
    );
    for (const w of live) if (!w.isDead()) w.process.kill("SIGTERM");
    await Promise.all(exits);
  };

  return new Promise<RunningServer>((resolvePromise, reject) => {
    let pending = count;
    let started = false;
    const fail = (err: SluiceError): void => {
      if (started) return;
      started = true;
      void stopAll().then(() => reject(err));
    };
    const fork = (): void => {
      const worker = cluster.fork();
      let listening = false;
      live.add(worker);
      countForWorker(worker, counts);
      worker.on("message", (m: unknown) => {
        if (!isListening(m) || listening) return;
        listening = true;
        url ??= m.url;
        if (!started && --pending === 0) {
          started = true;
          if (options.handleSignals === true) exitOnSignals(stopAll, log);
          resolvePromise({
            url: url,
            model: () => atStart,
            http: undefined,
            workers: () => [...live].flatMap((w) => (w.process.pid === undefined ? [] : [w.process.pid])),
            close: stopAll,
          });
        }
      });
      worker.on("exit", (code, signal) => {
        live.delete(worker);
        if (stopping) return;
        if (!listening)
          return fail(
            new SluiceError(
              "E_USAGE",
              `a server worker stopped before it listened (exit ${String(code ?? signal)})`,
              {
                hint: "its error is printed above; run with --workers 1 to see it alone",
              },
            ),
          );
        const now = Date.now();
        restarts.push(now);
        while (restarts.length > 0 && restarts[0]! < now - RESTART_WINDOW_MS) restarts.shift();
        if (restarts.length > MAX_RESTARTS) {
          log(`workers keep dying (${restarts.length} in ${RESTART_WINDOW_MS / 1000} s): stopping`);
          void stopAll().then(() => process.exit(1));
          return;
        }
        log(`worker ${String(worker.process.pid)} died (${String(signal ?? code)}): starting another`);
        fork();
      });
    };
    for (let i = 0; i < count; i++) fork();
  });
}
