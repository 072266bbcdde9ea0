/**
 * Gates: the checks a model version must pass before it may leave stage `none`.
 *
 * - `minimum.<metric>`: a test metric reaches a threshold (for losses — rmse, mae, mape,
 *   log_loss, brier — the threshold is a maximum);
 * - `max_drop_vs_production.<metric>`: the metric is not worse than the production version's,
 *   scored on the same test rows, by more than the threshold (in the metric's better direction);
 * - `latency_p99_ms`: the 99th percentile of single-record calls (features + model);
 * - `determinism`: predicting the test rows twice gives bitwise-equal outputs;
 * - `round_trip`: the model file read back predicts bitwise-equal outputs.
 *
 * Every gate yields a {@link GateRecord}; a gate that cannot be measured fails and says why
 * (except the drop gate with no production version, which passes and says so). Metric names are
 * checked by {@link checkGatesConfig} before any work, so a misspelt gate never costs a run.
 */
import { SluiceError } from "../errors.js";
import { matrixRow, type FeatureMatrix } from "../features/matrix.js";
import { modelFileText, modelFromJSON } from "../models/format.js";
import type { Model } from "../models/types.js";
import { higherIsBetter, metricsFor, type MetricName, type Task } from "../project/metric-names.js";
import type { GatesConfig } from "../project/schema.js";
import type { GateRecord } from "../track/types.js";
import { didYouMean, listing } from "../util/text.js";

export type { GateRecord } from "../track/types.js";

/** Single-record calls the latency gate times (after {@link LATENCY_WARMUP} untimed ones). */
export const LATENCY_CALLS = 2000;
/** Untimed calls before the latency gate starts timing (JIT, caches). */
export const LATENCY_WARMUP = 200;

/** Slack for comparing metric values with thresholds: 0.8 − 0.79 is 0.010000000000000009. */
const TOLERANCE = 1e-12;

/** What {@link runGates} measures against. */
export interface GateContext {
  task: Task;
  /** The candidate's test metrics (undefined or non-finite values count as not measured). */
  metrics: Record<string, number>;
  /** The production version's metrics on the SAME test rows (the caller scores it). */
  production?: { version: number; metrics: Record<string, number> };
  /**
   * The production version exists but could not be scored on these rows (its features do not
   * fit the new data, its classes differ…): the drop gates fail, naming the reason.
   */
  productionError?: { version: number; message: string };
  /** The candidate model: determinism, round trip and (without `singleRecord`) latency. */
  model: Model;
  /** The test rows, features already applied. */
  X: FeatureMatrix;
  /**
   * One record's features and the model's prediction, for the latency gate; called with
   * 0, 1, 2, … (cycling below `records`). Without it the gate times `model.predictOne` on rows
   * of `X` only, and says so in its detail.
   */
  singleRecord?: (i: number) => void;
  /** How many distinct records `singleRecord` can take (default: X's rows). */
  records?: number;
}

/** Metrics whose values never exceed 1. */
const AT_MOST_ONE: ReadonlySet<string> = new Set([
  "roc_auc",
  "pr_auc",
  "accuracy",
  "balanced_accuracy",
  "precision",
  "recall",
  "f1",
  "r2",
]);

function configError(message: string, task: Task, details: Record<string, unknown>): SluiceError {
  return new SluiceError("E_CONFIG", message, {
    details: { ...details, task, metrics: [...metricsFor(task)] },
    hint: `${task} metrics are ${listing([...metricsFor(task)])}`,
  });
}

/**
 * Check that every metric the gates name exists and fits the task. The pipeline calls this
 * before any work; {@link runGates} calls it again.
 *
 * @throws SluiceError E_CONFIG naming every bad entry (`gates.minimum.rocauc`) and listing the
 *   task's metrics
 * @example
 * checkGatesConfig(project.config.gates, project.config.data.task);
 */
export function checkGatesConfig(config: GatesConfig, task: Task): void {
  const allowed: readonly string[] = metricsFor(task);
  const other: readonly string[] = metricsFor(task === "classification" ? "regression" : "classification");
  const problems: string[] = [];
  const bad: string[] = [];
  for (const section of ["minimum", "max_drop_vs_production"] as const)
    for (const name of Object.keys(config[section] ?? {})) {
      if (allowed.includes(name)) continue;
      const path = `gates.${section}.${name}`;
      bad.push(path);
      problems.push(
        other.includes(name)
          ? `${path}: ${name} is a ${task === "classification" ? "regression" : "classification"} metric and this project is ${task}`
          : `${path}: unknown metric "${name}"${didYouMean(name, allowed)}`,
      );
    }
  // A share written as a percentage (roc_auc: 75) can never pass: refuse it now, not after a run.
  for (const [name, threshold] of Object.entries(config.minimum ?? {}))
    if (AT_MOST_ONE.has(name) && threshold > 1) {
      bad.push(`gates.minimum.${name}`);
      const guess = threshold >= 10 && threshold <= 100 ? ` (did you mean ${threshold / 100}?)` : "";
      problems.push(`gates.minimum.${name}: ${threshold} can never be reached, ${name} is at most 1${guess}`);
    }
  if (problems.length > 0) throw configError(problems.join("; "), task, { gates: bad });
}

