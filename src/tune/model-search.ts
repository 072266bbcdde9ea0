/**
 * A candidate's hyper-parameter search: each trial fits the candidate with the trial's
 * parameters on the training rows, watching the validation rows (early stopping, the learning
 * curve the pruner reads), and is scored on the validation rows with the project's `select`
 * metric. Trials run on the workers of a {@link FitPool}.
 */
import { SluiceError } from "../errors.js";
import type { FitPool } from "../models/fit-worker-pool.js";
import { takeValues } from "../models/fit-worker-job.js";
import type { TargetInfo } from "../models/types.js";
import type { ResolvedSearch } from "../project/config.js";
import { higherIsBetter, type MetricName } from "../project/metric-names.js";
import { ModelParams, type ModelKind, type ModelParamsByKind } from "../project/schema.js";
import type { ProgressStep } from "../util/progress.js";
import { scorePredictions } from "./score.js";
import { runSearch, type SearchResult, type SearchSettings } from "./search.js";
import type { TrialParams } from "./space.js";

type AnyParams = ModelParamsByKind[ModelKind];

/** Options for {@link searchModel}. */
export interface SearchModelOptions {
  /** Rows of the pool's data to fit trials on. */
  train: Int32Array;
  /** Rows to watch and score trials on. */
  validation: Int32Array;
  /** The metric trials are ranked by. */
  metric: MetricName;
  /** Code of the positive class of a binary target. */
  positive?: number;
  /** Seed of the proposals; every trial's fit uses it too, so trials differ by their parameters only. */
  seed: number;
  /** Trials at once (default: the pool's size). */
  parallel?: number;
  progress?: ProgressStep;
  signal?: AbortSignal;
}

/** A finished search and the parameters it settles on. */
export interface ModelSearchResult {
  search: SearchResult;
  /**
   * The full parameters of the best trial. For gradient boosting with early stopping, `trees`
   * is the number the best trial kept and early stopping is off, so a refit on more rows grows
   * exactly that many trees.
   */
  params: AnyParams;
}

/** The parameters of a trial: the candidate's, overridden by the trial's, checked. */
export function trialModelParams(kind: ModelKind, base: AnyParams, trial: TrialParams): AnyParams {
  const parsed = ModelParams[kind].safeParse({ ...base, ...trial });
  if (!parsed.success)
    throw new SluiceError(
      "E_CONFIG",
      `search trial parameters are invalid for ${kind}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
      { details: { kind, trial } },
    );
  return parsed.data;
}

/** How many iterations a fit plans (trees, solver steps), for the pruner's warm-up. */
export function plannedIterations(kind: ModelKind, params: AnyParams): number {
  if (kind === "gradient_boosting" || kind === "random_forest") return (params as { trees: number }).trees;
  if (kind === "logistic_regression") return (params as { max_iter: number }).max_iter;
  return 1;
}

/**
 * Gradient boosting with early stopping refitted without a validation set: fix the number of
 * trees to what early stopping kept, and switch early stopping off.
 */
export function fixIterations(kind: ModelKind, params: AnyParams, iterations: number): AnyParams {
  if (kind !== "gradient_boosting") return params;
  const p = params as ModelParamsByKind["gradient_boosting"];
  if (p.early_stopping_rounds === null) return params;
  return { ...p, trees: Math.max(1, iterations), early_stopping_rounds: null };
}

/**
 * Search a candidate's parameters.
 *
 * The pruner's warm-up is a tenth of the planned iterations (at least 5), so a trial is judged
 * on its learning curve only once it has had a fair start.
 *
 * @throws SluiceError E_ABORTED, E_CONFIG (a trial's parameters are invalid), the learner's errors
 * @example
 * const { params, search } = await searchModel(pool, "gradient_boosting", config.params, config.search, target, {
 *   train, validation, metric: "roc_auc", positive: 1, seed: 42,
 * });
 */
export async function searchModel(
  pool: FitPool,
  kind: ModelKind,
  base: AnyParams,
  search: ResolvedSearch,
  target: TargetInfo,
  options: SearchModelOptions,
): Promise<ModelSearchResult> {
  if (options.validation.length === 0)
    throw new SluiceError(
      "E_CONFIG",
      `a ${kind} search needs validation rows to score its trials, and there are none`,
      {
        hint: "set split.validation to a share such as 0.1, or remove the candidate's search section",
      },
    );
  const { data } = pool;
  const yValid = takeValues(data.y, options.validation);
  const wValid = data.weights === undefined ? undefined : takeValues(data.weights, options.validation);
  const warmupSteps = Math.max(5, Math.ceil(0.1 * plannedIterations(kind, base)));
  const settings: SearchSettings = {
    method: search.method,
    trials: search.trials,
    space: search.space,
    seed: options.seed,
    higherIsBetter: higherIsBetter(options.metric),
    prune: search.prune,
    pruner: { warmupSteps },
    ...(search.timeout === undefined ? {} : { timeoutMs: search.timeout }),
  };
  const result = await runSearch(
    settings,
    async (trial) => {
      const params = trialModelParams(kind, base, trial.params);
      const r = await pool.run(
        {
          kind,
          params,
          target,
          train: options.train,
          validation: options.validation,
          score: options.validation,
          seed: options.seed,
          threads: 1,
          ...(trial.pruning === undefined ? {} : { stopAbove: trial.pruning }),
        },
        options.signal === undefined ? {} : { signal: options.signal },
      );
      const scores = scorePredictions(target.task, yValid, r.predictions!, {
        metrics: [options.metric],
        ...(target.classes === undefined ? {} : { nClasses: target.classes.length }),
        ...(options.positive === undefined ? {} : { positive: options.positive }),
        ...(wValid === undefined ? {} : { weights: wValid }),
      });
      return {
        score: scores[options.metric]!,
        iterations: r.iterations,
        pruned: r.stopped,
        seconds: r.fitSeconds,
        curve: r.curve,
      };
    },
    {
      parallel: options.parallel ?? pool.parallel,
      ...(options.progress === undefined ? {} : { progress: options.progress }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    },
  );
  if (result.best === undefined)
    throw new SluiceError(
      "E_LABELS",
      `none of the ${result.trials.length} ${kind} search trials gave a ${options.metric} score on the validation rows`,
      {
        details: { trials: result.trials.length, metric: options.metric },
        hint:
          options.metric === "roc_auc" || options.metric === "pr_auc"
            ? "the validation rows may hold a single class: use a larger split.validation, or split.stratify: true"
            : "check the validation rows' labels and weights",
      },
    );
  const best = trialModelParams(kind, base, result.best.params);
  return { search: result, params: fixIterations(kind, best, result.best.iterations) };
}
