/**
 * Single-feature association kernels for the leakage check: ROC AUC by ranks (numeric and
 * categorical features, one-vs-rest per class), Pearson correlation and the correlation ratio η.
 * Pure functions over typed arrays; rows with a missing feature or target are skipped.
 */

/**
 * Mann–Whitney U of two ascending runs: pairs (x from a, y from b) with x > y, ties counting ½.
 * One forward walk of both runs.
 */
function mannWhitneyU(a: Float64Array, b: Float64Array): number {
  let u = 0;
  let lt = 0;
  for (let i = 0; i < a.length;) {
    const v = a[i]!;
    let j = i + 1;
    while (j < a.length && a[j] === v) j++;
    while (lt < b.length && b[lt]! < v) lt++;
    let eq = lt;
    while (eq < b.length && b[eq] === v) eq++;
    u += (j - i) * (lt + (eq - lt) / 2);
    i = j;
  }
  return u;
}

/**
 * One-vs-rest ROC AUC of a numeric score for every class: the Mann–Whitney U of the class
 * against the rest over (positives × negatives), ties counting ½ — equal to scikit-learn's
 * `roc_auc_score`, which interpolates ties.
 *
 * The scores are bucketed by class into one array and each bucket is sorted in place (native
 * typed-array sorts). "Class c vs the rest" is the sum of U(c, d) over the other classes d, and
 * each pair of buckets is merged once (U(d, c) = n_c·n_d − U(c, d)): O(n log n + k·n) with
 * sequential memory access and no per-row allocation.
 *
 * IN: scores (NaN = skip the row), classes (0..k−1, −1 = skip the row), k.
 * OUT: AUC of "class c vs the rest" per class, NaN for a class absent from, or alone in, the rows used;
 *   and `rows`, the rows used.
 */
export function oneVsRestAuc(
  scores: Float64Array,
  classes: Int32Array,
  k: number,
): { auc: Float64Array; rows: number } {
  const n = scores.length;
  const count = new Float64Array(k);
  let used = 0;
  for (let i = 0; i < n; i++) {
    const c = classes[i]!;
    if (scores[i] === scores[i] && c >= 0) {
      count[c]!++;
      used++;
    }
  }
  const start = new Int32Array(k + 1);
  for (let c = 0; c < k; c++) start[c + 1] = start[c]! + count[c]!;
  const byClass = new Float64Array(used);
  const fill = start.slice(0, k);
  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    const c = classes[i]!;
    // ±0 are one value: the sort would otherwise order -0 first and split the tie group.
    if (s === s && c >= 0) byClass[fill[c]!++] = s === 0 ? 0 : s;
  }
  const runs: Float64Array[] = [];
  for (let c = 0; c < k; c++) runs.push(byClass.subarray(start[c], start[c + 1]).sort());
  const u = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    if (count[c] === 0) continue;
    for (let d = c + 1; d < k; d++) {
      if (count[d] === 0) continue;
      const ucd = mannWhitneyU(runs[c]!, runs[d]!);
      u[c]! += ucd;
      u[d]! += count[c]! * count[d]! - ucd;
    }
  }
  const auc = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    const pos = count[c]!;
    const neg = used - pos;
    auc[c] = pos === 0 || neg === 0 ? NaN : u[c]! / (pos * neg);
  }
  return { auc, rows: used };
}

/**
 * One-vs-rest ROC AUC of a categorical feature scored by each category's share of the class
 * (its in-sample positive rate). Computed from the category × class count table: categories are
 * ordered by rate and each pair of (positive, negative) rows is counted once, ties as ½, which is
 * the rank AUC of the per-row scores without building them.
 *
 * The in-sample rate overfits columns with many rare categories (each category "predicts" its
 * own rows): that is what the id-like check is for.
 *
 * IN: codes (0..nCategories−1, −1 = skip), classes (0..k−1, −1 = skip).
 */
