/**
 * {@link renderEvaluationReport} for the package index: the report draws its plots with Vega,
 * which is large, so it is loaded on the first call rather than by everything that imports the
 * index (a prediction server never renders a report).
 */
import type { ReportInput } from "./report.js";

export type { ReportInput } from "./report.js";

/**
 * The evaluation report as one self-contained HTML document (see ./report.ts); loads the
 * plotting code on first use.
 *
 * @example
 * const html = await renderEvaluationReport({ ...cardInput, evaluation });
 */
export async function renderEvaluationReport(input: ReportInput): Promise<string> {
  const report = await import("./report.js");
  return report.renderEvaluationReport(input);
}
