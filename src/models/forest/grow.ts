/**
 * Growing one tree of a random forest on the binned matrix: a bootstrap sample, then depth-first
 * splitting, each node choosing the best gini (classification) or squared-error (regression)
 * split among a random subset of features, as scikit-learn's RandomForest does, but on
 * histograms of at most 255 bins instead of sorted values.
 *
 * Everything random about tree t comes from `Random.derive(seed, "tree:" + t)`: first the
 * bootstrap draws, then the feature draws of each node in the order nodes are split. A tree
 * therefore depends only on the data, the settings and t — not on which thread grew it.
 *
 * Buffers (row order, partitions, histograms, node arrays) are allocated once per grower and
 * reused for every tree it grows.
 */
import { Random } from "../../data/random.js";
import type { Tree } from "../tree.js";
import {
  buildClassHistogram,
  buildClassHistograms,
  buildClassHistogramsFew,
  buildValueHistogram,
  buildValueHistograms,
  buildValueHistogramsFew,
  clearBins,
  emptySplit,
  listNonEmptyBins,
  listSeenBins,
  scanClassHistogram,
  scanValueHistogram,
  slotsPerBin,
  subtractHistogram,
  type SplitResult,
} from "./histogram.js";

/** The training data, as the grower reads it (plain typed arrays, shareable with workers). */
export interface ForestData {
  nRows: number;
  nFeatures: number;
  /** Column-major binned matrix (see binning.ts): feature f at [f·nRows, (f+1)·nRows). */
  bins: Uint8Array;
  /** Value bins per feature; bin nBins[f] holds missing values. */
  nBins: Int32Array;
  /** Per feature, the raw threshold of "bin ≤ b" (length nBins[f] − 1). */
  thresholds: readonly Float64Array[];
  /** K for classification, 0 for regression. */
  nClasses: number;
  /** Class codes (classification) or values (regression). */
  y: Int32Array | Float64Array;
  /** Per-row weight before bootstrapping: sample weight × class weight (0 leaves the row out). */
  weights: Float64Array;
}

/** How trees are grown (from the params, resolved against the data). */
export interface GrowSettings {
  seed: number;
  /** Depth limit (root at depth 0); a large number for none. */
  maxDepth: number;
  minSamplesLeaf: number;
  minSamplesSplit: number;
  /** Features tried per split (≥ 1). */
  maxFeatures: number;
  bootstrap: boolean;
  /** Rows drawn with replacement for each tree's bootstrap sample. */
  nDraws: number;
}

/** Above this share of features per split, histograms of all features are kept and the larger child's come by subtraction. */
const FULL_HISTOGRAM_SHARE = 0.5;
/** Nodes with fewer rows histogram their features directly instead of keeping all of them. */
const FULL_MIN_ROWS = 512;
/** Memory for the kept histograms of pending nodes, per grower. */
const HISTOGRAM_POOL_BYTES = 64 * 1024 * 1024;
/** Most features whose histograms a node builds in one pass over its rows. */
const BATCH_FEATURES = 16;
/**
 * Features with at most this many bins (missing bin included) are built without marking
 * their bins; their non-empty bins are read off the counts afterwards.
 */
const FEW_BINS = 32;
/** Threshold of a split that sends every value left and only missing values right. */
export const ALL_VALUES_LEFT = Number.MAX_VALUE;

/**
 * The bootstrap multiplicity of every row for tree `t`: `nDraws` rows drawn uniformly with
 * replacement. These are the first draws of the tree's generator, so they can be recomputed
 * (for out-of-bag scores) without growing the tree.
 * @param out OUT: nRows counts.
 */
export function bootstrapCounts(rng: Random, nRows: number, nDraws: number, out: Int32Array): Int32Array {
  out.fill(0);
  for (let d = 0; d < nDraws; d++) out[rng.int(nRows)]!++;
  return out;
}

