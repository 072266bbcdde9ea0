/**
 * The one-sided Kolmogorov–Smirnov distribution: smirnovSf(n, x) = P(D⁺ₙ ≥ x), what
 * `scipy.special.smirnov(n, x)` returns. The two-sided distribution (kolmogorov.ts) uses
 * 2·smirnovSf for its right tail, so this is where small KS p-values come from.
 *
 * Birnbaum and Tingey's exact formula (1951, already in Smirnov 1944):
 *
 *   P(D⁺ₙ ≥ x) = x · Σ_{v=0}^{⌊n(1−x)⌋} C(n, v) (x + v/n)^(v−1) (1 − x − v/n)^(n−v)
 *
 * Every term is positive, but C(n, v) overflows a double and (1 − x − v/n)^(n−v) underflows
 * one long before their product does, and an error δ in a base becomes (n − v)·δ in its power.
 * Following van Mulbregt ("Computing the CDF and quantiles of the one-sided Kolmogorov–Smirnov
 * statistic", arXiv:1802.06966, the method behind SciPy's implementation), bases and the
 * binomial coefficient are carried in double-double arithmetic (Dekker 1971) and every factor
 * as a mantissa in [0.5, 1) with a separate binary exponent. The branch structure (special
 * cases, upper or lower sum, early stop, the large-n approximation) follows SciPy 1.10 so the
 * results agree with it to about 1e-13.
 */

// ---- double-double arithmetic ------------------------------------------------------------
// A value is hi + lo with |lo| ≤ ulp(hi)/2. Functions return hi and leave lo in `S[LO]`, so the
// inner loop allocates nothing.

// Scratch outputs. Typed-array slots, not module-level `let`s: V8 boxes a double stored in a
// module variable on every write, which made this code allocation-bound.
const S = new Float64Array(3);
const LO = 0;
const FREXP_E = 1;
const POW_E = 2;

const SPLITTER = 134217729; // 2^27 + 1, Dekker's split constant

/** a + b exactly: returns the rounded sum, leaves the rounding error in S[LO]. */
function twoSum(a: number, b: number): number {
  const s = a + b;
  const bb = s - a;
  S[LO] = a - (s - bb) + (b - bb);
  return s;
}

/** a + b exactly when |a| ≥ |b|. */
function quickTwoSum(a: number, b: number): number {
  const s = a + b;
  S[LO] = b - (s - a);
  return s;
}

/** a·b exactly (Dekker's product; JavaScript has no fused multiply-add). */
function twoProd(a: number, b: number): number {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  S[LO] = ah * bh - p + ah * bl + al * bh + al * bl;
  return p;
}

/** (ah + al)·(bh + bl). */
function mulDD(ah: number, al: number, bh: number, bl: number): number {
  const p = twoProd(ah, bh);
  const e = S[LO]! + (ah * bl + al * bh);
  return quickTwoSum(p, e);
}

/** (ah + al) + (bh + bl). */
function addDD(ah: number, al: number, bh: number, bl: number): number {
  const s = twoSum(ah, bh);
  const e = S[LO]!;
  const t = twoSum(al, bl);
  const f = S[LO]!;
  const s2 = quickTwoSum(s, e + t);
  return quickTwoSum(s2, S[LO]! + f);
}

/** a / b for doubles a, b, as a double-double. */
function divD(a: number, b: number): number {
  const q1 = a / b;
  const p = twoProd(q1, b);
  const r = a - p - S[LO]!;
  return quickTwoSum(q1, r / b);
}

/** (ah + al) / (bh + bl). */
function divDD(ah: number, al: number, bh: number, bl: number): number {
  const q1 = ah / bh;
  const p = mulDD(q1, 0, bh, bl);
  const r = addDD(ah, al, -p, -S[LO]!);
  const q2 = r / bh;
  return quickTwoSum(q1, q2);
}

// ---- mantissa/exponent representation ----------------------------------------------------

const TWO_POW = new Float64Array(2098);
for (let e = -1074; e <= 1023; e++) TWO_POW[e + 1074] = 2 ** e;

/** 2^e for any integer e (0 or Infinity outside the double range). */
function pow2(e: number): number {
  if (e < -1074) return 0;
  if (e > 1023) return Infinity;
  return TWO_POW[e + 1074]!;
}

/** x·2^e without overflowing intermediates. */
export function ldexp(x: number, e: number): number {
  while (e > 1023) {
    x *= pow2(1023);
    e -= 1023;
    if (!Number.isFinite(x)) return x;
  }
  while (e < -1022) {
    x *= pow2(-1022);
    e += 1022;
    if (x === 0) return x;
  }
  return x * pow2(e);
}

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

