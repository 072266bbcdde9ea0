/**
 * Gradients, hessians and losses of the boosting objectives, per row, over typed arrays.
 *
 * Gradients are of the loss with respect to the raw score, in float64, then stored as float32
 * (see histogram.ts for why float32 is enough there). Sample weights multiply both.
 * - binary log loss, p = sigmoid(raw): g = p − y, h = p(1 − p);
 * - softmax over K classes: g_k = p_k − [y = k], h_k = p_k(1 − p_k) (scikit-learn's diagonal
 *   hessian, without LightGBM's K/(K−1) factor);
 * - squared error ½(raw − y)²: g = raw − y, h = 1.
 */

/**
 * Binary log loss gradients of the rows [begin, end).
 *
 * @param raw IN: log-odds per row
 * @param y IN: class code per row (0 or 1)
 * @param w IN: weight per row
 * @param g,h OUT: per row
 */
export function logisticGradients(
  raw: Float64Array,
  y: Int32Array,
  w: Float64Array,
  g: Float32Array,
  h: Float32Array,
  end: number,
  begin = 0,
): void {
  for (let i = begin; i < end; i++) {
    const p = 1 / (1 + Math.exp(-raw[i]!));
    const wi = w[i]!;
    g[i] = (p - y[i]!) * wi;
    h[i] = p * (1 - p) * wi;
  }
}

/**
 * {@link logisticGradients} when every weight is 1 (no weights array to read or multiply by;
 * the same values, since multiplying by 1 is exact).
 */
export function logisticGradientsUnweighted(
  raw: Float64Array,
  y: Int32Array,
  g: Float32Array,
  h: Float32Array,
  end: number,
  begin = 0,
): void {
  for (let i = begin; i < end; i++) {
    const p = 1 / (1 + Math.exp(-raw[i]!));
    g[i] = p - y[i]!;
    h[i] = p * (1 - p);
  }
}

/**
 * Softmax gradients of every class of the rows [begin, end), from class-major raw scores
 * (class k of row i at k·n + i).
 *
 * @param raw IN: K × n raw scores, class-major
 * @param y IN: class code per row
 * @param w IN: weight per row
 * @param scratch OUT: scratch space of K numbers
 * @param g,h OUT: K × n, class-major
 */
export function softmaxGradients(
  raw: Float64Array,
  y: Int32Array,
  w: Float64Array,
  K: number,
  g: Float32Array,
  h: Float32Array,
  n: number,
  scratch: Float64Array,
  begin = 0,
  end = n,
): void {
  for (let i = begin; i < end; i++) {
    softmaxRow(raw, y[i]!, w[i]!, K, g, h, n, scratch, i);
  }
}

/**
 * {@link softmaxGradients} when every weight is 1 (the same values: multiplying by 1 is exact).
 *
 * @param scratch OUT: scratch space of K numbers
 * @param g,h OUT: K × n, class-major
 */
export function softmaxGradientsUnweighted(
  raw: Float64Array,
  y: Int32Array,
  K: number,
  g: Float32Array,
  h: Float32Array,
  n: number,
  scratch: Float64Array,
  begin = 0,
  end = n,
): void {
  for (let i = begin; i < end; i++) softmaxRow(raw, y[i]!, 1, K, g, h, n, scratch, i);
}

/** The softmax gradients of row i (label yi, weight wi). */
function softmaxRow(
  raw: Float64Array,
  yi: number,
  wi: number,
  K: number,
  g: Float32Array,
  h: Float32Array,
  n: number,
  scratch: Float64Array,
  i: number,
): void {
  // Subtract the largest score so exp cannot overflow.
  let max = -Infinity;
  for (let k = 0; k < K; k++) {
    const z = raw[k * n + i]!;
    if (z > max) max = z;
  }
  let sum = 0;
  for (let k = 0; k < K; k++) {
    const e = Math.exp(raw[k * n + i]! - max);
    scratch[k] = e;
    sum += e;
  }
  for (let k = 0; k < K; k++) {
    const p = scratch[k]! / sum;
    g[k * n + i] = (p - (k === yi ? 1 : 0)) * wi;
    h[k * n + i] = p * (1 - p) * wi;
  }
}

/**
 * Squared error gradients with weights (hessian = weight), of the rows [begin, end).
 *
 * @param g,h OUT: per row
 */
export function squaredErrorGradients(
  raw: Float64Array,
  y: Float64Array,
  w: Float64Array,
  g: Float32Array,
  h: Float32Array,
  end: number,
  begin = 0,
): void {
  for (let i = begin; i < end; i++) {
    const wi = w[i]!;
    g[i] = (raw[i]! - y[i]!) * wi;
    h[i] = wi;
  }
}

/**
 * Squared error gradients without weights, of the rows [begin, end): the hessian is 1
 * everywhere and is not stored.
 *
 * @param g OUT: per row
 */
export function squaredErrorGradientsUnweighted(
  raw: Float64Array,
  y: Float64Array,
  g: Float32Array,
  end: number,
  begin = 0,
): void {
  for (let i = begin; i < end; i++) g[i] = raw[i]! - y[i]!;
}

/**
 * Weighted mean binary log loss of log-odds `raw`, computed without overflow:
 * log(1 + e^z) − y·z = max(z, 0) − y·z + log(1 + e^−|z|).
 *
 * @param w IN: weight per row, or undefined for equal weights
 */
export function logisticLoss(
  raw: Float64Array,
  y: Int32Array,
  w: Float64Array | undefined,
  n: number,
): number {
  let sum = 0;
  let wsum = 0;
  for (let i = 0; i < n; i++) {
    const z = raw[i]!;
    const l = (z > 0 ? z : 0) - y[i]! * z + Math.log1p(Math.exp(-Math.abs(z)));
    const wi = w === undefined ? 1 : w[i]!;
    sum += wi * l;
    wsum += wi;
  }
  return wsum > 0 ? sum / wsum : NaN;
}

/**
 * Weighted mean multiclass log loss of row-major raw scores (class k of row i at i·K + k):
 * logsumexp(z) − z_y.
 */
export function softmaxLoss(
  raw: Float64Array,
  y: Int32Array,
  w: Float64Array | undefined,
  K: number,
  n: number,
): number {
  let sum = 0;
  let wsum = 0;
  for (let i = 0; i < n; i++) {
    const o = i * K;
    let max = -Infinity;
    for (let k = 0; k < K; k++) if (raw[o + k]! > max) max = raw[o + k]!;
    let s = 0;
    for (let k = 0; k < K; k++) s += Math.exp(raw[o + k]! - max);
    const l = max + Math.log(s) - raw[o + y[i]!]!;
    const wi = w === undefined ? 1 : w[i]!;
    sum += wi * l;
    wsum += wi;
  }
  return wsum > 0 ? sum / wsum : NaN;
}

/** Weighted mean squared error. */
export function squaredErrorLoss(
  raw: Float64Array,
  y: Float64Array,
  w: Float64Array | undefined,
  n: number,
): number {
  let sum = 0;
  let wsum = 0;
  for (let i = 0; i < n; i++) {
    const d = raw[i]! - y[i]!;
    const wi = w === undefined ? 1 : w[i]!;
    sum += wi * d * d;
    wsum += wi;
  }
  return wsum > 0 ? sum / wsum : NaN;
}
