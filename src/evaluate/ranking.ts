/**
 * Ranking metrics (ROC AUC, average precision) from one pass over the distinct scores.
 *
 * Rows are put in order of score by an LSD radix sort of the scores' IEEE-754 bits (16 bits a
 * pass, passes where every row shares the digit skipped), which carries the row index along at
 * O(n) cost — about as fast as the built-in typed-array sort, which cannot. Walking that
 * order groups rows of equal score and sums their positive and negative weights; both metrics
 * follow from one walk over the groups, with ties handled exactly (rows of equal score are one
 * step of the curve). A million rows score in a few hundred milliseconds, with no per-row
 * allocation.
 */

const SIGN = 0x80000000;

/**
 * Row indices in ascending order of score (stable; -0 just before 0). Row i's score is
 * `scores[i * stride + offset]`; scores must not be NaN.
 */
export function orderByScore(
  scores: ArrayLike<number>,
  nRows: number,
  stride: number,
  offset: number,
): Uint32Array {
  const bits = new Float64Array(nRows);
  for (let i = 0; i < nRows; i++) bits[i] = scores[i * stride + offset]!;
  // The two 32-bit halves of each double (little-endian, as on every platform Node runs on).
  const halves = new Uint32Array(bits.buffer);
  let lo = new Uint32Array(nRows);
  let hi = new Uint32Array(nRows);
  let idx = new Uint32Array(nRows);
  for (let i = 0; i < nRows; i++) {
    let l = halves[2 * i]!;
    let h = halves[2 * i + 1]!;
    // Map doubles to unsigned integers of the same order: flip every bit of negatives (their
    // magnitude order reverses), set the sign bit of the others.
    if ((h & SIGN) !== 0) {
      h = ~h >>> 0;
      l = ~l >>> 0;
    } else h = (h | SIGN) >>> 0;
    lo[i] = l;
    hi[i] = h;
    idx[i] = i;
  }
  let lo2 = new Uint32Array(nRows);
  let hi2 = new Uint32Array(nRows);
  let idx2 = new Uint32Array(nRows);
  const count = new Uint32Array(65536);
  for (let pass = 0; pass < 4; pass++) {
    const key = pass < 2 ? lo : hi;
    const shift = (pass & 1) * 16;
    count.fill(0);
    for (let i = 0; i < nRows; i++) {
      const d = (key[i]! >>> shift) & 0xffff;
      count[d] = count[d]! + 1;
    }
    if (nRows === 0 || count[(key[0]! >>> shift) & 0xffff] === nRows) continue;
    let sum = 0;
    for (let b = 0; b < 65536; b++) {
      const c = count[b]!;
      count[b] = sum;
      sum += c;
    }
    for (let i = 0; i < nRows; i++) {
      const d = (key[i]! >>> shift) & 0xffff;
      const at = count[d]!;
      count[d] = at + 1;
      lo2[at] = lo[i]!;
      hi2[at] = hi[i]!;
      idx2[at] = idx[i]!;
    }
    [lo, lo2] = [lo2, lo];
    [hi, hi2] = [hi2, hi];
    [idx, idx2] = [idx2, idx];
  }
  return idx;
}

/** Weighted positives and negatives per distinct score, in ascending order of score. */
export interface ScoreGroups {
  /** Number of distinct scores. */
  readonly n: number;
  /** The distinct scores, ascending (first `n` entries). */
  readonly scores: Float64Array;
  /** Weight of positive rows with each score. */
  readonly pos: Float64Array;
  /** Weight of negative rows with each score. */
  readonly neg: Float64Array;
  readonly totalPos: number;
  readonly totalNeg: number;
}

/**
 * Group rows by score. Row i's score is `scores[i * stride + offset]` (a column of row-major
 * probabilities, or a plain score array with stride 1); it is positive when `y[i] === target`.
 * Scores must not be NaN (callers check).
 */
export function scoreGroups(
  y: ArrayLike<number>,
  target: number,
  scores: ArrayLike<number>,
  stride: number,
  offset: number,
  weights?: ArrayLike<number>,
): ScoreGroups {
  const nRows = y.length;
  const order = orderByScore(scores, nRows, stride, offset);
  let n = 0;
  for (let r = 0; r < nRows; r++) {
    // `!==` makes -0 and 0 one score, as comparisons do.
    if (r === 0 || scores[order[r]! * stride + offset] !== scores[order[r - 1]! * stride + offset]) n++;
  }
  const distinct = new Float64Array(n);
  const pos = new Float64Array(n);
  const neg = new Float64Array(n);
  let totalPos = 0;
  let totalNeg = 0;
  let g = -1;
  let last = NaN;
  for (let r = 0; r < nRows; r++) {
    const i = order[r]!;
    const s = scores[i * stride + offset]!;
    if (g < 0 || s !== last) {
      distinct[++g] = s;
      last = s;
    }
    const w = weights === undefined ? 1 : weights[i]!;
    if (y[i] === target) {
      pos[g] = pos[g]! + w;
      totalPos += w;
    } else {
      neg[g] = neg[g]! + w;
      totalNeg += w;
    }
  }
  return { n, scores: distinct, pos, neg, totalPos, totalNeg };
}

/**
 * Area under the ROC curve: the chance that a random positive scores above a random negative,
 * counting a tie as one half (the trapezoid rule over the curve's tied steps, as scikit-learn).
 * NaN when there are no positives or no negatives (weighted), where the curve is undefined.
 */
export function aucOfGroups(g: ScoreGroups): number {
  if (!(g.totalPos > 0) || !(g.totalNeg > 0)) return NaN;
  let negBelow = 0;
  let sum = 0;
  for (let u = 0; u < g.n; u++) {
    const neg = g.neg[u]!;
    sum += g.pos[u]! * (negBelow + 0.5 * neg);
    negBelow += neg;
  }
  return sum / (g.totalPos * g.totalNeg);
}

/**
 * Average precision: Σ over distinct thresholds, from the highest score down, of
 * (recall gained) × (precision at that threshold) — scikit-learn's `average_precision_score`,
 * which steps rather than interpolates. NaN when there are no positives (recall is undefined).
 */
export function averagePrecisionOfGroups(g: ScoreGroups): number {
  if (!(g.totalPos > 0)) return NaN;
  let tp = 0;
  let fp = 0;
  let ap = 0;
  for (let u = g.n - 1; u >= 0; u--) {
    const pos = g.pos[u]!;
    tp += pos;
    fp += g.neg[u]!;
    if (pos > 0) ap += (pos / g.totalPos) * (tp / (tp + fp));
  }
  return ap;
}
