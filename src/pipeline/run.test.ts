import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeExample } from "../data/examples/index.js";
import { isSluiceError } from "../errors.js";
import { loadProject, type Project } from "../project/project.js";
import { openStore } from "../track/index.js";
import type { Store } from "../track/types.js";
import { loadBundle } from "./bundle.js";
import { promoteVersion } from "./registry.js";
import { runProject } from "./run.js";

const root = mkdtempSync(join(tmpdir(), "sluice-run-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let project: Project;
let store: Store;

beforeAll(async () => {
  const dir = join(root, "churn");
  await writeExample("churn", dir, { rows: 1500 });
  project = loadProject(dir);
  store = await openStore(undefined, { projectDir: dir });
});
afterAll(async () => {
  await store.close();
});

/** One quick candidate: training every candidate is covered by the train tests. */
const quick = { candidates: ["logistic"], threads: 1 } as const;

describe("runProject with a store", () => {
  it("records the run, its candidate and fold runs, registers a version and stages it when the gates pass", async () => {
    const { summary } = await runProject(project, { ...quick, store, by: "ci" });
    expect(summary.status).toBe("finished");
    const reg = summary.registry!;
    expect(reg).toMatchObject({ name: "churn_predictor", version: 1, stage: "staging", gatesPassed: true });
    expect(reg.gates.map((g) => g.name)).toEqual(
      expect.arrayContaining([
        "minimum.roc_auc",
        "minimum.accuracy",
        "determinism",
        "round_trip",
        "latency_p99_ms",
      ]),
    );

    const run = await store.getRun(summary.runId);
    expect(run.status).toBe("finished");
    expect(run.tags["sluice.type"]).toBe("pipeline");
    expect(run.metrics.roc_auc).toBeGreaterThan(0.75);
    const paths = run.artifacts.map((a) => a.path);
    for (const file of [
      "model.json",
      "features.json",
      "profile.json",
      "validation.html",
      "gates.json",
      "run.json",
    ])
      expect(paths).toContain(file);
    for (const a of run.artifacts) expect(existsSync(fileURLToPath(a.uri)), a.path).toBe(true);

    const children = await store.searchRuns({ filter: `attributes.parent_run_id = '${summary.runId}'` });
    expect(children.runs.map((r) => r.name)).toEqual(["logistic"]);
    const folds = await store.searchRuns({ filter: `attributes.parent_run_id = '${children.runs[0]!.id}'` });
    expect(folds.runs).toHaveLength(project.config.cv.folds);

    const version = await store.getModelVersion("churn_predictor", 1);
    expect(version.runId).toBe(summary.runId);
    expect(version.gates.length).toBe(reg.gates.length);
    const history = await store.history("churn_predictor");
    expect(history.at(-1)).toMatchObject({ version: 1, from: "none", to: "staging", by: "ci" });
  });

  it("loads a registered version by URI with its features, and predicts as the run's model file does", async () => {
    const bundle = await loadBundle("models:/churn_predictor/1", store);
    expect(bundle.version?.version).toBe(1);
    const again = await loadBundle(bundle.modelPath);
    expect(again.model.toJSON()).toEqual(bundle.model.toJSON());
    expect(bundle.features.outputs.length).toBe(bundle.model.featureNames.length);
    expect(bundle.serving).toMatchObject({ target: "churn", idColumns: ["customer_id"], positive: "1" });
    expect(bundle.serving?.schema.age?.min).toBe(18);
  });

  it("compares a new version with production on the same test rows, and fails a gate it cannot meet", async () => {
    await promoteVersion(store, "churn_predictor", 1, { to: "production", reason: "first", by: "ci" });
    const yaml = readFileSync(project.file, "utf8");
    writeFileSync(
      project.file,
      yaml.replace("roc_auc: 0.75, accuracy: 0.75", "roc_auc: 0.999, accuracy: 0.75"),
    );
    try {
      const { summary } = await runProject(loadProject(project.dir), { ...quick, store });
      const reg = summary.registry!;
      expect(reg.version).toBe(2);
      expect(reg.gatesPassed).toBe(false);
      expect(reg.stage).toBe("none");
      expect(reg.production?.version).toBe(1);
      const drop = reg.gates.find((g) => g.name === "max_drop_vs_production.roc_auc")!;
      // Same data, same seed, same candidate: production scores exactly what the new one does.
      expect(drop.passed).toBe(true);
      expect(drop.value).toBeCloseTo(0, 12);
      expect(reg.gates.find((g) => g.name === "minimum.roc_auc")!.passed).toBe(false);
      const production = await store.resolveModel({
        kind: "stage",
        name: "churn_predictor",
        stage: "production",
      });
      expect(production.version).toBe(1);
    } finally {
      writeFileSync(project.file, yaml);
    }
  });

  it("refuses gates that name an unknown metric before doing any work", async () => {
    const yaml = readFileSync(project.file, "utf8");
    writeFileSync(
      project.file,
      yaml.replace("roc_auc: 0.75, accuracy: 0.75", "roc_auc: 0.75, acuracy: 0.75"),
    );
    try {
      const before = (await store.searchRuns({})).runs.length;
      let err: unknown;
      try {
        await runProject(loadProject(project.dir), { ...quick, store });
      } catch (e) {
        err = e;
      }
      expect(isSluiceError(err, "E_CONFIG")).toBe(true);
      expect((err as Error).message).toMatch(
        /gates\.minimum\.acuracy: unknown metric "acuracy" \(did you mean "accuracy"\?\)/,
      );
      expect((await store.searchRuns({})).runs.length).toBe(before);
    } finally {
      writeFileSync(project.file, yaml);
    }
  });

  it("marks the run failed, with the error, when a step throws", async () => {
    const yaml = readFileSync(project.file, "utf8");
    writeFileSync(project.file, yaml.replace("path: data/customers.csv", "path: data/gone.csv"));
    try {
      await expect(runProject(loadProject(project.dir), { ...quick, store })).rejects.toThrow(/gone\.csv/);
      const failed = await store.searchRuns({ filter: "attributes.status = 'failed'" });
      expect(failed.runs.length).toBeGreaterThan(0);
      expect(failed.runs[0]!.tags["sluice.error"]).toMatch(/E_FILE_NOT_FOUND/);
    } finally {
      writeFileSync(project.file, yaml);
    }
  });
});
