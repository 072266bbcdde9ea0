/**
 * The Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio & Kégl 2011, "Algorithms for
 * Hyper-Parameter Optimization"), univariate, as hyperopt and Optuna implement it:
 *
 * 1. Until `startupTrials` trials are observed, propose uniformly at random.
 * 2. Otherwise sort the observed trials by loss and split them at the γ-quantile into a good
 *    group (the best ⌈γ·n⌉, at most 25) and a bad group.
 * 3. Per dimension, fit a Parzen estimator l(x) to the good values and g(x) to the bad ones
 *    (in log space for log dimensions; smoothed counts for categorical ones).
 * 4. Draw `candidates` points from l and propose the one with the largest l(x)/g(x), the point
 *    of largest expected improvement under the model.
 *
 * Proposals are a pure function of the observations and the generator, so a seeded search is
 * reproducible.
 */
import type { Random } from "../data/random.js";
import { categoricalWeights, fitParzen, logPdfParzen, sampleParzen, type Parzen } from "./parzen.js";
import {
  choiceIndex,
  fromInternal,
  internalRange,
  sampleUniform,
  toInternal,
  type SearchSpace,
  type TrialParams,
} from "./space.js";

/** Settings of the TPE sampler. */
export interface TpeOptions {
  /** Trials proposed at random before the model takes over. */
  startupTrials: number;
  /** Share of observed trials in the good group. */
  gamma: number;
  /** Points drawn from l(x) per proposal; the best l/g wins. */
  candidates: number;
  /** Weight of each estimator's prior component, against 1 per observation. */
  priorWeight: number;
}

export const DEFAULT_TPE: TpeOptions = { startupTrials: 10, gamma: 0.25, candidates: 24, priorWeight: 1 };

/** A finished trial as the sampler sees it. */
export interface Observation {
  params: TrialParams;
  /** Smaller is better. NaN or +Infinity (a pruned or failed trial) counts as worst. */
  loss: number;
}

/** How many trials fall in the good group out of `n`. */
export function goodCount(n: number, gamma: number): number {
  return Math.min(25, Math.max(1, Math.ceil(gamma * n)), Math.max(1, n - 1));
}

type Estimator =
  { type: "numeric"; l: Parzen; g: Parzen } | { type: "categorical"; l: Float64Array; g: Float64Array };

/**
 * Propose the next trial's parameters.
 *
 * @example
 * const params = proposeTpe(space, done.map((t) => ({ params: t.params, loss: -t.score })), Random.derive(seed, "tpe:12"));
 */
export function proposeTpe(
  space: SearchSpace,
  observations: readonly Observation[],
  rng: Random,
  options: Partial<TpeOptions> = {},
): TrialParams {
  const o = { ...DEFAULT_TPE, ...options };
  if (observations.length < Math.max(2, o.startupTrials)) return sampleUniform(space, rng);

  const ranked = observations
    .map((obs, i) => ({ obs, i, loss: Number.isNaN(obs.loss) ? Infinity : obs.loss }))
    .sort((a, b) => (a.loss === b.loss ? a.i - b.i : a.loss < b.loss ? -1 : 1));
  const nGood = goodCount(ranked.length, o.gamma);
  const good = ranked.slice(0, nGood).map((r) => r.obs.params);
  const bad = ranked.slice(nGood).map((r) => r.obs.params);

  const names = Object.keys(space);
  const estimators: Estimator[] = names.map((name) => {
    const dim = space[name]!;
    if (dim.type === "categorical") {
      const idx = (group: TrialParams[]) =>
        group.map((p) => choiceIndex(dim, p[name] ?? null)).filter((i) => i >= 0);
      return {
        type: "categorical",
        l: categoricalWeights(idx(good), dim.choices.length, o.priorWeight),
        g: categoricalWeights(idx(bad), dim.choices.length, o.priorWeight),
      };
    }
    const r = internalRange(dim);
    const values = (group: TrialParams[]) =>
      group
        .map((p) => p[name])
        .filter((v): v is number => typeof v === "number")
        .map((v) => toInternal(dim, v));
    return {
      type: "numeric",
      l: fitParzen(values(good), r.low, r.high, o.priorWeight),
      g: fitParzen(values(bad), r.low, r.high, o.priorWeight),
    };
  });

  let best: TrialParams | undefined;
  let bestScore = -Infinity;
  for (let c = 0; c < Math.max(1, o.candidates); c++) {
    const params: TrialParams = {};
    let score = 0;
    for (let d = 0; d < names.length; d++) {
      const dim = space[names[d]!]!;
      const est = estimators[d]!;
      if (est.type === "categorical" && dim.type === "categorical") {
        const k = rng.choice(est.l);
        params[names[d]!] = dim.choices[k]!;
        score += Math.log(est.l[k]!) - Math.log(est.g[k]!);
      } else if (est.type === "numeric" && dim.type !== "categorical") {
        const u = sampleParzen(est.l, rng);
        params[names[d]!] = fromInternal(dim, u);
        score += logPdfParzen(est.l, u) - logPdfParzen(est.g, u);
      }
    }
    if (best === undefined || score > bestScore) {
      best = params;
      bestScore = score;
    }
  }
  return best!;
}
