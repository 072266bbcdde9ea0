/**
 * Logistic regression on the IBM Telco churn file (7,043 customers), when it is present beside
 * the repository, against scikit-learn on the same split and features.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ModelParams } from "../../project/schema.js";
import { LogisticRegressionLearner } from "./logistic.js";
import { TELCO, prepareTelco, rocAuc } from "./test-utils/real-data.js";

const reference = JSON.parse(
  readFileSync(new URL("./fixtures/telco-logistic.json", import.meta.url), "utf8"),
) as { testRocAuc: number; nFeatures: number };

describe("logistic regression on Telco churn", () => {
  it.skipIf(!TELCO.exists)(
    "reaches scikit-learn's test ROC AUC within 0.002 (needs ../shared/data/WA_Fn-UseC_-Telco-Customer-Churn.csv)",
    async () => {
      const data = await prepareTelco();
      expect(data.train.X.nCols).toBe(reference.nFeatures);
      for (const solver of ["lbfgs", "newton"] as const) {
        const learner = new LogisticRegressionLearner(ModelParams.logistic_regression.parse({ solver }), {
          task: "classification",
          classes: data.classes!,
        });
        const model = await learner.fit(data.train.X, data.train.y);
        const proba = model.predictProba(data.test.X);
        const score = Float64Array.from({ length: data.test.X.nRows }, (_, i) => proba[2 * i + 1]!);
        const auc = rocAuc(data.test.y, score);
        expect(
          Math.abs(auc - reference.testRocAuc),
          `${solver}: ${auc} vs ${reference.testRocAuc}`,
        ).toBeLessThan(0.002);
      }
    },
  );
});
