/**
 * Search spaces: the `search.space` of a model candidate, normalised by the project file into
 * int / float ranges (optionally log-scaled) and categorical choices.
 *
 * Samplers work in an internal coordinate per numeric dimension: the value itself, or its
 * logarithm for log dimensions. Integer ranges widen by half a step on each side, so that after
 * rounding every integer in [low, high] owns an interval of the same width (as Optuna does);
 * uniform draws in that coordinate then give uniform integers.
 */
import type { Random } from "../data/random.js";
import type { SearchDimension } from "../project/schema.js";

/** A search space: parameter name → dimension, in the order the project file lists them. */
export type SearchSpace = Readonly<Record<string, SearchDimension>>;

/** A value a trial gives a parameter. */
export type ParamValue = string | number | boolean | null;

/** The parameters a trial tries (only the searched ones). */
export type TrialParams = Record<string, ParamValue>;

/** A numeric dimension's range in the internal coordinate. */
export interface InternalRange {
  low: number;
  high: number;
}

/** The internal range of a numeric dimension (see the file comment). */
export function internalRange(dim: Exclude<SearchDimension, { type: "categorical" }>): InternalRange {
  const pad = dim.type === "int" ? 0.5 : 0;
  const low = dim.low - pad;
  const high = dim.high + pad;
  return dim.log ? { low: Math.log(low), high: Math.log(high) } : { low, high };
}

/** The parameter value of internal coordinate `u`: exponentiated, rounded and kept in range. */
export function fromInternal(dim: Exclude<SearchDimension, { type: "categorical" }>, u: number): number {
  let x = dim.log ? Math.exp(u) : u;
  if (dim.type === "int") x = Math.round(x);
  // exp/log round trips and the half-step padding can land a hair outside the declared range.
  return Math.min(dim.high, Math.max(dim.low, x));
}

/** The internal coordinate of a parameter value. */
export function toInternal(dim: Exclude<SearchDimension, { type: "categorical" }>, x: number): number {
  return dim.log ? Math.log(x) : x;
}

/** Index of `value` among a categorical dimension's choices (-1 when absent). */
export function choiceIndex(
  dim: Extract<SearchDimension, { type: "categorical" }>,
  value: ParamValue,
): number {
  for (let i = 0; i < dim.choices.length; i++) if (dim.choices[i] === value) return i;
  return -1;
}

/**
 * A uniform draw from the space: uniform in the internal coordinate of each numeric dimension
 * (so log-uniform for log dimensions), uniform over choices for categorical ones.
 *
 * @example
 * sampleUniform({ num_leaves: { type: "int", low: 7, high: 63, log: false } }, new Random(1));
 * // { num_leaves: 34 }
 */
export function sampleUniform(space: SearchSpace, rng: Random): TrialParams {
  const out: TrialParams = {};
  for (const [name, dim] of Object.entries(space)) {
    if (dim.type === "categorical") out[name] = dim.choices[rng.int(dim.choices.length)]!;
    else {
      const r = internalRange(dim);
      out[name] = fromInternal(dim, rng.uniform(r.low, r.high));
    }
  }
  return out;
}

/** `num_leaves=31, learning_rate=0.0523`: a trial's parameters for tables and messages. */
export function formatTrialParams(params: TrialParams): string {
  return Object.entries(params)
    .map(
      ([k, v]) =>
        `${k}=${typeof v === "number" && !Number.isInteger(v) ? Number(v.toPrecision(3)) : String(v)}`,
    )
    .join(", ");
}
