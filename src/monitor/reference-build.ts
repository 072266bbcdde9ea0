/**
 * Building the monitoring reference at training time (see reference.ts for the format). Kept
 * apart from the reader so that a server loading a reference loads no explainer or sampler.
 */
import { Random } from "../data/random.js";
import type { Frame } from "../data/frame.js";
import type { FittedFeatures } from "../features/fitted.js";
import { transform } from "../features/transform.js";
import type { Model } from "../models/types.js";
import { SLUICE_VERSION } from "../version.js";
import { REFERENCE_FORMAT_VERSION, type MonitorReference, type ReferenceColumn } from "./reference.js";

/** Rows kept in a reference by default. */
export const DEFAULT_REFERENCE_ROWS = 5000;
/** Rows explained to weigh the inputs (TreeSHAP per row is the costly part). */
const IMPORTANCE_ROWS = 500;

export interface BuildReferenceInput {
  features: FittedFeatures;
  model: Model;
  /** The training rows, raw (before features). */
  frame: Frame;
  /** For a binary target: the index of the positive class in `model.classes`. */
  positive?: number;
  /** Rows to keep (a seeded uniform sample when the frame has more). */
  maxRows?: number;
  seed?: number;
}

/** Indices of a seeded uniform sample of `k` of `n` rows, in increasing order. */
function sampleRows(n: number, k: number, seed: number): Int32Array {
  if (k >= n) return Int32Array.from({ length: n }, (_, i) => i);
  // Partial Fisher–Yates over the index array: k draws, each uniform over what is left.
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  const rng = new Random(seed);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng.next() * (n - i));
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx.subarray(0, k).sort();
}

function columnOf(frame: Frame, name: string, kind: "numeric" | "categorical"): ReferenceColumn {
  const c = frame.column(name);
  if (kind === "numeric") {
    const values: (number | null)[] = new Array<number | null>(frame.nRows);
    if (c.kind === "numeric")
      for (let i = 0; i < frame.nRows; i++) values[i] = Number.isFinite(c.values[i]!) ? c.values[i]! : null;
    else if (c.kind === "categorical")
      for (let i = 0; i < frame.nRows; i++) {
        const code = c.codes[i]!;
        const v = code < 0 ? NaN : Number(c.dictionary[code]);
        values[i] = Number.isFinite(v) ? v : null;
      }
    else
      for (let i = 0; i < frame.nRows; i++) {
        const v = Number(c.values[i] ?? NaN);
        values[i] = Number.isFinite(v) ? v : null;
      }
    return { name, kind, values };
  }
  const values: (string | null)[] = new Array<string | null>(frame.nRows);
  if (c.kind === "categorical")
    for (let i = 0; i < frame.nRows; i++) {
      const code = c.codes[i]!;
      values[i] = code < 0 ? null : c.dictionary[code]!;
    }
  else if (c.kind === "numeric")
    for (let i = 0; i < frame.nRows; i++)
      values[i] = Number.isFinite(c.values[i]!) ? String(c.values[i]) : null;
  else for (let i = 0; i < frame.nRows; i++) values[i] = c.values[i] === "" ? null : (c.values[i] ?? null);
  return { name, kind, values };
}

/**
 * The inputs behind each fitted step: an input is itself; a formula splits its weight equally
 * among the columns it reads (recursively, through earlier formulas); a binned feature is its
 * column's.
 */
function inputsOf(features: FittedFeatures): (step: string) => Map<string, number> {
  const inputs = new Set(features.inputs.map((i) => i.name));
  const formulas = new Map(features.formulas.map((f) => [f.name, f.columns]));
  const binned = new Map(features.binned.map((b) => [b.name, b.column]));
  const memo = new Map<string, Map<string, number>>();
  const resolve = (step: string, depth: number): Map<string, number> => {
    const known = memo.get(step);
    if (known !== undefined) return known;
    const out = new Map<string, number>();
    if (inputs.has(step)) out.set(step, 1);
    else if (depth < 64 && binned.has(step))
      for (const [k, v] of resolve(binned.get(step)!, depth + 1)) out.set(k, v);
    else if (depth < 64 && formulas.has(step)) {
      const cols = formulas.get(step)!;
      for (const c of cols)
        for (const [k, v] of resolve(c, depth + 1)) out.set(k, (out.get(k) ?? 0) + v / cols.length);
    }
    memo.set(step, out);
    return out;
  };
  return (step) => resolve(step, 0);
}

