/**
 * The two-sided one-sample Kolmogorov distribution: kolmogorovSf(x, n) = P(Dₙ ≥ x) where
 * Dₙ = supₜ |Fₙ(t) − F(t)|, what `scipy.stats.kstwo.sf(x, n)` returns. The two-sample KS test
 * takes its asymptotic p-value from it, with n = round(n₁n₂/(n₁+n₂)).
 *
 * No single method is both fast and accurate over all (n, x), so, as SciPy 1.10, this follows
 * Simard and L'Ecuyer, "Computing the Two-Sided Kolmogorov–Smirnov Distribution" (Journal of
 * Statistical Software 39(11), 2011) in choosing between:
 * - Ruben and Gambino's closed forms for x ≤ 1/n and x ≥ 1 − 1/n;
 * - Durbin's matrix method (1968) as evaluated by Marsaglia, Tsang and Wang, "Evaluating
 *   Kolmogorov's Distribution" (JSS 8(18), 2003), for small n·x²;
 * - Pomeranz's recursion (CACM Algorithm 487, 1974) for n ≤ 140 and moderate n·x²;
 * - Pelz and Good's asymptotic series (JRSS B 38(2), 1976) for large n and small n·x²;
 * - 2·P(D⁺ₙ ≥ x), the one-sided exact tail (smirnov.ts), for the right tail, where the
 *   probability that both one-sided statistics exceed x is negligible (Miller's approximation).
 * The cut-offs are SciPy's, so the same method is picked for the same (n, x).
 */

import { ldexp, smirnovSf } from "./smirnov.js";

const E128 = 128;
const P128 = 2 ** 128;
const M128 = 2 ** -128;
const LOG_2PI = Math.log(2 * Math.PI);
const SQRT_2PI = Math.sqrt(2 * Math.PI);
const PI2 = Math.PI ** 2;
const PI4 = Math.PI ** 4;
const PI6 = Math.PI ** 6;
const SQRT3 = Math.sqrt(3);
const MIN_LOG = -708;

// Stirling coefficients B₂ⱼ/(2j)/(2j−1) for j = 8…1, highest power first.
const STIRLING_COEFFS = [
  -3617 / 122400,
  1 / 156,
  -691 / 360360,
  1 / 1188,
  -1 / 1680,
  1 / 1260,
  -1 / 360,
  1 / 12,
] as const;

function clip01(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

/** log(n!/nⁿ) by Stirling's series, with n·log n taken out first so nothing cancels. */
function logFactorialOverPower(n: number): number {
  const rn = 1 / n;
  let poly = 0;
  const r2 = rn / n;
  for (const c of STIRLING_COEFFS) poly = poly * r2 + c;
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * poly;
}

/** C = A·B for m×m row-major matrices. */
function matmul(a: Float64Array, b: Float64Array, m: number): Float64Array<ArrayBuffer> {
  const c = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    const row = i * m;
    for (let k = 0; k < m; k++) {
      const aik = a[row + k]!;
      if (aik === 0) continue;
      const brow = k * m;
      for (let j = 0; j < m; j++) c[row + j]! += aik * b[brow + j]!;
    }
  }
  return c;
}

/**
 * P(Dₙ ≤ d) by Durbin's matrix: d = (k − h)/n, H the (2k−1)² matrix of Marsaglia–Tsang–Wang,
 * the answer n!/nⁿ · (Hⁿ)ₖₖ. Powers by squaring, rescaled by 2^128 to stay in range.
 */
function durbinCdf(n: number, d: number): number {
  if (d >= 1) return 1;
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (1 - h ** j) * fac;
  }
  const tt = Math.max(2 * h - 1, 0) ** m - 2 * h ** m;
  v[m - 1] = (1 + tt) * fac;
  let hm = new Float64Array(m * m);
  for (let i = 1; i < m; i++) for (let r = i - 1; r < m; r++) hm[r * m + i] = w[r - i + 1]!;
  for (let r = 0; r < m; r++) hm[r * m] = v[r]!;
  for (let c = 0; c < m; c++) hm[(m - 1) * m + c] = v[m - 1 - c]!;

  let power = new Float64Array(m * m);
  for (let i = 0; i < m; i++) power[i * m + i] = 1;
  let exponent = 0;
  let hExponent = 0;
  let nn = n;
  const kk = (k - 1) * m + (k - 1);
  while (nn > 0) {
    if (nn % 2 === 1) {
      power = matmul(power, hm, m);
      exponent += hExponent;
    }
    hm = matmul(hm, hm, m);
    hExponent *= 2;
    if (Math.abs(hm[kk]!) > P128) {
      for (let i = 0; i < hm.length; i++) hm[i]! /= P128;
      hExponent += E128;
    }
    nn = Math.floor(nn / 2);
  }
  let p = power[kk]!;
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (Math.abs(p) < M128) {
      p *= P128;
      exponent -= E128;
    }
  }
  if (exponent !== 0) p = ldexp(p, exponent);
  return clip01(p);
}

