/**
 * Ridge regression: the w and b minimising α‖w‖² + Σ_i s_i (y_i − x_i·w − b)², with the
 * intercept b not penalised (X and y are centred with the s-weighted means, as scikit-learn's
 * Ridge does), solved in closed form:
 *
 * - p ≤ n: Cholesky of the normal equations (ZᵀZ + αI) w = Zᵀỹ, with Z = √s·(X − x̄);
 * - p > n: the dual form, w = Zᵀ (ZZᵀ + αI)⁻¹ ỹ, an n × n system instead of p × p.
 *
 * α = 0 with a singular system (collinear or constant features, more features than rows)
 * gives the least-norm solution, as numpy's `lstsq` and scikit-learn's fallback to its SVD
 * solver do: of all the w that fit the data equally well, the one with the smallest ‖w‖.
 */
import type { FeatureMatrix } from "../../features/matrix.js";
import type { RidgeParams } from "../../project/schema.js";
import type { FitOptions, Labels, Learner, Model, ModelFile, TargetInfo } from "../types.js";
import { SluiceError } from "../../errors.js";
import { checkHeader } from "../header.js";
import { cholesky, choleskySolve, pseudoSolve } from "./dense.js";
import {
  checkFiniteMatrix,
  checkRegressionLabels,
  checkTrainingMatrix,
  checkValidationSet,
  checkWeights,
  throwIfAborted,
} from "./inputs.js";
import { LinearModel, columnMeans, linearFieldsFromJSON, type LinearFields } from "./model.js";

const TITLE = "ridge regression";

/** A fitted ridge regression: its raw output is the prediction. */
export class RidgeModel extends LinearModel {
  readonly kind = "ridge" as const;
  readonly params: Readonly<RidgeParams>;

  constructor(fields: LinearFields, params: RidgeParams) {
    super(fields);
    this.params = Object.freeze({ ...params });
    Object.freeze(this);
  }

  protected get title(): string {
    return TITLE;
  }

  predictProba(): Float64Array {
    throw new SluiceError("E_USAGE", "a ridge regression predicts values, not class probabilities", {
      hint: "call predict() for the predicted values",
    });
  }

  predict(X: FeatureMatrix, out?: Float64Array): Float64Array {
    return this.predictRaw(X, out);
  }

  predictOne(row: Float64Array, out?: Float64Array): Float64Array {
    this.checkRow(row);
    const value = out ?? new Float64Array(1);
    this.rawOne(row, value);
    return value;
  }

  toJSON(): ModelFile {
    return this.linearJSON();
  }
}

/**
 * Makes ridge regression models.
 *
 * @example
 * const learner = new RidgeLearner(ModelParams.ridge.parse({ alpha: 0.1 }), { task: "regression" });
 * const model = await learner.fit(X, y);
 * model.predict(Xtest);
 */
export class RidgeLearner implements Learner<"ridge"> {
  readonly kind = "ridge" as const;
  readonly params: Readonly<RidgeParams>;
  readonly target: TargetInfo;

  constructor(params: RidgeParams, target: TargetInfo) {
    this.params = Object.freeze({ ...params });
    this.target = target;
  }

