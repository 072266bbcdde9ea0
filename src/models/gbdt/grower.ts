/**
 * Grows one tree leaf-wise (best-first, as LightGBM): among the current leaves, split the one
 * whose best split gains most, until `numLeaves` leaves, `maxDepth`, or no leaf has a split
 * that passes the constraints.
 *
 * Per split: partition the leaf's rows (one partition buffer, per-leaf ranges shard by shard)
 * and, in the same pass over the shards, build the histogram of the smaller child only; the
 * larger one is the parent's minus it (in the parent's slot). Then find each child's best
 * split. Children that can never split (at the depth limit, too few rows, or the last split
 * of the tree) get no histogram.
 *
 * Histograms live in a pool of slots sized to a memory budget. When the pool is full, the leaf
 * least likely to be split next (lowest gain) gives up its slot; if it is split later, its
 * children are built directly instead of by subtraction.
 *
 * Everything here is allocated once per fit and reused for every tree.
 */
import { SluiceError } from "../../errors.js";
import { HIST_STRIDE, subtractHistogram } from "../kernels/histogram.js";
import {
  bestSplitOfFeature,
  leafValue,
  SPLIT_BIN,
  SPLIT_FEATURE,
  SPLIT_FIELDS,
  SPLIT_GAIN,
  SPLIT_LEFT_COUNT,
  SPLIT_LEFT_G,
  SPLIT_LEFT_H,
  SPLIT_MISSING_LEFT,
} from "../kernels/split.js";
import type { Tree } from "../tree.js";
import type { BinnedData } from "./dataset.js";
import type { HistogramBuilder } from "./histogram-builder.js";
import type { Team } from "./row-tasks.js";

/** The constraints of a tree. */
export interface GrowerParams {
  numLeaves: number;
  /** Infinity for no limit. */
  maxDepth: number;
  minDataInLeaf: number;
  minSumHessian: number;
  lambdaL2: number;
  minGainToSplit: number;
  learningRate: number;
}

/** Bytes of histograms kept at once; beyond that, leaves give up their histograms. */
export const HISTOGRAM_POOL_BYTES = 256 * 1024 * 1024;

/** A grown tree; its leaves' rows are in the partition, shard by shard (SharedBuffers). */
export interface GrownTree {
  tree: Tree;
  /** Per node, the local bin of its split (for routing binned rows); -1 at leaves. */
  splitBin: Int32Array;
  nLeaves: number;
  /** Per leaf (0..nLeaves-1): its node. */
  leafNode: Int32Array;
}

export class TreeGrower {
  private readonly L: number;
  // Leaves (their rows: the shard ranges of SharedBuffers).
  private readonly leafCount: Int32Array;
  private readonly leafG: Float64Array;
  private readonly leafH: Float64Array;
  private readonly leafDepth: Int32Array;
  private readonly leafNode: Int32Array;
  private readonly leafSlot: Int32Array;
  /** Best split per leaf, SPLIT_FIELDS numbers each; gain -Infinity when it cannot split. */
  private readonly splits: Float64Array;
  // Nodes (at most 2L − 1).
  private readonly feature: Int32Array;
  private readonly threshold: Float64Array;
  private readonly missingLeft: Uint8Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly cover: Float64Array;
  private readonly gain: Float64Array;
  private readonly splitBin: Int32Array;
  // Histogram slots.
  private readonly slotOwner: Int32Array;
  private readonly histLength: number;
  /** The split under way (planHistograms → completeHistograms): the parent's slot, the child its pass builds and where, the slot to keep. */
  private parentSlot = -1;
  /** The root's gradient and hessian totals from a root build that computed the gradients. */
  private readonly rootSums = new Float64Array(2);
  private firstBuild = -1;
  private firstSlot = -1;
  private keptSlot = -1;

