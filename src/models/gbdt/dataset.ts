/**
 * The training matrix as boosting reads it, built once per fit: bins per cell (column-major,
 * for partitioning rows and routing rows through a tree), the global bin numbering of the
 * histograms, each feature's default bin, and the row-wise packed bins the histogram builders
 * read (boosting packs every feature in one; threads share out rows, not features).
 */
import type { FeatureMatrix } from "../../features/matrix.js";
import type { BinMapper } from "../binning.js";
import { binColumns } from "../kernels/bin.js";
import { balancedRanges, mostFrequentBins, packRows, type PackedRows } from "../kernels/rowbins.js";

/**
 * A feature's most frequent bin is left out of the packed rows (and restored from the leaf's
 * totals) when at least this share of rows is in it. Below it, the saved work is too small to
 * bother; above it, indicator and one-hot columns cost only their rare values.
 */
export const DEFAULT_BIN_SHARE = 0.1;

export interface BinnedData {
  readonly nRows: number;
  readonly nFeatures: number;
  readonly mapper: BinMapper;
  /** nRows × nFeatures bins, column-major. */
  readonly bins: Uint8Array;
  /** Per feature, the global index of its bin 0; binOffset[nFeatures] = totalBins. */
  readonly binOffset: Int32Array;
  readonly totalBins: number;
  /** Per feature, its value bins (the missing bin's local index). */
  readonly nValueBins: Int32Array;
  /** Per feature, 1 when the training rows had missing values. */
  readonly hasMissing: Uint8Array;
  /** Per feature, the global index of the bin left out of the packed rows, or -1. */
  readonly defaultBin: Int32Array;
  /** Packed rows, one per range of features. */
  readonly packs: readonly PackedRows[];
  /** Average packed entries per row (all packs). */
  readonly entriesPerRow: number;
}

/**
 * Bin `X` with `mapper` and pack the bins into `parts` ranges of features.
 *
 * @param shared put the arrays threads read on SharedArrayBuffers
 */
export function binTrainingData(
  X: FeatureMatrix,
  mapper: BinMapper,
  parts: number,
  shared: boolean,
): BinnedData {
  const { nRows, nCols: nFeatures } = X;
  const bytes = nRows * nFeatures;
  const bins = new Uint8Array(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  binColumns(X.data, nRows, mapper.thresholds, bins);

  const nValueBins = Int32Array.from(mapper.nBins);
  const binOffset = new Int32Array(nFeatures + 1);
  const perFeature = new Int32Array(nFeatures);
  for (let f = 0; f < nFeatures; f++) {
    // Every feature gets a missing bin, even without missing values in training: rows in
    // the histogram and bins in the matrix then follow one rule.
    perFeature[f] = nValueBins[f]! + 1;
    binOffset[f + 1] = binOffset[f]! + perFeature[f]!;
  }
  const frequent = new Int32Array(nFeatures);
  const share = new Float64Array(nFeatures);
  mostFrequentBins(bins, nRows, nFeatures, perFeature, frequent, share);
  const defaultBin = new Int32Array(nFeatures).fill(-1);
  const work = new Float64Array(nFeatures);
  for (let f = 0; f < nFeatures; f++) {
    if (share[f]! >= DEFAULT_BIN_SHARE) defaultBin[f] = binOffset[f]! + frequent[f]!;
    work[f] = nRows * (defaultBin[f]! < 0 ? 1 : 1 - share[f]!);
  }
  const ranges = balancedRanges(work, parts);
  const packs: PackedRows[] = [];
  let entries = 0;
  for (let p = 0; p + 1 < ranges.length; p++) {
    const pack = packRows(bins, nRows, ranges[p]!, ranges[p + 1]!, binOffset, defaultBin, shared);
    entries += pack.rowStart[nRows]!;
    packs.push(pack);
  }
  return {
    nRows,
    nFeatures,
    mapper,
    bins,
    binOffset,
    totalBins: binOffset[nFeatures]!,
    nValueBins,
    hasMissing: Uint8Array.from(mapper.hasMissing),
    defaultBin,
    packs,
    entriesPerRow: nRows === 0 ? 0 : entries / nRows,
  };
}