/** The generator of tree t. */
export function treeRandom(seed: number, t: number): Random {
  return Random.derive(seed, `tree:${t}`);
}

class NodeArrays {
  capacity = 0;
  size = 0;
  feature = new Int32Array(0);
  threshold = new Float64Array(0);
  missingLeft = new Uint8Array(0);
  left = new Int32Array(0);
  right = new Int32Array(0);
  value = new Float64Array(0);
  cover = new Float64Array(0);
  gain = new Float64Array(0);

  constructor(readonly valueDim: number) {
    this.grow(1024);
  }

  private grow(capacity: number): void {
    const copy = <T extends Int32Array | Float64Array | Uint8Array>(
      a: T,
      make: (n: number) => T,
      per = 1,
    ): T => {
      const b = make(capacity * per);
      b.set(a.subarray(0, this.size * per));
      return b;
    };
    this.feature = copy(this.feature, (n) => new Int32Array(n));
    this.threshold = copy(this.threshold, (n) => new Float64Array(n));
    this.missingLeft = copy(this.missingLeft, (n) => new Uint8Array(n));
    this.left = copy(this.left, (n) => new Int32Array(n));
    this.right = copy(this.right, (n) => new Int32Array(n));
    this.value = copy(this.value, (n) => new Float64Array(n), this.valueDim);
    this.cover = copy(this.cover, (n) => new Float64Array(n));
    this.gain = copy(this.gain, (n) => new Float64Array(n));
    this.capacity = capacity;
  }

  /** A new leaf; its id. */
  add(): number {
    if (this.size === this.capacity) this.grow(this.capacity * 2);
    const id = this.size++;
    this.feature[id] = -1;
    this.left[id] = -1;
    this.right[id] = -1;
    this.threshold[id] = 0;
    this.missingLeft[id] = 0;
    this.gain[id] = 0;
    return id;
  }

  /**
   * The finished tree, in arrays of exactly its size, all views of one buffer (one allocation
   * per tree rather than eight: a forest's trees made most of its garbage-collection work).
   */
  toTree(): Tree {
    const n = this.size;
    const d = this.valueDim;
    // Doubles first, then 32-bit integers, then bytes: every view stays aligned.
    const buffer = new ArrayBuffer(n * (8 * (3 + d) + 4 * 3 + 1));
    let at = 0;
    const f64 = (src: Float64Array, length: number): Float64Array => {
      const v = new Float64Array(buffer, at, length);
      v.set(src.subarray(0, length));
      at += 8 * length;
      return v;
    };
    const i32 = (src: Int32Array): Int32Array => {
      const v = new Int32Array(buffer, at, n);
      v.set(src.subarray(0, n));
      at += 4 * n;
      return v;
    };
    const threshold = f64(this.threshold, n);
    const value = f64(this.value, n * d);
    const cover = f64(this.cover, n);
    const gain = f64(this.gain, n);
    const feature = i32(this.feature);
    const left = i32(this.left);
    const right = i32(this.right);
    const missingLeft = new Uint8Array(buffer, at, n);
    missingLeft.set(this.missingLeft.subarray(0, n));
    return { nNodes: n, valueDim: d, feature, threshold, missingLeft, left, right, value, cover, gain };
  }
}

/** Grows trees on one thread; reuse it for every tree that thread grows. */
export class TreeGrower {
  private readonly n: number;
  private readonly p: number;
  private readonly K: number;
  private readonly S: number;
  /** Slots of one feature's histogram (the widest feature). */
  private readonly featureSlots: number;
  /** Whether to keep histograms of all features per pending node (the subtraction trick). */
  private readonly full: boolean;