  constructor(
    private readonly data: BinnedData,
    private readonly params: GrowerParams,
    private readonly builder: HistogramBuilder,
    /** The row passes: splits of leaves, on the histogram threads when there are any. */
    private readonly tasks: Team,
    /** The histogram pool; its length fixes the number of slots. */
    private readonly hist: Float64Array,
    /**
     * Where the leaves' values go for the training scores (SharedBuffers.leafValue), when the
     * rows of final splits should get them at once; undefined to leave every leaf's rows in
     * the partition.
     */
    private readonly scores?: Float64Array,
  ) {
    const L = params.numLeaves;
    this.L = L;
    this.leafCount = new Int32Array(L);
    this.leafG = new Float64Array(L);
    this.leafH = new Float64Array(L);
    this.leafDepth = new Int32Array(L);
    this.leafNode = new Int32Array(L);
    this.leafSlot = new Int32Array(L);
    this.splits = new Float64Array(L * SPLIT_FIELDS);
    const nodes = 2 * L - 1;
    this.feature = new Int32Array(nodes);
    this.threshold = new Float64Array(nodes);
    this.missingLeft = new Uint8Array(nodes);
    this.left = new Int32Array(nodes);
    this.right = new Int32Array(nodes);
    this.cover = new Float64Array(nodes);
    this.gain = new Float64Array(nodes);
    this.splitBin = new Int32Array(nodes);
    this.histLength = data.totalBins * HIST_STRIDE;
    this.slotOwner = new Int32Array(Math.floor(hist.length / this.histLength)).fill(-1);
  }

  /** Histogram slots that fit the pool budget for `numLeaves` leaves (at least 3). */
  static slotsFor(numLeaves: number, totalBins: number): number {
    const bytes = totalBins * HIST_STRIDE * 8;
    return Math.max(3, Math.min(numLeaves, Math.floor(HISTOGRAM_POOL_BYTES / bytes)));
  }

