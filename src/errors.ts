/**
 * Typed errors. Every error Sluice raises on purpose is a {@link SluiceError} with a stable
 * `code`; one table maps each code to a CLI exit code (and, later, to an HTTP status).
 *
 * Messages follow one rule: say what happened, name the bad value, say what to do next.
 */

/** Exit codes of the `sluice` command. */
export const ExitCode = {
  ok: 0,
  /** A data check or a gate failed. */
  checkFailed: 1,
  /** Bad usage, bad config or unreadable input. */
  usage: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * Every stable error code, with the exit code the CLI uses for it.
 * Codes are part of the public contract: never rename one, add new ones.
 */
export const ERROR_CODES = {
  /** Wrong command-line usage. */
  E_USAGE: ExitCode.usage,
  /** The project file (sluice.yaml) is missing, unparsable or invalid. */
  E_CONFIG: ExitCode.usage,
  /** A file that should exist does not. */
  E_FILE_NOT_FOUND: ExitCode.usage,
  /** A file exists but cannot be read as data (empty, header only, broken CSV, bad Parquet). */
  E_DATA_UNREADABLE: ExitCode.usage,
  /** The data is larger than the memory budget allows. */
  E_DATA_TOO_LARGE: ExitCode.usage,
  /** A named column is not in the data. */
  E_COLUMN_NOT_FOUND: ExitCode.usage,
  /** A column holds values of another type than the operation needs. */
  E_COLUMN_TYPE: ExitCode.usage,
  /** The target column cannot be learned from (missing, one class, all empty). */
  E_TARGET: ExitCode.usage,
  /** A feature formula does not parse or names something that does not exist. */
  E_FORMULA: ExitCode.usage,
  /** A record sent for transformation or prediction has a missing or wrongly typed field. */
  E_RECORD: ExitCode.usage,
  /** Fitted state (features, model) is not in a format this version understands. */
  E_FORMAT: ExitCode.usage,
  /** An object was used before it was fitted. */
  E_NOT_FITTED: ExitCode.usage,
  /** An output would overwrite something that exists. */
  E_EXISTS: ExitCode.usage,
  /** Writing an output failed (permissions, disk full). */
  E_WRITE: ExitCode.usage,
  /** Data validation found error-level failures. */
  E_VALIDATION_FAILED: ExitCode.checkFailed,
  /** A split or fold cannot be made from the data given. */
  E_SPLIT: ExitCode.usage,
  /** Labels a learner cannot fit: NaN or infinite values, one class, codes out of range, unseen classes. */
  E_LABELS: ExitCode.usage,
  /** A feature matrix a model cannot take: wrong number of columns, NaN where the model needs numbers. */
  E_MATRIX: ExitCode.usage,
  /** A fit or search was stopped by its caller. */
  E_ABORTED: ExitCode.usage,
  /** A worker thread failed. */
  E_WORKER: ExitCode.usage,
  /** A run, experiment, registered model, version or alias that does not exist. */
  E_NOT_FOUND: ExitCode.usage,
  /** The tracking store cannot be opened or answered badly (unreachable URL, failed query). */
  E_STORE: ExitCode.usage,
  /** The store was created by a newer Sluice (its schema version is ahead of this one). */
  E_STORE_VERSION: ExitCode.usage,
  /** A registry operation that is not allowed (unknown stage, bad transition, bad alias). */
  E_REGISTRY: ExitCode.usage,
  /** An artifact could not be written or read. */
  E_ARTIFACT: ExitCode.usage,
  /** A bad run-search filter or order (names the token and what was expected). */
  E_FILTER: ExitCode.usage,
  /** A model version did not pass its gates (it stays registered, not promoted). */
  E_GATE_FAILED: ExitCode.checkFailed,
  /** A drift test cannot be computed: no values left after removing missing ones, bad counts, unknown method. */
  E_DRIFT_TEST: ExitCode.usage,
  /** An internal invariant was broken: a bug in Sluice. */
  E_INTERNAL: ExitCode.usage,
} as const satisfies Record<string, ExitCode>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface SluiceErrorOptions {
  /** The underlying error, kept for debugging (`--verbose` prints it). */
  cause?: unknown;
  /** Structured facts about the failure (the bad value, the path, the row), for `--json` output. */
  details?: Record<string, unknown>;
  /** What the user can do about it, printed after the message. */
  hint?: string;
}

/** The base class of every error Sluice raises on purpose. */
export class SluiceError extends Error {
  override readonly name = "SluiceError";
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: SluiceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
    this.hint = options.hint;
  }

  /** The CLI exit code for this error. */
  get exitCode(): ExitCode {
    return ERROR_CODES[this.code];
  }

  /** A plain object for `--json` output and logs. */
  toJSON(): { code: ErrorCode; message: string; hint?: string; details: Record<string, unknown> } {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      details: this.details,
    };
  }
}

/** True when `err` is a {@link SluiceError}, optionally with the given code. */
export function isSluiceError(err: unknown, code?: ErrorCode): err is SluiceError {
  return err instanceof SluiceError && (code === undefined || err.code === code);
}

/** The exit code the CLI uses for any thrown value: unknown errors are internal (2). */
export function exitCodeOf(err: unknown): ExitCode {
  return err instanceof SluiceError ? err.exitCode : ExitCode.usage;
}
