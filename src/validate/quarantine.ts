/**
 * Quarantine: the rows that failed error-level row-level checks are set aside with the reason,
 * not dropped silently, so the rest of the data can go on.
 */
import { SluiceError } from "../errors.js";
import { ROW_LEVEL_CHECKS, type CheckResult, type ValidationReport } from "./types.js";
import { reportInternals } from "./validate.js";

export interface QuarantineResult {
  /** 0-based rows set aside, ascending: the report's `rowFailures.rows`. */
  quarantined: Int32Array;
  /** One per quarantined row: every row-level failure of that row, joined by "; ". */
  reasons: string[];
  /** 0-based rows that go on, ascending. kept.length + quarantined.length = report.rows. */
  kept: Int32Array;
  /**
   * Error-level failures that setting rows aside does not fix (a missing column, too few rows,
   * leakage, a null share over its limit). When this is not empty, the data still fails.
   */
  unresolved: CheckResult[];
}

/**
 * Split the rows of a validated frame into kept and quarantined, with a reason per quarantined
 * row ("age: 150 is above the maximum 120; gender: \"X\" is not an allowed value"). Reasons list
 * all of a row's row-level failures, including warn-level ones and ones within `mostly`.
 *
 * @throws SluiceError E_USAGE when the report was not made by `validateFrame` in this process
 *   (a report read back from JSON has no row-level detail).
 * @example
 * const report = validateFrame(frame, options);
 * const q = quarantineRows(report);
 * const clean = frame.take(q.kept);
 */
export function quarantineRows(report: ValidationReport): QuarantineResult {
  const state = reportInternals(report);
  if (state === undefined)
    throw new SluiceError(
      "E_USAGE",
      "this validation report has no row-level detail: it was not made by validateFrame in this process (a report read back from JSON keeps only counts and examples)",
      {
        hint: "call quarantineRows on the report object validateFrame returned, before serialising it",
      },
    );
  const n = state.nRows;
  const quarantined = Int32Array.from(report.rowFailures.rows);
  // Row → slot in `quarantined`, so each check's rows map to their reasons without a search.
  const slot = new Int32Array(n).fill(-1);
  for (let i = 0; i < quarantined.length; i++) slot[quarantined[i]!] = i;
  const reasons = new Array<string>(quarantined.length).fill("");
  for (const check of state.rowChecks) {
    const rows = check.rows;
    for (let i = 0; i < rows.length; i++) {
      const s = slot[rows[i]!]!;
      if (s < 0) continue;
      const why = check.reason(rows[i]!);
      reasons[s] = reasons[s] === "" ? why : `${reasons[s]}; ${why}`;
    }
  }
  const kept = new Int32Array(n - quarantined.length);
  for (let i = 0, j = 0; i < n; i++) if (slot[i]! < 0) kept[j++] = i;
  const unresolved = report.failures.filter((f) => f.level === "error" && !ROW_LEVEL_CHECKS.has(f.check));
  return { quarantined, reasons, kept, unresolved };
}