  /**
   * Grow a tree on the rows `rows[0 .. count)` (ascending) with the gradients at `gBase`.
   *
   * @param allRows the rows are every row 0..nRows-1 (no bagging): the root reads gradients in
   *   place instead of gathering them, and its split reads no partition
   * @param features IN: the features this tree may split on (feature_fraction), ascending
   * @param withGradients the round's gradients are computed with the root's histogram (one
   *   output, every row, root counts known: HistogramBuilder.buildAllWithGradients); `sumG`
   *   and `sumH` are then ignored
   */
  grow(
    count: number,
    allRows: boolean,
    gBase: number,
    sumG: number,
    sumH: number,
    features: Int32Array,
    nFeatures: number,
    withGradients = false,
  ): GrownTree {
    const p = this.params;
    this.slotOwner.fill(-1);
    this.leafSlot.fill(-1);
    let nLeaves = 1;
    let nNodes = 1;
    this.tasks.setRoot(count);
    this.leafCount[0] = count;
    this.leafG[0] = sumG;
    this.leafH[0] = sumH;
    this.leafDepth[0] = 0;
    this.leafNode[0] = 0;
    this.feature[0] = -1;
    this.splits[SPLIT_GAIN] = -Infinity;
    if (withGradients) {
      // The root's totals come out of its histogram's pass; the histogram is built even when
      // the root will not split, for those totals.
      const slot = this.acquire(-1, -1);
      this.assign(slot, 0);
      this.builder.buildAllWithGradients(slot * this.histLength, this.rootSums);
      this.leafG[0] = this.rootSums[0]!;
      this.leafH[0] = this.rootSums[1]!;
      if (p.numLeaves > 1 && this.canSplit(0)) this.findSplit(0, features, nFeatures);
      else this.release(0);
    } else if (p.numLeaves > 1 && this.canSplit(0)) {
      const slot = this.acquire(-1, -1);
      this.assign(slot, 0);
      const base = slot * this.histLength;
      if (allRows) this.builder.buildAll(base, gBase, sumG, sumH);
      else this.builder.buildLeaf(base, 0, count, gBase, sumG, sumH);
      this.findSplit(0, features, nFeatures);
    }

    while (nLeaves < this.L) {
      const leaf = this.bestLeaf(nLeaves);
      if (leaf < 0) break;
      const at = leaf * SPLIT_FIELDS;
      const s = this.splits;
      const f = s[at + SPLIT_FEATURE]!;
      const bin = s[at + SPLIT_BIN]!;
      const gl = s[at + SPLIT_LEFT_G]!;
      const hl = s[at + SPLIT_LEFT_H]!;
      const cl = s[at + SPLIT_LEFT_COUNT]!;
      const total = this.leafCount[leaf]!;
      const cr = total - cl;
      const gr = this.leafG[leaf]! - gl;
      const hr = this.leafH[leaf]! - hl;
      let missLeft = s[at + SPLIT_MISSING_LEFT]!;
      // Without missing values in training, missing values later follow the majority (as
      // scikit-learn: the side with more training rows; ties go right).
      if (this.data.hasMissing[f] === 0) missLeft = cl > cr ? 1 : 0;

      // The left child keeps the leaf's index, the right child is a new leaf.
      const depth = this.leafDepth[leaf]! + 1;
      const right = nLeaves;
      const gain = s[at + SPLIT_GAIN]!;
      s[at + SPLIT_GAIN] = -Infinity;
      s[right * SPLIT_FIELDS + SPLIT_GAIN] = -Infinity;
      this.leafSlot[right] = -1;
      const last = nLeaves + 1 === this.L;
      const needL = !last && this.canSplitWith(depth, cl, hl);
      const needR = !last && this.canSplitWith(depth, cr, hr);
      this.planHistograms(leaf, right, cl <= cr, needL, needR);
      const built = this.firstBuild;
      const builtLeft = built === leaf;
      // Neither child will be split again: their values are final, and go straight to their
      // rows' scores instead of the rows being reordered (see Team.split).
      const scores = this.scores;
      const score = scores !== undefined && !needL && !needR;
      if (score) {
        scores[leaf] = p.learningRate * leafValue(gl, hl, p.lambdaL2);
        scores[right] = p.learningRate * leafValue(gr, hr, p.lambdaL2);
      }

      // Without bagging the root holds every row in order: its split reads no partition.
      const nLeft = this.tasks.split(
        leaf,
        right,
        total,
        f * this.data.nRows,
        bin,
        this.data.nValueBins[f]!,
        missLeft,
        allRows && nLeaves === 1,
        built,
        builtLeft ? cl : cr,
        this.firstSlot * this.histLength,
        gBase,
        score,
      );
      if (nLeft !== cl)
        throw new SluiceError(
          "E_INTERNAL",
          `tree growth: the split of feature ${f} at bin ${bin} sent ${nLeft} rows left, its histogram counted ${cl}`,
        );

      // The leaf's node becomes the split; its children are new nodes after it.
      const node = this.leafNode[leaf]!;
      const ln = nNodes;
      const rn = nNodes + 1;
      nNodes += 2;
      this.feature[node] = f;
      this.threshold[node] = this.thresholdOf(f, bin);
      this.missingLeft[node] = missLeft;
      this.left[node] = ln;
      this.right[node] = rn;
      this.gain[node] = gain;
      this.splitBin[node] = bin;
      this.cover[node] = this.leafH[leaf]!;
      this.feature[ln] = -1;
      this.feature[rn] = -1;

      nLeaves++;
      this.leafCount[leaf] = cl;
      this.leafG[leaf] = gl;
      this.leafH[leaf] = hl;
      this.leafDepth[leaf] = depth;
      this.leafNode[leaf] = ln;
      this.leafCount[right] = cr;
      this.leafG[right] = gr;
      this.leafH[right] = hr;
      this.leafDepth[right] = depth;
      this.leafNode[right] = rn;

      if (built >= 0)
        this.builder.finish(
          this.firstSlot * this.histLength,
          builtLeft ? gl : gr,
          builtLeft ? hl : hr,
          builtLeft ? cl : cr,
        );
      this.completeHistograms(leaf, right, needL, needR, gBase);
      if (needL) this.findSplit(leaf, features, nFeatures);
      if (needR) this.findSplit(right, features, nFeatures);
    }
    return this.finish(nNodes, nLeaves);
  }

  /** A leaf may be split: depth, rows and hessian allow children that pass the constraints. */
  private canSplit(leaf: number): boolean {
    return this.canSplitWith(this.leafDepth[leaf]!, this.leafCount[leaf]!, this.leafH[leaf]!);
  }

  private canSplitWith(depth: number, count: number, hessian: number): boolean {
    const p = this.params;
    return depth < p.maxDepth && count >= 2 * p.minDataInLeaf && hessian >= 2 * p.minSumHessian;
  }

