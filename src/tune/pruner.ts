/**
 * The median pruner (Golovin et al. 2017, "Google Vizier"; Optuna's MedianPruner) on learning
 * curves. A trial reports its validation loss after every iteration; once past a warm-up, it is
 * stopped when the best loss it has reached so far is worse than the median, at the same
 * iteration, of the best losses earlier finished trials had reached by then.
 *
 * "By then" uses each reference curve's running minimum, carried past its end: a trial that
 * stopped early (early stopping, fewer trees) keeps counting with the best it reached, so a
 * fast-converging configuration does not drop out of the comparison.
 *
 * The reference is built once, before a trial starts, from trials that are already finished,
 * so it is plain data a worker thread can take and the decision never depends on timing.
 */
import { exceedsBound, type LossBound } from "../models/fit-worker-bound.js";

/** Settings of the median pruner. */
export interface PrunerOptions {
  /** Finished trials needed before any trial is pruned. */
  startupTrials: number;
  /** Iterations a trial always runs before it may be pruned. */
  warmupSteps: number;
}

/**
 * What a trial needs to decide, by itself, whether to stop: the median best-so-far loss of the
 * reference trials at each iteration (0-based), and the warm-up.
 */
export type PruneReference = LossBound;

/**
 * The reference for a new trial, or undefined when too few trials have finished.
 *
 * @param curves the validation-loss curves (one value per iteration) of finished, unpruned trials
 */
export function pruneReference(
  curves: readonly ArrayLike<number>[],
  options: PrunerOptions,
): PruneReference | undefined {
  const usable = curves.filter((c) => c.length > 0);
  if (usable.length < Math.max(1, options.startupTrials)) return undefined;
  const running = usable.map((c) => {
    const r = new Float64Array(c.length);
    let best = Infinity;
    for (let i = 0; i < c.length; i++) {
      const v = c[i]!;
      if (v < best) best = v; // NaN never compares smaller, so it never becomes the best
      r[i] = best;
    }
    return r;
  });
  let steps = 0;
  for (const r of running) steps = Math.max(steps, r.length);
  const medians = new Float64Array(steps);
  const column = new Float64Array(running.length);
  for (let s = 0; s < steps; s++) {
    for (let t = 0; t < running.length; t++) {
      const r = running[t]!;
      column[t] = r[Math.min(s, r.length - 1)]!;
    }
    medians[s] = median(column);
  }
  return { medians, warmupSteps: options.warmupSteps };
}

/** The median of finite values (NaN when there are none). */
function median(values: Float64Array): number {
  const finite = Array.from(values).filter(Number.isFinite);
  if (finite.length === 0) return NaN;
  finite.sort((a, b) => a - b);
  const mid = finite.length >> 1;
  return finite.length % 2 === 1 ? finite[mid]! : 0.5 * (finite[mid - 1]! + finite[mid]!);
}

/**
 * Whether a trial whose best loss so far is `bestLoss` after iteration `step` (0-based) should
 * stop. Past the last reference iteration, the last median holds.
 */
export function shouldPrune(reference: PruneReference, step: number, bestLoss: number): boolean {
  return exceedsBound(reference, step, bestLoss);
}
