/**
 * What logistic regression and ridge share once fitted: raw outputs b_k + Σ_f W[k,f]·x_f,
 * exact explanations, coefficient importances, and the coefficient fields of the model file.
 *
 * Explanations are exact: the contribution of feature f to output k is W[k,f]·(x_f − μ_f),
 * with μ the training means (weighted by the sample weights) stored in the model, and the
 * expected value is b_k + Σ_f W[k,f]·μ_f; the two add up to the raw output.
 */
import type { FeatureMatrix } from "../../features/matrix.js";
import type { LogisticRegressionParams, RidgeParams } from "../../project/schema.js";
import type { Explanation, Importances, Model, ModelFile, ModelFileHeader, Task } from "../types.js";
import { SluiceError } from "../../errors.js";
import { modelHeader } from "../header.js";
import { checkNoMissing, checkPredictMatrix } from "./inputs.js";

/** The fitted numbers of a linear model. */
export interface LinearFields {
  task: Task;
  classes: readonly string[] | undefined;
  featureNames: readonly string[];
  iterations: number;
  /** nOutputs × p, row-major. */
  coef: Float64Array;
  /** One per output. */
  intercept: Float64Array;
  /** Training means of the features (weighted by the sample weights). */
  means: Float64Array;
}

/** Largest magnitude of one term W[k,f]·x_f once clipped: p of them still sum to a finite number. */
const TERM_LIMIT = 1e300;

export abstract class LinearModel implements Model {
  abstract readonly kind: "logistic_regression" | "ridge";
  abstract readonly params: Readonly<LogisticRegressionParams> | Readonly<RidgeParams>;
  readonly task: Task;
  readonly classes: readonly string[] | undefined;
  readonly featureNames: readonly string[];
  readonly nOutputs: number;
  readonly iterations: number;
  protected readonly coef: Float64Array;
  protected readonly intercept: Float64Array;
  protected readonly means: Float64Array;
  protected readonly nFeatures: number;

  protected constructor(fields: LinearFields) {
    this.task = fields.task;
    this.classes = fields.classes === undefined ? undefined : Object.freeze([...fields.classes]);
    this.featureNames = Object.freeze([...fields.featureNames]);
    this.nFeatures = fields.featureNames.length;
    this.nOutputs = fields.intercept.length;
    this.iterations = fields.iterations;
    this.coef = fields.coef;
    this.intercept = fields.intercept;
    this.means = fields.means;
  }

  /** The model's name in messages. */
  protected abstract get title(): string;

  /** Check a matrix given to the model. */
  protected checkInput(X: FeatureMatrix): void {
    checkPredictMatrix(X.nCols, this.featureNames);
    checkNoMissing(X, this.title);
  }

  /** The fitted coefficients, nOutputs × nFeatures row-major (a copy). */
  coefficients(): Float64Array {
    return this.coef.slice();
  }

  /** The fitted intercepts, one per output (a copy). */
  intercepts(): Float64Array {
    return this.intercept.slice();
  }

  predictRaw(X: FeatureMatrix, out?: Float64Array): Float64Array {
    this.checkInput(X);
    const { nRows, data } = X;
    const p = this.nFeatures;
    const K = this.nOutputs;
    const raw = out ?? new Float64Array(nRows * K);
    for (let k = 0; k < K; k++) {
      const b = this.intercept[k]!;
      for (let i = 0; i < nRows; i++) raw[i * K + k] = b;
      for (let j = 0; j < p; j++) {
        const c = this.coef[k * p + j]!;
        if (c === 0) continue;
        const base = j * nRows;
        for (let i = 0; i < nRows; i++) raw[i * K + k] = raw[i * K + k]! + data[base + i]! * c;
      }
    }
    // Huge inputs (1e300) overflow a term to ±Infinity, and two such terms of opposite sign
    // give NaN: those rows are summed again with each term clipped, so outputs stay numbers.
    for (let i = 0; i < nRows * K; i++) {
      const v = raw[i]!;
      if (v - v === 0) continue;
      const row = Math.floor(i / K);
      const k = i % K;
      let s = this.intercept[k]!;
      for (let j = 0; j < p; j++) {
        const c = this.coef[k * p + j]!;
        if (c === 0) continue;
        const t = data[j * nRows + row]! * c;
        s += t > TERM_LIMIT ? TERM_LIMIT : t < -TERM_LIMIT ? -TERM_LIMIT : t;
      }
      raw[i] = s;
    }
    return raw;
  }

  /**
   * Raw outputs of one row into `out` (nOutputs values), without allocating.
   * @param row IN: nFeatures values.
   */
  protected rawOne(row: Float64Array, out: Float64Array): void {
    const p = this.nFeatures;
    for (let k = 0; k < this.nOutputs; k++) {
      let s = this.intercept[k]!;
      for (let j = 0; j < p; j++) {
        const t = row[j]! * this.coef[k * p + j]!;
        s += t > TERM_LIMIT ? TERM_LIMIT : t < -TERM_LIMIT ? -TERM_LIMIT : t;
      }
      out[k] = s;
    }
  }

