/**
 * `validateFrame`: every check the schema and the validation settings ask for, run lazily (all
 * of them, every failure reported), plus leakage scores and the data profile, in one report.
 *
 * Quarantine policy: a row is quarantinable when it fails a row-level check (type, nullable,
 * min, max, values, unique, pattern, duplicate_rows) that is error-level and that failed. Rows
 * failing a check that passed thanks to `mostly`, or a warn-level check, are listed in that
 * check's examples and counts but neither fail the run nor are set aside.
 */
import type { Frame } from "../data/frame.js";
import type { DatasetSchema, ValidationConfig } from "../project/schema.js";
import { SLUICE_VERSION } from "../version.js";
import { checkColumn, checkInferredNumbers } from "./column-checks.js";
import { checkDuplicateRows, checkRowCount, checkUnexpectedColumns } from "./file-checks.js";
import { checkFeatures, type Task } from "./leakage.js";
import type { Outcome } from "./outcome.js";
import { profileFrame } from "./profile.js";
import { VALIDATION_REPORT_FORMAT, type CheckResult, type ValidationReport } from "./types.js";

export interface ValidateOptions {
  /** One rule per column; may be `{}` (then only file-level checks, leakage and the profile). */
  schema: DatasetSchema;
  /** File-level settings, defaults already applied (`ValidationConfig.parse({})` for the defaults). */
  validation: ValidationConfig;
  /** The column to predict: needed for the leakage check. */
  target?: string;
  /** Default: classification for text/category targets and numbers with ≤ 10 distinct integers, else regression. */
  task?: Task;
  /** Columns used as features (leakage and id-like checks). Default: every column but the target and id/ignore/target roles. */
  featureColumns?: readonly string[];
  /** Failing rows shown per check. Default 5. */
  maxExamples?: number;
}

/** A row-level check's failing rows, kept beside the report for quarantine. */
export interface RowCheck {
  result: CheckResult;
  rows: Int32Array;
  reason: (row: number) => string;
  /** Error-level and failed: its rows are set aside. */
  quarantines: boolean;
}

interface ReportInternals {
  nRows: number;
  rowChecks: RowCheck[];
}

/** Row-level detail is too large for the JSON report, so it lives here, keyed by the report object. */
const internals = new WeakMap<ValidationReport, ReportInternals>();

/** The row-level detail of a report made by {@link validateFrame} in this process. */
export function reportInternals(report: ValidationReport): ReportInternals | undefined {
  return internals.get(report);
}

function defaultFeatures(frame: Frame, schema: DatasetSchema, target: string | undefined): string[] {
  return frame.names.filter((n) => {
    if (n === target) return false;
    const role = Object.hasOwn(schema, n) ? schema[n]!.role : "feature";
    return role === "feature";
  });
}

/**
 * Check a frame against a dataset schema and the file-level validation settings.
 *
 * Every check runs, whatever fails before it. The report is plain JSON; the rows behind each
 * row-level failure stay in memory with the report object for {@link quarantineRows}.
 *
 * @example
 * const report = validateFrame(frame, { schema: config.schema, validation: config.validation, target: "churn" });
 * if (!report.passed) console.log(summarizeValidation(report));
 * const { kept, quarantined, reasons } = quarantineRows(report);
 */
export function validateFrame(frame: Frame, options: ValidateOptions): ValidationReport {
  const { schema, validation, target } = options;
  const maxExamples = options.maxExamples ?? 5;
  const outcomes: Outcome[] = [];

  for (const [name, rule] of Object.entries(schema))
    outcomes.push(...checkColumn(frame, name, rule, { maxExamples }));
  outcomes.push(...checkInferredNumbers(frame, schema, { maxExamples }));
  if (target !== undefined && !Object.hasOwn(schema, target) && !frame.has(target))
    outcomes.push({
      result: {
        check: "presence",
        column: target,
        level: "error",
        passed: false,
        failingRows: 0,
        fraction: 0,
        message: `the target column "${target}" is not in the data; fix data.target or the file`,
        examples: [],
      },
    });
  outcomes.push(...checkRowCount(frame, validation.rows));
  outcomes.push(...checkDuplicateRows(frame, validation.duplicate_rows, maxExamples));
  outcomes.push(...checkUnexpectedColumns(frame, schema, validation.unexpected_columns));

  const features = (options.featureColumns ?? defaultFeatures(frame, schema, target)).filter((n) =>
    frame.has(n),
  );
  const featureChecks = checkFeatures(frame, {
    features,
    config: validation.leakage,
    ...(target === undefined ? {} : { target }),
    ...(options.task === undefined ? {} : { task: options.task }),
  });
  outcomes.push(...featureChecks.outcomes);

  const checks = outcomes.map((o) => o.result);
  const failures = checks.filter((c) => !c.passed);
  const errors = failures.filter((c) => c.level === "error").length;

  const rowChecks: RowCheck[] = [];
  const marked = new Uint8Array(frame.nRows);
  let nMarked = 0;
  for (const o of outcomes) {
    if (o.rows === undefined || o.reason === undefined) continue;
    const quarantines = !o.result.passed && o.result.level === "error";
    rowChecks.push({ result: o.result, rows: o.rows, reason: o.reason, quarantines });
    if (!quarantines) continue;
    for (let i = 0; i < o.rows.length; i++) {
      const r = o.rows[i]!;
      if (marked[r] === 0) {
        marked[r] = 1;
        nMarked++;
      }
    }
  }
  const failedRows = new Array<number>(nMarked);
  for (let i = 0, j = 0; i < marked.length; i++) if (marked[i] === 1) failedRows[j++] = i;

  const report: ValidationReport = {
    formatVersion: VALIDATION_REPORT_FORMAT,
    sluiceVersion: SLUICE_VERSION,
    rows: frame.nRows,
    columns: frame.nColumns,
    passed: errors === 0,
    errors,
    warnings: failures.length - errors,
    checks,
    failures,
    profile: profileFrame(frame),
    leakage: featureChecks.leakage,
    rowFailures: { rows: failedRows },
  };
  internals.set(report, { nRows: frame.nRows, rowChecks });
  return report;
}