  private readonly counts: Int32Array;
  private readonly idx: Int32Array;
  private readonly wOrd: Float64Array;
  private readonly yClass: Int32Array;
  private readonly wyOrd: Float64Array;
  private readonly yValue: Float64Array;
  private readonly tmpIdx: Int32Array;
  private readonly tmpW: Float64Array;
  private readonly tmpY: Int32Array;
  private readonly tmpWy: Float64Array;
  private readonly tmpV: Float64Array;
  /** Feature order of the current tree: known constants first, then the rest (see splitNode). */
  private readonly feat: Int32Array;
  private readonly total: Float64Array;
  private readonly leftScratch: Float64Array;
  private readonly best: SplitResult = emptySplit();
  private readonly nodes: NodeArrays;

  /** The pool of all-feature histograms of pending nodes (full mode). */
  private readonly hist: Float64Array;
  /**
   * Histograms of a batch of features (one every `featureSlots`), built and scanned in place
   * for nodes without a pool slot; kept zeroed.
   */
  private readonly direct: Float64Array;
  /** Per batch feature, its column in the binned matrix and its histogram in `direct` (few bins, then the others). */
  private readonly batchColumn = new Int32Array(BATCH_FEATURES);
  private readonly batchHist = new Int32Array(BATCH_FEATURES);
  private readonly wideColumn = new Int32Array(BATCH_FEATURES);
  private readonly wideHist = new Int32Array(BATCH_FEATURES);
  /** The bins a build touched (a 256-bit set per batch feature), and them as an ascending list. */
  private readonly seen = new Uint32Array(8 * BATCH_FEATURES);
  private readonly list = new Int32Array(256);
  private readonly poolSize: number;
  private readonly freeSlots: Int32Array;
  private nFree = 0;

  // The depth-first stack of nodes to split.
  private stackNode = new Int32Array(64);
  private stackBegin = new Int32Array(64);
  private stackEnd = new Int32Array(64);
  private stackDepth = new Int32Array(64);
  private stackHist = new Int32Array(64);
  private stackConst = new Int32Array(64);
  /** Known-constant features of the node last split: they lead `feat` (see splitNode). */
  private constants = 0;

  constructor(
    private readonly data: ForestData,
    private readonly settings: GrowSettings,
  ) {
    const { nRows, nFeatures, nClasses, nBins } = data;
    this.n = nRows;
    this.p = nFeatures;
    this.K = nClasses;
    this.S = slotsPerBin(nClasses);
    let widest = 0;
    for (let f = 0; f < nFeatures; f++) widest = Math.max(widest, nBins[f]! + 1);
    this.featureSlots = widest * this.S;
    this.full = settings.maxFeatures >= FULL_HISTOGRAM_SHARE * nFeatures;
    this.counts = new Int32Array(nRows);
    this.idx = new Int32Array(nRows);
    this.wOrd = new Float64Array(nRows);
    this.tmpIdx = new Int32Array(nRows);
    this.tmpW = new Float64Array(nRows);
    const isClass = nClasses > 0;
    this.yClass = new Int32Array(isClass ? nRows : 0);
    this.tmpY = new Int32Array(isClass ? nRows : 0);
    this.wyOrd = new Float64Array(isClass ? 0 : nRows);
    this.yValue = new Float64Array(isClass ? 0 : nRows);
    this.tmpWy = new Float64Array(isClass ? 0 : nRows);
    this.tmpV = new Float64Array(isClass ? 0 : nRows);
    this.feat = new Int32Array(nFeatures);
    this.total = new Float64Array(Math.max(1, nClasses));
    this.leftScratch = new Float64Array(Math.max(1, nClasses));
    if (this.full) {
      const bytes = nFeatures * this.featureSlots * 8;
      this.poolSize = Math.max(3, Math.min(256, Math.floor(HISTOGRAM_POOL_BYTES / bytes)));
      this.hist = new Float64Array(this.poolSize * nFeatures * this.featureSlots);
      this.freeSlots = new Int32Array(this.poolSize);
    } else {
      this.poolSize = 0;
      this.hist = new Float64Array(0);
      this.freeSlots = new Int32Array(0);
    }
    this.direct = new Float64Array(Math.min(BATCH_FEATURES, nFeatures) * this.featureSlots);
    this.nodes = new NodeArrays(nClasses > 0 ? nClasses : 1);
  }

