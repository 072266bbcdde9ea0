/** Small statistics for the tests of the example data, with naive versions to check them against. */

/**
 * ROC AUC as the Mann–Whitney statistic: the mean rank of the positives, with tied scores
 * sharing their average rank (so a tie counts half). Rows whose score is NaN are skipped.
 */
export function rocAuc(score: ArrayLike<number>, label: ArrayLike<number>): number {
  const order: number[] = [];
  for (let i = 0; i < score.length; i++) if (!Number.isNaN(score[i]!)) order.push(i);
  order.sort((a, b) => score[a]! - score[b]!);
  let positives = 0;
  let negatives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end < order.length && score[order[end]!] === score[order[start]!]) end++;
    const averageRank = (start + 1 + end) / 2; // ranks start..end-1 are 1-based start+1..end
    for (let k = start; k < end; k++) {
      if (label[order[k]!] === 1) {
        positives++;
        positiveRankSum += averageRank;
      } else negatives++;
    }
    start = end;
  }
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** ROC AUC by comparing every positive with every negative (O(n²); for checking {@link rocAuc}). */
export function naiveRocAuc(score: ArrayLike<number>, label: ArrayLike<number>): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < score.length; i++) {
    if (label[i] !== 1 || Number.isNaN(score[i]!)) continue;
    for (let j = 0; j < score.length; j++) {
      if (label[j] === 1 || Number.isNaN(score[j]!)) continue;
      pairs++;
      wins += score[i]! > score[j]! ? 1 : score[i] === score[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

/** Pearson correlation over the rows where both values are present. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let n = 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i]!) || Number.isNaN(y[i]!)) continue;
    n++;
    mx += x[i]!;
    my += y[i]!;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i]!) || Number.isNaN(y[i]!)) continue;
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Share of ones. */
export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return s / values.length;
}

/** Negated copy: for an AUC where smaller values mean "more likely positive". */
export function negate(values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = -values[i]!;
  return out;
}
