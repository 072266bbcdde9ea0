/**
 * Drift gauges on the server's `/metrics`: every `monitor.metrics_interval` the server measures
 * drift of its own latest window of logged predictions (the model version now serving) against
 * that version's reference, and sets the `sluice_drift_*` gauges (src/monitor/gauges.ts), so
 * Prometheus alerts on drift with no other job running. It only measures: reports, alerts and
 * retraining stay with `sluice monitor`.
 *
 * The drift code is light (typed-array statistics, no DuckDB, no plots), so the serving path
 * may load it.
 */
import { dirname, join } from "node:path";
import { Gauge, type Registry } from "prom-client";
import { referenceData, windowData } from "../monitor/data.js";
import { DRIFT_GAUGES, driftGaugeSamples } from "../monitor/gauges.js";
import { measureDrift, type DriftResult } from "../monitor/measure.js";
import { loadReference, type MonitorReference } from "../monitor/reference.js";
import type { MonitorConfig } from "../project/schema.js";
import type { Store } from "../track/types.js";
import type { LoadedModel, ModelHolder } from "./types.js";

export interface DriftGaugesOptions {
  registry: Registry;
  store: Store;
  holder: ModelHolder;
  config: MonitorConfig;
  /** Milliseconds between measurements. */
  intervalMs: number;
  /** Lines for people (a reference that cannot be read, a failed measurement). */
  log?: (line: string) => void;
  /** The clock (tests). */
  now?: () => number;
}

export interface DriftGauges {
  /** Measure now (the timer calls this); resolves with the result, or undefined when there was nothing to measure. */
  refresh(): Promise<DriftResult | undefined>;
  /** Stop the timer. */
  close(): void;
}

/**
 * Register the drift gauges on `registry` and measure every `intervalMs`.
 *
 * @example
 * const gauges = startDriftGauges({ registry: metrics.registry, store, holder, config: project.config.monitor, intervalMs: 300_000 });
 */
export function startDriftGauges(options: DriftGaugesOptions): DriftGauges {
  const { registry, store, holder, config } = options;
  const log = options.log ?? (() => undefined);
  const now = options.now ?? Date.now;
  const gauges = new Map<string, Gauge>();
  for (const [name, { help, labels }] of Object.entries(DRIFT_GAUGES))
    gauges.set(name, new Gauge({ name, help, labelNames: [...labels], registers: [registry] }));

  const references = new WeakMap<LoadedModel, MonitorReference | null>();
  const referenceOf = async (loaded: LoadedModel): Promise<MonitorReference | null> => {
    if (references.has(loaded)) return references.get(loaded)!;
    let ref: MonitorReference | null = null;
    try {
      ref = await loadReference(join(dirname(loaded.bundle.modelPath), "reference.json"));
    } catch (err) {
      log(
        `drift gauges: ${loaded.name} v${String(loaded.version)} has no usable reference (${(err as Error).message}); no drift gauges for it`,
      );
    }
    references.set(loaded, ref);
    return ref;
  };

  let running: Promise<DriftResult | undefined> | undefined;
  const measure = async (): Promise<DriftResult | undefined> => {
    const loaded = holder.current();
    if (loaded === undefined || store.recentPredictions === undefined) return undefined;
    const ref = await referenceOf(loaded);
    if (ref === null) return undefined;
    const rows = await store.recentPredictions({
      model: loaded.name,
      ...(loaded.version === null ? {} : { version: loaded.version }),
      last: config.window,
    });
    if (rows.length === 0) return undefined;
    const result = measureDrift(referenceData(ref), windowData(ref, rows, "prediction log"), {
      config,
      importance: ref.importance,
    });
    for (const g of gauges.values()) g.reset();
    for (const s of driftGaugeSamples(result, loaded.name, loaded.version, now()))
      gauges.get(s.name)?.set(s.labels, s.value);
    return result;
  };
  const refresh = (): Promise<DriftResult | undefined> =>
    (running ??= measure()
      .catch((err: unknown) => {
        log(`drift gauges: measuring failed: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      })
      .finally(() => {
        running = undefined;
      }));
  const timer = setInterval(() => void refresh(), Math.max(1000, options.intervalMs));
  timer.unref();
  return { refresh, close: () => clearInterval(timer) };
}
