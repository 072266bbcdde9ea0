/**
 * Logistic regression, binary and multinomial, with scikit-learn's objective so that the same
 * C gives the same coefficients:
 *
 *   C · Σ_i s_i · logloss_i + ½‖W‖²   (penalty l2; ‖W‖₁ for l1; no term for none),
 *
 * with s_i the sample weight × class weight of row i, and the intercepts not penalised. A
 * binary problem fits one log-odds (as scikit-learn); K > 2 classes fit the multinomial
 * (softmax) model with one coefficient row per class (as scikit-learn's lbfgs).
 *
 * Solvers: `lbfgs` (default; OWL-QN for l1) and `newton` (binary, l2 or none: IRLS steps
 * solved by Cholesky — quadratic convergence, best with few features).
 */
import type { FeatureMatrix } from "../../features/matrix.js";
import type { LogisticRegressionParams } from "../../project/schema.js";
import type { FitOptions, Labels, Learner, Model, ModelFile, TargetInfo } from "../types.js";
import { SluiceError } from "../../errors.js";
import { checkHeader } from "../header.js";
import { cholesky, choleskySolve, pseudoSolve } from "./dense.js";
import {
  balancedClassWeights,
  checkClassLabels,
  checkFiniteMatrix,
  checkTrainingMatrix,
  checkValidationSet,
  checkWeights,
  rowWeights,
  throwIfAborted,
} from "./inputs.js";
import { minimize } from "./lbfgs.js";
import { LogisticLoss, sigmoid } from "./logistic-loss.js";
import { LinearModel, columnMeans, linearFieldsFromJSON, type LinearFields } from "./model.js";

const TITLE = "logistic regression";

/** A fitted logistic regression. Raw outputs are log-odds (binary) or per-class scores. */
export class LogisticRegressionModel extends LinearModel {
  readonly kind = "logistic_regression" as const;
  readonly params: Readonly<LogisticRegressionParams>;
  /** Whether the solver met its tolerance (false: stopped at max_iter). */
  readonly converged: boolean;

  constructor(fields: LinearFields, params: LogisticRegressionParams, converged: boolean) {
    super(fields);
    this.params = Object.freeze({ ...params });
    this.converged = converged;
    Object.freeze(this);
  }

  protected get title(): string {
    return TITLE;
  }

  private get nClasses(): number {
    return this.classes!.length;
  }

  /** Probabilities from raw outputs, in place safe: `raw` and `out` may not alias. */
  private probaFromRaw(raw: Float64Array, nRows: number, out: Float64Array): void {
    const K = this.nClasses;
    if (this.nOutputs === 1) {
      for (let i = 0; i < nRows; i++) {
        const p = sigmoid(raw[i]!);
        out[2 * i] = 1 - p;
        out[2 * i + 1] = p;
      }
      return;
    }
    for (let i = 0; i < nRows; i++) softmaxInto(raw, i * K, K, out, i * K);
  }

  predictProba(X: FeatureMatrix, out?: Float64Array): Float64Array {
    const raw = this.predictRaw(X);
    const proba = out ?? new Float64Array(X.nRows * this.nClasses);
    this.probaFromRaw(raw, X.nRows, proba);
    return proba;
  }

  predict(X: FeatureMatrix, out?: Float64Array): Float64Array {
    const raw = this.predictRaw(X);
    const pred = out ?? new Float64Array(X.nRows);
    const K = this.nOutputs;
    for (let i = 0; i < X.nRows; i++) {
      if (K === 1) {
        pred[i] = raw[i]! > 0 ? 1 : 0;
        continue;
      }
      let best = 0;
      for (let k = 1; k < K; k++) if (raw[i * K + k]! > raw[i * K + best]!) best = k;
      pred[i] = best;
    }
    return pred;
  }

  predictOne(row: Float64Array, out?: Float64Array): Float64Array {
    this.checkRow(row);
    const K = this.nClasses;
    const proba = out ?? new Float64Array(K);
    this.rawOne(row, proba);
    if (this.nOutputs === 1) {
      const p = sigmoid(proba[0]!);
      proba[0] = 1 - p;
      proba[1] = p;
    } else softmaxInto(proba, 0, K, proba, 0);
    return proba;
  }

  toJSON(): ModelFile {
    return { ...this.linearJSON(), converged: this.converged };
  }
}

/** Softmax of `K` scores at `from` into `out` at `to` (the two may be the same place). */
function softmaxInto(scores: Float64Array, from: number, K: number, out: Float64Array, to: number): void {
  let max = -Infinity;
  for (let k = 0; k < K; k++) max = Math.max(max, scores[from + k]!);
  let sum = 0;
  for (let k = 0; k < K; k++) {
    const e = Math.exp(scores[from + k]! - max);
    out[to + k] = e;
    sum += e;
  }
  for (let k = 0; k < K; k++) out[to + k] = out[to + k]! / sum;
}

