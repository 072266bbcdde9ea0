/**
 * The row passes of boosting, cut into chunks that any thread may run (workers.ts), and the
 * fitting thread's side of running them ({@link Team}).
 *
 * Shards. The round's rows (positions 0..m-1 of the partition `rows`) are cut once into S
 * contiguous shards, S fixed by the number of rows ({@link shardsFor}). Every leaf keeps its
 * rows shard by shard: leaf l's rows in shard s are a range inside shard s's stretch of the
 * partition (`shardBegin`/`shardCount`). Splitting a leaf reorders each shard's range in place
 * (left rows first, both sides in their order), so shards never exchange rows and a split needs
 * no stitching across threads.
 *
 * Chunks. A command over a leaf is cut into G groups of consecutive shards, G fixed by the
 * size of the work ({@link groupsFor}): chunk c covers shards [⌊cS/G⌋, ⌊(c+1)S/G⌋).
 * - Histogram: chunk 0 sums its shards' rows into the pool slot, chunk c > 0 into its own
 *   histogram, shard after shard; the fitting thread adds the chunks up in chunk order.
 * - Split: each chunk partitions its shards' ranges of the leaf (left rows compacted in place,
 *   right rows through the scratch array at the same positions), records each shard's left
 *   count, then sums its part of one child's histogram (the smaller one) as above.
 * - Gradients: element-wise, per block of {@link GRADIENT_BLOCK} rows; each block's gradient
 *   and hessian sums are kept, and the root's totals are the block sums added in block order.
 * - Training scores: each chunk adds its shards' rows' leaf values; every row gets exactly one
 *   addition.
 * G depends on the data only, so the sums are the same bits whoever runs which chunk.
 */
import {
  addHistogramAndClear,
  BATCH_ROWS,
  histogramAllRows,
  histogramAllRowsConstantHessian,
  histogramAllRowsGradients,
  histogramAllRowsUncounted,
  histogramLeafRows,
  histogramLeafRowsBatched,
  histogramLeafRowsBatchedConstantHessian,
  histogramLeafRowsConstantHessian,
} from "../kernels/histogram.js";
import {
  addToRows,
  partitionRowRangeApart,
  partitionRowsApart,
  scoreSplitRows,
} from "../kernels/partition.js";
import type { PackedRows } from "../kernels/rowbins.js";
import { computeGradients } from "./objective.js";
import {
  BUILD_ALL_ROWS,
  BUILD_GRADIENTS,
  BUILD_UNCOUNTED,
  claimChunk,
  CMD_ADD_LEAVES,
  CMD_BUILD,
  CMD_GRADIENTS,
  CMD_SPLIT,
  CONTROL_LENGTH,
  C_ARGS,
  C_CHUNKS,
  C_DONE,
  C_MAIN_SLEEPS,
  MAX_CHUNKS,
  SPLIT_IN_ORDER,
  SPLIT_MISSING_LEFT,
  SPLIT_SCORE,
  type HistogramWorkers,
  type SharedBuffers,
} from "./workers.js";

/** Rows per gradient block (the unit of the root's sums). */
export const GRADIENT_BLOCK = 16_384;

/** Most shards of a round's rows (each chunk beyond the first needs a histogram). */
export const MAX_SHARDS = 8;

/** Rows whose gradients a root build computes at a time, just before summing them. */
export const FUSED_BLOCK = 1_024;

/** Least rows per shard: small data has fewer shards (fewer histograms to add up). */
export const SHARD_MIN_ROWS = 4_096;

/**
 * Least packed entries per histogram chunk, also at least {@link CHUNK_HIST_LENGTHS} times
 * the histogram's length, so that adding the chunks up stays a small part of a build.
 */
export const CHUNK_MIN_ENTRIES = 16_384;
export const CHUNK_HIST_LENGTHS = 4;

/** Least rows per chunk of a split's partition. */
export const SPLIT_CHUNK_ROWS = 4_096;

/**
 * Packed entries a histogram build must cover before it is shared with the threads. Waking
 * them and waiting costs some microseconds; below this a build takes about as long.
 */
export const PARALLEL_MIN_ENTRIES = 40_000;

