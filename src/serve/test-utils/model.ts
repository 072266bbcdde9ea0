/**
 * Test helpers for the serving app: a churn model trained once per test file, and a holder
 * over a fixed {@link LoadedModel}.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeExample } from "../../data/examples/index.js";
import { loadBundle, type ModelBundle } from "../../pipeline/bundle.js";
import { runProject } from "../../pipeline/run.js";
import { loadProject } from "../../project/project.js";
import { openStore } from "../../track/index.js";
import type { HolderStatus, LoadedModel, ModelHolder, ReloadResult } from "../types.js";

/** A trained churn project: its folder and the registered version 1 loaded as a bundle. */
export interface TrainedChurn {
  dir: string;
  bundle: ModelBundle;
  loaded: LoadedModel;
}

/**
 * Write the churn example (1,500 rows) into a fresh temp folder, run it with gradient boosting
 * only, and load `models:/churn_predictor/1` from its store.
 */
export async function trainChurn(rows = 1500): Promise<TrainedChurn> {
  return trainExample("churn", rows);
}

/**
 * Write an example project (churn, fraud, housing) into a fresh temp folder, run it with
 * gradient boosting only, and load its version 1 from the registry.
 */
export async function trainExample(
  example: "churn" | "fraud" | "housing",
  rows = 1500,
): Promise<TrainedChurn> {
  const dir = join(mkdtempSync(join(tmpdir(), "sluice-serve-")), example);
  await writeExample(example, dir, { rows });
  const { summary } = await runProject(loadProject(dir), { candidates: ["gbdt"], threads: 1 });
  const name = summary.registry?.name;
  if (name === undefined) throw new Error(`the ${example} example registered no model`);
  const store = await openStore(undefined, { projectDir: dir });
  try {
    const source = `models:/${name}/1`;
    const bundle = await loadBundle(source, store);
    return {
      dir,
      bundle,
      loaded: {
        bundle,
        name,
        version: 1,
        stage: bundle.version?.stage ?? null,
        source,
        loadedAt: Date.now(),
      },
    };
  } finally {
    await store.close();
  }
}

/** A holder over fixed models: `reload()` moves to the next one given (if any). */
export class FixedHolder implements ModelHolder {
  private index = 0;
  private swaps = 0;
  reloads = 0;
  /** The registry's stage now, when a test sets it (else /model-info reports the load-time stage). */
  stage?: () => Promise<string | null>;

  constructor(private readonly models: readonly (LoadedModel | undefined)[]) {}

  current(): LoadedModel | undefined {
    return this.models[this.index];
  }

  reload(): Promise<ReloadResult> {
    this.reloads++;
    if (this.index + 1 < this.models.length) {
      this.index++;
      this.swaps++;
      return Promise.resolve({ changed: true, version: this.current()?.version ?? null });
    }
    return Promise.resolve({ changed: false, version: this.current()?.version ?? null });
  }

  status(): HolderStatus {
    return { swaps: this.swaps };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
