/**
 * The terminal view of a validation report: one headline, then one line per failed check.
 */
import pc from "picocolors";
import { count } from "../util/text.js";
import type { ValidationReport } from "./types.js";

function plural(n: number, word: string): string {
  return `${count(n)} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * A compact summary: a headline with rows, columns, errors and warnings (and how many rows a
 * quarantine would set aside), then one line per failed check with its level, check, column
 * and message.
 *
 * @example
 * process.stderr.write(summarizeValidation(report, { color: process.stderr.isTTY }) + "\n");
 */
export function summarizeValidation(report: ValidationReport, options: { color?: boolean } = {}): string {
  const c = pc.createColors(options.color ?? false);
  const shape = `${plural(report.rows, "row")} × ${plural(report.columns, "column")}`;
  const tally = `${plural(report.errors, "error")}, ${plural(report.warnings, "warning")}`;
  const quarantinable = report.rowFailures.rows.length;
  const lines: string[] = [
    report.passed
      ? `${c.green("✓")} data passed validation: ${shape}; ${tally}`
      : `${c.red("✗")} data failed validation: ${shape}; ${tally}${quarantinable > 0 ? `; ${plural(quarantinable, "row")} can be quarantined` : ""}`,
  ];
  const width = Math.max(0, ...report.failures.map((f) => f.check.length));
  for (const f of report.failures) {
    const mark = f.level === "error" ? c.red("✗ error") : c.yellow("! warn ");
    const where = f.column === undefined ? "" : ` ${c.bold(f.column)}`;
    lines.push(`  ${mark} ${c.dim(f.check.padEnd(width))}${where}  ${f.message}`);
  }
  const flagged = report.leakage.filter((l) => l.flagged);
  if (report.failures.length === 0 && report.leakage.length > 0) {
    const top = report.leakage.reduce((a, b) => ((b.score ?? -1) > (a.score ?? -1) ? b : a));
    if (top.score !== null && flagged.length === 0)
      lines.push(c.dim(`  strongest single feature: ${top.column} (${top.measure} ${top.score.toFixed(3)})`));
  }
  return lines.join("\n");
}
