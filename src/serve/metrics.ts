/**
 * The server's Prometheus metrics, on a registry of its own so two servers in one process
 * (tests) never share counts: requests by route, method and status with a latency histogram,
 * predictions by label with a probability histogram, the serving model's version, refused
 * reloads, the prediction log's queue depth, and the process metrics.
 *
 * The four series touched by every request are plain numbers kept here and written out in the
 * Prometheus text format at scrape time: prom-client builds a label object, checks it and hashes
 * it into a string on each observation, a cost every request would pay for what a scrape reads
 * every few seconds. The rest (gauges, process metrics) stay prom-client metrics.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";
import type { ServeMetrics } from "./types.js";

/** Request latency buckets: 0.5 ms to 1 s. */
export const LATENCY_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
];

/** Probability buckets: 0.1, 0.2, … 1 (ten buckets over [0, 1]). */
export const PROBABILITY_BUCKETS: readonly number[] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

export interface ServeMetricsOptions {
  /** Reads the prediction log's queue depth at each scrape (0 when not given). */
  queueDepth?: () => number;
  /** Collect the process metrics (CPU, memory, event loop, GC); default true. */
  processMetrics?: boolean;
  /** Labels added to every metric (e.g. `{ worker: "2" }` under node:cluster). */
  labels?: Record<string, string>;
}

/** {@link ServeMetrics} plus what the server wires after creating them. */
export interface ServeMetricsHandle extends ServeMetrics {
  /** Where the queue depth gauge reads from (the prediction log, once it is open). */
  setQueueDepth(read: () => number): void;
  /** The prom-client registry of the metrics that are not counted per request (for tests and extra metrics). */
  readonly registry: Registry;
}

/** A label value as the text format writes it: backslash, double quote and newline escaped. */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** `name="value",…` for label names and values (no braces). */
function labelText(names: readonly string[], values: readonly string[]): string {
  let text = "";
  for (let i = 0; i < names.length; i++)
    text += `${i === 0 ? "" : ","}${names[i]!}="${escapeLabel(values[i]!)}"`;
  return text;
}

/** A number as the text format writes it. */
function valueText(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

/** The braces of a series: its own labels, then the registry-wide ones. */
function braces(own: string, common: string): string {
  const all = own === "" ? common : common === "" ? own : `${own},${common}`;
  return all === "" ? "" : `{${all}}`;
}

/** One histogram series: counts per bucket (not cumulative; the last is +Inf), sum and count. */
interface HistogramSeries {
  labels: string;
  counts: Float64Array;
  sum: number;
  count: number;
}

function newSeries(labels: string, buckets: readonly number[]): HistogramSeries {
  return { labels, counts: new Float64Array(buckets.length + 1), sum: 0, count: 0 };
}

function observeInto(series: HistogramSeries, buckets: readonly number[], value: number): void {
  let b = 0;
  while (b < buckets.length && value > buckets[b]!) b++;
  series.counts[b]!++;
  series.sum += value;
  series.count++;
}

function header(name: string, help: string, type: string): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;
}

function histogramText(
  name: string,
  buckets: readonly number[],
  series: Iterable<HistogramSeries>,
  common: string,
): string {
  let text = "";
  for (const s of series) {
    let cumulative = 0;
    const own = s.labels === "" ? "" : `,${s.labels}`;
    const rest = common === "" ? "" : `,${common}`;
    for (let b = 0; b <= buckets.length; b++) {
      cumulative += s.counts[b]!;
      const le = b < buckets.length ? valueText(buckets[b]!) : "+Inf";
      text += `${name}_bucket{le="${le}"${own}${rest}} ${cumulative}\n`;
    }
    text += `${name}_sum${braces(s.labels, common)} ${valueText(s.sum)}\n`;
    text += `${name}_count${braces(s.labels, common)} ${s.count}\n`;
  }
  return text;
}

/** Counts of the request path: requests, their latency, predictions and their probability. */
/** The series of one route and method: its latency, and its request count by status. */
interface RouteSeries {
  duration: HistogramSeries;
  byStatus: Map<number, { labels: string; n: number }>;
}

class RequestCounts {
  /** route → method → series. Nested maps: route and method strings come from the router and the parser, and keep their hash; a key built per request would be hashed per request. */
  private readonly routes = new Map<string, Map<string, RouteSeries>>();
  private readonly predictions = new Map<string, { labels: string; n: number }>();
  private readonly probability = newSeries("", PROBABILITY_BUCKETS);

