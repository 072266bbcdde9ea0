/**
 * The memory budget of a frame. A file is refused before it is read when its frame would not
 * fit, with the numbers that decided it and what to do instead (read a sample, or raise the
 * budget), rather than crashing the process halfway through.
 */
import { totalmem } from "node:os";
import { SluiceError } from "../errors.js";
import type { ColumnKind } from "./frame.js";

const GiB = 1024 * 1024 * 1024;

/** Estimated bytes per cell of each column kind (typed arrays; JS strings for text). */
export const CELL_BYTES: Readonly<Record<ColumnKind, number>> = { numeric: 8, categorical: 8, text: 48 };

/** The environment variable that sets the default budget. */
export const MAX_FRAME_BYTES_ENV = "SLUICE_MAX_FRAME_BYTES";

const UNITS: Readonly<Record<string, number>> = {
  "": 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  kib: 1024,
  m: 1e6,
  mb: 1e6,
  mib: 1024 ** 2,
  g: 1e9,
  gb: 1e9,
  gib: GiB,
  t: 1e12,
  tb: 1e12,
  tib: 1024 ** 4,
};

/** `"512MB"`, `"4GiB"`, `"1000000"` → bytes; undefined when it does not parse. */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (m === null) return undefined;
  const unit = UNITS[m[2]!.toLowerCase()];
  if (unit === undefined) return undefined;
  const bytes = Math.floor(Number(m[1]) * unit);
  return bytes > 0 ? bytes : undefined;
}

/** `1536 * 1024 * 1024` → `"1.5 GiB"`. */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${bytes} bytes` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[i]!}`;
}

/**
 * The default budget: `SLUICE_MAX_FRAME_BYTES` when set, else min(4 GiB, 25% of this machine's memory).
 *
 * @throws SluiceError E_USAGE when the variable is set but is not a size.
 */
export function defaultMaxFrameBytes(env: NodeJS.ProcessEnv = process.env, total = totalmem()): number {
  const raw = env[MAX_FRAME_BYTES_ENV];
  if (raw !== undefined && raw.trim() !== "") {
    const bytes = parseByteSize(raw);
    if (bytes === undefined)
      throw new SluiceError(
        "E_USAGE",
        `${MAX_FRAME_BYTES_ENV} must be a size such as 2GB or 536870912, got "${raw}"`,
        {
          details: { variable: MAX_FRAME_BYTES_ENV, value: raw },
          hint: `unset ${MAX_FRAME_BYTES_ENV} to use the default (the smaller of 4 GiB and a quarter of the memory)`,
        },
      );
    return bytes;
  }
  return Math.min(4 * GiB, Math.floor(total * 0.25));
}

/** Estimated frame size in bytes for `rows` rows with the given column kinds. */
export function estimateFrameBytes(rows: number, kinds: Iterable<ColumnKind>): number {
  let perRow = 0;
  for (const k of kinds) perRow += CELL_BYTES[k];
  return rows * perRow;
}

/** Facts for the too-large error. */
export interface TooLarge {
  file: string;
  fileBytes: number;
  rows: number;
  columns: number;
  estimate: number;
  budget: number;
  /** True when `estimate` is a lower bound (text columns not known yet). */
  atLeast: boolean;
}

/** The E_DATA_TOO_LARGE error: file size, estimate and budget, with the ways out. */
export function tooLargeError(f: TooLarge): SluiceError {
  return new SluiceError(
    "E_DATA_TOO_LARGE",
    `${f.file} (${formatBytes(f.fileBytes)} on disk, ${f.rows.toLocaleString("en-US")} rows × ${f.columns} columns) ` +
      `would need ${f.atLeast ? "at least" : "about"} ${formatBytes(f.estimate)} in memory, more than the budget of ${formatBytes(f.budget)}`,
    {
      details: { ...f },
      hint:
        `set data.sample_rows in sluice.yaml to read a uniform random sample, read fewer columns, ` +
        `or raise the budget with ${MAX_FRAME_BYTES_ENV} (e.g. ${MAX_FRAME_BYTES_ENV}=8GB) if the machine has the memory`,
    },
  );
}