/** The binary exponent e with |x| = m·2^e, m in [0.5, 1); returns m (with x's sign), e in S[FREXP_E]. */
function frexp(x: number): number {
  F64[0] = x;
  const biased = (U32[1]! >>> 20) & 0x7ff;
  if (biased !== 0 && biased !== 0x7ff) {
    // Normal numbers: read the exponent from the bits (little-endian: word 1 is the high half).
    const e = biased - 1022;
    S[FREXP_E] = e;
    return x * TWO_POW[1074 - e]!;
  }
  if (x === 0 || !Number.isFinite(x)) {
    S[FREXP_E] = 0;
    return x;
  }
  // Subnormal: scale into the normal range first.
  const m = frexp(x * 2 ** 64);
  S[FREXP_E]! -= 64;
  return m;
}

/**
 * (hi + lo)^m for an integer m ≥ 0, as a double-double mantissa (returned, low part in S[LO]) in
 * [0.5, 1) in absolute value and an exponent in S[POW_E]. With y the mantissa of the base,
 * Math.pow serves while y^m stays above 2^-960; beyond, y^m = (y^c)^q · y^r with c the largest
 * exponent that keeps y^c in range (SciPy's scheme): three powers, an error of about q ulps.
 */
function powScaled(hi: number, lo: number, m: number): number {
  if (m === 0) {
    S[POW_E] = 1;
    S[LO] = 0;
    return 0.5;
  }
  let sign = 1;
  if (hi < 0) {
    hi = -hi;
    lo = -lo;
    if (m % 2 === 1) sign = -1;
  }
  const yh = frexp(hi);
  const ye = S[FREXP_E]!;
  const yl = ldexp(lo, -ye);
  // log(y) ≥ (y − 1)/y, so when m(y − 1)/y ≥ −960·ln 2, y^m ≥ 2^-960 for sure.
  let c = m;
  if (m > 960 && (m * (yh - 1)) / yh < -960 * Math.LN2) c = Math.floor(-960 / Math.log2(yh));
  let mh: number;
  let ml: number;
  let me: number;
  if (m <= c) {
    const ph = powDD(yh, yl, m);
    const pl = S[LO]!;
    mh = frexp(ph);
    me = S[FREXP_E]!;
    ml = ldexp(pl, -me);
  } else {
    const q = Math.floor(m / c);
    const r = m - q * c;
    let th = powDD(yh, yl, c);
    let tl = S[LO]!;
    th = frexp(th);
    const ce = S[FREXP_E]!;
    tl = ldexp(tl, -ce);
    const qh = powScaled(th, tl, q);
    const ql = S[LO]!;
    const qe = S[POW_E]!;
    let rh = powDD(yh, yl, r);
    let rl = S[LO]!;
    rh = frexp(rh);
    const re = S[FREXP_E]!;
    rl = ldexp(rl, -re);
    const ph = mulDD(qh, ql, rh, rl);
    const pl = S[LO]!;
    mh = frexp(ph);
    const pe = S[FREXP_E]!;
    ml = ldexp(pl, -pe);
    me = pe + qe + q * ce + re;
  }
  S[POW_E] = me + m * ye;
  S[LO] = sign * ml;
  return sign * mh;
}

/** Double-double (hi + lo)^m for small results (no scaling), as SciPy's pow_D. */
function powDD(hi: number, lo: number, m: number): number {
  if (m === 0) {
    S[LO] = 0;
    return 1;
  }
  if (hi === 0) {
    S[LO] = 0;
    return 0;
  }
  const p = Math.pow(hi, m);
  const r = lo / hi;
  let adj = m * r;
  if (Math.abs(adj) > 1e-8) {
    if (Math.abs(adj) < 1e-4) adj += m * r * (((m - 1) / 2) * r);
    else adj = Math.expm1(m * Math.log1p(r));
  }
  return twoSum(p, p * adj);
}

// ---- the distribution --------------------------------------------------------------------

/** log(2^-1075): exp of anything below underflows (Cephes' MINLOG). */
const MIN_LOG = -745.1332191019412;
/** Beyond this n SciPy switches to an approximation rather than summing n terms. */
const SMIRNOV_MAX_COMPUTE_N = 1000000;

/**
 * P(D⁺ₙ ≥ x): the survival function of the one-sided Kolmogorov–Smirnov statistic for a sample
 * of size n, as `scipy.special.smirnov(n, x)`.
 *
 * @example
 * smirnovSf(10, 0.3); // 0.135463...
 */