  /** Grow tree t. */
  grow(t: number): Tree {
    const rng = treeRandom(this.settings.seed, t);
    // One set of node arrays per grower, emptied for each tree: only the finished tree's
    // trimmed copies are new (per-tree arrays made most of the fit's garbage).
    const nodes = this.nodes;
    nodes.size = 0;
    const inBag = this.sample(rng);
    this.nFree = this.poolSize;
    for (let i = 0; i < this.poolSize; i++) this.freeSlots[i] = this.poolSize - 1 - i;

    const root = nodes.add();
    let top = 0;
    for (let f = 0; f < this.p; f++) this.feat[f] = f;
    const rootSlot =
      this.full && inBag >= FULL_MIN_ROWS ? this.buildAll(this.freeSlots[--this.nFree]!, 0, inBag) : -1;
    this.push(top++, root, 0, inBag, 0, rootSlot, 0);
    while (top > 0) {
      top--;
      const node = this.stackNode[top]!;
      const begin = this.stackBegin[top]!;
      const end = this.stackEnd[top]!;
      const depth = this.stackDepth[top]!;
      const slot = this.stackHist[top]!;
      const split = this.splitNode(nodes, node, begin, end, depth, slot, this.stackConst[top]!, rng);
      if (split < 0) {
        if (slot >= 0) this.freeSlots[this.nFree++] = slot;
        continue;
      }
      const l = nodes.add();
      const r = nodes.add();
      nodes.left[node] = l;
      nodes.right[node] = r;
      // Histograms of the children: build the smaller, subtract for the larger; none for a
      // child that will be a leaf whatever its rows.
      let lSlot = -1;
      let rSlot = -1;
      if (slot >= 0) {
        const leafLeft = this.mustBeLeaf(split - begin, depth + 1);
        const leafRight = this.mustBeLeaf(end - split, depth + 1);
        // Small children are cheaper to histogram directly, feature by feature.
        const keep = !(leafLeft && leafRight) && end - begin >= 2 * FULL_MIN_ROWS;
        const small = keep && this.nFree > 0 ? this.freeSlots[--this.nFree]! : -1;
        if (small >= 0) {
          const smallerLeft = split - begin <= end - split;
          if (smallerLeft) this.buildAll(small, begin, split);
          else this.buildAll(small, split, end);
          const size = this.p * this.featureSlots;
          subtractHistogram(this.hist, slot * size, small * size, size);
          lSlot = smallerLeft ? small : slot;
          rSlot = smallerLeft ? slot : small;
          if (leafLeft) {
            this.freeSlots[this.nFree++] = lSlot;
            lSlot = -1;
          }
          if (leafRight) {
            this.freeSlots[this.nFree++] = rSlot;
            rSlot = -1;
          }
        } else this.freeSlots[this.nFree++] = slot;
      }
      // Right pushed first, so the left subtree is finished first.
      this.push(top++, r, split, end, depth + 1, rSlot, this.constants);
      this.push(top++, l, begin, split, depth + 1, lSlot, this.constants);
    }
    return nodes.toTree();
  }

  private push(
    at: number,
    node: number,
    begin: number,
    end: number,
    depth: number,
    slot: number,
    constants: number,
  ): void {
    if (at === this.stackNode.length) {
      const grow = (a: Int32Array): Int32Array<ArrayBuffer> => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.stackNode = grow(this.stackNode);
      this.stackBegin = grow(this.stackBegin);
      this.stackEnd = grow(this.stackEnd);
      this.stackDepth = grow(this.stackDepth);
      this.stackHist = grow(this.stackHist);
      this.stackConst = grow(this.stackConst);
    }
    this.stackNode[at] = node;
    this.stackBegin[at] = begin;
    this.stackEnd[at] = end;
    this.stackDepth[at] = depth;
    this.stackHist[at] = slot;
    this.stackConst[at] = constants;
  }