  /** The splittable leaf with the highest gain (the lowest index on ties), or -1. */
  private bestLeaf(nLeaves: number): number {
    let best = -1;
    let bestGain = -Infinity;
    for (let l = 0; l < nLeaves; l++) {
      const g = this.splits[l * SPLIT_FIELDS + SPLIT_GAIN]!;
      if (g > bestGain) {
        bestGain = g;
        best = l;
      }
    }
    return best;
  }

  /** The raw threshold of a split after local bin `bin` (finite, so model files hold it). */
  private thresholdOf(f: number, bin: number): number {
    const t = this.data.mapper.thresholds[f]!;
    // After the last value bin: every value left, missing right.
    if (bin >= t.length) return Number.MAX_VALUE;
    const v = t[bin]!;
    return v > Number.MAX_VALUE ? Number.MAX_VALUE : v < -Number.MAX_VALUE ? -Number.MAX_VALUE : v;
  }

  private findSplit(leaf: number, features: Int32Array, nFeatures: number): void {
    const p = this.params;
    const d = this.data;
    const s = this.splits;
    const at = leaf * SPLIT_FIELDS;
    s[at + SPLIT_GAIN] = -Infinity;
    const base = this.leafSlot[leaf]! * this.histLength;
    const G = this.leafG[leaf]!;
    const H = this.leafH[leaf]!;
    const C = this.leafCount[leaf]!;
    for (let i = 0; i < nFeatures; i++) {
      const f = features[i]!;
      const nb = d.nValueBins[f]!;
      if (nb < 2 && d.hasMissing[f] === 0) continue;
      if (
        bestSplitOfFeature(
          this.hist,
          base + d.binOffset[f]! * HIST_STRIDE,
          nb,
          d.hasMissing[f]!,
          G,
          H,
          C,
          p.minDataInLeaf,
          p.minSumHessian,
          p.lambdaL2,
          p.minGainToSplit,
          s,
          at,
        )
      )
        s[at + SPLIT_FEATURE] = f;
    }
    // A leaf that cannot split gives its histogram back.
    if (s[at + SPLIT_GAIN] === -Infinity) this.release(leaf);
  }

  /**
   * Histograms of a split leaf's children, before the split: the slots, and which child the
   * split's pass sums ({@link firstBuild} into {@link firstSlot}, or -1). The smaller child is
   * built and the larger one is the parent's minus it, in the parent's slot (which the left
   * child, holding the leaf's index, owns); without the parent's histogram, what is needed is
   * built directly (the second child by {@link completeHistograms}).
   */
  private planHistograms(
    leaf: number,
    right: number,
    leftSmaller: boolean,
    needL: boolean,
    needR: boolean,
  ): void {
    const parentSlot = this.leafSlot[leaf]!;
    this.leafSlot[leaf] = -1;
    if (parentSlot >= 0) this.slotOwner[parentSlot] = -1;
    this.parentSlot = parentSlot;
    this.firstBuild = -1;
    this.firstSlot = -1;
    this.keptSlot = -1;
    if (!needL && !needR) return;
    const small = leftSmaller ? leaf : right;
    const large = leftSmaller ? right : leaf;
    const needSmall = leftSmaller ? needL : needR;
    const needLarge = leftSmaller ? needR : needL;
    if (needLarge && parentSlot >= 0) {
      // Keep the parent's slot from eviction while the small child is built.
      this.slotOwner[parentSlot] = large;
      this.firstBuild = small;
      this.firstSlot = this.acquire(parentSlot, -1);
    } else if (needSmall) {
      const slot = parentSlot >= 0 ? parentSlot : this.acquire(-1, -1);
      this.assign(slot, small);
      this.firstBuild = small;
      this.firstSlot = slot;
      this.keptSlot = slot;
    } else {
      const slot = this.acquire(-1, -1);
      this.assign(slot, large);
      this.firstBuild = large;
      this.firstSlot = slot;
    }
  }

