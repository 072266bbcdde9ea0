/**
 * A model bundle: the model file and the fitted features it was trained with
 * (`features.json` beside `model.json`), loaded from a file path, a `file://` URI or a registry
 * reference (`models:/churn@production`, `models:/churn/3`, `models:/churn@champion`).
 *
 * Imports no training code (no DuckDB, no search): the server loads models through this file.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SluiceError } from "../errors.js";
import { parseFittedFeatures } from "../features/parse.js";
import type { FittedFeatures } from "../features/fitted.js";
import { loadModel } from "../models/format.js";
import type { Model } from "../models/types.js";
import type { ColumnRule, ServeConfig } from "../project/schema.js";
import type { ModelVersion, Store } from "../track/types.js";
import { parseModelUri } from "../track/uri.js";

/**
 * serving.json, written beside the model by `sluice run`: what a server needs besides the
 * model and the features.
 */
export interface ServingInfo {
  formatVersion: 1;
  project: string;
  target: string;
  task: "classification" | "regression";
  classes?: string[];
  /** The positive class label of a binary target. */
  positive?: string;
  /** Columns with role `id`: echoed back in responses, never features. */
  idColumns: string[];
  /** The project's column rules (type, min, max, values, …) that requests are checked against. */
  schema: Record<string, ColumnRule>;
  /** The project's `serve:` settings at training time (risk levels, limits). */
  serve: ServeConfig;
}

export interface ModelBundle {
  model: Model;
  features: FittedFeatures;
  /** serving.json, when the run wrote one. */
  serving?: ServingInfo;
  /** The model file on disk. */
  modelPath: string;
  featuresPath: string;
  /** The registry version, when loaded from the registry. */
  version?: ModelVersion;
}

/** A local path for a file path or a `file://` URI. */
export function localPathOf(source: string): string {
  if (source.startsWith("file:")) return fileURLToPath(source);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source))
    throw new SluiceError("E_USAGE", `cannot read a model from ${source}: only local files are supported`, {
      details: { source },
      hint: "give a model.json path, a file:// URI or a models:/NAME@stage reference",
    });
  return resolve(source);
}

/**
 * Load a model file and the features beside it. `source` is `model.json`, its folder, or a
 * `file://` URI of either.
 *
 * @throws SluiceError E_FILE_NOT_FOUND (model or features missing), E_FORMAT (a corrupt file)
 */
export function loadBundleFile(source: string): Omit<ModelBundle, "version"> {
  let modelPath = localPathOf(source);
  if (existsSync(modelPath) && statSync(modelPath).isDirectory()) modelPath = join(modelPath, "model.json");
  if (!existsSync(modelPath))
    throw new SluiceError("E_FILE_NOT_FOUND", `model file not found: ${modelPath}`, {
      details: { path: modelPath },
      hint: "check the path; `sluice run` writes model.json into each run's artifact folder",
    });
  const featuresPath = join(dirname(modelPath), "features.json");
  if (!existsSync(featuresPath))
    throw new SluiceError(
      "E_FILE_NOT_FOUND",
      `the fitted features of ${modelPath} are missing: ${featuresPath}`,
      {
        details: { path: featuresPath },
        hint: "a model needs the features.json written beside it by the same run",
      },
    );
  const model = loadModel(modelPath);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(featuresPath, "utf8"));
  } catch (err) {
    throw new SluiceError(
      "E_FORMAT",
      `fitted features ${featuresPath}: not valid JSON (${(err as Error).message})`,
      {
        cause: err,
        details: { path: featuresPath },
        hint: "the file is damaged: re-run `sluice run` to write it again",
      },
    );
  }
  const features = parseFittedFeatures(json);
  const servingPath = join(dirname(modelPath), "serving.json");
  let serving: ServingInfo | undefined;
  if (existsSync(servingPath)) {
    try {
      serving = JSON.parse(readFileSync(servingPath, "utf8")) as ServingInfo;
    } catch (err) {
      throw new SluiceError("E_FORMAT", `${servingPath}: not valid JSON (${(err as Error).message})`, {
        cause: err,
        details: { path: servingPath },
        hint: "the file is damaged: re-run `sluice run` to write it again",
      });
    }
    if (serving.formatVersion !== 1)
      throw new SluiceError(
        "E_FORMAT",
        `${servingPath}: format version ${String(serving.formatVersion)} is not 1`,
        {
          hint: "it was written by a newer Sluice: upgrade sluice",
        },
      );
  }
  return { model, features, modelPath, featuresPath, ...(serving === undefined ? {} : { serving }) };
}

/**
 * Load a bundle from a path, a `file://` URI or a `models:/` reference (which needs a store).
 *
 * @example
 * const { model, features, version } = await loadBundle("models:/churn@production", store);
 */
export async function loadBundle(source: string, store?: Store): Promise<ModelBundle> {
  const ref = parseModelUri(source);
  if (ref === null) return loadBundleFile(source);
  if (store === undefined)
    throw new SluiceError("E_USAGE", `${source} is a registry reference, and no store was given`, {
      hint: "open the project's store (openStore) and pass it",
    });
  const version = await store.resolveModel(ref);
  return { ...loadBundleFile(version.source), version };
}