function finiteOrUndefined(v: number | undefined): number | undefined {
  return v !== undefined && Number.isFinite(v) ? v : undefined;
}

/** A number for a detail text: at most 6 significant digits. */
function fmt(v: number): string {
  return String(Number(v.toPrecision(6)));
}

function minimumGate(metric: MetricName, threshold: number, ctx: GateContext): GateRecord {
  const name = `minimum.${metric}`;
  const value = finiteOrUndefined(ctx.metrics[metric]);
  const higher = higherIsBetter(metric);
  if (value === undefined)
    return {
      name,
      value: null,
      threshold,
      passed: false,
      detail: `${metric} could not be measured on the test rows (it is undefined there, e.g. a single class)`,
    };
  if (higher) {
    const passed = value >= threshold - TOLERANCE;
    return {
      name,
      value,
      threshold,
      passed,
      detail: `${metric} ${fmt(value)} ${passed ? "≥" : "<"} ${fmt(threshold)} (minimum)`,
    };
  }
  const passed = value <= threshold + TOLERANCE;
  return {
    name,
    value,
    threshold,
    passed,
    detail: `${metric} is an error metric, so the threshold is a maximum: ${fmt(value)} ${passed ? "≤" : ">"} ${fmt(threshold)}`,
  };
}

function dropGate(metric: MetricName, threshold: number, ctx: GateContext): GateRecord {
  const name = `max_drop_vs_production.${metric}`;
  if (ctx.production === undefined) {
    if (ctx.productionError !== undefined)
      return {
        name,
        value: null,
        threshold,
        passed: false,
        detail: `production version ${ctx.productionError.version} could not be scored on these test rows: ${ctx.productionError.message}; archive it or remove this gate`,
      };
    return { name, value: null, threshold, passed: true, detail: "no production version" };
  }
  const { version } = ctx.production;
  const candidate = finiteOrUndefined(ctx.metrics[metric]);
  const production = finiteOrUndefined(ctx.production.metrics[metric]);
  if (candidate === undefined)
    return {
      name,
      value: null,
      threshold,
      passed: false,
      detail: `${metric} of the candidate could not be measured on the test rows`,
    };
  if (production === undefined)
    return {
      name,
      value: null,
      threshold,
      passed: true,
      detail: `${metric} of production version ${version} could not be measured on these test rows: nothing to compare with`,
    };
  const higher = higherIsBetter(metric);
  // Positive = worse than production, whichever way the metric points.
  const drop = higher ? production - candidate : candidate - production;
  const passed = drop <= threshold + TOLERANCE;
  const change = drop > 0 ? `worse by ${fmt(drop)}` : drop < 0 ? `better by ${fmt(-drop)}` : "the same";
  return {
    name,
    value: drop,
    threshold,
    passed,
    detail: `${metric} ${fmt(candidate)} vs ${fmt(production)} of production version ${version} (${higher ? "higher" : "lower"} is better): ${change}; allowed drop ${fmt(threshold)}`,
  };
}

function percentile99(ns: BigInt64Array): number {
  const sorted = ns.slice().sort();
  const at = Math.max(0, Math.ceil(0.99 * sorted.length) - 1);
  return Number(sorted[at]!) / 1e6;
}

