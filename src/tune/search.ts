/**
 * Hyper-parameter search: propose trials (random or TPE), run them several at a time, prune the
 * ones whose learning curves fall behind, and return every trial with the best one.
 *
 * Parallel trials and reproducibility: trial i is proposed from — and pruned against — exactly
 * the trials 0 … i − LAG, and it only starts once those have finished. What a trial sees is
 * therefore fixed by its index, not by which trials happened to finish first, so the same seed
 * gives the same trials with 1, 2 or 8 trials running at once. LAG bounds the useful
 * parallelism (at most LAG trials overlap); it is a constant, never derived from the thread
 * count, because the results depend on it.
 */
import { Random } from "../data/random.js";
import { SluiceError } from "../errors.js";
import type { ProgressStep } from "../util/progress.js";
import { pruneReference, type PruneReference, type PrunerOptions } from "./pruner.js";
import { sampleUniform, type SearchSpace, type TrialParams } from "./space.js";
import { proposeTpe, type Observation, type TpeOptions } from "./tpe.js";

/** Trial i sees trials 0 … i − PROPOSAL_LAG (see the file comment). */
export const PROPOSAL_LAG = 4;

/** What to search and how. */
export interface SearchSettings {
  method: "tpe" | "random";
  trials: number;
  space: SearchSpace;
  seed: number;
  /** Whether a larger score is better (roc_auc) or a smaller one (rmse). */
  higherIsBetter: boolean;
  /** Stop starting new trials after this many milliseconds; running trials finish. */
  timeoutMs?: number;
  /** Stop trials whose learning curves fall behind the median. */
  prune: boolean;
  tpe?: Partial<TpeOptions>;
  pruner?: Partial<PrunerOptions>;
}

export const DEFAULT_PRUNER: PrunerOptions = { startupTrials: 4, warmupSteps: 10 };

/** What a trial is given. */
export interface TrialSpec {
  index: number;
  params: TrialParams;
  /** Present when the trial may be pruned. */
  pruning?: PruneReference;
}

/** What a trial reports back. */
export interface TrialOutcome {
  /** The objective (the `select` metric on the validation rows). NaN when it cannot be computed. */
  score: number;
  /** Iterations fitted (trees kept after early stopping, solver steps). */
  iterations: number;
  pruned: boolean;
  /** Wall time of the trial. */
  seconds: number;
  /** Validation loss after each iteration (empty when the learner reports none). */
  curve: Float64Array;
}

/** One trial of a finished search. */
export interface TrialResult extends TrialOutcome {
  index: number;
  params: TrialParams;
}

export interface SearchResult {
  method: "tpe" | "random";
  trials: TrialResult[];
  /** The best unpruned trial with a finite score (lowest index on ties). */
  best: TrialResult | undefined;
  seconds: number;
  /** True when the timeout stopped new trials from starting. */
  timedOut: boolean;
}

/** Options for {@link runSearch}. */
export interface RunSearchOptions {
  /** Trials running at once (useful up to {@link PROPOSAL_LAG}). */
  parallel?: number;
  /** Reports trials done of the total. */
  progress?: ProgressStep;
  signal?: AbortSignal;
}

/**
 * Random trials before TPE takes over: a quarter of the budget, between 4 and 10 (Optuna's
 * fixed 10 would leave a 20-trial search only a few model-guided trials).
 */
export function defaultStartupTrials(trials: number): number {
  return Math.min(10, Math.max(4, Math.ceil(trials / 4)));
}

/** The loss the sampler minimises for a score. */
function lossOf(t: TrialResult, higherIsBetter: boolean): number {
  if (t.pruned || !Number.isFinite(t.score)) return Infinity;
  return higherIsBetter ? -t.score : t.score;
}

/** The best unpruned trial (lowest index on ties). */
export function bestTrial(trials: readonly TrialResult[], higherIsBetter: boolean): TrialResult | undefined {
  let best: TrialResult | undefined;
  for (const t of trials) {
    const loss = lossOf(t, higherIsBetter);
    if (loss === Infinity) continue;
    if (best === undefined || loss < lossOf(best, higherIsBetter)) best = t;
  }
  return best;
}

