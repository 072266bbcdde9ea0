/**
 * Random forests on the IBM Telco churn and California housing files, when they are present
 * beside the repository, against scikit-learn's RandomForest on the same split and features
 * (100 trees, max_depth 10; scripts/fixtures/models_forest_real.py).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ModelParams } from "../../project/schema.js";
import { HOUSING, TELCO, prepareHousing, prepareTelco, rocAuc } from "../linear/test-utils/real-data.js";
import { RandomForestLearner } from "./learner.js";
import type { RandomForestModel } from "./model.js";

const reference = JSON.parse(
  readFileSync(new URL("./fixtures/real-reference.json", import.meta.url), "utf8"),
) as {
  telco: { testRocAuc: number; oobAccuracy: number };
  housing: { testRmse: number; oobR2: number };
};
const params = ModelParams.random_forest.parse({ trees: 100, max_depth: 10, oob_score: true });

describe("random forest on real data", () => {
  it.skipIf(!TELCO.exists)(
    "reaches scikit-learn's Telco ROC AUC within 0.005 and its out-of-bag accuracy within 0.01 (needs ../shared/data/WA_Fn-UseC_-Telco-Customer-Churn.csv)",
    async () => {
      const data = await prepareTelco();
      const model = (await new RandomForestLearner(params, {
        task: "classification",
        classes: data.classes!,
      }).fit(data.train.X, data.train.y, { threads: 2 })) as RandomForestModel;
      const proba = model.predictProba(data.test.X);
      const auc = rocAuc(
        data.test.y,
        Float64Array.from({ length: data.test.X.nRows }, (_, i) => proba[2 * i + 1]!),
      );
      expect(Math.abs(auc - reference.telco.testRocAuc), `AUC ${auc}`).toBeLessThan(0.005);
      expect(Math.abs(model.oobScore! - reference.telco.oobAccuracy), `OOB ${model.oobScore}`).toBeLessThan(
        0.01,
      );
    },
  );

  it.skipIf(!HOUSING.exists)(
    "reaches scikit-learn's housing RMSE within 2% and its out-of-bag R² within 0.01 (needs ../shared/data/housing.csv)",
    async () => {
      const data = await prepareHousing();
      const model = (await new RandomForestLearner(params, { task: "regression" }).fit(
        data.train.X,
        data.train.y,
        {
          threads: 2,
        },
      )) as RandomForestModel;
      const pred = model.predict(data.test.X);
      let se = 0;
      for (let i = 0; i < pred.length; i++) se += (pred[i]! - data.test.y[i]!) ** 2;
      const rmse = Math.sqrt(se / pred.length);
      expect(Math.abs(rmse / reference.housing.testRmse - 1), `RMSE ${rmse}`).toBeLessThan(0.02);
      expect(Math.abs(model.oobScore! - reference.housing.oobR2), `OOB ${model.oobScore}`).toBeLessThan(0.01);
    },
  );
});
