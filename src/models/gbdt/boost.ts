/**
 * The boosting loop: bin the matrix once, then each round compute gradients, draw the round's
 * rows (bagging), grow one tree per output on them, add the trees' leaf values to the
 * training scores (from the row partition; rows left out of the round are routed through
 * the tree on their bins) and to the validation scores, and watch the validation loss for
 * early stopping.
 */
import { availableParallelism } from "node:os";
import { Random } from "../../data/random.js";
import type { FeatureMatrix } from "../../features/matrix.js";
import type { GradientBoostingParams } from "../../project/schema.js";
import { fitBinMapper } from "../binning.js";
import { throwIfAborted } from "../linear/inputs.js";
import { addTreeToBinnedRows } from "../kernels/partition.js";
import { addTreeOutputs, type Tree } from "../tree.js";
import type { FitOptions, Labels } from "../types.js";
import { binTrainingData, type BinnedData } from "./dataset.js";
import { TreeGrower } from "./grower.js";
import { HistogramBuilder } from "./histogram-builder.js";
import { baseScores, validationLoss, type ObjectiveName } from "./objective.js";
import { leafOrder, REORDER_MIN_ROWS, reorderRows, unorderScores } from "./reorder.js";
import { gradientBlocks, MAX_SHARDS, shardsFor, Team } from "./row-tasks.js";
import { sampleSize, sampleSorted } from "./sampling.js";
import { HistogramWorkers, type SharedBuffers } from "./workers.js";

/**
 * Matrices smaller than this (rows × features) are fitted on one thread: starting histogram
 * threads costs more than they would save.
 */
export const THREADS_MIN_CELLS = 2_000_000;

/** Hand control back to the event loop at most this often (ms), so an abort can arrive. */
const YIELD_EVERY_MS = 25;

/** Thresholds for the threads; tests lower them to run the threaded paths on small data. */
export interface BoostTuning {
  /** Rows × features from which histogram threads start (default THREADS_MIN_CELLS). */
  threadsMinCells?: number;
  /** Packed entries from which a histogram is split over the threads (default PARALLEL_MIN_ENTRIES). */
  parallelMinEntries?: number;
  /** Rows from which a leaf's partition is split over the threads (default PARALLEL_MIN_ROWS). */
  parallelMinRows?: number;
  /** Least rows per shard of a round (default SHARD_MIN_ROWS). */
  shardMinRows?: number;
  /** Rows from which the training rows are reordered after the first round (default REORDER_MIN_ROWS). */
  reorderMinRows?: number;
}

export interface BoostInput {
  X: FeatureMatrix;
  y: Labels;
  /** Training weight per row (sample × class weights), or undefined when all are 1. */
  weights: Float64Array | undefined;
  objective: ObjectiveName;
  nOutputs: number;
  nClasses: number;
  params: GradientBoostingParams;
  options: FitOptions;
  tuning?: BoostTuning;
}

export interface BoostResult {
  trees: Tree[];
  baseScore: Float64Array;
  /** Rounds kept (after early stopping). */
  rounds: number;
  /** Validation loss after each round fitted (empty without a validation set). */
  validationLoss: number[];
  /**
   * Training scores after the last round fitted (class-major: output k of row i at k·n + i),
   * in the caller's row order (put back on request: fits that only want the trees skip it).
   */
  trainScores(): Float64Array;
}

/** What {@link growOutputTree} reads and writes, fixed for a fit. */
interface TreeWork {
  grower: TreeGrower;
  tasks: Team;
  buffers: SharedBuffers;
  data: BinnedData;
  /** Rows of the matrix, and of a round's sample. */
  n: number;
  m: number;
  /** The round's rows and the others, with bagging. */
  inBag: Int32Array | undefined;
  outOfBag: Int32Array | undefined;
  /** Per output, the totals of its gradients and hessians over every row (2k, 2k + 1). */
  sums: Float64Array;
}

/**
 * Grow one output's tree on the round's rows and add it to the training scores (from the
 * partition, on the threads). Synchronous and apart from the async loop of {@link boost},
 * whose loops V8 does not optimise.
 */
