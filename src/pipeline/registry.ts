/**
 * The registry and run verbs as typed functions (`sluice promote`, `sluice models …`,
 * `sluice runs …` call these): opening a project's store, promoting with a reason, comparing
 * runs.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { SluiceError } from "../errors.js";
import { loadProject } from "../project/project.js";
import { openStore } from "../track/index.js";
import { STAGES, type ModelVersion, type RunRecord, type Stage, type Store } from "../track/types.js";
import { didYouMean } from "../util/text.js";
import { actor } from "./tracking.js";

/** Where a project's store is, and the registered model name the project uses. */
export interface ProjectStoreInfo {
  projectDir: string;
  /** The project's `store:` (undefined: the default SQLite file). */
  storeUrl: string | undefined;
  /** `registry.model`, or the project name. */
  modelName: string | undefined;
}

/**
 * Where the store of the project in `location` is. A folder without a sluice.yaml is fine: its
 * `.sluice/sluice.db` is used (or `SLUICE_STORE`).
 */
export function projectStoreInfo(location = "."): ProjectStoreInfo {
  const abs = resolve(location);
  if (existsSync(join(abs, "sluice.yaml")) || /\.ya?ml$/i.test(abs)) {
    const project = loadProject(abs);
    return {
      projectDir: project.dir,
      storeUrl: project.config.store,
      modelName: project.config.registry?.model ?? project.config.name,
    };
  }
  return { projectDir: abs, storeUrl: undefined, modelName: undefined };
}

/** Open the store of the project in `location`; `url` (a `--store` flag) wins. */
export function openProjectStore(location = ".", url?: string): Promise<Store> {
  const info = projectStoreInfo(location);
  return openStore(url, {
    projectDir: info.projectDir,
    ...(info.storeUrl === undefined ? {} : { configUrl: info.storeUrl }),
  });
}

/** Parse a stage name, or fail naming the stages. */
export function parseStage(value: string): Stage {
  const stage = value.trim().toLowerCase();
  if ((STAGES as readonly string[]).includes(stage)) return stage as Stage;
  throw new SluiceError("E_REGISTRY", `unknown stage "${value}"${didYouMean(value, STAGES)}`, {
    details: { stage: value, stages: STAGES },
    hint: `the stages are: ${STAGES.join(", ")}`,
  });
}

/** Parse a version number, or fail naming the value. */
export function parseVersion(value: string | number): number {
  const n = typeof value === "number" ? value : Number(value.replace(/^v/i, ""));
  if (!Number.isInteger(n) || n < 1)
    throw new SluiceError("E_USAGE", `a version is a whole number ≥ 1 (such as 3), got "${String(value)}"`, {
      details: { version: value },
      hint: "`sluice models show NAME` lists the versions",
    });
  return n;
}

export interface PromoteOptions {
  /** A stage name (checked: an unknown one is an E_REGISTRY error). */
  to: string;
  reason?: string;
  by?: string;
}

/**
 * Move a version to a stage (manual approval). Production needs a reason; the version that was
 * in production is archived, and both moves are recorded with who, when and why.
 *
 * @throws SluiceError E_REGISTRY (unknown stage, same stage), E_NOT_FOUND (no such model or
 *   version), E_USAGE (production without a reason)
 */
export async function promoteVersion(
  store: Store,
  name: string,
  version: number | string,
  options: PromoteOptions,
): Promise<ModelVersion> {
  const to = parseStage(options.to);
  const v = parseVersion(version);
  const reason = options.reason?.trim() ?? "";
  if (to === "production" && reason === "")
    throw new SluiceError("E_USAGE", `promoting ${name} version ${v} to production needs a reason`, {
      details: { name, version: v },
      hint: `say why: sluice promote ${name} ${v} --to production --reason "beats v${Math.max(1, v - 1)} on last month's data"`,
    });
  return store.transitionStage(name, v, to, { by: actor(options.by), reason: reason || `moved to ${to}` });
}

/** Runs side by side: every param and metric key, the value per run, and whether they differ. */
export interface RunComparison {
  runs: Pick<RunRecord, "id" | "name" | "status" | "startTime">[];
  params: { key: string; values: (string | null)[]; differ: boolean }[];
  metrics: { key: string; values: (number | null)[]; differ: boolean }[];
}

/** Compare runs by id (at least two). */
export async function compareRuns(store: Store, ids: readonly string[]): Promise<RunComparison> {
  if (ids.length < 2)
    throw new SluiceError("E_USAGE", `compare needs at least two run ids, got ${ids.length}`, {
      hint: "`sluice runs list` shows the ids",
    });
  const runs = await Promise.all(ids.map((id) => store.getRun(id)));
  const paramKeys = [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort();
  const metricKeys = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].sort();
  return {
    runs: runs.map((r) => ({ id: r.id, name: r.name, status: r.status, startTime: r.startTime })),
    params: paramKeys.map((key) => {
      const values = runs.map((r) => r.params[key] ?? null);
      return { key, values, differ: new Set(values).size > 1 };
    }),
    metrics: metricKeys.map((key) => {
      const values = runs.map((r) => r.metrics[key] ?? null);
      return { key, values, differ: new Set(values).size > 1 };
    }),
  };
}
