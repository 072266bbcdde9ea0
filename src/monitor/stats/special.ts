/**
 * Special functions behind the drift tests' p-values: the normal tail (for the Z test), the
 * regularised upper incomplete gamma function (for the chi-square test), and the log-gamma
 * function they share. Each is written for relative accuracy in the far tail, where drift
 * p-values live: a p-value of 1e-40 is compared with a threshold, and shown to users next to
 * the one SciPy prints, so "0" or a value wrong in its third digit would both be bugs.
 *
 * Checked against SciPy 1.10 (`scipy.stats.norm.sf`, `scipy.stats.chi2.sf`, `scipy.special.gammaln`)
 * in `special.test.ts`, to about 1e-13 relative.
 */

const SQRT_PI = Math.sqrt(Math.PI);
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
const EPS = 2.220446049250313e-16;

/**
 * The complementary error function erfc(x) = 1 − erf(x), accurate relative to its value for
 * large x (where 1 − erf(x) would cancel to 0).
 *
 * Below 0.5 the alternating Taylor series of erf is used (terms shrink fast, nothing cancels);
 * up to 2 the non-alternating series erf(x) = 2/√π · e^(−x²) · Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1))
 * (all terms positive; erfc ≥ 0.0047 there, so 1 − erf loses under 2 digits); beyond 2 the
 * Laplace continued fraction erfc(x) = e^(−x²)/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + …)))),
 * evaluated with the modified Lentz method (Press et al., *Numerical Recipes*, §5.2).
 *
 * @example
 * erfc(3); // 2.209049699858544e-5
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 0.5) {
    // erf(x) = 2/√π Σ (−1)ⁿ x^(2n+1) / (n! (2n+1))
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 60; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < EPS * Math.abs(sum)) break;
    }
    return 1 - (2 / SQRT_PI) * sum;
  }
  if (x < 2) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 1);
      sum += term;
      if (term < EPS * sum) break;
    }
    return 1 - (2 / SQRT_PI) * Math.exp(-x2) * sum;
  }
  if (x > 27.3) return 0; // e^(−x²) underflows below the smallest subnormal
  // Lentz on b0 + a1/(b1 + a2/(b2 + …)) with b = x, a_k = k/2.
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 5000; k++) {
    const a = k / 2;
    d = x + a * d;
    if (d === 0) d = tiny;
    c = x + a / c;
    if (c === 0) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.exp(-x * x) / (SQRT_PI * f);
}

/**
 * The standard normal survival function P(Z > x) = ½·erfc(x/√2), as `scipy.stats.norm.sf`.
 *
 * @example
 * normalSf(1.959963984540054); // 0.025
 */
export function normalSf(x: number): number {
  return 0.5 * erfc(x * Math.SQRT1_2);
}

// Stirling's series for log Γ(a) − [(a − ½)·log a − a + ½·log 2π]: B₂ₖ / (2k(2k−1)·a^(2k−1)).
const STIRLING = [
  1 / 12,
  -1 / 360,
  1 / 1260,
  -1 / 1680,
  1 / 1188,
  -691 / 360360,
  1 / 156,
  -3617 / 122400,
] as const;

/** Stirling's correction term for a ≥ 10 (the series' error is below 1e-17 there). */
function stirlingCorrection(a: number): number {
  const r = 1 / a;
  const r2 = r * r;
  let s = 0;
  for (let k = STIRLING.length - 1; k >= 0; k--) s = s * r2 + STIRLING[k]!;
  return s * r;
}

/**
 * log Γ(a) for a > 0: Stirling's series from 10 up, the recurrence Γ(a) = Γ(a + k) / (a(a+1)…(a+k−1))
 * below.
 *
 * @example
 * logGamma(0.5); // 0.5723649429247001 (log √π)
 */
export function logGamma(a: number): number {
  if (!(a > 0)) return a === 0 ? Infinity : NaN;
  if (a === Infinity) return Infinity;
  if (a >= 10) return (a - 0.5) * Math.log(a) - a + HALF_LOG_2PI + stirlingCorrection(a);
  let product = 1;
  let shifted = a;
  while (shifted < 10) {
    product *= shifted;
    shifted += 1;
  }
  return logGamma(shifted) - Math.log(product);
}

/** log(1 + t) − t without cancellation for small t. */
function log1pmx(t: number): number {
  if (Math.abs(t) > 0.5) return Math.log1p(t) - t;
  // With s = t/(2+t): log(1+t) = 2·atanh(s) = 2(s + s³/3 + s⁵/5 + …), and 2s − t = −t·s.
  const s = t / (2 + t);
  const s2 = s * s;
  let power = s2;
  let series = 0;
  for (let k = 1; k < 40; k++) {
    const add = power / (2 * k + 1);
    series += add;
    if (add < EPS * Math.abs(series)) break;
    power *= s2;
  }
  return -t * s + 2 * s * series;
}

/**
 * log of the common prefactor xᵃe^(−x)/Γ(a) of both incomplete gamma series. For large a the
 * naive form loses digits to cancellation between a·log x, x and log Γ(a); rewriting with
 * t = (x − a)/a gives a·log1pmx(t) + ½·log(a/2π) − stirling(a) (DLMF 8.11 style), each term small.
 */
function logGammaPrefactor(a: number, x: number): number {
  if (a < 10) return a * Math.log(x) - x - logGamma(a);
  return a * log1pmx((x - a) / a) + 0.5 * Math.log(a / (2 * Math.PI)) - stirlingCorrection(a);
}

/**
 * The regularised upper incomplete gamma function Q(a, x) = Γ(a, x)/Γ(a), for a > 0, x ≥ 0.
 *
 * For x < a + 1 the series for P(a, x) converges fast and Q = 1 − P stays well above 0.3;
 * otherwise Legendre's continued fraction for Q (modified Lentz, *Numerical Recipes* §6.2) gives
 * Q directly, with full relative accuracy deep in the tail.
 *
 * @example
 * gammaQ(1, 2); // e^-2 ≈ 0.1353352832366127
 */
export function gammaQ(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x) || !(a > 0) || x < 0) return NaN;
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  const logPrefactor = logGammaPrefactor(a, x);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 100000; n++) {
      term *= x / (a + n);
      sum += term;
      if (term < EPS * sum) break;
    }
    return 1 - Math.exp(logPrefactor) * sum;
  }
  if (logPrefactor < -745.2) return 0;
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 100000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.exp(logPrefactor) * h;
}

/**
 * The chi-square survival function P(χ²_df > x), as `scipy.stats.chi2.sf(x, df)`.
 *
 * @example
 * chi2Sf(3.841458820694124, 1); // 0.05
 */
export function chi2Sf(x: number, df: number): number {
  if (!(df > 0)) return NaN;
  if (x <= 0) return 1;
  return gammaQ(df / 2, x / 2);
}
