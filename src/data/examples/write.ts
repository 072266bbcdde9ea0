/**
 * Writing an example project to a folder: the data (streamed), sluice.yaml and README.md.
 * Each file is written atomically, and a failure removes whatever this call had written, so a
 * folder never holds half an example.
 */
import { existsSync, readdirSync, rmdirSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { SluiceError } from "../../errors.js";
import { AtomicFileWriter, writeFileAtomicSync } from "../../util/fs.js";
import { CATALOG } from "./catalog.js";
import { parseExampleName, resolveOptions, type ExampleName, type ExampleOptions } from "./names.js";

/** The project file's name (as `sluice` looks for it). */
const PROJECT_FILE = "sluice.yaml";
const README_FILE = "README.md";

export interface WriteExampleOptions extends ExampleOptions {
  /** Overwrite the example's files in a folder that is not empty (other files are left alone). */
  force?: boolean;
  /** Called after each chunk of rows is written. */
  onProgress?: (rowsDone: number, rowsTotal: number) => void;
}

export interface WrittenExample {
  /** The project folder (absolute). */
  dir: string;
  projectFile: string;
  dataFile: string;
  readmeFile: string;
  rows: number;
}

/**
 * Write the example project `name` into `dir`: `sluice.yaml`, the data under `data/`, and a
 * README.md saying what the data is, how its signal was built and what to run.
 *
 * @throws SluiceError E_USAGE for an unknown example or bad rows/seed; E_EXISTS when `dir` is a
 *   file, or a folder that is not empty and `force` is not set; E_WRITE when a file cannot be written.
 * @example
 * const { projectFile, rows } = await writeExample("churn", "my-churn", { rows: 10_000, seed: 7 });
 * // then: cd my-churn && sluice run
 */
export async function writeExample(
  name: ExampleName,
  dir: string,
  options: WriteExampleOptions = {},
): Promise<WrittenExample> {
  const example = CATALOG[parseExampleName(name)];
  const { rows, seed } = resolveOptions(name, options);
  const root = resolve(dir);
  checkTarget(root, options.force === true);

  const projectFile = join(root, PROJECT_FILE);
  const dataFile = join(root, example.dataFile);
  const readmeFile = join(root, README_FILE);
  const createdDirs = missingDirs(dirname(dataFile));
  // A file replaced under force cannot be restored; only files this call created are undone.
  const fresh = [dataFile, projectFile, readmeFile].filter((f) => !existsSync(f));
  try {
    // The data first: it is the large, slow part, and nothing else is written if it fails.
    await writeData(example.csv(rows, seed), dataFile, rows, options.onProgress);
    writeFileAtomicSync(projectFile, example.projectYaml);
    writeFileAtomicSync(readmeFile, example.readme({ name, rows, seed }));
  } catch (err) {
    for (const f of fresh) rmSync(f, { force: true });
    for (const d of createdDirs) removeIfEmpty(d);
    throw err;
  }
  return { dir: root, projectFile, dataFile, readmeFile, rows };
}

function checkTarget(root: string, force: boolean): void {
  if (!existsSync(root)) return;
  if (!statSync(root).isDirectory())
    throw new SluiceError("E_EXISTS", `${root} exists and is a file, not a folder`, {
      details: { path: root },
      hint: "choose a folder name that is free, e.g. sluice example churn churn-demo",
    });
  const entries = readdirSync(root);
  if (entries.length > 0 && !force)
    throw new SluiceError(
      "E_EXISTS",
      `${root} is not empty (${entries.length} entr${entries.length === 1 ? "y" : "ies"}, e.g. ${JSON.stringify(entries.sort()[0])})`,
      {
        details: { path: root, entries: entries.slice(0, 10) },
        hint: "choose a new folder, or pass --force to overwrite sluice.yaml, README.md and the data file there",
      },
    );
}

/** `dir` and its ancestors that do not exist yet, deepest first. */
function missingDirs(dir: string): string[] {
  const out: string[] = [];
  for (let d = dir; !existsSync(d); d = dirname(d)) {
    out.push(d);
    if (dirname(d) === d) break;
  }
  return out;
}

function removeIfEmpty(dir: string): void {
  try {
    if (existsSync(dir) && readdirSync(dir).length === 0) rmdirSync(dir);
  } catch {
    // Best effort: an empty folder left behind does no harm.
  }
}

async function writeData(
  chunks: Generator<string>,
  path: string,
  rows: number,
  onProgress: WriteExampleOptions["onProgress"],
): Promise<void> {
  const out = new AtomicFileWriter(path);
  try {
    let done = 0;
    let first = true;
    for (const chunk of chunks) {
      out.write(chunk);
      if (first) {
        first = false; // the header
        continue;
      }
      done = Math.min(rows, done + countLines(chunk));
      onProgress?.(done, rows);
      // Let a progress bar redraw and signals through between chunks.
      await new Promise<void>((r) => setImmediate(r));
    }
    out.commit();
  } catch (err) {
    out.abort();
    throw err;
  }
}

function countLines(chunk: string): number {
  let n = 0;
  for (let i = chunk.indexOf("\n"); i !== -1; i = chunk.indexOf("\n", i + 1)) n++;
  return n;
}
