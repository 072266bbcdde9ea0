/**
 * The stopping rule a fit job carries for pruning: plain data, so it crosses to a worker thread
 * and the decision needs no round trip to the thread that runs the search.
 */

/**
 * "Stop when the best validation loss so far is above this curve": how a search prunes a trial
 * without talking to it. `bound[s]` applies after iteration s (0-based; the last value holds
 * beyond the end), from iteration `warmupSteps` on.
 */
export interface LossBound {
  medians: Float64Array;
  warmupSteps: number;
}

/** Whether a best loss of `bestLoss` after iteration `step` is above the bound. */
export function exceedsBound(bound: LossBound, step: number, bestLoss: number): boolean {
  if (step < bound.warmupSteps || bound.medians.length === 0) return false;
  const m = bound.medians[Math.min(step, bound.medians.length - 1)]!;
  return Number.isFinite(m) && bestLoss > m;
}
