/**
 * Limited-memory quasi-Newton minimisation: L-BFGS for smooth objectives and OWL-QN (Andrew &
 * Gao, 2007) when an L1 term Σ λ_i |x_i| is added. The linear models hand it their loss and
 * gradient; everything here works in place on Float64Arrays allocated once per call.
 *
 * Stopping: the largest entry of the (pseudo-)gradient ≤ `gtol` (as scipy's L-BFGS-B `gtol`,
 * which scikit-learn sets to its `tol`), or `maxIter` iterations, or a step that no longer
 * changes the objective at machine precision.
 */

/**
 * The smooth part of the objective: returns f(x) and writes ∇f(x) into `g`.
 * @param x IN
 * @param g OUT
 */
export type Objective = (x: Float64Array, g: Float64Array) => number;

export interface MinimizeOptions {
  maxIter: number;
  /** Stop when max |(pseudo-)gradient| ≤ gtol. */
  gtol: number;
  /** Correction pairs kept. Default 10, as scipy. */
  memory?: number;
  /** Per-coordinate L1 strengths λ_i ≥ 0 (OWL-QN); absent = a smooth problem. */
  l1?: Float64Array;
  /** After each iteration, with the current point; return false to stop. */
  onIteration?: (iteration: number, x: Float64Array) => boolean | void;
}

export interface MinimizeResult {
  x: Float64Array;
  /** The full objective at x (with the L1 term). */
  f: number;
  iterations: number;
  /** Whether the gradient test was met or f stopped changing at machine precision (not stopped by maxIter or the callback). */
  converged: boolean;
  /** max |(pseudo-)gradient| at x. */
  gradMax: number;
}

const C1 = 1e-4;
const C2 = 0.9;
const MAX_LINE_SEARCH = 60;

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]!);
    if (v > m) m = v;
  }
  return m;
}

function l1Term(x: Float64Array, l1: Float64Array | undefined): number {
  if (l1 === undefined) return 0;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += l1[i]! * Math.abs(x[i]!);
  return s;
}

/**
 * The pseudo-gradient of f + Σ λ_i|x_i|: the gradient where |x_i| is differentiable, and at
 * x_i = 0 the one-sided derivative that points downhill (0 when neither does).
 * @param out OUT
 */
function pseudoGradient(
  x: Float64Array,
  g: Float64Array,
  l1: Float64Array | undefined,
  out: Float64Array,
): void {
  if (l1 === undefined) {
    out.set(g);
    return;
  }
  for (let i = 0; i < x.length; i++) {
    const lam = l1[i]!;
    const gi = g[i]!;
    const xi = x[i]!;
    if (xi > 0) out[i] = gi + lam;
    else if (xi < 0) out[i] = gi - lam;
    else if (gi + lam < 0) out[i] = gi + lam;
    else if (gi - lam > 0) out[i] = gi - lam;
    else out[i] = 0;
  }
}

/**
 * Minimise `fg` (+ the optional L1 term) from `x0`.
 *
 * @example
 * const r = minimize((x, g) => { g[0] = 2 * (x[0]! - 3); return (x[0]! - 3) ** 2; }, new Float64Array(1), { maxIter: 100, gtol: 1e-10 });
 * r.x[0]; // 3
 */
