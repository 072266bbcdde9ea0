/**
 * Predictions for the server: one checked record → one response object. The hot path is one
 * feature row and one output array per model, reused by every request (predictions run
 * synchronously on the event loop, so no two requests share them at once):
 * `transformRecord(fitted, record, row)` then `model.predictOne(row, out)`. Nothing here
 * allocates a matrix for a single record; only `explain` builds a one-row matrix.
 */
import { transformRecord } from "../features/transform.js";
import { featureMatrix } from "../features/matrix.js";
import { outputNames } from "../features/transform.js";
import type { LoadedModel } from "./types.js";

/** The number of features an explanation lists. */
export const TOP_CONTRIBUTIONS = 5;

/** One feature's SHAP contribution to the raw output. */
export interface Contribution {
  name: string;
  value: number;
}

/**
 * The prediction of one record, as `/predict` answers it (without the model block). A type
 * rather than an interface so that it is also a plain `Record<string, unknown>`, as the
 * prediction log takes it.
 */
export type PredictionOutput = {
  id?: string | number | null;
  /** The class label (classification) or the value (regression). */
  prediction: string | number;
  /** P(positive class) for a binary target; every class's probability for multiclass. */
  probability?: number | Record<string, number>;
  /** The largest class probability. */
  confidence?: number;
  /** The risk level of `probability` (binary targets with `serve.risk`). */
  risk?: string;
  /** Top features by |SHAP| (with `?explain=true`). */
  contributions?: Contribution[];
  /** The explanation's base value: contributions + expected_value = the raw output. */
  expected_value?: number;
};

/** A model prepared for answering: its buffers and what its outputs mean. */
export interface Predictor {
  readonly loaded: LoadedModel;
  readonly task: "classification" | "regression";
  readonly classes: readonly string[];
  /** Index of the positive class for a binary target, else -1. */
  readonly positive: number;
  readonly names: readonly string[];
  readonly row: Float64Array;
  readonly out: Float64Array;
}

const predictors = new WeakMap<LoadedModel, Predictor>();

/** The predictor of a loaded model (prepared once per model). */
export function predictorFor(loaded: LoadedModel): Predictor {
  let p = predictors.get(loaded);
  if (p === undefined) {
    const { model, features, serving } = loaded.bundle;
    const classes = model.classes ?? serving?.classes ?? [];
    const positiveLabel = serving?.positive ?? classes[1];
    const positive =
      classes.length === 2 && positiveLabel !== undefined ? classes.indexOf(positiveLabel) : -1;
    const names = outputNames(features);
    p = {
      loaded,
      task: model.task,
      classes,
      positive,
      names,
      row: new Float64Array(names.length),
      out: new Float64Array(model.task === "classification" ? Math.max(classes.length, 1) : 1),
    };
    predictors.set(loaded, p);
  }
  return p;
}

const sortedRisk = new WeakMap<Record<string, number>, (readonly [string, number])[]>();

/** The risk level of a probability: the highest level whose lower bound is ≤ p. */
export function riskLevel(risk: Record<string, number> | undefined, p: number): string | undefined {
  if (risk === undefined) return undefined;
  let levels = sortedRisk.get(risk);
  if (levels === undefined) {
    levels = Object.entries(risk).sort((a, b) => b[1] - a[1]);
    sortedRisk.set(risk, levels);
  }
  for (const [name, bound] of levels) if (bound <= p) return name;
  return undefined;
}

/**
 * Predict one record (already checked). `id` is the record's id column value.
 *
 * @example
 * const out = predictRecord(predictorFor(loaded), { age: 42, gender: "F" }, { explain: true, risk: config.risk });
 */
export function predictRecord(
  p: Predictor,
  record: Readonly<Record<string, unknown>>,
  options: { explain?: boolean; idColumn?: string; risk?: Record<string, number> } = {},
): PredictionOutput {
  const { model, features } = p.loaded.bundle;
  transformRecord(features, record, p.row);
  const out = model.predictOne(p.row, p.out);
  // The id first, as clients read it; the prediction is filled in below.
  let result: PredictionOutput = { prediction: 0 };
  if (options.idColumn !== undefined) {
    const id = record[options.idColumn];
    result = { id: typeof id === "string" || typeof id === "number" ? id : null, prediction: 0 };
  }
  let explainOutput = 0;
  if (p.task === "regression") {
    result.prediction = out[0]!;
  } else {
    let best = 0;
    for (let k = 1; k < p.classes.length; k++) if (out[k]! > out[best]!) best = k;
    result.prediction = p.classes[best]!;
    if (p.positive >= 0) {
      const prob = out[p.positive]!;
      result.probability = prob;
      result.confidence = out[best]!;
      const risk = riskLevel(options.risk, prob);
      if (risk !== undefined) result.risk = risk;
      explainOutput = model.nOutputs === 1 ? 0 : p.positive;
    } else {
      const probs: Record<string, number> = {};
      for (let k = 0; k < p.classes.length; k++) probs[p.classes[k]!] = out[k]!;
      result.probability = probs;
      result.confidence = out[best]!;
      explainOutput = model.nOutputs === 1 ? 0 : best;
    }
  }
  if (options.explain === true) Object.assign(result, explainRow(p, explainOutput));
  return result;
}

/** The top contributions of the current row (`p.row`) to raw output `k`. */
function explainRow(p: Predictor, k: number): { contributions: Contribution[]; expected_value: number } {
  const { model } = p.loaded.bundle;
  const x = featureMatrix(1, p.names, Float64Array.from(p.row));
  const e = model.explain(x);
  const base = k * e.nFeatures;
  const order = Array.from({ length: e.nFeatures }, (_, f) => f)
    .filter((f) => e.values[base + f] !== 0)
    .sort((a, b) => Math.abs(e.values[base + b]!) - Math.abs(e.values[base + a]!))
    .slice(0, TOP_CONTRIBUTIONS);
  return {
    contributions: order.map((f) => ({ name: e.featureNames[f]!, value: e.values[base + f]! })),
    expected_value: e.expectedValue[k]!,
  };
}
