import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSluiceError } from "../errors.js";
import { localPathOf } from "../pipeline/bundle.js";
import { openStore } from "../track/index.js";
import type { Store } from "../track/types.js";
import { checkLoadedModel, createModelHolder } from "./holder.js";
import { createServeMetrics } from "./metrics.js";
import { trainChurn, type TrainedChurn } from "./test-utils/model.js";
import type { ModelHolder } from "./types.js";

const NAME = "churn_predictor";
let trained: TrainedChurn;
let store: Store;
let copies = 0;

/** Register a copy of version 1's files as a new version; `damage` changes the copy first. */
async function registerCopy(damage?: (folder: string) => void): Promise<number> {
  const from = dirname(trained.bundle.modelPath);
  const folder = join(trained.dir, "copies", String(++copies));
  mkdirSync(folder, { recursive: true });
  for (const file of ["model.json", "features.json", "serving.json"])
    if (existsSync(join(from, file))) copyFileSync(join(from, file), join(folder, file));
  damage?.(folder);
  const v = await store.createModelVersion({ name: NAME, source: join(folder, "model.json") });
  return v.version;
}

function promote(version: number): Promise<unknown> {
  return store.transitionStage(NAME, version, "production", { by: "ci", reason: "test" });
}

/** Poll until `done()` (the holder polls every 50 ms; the limit only stops a hung test). */
async function until(done: () => boolean, limitMs = 15000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!done()) {
    if (Date.now() > end) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  trained = await trainChurn();
  store = await openStore(undefined, { projectDir: trained.dir });
  await promote(1);
}, 120_000);
afterAll(async () => {
  await store.close();
  rmSync(dirname(trained.dir), { recursive: true, force: true });
});

describe("createModelHolder following the registry", () => {
  let holder: ModelHolder;
  afterAll(() => holder.close());

  it("follows @production: a promoted version serves within a few polls, a broken one is refused once", async () => {
    const metrics = createServeMetrics({ processMetrics: false });
    let failures = 0;
    holder = await createModelHolder(`models:/${NAME}@production`, {
      store,
      pollMs: 50,
      metrics: {
        setModel: (n, v) => metrics.setModel(n, v),
        reloadFailed: () => {
          failures++;
          metrics.reloadFailed();
        },
      },
    });
    const first = holder.current()!;
    expect(first).toMatchObject({ name: NAME, version: 1, stage: "production" });
    expect(holder.status().following).toBe(`models:/${NAME}@production`);

    const v2 = await registerCopy();
    await promote(v2);
    await until(() => holder.current()?.version === v2);
    expect(holder.status().swaps).toBe(1);
    expect(first.version).toBe(1); // a request that took v1 keeps it
    expect(await metrics.render()).toContain(`model_info{name="${NAME}",version="${v2}"} 1`);

    const v3 = await registerCopy((folder) => writeFileSync(join(folder, "model.json"), '{"format": "slu'));
    await promote(v3);
    await until(() => holder.status().lastError !== undefined);
    expect(holder.current()?.version).toBe(v2);
    expect(holder.status().lastError).toMatchObject({ version: v3 });
    expect(holder.status().lastError?.message).toMatch(/model/i);
    expect(failures).toBe(1);
    const lastCheck = holder.status().lastCheckAt!;
    await until(() => holder.status().lastCheckAt! > lastCheck + 200);
    expect(failures).toBe(1); // not retried on every poll
    expect(await metrics.render()).toContain("model_reload_failures_total 1");

    const forced = await holder.reload();
    expect(forced.changed).toBe(false);
    expect(forced.version).toBe(v2);
    expect(forced.error).toBeDefined();
    expect(failures).toBe(2);
    expect(holder.current()?.version).toBe(v2);
  });

  it("refuses a version whose features are missing, and takes the next good one", async () => {
    const before = holder.current()!.version;
    const bad = await registerCopy((folder) => rmSync(join(folder, "features.json")));
    await promote(bad);
    await until(() => holder.status().lastError?.version === bad);
    expect(holder.status().lastError?.message).toMatch(/features/);
    expect(holder.current()?.version).toBe(before);

    const good = await registerCopy();
    await promote(good);
    await until(() => holder.current()?.version === good);
  });

  it("refuses a version that fails the caller's check", async () => {
    const before = holder.current()!.version;
    const vetoed = await registerCopy();
    await holder.close();
    holder = await createModelHolder(`models:/${NAME}@production`, {
      store,
      pollMs: 0,
      check: (m) => {
        if (m.version === vetoed) throw new Error(`version ${vetoed} is vetoed`);
      },
    });
    await promote(vetoed);
    const r = await holder.reload();
    expect(r).toMatchObject({
      changed: false,
      version: before,
      error: `version ${vetoed} is vetoed`,
      code: "E_ARTIFACT",
    });
    expect(holder.current()?.version).toBe(before);
  });
});

