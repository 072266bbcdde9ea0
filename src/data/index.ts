/**
 * The data part: frames, reading CSV/Parquet files into them, writing them as CSV, encoding
 * targets, and seeded splits and folds.
 */
export * from "./frame.js";
export { Random } from "./random.js";
export { readFrame, readHeader, type FileHeader, type ReadOptions } from "./read.js";
export { NA_TOKENS } from "./read-duckdb.js";
export {
  defaultMaxFrameBytes,
  estimateFrameBytes,
  formatBytes,
  parseByteSize,
  MAX_FRAME_BYTES_ENV,
} from "./read-budget.js";
export {
  formatCsvField,
  frameToCsv,
  writeFrameCsv,
  type ExtraColumn,
  type WriteCsvOptions,
} from "./csv-write.js";
export { encodeTarget, type EncodedTarget, type EncodeTargetOptions } from "./target.js";
export {
  kFolds,
  splitRows,
  type Fold,
  type FoldOptions,
  type SplitIndices,
  type SplitOptions,
} from "./split.js";