/**
 * Leaves with fewer rows than this are split on the fitting thread alone (unless the split
 * also builds a histogram large enough to share).
 */
export const PARALLEL_MIN_ROWS = 8_192;

/** Gradient blocks of `n` rows. */
export function gradientBlocks(n: number): number {
  return Math.ceil(n / GRADIENT_BLOCK);
}

/** Shards of a round of `m` rows: at least {@link SHARD_MIN_ROWS} rows each, at most {@link MAX_SHARDS}. */
export function shardsFor(m: number, minRows = SHARD_MIN_ROWS): number {
  return Math.max(1, Math.min(MAX_SHARDS, Math.floor(m / Math.max(1, minRows))));
}

/** Groups of shards for a histogram of `count` rows of `entriesPerRow` packed entries. */
export function groupsFor(count: number, entriesPerRow: number, histLength: number, shards: number): number {
  const per = Math.max(CHUNK_MIN_ENTRIES, CHUNK_HIST_LENGTHS * histLength);
  return Math.max(1, Math.min(shards, Math.floor((count * entriesPerRow) / per)));
}

/** First shard of group c of G over S shards. */
function groupStart(S: number, c: number, G: number): number {
  return Math.floor((S * c) / G);
}

/** Scratch space of the batched histogram builders. */
export interface BatchScratch {
  span: Int32Array;
  grad: Float64Array;
}

/** What a thread needs to run chunks. */
export interface ThreadContext {
  b: SharedBuffers;
  pack: PackedRows;
  /** The control words: the command and its arguments at C_ARGS. */
  control: Int32Array;
  /** Per shard, its integer result (the left rows of a split). */
  results: Int32Array;
  batch: BatchScratch;
  /** nOutputs numbers (softmax). */
  grad: Float64Array;
}

export function threadContext(
  b: SharedBuffers,
  pack: PackedRows,
  control: Int32Array,
  results: Int32Array,
): ThreadContext {
  return {
    b,
    pack,
    control,
    results,
    batch: { span: new Int32Array(2 * BATCH_ROWS), grad: new Float64Array(2 * BATCH_ROWS) },
    grad: new Float64Array(b.nOutputs),
  };
}

/** Run chunk `c` of the command in `ctx.control`. */
export function runChunk(ctx: ThreadContext, c: number): void {
  const ctl = ctx.control;
  const cmd = ctl[C_ARGS]!;
  const chunks = ctl[C_CHUNKS]!;
  if (cmd === CMD_BUILD) {
    const b = ctx.b;
    const S = b.shards;
    const at = c === 0 ? ctl[C_ARGS + 1]! : (c - 1) * b.histLength;
    const hist = c === 0 ? b.hist : b.chunkHist;
    // The pool slot holds an old histogram; the chunks' own are kept at zero (see merge).
    if (c === 0) hist.fill(0, at, at + b.histLength);
    buildShards(
      ctx,
      groupStart(S, c, chunks),
      groupStart(S, c + 1, chunks),
      ctl[C_ARGS + 2]!,
      ctl[C_ARGS + 3]!,
      ctl[C_ARGS + 4]!,
      hist,
      at,
    );
  } else if (cmd === CMD_SPLIT) splitChunk(ctx, c, chunks);
  else if (cmd === CMD_GRADIENTS) gradientBlock(ctx, c);
  else if (cmd === CMD_ADD_LEAVES) scoreChunk(ctx.b, c, chunks, ctl[C_ARGS + 1]!, ctl[C_ARGS + 2]!);
}

/**
 * Claim and run chunks of the command tagged `tag` until none is left, counting each in
 * C_DONE (and waking the fitting thread when it sleeps).
 *
 * @param onError called with a chunk's error; the chunk still counts as finished
 */
export function workChunks(ctx: ThreadContext, tag: number, onError?: (err: unknown) => void): void {
  const ctl = ctx.control;
  for (;;) {
    const c = claimChunk(ctl, tag);
    if (c < 0) return;
    if (onError === undefined) runChunk(ctx, c);
    else
      try {
        runChunk(ctx, c);
      } catch (err) {
        onError(err);
      }
    Atomics.add(ctl, C_DONE, 1);
    if (onError !== undefined && Atomics.load(ctl, C_MAIN_SLEEPS) !== 0) Atomics.notify(ctl, C_DONE);
  }
}

