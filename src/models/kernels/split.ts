/**
 * The best split of one feature from a leaf's histogram (see histogram.ts for the layout).
 *
 * A split after value bin b sends bins 0..b left and b+1.. right; missing values go to one side
 * as a whole. As in XGBoost's sparsity-aware search and scikit-learn's HistGradientBoosting:
 * - left to right, missing values go right; b runs over 0..V-2, and also V-1 when the feature
 *   had missing values in training ("every value left, missing right");
 * - right to left, only for features with missing values, missing values go left; b runs
 *   V-2..0.
 * A candidate is kept when both sides have ≥ `minData` rows and ≥ `minHessian` hessian, and its
 * gain beats the best so far strictly (so ties keep the earlier candidate: the earlier
 * feature, then missing-right, then the lower bin).
 *
 * Gain is the loss reduction of the second-order approximation, without XGBoost's factor ½
 * (as LightGBM and scikit-learn):
 *   GL²/(HL+λ) + GR²/(HR+λ) − G²/(H+λ),
 * with 1e-15 added to every denominator (as scikit-learn), so empty-hessian sides stay finite.
 */

/** Fields of a split record (a Float64Array of {@link SPLIT_FIELDS} numbers). */
export const SPLIT_GAIN = 0;
/** Local bin after which the split cuts. */
export const SPLIT_BIN = 1;
/** 1 when missing values go left. */
export const SPLIT_MISSING_LEFT = 2;
export const SPLIT_LEFT_G = 3;
export const SPLIT_LEFT_H = 4;
export const SPLIT_LEFT_COUNT = 5;
/** The feature (set by the caller, not by {@link bestSplitOfFeature}). */
export const SPLIT_FEATURE = 6;
export const SPLIT_FIELDS = 7;

const EPS = 1e-15;

/** The score G²/(H+λ) of a node; a split's gain is its children's scores minus the parent's. */
export function nodeScore(g: number, h: number, lambda: number): number {
  return (g * g) / (h + lambda + EPS);
}

/** A leaf's value before shrinkage: −G/(H+λ). */
export function leafValue(g: number, h: number, lambda: number): number {
  return -g / (h + lambda + EPS);
}

/**
 * Look for a split of one feature better than the one in `best`.
 *
 * @param hist IN: the leaf's histogram; this feature's bin 0 is at `featureBase`, its
 *   `nValueBins` value bins are followed by its missing bin
 * @param hasMissing 1 when the feature had missing values in training
 * @param sumG,sumH,count IN: the leaf's totals
 * @param best IN/OUT: the best split so far at `at`; overwritten when this feature beats it
 *   (gain must also exceed `minGain`). Start with gain = -Infinity.
 * @returns true when `best` was overwritten
 */
export function bestSplitOfFeature(
  hist: Float64Array,
  featureBase: number,
  nValueBins: number,
  hasMissing: number,
  sumG: number,
  sumH: number,
  count: number,
  minData: number,
  minHessian: number,
  lambda: number,
  minGain: number,
  best: Float64Array,
  at: number,
): boolean {
  const denomAdd = lambda + EPS;
  const parent = (sumG * sumG) / (sumH + denomAdd);
  // A gain must beat both the best so far and minGain.
  let bar = best[at + SPLIT_GAIN]!;
  if (!(bar >= minGain)) bar = minGain;
  let found = false;
  let bestBin = 0;
  let bestMissingLeft = 0;
  let bestG = 0;
  let bestH = 0;
  let bestC = 0;

  // Left to right: missing values (if any) go right.
  let gl = 0;
  let hl = 0;
  let cl = 0;
  const end = nValueBins - 1 + (hasMissing === 1 ? 1 : 0);
  for (let b = 0; b < end; b++) {
    const j = featureBase + b * 3;
    gl += hist[j]!;
    hl += hist[j + 1]!;
    cl += hist[j + 2]!;
    const cr = count - cl;
    if (cl < minData) continue;
    if (cr < minData) break;
    const hr = sumH - hl;
    if (hl < minHessian) continue;
    if (hr < minHessian) break;
    const gr = sumG - gl;
    const gain = (gl * gl) / (hl + denomAdd) + (gr * gr) / (hr + denomAdd) - parent;
    if (gain > bar) {
      bar = gain;
      found = true;
      bestBin = b;
      bestMissingLeft = 0;
      bestG = gl;
      bestH = hl;
      bestC = cl;
    }
  }

  // Right to left: missing values go left.
  if (hasMissing === 1) {
    let gr = 0;
    let hr = 0;
    let cr = 0;
    for (let b = nValueBins - 2; b >= 0; b--) {
      const j = featureBase + (b + 1) * 3;
      gr += hist[j]!;
      hr += hist[j + 1]!;
      cr += hist[j + 2]!;
      const c = count - cr;
      if (cr < minData) continue;
      if (c < minData) break;
      const h = sumH - hr;
      if (hr < minHessian) continue;
      if (h < minHessian) break;
      const g = sumG - gr;
      const gain = (g * g) / (h + denomAdd) + (gr * gr) / (hr + denomAdd) - parent;
      if (gain > bar) {
        bar = gain;
        found = true;
        bestBin = b;
        bestMissingLeft = 1;
        bestG = g;
        bestH = h;
        bestC = c;
      }
    }
  }

  if (!found) return false;
  best[at + SPLIT_GAIN] = bar;
  best[at + SPLIT_BIN] = bestBin;
  best[at + SPLIT_MISSING_LEFT] = bestMissingLeft;
  best[at + SPLIT_LEFT_G] = bestG;
  best[at + SPLIT_LEFT_H] = bestH;
  best[at + SPLIT_LEFT_COUNT] = bestC;
  return true;
}