  fit(X: FeatureMatrix, y: Labels, options: FitOptions = {}): Promise<Model> {
    try {
      return Promise.resolve(fitRidge(this.params, this.target, X, y, options));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

function fitRidge(
  params: RidgeParams,
  target: TargetInfo,
  X: FeatureMatrix,
  y: Labels,
  options: FitOptions,
): RidgeModel {
  if (target.task !== "regression")
    throw new SluiceError("E_USAGE", "ridge is a regression model; the task is classification", {
      hint: "use kind: logistic_regression for a linear classifier",
    });
  checkTrainingMatrix(X, y, TITLE);
  checkRegressionLabels(y);
  checkWeights(options.weights, X.nRows);
  checkFiniteMatrix(X, TITLE);
  if (options.validation !== undefined) {
    checkValidationSet(options.validation, X.nCols, target, undefined);
    checkFiniteMatrix(options.validation.X, TITLE);
  }
  throwIfAborted(options.signal, TITLE);

  const { nRows: n, nCols: p, data } = X;
  const s = options.weights;
  const means = columnMeans(X, s);
  let yMean = 0;
  if (params.fit_intercept) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const wi = s?.[i] ?? 1;
      yMean += wi * y[i]!;
      total += wi;
    }
    yMean /= total;
  }
  // Z = √s·(X − x̄) and ỹ = √s·(y − ȳ): the weighted problem as an unweighted one.
  const Z = new Float64Array(n * p);
  const yt = new Float64Array(n);
  const root = new Float64Array(n);
  for (let i = 0; i < n; i++) root[i] = Math.sqrt(s?.[i] ?? 1);
  for (let i = 0; i < n; i++) yt[i] = root[i]! * (y[i]! - yMean);
  for (let j = 0; j < p; j++) {
    const m = params.fit_intercept ? means[j]! : 0;
    const base = j * n;
    for (let i = 0; i < n; i++) Z[base + i] = root[i]! * (data[base + i]! - m);
  }

  const coef = p <= n ? primal(Z, yt, n, p, params.alpha) : dual(Z, yt, n, p, params.alpha);
  let intercept = 0;
  if (params.fit_intercept) {
    intercept = yMean;
    for (let j = 0; j < p; j++) intercept -= means[j]! * coef[j]!;
  }
  for (let j = 0; j < p; j++)
    if (!Number.isFinite(coef[j]!))
      throw new SluiceError(
        "E_MATRIX",
        `ridge regression produced a non-finite coefficient for feature "${X.names[j]!}": the system is too ill-conditioned`,
        {
          details: { feature: X.names[j] },
          hint: "scale the features (features.numeric.scale: standard) or raise alpha",
        },
      );

  const model = new RidgeModel(
    {
      task: "regression",
      classes: undefined,
      featureNames: X.names,
      iterations: 1,
      coef,
      intercept: Float64Array.of(intercept),
      means,
    },
    params,
  );
  options.progress?.update(1, 1);
  if (options.onIteration !== undefined) {
    let loss = NaN;
    const v = options.validation;
    if (v !== undefined) {
      const pred = model.predict(v.X);
      let sum = 0;
      let total = 0;
      for (let i = 0; i < pred.length; i++) {
        const wi = v.weights?.[i] ?? 1;
        sum += wi * (pred[i]! - v.y[i]!) ** 2;
        total += wi;
      }
      loss = sum / total;
    }
    options.onIteration(1, loss);
  }
  return model;
}

/** (ZᵀZ + αI) w = Zᵀỹ, p × p. */
function primal(Z: Float64Array, yt: Float64Array, n: number, p: number, alpha: number): Float64Array {
  const A = new Float64Array(p * p);
  const rhs = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const bj = j * n;
    for (let l = 0; l <= j; l++) {
      const bl = l * n;
      let acc = 0;
      for (let i = 0; i < n; i++) acc += Z[bj + i]! * Z[bl + i]!;
      A[j * p + l] = acc;
      A[l * p + j] = acc;
    }
    A[j * p + j] = A[j * p + j]! + alpha;
    let r = 0;
    for (let i = 0; i < n; i++) r += Z[bj + i]! * yt[i]!;
    rhs[j] = r;
  }
  solveSymmetric(A, p, rhs);
  return rhs;
}

/** w = Zᵀ (ZZᵀ + αI)⁻¹ ỹ, n × n. */
function dual(Z: Float64Array, yt: Float64Array, n: number, p: number, alpha: number): Float64Array {
  const G = new Float64Array(n * n);
  for (let j = 0; j < p; j++) {
    const bj = j * n;
    for (let i = 0; i < n; i++) {
      const zi = Z[bj + i]!;
      if (zi === 0) continue;
      const ri = i * n;
      for (let k = 0; k <= i; k++) G[ri + k] = G[ri + k]! + zi * Z[bj + k]!;
    }
  }
  for (let i = 0; i < n; i++) {
    G[i * n + i] = G[i * n + i]! + alpha;
    for (let k = 0; k < i; k++) G[k * n + i] = G[i * n + k]!;
  }
  const a = Float64Array.from(yt);
  solveSymmetric(G, n, a);
  const w = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const bj = j * n;
    let acc = 0;
    for (let i = 0; i < n; i++) acc += Z[bj + i]! * a[i]!;
    w[j] = acc;
  }
  return w;
}

/** Solve A x = b in place: Cholesky, or the least-norm answer when A is singular. */
function solveSymmetric(A: Float64Array, n: number, b: Float64Array): void {
  const copy = A.slice();
  if (cholesky(A, n)) choleskySolve(A, n, b);
  else pseudoSolve(copy, n, b);
}

/**
 * A ridge regression from its model file.
 *
 * @throws SluiceError E_FORMAT when the header or the coefficient fields are wrong
 */
export function ridgeFromJSON(file: ModelFile): Model {
  const header = checkHeader(file, "ridge");
  return new RidgeModel(linearFieldsFromJSON(file, header), header.params as RidgeParams);
}
