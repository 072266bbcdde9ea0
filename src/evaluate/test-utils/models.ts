/** Small real models on generated data, for the evaluation tests. */
import { featureMatrix, type FeatureMatrix } from "../../features/matrix.js";
import { learnerFor } from "../../models/learners.js";
import { BINARY, REGRESSION, synthetic, THREE } from "../../models/gbdt/test-utils/data.js";
import type { Labels, Model } from "../../models/types.js";

/** A fitted model with its held-out test rows. */
export interface Fitted {
  model: Model;
  X: FeatureMatrix;
  y: Labels;
}

function rows(X: FeatureMatrix, from: number, to: number): FeatureMatrix {
  const n = to - from;
  const data = new Float64Array(n * X.nCols);
  for (let j = 0; j < X.nCols; j++) data.set(X.data.subarray(j * X.nRows + from, j * X.nRows + to), j * n);
  return featureMatrix(n, X.names, data);
}

/** Missing values replaced by 0 (linear models refuse NaN). */
function filled(X: FeatureMatrix): FeatureMatrix {
  return featureMatrix(
    X.nRows,
    X.names,
    X.data.map((v) => (Number.isNaN(v) ? 0 : v)),
  );
}

type Kind = "gbdt-binary" | "gbdt-multiclass" | "gbdt-regression" | "logistic" | "ridge";

/** Fit a small model of `kind` on 1,200 generated rows; the last `test` rows are held out. */
export async function fitSmall(
  kind: Kind,
  options: { n?: number; test?: number; names?: string[] } = {},
): Promise<Fitted> {
  const n = options.n ?? 1200;
  const test = options.test ?? 400;
  const task =
    kind === "gbdt-multiclass"
      ? "multiclass"
      : kind === "gbdt-regression" || kind === "ridge"
        ? "regression"
        : "binary";
  const data = synthetic(n, task, 7);
  let X = options.names === undefined ? data.X : featureMatrix(n, options.names, data.X.data);
  if (kind === "logistic" || kind === "ridge") X = filled(X);
  const train = rows(X, 0, n - test);
  const yTrain = data.y.subarray(0, n - test);
  const target = task === "regression" ? REGRESSION : task === "multiclass" ? THREE : BINARY;
  const learner =
    kind === "logistic"
      ? learnerFor("logistic_regression", {}, target)
      : kind === "ridge"
        ? learnerFor("ridge", {}, target)
        : learnerFor("gradient_boosting", { trees: 20, num_leaves: 7, threads: 1 }, target);
  const model = await learner.fit(train, yTrain, { seed: 3 });
  return { model, X: rows(X, n - test, n), y: data.y.slice(n - test) };
}
