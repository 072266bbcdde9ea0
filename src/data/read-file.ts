/**
 * The checks made on a data file before DuckDB sees it: that it exists, is a file, is not
 * empty, and has a format Sluice reads. Each failure is a {@link SluiceError} that names the
 * file, so a typo in `data.path` reads as a typo and not as a DuckDB stack trace.
 */
import { open, readdir, stat } from "node:fs/promises";
import { basename, dirname, extname, resolve } from "node:path";
import { SluiceError } from "../errors.js";
import { didYouMean, listing } from "../util/text.js";

/** A file format Sluice reads. */
export type DataFormat = "csv" | "parquet";

/** A data file that exists and is not empty. */
export interface DataFile {
  /** The path as the caller gave it, for messages. */
  readonly display: string;
  /** The absolute path, for DuckDB. */
  readonly path: string;
  /** Size on disk in bytes. */
  readonly size: number;
  /** Whether the file is compressed (`.gz`, `.zst`): its size says little about its rows. */
  readonly compressed: boolean;
}

const CSV_EXTENSIONS = [".csv", ".tsv", ".txt"];
const PARQUET_EXTENSIONS = [".parquet", ".pq"];
const COMPRESSION_EXTENSIONS = [".gz", ".zst"];
const KNOWN = "CSV (.csv, .tsv, .txt, optionally .gz) and Parquet (.parquet, .pq)";

/**
 * Check that `path` names a readable, non-empty file.
 *
 * @throws SluiceError E_FILE_NOT_FOUND (with a "did you mean" over the files in its folder),
 *   E_DATA_UNREADABLE for a folder or an empty file.
 */
export async function checkDataFile(path: string): Promise<DataFile> {
  const absolute = resolve(path);
  let info;
  try {
    info = await stat(absolute);
  } catch (err) {
    throw await notFound(path, absolute, err);
  }
  if (info.isDirectory()) {
    const inside = await dataFilesIn(absolute);
    throw new SluiceError("E_DATA_UNREADABLE", `${path} is a folder, not a data file`, {
      details: { path },
      hint:
        inside.length > 0
          ? `point the path at one of the files inside it: ${listing(inside.slice(0, 5), "or")}`
          : `point the path at a ${KNOWN} file`,
    });
  }
  if (!info.isFile())
    throw new SluiceError("E_DATA_UNREADABLE", `${path} is not a regular file`, {
      details: { path },
      hint: `point the path at a ${KNOWN} file`,
    });
  if (info.size === 0)
    throw new SluiceError("E_DATA_UNREADABLE", `${path} is empty (0 bytes)`, {
      details: { path, bytes: 0 },
      hint: "check that the export that produced it finished, or point the path at another file",
    });
  const compressed = COMPRESSION_EXTENSIONS.includes(extname(absolute).toLowerCase());
  return { display: path, path: absolute, size: info.size, compressed };
}

async function notFound(path: string, absolute: string, cause: unknown): Promise<SluiceError> {
  const folder = dirname(absolute);
  let siblings: string[];
  try {
    siblings = await readdir(folder);
  } catch {
    return new SluiceError(
      "E_FILE_NOT_FOUND",
      `${path} does not exist: its folder ${dirname(path)} does not exist either`,
      {
        cause,
        details: { path },
        hint: "check the path; a relative data.path is resolved from the project folder",
      },
    );
  }
  return new SluiceError(
    "E_FILE_NOT_FOUND",
    `${path} does not exist${didYouMean(basename(absolute), siblings)}`,
    {
      cause,
      details: { path, folder: dirname(path) },
      hint: "check the path; a relative data.path is resolved from the project folder",
    },
  );
}

async function dataFilesIn(folder: string): Promise<string[]> {
  try {
    const names = await readdir(folder);
    return names.filter((n) => formatFromExtension(n) !== undefined).sort();
  } catch {
    return [];
  }
}

/** The format implied by a file name, or undefined when the extension says nothing. */
export function formatFromExtension(name: string): DataFormat | undefined {
  let lower = name.toLowerCase();
  for (const ext of COMPRESSION_EXTENSIONS) if (lower.endsWith(ext)) lower = lower.slice(0, -ext.length);
  if (CSV_EXTENSIONS.some((e) => lower.endsWith(e))) return "csv";
  if (PARQUET_EXTENSIONS.some((e) => lower.endsWith(e))) return "parquet";
  return undefined;
}

/**
 * The format of `file`: the one asked for, else the extension's, else a look at the first
 * bytes (Parquet starts with `PAR1`; text without NUL bytes is taken as CSV).
 *
 * @throws SluiceError E_DATA_UNREADABLE when the file is neither.
 */
export async function detectFormat(file: DataFile, requested?: DataFormat): Promise<DataFormat> {
  if (requested !== undefined) return requested;
  const byName = formatFromExtension(file.path);
  if (byName !== undefined) return byName;
  const head = await readHead(file.path, 8192);
  if (head.length >= 4 && head.toString("latin1", 0, 4) === "PAR1") return "parquet";
  if (looksLikeText(head)) return "csv";
  const ext = extname(file.path);
  const spreadsheet = [".xlsx", ".xls", ".ods", ".numbers"].includes(ext.toLowerCase());
  throw new SluiceError(
    "E_DATA_UNREADABLE",
    `${file.display} has ${ext === "" ? "no extension" : `the extension "${ext}"`} and its content is neither CSV text nor Parquet`,
    {
      details: { path: file.display, extension: ext },
      hint: spreadsheet
        ? "Sluice does not read spreadsheets: save the sheet as CSV (UTF-8) and point the path at that file"
        : `Sluice reads ${KNOWN}; convert the file, or set data.format if it is one of these under another name`,
    },
  );
}

async function readHead(path: string, bytes: number): Promise<Buffer> {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

function looksLikeText(head: Buffer): boolean {
  if (head.includes(0)) return false;
  // Allow a UTF-8 sequence cut at the end of the sample; reject anything else that is not UTF-8.
  const text = new TextDecoder("utf-8", { fatal: false }).decode(head);
  const bad = text.split("\uFFFD").length - 1;
  return bad <= 1;
}

/** The first `bytes` of a file as text (for small-file checks such as "only blank lines"). */
export async function readTextHead(path: string, bytes: number): Promise<string> {
  return (await readHead(path, bytes)).toString("utf8");
}
