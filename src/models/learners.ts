/**
 * From a candidate in the project file to a learner: one switch over the model kinds, and the
 * check that a kind fits the task (the project file checks it too, but a library caller may
 * build a ModelConfig by hand).
 */
import { SluiceError } from "../errors.js";
import type { ModelConfig } from "../project/config.js";
import { ModelParams, type ModelKind, type ModelParamsByKind } from "../project/schema.js";
import { RandomForestLearner } from "./forest/learner.js";
import { GradientBoostingLearner } from "./gbdt/learner.js";
import { LogisticRegressionLearner } from "./linear/logistic.js";
import { RidgeLearner } from "./linear/ridge.js";
import type { Learner, TargetInfo, Task } from "./types.js";

/** The tasks each kind can learn. */
export const KIND_TASKS: Readonly<Record<ModelKind, readonly Task[]>> = {
  logistic_regression: ["classification"],
  ridge: ["regression"],
  random_forest: ["classification", "regression"],
  gradient_boosting: ["classification", "regression"],
};

function checkTask(kind: ModelKind, target: TargetInfo): void {
  if (KIND_TASKS[kind].includes(target.task)) return;
  const alternative = target.task === "regression" ? "ridge" : "logistic_regression";
  throw new SluiceError(
    "E_USAGE",
    `${kind} cannot learn a ${target.task} target; use ${alternative}, random_forest or gradient_boosting`,
    {
      details: { kind, task: target.task },
      hint: `change the candidate's kind to ${alternative}`,
    },
  );
}

/**
 * A learner of `kind` with `params` (checked and defaulted against the kind's schema).
 *
 * @throws SluiceError E_USAGE when the kind does not fit the task or a parameter is invalid
 */
export function learnerFor(kind: ModelKind, params: unknown, target: TargetInfo): Learner {
  if (!(kind in KIND_TASKS))
    throw new SluiceError("E_USAGE", `unknown model kind "${String(kind)}"`, {
      details: { kind },
      hint: `the kinds are: ${Object.keys(KIND_TASKS).join(", ")}`,
    });
  checkTask(kind, target);
  const parsed = ModelParams[kind].safeParse(params ?? {});
  if (!parsed.success)
    throw new SluiceError(
      "E_USAGE",
      `invalid ${kind} parameters: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(params)"}: ${i.message}`).join("; ")}`,
      { details: { kind, params } },
    );
  switch (kind) {
    case "logistic_regression":
      return new LogisticRegressionLearner(parsed.data as ModelParamsByKind["logistic_regression"], target);
    case "ridge":
      return new RidgeLearner(parsed.data as ModelParamsByKind["ridge"], target);
    case "random_forest":
      return new RandomForestLearner(parsed.data as ModelParamsByKind["random_forest"], target);
    case "gradient_boosting":
      return new GradientBoostingLearner(parsed.data as ModelParamsByKind["gradient_boosting"], target);
  }
}

/**
 * The learner of a model candidate from the project file.
 *
 * @throws SluiceError E_USAGE when the candidate's kind does not fit the task
 * @example
 * const learner = createLearner(project.config.models[0], { task: "classification", classes: ["0", "1"] });
 * const model = await learner.fit(X, y, { seed: 42 });
 */
export function createLearner(config: ModelConfig, target: TargetInfo): Learner {
  try {
    return learnerFor(config.kind, config.params, target);
  } catch (err) {
    if (err instanceof SluiceError && err.code === "E_USAGE")
      throw new SluiceError("E_USAGE", `model "${config.name}": ${err.message}`, {
        details: { ...err.details, model: config.name },
        ...(err.hint === undefined ? {} : { hint: err.hint }),
      });
    throw err;
  }
}