function growOutputTree(
  w: TreeWork,
  k: number,
  features: Int32Array,
  nFeat: number,
  withGradients: boolean,
): Tree {
  const { grower, tasks, buffers, data, n, m, inBag, outOfBag } = w;
  const { rows, g, h, constantHessian, raw } = buffers;
  const gBase = k * n;
  let sumG = w.sums[2 * k]!;
  let sumH = w.sums[2 * k + 1]!;
  if (inBag !== undefined) {
    rows.set(inBag);
    sumG = 0;
    sumH = 0;
    for (let i = 0; i < m; i++) {
      const r = gBase + inBag[i]!;
      sumG += g[r]!;
      if (!constantHessian) sumH += h[r]!;
    }
    if (constantHessian) sumH = m;
  }
  const grown = grower.grow(m, inBag === undefined, gBase, sumG, sumH, features, nFeat, withGradients);
  const tree = grown.tree;
  for (let l = 0; l < grown.nLeaves; l++) buffers.leafValue[l] = tree.value[grown.leafNode[l]!]!;
  tasks.addLeaves(grown.nLeaves, m, gBase);
  if (outOfBag !== undefined && n > m)
    addTreeToBinnedRows(
      outOfBag,
      0,
      n - m,
      data.bins,
      n,
      tree.feature,
      grown.splitBin,
      tree.missingLeft,
      tree.left,
      tree.right,
      data.nValueBins,
      tree.value,
      raw,
      gBase,
    );
  return tree;
}

/** rows[i] = i (a loop apart from the async {@link boost}, so that it is optimised). */
function fillIdentity(rows: Int32Array): void {
  for (let i = 0; i < rows.length; i++) rows[i] = i;
}

/** Threads to use: `requested`, 0 meaning one per core. */
export function resolveThreads(requested: number): number {
  return requested > 0 ? requested : Math.max(1, availableParallelism());
}