export function categoricalOneVsRestAuc(
  codes: Int32Array,
  nCategories: number,
  classes: Int32Array,
  k: number,
): { auc: Float64Array; rows: number } {
  const table = new Float64Array(nCategories * k);
  const total = new Float64Array(nCategories);
  const classTotal = new Float64Array(k);
  let used = 0;
  for (let i = 0; i < codes.length; i++) {
    const g = codes[i]!;
    const c = classes[i]!;
    if (g < 0 || c < 0) continue;
    table[g * k + c]!++;
    total[g]!++;
    classTotal[c]!++;
    used++;
  }
  const order = new Int32Array(nCategories);
  const rate = new Float64Array(nCategories);
  const byRate = (a: number, b: number): number => rate[a]! - rate[b]! || a - b;
  const auc = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    const P = classTotal[c]!;
    const N = used - P;
    if (P === 0 || N === 0) {
      auc[c] = NaN;
      continue;
    }
    let m = 0;
    for (let g = 0; g < nCategories; g++) {
      if (total[g]! === 0) continue;
      rate[g] = table[g * k + c]! / total[g]!;
      order[m++] = g;
    }
    order.subarray(0, m).sort(byRate);
    let negBelow = 0;
    let pairs = 0;
    for (let a = 0; a < m;) {
      // One tie group: categories with exactly the same rate.
      let b = a;
      let pos = 0;
      let neg = 0;
      const r = rate[order[a]!]!;
      while (b < m && rate[order[b]!]! === r) {
        const g = order[b]!;
        const p = table[g * k + c]!;
        pos += p;
        neg += total[g]! - p;
        b++;
      }
      pairs += pos * (negBelow + neg / 2);
      negBelow += neg;
      a = b;
    }
    auc[c] = pairs / (P * N);
  }
  return { auc, rows: used };
}

/**
 * Pearson correlation of `x` and `y` over rows where both are present (two passes about the
 * means, as scipy.stats.pearsonr). NaN when fewer than 2 rows or either is constant.
 */
export function pearson(x: Float64Array, y: Float64Array): { r: number; rows: number } {
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i]!;
    const b = y[i]!;
    if (a !== a || b !== b) continue;
    sx += a;
    sy += b;
    n++;
  }
  if (n < 2) return { r: NaN, rows: n };
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i]!;
    const b = y[i]!;
    if (a !== a || b !== b) continue;
    const dx = a - mx;
    const dy = b - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  if (sxx === 0 || syy === 0) return { r: NaN, rows: n };
  const r = sxy / Math.sqrt(sxx * syy);
  return { r: Math.max(-1, Math.min(1, r)), rows: n };
}

/**
 * Correlation ratio η of a numeric `y` on categories `codes`: sqrt(between-group sum of squares
 * / total sum of squares). 0 when the categories explain nothing, 1 when they fix y exactly.
 * NaN when fewer than 2 rows or y is constant.
 *
 * IN: codes (0..nCategories−1, −1 = skip), y (NaN = skip).
 */
export function correlationRatio(
  codes: Int32Array,
  nCategories: number,
  y: Float64Array,
): { eta: number; rows: number } {
  const sum = new Float64Array(nCategories);
  const cnt = new Float64Array(nCategories);
  let n = 0;
  let total = 0;
  for (let i = 0; i < codes.length; i++) {
    const g = codes[i]!;
    const v = y[i]!;
    if (g < 0 || v !== v) continue;
    sum[g]! += v;
    cnt[g]!++;
    total += v;
    n++;
  }
  if (n < 2) return { eta: NaN, rows: n };
  const mean = total / n;
  let ssTotal = 0;
  for (let i = 0; i < codes.length; i++) {
    const g = codes[i]!;
    const v = y[i]!;
    if (g < 0 || v !== v) continue;
    ssTotal += (v - mean) * (v - mean);
  }
  if (ssTotal === 0) return { eta: NaN, rows: n };
  let ssBetween = 0;
  for (let g = 0; g < nCategories; g++) {
    if (cnt[g]! === 0) continue;
    const d = sum[g]! / cnt[g]! - mean;
    ssBetween += cnt[g]! * d * d;
  }
  return { eta: Math.min(1, Math.sqrt(ssBetween / ssTotal)), rows: n };
}

/**
 * The fold (0..folds−1) of row `i` for the out-of-fold scores: Fibonacci hashing of the row
 * index, keeping the high bits. Deterministic, balanced, and unlike i mod folds not periodic, so
 * a column that repeats every few rows (weekdays in business-day data) still has every value in
 * every fold.
 */
export function foldOf(i: number, folds: number): number {
  return Math.floor(((Math.imul(i + 1, 0x9e3779b1) >>> 0) * folds) / 4294967296);
}

