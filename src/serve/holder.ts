/**
 * The model holder: loads the model a server answers with, follows a registry reference
 * (`models:/churn@production`) and swaps in a new version atomically when the reference moves.
 *
 * A new version is loaded and checked before it serves (features and model agree, a sample
 * record gives finite outputs, probabilities sum to 1). A version that fails is refused: the
 * old one keeps serving, the refusal is kept in `status().lastError` and counted, and the same
 * version is not tried again on the next poll (only when the reference moves again, or on
 * `reload()`). The swap is one reference assignment: a request keeps the model it took.
 */
import { statSync } from "node:fs";
import { basename, dirname } from "node:path";
import { isSluiceError, SluiceError, type ErrorCode } from "../errors.js";
import { outputNames, transformRecord } from "../features/transform.js";
import { loadBundleFile, type ModelBundle } from "../pipeline/bundle.js";
import type { ModelVersion, Store } from "../track/types.js";
import { formatModelUri, parseModelUri } from "../track/uri.js";
import { sampleRecord } from "./sample.js";
import type { HolderStatus, LoadedModel, ModelHolder, ReloadResult, ServeMetrics } from "./types.js";

/** How often a followed reference is resolved, by default (ms). */
export const DEFAULT_POLL_MS = 2000;

export interface ModelHolderOptions {
  /** The store, for a `models:/` source. */
  store?: Store;
  /** How often to resolve a followed reference (ms, default 2000); 0 = never poll (reload() only). */
  pollMs?: number;
  /** An extra check a candidate must pass before it serves; throw to refuse it. */
  check?: (model: LoadedModel) => void;
  /** Counts refused reloads and sets the serving model's info gauge. */
  metrics?: Pick<ServeMetrics, "reloadFailed" | "setModel">;
  /** Told about swaps and refusals (a logger line). */
  onEvent?: (event: HolderEvent) => void;
}

/** What the holder reports while following a reference. */
export type HolderEvent =
  | { kind: "swapped"; name: string; from: number | null; to: number | null }
  | { kind: "refused"; name: string; version: number | null; message: string };