  /**
   * Draw the bootstrap sample and lay out the in-bag rows in ascending order with their
   * weights (multiplicity × row weight) and labels.
   * @returns the number of in-bag rows
   */
  private sample(rng: Random): number {
    const { n } = this;
    const { weights, y } = this.data;
    const counts = this.counts;
    if (this.settings.bootstrap) bootstrapCounts(rng, n, this.settings.nDraws, counts);
    else counts.fill(1);
    let m = 0;
    const isClass = this.K > 0;
    for (let i = 0; i < n; i++) {
      const w = counts[i]! * weights[i]!;
      if (w === 0) continue;
      this.idx[m] = i;
      this.wOrd[m] = w;
      if (isClass) this.yClass[m] = y[i]!;
      else {
        this.yValue[m] = y[i]!;
        this.wyOrd[m] = w * y[i]!;
      }
      m++;
    }
    return m;
  }

  /** Whether a node of `count` rows at `depth` is a leaf whatever its rows. */
  private mustBeLeaf(count: number, depth: number): boolean {
    const s = this.settings;
    return depth >= s.maxDepth || count < s.minSamplesSplit || count < 2 * s.minSamplesLeaf;
  }

  /** Build the histograms of every feature for rows [begin, end) into pool slot `slot`. */
  private buildAll(slot: number, begin: number, end: number): number {
    const base = slot * this.p * this.featureSlots;
    const { nBins } = this.data;
    for (let f = 0; f < this.p; f++) {
      const off = base + f * this.featureSlots;
      this.hist.fill(0, off, off + (nBins[f]! + 1) * this.S);
      this.buildFeature(f, begin, end, this.hist, off);
      this.seen.fill(0);
    }
    return slot;
  }

  /** Build one feature's histogram; the bins it fills are marked in `seen`. */
  private buildFeature(f: number, begin: number, end: number, hist: Float64Array, off: number): void {
    const base = f * this.n;
    const bins = this.data.bins;
    if (this.K > 0)
      buildClassHistogram(
        bins,
        base,
        this.idx,
        begin,
        end,
        this.yClass,
        this.wOrd,
        this.K,
        hist,
        off,
        this.seen,
      );
    else buildValueHistogram(bins, base, this.idx, begin, end, this.wOrd, this.wyOrd, hist, off, this.seen);
  }

  /**
   * Histograms of the features feat[at .. at+count) over rows [begin, end) into the direct
   * buffer, one pass over the rows; their bins are marked in `seen` (8 words per feature).
   */
  private buildBatch(at: number, count: number, begin: number, end: number): void {
    const { nBins, bins } = this.data;
    // Features with few bins apart (no bin marks); the others mark theirs in seen[8q ..).
    let few = 0;
    let wide = 0;
    for (let q = 0; q < count; q++) {
      const f = this.feat[at + q]!;
      if (nBins[f]! + 1 <= FEW_BINS) {
        this.batchColumn[few] = f * this.n;
        this.batchHist[few++] = q * this.featureSlots;
      } else {
        this.wideColumn[wide] = f * this.n;
        this.wideHist[wide++] = q * this.featureSlots;
      }
    }
    // The wide features' bin sets follow the batch order of the wide ones: seen[8·k ..) for
    // the k-th; the scan finds them by that rank (wideRank).
    if (this.K > 0) {
      if (few > 0)
        buildClassHistogramsFew(
          bins,
          this.batchColumn,
          this.batchHist,
          few,
          this.idx,
          begin,
          end,
          this.yClass,
          this.wOrd,
          this.K,
          this.direct,
        );
      if (wide > 0)
        buildClassHistograms(
          bins,
          this.wideColumn,
          this.wideHist,
          wide,
          this.idx,
          begin,
          end,
          this.yClass,
          this.wOrd,
          this.K,
          this.direct,
          this.seen,
        );
    } else {
      if (few > 0)
        buildValueHistogramsFew(
          bins,
          this.batchColumn,
          this.batchHist,
          few,
          this.idx,
          begin,
          end,
          this.wOrd,
          this.wyOrd,
          this.direct,
        );
      if (wide > 0)
        buildValueHistograms(
          bins,
          this.wideColumn,
          this.wideHist,
          wide,
          this.idx,
          begin,
          end,
          this.wOrd,
          this.wyOrd,
          this.direct,
          this.seen,
        );
    }
  }

