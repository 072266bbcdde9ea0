/**
 * Reading a project's data, with the checks that tie the project file to the file's columns:
 * every schema column, the target and the weight column must exist. These are configuration
 * mistakes (exit 2), reported before any data check runs.
 */
import { readFrame, readHeader, type FileHeader } from "../data/read.js";
import type { Frame } from "../data/frame.js";
import { SluiceError } from "../errors.js";
import type { Project } from "../project/project.js";
import { didYouMean } from "../util/text.js";
import { silentProgress, withStep, type Progress } from "../util/progress.js";

/** Options for {@link loadProjectData}. */
export interface LoadDataOptions {
  progress?: Progress;
  /** Read another file than `data.path` (same format settings). */
  path?: string;
}

function missingColumns(project: Project, header: FileHeader): SluiceError | undefined {
  const names = header.columns.map((c) => c.name);
  const present = new Set(names);
  const { config } = project;
  const problems: string[] = [];
  const push = (key: string, column: string): void => {
    problems.push(`${key}: column "${column}" is not in ${header.path}${didYouMean(column, names)}`);
  };
  if (!present.has(config.data.target)) push("data.target", config.data.target);
  if (config.data.weight !== undefined && !present.has(config.data.weight))
    push("data.weight", config.data.weight);
  for (const column of Object.keys(config.schema)) if (!present.has(column)) push(`schema.${column}`, column);
  if (problems.length === 0) return undefined;
  return new SluiceError(
    "E_COLUMN_NOT_FOUND",
    `${project.file} names ${problems.length === 1 ? "a column" : "columns"} the data does not have:\n  ${problems.join("\n  ")}`,
    {
      details: { file: project.file, data: header.path, columns: names, problems },
      hint: `the file's columns are: ${names.join(", ")}. Fix the names in ${project.file}, or run \`sluice schema infer ${header.path}\` for a fresh schema`,
    },
  );
}

/** The header of the project's data file (columns and sniffed format), checked against the project file. */
export async function readProjectHeader(project: Project, path = project.dataPath): Promise<FileHeader> {
  const { data } = project.config;
  const header = await readHeader(path, {
    ...(data.format === undefined ? {} : { format: data.format }),
    ...(data.delimiter === undefined ? {} : { delimiter: data.delimiter }),
    ...(data.header === undefined ? {} : { header: data.header }),
  });
  const err = missingColumns(project, header);
  if (err !== undefined) throw err;
  return header;
}

/**
 * Read the project's data into a Frame, typed by the project's schema.
 *
 * @throws SluiceError E_FILE_NOT_FOUND, E_DATA_UNREADABLE, E_DATA_TOO_LARGE, E_COLUMN_NOT_FOUND
 */
export async function loadProjectData(project: Project, options: LoadDataOptions = {}): Promise<Frame> {
  const progress = options.progress ?? silentProgress;
  const path = options.path ?? project.dataPath;
  const { data, schema, split } = project.config;
  return withStep(
    progress,
    `read ${path.startsWith(project.dir) ? path.slice(project.dir.length + 1) : path}`,
    async () => {
      await readProjectHeader(project, path);
      return readFrame(path, {
        schema,
        seed: split.seed,
        ...(data.format === undefined ? {} : { format: data.format }),
        ...(data.delimiter === undefined ? {} : { delimiter: data.delimiter }),
        ...(data.header === undefined ? {} : { header: data.header }),
        ...(data.sample_rows === undefined ? {} : { sampleRows: data.sample_rows }),
      });
    },
    (frame) => `${frame.nRows.toLocaleString("en-US")} rows, ${frame.nColumns} columns`,
  );
}