/** The first and last non-zero entries of row i of Pomeranz's recursion. */
function pomeranzBounds(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const ip1div2 = Math.floor((i + 1) / 2);
    if ((i + 1) % 2 === 0) {
      if (ip1div2 === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = ip1div2 - 1 - ll - roundf - 1;
        j2 = ip1div2 + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = ip1div2 - 1 - ll - 1;
      j2 = ip1div2 + ll + roundf - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/**
 * P(Dₙ ≤ x) by Pomeranz's recursion: 2n + 1 rows, each the convolution of the previous one
 * with one of three (unnormalised) Poisson weight vectors; n! times the last entry.
 */
function pomeranzCdf(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = t - ll;
  const g = Math.min(f, 1 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const npwrs = 2 * (ll + 1);
  const gpower = new Float64Array(npwrs);
  const twogpower = new Float64Array(npwrs);
  const onem2gpower = new Float64Array(npwrs);
  gpower[0] = 1;
  twogpower[0] = 1;
  onem2gpower[0] = 1;
  const gOverN = g / n;
  const twoGOverN = (2 * g) / n;
  const oneMinusTwoGOverN = (1 - 2 * g) / n;
  for (let m = 1; m < npwrs; m++) {
    gpower[m] = (gpower[m - 1]! * gOverN) / m;
    twogpower[m] = (twogpower[m - 1]! * twoGOverN) / m;
    onem2gpower[m] = (onem2gpower[m - 1]! * oneMinusTwoGOverN) / m;
  }
  let v0 = new Float64Array(npwrs);
  let v1 = new Float64Array(npwrs);
  v1[0] = 1;
  let v0s = 0;
  let v1s = 0;
  let exponent = 0;
  let j1 = pomeranzBounds(0, n, ll, ceilf, roundf)[0];
  let j2: number;
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [v0, v1] = [v1, v0];
    [v0s, v1s] = [v1s, v0s];
    v1.fill(0);
    [j1, j2] = pomeranzBounds(i, n, ll, ceilf, roundf);
    const pwrs = i === 1 || i === 2 * n + 1 ? gpower : i % 2 === 1 ? twogpower : onem2gpower;
    const ln2 = j2 - k1 + 1;
    if (ln2 > 0) {
      // conv = V0[k1−V0s … +ln2) ∗ pwrs[0 … ln2), entries conv[j1−k1 … j2−k1].
      const base = k1 - v0s;
      const aLen = Math.min(ln2, npwrs - base);
      const vLen = Math.min(ln2, npwrs);
      const convStart = j1 - k1;
      const convLen = j2 - j1 + 1;
      let max = 0;
      for (let q = 0; q < convLen; q++) {
        const idx = convStart + q;
        let s = 0;
        const pLo = Math.max(0, idx - vLen + 1);
        const pHi = Math.min(aLen - 1, idx);
        for (let p = pLo; p <= pHi; p++) s += v0[base + p]! * pwrs[idx - p]!;
        v1[q] = s;
        if (s > max) max = s;
      }
      if (max > 0 && max < M128) {
        for (let q = 0; q < convLen; q++) v1[q]! *= P128;
        exponent -= E128;
      }
      v1s = v0s + j1 - k1;
    }
  }
  let ans = v1[n - v1s]!;
  for (let m = 1; m <= n; m++) {
    if (Math.abs(ans) > P128) {
      ans *= M128;
      exponent += E128;
    }
    ans *= m;
  }
  if (exponent !== 0) ans = ldexp(ans, exponent);
  return clip01(ans);
}

/**
 * Pelz and Good's approximation of P(Dₙ ≤ x): Li-Chien and Korolyuk's expansion
 * K₀(z) + K₁(z)/√n + K₂(z)/n + K₃(z)/n^1.5 at z = x√n, each Kᵢ transformed with Jacobi theta
 * identities into sums that converge fast for small z.
 */
function pelzGoodCdf(n: number, x: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const z = Math.sqrt(n) * x;
  const z2 = z ** 2;
  const z3 = z ** 3;
  const z4 = z ** 4;
  const z6 = z ** 6;
  const qlog = -PI2 / 8 / z2;
  if (qlog < MIN_LOG) return 0;
  let q = Math.exp(qlog);
  const k1a = -z2;
  const k1b = PI2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4;
  const k2c = (PI4 * (1 - 2 * z2)) / 16;
  const k3d = (PI6 * (5 - 30 * z2)) / 64;
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z ** 8;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  // Horner scheme in q^(8k) for Σ cₖ q^((2k−1)²), over odd integers.
  const maxk = Math.ceil((16 * z) / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const m2 = m ** 2;
    const m4 = m ** 4;
    const m6 = m ** 6;
    const qpower = Math.pow(q, 8 * k);
    s0 = s0 * qpower + 1;
    s1 = s1 * qpower + (k1a + k1b * m2);
    s2 = s2 * qpower + (k2a + k2b * m2 + k2c * m4);
    s3 = s3 * qpower + (k3a + k3b * m2 + k3c * m4 + k3d * m6);
  }
  s0 = (s0 * q * SQRT_2PI) / z;
  s1 = (s1 * q * SQRT_2PI) / (6 * z4);
  s2 = (s2 * q * SQRT_2PI) / (72 * z ** 7);
  s3 = (s3 * q * SQRT_2PI) / (6480 * z ** 10);
  // The other sums, over all integers k: K₂ gains π²k²q^(k²), K₃ (3π²k²z² − π⁴k⁴)q^(k²).
  q = Math.exp(-PI2 / 2 / z2);
  const sqrt3z = SQRT3 * z;
  let k2extra = 0;
  let k3extra = 0;
  for (let k = maxk; k > 0; k--) {
    const k2 = k ** 2;
    const qp = q ** k2;
    const kpi = Math.PI * k;
    k2extra += k2 * qp;
    k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * k2 * qp;
  }
  s2 += k2extra * ((PI2 * SQRT_2PI) / (-36 * z3));
  s3 += k3extra * ((PI2 * SQRT_2PI) / (216 * z6));
  return s0 + s1 / Math.pow(n, 0.5) + s2 / n + s3 / Math.pow(n, 1.5);
}

/**
 * P(Dₙ ≥ x) for the two-sided one-sample Kolmogorov–Smirnov statistic with sample size n, as
 * `scipy.stats.kstwo.sf(x, n)`.
 *
 * @example
 * kolmogorovSf(0.2, 50); // 0.031438...
 */
export function kolmogorovSf(x: number, n: number): number {
  if (Number.isNaN(x) || !Number.isInteger(n) || n <= 0) return NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    // Ruben–Gambino: for 1/2n ≤ x ≤ 1/n, P(Dₙ ≤ x) = n!/nⁿ (2t − 1)ⁿ.
    if (t <= 0.5) return 1;
    let prob: number;
    if (n <= 140) {
      prob = 1;
      const inv = 1 / n;
      const base = 2 * t - 1;
      for (let i = 1; i <= n; i++) prob *= i * inv * base;
    } else {
      prob = Math.exp(logFactorialOverPower(n) + n * Math.log(2 * t - 1));
    }
    return clip01(1 - prob);
  }
  if (t >= n - 1) return clip01(2 * (1 - x) ** n); // Ruben–Gambino
  if (x >= 0.5) return clip01(2 * smirnovSf(n, x)); // exact: the two one-sided tails cannot overlap
  const nx2 = t * x;
  if (n <= 140) {
    if (nx2 <= 0.754693) return clip01(1 - durbinCdf(n, x));
    if (nx2 <= 4) return clip01(1 - pomeranzCdf(n, x));
    return clip01(2 * smirnovSf(n, x));
  }
  if (nx2 >= 370) return 0;
  if (nx2 >= 2.2) return clip01(2 * smirnovSf(n, x));
  const cdf = n <= 100000 && n * x ** 1.5 <= 1.4 ? durbinCdf(n, x) : pelzGoodCdf(n, x);
  return clip01(1 - cdf);
}