/**
 * Sum the rows of `leaf` in shards [s0, s1) into the histogram at `at` (zeroed), shard after
 * shard. Rows of a shard far apart in memory (sparser than SPARSE_LEAF_DENSITY in the
 * stretch they span) take the batched kernels.
 */
function buildShards(
  ctx: ThreadContext,
  s0: number,
  s1: number,
  leaf: number,
  gBase: number,
  flags: number,
  hist: Float64Array,
  at: number,
): void {
  const b = ctx.b;
  const { rowStart, entries } = ctx.pack;
  const { rows, g, h, constantHessian, shardBegin, shardCount, shards: S } = b;
  const { span, grad } = ctx.batch;
  for (let s = s0; s < s1; s++) {
    const first = shardBegin[leaf * S + s]!;
    const n = shardCount[leaf * S + s]!;
    if (n === 0) continue;
    if ((flags & BUILD_GRADIENTS) !== 0) gradientsAndRoot(ctx, s, first, n, hist, at);
    else if ((flags & BUILD_ALL_ROWS) !== 0) {
      // Positions are rows: the partition is not read.
      if ((flags & BUILD_UNCOUNTED) !== 0) {
        if (constantHessian)
          histogramAllRowsGradients(rowStart, entries, first + n, g, gBase, hist, at, first);
        else histogramAllRowsUncounted(rowStart, entries, first + n, g, h, gBase, hist, at, first);
      } else if (constantHessian)
        histogramAllRowsConstantHessian(rowStart, entries, first + n, g, gBase, hist, at, first);
      else histogramAllRows(rowStart, entries, first + n, g, h, gBase, hist, at, first);
    } else if (n < SPARSE_LEAF_DENSITY * (rows[first + n - 1]! - rows[first]! + 1)) {
      if (constantHessian)
        histogramLeafRowsBatchedConstantHessian(
          rowStart,
          entries,
          rows,
          first,
          n,
          g,
          gBase,
          hist,
          at,
          span,
          grad,
        );
      else histogramLeafRowsBatched(rowStart, entries, rows, first, n, g, h, gBase, hist, at, span, grad);
    } else if (constantHessian)
      histogramLeafRowsConstantHessian(rowStart, entries, rows, first, n, g, gBase, hist, at);
    else histogramLeafRows(rowStart, entries, rows, first, n, g, h, gBase, hist, at);
  }
}

/**
 * The gradients of rows first..first+n-1 (one output, in row order) and their histogram without
 * counts, block by block so that each block's gradients are still in cache when summed; the
 * shard's gradient and hessian totals go to shardSums.
 */
function gradientsAndRoot(
  ctx: ThreadContext,
  shard: number,
  first: number,
  n: number,
  hist: Float64Array,
  at: number,
): void {
  const b = ctx.b;
  const { rowStart, entries } = ctx.pack;
  const { g, h, constantHessian } = b;
  let sg = 0;
  let sh = 0;
  for (let s = first, end = first + n; s < end; s += FUSED_BLOCK) {
    const e = s + FUSED_BLOCK < end ? s + FUSED_BLOCK : end;
    computeGradients(b.objective, b.raw, b.y, b.w, 1, g, h, ctx.grad, s, e);
    for (let i = s; i < e; i++) sg += g[i]!;
    if (constantHessian) histogramAllRowsGradients(rowStart, entries, e, g, 0, hist, at, s);
    else {
      for (let i = s; i < e; i++) sh += h[i]!;
      histogramAllRowsUncounted(rowStart, entries, e, g, h, 0, hist, at, s);
    }
  }
  b.shardSums[2 * shard] = sg;
  b.shardSums[2 * shard + 1] = constantHessian ? n : sh;
}

/**
 * Leaves whose rows (in a shard) are sparser than this in the stretch of rows they span
 * (count / (last − first + 1); rows are ascending) are built in batches (see
 * histogramLeafRowsBatched): their rows are far apart in memory. Measured on the churn
 * example at 800,000 rows, after the rows are reordered: batches win below about a tenth,
 * and lose above a seventh.
 */