describe("createModelHolder with fixed sources", () => {
  it("loads a model.json path, a folder and a file:// URI, and a fixed version, without following", async () => {
    const path = trained.bundle.modelPath;
    for (const source of [path, dirname(path), `file://${path}`]) {
      const holder = await createModelHolder(source);
      expect(holder.current()).toMatchObject({ version: null, stage: null, source });
      expect(localPathOf(holder.current()!.bundle.modelPath)).toBe(path);
      expect(holder.status().following).toBeUndefined();
      expect(await holder.reload()).toEqual({ changed: false, version: null });
      await holder.close();
    }
    const fixed = await createModelHolder(`models:/${NAME}/1`, { store, pollMs: 10 });
    expect(fixed.current()).toMatchObject({ name: NAME, version: 1 });
    expect(fixed.status().following).toBeUndefined();
    expect(await fixed.reload()).toEqual({ changed: false, version: 1 });
    await fixed.close();
  });

  it("swaps a model file rewritten on disk at reload, and keeps the old one when the new file is corrupt", async () => {
    const folder = join(trained.dir, "file-source");
    mkdirSync(folder, { recursive: true });
    const from = dirname(trained.bundle.modelPath);
    for (const file of ["model.json", "features.json"]) copyFileSync(join(from, file), join(folder, file));
    const holder = await createModelHolder(join(folder, "model.json"));
    const first = holder.current()!;
    writeFileSync(join(folder, "model.json"), "{ not json");
    const broken = await holder.reload();
    expect(broken.changed).toBe(false);
    expect(broken.error).toBeDefined();
    expect(broken.code).toBe("E_FORMAT");
    expect(holder.current()).toBe(first);
    copyFileSync(join(from, "model.json"), join(folder, "model.json"));
    writeFileSync(join(folder, "model.json"), "\n", { flag: "a" });
    expect((await holder.reload()).changed).toBe(true);
    expect(holder.current()).not.toBe(first);
    await holder.close();
  });

  it("refuses to start on a broken model, a missing version, or a reference without a store", async () => {
    const folder = join(trained.dir, "broken-start");
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, "model.json"), "{}");
    copyFileSync(join(dirname(trained.bundle.modelPath), "features.json"), join(folder, "features.json"));
    await expect(createModelHolder(folder)).rejects.toSatisfy(isSluiceError);
    await expect(createModelHolder(`models:/${NAME}/999`, { store })).rejects.toMatchObject({
      code: "E_NOT_FOUND",
    });
    await expect(createModelHolder(`models:/${NAME}@production`)).rejects.toMatchObject({ code: "E_USAGE" });
  });
});

describe("the stage a holder reports", () => {
  it("reads the registry's stage of the version serving now: staging, then archived once moved", async () => {
    const version = await registerCopy();
    await store.transitionStage(NAME, version, "staging", { by: "ci", reason: "test" });
    const holder = await createModelHolder(`models:/${NAME}/${version}`, { store });
    try {
      expect(holder.current()?.stage).toBe("staging");
      expect(await holder.stage!()).toBe("staging");
      await store.transitionStage(NAME, version, "archived", { by: "ci", reason: "test" });
      expect(await holder.stage!()).toBe("archived");
      expect(holder.current()?.stage).toBe("staging"); // the load-time stage is kept as it was
    } finally {
      await holder.close();
    }
  });

  it("reports null for a model file, and the load-time stage when the registry cannot be read", async () => {
    const file = await createModelHolder(trained.bundle.modelPath);
    expect(await file.stage!()).toBeNull();
    await file.close();
    const other = await openStore(undefined, { projectDir: trained.dir });
    const holder = await createModelHolder(`models:/${NAME}/1`, { store: other });
    const atLoad = holder.current()!.stage;
    await other.close();
    expect(await holder.stage!()).toBe(atLoad);
    await holder.close();
  });
});

describe("checkLoadedModel", () => {
  it("passes the trained model", () => {
    expect(() => checkLoadedModel(trained.loaded)).not.toThrow();
  });

  it("refuses features whose output count differs from the model's inputs", () => {
    const features = { ...trained.bundle.features, outputs: trained.bundle.features.outputs.slice(1) };
    const loaded = { ...trained.loaded, bundle: { ...trained.bundle, features } };
    expect(() => checkLoadedModel(loaded)).toThrow(/columns and the model reads/);
  });

  it("refuses a model whose sample prediction is not finite", () => {
    const model = trained.bundle.model;
    const broken = Object.create(model) as typeof model;
    Object.defineProperty(broken, "predictOne", { value: () => new Float64Array([Number.NaN, 1]) });
    const loaded = { ...trained.loaded, bundle: { ...trained.bundle, model: broken } };
    expect(() => checkLoadedModel(loaded)).toThrow(/non-finite/);
  });
});
