/**
 * The shape of a validation result. Everything here is plain, JSON-serialisable data: a report
 * is written next to every run and read back by the UI, so it holds no typed arrays, no NaN and
 * no functions. Row-level detail that would be too large for JSON stays in memory (see
 * `quarantineRows`).
 */
import type { Cell, ColumnKind } from "../data/frame.js";
import type { DataProfile } from "./profile-schema.js";

/** The version of the {@link ValidationReport} JSON layout. */
export const VALIDATION_REPORT_FORMAT = 1;

/**
 * Every kind of check. Per column (from its schema rule): `presence`, `type`, `nullable`,
 * `min`, `max`, `values`, `unique`, `pattern`, `max_null_fraction`. Per file: `rows`,
 * `duplicate_rows`, `unexpected_columns`. Per feature column: `id_like`, `leakage`.
 */
export type CheckName =
  | "presence"
  | "type"
  | "nullable"
  | "min"
  | "max"
  | "values"
  | "unique"
  | "pattern"
  | "max_null_fraction"
  | "rows"
  | "duplicate_rows"
  | "unexpected_columns"
  | "id_like"
  | "leakage";

/** Checks that judge single rows: their failing rows are remembered and can be quarantined. */
export const ROW_LEVEL_CHECKS: ReadonlySet<CheckName> = new Set<CheckName>([
  "type",
  "nullable",
  "min",
  "max",
  "values",
  "unique",
  "pattern",
  "duplicate_rows",
]);

/** One failing cell shown to a person. */
export interface CheckExample {
  /** 1-based data row number, as a person counts rows below the header. */
  row: number;
  /** The offending value: the raw text for a cell that did not parse, null for a missing one. */
  value: Cell;
}

/** The outcome of one check. */
export interface CheckResult {
  check: CheckName;
  /** The column checked; absent for file-level checks. */
  column?: string;
  level: "error" | "warn";
  /** Whether the check passed (with `mostly`, a few failing rows may still pass). */
  passed: boolean;
  /** Rows that failed (0 for checks that are not about rows). */
  failingRows: number;
  /** `failingRows` over the rows the check looked at (non-missing rows for value checks, all rows otherwise). */
  fraction: number;
  /** The bound checked against: min, max, max_null_fraction, the leakage threshold, a row-count bound. */
  threshold?: number;
  /** The share of rows that must pass, when the column sets `mostly`. */
  mostly?: number;
  /** The measured value for checks that measure one: null share, row count, AUC or correlation. */
  observed?: number;
  /** Columns involved, for checks about several (unexpected columns). */
  columns?: string[];
  /** One sentence: what was found, with numbers and examples, and what to do. */
  message: string;
  /** The first failing rows, in row order. */
  examples: CheckExample[];
}

/** How strongly one feature alone predicts the target. */
export interface LeakageResult {
  column: string;
  kind: ColumnKind;
  /**
   * `roc_auc`: classification, max(AUC, 1 − AUC) (largest one-vs-rest AUC for multiclass);
   * `abs_pearson`: regression with a numeric feature; `correlation_ratio`: regression with a
   * categorical feature (η). null when the column was not scored (see `note`).
   */
  measure: "roc_auc" | "abs_pearson" | "correlation_ratio" | null;
  /** The score in [0, 1], or null when it cannot be computed. */
  score: number | null;
  /** Rows used: both the feature and the target present. */
  rows: number;
  /**
   * For a categorical feature whose in-sample score reached the threshold: the same score with
   * each row predicted from the other folds (5 folds by row index) — its category's class share
   * (AUC) or mean (sqrt of out-of-fold R², for η). In-sample category statistics overfit rare
   * categories; a feature is flagged only when this score reaches the threshold too.
   */
  outOfFoldScore?: number;
  /** Score (and, when computed, the out-of-fold score) at or above the threshold. */
  flagged: boolean;
  /** The column looks like an identifier (see the `id_like` check); such columns are not scored. */
  idLike: boolean;
  /** Why a column was not scored, or which class gave the largest AUC. */
  note?: string;
}

/** The result of `validateFrame`. */
export interface ValidationReport {
  formatVersion: typeof VALIDATION_REPORT_FORMAT;
  sluiceVersion: string;
  rows: number;
  columns: number;
  /** No error-level check failed. */
  passed: boolean;
  /** Failed error-level checks. */
  errors: number;
  /** Failed warn-level checks. */
  warnings: number;
  /** Every check evaluated, passed or not, in a fixed order (schema columns, file, features). */
  checks: CheckResult[];
  /** The failed checks, in the same order. */
  failures: CheckResult[];
  profile: DataProfile;
  /** One entry per feature column when a target is given and leakage is not off. */
  leakage: LeakageResult[];
  rowFailures: {
    /**
     * 0-based row indices (ascending) that failed at least one error-level row-level check which
     * itself failed: exactly the rows `quarantineRows` sets aside. Rows that failed only a check
     * passed by its `mostly` tolerance, or only a warn-level check, are not listed.
     */
    rows: number[];
  };
}