export const SPARSE_LEAF_DENSITY = 0.125;

/** Chunk c of a split: partition its shards' rows of the leaf, then sum its part of one child. */
function splitChunk(ctx: ThreadContext, c: number, chunks: number): void {
  const ctl = ctx.control;
  const leaf = ctl[C_ARGS + 1]!;
  const right = ctl[C_ARGS + 2]!;
  const colBase = ctl[C_ARGS + 3]!;
  const splitBin = ctl[C_ARGS + 4]!;
  const missingBin = ctl[C_ARGS + 5]!;
  const flags = ctl[C_ARGS + 6]!;
  const build = ctl[C_ARGS + 7]!;
  const b = ctx.b;
  const { rows, scratch, bins, shardBegin, shardCount, shards: S } = b;
  const missingLeft = flags & SPLIT_MISSING_LEFT;
  const s0 = groupStart(S, c, chunks);
  const s1 = groupStart(S, c + 1, chunks);
  if ((flags & SPLIT_SCORE) !== 0) {
    const inOrder = (flags & SPLIT_IN_ORDER) !== 0 ? 1 : 0;
    const vLeft = b.leafValue[leaf]!;
    const vRight = b.leafValue[right]!;
    for (let s = s0; s < s1; s++) {
      const first = shardBegin[leaf * S + s]!;
      const n = shardCount[leaf * S + s]!;
      ctx.results[s] = scoreSplitRows(
        rows,
        first,
        n,
        inOrder,
        bins,
        colBase,
        splitBin,
        missingBin,
        missingLeft,
        vLeft,
        vRight,
        b.raw,
        ctl[C_ARGS + 9]!,
      );
      shardCount[leaf * S + s] = 0;
      shardBegin[right * S + s] = first;
      shardCount[right * S + s] = 0;
    }
    return;
  }
  for (let s = s0; s < s1; s++) {
    const first = shardBegin[leaf * S + s]!;
    const n = shardCount[leaf * S + s]!;
    // Left rows compacted in place, right rows to the scratch at the same positions, then
    // back after the left ones: only this shard's stretch of either array is touched.
    const nLeft =
      (flags & SPLIT_IN_ORDER) !== 0
        ? partitionRowRangeApart(
            rows,
            first,
            n,
            bins,
            colBase,
            splitBin,
            missingBin,
            missingLeft,
            scratch,
            first,
          )
        : partitionRowsApart(
            rows,
            first,
            n,
            bins,
            colBase,
            splitBin,
            missingBin,
            missingLeft,
            scratch,
            first,
          );
    if (n > nLeft) rows.set(scratch.subarray(first, first + n - nLeft), first + nLeft);
    ctx.results[s] = nLeft;
    shardCount[leaf * S + s] = nLeft;
    shardBegin[right * S + s] = first + nLeft;
    shardCount[right * S + s] = n - nLeft;
  }
  if (build < 0) return;
  const at = c === 0 ? ctl[C_ARGS + 8]! : (c - 1) * b.histLength;
  const hist = c === 0 ? b.hist : b.chunkHist;
  if (c === 0) hist.fill(0, at, at + b.histLength);
  buildShards(ctx, s0, s1, build, ctl[C_ARGS + 9]!, 0, hist, at);
}

/** Gradient block `blk` of every output, and its sums. */
function gradientBlock(ctx: ThreadContext, blk: number): void {
  const b = ctx.b;
  const { nRows: n, nOutputs: K, g, h, blockSums, constantHessian } = b;
  const nBlocks = gradientBlocks(n);
  const begin = blk * GRADIENT_BLOCK;
  const end = Math.min(n, begin + GRADIENT_BLOCK);
  computeGradients(b.objective, b.raw, b.y, b.w, K, g, h, ctx.grad, begin, end);
  for (let k = 0; k < K; k++) {
    const s = k * n + begin;
    const e = k * n + end;
    let sg = 0;
    let sh = 0;
    for (let i = s; i < e; i++) sg += g[i]!;
    if (!constantHessian) for (let i = s; i < e; i++) sh += h[i]!;
    blockSums[2 * (k * nBlocks + blk)] = sg;
    blockSums[2 * (k * nBlocks + blk) + 1] = sh;
  }
}

