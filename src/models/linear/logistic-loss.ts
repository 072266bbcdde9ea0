/**
 * The logistic loss (binary) and the multinomial (softmax) loss with an L2 term, over a
 * column-major matrix: the objective the logistic regression solvers minimise.
 *
 * Scaled as scikit-learn's: with row weights s_i (sample × class weights) and S = Σ s_i,
 *   f(W, b) = (1/S) Σ_i s_i · loss_i + (λ/2) ‖W‖²,  λ = 1/(C·S)  (intercepts not penalised),
 * which is scikit-learn's C·Σ s_i loss_i + ½‖W‖² divided by C·S: same minimiser, and a
 * gradient whose size does not grow with the number of rows, so `tol` means the same thing
 * on any data.
 *
 * Parameter layout: the coefficients row by row (nOut × p: output k's coefficient of
 * feature j at k·p + j), then nOut intercepts when they are fitted. nOut = 1 for a binary
 * problem (the log-odds of class 1), K for multinomial.
 */
import type { FeatureMatrix } from "../../features/matrix.js";
import type { Labels } from "../types.js";

/** log(1 + e^z) without overflow. */
export function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** 1 / (1 + e^−z) without overflow; never NaN for a non-NaN z. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

export class LogisticLoss {
  /** Number of parameters. */
  readonly dim: number;
  readonly nOut: number;
  private readonly n: number;
  private readonly p: number;
  /** Raw outputs of the last evaluation, output-major: z[k·n + i]. */
  readonly z: Float64Array;
  /** Weighted residuals (probability − indicator) of the last evaluation, output-major. */
  private readonly r: Float64Array;
  /** Scratch: the features with a non-zero coefficient, for {@link margins}. */
  private readonly cols: Int32Array;

  /**
   * @param X IN: n × p, column-major, finite.
   * @param y IN: class codes 0..K-1.
   * @param w IN: row weights s_i / S (sum 1).
   * @param nClasses K ≥ 2 (K = 2 fits one output).
   * @param l2 λ of the scaled objective (0 for no penalty).
   */
  constructor(
    private readonly X: FeatureMatrix,
    private readonly y: Labels,
    private readonly w: Float64Array,
    nClasses: number,
    readonly fitIntercept: boolean,
    private readonly l2: number,
  ) {
    this.n = X.nRows;
    this.p = X.nCols;
    this.nOut = nClasses === 2 ? 1 : nClasses;
    this.dim = this.nOut * this.p + (fitIntercept ? this.nOut : 0);
    this.z = new Float64Array(this.nOut * this.n);
    this.r = new Float64Array(this.nOut * this.n);
    this.cols = new Int32Array(this.p);
  }

  /**
   * Fill `z` with X·Wᵀ + b for the parameters `x`. Four columns per pass over the rows (one
   * load and store of z[i] for four products); columns whose coefficient is 0 are skipped.
   */
  private margins(x: Float64Array): void {
    const { n, p, nOut, z, cols } = this;
    const data = this.X.data;
    for (let k = 0; k < nOut; k++) {
      const zk = z.subarray(k * n, (k + 1) * n);
      zk.fill(this.fitIntercept ? x[nOut * p + k]! : 0);
      let m = 0;
      for (let j = 0; j < p; j++) if (x[k * p + j]! !== 0) cols[m++] = j;
      let q = 0;
      for (; q + 4 <= m; q += 4) {
        const j0 = cols[q]!;
        const j1 = cols[q + 1]!;
        const j2 = cols[q + 2]!;
        const j3 = cols[q + 3]!;
        const c0 = x[k * p + j0]!;
        const c1 = x[k * p + j1]!;
        const c2 = x[k * p + j2]!;
        const c3 = x[k * p + j3]!;
        const b0 = j0 * n;
        const b1 = j1 * n;
        const b2 = j2 * n;
        const b3 = j3 * n;
        for (let i = 0; i < n; i++)
          zk[i] =
            zk[i]! + (data[b0 + i]! * c0 + data[b1 + i]! * c1 + (data[b2 + i]! * c2 + data[b3 + i]! * c3));
      }
      for (; q < m; q++) {
        const j = cols[q]!;
        const c = x[k * p + j]!;
        const base = j * n;
        for (let i = 0; i < n; i++) zk[i] = zk[i]! + data[base + i]! * c;
      }
    }
  }