  /** Check one row given to predictOne. */
  protected checkRow(row: Float64Array): void {
    if (row.length !== this.nFeatures)
      throw new SluiceError(
        "E_MATRIX",
        `the row has ${row.length} values, but the model was fitted on ${this.nFeatures} features`,
        { details: { values: row.length, features: this.nFeatures } },
      );
    for (let j = 0; j < row.length; j++)
      if (row[j] !== row[j])
        throw new SluiceError(
          "E_MATRIX",
          `feature "${this.featureNames[j]!}" is missing (NaN): a ${this.title} needs a number in every cell`,
          {
            details: { feature: this.featureNames[j] },
            hint: "transform the record with the model's fitted features, which impute missing values",
          },
        );
  }

  abstract predictProba(X: FeatureMatrix, out?: Float64Array): Float64Array;
  abstract predict(X: FeatureMatrix, out?: Float64Array): Float64Array;
  abstract predictOne(row: Float64Array, out?: Float64Array): Float64Array;
  abstract toJSON(): ModelFile;

  explain(X: FeatureMatrix): Explanation {
    this.checkInput(X);
    const { nRows, data } = X;
    const p = this.nFeatures;
    const K = this.nOutputs;
    const values = new Float64Array(nRows * K * p);
    const expectedValue = new Float64Array(K);
    for (let k = 0; k < K; k++) {
      let e = this.intercept[k]!;
      for (let j = 0; j < p; j++) e += this.coef[k * p + j]! * this.means[j]!;
      expectedValue[k] = e;
    }
    for (let j = 0; j < p; j++) {
      const base = j * nRows;
      const mu = this.means[j]!;
      for (let k = 0; k < K; k++) {
        const c = this.coef[k * p + j]!;
        for (let i = 0; i < nRows; i++) values[(i * K + k) * p + j] = c * (data[base + i]! - mu);
      }
    }
    return { nRows, nFeatures: p, nOutputs: K, featureNames: this.featureNames, values, expectedValue };
  }

  importances(): Importances {
    const p = this.nFeatures;
    const K = this.nOutputs;
    const coefficient = new Float64Array(p);
    for (let k = 0; k < K; k++)
      for (let j = 0; j < p; j++) coefficient[j]! += Math.abs(this.coef[k * p + j]!) / K;
    return { featureNames: this.featureNames, coefficient };
  }

  /** The header and the coefficient fields of the model file. */
  protected linearJSON(): ModelFile {
    const p = this.nFeatures;
    const header: ModelFileHeader = modelHeader({
      kind: this.kind,
      task: this.task,
      classes: this.classes,
      featureNames: this.featureNames,
      nOutputs: this.nOutputs,
      params: this.params,
      iterations: this.iterations,
    });
    return {
      ...header,
      coefficients: Array.from({ length: this.nOutputs }, (_, k) =>
        Array.from(this.coef.subarray(k * p, (k + 1) * p)),
      ),
      intercepts: Array.from(this.intercept),
      featureMeans: Array.from(this.means),
    };
  }
}

function damaged(message: string): SluiceError {
  return new SluiceError("E_FORMAT", `model file: ${message}`, {
    hint: "the file is damaged or was edited by hand; save the model again from its run",
  });
}

function finiteList(v: unknown, what: string, length: number): Float64Array {
  if (!Array.isArray(v)) throw damaged(`${what} must be a list of numbers`);
  if (v.length !== length) throw damaged(`${what} has ${v.length} entries, expected ${length}`);
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const x: unknown = v[i];
    if (typeof x !== "number" || !Number.isFinite(x))
      throw damaged(`${what}[${i}] is ${String(x)}, not a finite number`);
    out[i] = x;
  }
  return out;
}

/**
 * The coefficient fields of a linear model file whose header is already checked.
 * @throws SluiceError E_FORMAT naming the field
 */
export function linearFieldsFromJSON(file: ModelFile, header: ModelFileHeader): LinearFields {
  const p = header.featureNames.length;
  const K = header.nOutputs;
  const rows = file.coefficients;
  if (!Array.isArray(rows) || rows.length !== K)
    throw damaged(`coefficients must be a list of ${K} lists (one per output)`);
  const coef = new Float64Array(K * p);
  rows.forEach((r: unknown, k) => coef.set(finiteList(r, `coefficients[${k}]`, p), k * p));
  return {
    task: header.task,
    classes: header.classes,
    featureNames: header.featureNames,
    iterations: header.iterations,
    coef,
    intercept: finiteList(file.intercepts, "intercepts", K),
    means: finiteList(file.featureMeans, "featureMeans", p),
  };
}

/** Weighted means of the columns of X (plain means without weights). */
export function columnMeans(X: FeatureMatrix, weights: Float64Array | undefined): Float64Array {
  const { nRows, data } = X;
  const means = new Float64Array(X.nCols);
  let total = 0;
  if (weights === undefined) total = nRows;
  else for (let i = 0; i < nRows; i++) total += weights[i]!;
  for (let j = 0; j < X.nCols; j++) {
    const base = j * nRows;
    let s = 0;
    if (weights === undefined) for (let i = 0; i < nRows; i++) s += data[base + i]!;
    else for (let i = 0; i < nRows; i++) s += weights[i]! * data[base + i]!;
    means[j] = s / total;
  }
  return means;
}