/** Chunk c of the training scores: add each leaf's value to its rows in the chunk's shards. */
function scoreChunk(b: SharedBuffers, c: number, chunks: number, nLeaves: number, rawBase: number): void {
  const { shardBegin, shardCount, leafValue, rows, raw, shards: S } = b;
  const s1 = groupStart(S, c + 1, chunks);
  for (let s = groupStart(S, c, chunks); s < s1; s++)
    for (let l = 0; l < nLeaves; l++)
      addToRows(rows, shardBegin[l * S + s]!, shardCount[l * S + s]!, leafValue[l]!, raw, rawBase);
}

/** The fitting thread's side: run commands, on the threads when there are any. */
export class Team {
  private readonly ctx: ThreadContext;
  private readonly nBlocks: number;

  constructor(
    private readonly b: SharedBuffers,
    pack: PackedRows,
    /** Packed entries per row, on average. */
    private readonly entriesPerRow: number,
    private readonly workers: HistogramWorkers | undefined,
    private readonly parallelMinEntries = PARALLEL_MIN_ENTRIES,
    private readonly parallelMinRows = PARALLEL_MIN_ROWS,
  ) {
    this.ctx =
      workers === undefined
        ? threadContext(b, pack, new Int32Array(CONTROL_LENGTH), new Int32Array(MAX_CHUNKS))
        : threadContext(b, pack, workers.control, workers.results);
    this.nBlocks = gradientBlocks(b.nRows);
  }

  /** Run a command of `chunks` chunks (its arguments already set): on the threads when `parallel`, else here in order. */
  private exec(cmd: number, chunks: number, parallel: boolean): void {
    const ctl = this.ctx.control;
    ctl[C_ARGS] = cmd;
    const workers = this.workers;
    if (workers === undefined || !parallel || chunks < 2) {
      ctl[C_CHUNKS] = chunks;
      for (let c = 0; c < chunks; c++) runChunk(this.ctx, c);
      return;
    }
    const tag = workers.nextTag;
    workers.issue(chunks);
    workChunks(this.ctx, tag);
    workers.join(chunks);
  }

  private args(a1: number, a2: number, a3: number, a4 = 0, a5 = 0, a6 = 0, a7 = 0, a8 = 0, a9 = 0): void {
    const ctl = this.ctx.control;
    ctl[C_ARGS + 1] = a1;
    ctl[C_ARGS + 2] = a2;
    ctl[C_ARGS + 3] = a3;
    ctl[C_ARGS + 4] = a4;
    ctl[C_ARGS + 5] = a5;
    ctl[C_ARGS + 6] = a6;
    ctl[C_ARGS + 7] = a7;
    ctl[C_ARGS + 8] = a8;
    ctl[C_ARGS + 9] = a9;
  }

  /** Make leaf 0 the round's `m` rows: shard s holds positions [⌊ms/S⌋, ⌊m(s+1)/S⌋). */
  setRoot(m: number): void {
    const { shards: S, shardBegin, shardCount } = this.b;
    for (let s = 0; s < S; s++) {
      shardBegin[s] = Math.floor((m * s) / S);
      shardCount[s] = Math.floor((m * (s + 1)) / S) - shardBegin[s]!;
    }
  }

  /**
   * Add the chunks' histograms (chunks 1..G-1) into the one at `base`, in chunk order, and
   * zero them: chunk histograms are zero whenever no command runs.
   */
  private merge(base: number, groups: number): void {
    const L = this.b.histLength;
    for (let c = 1; c < groups; c++)
      addHistogramAndClear(this.b.hist, base, this.b.chunkHist, (c - 1) * L, L);
  }

  /**
   * The histogram of `leaf` (`count` rows) into the pool at `base`. `flags`: BUILD_ALL_ROWS
   * when the leaf is the rows 0..n-1 in order, with BUILD_UNCOUNTED to leave counts at 0.
   */
  build(base: number, leaf: number, count: number, gBase: number, flags: number): void {
    const b = this.b;
    const groups = groupsFor(count, this.entriesPerRow, b.histLength, b.shards);
    this.args(base, leaf, gBase, flags);
    this.exec(CMD_BUILD, groups, count * this.entriesPerRow >= this.parallelMinEntries);
    this.merge(base, groups);
  }