  observeRequest(route: string, method: string, status: number, seconds: number): void {
    let methods = this.routes.get(route);
    if (methods === undefined) {
      methods = new Map();
      this.routes.set(route, methods);
    }
    let series = methods.get(method);
    if (series === undefined) {
      series = {
        duration: newSeries(labelText(["route", "method"], [route, method]), LATENCY_BUCKETS),
        byStatus: new Map(),
      };
      methods.set(method, series);
    }
    let r = series.byStatus.get(status);
    if (r === undefined) {
      r = { labels: labelText(["route", "method", "status"], [route, method, String(status)]), n: 0 };
      series.byStatus.set(status, r);
    }
    r.n++;
    if (Number.isFinite(seconds)) observeInto(series.duration, LATENCY_BUCKETS, seconds);
  }

  private *allRoutes(): Generator<RouteSeries> {
    for (const methods of this.routes.values()) yield* methods.values();
  }

  observePrediction(label: string, p: number | undefined): void {
    let c = this.predictions.get(label);
    if (c === undefined) {
      c = { labels: labelText(["label"], [label]), n: 0 };
      this.predictions.set(label, c);
    }
    c.n++;
    if (p !== undefined && Number.isFinite(p)) observeInto(this.probability, PROBABILITY_BUCKETS, p);
  }

  /** The four families in the text format, each series with the registry-wide labels `common`. */
  render(common: string): string {
    let text = header(
      "http_requests_total",
      "HTTP requests answered, by route pattern, method and status code",
      "counter",
    );
    for (const series of this.allRoutes())
      for (const r of series.byStatus.values())
        text += `http_requests_total${braces(r.labels, common)} ${r.n}\n`;
    text += "\n";
    text += header(
      "http_request_duration_seconds",
      "Time to answer an HTTP request, by route pattern and method",
      "histogram",
    );
    text += histogramText(
      "http_request_duration_seconds",
      LATENCY_BUCKETS,
      Array.from(this.allRoutes(), (s) => s.duration),
      common,
    );
    text += "\n";
    text += header(
      "predictions_total",
      "Predictions made, by predicted label (classification) or 'value' (regression)",
      "counter",
    );
    for (const c of this.predictions.values())
      text += `predictions_total${braces(c.labels, common)} ${c.n}\n`;
    text += "\n";
    text += header(
      "prediction_probability",
      "Probability of the positive (or top) class of each prediction",
      "histogram",
    );
    text += histogramText("prediction_probability", PROBABILITY_BUCKETS, [this.probability], common);
    return text;
  }
}

/**
 * Create the server's metrics on a fresh registry.
 *
 * @example
 * const metrics = createServeMetrics({ queueDepth: () => sink.depth() });
 * metrics.observeRequest("/predict", "POST", 200, 0.0012);
 * reply.type(metrics.contentType).send(await metrics.render());
 */
export function createServeMetrics(options: ServeMetricsOptions = {}): ServeMetricsHandle {
  const registry = new Registry();
  const common =
    options.labels === undefined ? "" : labelText(Object.keys(options.labels), Object.values(options.labels));
  if (options.labels !== undefined) registry.setDefaultLabels(options.labels);
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  let readDepth = options.queueDepth ?? (() => 0);
  const counts = new RequestCounts();

  const modelInfo = new Gauge({
    name: "model_info",
    help: "The model serving now: 1 for its name and version",
    labelNames: ["name", "version"] as const,
    registers: [registry],
  });
  const reloadFailures = new Counter({
    name: "model_reload_failures_total",
    help: "New model versions refused at reload (the previous version kept serving)",
    registers: [registry],
  });
  new Gauge({
    name: "prediction_log_queue_depth",
    help: "Predictions waiting to be written to the prediction log",
    registers: [registry],
    collect() {
      let depth: number;
      try {
        depth = readDepth();
      } catch {
        depth = Number.NaN;
      }
      this.set(depth);
    },
  });

  return {
    registry,
    contentType: registry.contentType,
    observeRequest(route, method, status, seconds) {
      counts.observeRequest(route, method, status, seconds);
    },
    observePrediction(label, p) {
      counts.observePrediction(label, p);
    },
    setModel(name, version) {
      modelInfo.reset();
      modelInfo.set({ name, version: version === null ? "file" : String(version) }, 1);
    },
    reloadFailed() {
      reloadFailures.inc();
    },
    setQueueDepth(read) {
      readDepth = read;
    },
    render: async () => `${await registry.metrics()}\n${counts.render(common)}`,
  };
}
