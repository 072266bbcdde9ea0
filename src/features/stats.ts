/**
 * Column statistics for fitting: imputation values and scaler parameters. They follow the
 * definitions of scikit-learn's SimpleImputer, StandardScaler (population std), MinMaxScaler
 * and RobustScaler (IQR with NumPy's linear percentiles); summation is compensated, so results
 * agree with NumPy's pairwise sums to about 1e-15 relative.
 */

/** The non-missing values of `values`, sorted ascending. */
export function sortedPresent(values: Float64Array): Float64Array {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === values[i]) n++;
  const out = new Float64Array(n);
  for (let i = 0, k = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === v) out[k++] = v;
  }
  return out.sort();
}

/** Compensated (Neumaier) sum of the non-missing values, and their count. */
export function sumPresent(values: Float64Array): { sum: number; n: number } {
  let sum = 0;
  let comp = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v) continue;
    const t = sum + v;
    comp += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
    n++;
  }
  return { sum: sum + comp, n };
}

/** Mean of the non-missing values; NaN when there are none. */
export function meanPresent(values: Float64Array): number {
  const { sum, n } = sumPresent(values);
  return n === 0 ? NaN : sum / n;
}

/** Population standard deviation (ddof = 0) around `mean`, over non-missing values. */
export function populationStd(values: Float64Array, mean: number): number {
  let sum = 0;
  let comp = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v) continue;
    const d = (v - mean) * (v - mean);
    const t = sum + d;
    comp += sum >= d ? sum - t + d : d - t + sum;
    sum = t;
    n++;
  }
  return n === 0 ? NaN : Math.sqrt((sum + comp) / n);
}

/** The q-quantile (0 ≤ q ≤ 1) of sorted values, with linear interpolation (NumPy's default). */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  const t = h - lo;
  return t === 0 ? a : a + (b - a) * t;
}

/** The median of sorted values (mean of the two middle ones for an even count). */
export function medianSorted(sorted: Float64Array): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The median of the non-missing values, as {@link medianSorted} of {@link sortedPresent} gives
 * it (the same number, the same sign of zero), in linear time: a selection, not a sort.
 */
export function medianPresent(values: Float64Array): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === values[i]) n++;
  if (n === 0) return NaN;
  const work = new Float64Array(n);
  for (let i = 0, k = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === v) work[k++] = v;
  }
  const mid = n >> 1;
  if (n % 2 === 1) return signedAsSorted(values, selectKth(work, mid), mid);
  const upper = selectKth(work, mid);
  // After the selection everything below `mid` is ≤ the upper middle value: the lower middle
  // value is their largest.
  let lower = work[0]!;
  for (let i = 1; i < mid; i++) if (work[i]! > lower) lower = work[i]!;
  return (signedAsSorted(values, lower, mid - 1) + signedAsSorted(values, upper, mid)) / 2;
}

/**
 * Rearrange `a` so that `a[k]` is the value a sort would put there, everything before it ≤ and
 * everything after it ≥ (Hoare's selection with a median-of-three pivot); returns `a[k]`.
 */
function selectKth(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const m = (lo + hi) >> 1;
    // Median of three as the pivot.
    const x = a[lo]!;
    const y = a[m]!;
    const z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k]!;
}

/**
 * A selected zero with the sign a sort gives it: a sort puts every −0 before every +0, so the
 * value at sorted position `k` is −0 exactly when k falls among them.
 */
function signedAsSorted(values: Float64Array, v: number, k: number): number {
  if (v !== 0) return v;
  let below = 0;
  let negativeZeros = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (x < 0) below++;
    else if (x === 0 && Object.is(x, -0)) negativeZeros++;
  }
  return k < below + negativeZeros ? -0 : 0;
}

/** The most frequent of sorted values; ties go to the smallest (as SimpleImputer). NaN when empty. */
export function modeSorted(sorted: Float64Array): number {
  let best = NaN;
  let bestCount = 0;
  for (let i = 0; i < sorted.length;) {
    let j = i + 1;
    while (j < sorted.length && sorted[j] === sorted[i]) j++;
    if (j - i > bestCount) {
      bestCount = j - i;
      best = sorted[i]!;
    }
    i = j;
  }
  return best;
}

/**
 * The share of rows taken by the most frequent value (missing counts as one value), when it is
 * at least `threshold`; otherwise any number below `threshold`. With threshold 1 only
 * constancy is checked, in one pass.
 */
export function topShare(values: Float64Array, threshold = 0): number {
  const n = values.length;
  if (n === 0) return 1;
  const first = values[0]!;
  let constant = true;
  for (let i = 1; i < n; i++) {
    const v = values[i]!;
    if (!(v === first || (v !== v && first !== first))) {
      constant = false;
      break;
    }
  }
  if (constant) return 1;
  if (threshold >= 1) return 0;
  // Few distinct values (one-hot, indicators, bins): count them directly; else sort.
  const seen = new Float64Array(8);
  const counts = new Float64Array(8);
  let distinct = 0;
  let nan = 0;
  let i = 0;
  for (; i < n; i++) {
    const v = values[i]!;
    if (v !== v) {
      nan++;
      continue;
    }
    let k = 0;
    while (k < distinct && seen[k] !== v) k++;
    if (k === distinct) {
      if (distinct === 8) break;
      seen[distinct++] = v;
    }
    counts[k]!++;
  }
  if (i === n) {
    let best = nan;
    for (let k = 0; k < distinct; k++) if (counts[k]! > best) best = counts[k]!;
    return best / n;
  }
  const sorted = Float64Array.from(values).sort(); // NaN sorts last
  let best = 0;
  for (let a = 0; a < n;) {
    let b = a + 1;
    const v = sorted[a]!;
    while (b < n && (sorted[b] === v || (v !== v && sorted[b] !== sorted[b]))) b++;
    if (b - a > best) best = b - a;
    a = b;
  }
  return best / n;
}
