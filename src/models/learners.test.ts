import { describe, expect, it } from "vitest";
import { isSluiceError } from "../errors.js";
import type { ModelConfig } from "../project/config.js";
import { ModelParams } from "../project/schema.js";
import { createLearner, learnerFor } from "./learners.js";
import { featureMatrix } from "../features/matrix.js";

const binary = { task: "classification" as const, classes: ["no", "yes"] };
const regression = { task: "regression" as const };

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected an error");
}

describe("createLearner", () => {
  it("makes the learner of each kind with the candidate's parameters", () => {
    const configs: ModelConfig[] = [
      { name: "a", kind: "logistic_regression", params: ModelParams.logistic_regression.parse({ C: 0.5 }) },
      { name: "b", kind: "random_forest", params: ModelParams.random_forest.parse({ trees: 7 }) },
      {
        name: "c",
        kind: "gradient_boosting",
        params: ModelParams.gradient_boosting.parse({ num_leaves: 9 }),
      },
    ];
    const learners = configs.map((c) => createLearner(c, binary));
    expect(learners.map((l) => l.kind)).toEqual([
      "logistic_regression",
      "random_forest",
      "gradient_boosting",
    ]);
    expect(learners[0]!.params).toMatchObject({ C: 0.5 });
    expect(learners[1]!.params).toMatchObject({ trees: 7 });
    expect(learners[2]!.params).toMatchObject({ num_leaves: 9 });
    const ridge = createLearner(
      { name: "r", kind: "ridge", params: ModelParams.ridge.parse({ alpha: 3 }) },
      regression,
    );
    expect(ridge.kind).toBe("ridge");
    expect(ridge.target).toEqual(regression);
  });

  it("refuses a kind that cannot learn the task, naming the candidate and an alternative", () => {
    const err = thrown(() =>
      createLearner({ name: "lin", kind: "ridge", params: ModelParams.ridge.parse({}) }, binary),
    );
    expect(isSluiceError(err, "E_USAGE")).toBe(true);
    expect((err as Error).message).toBe(
      'model "lin": ridge cannot learn a classification target; use logistic_regression, random_forest or gradient_boosting',
    );
    const err2 = thrown(() =>
      createLearner(
        { name: "lr", kind: "logistic_regression", params: ModelParams.logistic_regression.parse({}) },
        regression,
      ),
    );
    expect((err2 as Error).message).toMatch(
      /logistic_regression cannot learn a regression target; use ridge/,
    );
  });

  it("refuses parameters that do not fit the kind's schema, naming the parameter", () => {
    const err = thrown(() => learnerFor("gradient_boosting", { num_leaves: 1 }, binary));
    expect(isSluiceError(err, "E_USAGE")).toBe(true);
    expect((err as Error).message).toMatch(/num_leaves/);
  });

  it("gives learners that fit", async () => {
    const X = featureMatrix(6, ["x"], Float64Array.from([0, 1, 2, 3, 4, 5]));
    const model = await learnerFor("ridge", {}, regression).fit(X, Float64Array.from([1, 3, 5, 7, 9, 11]));
    expect(model.predict(featureMatrix(1, ["x"], Float64Array.from([10])))[0]).toBeCloseTo(20, 0);
  });
});