/**
 * Run a search. `evaluate` fits and scores one trial; it is called with at most `parallel`
 * trials in flight.
 *
 * @throws SluiceError E_ABORTED when `signal` aborts; the first error a trial throws otherwise.
 * @example
 * const result = await runSearch(
 *   { method: "tpe", trials: 30, space, seed: 42, higherIsBetter: true, prune: true },
 *   (trial) => fitAndScore(trial.params, trial.pruning),
 *   { parallel: 2 },
 * );
 * result.best?.params; // { num_leaves: 23, learning_rate: 0.061 }
 */
export async function runSearch(
  settings: SearchSettings,
  evaluate: (trial: TrialSpec) => Promise<TrialOutcome>,
  options: RunSearchOptions = {},
): Promise<SearchResult> {
  const parallel = Math.max(1, Math.floor(options.parallel ?? 1));
  const pruner: PrunerOptions = { ...DEFAULT_PRUNER, ...settings.pruner };
  const tpe: Partial<TpeOptions> = { startupTrials: defaultStartupTrials(settings.trials), ...settings.tpe };
  const started = performance.now();
  const results: (TrialResult | undefined)[] = [];
  let finishedPrefix = 0; // trials 0 … finishedPrefix-1 have all finished
  let finished = 0;
  let next = 0;
  let running = 0;
  let timedOut = false;

  const propose = (i: number): TrialSpec => {
    const visible = results.slice(0, Math.max(0, i - PROPOSAL_LAG + 1)) as TrialResult[];
    const rng = Random.derive(settings.seed, `trial:${i}`);
    const observations: Observation[] = visible.map((t) => ({
      params: t.params,
      loss: lossOf(t, settings.higherIsBetter),
    }));
    const params =
      settings.method === "tpe"
        ? proposeTpe(settings.space, observations, rng, tpe)
        : sampleUniform(settings.space, rng);
    const pruning = settings.prune
      ? pruneReference(
          visible.filter((t) => !t.pruned).map((t) => t.curve),
          pruner,
        )
      : undefined;
    return {
      index: i,
      params,
      ...(pruning === undefined ? {} : { pruning }),
    };
  };

  await new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (err: unknown): void => {
      if (failed) return;
      failed = true;
      reject(err instanceof Error ? err : new Error(String(err)));
    };
    const onAbort = (): void =>
      fail(
        new SluiceError("E_ABORTED", `the search was stopped after ${finished} of ${settings.trials} trials`),
      );
    if (options.signal?.aborted === true) return onAbort();
    options.signal?.addEventListener("abort", onAbort, { once: true });

    const pump = (): void => {
      if (failed) return;
      if (
        settings.timeoutMs !== undefined &&
        next < settings.trials &&
        performance.now() - started > settings.timeoutMs
      )
        timedOut = true;
      while (
        !timedOut &&
        running < parallel &&
        next < settings.trials &&
        finishedPrefix >= next - PROPOSAL_LAG + 1
      ) {
        const spec = propose(next);
        next++;
        running++;
        const t0 = performance.now();
        evaluate(spec).then(
          (outcome) => {
            running--;
            results[spec.index] = {
              index: spec.index,
              params: spec.params,
              ...outcome,
              seconds: outcome.seconds > 0 ? outcome.seconds : (performance.now() - t0) / 1000,
            };
            finished++;
            while (results[finishedPrefix] !== undefined) finishedPrefix++;
            options.progress?.update(finished, settings.trials);
            pump();
          },
          (err: unknown) => {
            running--;
            fail(err);
          },
        );
      }
      if (running === 0 && (timedOut || next >= settings.trials)) {
        options.signal?.removeEventListener("abort", onAbort);
        resolve();
      }
    };
    pump();
  });

  const trials = results.filter((t): t is TrialResult => t !== undefined);
  return {
    method: settings.method,
    trials,
    best: bestTrial(trials, settings.higherIsBetter),
    seconds: (performance.now() - started) / 1000,
    timedOut,
  };
}