  /** The rest of {@link planHistograms} once the split has run: subtraction, or the second build. */
  private completeHistograms(
    leaf: number,
    right: number,
    needL: boolean,
    needR: boolean,
    gBase: number,
  ): void {
    if (!needL && !needR) return;
    const leftSmaller = this.leafCount[leaf]! <= this.leafCount[right]!;
    const small = leftSmaller ? leaf : right;
    const large = leftSmaller ? right : leaf;
    const needSmall = leftSmaller ? needL : needR;
    const needLarge = leftSmaller ? needR : needL;
    const parentSlot = this.parentSlot;
    if (needLarge && parentSlot >= 0) {
      subtractHistogram(
        this.hist,
        parentSlot * this.histLength,
        this.hist,
        this.firstSlot * this.histLength,
        this.histLength,
      );
      this.assign(parentSlot, large);
      if (needSmall) this.assign(this.firstSlot, small);
    } else if (needSmall && needLarge) {
      const slot = this.acquire(this.keptSlot, -1);
      this.assign(slot, large);
      this.build(large, slot, gBase);
    }
  }

  private build(leaf: number, slot: number, gBase: number): void {
    this.builder.buildLeaf(
      slot * this.histLength,
      leaf,
      this.leafCount[leaf]!,
      gBase,
      this.leafG[leaf]!,
      this.leafH[leaf]!,
    );
  }

  private assign(slot: number, leaf: number): void {
    this.slotOwner[slot] = leaf;
    this.leafSlot[leaf] = slot;
  }

  private release(leaf: number): void {
    const slot = this.leafSlot[leaf]!;
    if (slot < 0) return;
    this.slotOwner[slot] = -1;
    this.leafSlot[leaf] = -1;
  }

  /**
   * A free slot; when none is free, the slot of the leaf with the lowest gain (other than the
   * protected slots) is taken from it.
   */
  private acquire(protect1: number, protect2: number): number {
    const owner = this.slotOwner;
    let victim = -1;
    let victimGain = Infinity;
    for (let s = 0; s < owner.length; s++) {
      const o = owner[s]!;
      if (o < 0) {
        owner[s] = this.L; // taken, owner set by assign()
        return s;
      }
      if (s === protect1 || s === protect2) continue;
      const g = this.splits[o * SPLIT_FIELDS + SPLIT_GAIN]!;
      if (g < victimGain) {
        victimGain = g;
        victim = s;
      }
    }
    if (victim < 0) throw new SluiceError("E_INTERNAL", "tree growth: no histogram slot can be freed");
    this.leafSlot[owner[victim]!] = -1;
    owner[victim] = this.L;
    return victim;
  }

  /** Leaf values (shrunk), internal values (cover-weighted means), and the trimmed tree. */
  private finish(nNodes: number, nLeaves: number): GrownTree {
    const p = this.params;
    const value = new Float64Array(nNodes);
    const cover = this.cover;
    for (let l = 0; l < nLeaves; l++) {
      const node = this.leafNode[l]!;
      value[node] = p.learningRate * leafValue(this.leafG[l]!, this.leafH[l]!, p.lambdaL2);
      cover[node] = this.leafH[l]!;
      this.left[node] = -1;
      this.right[node] = -1;
      this.splitBin[node] = -1;
      this.threshold[node] = 0;
      this.missingLeft[node] = 0;
      this.gain[node] = 0;
    }
    // Children come after their parents, so a backwards pass sees children first.
    for (let n = nNodes - 1; n >= 0; n--) {
      if (this.feature[n]! < 0) continue;
      const l = this.left[n]!;
      const r = this.right[n]!;
      const c = cover[l]! + cover[r]!;
      value[n] = c > 0 ? (cover[l]! * value[l]! + cover[r]! * value[r]!) / c : (value[l]! + value[r]!) / 2;
    }
    const tree: Tree = {
      nNodes,
      valueDim: 1,
      feature: this.feature.slice(0, nNodes),
      threshold: this.threshold.slice(0, nNodes),
      missingLeft: this.missingLeft.slice(0, nNodes),
      left: this.left.slice(0, nNodes),
      right: this.right.slice(0, nNodes),
      value,
      cover: cover.slice(0, nNodes),
      gain: this.gain.slice(0, nNodes),
    };
    return {
      tree,
      splitBin: this.splitBin.slice(0, nNodes),
      nLeaves,
      leafNode: this.leafNode.slice(0, nLeaves),
    };
  }
}
