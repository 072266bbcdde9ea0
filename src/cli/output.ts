/**
 * How the CLI speaks: results to stdout (text, or JSON with `--json`), progress and errors to
 * stderr, and one exit code per outcome (see ERROR_CODES in src/errors.ts).
 */
import pc from "picocolors";
import type { ExitCode } from "../errors.js";
import { SluiceError, exitCodeOf } from "../errors.js";
import { describeValue } from "../util/text.js";

/** Options every command understands. */
export interface GlobalOptions {
  json?: boolean;
  verbose?: boolean;
  color?: boolean;
}

/** Write a JSON document to stdout (one line per document, for scripts). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Write text to stdout. */
export function print(text = ""): void {
  process.stdout.write(`${text}\n`);
}

/** Print an error the way a person (or, with `--json`, a script) wants it; return its exit code. */
export function reportError(err: unknown, options: GlobalOptions): ExitCode {
  const code = exitCodeOf(err);
  if (options.json === true) {
    const body =
      err instanceof SluiceError
        ? err.toJSON()
        : { code: "E_INTERNAL", message: err instanceof Error ? err.message : String(err), details: {} };
    process.stdout.write(`${JSON.stringify({ ok: false, error: body }, null, 2)}\n`);
    return code;
  }
  if (err instanceof SluiceError) {
    process.stderr.write(`${pc.red("error")} ${pc.dim(`[${err.code}]`)} ${err.message}\n`);
    if (err.hint !== undefined) process.stderr.write(`${pc.cyan("hint")}  ${err.hint}\n`);
    if (options.verbose === true && err.cause !== undefined) {
      const cause =
        err.cause instanceof Error ? (err.cause.stack ?? err.cause.message) : describeValue(err.cause, 2000);
      process.stderr.write(pc.dim(`cause: ${cause}\n`));
    }
  } else {
    const e = err instanceof Error ? err : new Error(String(err));
    process.stderr.write(`${pc.red("error")} ${pc.dim("[E_INTERNAL]")} ${e.message}\n`);
    process.stderr.write(
      options.verbose === true
        ? pc.dim(`${e.stack ?? ""}\n`)
        : pc.dim("this is a bug in sluice; run again with --verbose to see where it happened\n"),
    );
  }
  return code;
}

/** A left-aligned text table. */
export function table(rows: readonly (readonly string[])[], header?: readonly string[]): string {
  const all = header === undefined ? rows : [header, ...rows];
  const widths: number[] = [];
  for (const r of all) r.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell))));
  const line = (r: readonly string[]): string =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell + " ".repeat(widths[i]! - visibleLength(cell))))
      .join("  ");
  const out = all.map(line);
  if (header !== undefined) out.splice(1, 0, widths.map((w) => "─".repeat(w)).join("  "));
  return out.join("\n");
}

function visibleLength(s: string): number {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, "").length;
}