/** Fit the trees. */
export async function boost(input: BoostInput): Promise<BoostResult> {
  const { X, y, weights, objective, nOutputs: K, params, options } = input;
  const n = X.nRows;
  const F = X.nCols;
  const seed = options.seed ?? 42;
  const threads = resolveThreads(options.threads ?? params.threads);
  const minCells = input.tuning?.threadsMinCells ?? THREADS_MIN_CELLS;
  const nThreads = n * F >= minCells ? threads : 1;
  const shared = nThreads > 1;
  // The threads start while the matrix is binned.
  const starting = shared ? HistogramWorkers.start(nThreads - 1) : undefined;
  let data: BinnedData;
  try {
    data = binTrainingData(X, fitBinMapper(X, { maxBins: params.max_bins, seed }), 1, shared);
  } catch (err) {
    await (await starting?.catch(() => undefined))?.close();
    throw err;
  }
  const alloc = (bytes: number): ArrayBuffer | SharedArrayBuffer =>
    shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);

  // Unweighted squared error has hessian 1 everywhere: histograms skip the hessians.
  const constantHessian = objective === "regression" && weights === undefined;

  const onShared = <T extends Float64Array | Int32Array>(a: T): T => {
    if (!shared) return a;
    const copy = new (a.constructor as new (b: SharedArrayBuffer) => T)(new SharedArrayBuffer(a.byteLength));
    copy.set(a);
    return copy;
  };
  const rows = new Int32Array(alloc(n * 4));
  // Without bagging, the partition of every tree starts as a permutation of all rows (the
  // root's split reads rows in order, not this array, but a tree that never splits does).
  if (params.bagging_fraction >= 1) fillIdentity(rows);
  const histLength = data.totalBins * 3;
  const slots = TreeGrower.slotsFor(params.num_leaves, data.totalBins);
  const bagging = params.bagging_fraction < 1;
  const m = bagging ? sampleSize(params.bagging_fraction, n) : n;
  const shards = shardsFor(m, input.tuning?.shardMinRows);
  const buffers: SharedBuffers = {
    rows,
    scratch: new Int32Array(alloc(n * 4)),
    bins: data.bins,
    nRows: n,
    g: new Float32Array(alloc(K * n * 4)),
    h: new Float32Array(alloc((constantHessian ? 1 : K * n) * 4)),
    hist: new Float64Array(alloc(slots * histLength * 8)),
    chunkHist: new Float64Array(alloc((Math.min(MAX_SHARDS, shards) - 1) * histLength * 8)),
    histLength,
    constantHessian,
    objective,
    nOutputs: K,
    raw: new Float64Array(alloc(K * n * 8)),
    y: onShared(y),
    w: weights === undefined ? undefined : onShared(weights),
    blockSums: new Float64Array(alloc(K * gradientBlocks(n) * 2 * 8)),
    shardSums: new Float64Array(alloc(2 * shards * 8)),
    shards,
    shardBegin: new Int32Array(alloc(params.num_leaves * shards * 4)),
    shardCount: new Int32Array(alloc(params.num_leaves * shards * 4)),
    leafValue: new Float64Array(alloc(params.num_leaves * 8)),
  };
  const raw = buffers.raw;

  const workers = await starting;
  workers?.attach(data.packs[0]!, buffers);
  try {
    const tasks = new Team(
      buffers,
      data.packs[0]!,
      data.entriesPerRow,
      workers,
      input.tuning?.parallelMinEntries,
      input.tuning?.parallelMinRows,
    );
    const builder = new HistogramBuilder(data, buffers, 1, tasks);
    const grower = new TreeGrower(
      data,
      {
        numLeaves: params.num_leaves,
        maxDepth: params.max_depth ?? Infinity,
        minDataInLeaf: params.min_data_in_leaf,
        minSumHessian: params.min_sum_hessian,
        lambdaL2: params.lambda_l2,
        minGainToSplit: params.min_gain_to_split,
        learningRate: params.learning_rate,
      },
      builder,
      tasks,
      buffers.hist,
      buffers.leafValue,
    );

    const baseScore = baseScores(objective, y, weights, input.nClasses);
    for (let k = 0; k < K; k++) raw.fill(baseScore[k]!, k * n, (k + 1) * n);
    const validation = options.validation;
    const vRaw = validation === undefined ? undefined : new Float64Array(validation.X.nRows * K);
    if (vRaw !== undefined) for (let i = 0; i < vRaw.length; i++) vRaw[i] = baseScore[i % K]!;

    const inBag = bagging ? new Int32Array(m) : undefined;
    const outOfBag = bagging ? new Int32Array(n - m) : undefined;
    const bagRng = Random.derive(seed, "gbdt bagging");
    const nFeat = params.feature_fraction < 1 ? sampleSize(params.feature_fraction, F) : F;
    const features = Int32Array.from({ length: F }, (_, f) => f);
    const featureRng = Random.derive(seed, "gbdt feature_fraction");
    const sums = new Float64Array(2 * K);
    const work: TreeWork = { grower, tasks, buffers, data, n, m, inBag, outOfBag, sums };

    // Reorder the rows by the first round's leaves when the matrix is large enough for the
    // leaves' scattered rows to cost cache misses (see reorder.ts).
    const reorder = n >= (input.tuning?.reorderMinRows ?? REORDER_MIN_ROWS) && params.trees > 1;
    let order: Int32Array | undefined;

    const trees: Tree[] = [];
    const losses: number[] = [];
    const patience = params.early_stopping_rounds;
    let bestLoss = Infinity;
    let bestRound = 0;
    let lastYield = performance.now();
    let rounds = 0;

    for (let round = 0; round < params.trees; round++) {
      throwIfAborted(options.signal, "gradient boosting model");
      // One output without bagging: from the second round (root counts known) the gradients
      // are computed by the root's histogram pass (HistogramBuilder.buildAllWithGradients).
      const fused = K === 1 && !bagging && builder.knowsRootCounts;
      if (!fused) tasks.gradients(sums);
      if (bagging) sampleSorted(bagRng, n, m, inBag!, outOfBag);
      for (let k = 0; k < K; k++) {
        if (nFeat < F) sampleSorted(featureRng, F, nFeat, features, undefined);
        const tree = growOutputTree(work, k, features, nFeat, fused);
        trees.push(tree);
        if (vRaw !== undefined) addTreeOutputs(tree, validation!.X, vRaw, K, k, 1);
      }
      rounds = round + 1;
      if (round === 0 && reorder) {
        order = leafOrder(rows, m, outOfBag, n);
        reorderRows(data, buffers, order);
        // Without bagging the partition must again hold every row (see fillIdentity above).
        if (!bagging) fillIdentity(rows);
      }

      let loss = NaN;
      if (vRaw !== undefined) {
        loss = validationLoss(objective, vRaw, validation!.y, validation!.weights, K);
        losses.push(loss);
        if (loss < bestLoss) {
          bestLoss = loss;
          bestRound = rounds;
        }
      }
      options.progress?.update(rounds, params.trees);
      if (options.onIteration?.(rounds, loss) === false) break;
      if (patience !== null && vRaw !== undefined && rounds - bestRound >= patience) break;
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
    }

    // With early stopping, keep the rounds up to the best validation loss.
    const kept = patience !== null && vRaw !== undefined && bestRound > 0 ? bestRound : rounds;
    trees.length = kept * K;
    const trainScores = (): Float64Array => (order === undefined ? raw : unorderScores(raw, order, K));
    return { trees, baseScore, rounds: kept, validationLoss: losses, trainScores };
  } finally {
    await workers?.close();
  }
}