  /**
   * g[k·p + j] = Σ_i X[i, j] · r[k·n + i] for every feature: four columns per pass over the
   * rows, each summed in its own accumulator (independent additions instead of one chain).
   */
  private gradientDots(k: number, g: Float64Array): void {
    const { n, p, r } = this;
    const data = this.X.data;
    const rk = r.subarray(k * n, (k + 1) * n);
    let j = 0;
    for (; j + 4 <= p; j += 4) {
      const b0 = j * n;
      const b1 = b0 + n;
      const b2 = b1 + n;
      const b3 = b2 + n;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let i = 0; i < n; i++) {
        const ri = rk[i]!;
        s0 += data[b0 + i]! * ri;
        s1 += data[b1 + i]! * ri;
        s2 += data[b2 + i]! * ri;
        s3 += data[b3 + i]! * ri;
      }
      g[k * p + j] = s0;
      g[k * p + j + 1] = s1;
      g[k * p + j + 2] = s2;
      g[k * p + j + 3] = s3;
    }
    for (; j < p; j++) {
      const base = j * n;
      let s = 0;
      for (let i = 0; i < n; i++) s += data[base + i]! * rk[i]!;
      g[k * p + j] = s;
    }
  }

  /**
   * The objective at `x`, and its gradient.
   * @param x IN
   * @param g OUT
   */
  value(x: Float64Array, g: Float64Array): number {
    const { n, p, nOut, z, r, w, y } = this;
    this.margins(x);
    let loss = 0;
    if (nOut === 1) {
      for (let i = 0; i < n; i++) {
        const zi = z[i]!;
        const yi = y[i] === 1 ? 1 : 0;
        // softplus and sigmoid share one exp (the same operations as the functions above).
        const e = Math.exp(-Math.abs(zi));
        const sp = (zi > 0 ? zi : 0) + Math.log1p(e);
        const sg = zi >= 0 ? 1 / (1 + e) : e / (1 + e);
        loss += w[i]! * (sp - yi * zi);
        r[i] = w[i]! * (sg - yi);
      }
    } else {
      for (let i = 0; i < n; i++) {
        let max = -Infinity;
        for (let k = 0; k < nOut; k++) max = Math.max(max, z[k * n + i]!);
        let sum = 0;
        for (let k = 0; k < nOut; k++) {
          const e = Math.exp(z[k * n + i]! - max);
          r[k * n + i] = e;
          sum += e;
        }
        const yi = y[i]!;
        const wi = w[i]!;
        loss += wi * (max + Math.log(sum) - z[yi * n + i]!);
        for (let k = 0; k < nOut; k++) r[k * n + i] = wi * (r[k * n + i]! / sum - (k === yi ? 1 : 0));
      }
    }
    let penalty = 0;
    for (let k = 0; k < nOut; k++) {
      const rk = r.subarray(k * n, (k + 1) * n);
      this.gradientDots(k, g);
      for (let j = 0; j < p; j++) {
        const c = x[k * p + j]!;
        g[k * p + j] = g[k * p + j]! + this.l2 * c;
        penalty += c * c;
      }
      if (this.fitIntercept) {
        let s = 0;
        for (let i = 0; i < n; i++) s += rk[i]!;
        g[nOut * p + k] = s;
      }
    }
    return loss + 0.5 * this.l2 * penalty;
  }

  /**
   * The Hessian of the binary objective at the point of the last {@link value} call:
   * Xᵀ·D·X + λI with D_i = w_i σ(z_i)(1 − σ(z_i)), bordered by the intercept's row and column.
   * @param H OUT: row-major dim × dim.
   */
  binaryHessian(H: Float64Array): void {
    const { n, p, z, w } = this;
    const dim = this.dim;
    const data = this.X.data;
    const D = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const s = sigmoid(z[i]!);
      D[i] = w[i]! * s * (1 - s);
    }
    const col = new Float64Array(n);
    for (let j = 0; j < p; j++) {
      const bj = j * n;
      for (let i = 0; i < n; i++) col[i] = D[i]! * data[bj + i]!;
      for (let l = 0; l <= j; l++) {
        const bl = l * n;
        let s = 0;
        for (let i = 0; i < n; i++) s += col[i]! * data[bl + i]!;
        H[j * dim + l] = s;
        H[l * dim + j] = s;
      }
      H[j * dim + j] = H[j * dim + j]! + this.l2;
      if (this.fitIntercept) {
        let s = 0;
        for (let i = 0; i < n; i++) s += col[i]!;
        H[p * dim + j] = s;
        H[j * dim + p] = s;
      }
    }
    if (this.fitIntercept) {
      let s = 0;
      for (let i = 0; i < n; i++) s += D[i]!;
      H[p * dim + p] = s;
    }
  }
}
