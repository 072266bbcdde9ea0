/**
 * One-dimensional Parzen estimators for TPE: a mixture of normals truncated to [low, high], one
 * per observation plus a wide prior component, with the adaptive bandwidths of Bergstra et al.
 * (2011) as hyperopt and Optuna compute them: each point's sigma is the larger distance to its
 * neighbours, clipped to [range / min(100, 1 + n), range].
 */
import type { Random } from "../data/random.js";

/** A truncated Gaussian mixture on [low, high]. */
export interface Parzen {
  readonly low: number;
  readonly high: number;
  readonly mus: Float64Array;
  readonly sigmas: Float64Array;
  /** Mixture weights, summing to 1. */
  readonly weights: Float64Array;
  /** log of each component's mass inside [low, high] (its truncation normaliser). */
  readonly logMass: Float64Array;
}

/** erfc(x), fractional error < 1.2e-7 everywhere (Numerical Recipes' Chebyshev fit). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** The standard normal CDF. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Fit a Parzen estimator to `values` (internal coordinates inside [low, high]).
 *
 * @param priorWeight weight of the prior component (centred, sigma = the whole range), against 1
 *   per observation; it keeps the estimator proper with few observations.
 */
export function fitParzen(values: readonly number[], low: number, high: number, priorWeight: number): Parzen {
  const range = high - low;
  const priorMu = 0.5 * (low + high);
  const n = values.length + 1;
  // Sorted positions with the prior inserted where it falls, as the bandwidth rule needs neighbours.
  const order = values
    .map((v, i) => ({ v, i }))
    .sort((a, b) => a.v - b.v || a.i - b.i)
    .map((o) => o.v);
  let priorAt = 0;
  while (priorAt < order.length && order[priorAt]! < priorMu) priorAt++;
  const mus = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0, j = 0; i < n; i++) {
    if (i === priorAt) {
      mus[i] = priorMu;
      weights[i] = priorWeight;
    } else {
      mus[i] = order[j++]!;
      weights[i] = 1;
    }
  }
  const sigmas = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const left = mus[i]! - (i === 0 ? low : mus[i - 1]!);
    const right = (i === n - 1 ? high : mus[i + 1]!) - mus[i]!;
    sigmas[i] = Math.max(left, right);
  }
  // The outermost points measure to their inner neighbour only (Optuna's consider_endpoints=False).
  if (n >= 2) {
    sigmas[0] = mus[1]! - mus[0]!;
    sigmas[n - 1] = mus[n - 1]! - mus[n - 2]!;
  }
  sigmas[priorAt] = range;
  const minSigma = range / Math.min(100, 1 + n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    sigmas[i] = Math.min(range, Math.max(minSigma, sigmas[i]!));
    total += weights[i]!;
  }
  const logMass = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    weights[i] = weights[i]! / total;
    const mass = normalCdf((high - mus[i]!) / sigmas[i]!) - normalCdf((low - mus[i]!) / sigmas[i]!);
    logMass[i] = Math.log(Math.max(mass, 1e-300));
  }
  return { low, high, mus, sigmas, weights, logMass };
}

/** A draw from the estimator (a component by weight, then its truncated normal by rejection). */
export function sampleParzen(p: Parzen, rng: Random): number {
  const c = rng.choice(p.weights);
  const mu = p.mus[c]!;
  const sigma = p.sigmas[c]!;
  // Every component's centre lies in [low, high], so at least a third of its mass is inside
  // and rejection ends quickly; the cap only guards against a pathological range.
  for (let tries = 0; tries < 1000; tries++) {
    const x = rng.normal(mu, sigma);
    if (x >= p.low && x <= p.high) return x;
  }
  return Math.min(p.high, Math.max(p.low, mu));
}

/** log density of the estimator at `x`. */
export function logPdfParzen(p: Parzen, x: number): number {
  let max = -Infinity;
  const n = p.mus.length;
  // log-sum-exp over components, in two passes to stay finite far from every centre.
  for (let i = 0; i < n; i++) {
    const z = (x - p.mus[i]!) / p.sigmas[i]!;
    const t = Math.log(p.weights[i]!) - 0.5 * z * z - Math.log(p.sigmas[i]!) - LOG_SQRT_2PI - p.logMass[i]!;
    if (t > max) max = t;
  }
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const z = (x - p.mus[i]!) / p.sigmas[i]!;
    const t = Math.log(p.weights[i]!) - 0.5 * z * z - Math.log(p.sigmas[i]!) - LOG_SQRT_2PI - p.logMass[i]!;
    sum += Math.exp(t - max);
  }
  return max + Math.log(sum);
}

/** Smoothed choice probabilities: the prior weight spread evenly plus 1 per observation. */
export function categoricalWeights(
  indices: readonly number[],
  nChoices: number,
  priorWeight: number,
): Float64Array {
  const w = new Float64Array(nChoices).fill(priorWeight / nChoices);
  for (const i of indices) w[i] = w[i]! + 1;
  let total = 0;
  for (let i = 0; i < nChoices; i++) total += w[i]!;
  for (let i = 0; i < nChoices; i++) w[i] = w[i]! / total;
  return w;
}