function latencyGate(threshold: number, ctx: GateContext): GateRecord {
  const name = "latency_p99_ms";
  let call: (i: number) => void;
  let records: number;
  let what: string;
  if (ctx.singleRecord !== undefined) {
    call = ctx.singleRecord;
    records = Math.max(1, ctx.records ?? ctx.X.nRows);
    what = "one record (features + model)";
  } else {
    if (ctx.X.nRows === 0)
      return { name, value: null, threshold, passed: false, detail: "no test rows to time a prediction on" };
    const row = new Float64Array(ctx.X.nCols);
    const out = new Float64Array(Math.max(1, ctx.model.classes?.length ?? 1));
    const { model, X } = ctx;
    call = (i) => {
      matrixRow(X, i, row);
      model.predictOne(row, out);
    };
    records = ctx.X.nRows;
    what = "one row through the model only (no record function was given, so features are not timed)";
  }
  const times = new BigInt64Array(LATENCY_CALLS);
  try {
    for (let i = 0; i < LATENCY_WARMUP; i++) call(i % records);
    for (let i = 0; i < LATENCY_CALLS; i++) {
      const start = process.hrtime.bigint();
      call(i % records);
      times[i] = process.hrtime.bigint() - start;
    }
  } catch (err) {
    return {
      name,
      value: null,
      threshold,
      passed: false,
      detail: `a single-record call failed: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  const p99 = percentile99(times);
  const passed = p99 <= threshold;
  return {
    name,
    value: p99,
    threshold,
    passed,
    detail: `p99 of ${LATENCY_CALLS} calls of ${what}: ${fmt(p99)} ms ${passed ? "≤" : ">"} ${fmt(threshold)} ms`,
  };
}

function predictAll(model: Model, X: FeatureMatrix): Float64Array {
  return model.task === "classification" ? model.predictProba(X) : model.predict(X);
}

/** Outputs whose bits differ, and the first such index. */
function bitDifferences(a: Float64Array, b: Float64Array): { count: number; first: number } {
  if (a.length !== b.length) return { count: Math.max(a.length, b.length), first: 0 };
  const ua = new BigUint64Array(a.buffer, a.byteOffset, a.length);
  const ub = new BigUint64Array(b.buffer, b.byteOffset, b.length);
  let count = 0;
  let first = -1;
  for (let i = 0; i < ua.length; i++)
    if (ua[i] !== ub[i]) {
      count++;
      if (first < 0) first = i;
    }
  return { count, first };
}

function comparisonGate(
  name: string,
  ctx: GateContext,
  second: () => Float64Array,
  what: { same: string; differ: string },
): GateRecord {
  const { model, X } = ctx;
  let a: Float64Array;
  let b: Float64Array;
  try {
    a = predictAll(model, X).slice();
    b = second();
  } catch (err) {
    return {
      name,
      value: null,
      threshold: 0,
      passed: false,
      detail: `${what.differ}: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  const { count, first } = bitDifferences(a, b);
  const perRow = X.nRows > 0 ? Math.max(1, Math.round(a.length / X.nRows)) : 1;
  if (count === 0)
    return {
      name,
      value: 0,
      threshold: 0,
      passed: true,
      detail: `${what.same}: ${a.length} outputs of ${X.nRows} rows are bitwise equal`,
    };
  const row = Math.floor(first / perRow);
  return {
    name,
    value: count,
    threshold: 0,
    passed: false,
    detail: `${what.differ}: ${count} of ${a.length} outputs differ (first at row ${row}: ${a[first]} vs ${b[first]})`,
  };
}

function determinismGate(ctx: GateContext): GateRecord {
  return comparisonGate("determinism", ctx, () => predictAll(ctx.model, ctx.X).slice(), {
    same: "the test rows predicted twice",
    differ: "the test rows predicted twice give different outputs",
  });
}

function roundTripGate(ctx: GateContext): GateRecord {
  return comparisonGate(
    "round_trip",
    ctx,
    () => {
      const loaded = modelFromJSON(
        JSON.parse(modelFileText(ctx.model)) as unknown,
        "model file (round trip)",
      );
      return predictAll(loaded, ctx.X).slice();
    },
    {
      same: "saved, loaded and predicted again",
      differ: "the model read back from its file predicts differently",
    },
  );
}

/**
 * Run the configured gates, in order: `minimum.*` and `max_drop_vs_production.*` (file order),
 * `latency_p99_ms` (when set), `determinism` and `round_trip` (when on). A gate that fails is
 * a record with `passed: false`, never an exception.
 *
 * @throws SluiceError E_CONFIG when a gate names a metric that does not exist or fits another
 *   task (see {@link checkGatesConfig})
 * @example
 * const gates = await runGates(project.config.gates, { task, metrics: winner.test, model, X: test.X });
 * const passed = gates.every((g) => g.passed);
 */
export async function runGates(config: GatesConfig, ctx: GateContext): Promise<GateRecord[]> {
  checkGatesConfig(config, ctx.task);
  const out: GateRecord[] = [];
  for (const [metric, threshold] of Object.entries(config.minimum ?? {}))
    out.push(minimumGate(metric as MetricName, threshold, ctx));
  for (const [metric, threshold] of Object.entries(config.max_drop_vs_production ?? {}))
    out.push(dropGate(metric as MetricName, threshold, ctx));
  // Let other work (progress output, timers) run before the timed loop.
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (config.latency_p99_ms !== undefined) out.push(latencyGate(config.latency_p99_ms, ctx));
  if (config.determinism) out.push(determinismGate(ctx));
  if (config.round_trip) out.push(roundTripGate(ctx));
  return out;
}