/**
 * Each input's share of the model's mean |SHAP| over `X` (all outputs of a multiclass model
 * summed). Inputs the model never uses get 0.
 */
export function inputImportance(
  features: FittedFeatures,
  model: Model,
  X: ReturnType<typeof transform>,
): Record<string, number> {
  const result: Record<string, number> = Object.fromEntries(features.inputs.map((i) => [i.name, 0]));
  if (X.nRows === 0) return result;
  const e = model.explain(X);
  const nF = X.nCols;
  const nO = model.nOutputs;
  const perOutput = new Float64Array(nF);
  for (let i = 0; i < X.nRows; i++)
    for (let k = 0; k < nO; k++) {
      const base = (i * nO + k) * nF;
      for (let f = 0; f < nF; f++) perOutput[f] = perOutput[f]! + Math.abs(e.values[base + f]!);
    }
  const sources = inputsOf(features);
  let total = 0;
  features.outputs.forEach((o, f) => {
    const w = perOutput[f]!;
    if (!(w > 0)) return;
    for (const [input, share] of sources(o.feature)) {
      result[input] = (result[input] ?? 0) + w * share;
      total += w * share;
    }
  });
  if (total > 0) for (const k of Object.keys(result)) result[k] = result[k]! / total;
  return result;
}

/**
 * The monitoring reference of a trained model: a seeded sample of its training rows, the
 * model's predictions on them, and each input's share of the model's attention.
 *
 * @example
 * const ref = buildReference({ features, model, frame: prepared.train.frame, positive: 1, seed: 42 });
 * await writeFileAtomic(join(runDir, "reference.json"), JSON.stringify(ref));
 */
export function buildReference(input: BuildReferenceInput): MonitorReference {
  const { features, model, frame } = input;
  const seed = input.seed ?? 0;
  const rows = sampleRows(frame.nRows, input.maxRows ?? DEFAULT_REFERENCE_ROWS, seed);
  const sample = frame.take(rows);
  const columns = features.inputs.map((i) => columnOf(sample, i.name, i.kind));
  const X = transform(features, sample);

  let prediction: MonitorReference["prediction"];
  if (model.task === "regression") {
    const p = model.predict(X);
    prediction = {
      kind: "numeric",
      field: "prediction",
      values: Array.from(p, (v) => (Number.isFinite(v) ? v : null)),
    };
  } else {
    const classes = model.classes ?? [];
    const positive = input.positive ?? (classes.length === 2 ? 1 : -1);
    if (classes.length === 2 && positive >= 0) {
      const proba = model.predictProba(X);
      const values: (number | null)[] = new Array<number | null>(X.nRows);
      for (let i = 0; i < X.nRows; i++) values[i] = proba[i * 2 + positive]!;
      prediction = { kind: "numeric", field: "probability", values };
    } else {
      const codes = model.predict(X);
      prediction = {
        kind: "categorical",
        field: "prediction",
        values: Array.from(codes, (c) => classes[c] ?? null),
      };
    }
  }

  const explainRows = sampleRows(sample.nRows, IMPORTANCE_ROWS, seed + 1);
  const importance = inputImportance(features, model, transform(features, sample.take(explainRows)));
  return {
    format: "sluice-monitor-reference",
    formatVersion: REFERENCE_FORMAT_VERSION,
    sluiceVersion: SLUICE_VERSION,
    trainingRows: frame.nRows,
    rows: sample.nRows,
    seed,
    task: model.task,
    columns,
    prediction,
    importance,
  };
}