  /**
   * Set the node's value and cover; split it when allowed and a valid split exists.
   * @returns the index where the right child's rows start, or −1 for a leaf.
   */
  private splitNode(
    nodes: NodeArrays,
    node: number,
    begin: number,
    end: number,
    depth: number,
    slot: number,
    knownConstants: number,
    rng: Random,
  ): number {
    const { K, settings } = this;
    const count = end - begin;
    // Node totals, its value, and whether it is pure.
    let weight = 0;
    let pure: boolean;
    let parentProxy: number;
    let sum = 0;
    if (K > 0) {
      const total = this.total;
      for (let k = 0; k < K; k++) total[k] = 0;
      const { yClass, wOrd } = this;
      for (let r = begin; r < end; r++) {
        const k = yClass[r]!;
        total[k] = total[k]! + wOrd[r]!;
      }
      let classes = 0;
      parentProxy = 0;
      for (let k = 0; k < K; k++) {
        const c = total[k]!;
        weight += c;
        if (c > 0) classes++;
        parentProxy += c * c;
      }
      parentProxy /= weight;
      for (let k = 0; k < K; k++) nodes.value[node * K + k] = total[k]! / weight;
      pure = classes <= 1;
    } else {
      let min = Infinity;
      let max = -Infinity;
      for (let r = begin; r < end; r++) {
        weight += this.wOrd[r]!;
        sum += this.wyOrd[r]!;
        const v = this.yValue[r]!;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      nodes.value[node] = sum / weight;
      parentProxy = (sum * sum) / weight;
      pure = min === max;
    }
    nodes.cover[node] = weight;
    if (
      pure ||
      depth >= settings.maxDepth ||
      count < settings.minSamplesSplit ||
      count < 2 * settings.minSamplesLeaf
    )
      return -1;

    // Features in random order until maxFeatures of them vary in this node; constant ones do
    // not count (as in scikit-learn). A feature constant here is constant in every descendant:
    // feat[0, knownConstants) holds those found above, which are never drawn again, and the
    // ones found here join them for the children.
    const best = this.best;
    best.proxy = -Infinity;
    best.feature = -1;
    const { feat, p, S, featureSlots } = this;
    const { nBins } = this.data;
    let found = 0;
    let visited = 0;
    let i = knownConstants;
    while (i < p && visited < settings.maxFeatures) {
      // Draw the next batch: the features the one-at-a-time search looks at next, since it
      // cannot stop before another `maxFeatures − visited` of them (a drawn feature constant
      // here only moves to positions already drawn, so later draws are unchanged).
      const want = Math.min(settings.maxFeatures - visited, p - i, BATCH_FEATURES);
      for (let q = i; q < i + want; q++) {
        const j = q + rng.int(p - q);
        const f = feat[j]!;
        feat[j] = feat[q]!;
        feat[q] = f;
      }
      if (slot < 0) this.buildBatch(i, want, begin, end);
      let wideRank = 0;
      for (let q = 0; q < want; q++, i++) {
        const f = feat[i]!;
        const nb = nBins[f]!;
        let hist = this.hist;
        let off = (slot * p + f) * featureSlots;
        let nList: number;
        if (slot < 0) {
          hist = this.direct;
          off = q * featureSlots;
          nList =
            nb + 1 <= FEW_BINS
              ? listNonEmptyBins(hist, off, S, K > 0 ? K : 2, nb, this.list)
              : listSeenBins(this.seen, nb, this.list, 8 * wideRank++);
        } else nList = listNonEmptyBins(hist, off, S, K > 0 ? K : 2, nb, this.list);
        const nonEmpty =
          K > 0
            ? scanClassHistogram(
                hist,
                off,
                nb,
                this.list,
                nList,
                K,
                this.total,
                weight,
                count,
                settings.minSamplesLeaf,
                f,
                this.leftScratch,
                best,
              )
            : scanValueHistogram(
                hist,
                off,
                nb,
                this.list,
                nList,
                weight,
                sum,
                count,
                settings.minSamplesLeaf,
                f,
                best,
              );
        // The direct buffer is kept zeroed: clear what this feature touched.
        if (slot < 0) clearBins(hist, off, S, nb, this.list, nList);
        if (nonEmpty > 1) visited++;
        else {
          // A feature constant here is constant in every descendant: it joins the known ones.
          const c = knownConstants + found++;
          feat[i] = feat[c]!;
          feat[c] = f;
        }
      }
    }
    this.constants = knownConstants + found;
    if (best.feature < 0) return -1;

    const f = best.feature;
    const nb = nBins[f]!;
    nodes.feature[node] = f;
    nodes.threshold[node] = best.bin < nb - 1 ? this.data.thresholds[f]![best.bin]! : ALL_VALUES_LEFT;
    nodes.missingLeft[node] = best.missingLeft ? 1 : 0;
    nodes.gain[node] = Math.max(0, best.proxy - parentProxy);
    return this.partition(begin, end, f, best.bin, best.missingLeft);
  }

  /**
   * Stable partition of rows [begin, end): rows going left first, in their order, then rows
   * going right, in their order — so every node's rows stay ascending and its histograms read
   * the binned column forward.
   * @returns where the right rows start
   */
  private partition(begin: number, end: number, f: number, bin: number, missingLeft: boolean): number {
    const col = this.data.bins;
    const base = f * this.n;
    const missing = this.data.nBins[f]!;
    const { idx, wOrd, tmpIdx, tmpW } = this;
    let l = begin;
    let r = 0;
    if (this.K > 0) {
      const { yClass, tmpY } = this;
      for (let i = begin; i < end; i++) {
        const b = col[base + idx[i]!]!;
        if (b <= bin || (b === missing && missingLeft)) {
          idx[l] = idx[i]!;
          wOrd[l] = wOrd[i]!;
          yClass[l] = yClass[i]!;
          l++;
        } else {
          tmpIdx[r] = idx[i]!;
          tmpW[r] = wOrd[i]!;
          tmpY[r] = yClass[i]!;
          r++;
        }
      }
      for (let k = 0; k < r; k++) {
        idx[l + k] = tmpIdx[k]!;
        wOrd[l + k] = tmpW[k]!;
        yClass[l + k] = tmpY[k]!;
      }
    } else {
      const { yValue, wyOrd, tmpV, tmpWy } = this;
      for (let i = begin; i < end; i++) {
        const b = col[base + idx[i]!]!;
        if (b <= bin || (b === missing && missingLeft)) {
          idx[l] = idx[i]!;
          wOrd[l] = wOrd[i]!;
          yValue[l] = yValue[i]!;
          wyOrd[l] = wyOrd[i]!;
          l++;
        } else {
          tmpIdx[r] = idx[i]!;
          tmpW[r] = wOrd[i]!;
          tmpV[r] = yValue[i]!;
          tmpWy[r] = wyOrd[i]!;
          r++;
        }
      }
      for (let k = 0; k < r; k++) {
        idx[l + k] = tmpIdx[k]!;
        wOrd[l + k] = tmpW[k]!;
        yValue[l + k] = tmpV[k]!;
        wyOrd[l + k] = tmpWy[k]!;
      }
    }
    return l;
  }
}