/**
 * Makes logistic regression models.
 *
 * @example
 * const learner = new LogisticRegressionLearner(ModelParams.logistic_regression.parse({ C: 0.5 }), { task: "classification", classes: ["no", "yes"] });
 * const model = await learner.fit(X, y);
 * model.predictProba(Xtest); // [p(no), p(yes)] per row
 */
export class LogisticRegressionLearner implements Learner<"logistic_regression"> {
  readonly kind = "logistic_regression" as const;
  readonly params: Readonly<LogisticRegressionParams>;
  readonly target: TargetInfo;

  constructor(params: LogisticRegressionParams, target: TargetInfo) {
    this.params = Object.freeze({ ...params });
    this.target = target;
  }

  fit(X: FeatureMatrix, y: Labels, options: FitOptions = {}): Promise<Model> {
    try {
      return Promise.resolve(fitLogistic(this.params, this.target, X, y, options));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

function fitLogistic(
  params: LogisticRegressionParams,
  target: TargetInfo,
  X: FeatureMatrix,
  y: Labels,
  options: FitOptions,
): LogisticRegressionModel {
  if (target.task !== "classification")
    throw new SluiceError("E_USAGE", "logistic regression is a classifier; the task is regression", {
      hint: "use kind: ridge for a linear regression model",
    });
  checkTrainingMatrix(X, y, TITLE);
  const counts = checkClassLabels(y, target);
  const classes = target.classes!;
  const K = classes.length;
  for (let k = 0; k < K; k++)
    if (counts[k] === 0)
      throw new SluiceError(
        "E_LABELS",
        `class "${classes[k]!}" has no training rows: logistic regression cannot fit a score for a class it never sees`,
        {
          details: { class: classes[k] },
          hint: "use a stratified split, or merge or drop classes too rare to reach the training part",
        },
      );
  checkWeights(options.weights, X.nRows);
  checkFiniteMatrix(X, TITLE);
  if (options.validation !== undefined) {
    checkValidationSet(options.validation, X.nCols, target, counts);
    checkFiniteMatrix(options.validation.X, TITLE);
  }
  if (params.solver === "newton" && K > 2)
    throw new SluiceError("E_USAGE", `solver newton fits binary problems; this target has ${K} classes`, {
      hint: "use solver: lbfgs for more than 2 classes",
    });
  if (params.solver === "newton" && params.penalty === "l1")
    throw new SluiceError(
      "E_USAGE",
      "solver newton cannot fit penalty l1 (|w| has no second derivative at 0)",
      {
        hint: "use solver: lbfgs, which fits l1 with OWL-QN",
      },
    );
  throwIfAborted(options.signal, TITLE);

  const classWeights = params.class_weight === "balanced" ? balancedClassWeights(counts) : undefined;
  const w = rowWeights(X.nRows, options.weights, y, classWeights);
  let total = 0;
  for (let i = 0; i < w.length; i++) total += w[i]!;
  for (let i = 0; i < w.length; i++) w[i] = w[i]! / total;
  // C·Σ s_i loss_i + ½‖W‖² divided by C·S (see logistic-loss.ts).
  const strength = 1 / (params.C * total);
  const loss = new LogisticLoss(X, y, w, K, params.fit_intercept, params.penalty === "l2" ? strength : 0);
  const nOut = loss.nOut;
  const p = X.nCols;

  const validationLoss = validationScorer(options, nOut, p, params.fit_intercept);
  const onStep = (iteration: number, x: Float64Array): boolean => {
    throwIfAborted(options.signal, TITLE);
    options.progress?.update(iteration, params.max_iter);
    if (options.onIteration === undefined) return true;
    return options.onIteration(iteration, validationLoss(x)) !== false;
  };

  let x: Float64Array;
  let iterations: number;
  let converged: boolean;
  if (params.solver === "newton") ({ x, iterations, converged } = newton(loss, params, onStep));
  else {
    let l1: Float64Array | undefined;
    if (params.penalty === "l1") {
      l1 = new Float64Array(loss.dim);
      l1.fill(strength, 0, nOut * p);
    }
    ({ x, iterations, converged } = minimize((v, g) => loss.value(v, g), new Float64Array(loss.dim), {
      maxIter: params.max_iter,
      gtol: params.tol,
      ...(l1 === undefined ? {} : { l1 }),
      onIteration: onStep,
    }));
  }
  const coef = x.slice(0, nOut * p);
  const intercept = params.fit_intercept ? x.slice(nOut * p) : new Float64Array(nOut);
  return new LogisticRegressionModel(
    {
      task: "classification",
      classes,
      featureNames: X.names,
      iterations,
      coef,
      intercept,
      means: columnMeans(X, options.weights),
    },
    params,
    converged,
  );
}

/** Newton's method (IRLS) on the binary objective, with a backtracking line search. */
function newton(
  loss: LogisticLoss,
  params: LogisticRegressionParams,
  onStep: (iteration: number, x: Float64Array) => boolean,
): { x: Float64Array; iterations: number; converged: boolean } {
  const dim = loss.dim;
  const x = new Float64Array(dim);
  const g = new Float64Array(dim);
  const trial = new Float64Array(dim);
  const gTrial = new Float64Array(dim);
  const H = new Float64Array(dim * dim);
  const step = new Float64Array(dim);
  let f = loss.value(x, g);
  for (let it = 1; it <= params.max_iter; it++) {
    if (maxAbs(g) <= params.tol) return { x, iterations: it - 1, converged: true };
    loss.binaryHessian(H);
    for (let i = 0; i < dim; i++) step[i] = -g[i]!;
    const Hcopy = H.slice();
    if (cholesky(H, dim)) choleskySolve(H, dim, step);
    // Without a penalty the Hessian is singular for collinear features: least-norm step.
    else pseudoSolve(Hcopy, dim, step);
    let slope = 0;
    for (let i = 0; i < dim; i++) slope += step[i]! * g[i]!;
    let t = 1;
    let fTrial = NaN;
    for (let ls = 0; ls < 50; ls++) {
      for (let i = 0; i < dim; i++) trial[i] = x[i]! + t * step[i]!;
      fTrial = loss.value(trial, gTrial);
      if (fTrial <= f + 1e-4 * t * slope) break;
      t /= 2;
    }
    if (!(fTrial <= f)) {
      // Rounding stops progress: the answer is as good as this precision allows.
      loss.value(x, g);
      return { x, iterations: it - 1, converged: maxAbs(g) <= params.tol };
    }
    x.set(trial);
    g.set(gTrial);
    f = fTrial;
    const go = onStep(it, x);
    if (maxAbs(g) <= params.tol) return { x, iterations: it, converged: true };
    if (!go) return { x, iterations: it, converged: false };
  }
  return { x, iterations: params.max_iter, converged: maxAbs(g) <= params.tol };
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** The weighted mean log loss on the validation set for the parameters x (NaN without one). */
function validationScorer(
  options: FitOptions,
  nOut: number,
  p: number,
  fitIntercept: boolean,
): (x: Float64Array) => number {
  const v = options.validation;
  if (v === undefined || options.onIteration === undefined) return () => NaN;
  const { X, y, weights } = v;
  const n = X.nRows;
  const z = new Float64Array(n * nOut);
  return (x) => {
    for (let k = 0; k < nOut; k++) {
      z.fill(fitIntercept ? x[nOut * p + k]! : 0, k * n, (k + 1) * n);
      for (let j = 0; j < p; j++) {
        const c = x[k * p + j]!;
        for (let i = 0; i < n; i++) z[k * n + i] = z[k * n + i]! + X.data[j * n + i]! * c;
      }
    }
    let sum = 0;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const wi = weights?.[i] ?? 1;
      let li: number;
      if (nOut === 1) {
        const zi = z[i]!;
        li = zi > 0 ? zi + Math.log1p(Math.exp(-zi)) : Math.log1p(Math.exp(zi));
        if (y[i] === 1) li -= zi;
      } else {
        let max = -Infinity;
        for (let k = 0; k < nOut; k++) max = Math.max(max, z[k * n + i]!);
        let s = 0;
        for (let k = 0; k < nOut; k++) s += Math.exp(z[k * n + i]! - max);
        li = max + Math.log(s) - z[y[i]! * n + i]!;
      }
      sum += wi * li;
      total += wi;
    }
    return sum / total;
  };
}

/**
 * A logistic regression from its model file.
 *
 * @throws SluiceError E_FORMAT when the header or the coefficient fields are wrong
 * @example
 * const model = logisticRegressionFromJSON(JSON.parse(readFileSync("model.json", "utf8")));
 */
export function logisticRegressionFromJSON(file: ModelFile): Model {
  const header = checkHeader(file, "logistic_regression");
  const fields = linearFieldsFromJSON(file, header);
  const K = header.classes!.length;
  if (header.nOutputs !== (K === 2 ? 1 : K))
    throw new SluiceError(
      "E_FORMAT",
      `model file: a logistic regression of ${K} classes has ${K === 2 ? 1 : K} outputs, the file says ${header.nOutputs}`,
      { hint: "the file is damaged or was edited by hand; save the model again from its run" },
    );
  return new LogisticRegressionModel(
    fields,
    header.params as LogisticRegressionParams,
    file.converged === true,
  );
}
