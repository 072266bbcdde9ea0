/**
 * Builds a leaf's histogram into a slot of the histogram pool: sum the leaf's rows shard by
 * shard (row-tasks.ts; on the histogram threads when the leaf is large enough to pay for the
 * hand-off), then restore the default bins and, for constant hessians, the hessian sums.
 *
 * Why rows, not features, are shared out: a thread summing a share of the features still
 * reads every row's offsets and gradients, which on a sparse leaf (rows far apart in memory)
 * are most of the cost; a thread summing a chunk of rows reads each row once.
 */
import { fillConstantHessians, fillDefaultBins, HIST_STRIDE, setCounts } from "../kernels/histogram.js";
import type { BinnedData } from "./dataset.js";
import type { Team } from "./row-tasks.js";
import { BUILD_ALL_ROWS, BUILD_UNCOUNTED, type SharedBuffers } from "./workers.js";

export class HistogramBuilder {
  /** Doubles per histogram. */
  readonly histLength: number;
  /**
   * The row count of every bin over all rows, from the first build of every row: a tree
   * grown on every row has the same root rows each time, so later roots sum gradients and
   * hessians only (a third fewer updates) and take their counts from here.
   */
  private rootCounts: Float64Array | undefined;

  constructor(
    private readonly data: BinnedData,
    private readonly buffers: SharedBuffers,
    /** The hessian of every row when `buffers.constantHessian`. */
    private readonly hessian: number,
    private readonly team: Team,
  ) {
    this.histLength = data.totalBins * HIST_STRIDE;
  }

  /** Histogram of every row (leaf 0 holding the rows in order; gradients from `gBase`) into `base`. */
  buildAll(base: number, gBase: number, sumG: number, sumH: number): void {
    const d = this.data;
    const counts = this.rootCounts;
    this.team.build(base, 0, d.nRows, gBase, BUILD_ALL_ROWS | (counts === undefined ? 0 : BUILD_UNCOUNTED));
    const hist = this.buffers.hist;
    if (counts !== undefined) setCounts(hist, base, 0, d.totalBins, counts);
    else {
      const kept = new Float64Array(d.totalBins);
      for (let j = 0; j < d.totalBins; j++) kept[j] = hist[base + j * HIST_STRIDE + 2]!;
      this.rootCounts = kept;
    }
    this.finish(base, sumG, sumH, d.nRows);
  }

  /** Whether {@link buildAllWithGradients} can run: the counts of every row are known. */
  get knowsRootCounts(): boolean {
    return this.rootCounts !== undefined;
  }

  /**
   * The round's gradients (one output, every row) and the histogram of every row into
   * `base`, in one pass; only once {@link knowsRootCounts}.
   *
   * @param sums OUT: the gradient and hessian totals
   */
  buildAllWithGradients(base: number, sums: Float64Array): void {
    const d = this.data;
    this.team.buildRootWithGradients(base, sums);
    setCounts(this.buffers.hist, base, 0, d.totalBins, this.rootCounts!);
    this.finish(base, sums[0]!, sums[1]!, d.nRows);
  }

  /** Histogram of `leaf` (`count` rows) into `base`. */
  buildLeaf(base: number, leaf: number, count: number, gBase: number, sumG: number, sumH: number): void {
    this.team.build(base, leaf, count, gBase, 0);
    this.finish(base, sumG, sumH, count);
  }

  /**
   * Complete a histogram whose rows were summed (by a split): the hessians of constant-hessian
   * fits, and the default bins the packed rows leave out.
   */
  finish(base: number, sumG: number, sumH: number, count: number): void {
    const { hist, constantHessian } = this.buffers;
    const d = this.data;
    if (constantHessian) fillConstantHessians(hist, base, 0, d.totalBins, this.hessian);
    fillDefaultBins(hist, base, 0, d.nFeatures, d.binOffset, d.defaultBin, sumG, sumH, count);
  }
}