export function smirnovSf(n: number, x: number): number {
  if (!(n > 0 && x >= 0 && x <= 1) || !Number.isInteger(n)) return NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;

  // floor(n·x) and the fractional part, exactly.
  const nxh = twoProd(n, x);
  const nxl = S[LO]!;
  let flh = Math.floor(nxh);
  let fll = 0;
  if (flh === nxh) {
    fll = Math.floor(nxl);
    flh = quickTwoSum(flh, fll);
    fll = S[LO]!;
  }
  let alpha = addDD(nxh, nxl, -flh, -fll);
  let nxfl = flh + fll;
  if (alpha === 1) {
    nxfl += 1;
    alpha = 0;
  }
  let n1mxfl = n - nxfl - (alpha === 0 ? 0 : 1);
  let n1mxceil = n - nxfl;
  // When n·x is an integer the last term of either sum is 0: leave it out.
  if (alpha === 0) {
    n1mxfl -= 1;
    n1mxceil += 1;
  }

  // x ≤ 1/n: the sum has one term.
  if (nxfl === 0 || (nxfl === 1 && alpha === 0)) {
    const bh = twoSum(1, x);
    const t = powDD(bh, S[LO]!, n - 1);
    const cdf = x * (t + S[LO]!);
    return clip01(1 - cdf);
  }
  if (-2 * n * x * x < MIN_LOG) return 0;
  // x ≥ 1 − 1/n: P = (1 − x)^n.
  if (nxfl >= n - 1) {
    const b = twoSum(1, -x);
    return clip01(powDD(b, S[LO]!, n));
  }
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    // Smirnov's approximation p ≈ exp(−(6nx + 1)² / 18n).
    const logp = -Math.pow(6 * n * x + 1, 2) / 18 / n;
    return clip01(logp < -Math.LN2 ? Math.exp(logp) : 1 + Math.expm1(logp));
  }

  // The upper sum (v from n down) alternates in sign, so it is used only when it has few terms.
  const nUpperTerms = n - n1mxceil + 1;
  const useUpperSum =
    (nUpperTerms <= 1 && x < 0.5) || (n >= 10 && nUpperTerms <= 3 && x <= 0.5 / Math.sqrt(n));

  let sumH: number;
  let sumL: number;
  let start = 0;
  let step = 1;
  let nTerms = n1mxfl + 1;
  if (useUpperSum) {
    start = n;
    step = -1;
    nTerms = nUpperTerms;
    const t1 = powDD(twoSum(1, x), S[LO]!, n - 1); // v = n: (1 + x)^(n−1)
    sumH = t1;
    sumL = S[LO]!;
  } else {
    const b = twoSum(1, -x);
    const t2 = powDD(b, S[LO]!, n); // v = 0: (1 − x)^n / x
    const t2l = S[LO]!;
    sumH = divDD(t2, t2l, x, 0);
    sumL = S[LO]!;
  }

  // C(n, v) as (mantissa double-double, exponent), updated by the ratio (n − j)/(j + 1) after
  // each term. (Inline, not a closure: locals a closure writes to would be boxed on each write.)
  let cH = divD(n, 1);
  let cL = S[LO]!;
  cH = frexp(cH);
  let cE = S[FREXP_E]!;
  cL = ldexp(cL, -cE);

  const vmid = Math.floor(n / 2);
  for (let j = 1; j < nTerms; j++) {
    const v = start + j * step;
    // A_v = C(n, v) · (x + v/n)^(v−1) · (1 − x − v/n)^(n−v)
    let bh = divD(n - v, n);
    let bl = S[LO]!;
    bh = addDD(bh, bl, -x, 0);
    bl = S[LO]!;
    const t2h = powScaled(bh, bl, n - v);
    const t2l = S[LO]!;
    const t2e = S[POW_E]!;
    bh = divD(v, n);
    bl = S[LO]!;
    bh = addDD(bh, bl, x, 0);
    bl = S[LO]!;
    const t1h = powScaled(bh, bl, v - 1);
    const t1l = S[LO]!;
    const t1e = S[POW_E]!;
    let ah = mulDD(t1h, t1l, t2h, t2l);
    let al = S[LO]!;
    ah = mulDD(ah, al, cH, cL);
    al = S[LO]!;
    const e = cE + t1e + t2e;
    ah = ldexp(ah, e);
    al = ldexp(al, e);
    if (Number.isFinite(ah) && ah !== 0) {
      sumH = addDD(sumH, sumL, ah, al);
      sumL = S[LO]!;
      // Safe to stop: the remaining terms cannot reach the last bit.
      if (4 * (nTerms - j) * Math.abs(ah) < EPSILON * sumH && j !== nTerms - 1) break;
    } else if (ah === 0 && j > vmid) {
      break;
    }
    const rh = divD(n - j, j + 1);
    const rl = S[LO]!;
    const ph = mulDD(cH, cL, rh, rl);
    const pl = S[LO]!;
    cH = frexp(ph);
    cE += S[FREXP_E]!;
    cL = ldexp(pl, -S[FREXP_E]!);
  }
  const prob = x * (sumH + sumL);
  return clip01(step < 0 ? 1 - prob : prob);
}

const EPSILON = 2.220446049250313e-16;

function clip01(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}