  /**
   * The round's gradients and the root's histogram (without counts) in one pass, for one
   * output without bagging: leaf 0 must be the rows 0..n-1 in order. `sums` gets the gradient
   * and hessian totals (the shards' sums in shard order).
   */
  buildRootWithGradients(base: number, sums: Float64Array): void {
    const b = this.b;
    this.build(base, 0, b.nRows, 0, BUILD_ALL_ROWS | BUILD_UNCOUNTED | BUILD_GRADIENTS);
    let sg = 0;
    let sh = 0;
    for (let s = 0; s < b.shards; s++) {
      sg += b.shardSums[2 * s]!;
      sh += b.shardSums[2 * s + 1]!;
    }
    sums[0] = sg;
    sums[1] = sh;
  }

  /**
   * Split `leaf` (`count` rows) on a binned feature (see partitionRows): its left rows stay in
   * `leaf`, its right rows become leaf `right`. When `build` is `leaf` or `right`, also the
   * histogram of that child (`buildCount` rows) into the pool at `base`.
   *
   * With `score`, neither child will be split again: their values (set in `leafValue` for
   * both leaves) go straight to their rows' scores (from `gBase`, output k's scores) and the
   * rows are not reordered; both children are then empty for {@link addLeaves}.
   *
   * @param inOrder the leaf is the rows 0..n-1 in order: `rows` is not read
   * @returns the rows that went left
   */
  split(
    leaf: number,
    right: number,
    count: number,
    colBase: number,
    splitBin: number,
    missingBin: number,
    missingLeft: number,
    inOrder: boolean,
    build: number,
    buildCount: number,
    base: number,
    gBase: number,
    score = false,
  ): number {
    const b = this.b;
    const S = b.shards;
    const epr = this.entriesPerRow;
    const flags = (missingLeft & 1) | (inOrder ? SPLIT_IN_ORDER : 0) | (score ? SPLIT_SCORE : 0);
    // The partition's grouping, finer if the build needs it (either depends on the data only).
    const splitGroups = Math.max(1, Math.min(S, Math.floor(count / SPLIT_CHUNK_ROWS)));
    const groups =
      build < 0 ? splitGroups : Math.max(splitGroups, groupsFor(buildCount, epr, b.histLength, S));
    this.args(leaf, right, colBase, splitBin, missingBin, flags, build, base, gBase);
    const parallel =
      count >= this.parallelMinRows || (build >= 0 && buildCount * epr >= this.parallelMinEntries);
    this.exec(CMD_SPLIT, groups, parallel);
    let nLeft = 0;
    for (let s = 0; s < S; s++) nLeft += this.ctx.results[s]!;
    if (build >= 0) this.merge(base, groups);
    return nLeft;
  }

  /**
   * Gradients of every row and output; `sums` gets each output's gradient and hessian totals
   * (output k's at 2k, 2k+1; the hessian total is the row count for constant hessians).
   */
  gradients(sums: Float64Array): void {
    this.exec(CMD_GRADIENTS, this.nBlocks, true);
    const { blockSums, nOutputs: K, constantHessian, nRows } = this.b;
    const nb = this.nBlocks;
    for (let k = 0; k < K; k++) {
      let sg = 0;
      let sh = 0;
      for (let blk = 0; blk < nb; blk++) {
        sg += blockSums[2 * (k * nb + blk)]!;
        sh += blockSums[2 * (k * nb + blk) + 1]!;
      }
      sums[2 * k] = sg;
      sums[2 * k + 1] = constantHessian ? nRows : sh;
    }
  }

  /**
   * Add the values of a grown tree's leaves (set in the shared leaf arrays) to the training
   * scores of their rows, output k's scores starting at `rawBase`.
   */
  addLeaves(nLeaves: number, m: number, rawBase: number): void {
    this.args(nLeaves, rawBase, 0);
    this.exec(CMD_ADD_LEAVES, this.b.shards, m >= this.parallelMinRows);
  }
}