/** A model file's identity on disk, to tell a rewritten file from the same one. */
function fileStamp(bundle: Pick<ModelBundle, "modelPath" | "featuresPath">): string {
  const a = statSync(bundle.modelPath);
  const b = statSync(bundle.featuresPath);
  return `${a.size}:${a.mtimeMs}:${b.size}:${b.mtimeMs}`;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The code to report a refusal under: the error's own, else E_ARTIFACT (the model could not be used). */
function codeOf(err: unknown): ErrorCode {
  return isSluiceError(err) ? err.code : "E_ARTIFACT";
}

/**
 * The checks a model must pass before it serves: the features' outputs are the model's inputs,
 * and the sample record (from the training profile, see sample.ts) gives finite outputs (probabilities in [0, 1] summing to 1).
 *
 * @throws SluiceError E_ARTIFACT naming what disagrees
 */
export function checkLoadedModel(loaded: LoadedModel): void {
  const { model, features } = loaded.bundle;
  const what = loaded.version === null ? loaded.source : `${loaded.name} version ${loaded.version}`;
  const fail = (why: string): never => {
    throw new SluiceError("E_ARTIFACT", `${what} cannot serve: ${why}`, {
      details: { name: loaded.name, version: loaded.version, modelPath: loaded.bundle.modelPath },
      hint: "re-run `sluice run` to write the model and its features again, or promote another version",
    });
  };
  const names = outputNames(features);
  if (names.length !== model.featureNames.length)
    fail(`the features make ${names.length} columns and the model reads ${model.featureNames.length}`);
  if (features.task !== model.task)
    fail(`the features are for ${features.task} and the model for ${model.task}`);
  const row = transformRecord(features, sampleRecord(loaded.bundle));
  const out = model.predictOne(row);
  for (const v of out) if (!Number.isFinite(v)) fail(`the sample record gives a non-finite output (${v})`);
  if (model.task === "classification") {
    const k = model.classes?.length ?? 0;
    if (out.length !== k) fail(`the sample record gives ${out.length} probabilities for ${k} classes`);
    let sum = 0;
    for (const p of out) {
      if (p < 0 || p > 1) fail(`the sample record gives a probability outside [0, 1] (${p})`);
      sum += p;
    }
    if (Math.abs(sum - 1) > 1e-6) fail(`the sample record's probabilities sum to ${sum}, not 1`);
  }
}

interface Candidate {
  loaded: LoadedModel;
  stamp: string;
}

/**
 * Load the model of `source` (`models:/NAME@production`, `models:/NAME@alias`,
 * `models:/NAME/3`, a model.json path or folder, or a `file://` URI), check it, and hold it.
 * A `models:/NAME@…` source is followed: every `pollMs` the reference is resolved again and a
 * new version swapped in when it passes its checks.
 *
 * @throws SluiceError when the first model cannot be loaded or fails its checks (E_NOT_FOUND,
 *   E_FILE_NOT_FOUND, E_FORMAT, E_ARTIFACT, E_USAGE for a registry reference without a store)
 * @example
 * const holder = await createModelHolder("models:/churn_predictor@production", { store });
 * holder.current()?.bundle.model.predictOne(row);
 */
export async function createModelHolder(
  source: string,
  options: ModelHolderOptions = {},
): Promise<ModelHolder> {
  const ref = parseModelUri(source);
  const store = options.store;
  if (ref !== null && store === undefined)
    throw new SluiceError("E_USAGE", `${source} is a registry reference, and no store was given`, {
      hint: "open the project's store (openStore) and pass it as `store`",
    });
  const following = ref !== null && ref.kind !== "version";
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;

  /** Load and check the model the source names now. */
  const load = async (): Promise<Candidate> => {
    let version: ModelVersion | undefined;
    let bundle: Omit<ModelBundle, "version">;
    if (ref !== null) {
      version = await store!.resolveModel(ref);
      bundle = loadBundleFile(version.source);
    } else bundle = loadBundleFile(source);
    const full: ModelBundle = version === undefined ? bundle : { ...bundle, version };
    const loaded: LoadedModel = {
      bundle: full,
      name: ref?.name ?? basename(dirname(bundle.modelPath)),
      version: version?.version ?? null,
      stage: version?.stage ?? null,
      source,
      loadedAt: Date.now(),
    };
    checkLoadedModel(loaded);
    options.check?.(loaded);
    return { loaded, stamp: fileStamp(bundle) };
  };

  let current: Candidate = await load();
  options.metrics?.setModel(current.loaded.name, current.loaded.version);
  const status: HolderStatus = { swaps: 0, ...(following ? { following: formatModelUri(ref) } : {}) };
  /** The version last refused, so a poll does not try it again. */
  let refused: number | null | undefined;
  /** The reference could not be resolved at the last check. */
  let unresolved = false;
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  const refuse = (version: number | null, err: unknown, remember = true): ReloadResult => {
    const text = message(err);
    if (remember) refused = version;
    status.lastError = { version, message: text, at: Date.now() };
    options.metrics?.reloadFailed();
    options.onEvent?.({ kind: "refused", name: current.loaded.name, version, message: text });
    return { changed: false, version: current.loaded.version, error: text, code: codeOf(err) };
  };

  /** One check of the source; `force` retries a refused version and re-reads an unchanged file. */
  const check = async (force: boolean): Promise<ReloadResult> => {
    status.lastCheckAt = Date.now();
    let target: number | null = null;
    if (ref !== null) {
      try {
        target = (await store!.resolveModel(ref)).version;
        unresolved = false;
      } catch (err) {
        // The reference points nowhere now (the stage was emptied, the store is down): keep
        // serving what we have, and count it once, not on every poll.
        if (unresolved && !force)
          return { changed: false, version: current.loaded.version, error: message(err), code: codeOf(err) };
        unresolved = true;
        return refuse(null, err, false);
      }
      if (target === current.loaded.version) return { changed: false, version: target };
      if (!force && target === refused) return { changed: false, version: current.loaded.version };
    }
    let next: Candidate;
    try {
      next = await load();
    } catch (err) {
      return refuse(target, err);
    }
    if (ref === null && next.stamp === current.stamp) return { changed: false, version: null };
    if (ref !== null && next.loaded.version === current.loaded.version)
      return { changed: false, version: next.loaded.version };
    const from = current.loaded.version;
    current = next; // the swap: requests that took the old model keep it
    refused = undefined;
    status.swaps++;
    options.metrics?.setModel(next.loaded.name, next.loaded.version);
    options.onEvent?.({ kind: "swapped", name: next.loaded.name, from, to: next.loaded.version });
    return { changed: true, version: next.loaded.version };
  };

  /** Checks run one at a time, in order. */
  const enqueue = (force: boolean): Promise<ReloadResult> => {
    const run = queue.then(() => check(force));
    queue = run.catch(() => undefined);
    return run;
  };

  let polling = false;
  const timer =
    following && pollMs > 0
      ? setInterval(() => {
          if (polling || closed) return;
          polling = true;
          enqueue(false)
            .catch((err: unknown) => refuse(null, err, false))
            .finally(() => (polling = false));
        }, pollMs)
      : undefined;
  timer?.unref();

  return {
    current: () => current.loaded,
    reload: () => enqueue(true),
    status: () => ({ ...status }),
    stage: async () => {
      const { name, version, stage } = current.loaded;
      if (store === undefined || version === null) return stage;
      try {
        return (await store.getModelVersion(name, version)).stage;
      } catch {
        return stage;
      }
    },
    close: async () => {
      closed = true;
      if (timer !== undefined) clearInterval(timer);
      await queue;
    },
  };
}