/**
 * One-vs-rest ROC AUC of a categorical feature scored out of fold: rows are dealt into `folds`
 * folds by {@link foldOf} (so a file sorted by the target still spreads every class over every
 * fold), and each row is scored by its category's class share in the *other* folds, or by
 * the overall class share when its category is not seen there.
 *
 * This is the confirmation for a high in-sample score: a category that is really a copy of the
 * target keeps its AUC out of fold, while rare categories, which only "predict" their own rows,
 * fall back to the prior and stop separating anything.
 *
 * IN: codes (0..nCategories−1, −1 = skip), classes (0..k−1, −1 = skip).
 * OUT: per class, NaN when the class is absent from, or alone in, the rows used.
 */
export function categoricalOutOfFoldAuc(
  codes: Int32Array,
  nCategories: number,
  classes: Int32Array,
  k: number,
  folds = 5,
): Float64Array {
  const n = codes.length;
  const totAll = new Float64Array(nCategories);
  const totFold = new Float64Array(nCategories * folds);
  let used = 0;
  for (let i = 0; i < n; i++) {
    const g = codes[i]!;
    if (g < 0 || classes[i]! < 0) continue;
    const f = foldOf(i, folds);
    totAll[g]!++;
    totFold[g * folds + f]!++;
    used++;
  }
  const posAll = new Float64Array(nCategories);
  const posFold = new Float64Array(nCategories * folds);
  const scores = new Float64Array(n);
  const labels = new Int32Array(n);
  const auc = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    posAll.fill(0);
    posFold.fill(0);
    let classTotal = 0;
    for (let i = 0; i < n; i++) {
      const g = codes[i]!;
      if (g < 0 || classes[i] !== c) continue;
      posAll[g]!++;
      posFold[g * folds + foldOf(i, folds)]!++;
      classTotal++;
    }
    for (let i = 0; i < n; i++) {
      const g = codes[i]!;
      const y = classes[i]!;
      if (g < 0 || y < 0) {
        scores[i] = NaN;
        labels[i] = -1;
        continue;
      }
      const f = foldOf(i, folds);
      const tot = totAll[g]! - totFold[g * folds + f]!;
      // An unseen category gets one constant for every row (the overall share), so it ties
      // instead of carrying its fold's own class balance back into the score.
      scores[i] = tot > 0 ? (posAll[g]! - posFold[g * folds + f]!) / tot : classTotal / used;
      labels[i] = y === c ? 1 : 0;
    }
    auc[c] = oneVsRestAuc(scores, labels, 2).auc[1]!;
  }
  return auc;
}

/**
 * The correlation ratio's out-of-fold counterpart, the confirmation for a high in-sample η:
 * each row is predicted by its category's mean of `y` in the other folds ({@link foldOf}), or by
 * the overall mean when its category is not seen there, and the score is sqrt(max(0, R²)) of
 * those predictions. A category that fixes y keeps a score near 1; rare categories, whose
 * in-sample means are their own values, fall to about 0.
 *
 * IN: codes (0..nCategories−1, −1 = skip), y (NaN = skip).
 * OUT: the score, NaN when fewer than 2 rows or y is constant.
 */
export function categoricalOutOfFoldEta(
  codes: Int32Array,
  nCategories: number,
  y: Float64Array,
  folds = 5,
): number {
  const n = codes.length;
  const sumAll = new Float64Array(nCategories);
  const cntAll = new Float64Array(nCategories);
  const sumFold = new Float64Array(nCategories * folds);
  const cntFold = new Float64Array(nCategories * folds);
  let used = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const g = codes[i]!;
    const v = y[i]!;
    if (g < 0 || v !== v) continue;
    const at = g * folds + foldOf(i, folds);
    sumAll[g]! += v;
    cntAll[g]!++;
    sumFold[at]! += v;
    cntFold[at]!++;
    total += v;
    used++;
  }
  if (used < 2) return NaN;
  const mean = total / used;
  let ssTotal = 0;
  let ssResidual = 0;
  for (let i = 0; i < n; i++) {
    const g = codes[i]!;
    const v = y[i]!;
    if (g < 0 || v !== v) continue;
    const at = g * folds + foldOf(i, folds);
    const cnt = cntAll[g]! - cntFold[at]!;
    const pred = cnt > 0 ? (sumAll[g]! - sumFold[at]!) / cnt : mean;
    ssTotal += (v - mean) * (v - mean);
    ssResidual += (v - pred) * (v - pred);
  }
  if (ssTotal === 0) return NaN;
  return Math.sqrt(Math.max(0, 1 - ssResidual / ssTotal));
}
