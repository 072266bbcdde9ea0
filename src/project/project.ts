/**
 * A project: a folder with a `sluice.yaml`. Loading one parses and checks the file; paths in
 * it are resolved against the folder.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { SluiceError } from "../errors.js";
import { didYouMean } from "../util/text.js";
import { parseProjectConfig, type ProjectConfig } from "./config.js";

export const PROJECT_FILE = "sluice.yaml";

/** A loaded project. */
export interface Project {
  /** Absolute path of the project folder. */
  readonly dir: string;
  /** Absolute path of the project file. */
  readonly file: string;
  readonly config: ProjectConfig;
  /** Absolute path of the data file (`data.path` resolved against the folder). */
  readonly dataPath: string;
  /** Absolute path of the folder where Sluice keeps its state (`.sluice/`). */
  readonly stateDir: string;
}

/** Resolve a path from the project file against the project folder. */
export function resolveProjectPath(project: Pick<Project, "dir">, path: string): string {
  return isAbsolute(path) ? path : resolve(project.dir, path);
}

/**
 * Load the project in `location`: a folder holding `sluice.yaml`, or the path of a project file.
 *
 * @throws SluiceError E_FILE_NOT_FOUND when there is no project file; ConfigError when it is invalid.
 * @example
 * const project = loadProject("examples/churn");
 * project.config.data.target; // "churn"
 */
export function loadProject(location = "."): Project {
  const abs = resolve(location);
  let file: string;
  if (existsSync(abs) && statSync(abs).isDirectory()) file = join(abs, PROJECT_FILE);
  else file = abs;
  if (!existsSync(file)) {
    const dir = existsSync(abs) && statSync(abs).isDirectory() ? abs : dirname(abs);
    const yamls = existsSync(dir) ? readdirSync(dir).filter((f) => /\.ya?ml$/i.test(f)) : [];
    throw new SluiceError("E_FILE_NOT_FOUND", `no project file at ${file}`, {
      details: { path: file },
      hint:
        yamls.length > 0
          ? `found ${yamls.join(", ")}${didYouMean(basename(file), yamls)}; pass the file's path, or name it ${PROJECT_FILE}`
          : "create one with `sluice init DIR --data FILE --target COLUMN`, or try `sluice example churn DIR`",
    });
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new SluiceError("E_CONFIG", `cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
  const config = parseProjectConfig(text, file);
  const dir = dirname(file);
  return {
    dir,
    file,
    config,
    dataPath: resolveProjectPath({ dir }, config.data.path),
    stateDir: join(dir, ".sluice"),
  };
}