export function minimize(fg: Objective, x0: Float64Array, options: MinimizeOptions): MinimizeResult {
  const n = x0.length;
  const m = options.memory ?? 10;
  const l1 = options.l1;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  const pg = new Float64Array(n);
  const d = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const S = Array.from({ length: m }, () => new Float64Array(n));
  const Y = Array.from({ length: m }, () => new Float64Array(n));
  const rho = new Float64Array(m);
  const alpha = new Float64Array(m);
  let count = 0;
  let head = 0; // next slot to write

  let f = fg(x, g) + l1Term(x, l1);
  pseudoGradient(x, g, l1, pg);
  let gradMax = maxAbs(pg);
  if (gradMax <= options.gtol) return { x, f, iterations: 0, converged: true, gradMax };

  let iterations = 0;
  let converged = false;
  while (iterations < options.maxIter) {
    // Two-loop recursion: d = −H·pg.
    for (let i = 0; i < n; i++) d[i] = -pg[i]!;
    for (let j = 0; j < count; j++) {
      const k = (head - 1 - j + m) % m;
      const a = rho[k]! * dot(S[k]!, d);
      alpha[k] = a;
      const y = Y[k]!;
      for (let i = 0; i < n; i++) d[i] = d[i]! - a * y[i]!;
    }
    if (count > 0) {
      const k = (head - 1 + m) % m;
      const gamma = dot(S[k]!, Y[k]!) / dot(Y[k]!, Y[k]!);
      for (let i = 0; i < n; i++) d[i] = d[i]! * gamma;
    }
    for (let j = count - 1; j >= 0; j--) {
      const k = (head - 1 - j + m) % m;
      const b = rho[k]! * dot(Y[k]!, d);
      const s = S[k]!;
      const a = alpha[k]!;
      for (let i = 0; i < n; i++) d[i] = d[i]! + (a - b) * s[i]!;
    }
    // OWL-QN: keep only the components that descend along the pseudo-gradient.
    if (l1 !== undefined) for (let i = 0; i < n; i++) if (d[i]! * pg[i]! >= 0) d[i] = 0;
    let slope = dot(d, pg);
    if (!(slope < 0)) {
      // The curvature pairs went bad: restart from steepest descent.
      count = 0;
      for (let i = 0; i < n; i++) d[i] = -pg[i]!;
      slope = dot(d, pg);
    }
    let step = count === 0 ? Math.min(1, 1 / Math.sqrt(dot(pg, pg))) : 1;

    let fNew = NaN;
    let accepted = false;
    if (l1 === undefined) {
      // Weak Wolfe by bisection/expansion (Lewis & Overton): robust and needs no interpolation.
      let lo = 0;
      let hi = Infinity;
      for (let ls = 0; ls < MAX_LINE_SEARCH; ls++) {
        for (let i = 0; i < n; i++) xNew[i] = x[i]! + step * d[i]!;
        fNew = fg(xNew, gNew);
        if (!(fNew <= f + C1 * step * slope)) hi = step;
        else if (dot(gNew, d) < C2 * slope) lo = step;
        else {
          accepted = true;
          break;
        }
        step = hi < Infinity ? (lo + hi) / 2 : 2 * step;
      }
      if (!accepted && lo > 0) {
        // No Wolfe point found at this precision; lo still decreases f enough.
        for (let i = 0; i < n; i++) xNew[i] = x[i]! + lo * d[i]!;
        fNew = fg(xNew, gNew);
        accepted = true;
      }
    } else {
      // OWL-QN: backtrack along the projected path, staying in the orthant of x (or of −pg at 0).
      for (let ls = 0; ls < MAX_LINE_SEARCH; ls++) {
        for (let i = 0; i < n; i++) {
          const xi = x[i]!;
          const v = xi + step * d[i]!;
          if (l1[i]! > 0) {
            const orthant = xi !== 0 ? xi : -pg[i]!;
            xNew[i] = v * orthant > 0 ? v : 0;
          } else xNew[i] = v;
        }
        fNew = fg(xNew, gNew) + l1Term(xNew, l1);
        let decrease = 0;
        for (let i = 0; i < n; i++) decrease += pg[i]! * (xNew[i]! - x[i]!);
        if (fNew <= f + C1 * decrease) {
          accepted = true;
          break;
        }
        step /= 2;
      }
    }
    if (!accepted || !(fNew <= f)) break; // no progress possible at this precision

    iterations++;
    // Curvature pair from the smooth gradient (the L1 term is handled by the orthant).
    const sk = S[head]!;
    const yk = Y[head]!;
    for (let i = 0; i < n; i++) {
      sk[i] = xNew[i]! - x[i]!;
      yk[i] = gNew[i]! - g[i]!;
    }
    const sy = dot(sk, yk);
    if (sy > 1e-12 * dot(yk, yk)) {
      rho[head] = 1 / sy;
      head = (head + 1) % m;
      if (count < m) count++;
    }
    const fOld = f;
    x.set(xNew);
    g.set(gNew);
    f = fNew;
    pseudoGradient(x, g, l1, pg);
    gradMax = maxAbs(pg);
    const stop = options.onIteration?.(iterations, x) === false;
    if (gradMax <= options.gtol) {
      converged = true;
      break;
    }
    if (stop) break;
    // The objective no longer moves at machine precision: as close as this arithmetic gets
    // (scipy's L-BFGS-B reports the same condition as convergence).
    if (fOld - f <= 4 * Number.EPSILON * Math.max(Math.abs(f), Math.abs(fOld), 1)) {
      converged = true;
      break;
    }
  }
  return { x, f, iterations, converged, gradMax };
}
