/**
 * Formula errors. The tokenizer, parser and checker throw {@link FormulaSyntaxError}, which only
 * knows a position; {@link formulaError} turns it into the `E_FORMULA` {@link SluiceError} users
 * see, naming the feature and drawing a caret under the offending text:
 *
 * ```
 * features.derived.ratio: unknown column "tenur" (did you mean "tenure"?)
 *   total_charges / (tenur + 1)
 *                    ^^^^^
 * ```
 */
import { SluiceError } from "../../errors.js";

/** A problem at a span of a formula's source. Internal: callers get a SluiceError. */
export class FormulaSyntaxError extends Error {
  override readonly name = "FormulaSyntaxError";
  constructor(
    readonly problem: string,
    readonly start: number,
    readonly end: number,
    readonly hint?: string,
  ) {
    super(problem);
  }
}

/** The source line holding `start`, with a caret line under [start, end). */
export function caretLines(source: string, start: number, end: number): string {
  const lineStart = source.lastIndexOf("\n", Math.max(0, start - 1)) + 1;
  let lineEnd = source.indexOf("\n", start);
  if (lineEnd < 0) lineEnd = source.length;
  // Keep very long lines readable: show at most 60 characters either side of the caret.
  const from = Math.max(lineStart, start - 60);
  const to = Math.min(lineEnd, start + Math.min(Math.max(end - start, 1), 60) + 20);
  const line =
    (from > lineStart ? "…" : "") + source.slice(from, to).replace(/\t/g, " ") + (to < lineEnd ? "…" : "");
  const pad = start - from + (from > lineStart ? 1 : 0);
  const width = Math.max(1, Math.min(end, to) - start);
  return `  ${line}\n  ${" ".repeat(pad)}${"^".repeat(width)}`;
}

/** The E_FORMULA error for a problem in the formula `source` of feature `where`. */
export function formulaError(where: string, source: string, err: FormulaSyntaxError): SluiceError {
  const line = source.slice(0, err.start).split("\n").length;
  const column = err.start - (source.lastIndexOf("\n", err.start - 1) + 1) + 1;
  return new SluiceError("E_FORMULA", `${where}: ${err.problem}\n${caretLines(source, err.start, err.end)}`, {
    details: {
      feature: where,
      formula: source,
      start: err.start,
      end: err.end,
      line,
      column,
      problem: err.problem,
    },
    ...(err.hint === undefined ? {} : { hint: err.hint }),
  });
}
