import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeExample } from "../data/examples/index.js";
import { isSluiceError } from "../errors.js";
import { parseFittedFeatures } from "../features/index.js";
import { loadModel } from "../models/format.js";
import type { ModelParamsByKind } from "../project/schema.js";
import { loadProject, type Project } from "../project/project.js";
import { prepareData, type PreparedData } from "./prepare.js";
import { pickCandidates, trainCandidates, trainReport, type TrainResult } from "./train.js";
import { validateProject } from "./validate.js";

const root = mkdtempSync(join(tmpdir(), "sluice-train-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function prepared(project: Project): Promise<PreparedData> {
  const v = await validateProject(project);
  return prepareData(project, v.kept);
}

/** The result without timings, which differ between runs. */
function comparable(r: TrainResult): unknown {
  const report = trainReport(r) as { candidates: Record<string, unknown>[] };
  return JSON.parse(
    JSON.stringify({ ...report, seconds: 0, files: undefined }, (key, value: unknown) =>
      key === "seconds" || key === "fitSeconds" ? 0 : value,
    ),
  ) as unknown;
}

let churn: Project;
let churnData: PreparedData;

beforeAll(async () => {
  const dir = join(root, "churn");
  await writeExample("churn", dir, { rows: 1200 });
  // A smaller search keeps the test quick; everything else is the example as written.
  const yamlPath = join(dir, "sluice.yaml");
  writeFileSync(yamlPath, readFileSync(yamlPath, "utf8").replace("trials: 20", "trials: 8"));
  churn = loadProject(dir);
  churnData = await prepared(churn);
});

describe("trainCandidates", () => {
  it("chooses the same candidate with the same parameters and scores on 1 and 2 threads", async () => {
    const one = await trainCandidates(churn, churnData, { threads: 1 });
    const two = await trainCandidates(churn, churnData, { threads: 2 });
    expect(comparable(two)).toEqual(comparable(one));
    expect(JSON.stringify(two.model.toJSON())).toBe(JSON.stringify(one.model.toJSON()));
    expect(one.candidates.map((c) => c.name)).toEqual(["logistic", "forest", "gbdt"]);
  });

  it("picks the candidate with the best CV mean and scores every candidate on the test rows", async () => {
    const r = await trainCandidates(churn, churnData, { threads: 2 });
    const best = Math.max(...r.candidates.map((c) => c.cv.mean.roc_auc!));
    expect(r.candidates.find((c) => c.name === r.winner)!.cv.mean.roc_auc).toBe(best);
    for (const c of r.candidates) {
      expect(c.cv.folds).toHaveLength(5);
      expect(c.cv.mean.roc_auc!).toBeGreaterThan(0.7);
      expect(Object.keys(c.test).sort()).toEqual(
        [
          "accuracy",
          "balanced_accuracy",
          "brier",
          "f1",
          "log_loss",
          "pr_auc",
          "precision",
          "recall",
          "roc_auc",
        ].sort(),
      );
    }
    expect(r.rows).toEqual({
      train: churnData.train.X.nRows,
      validation: churnData.validation.X.nRows,
      test: 240,
    });
  });

  it("searches the declared space and refits gradient boosting with the best trial's trees", async () => {
    const r = await trainCandidates(churn, churnData, { threads: 2, candidates: ["gbdt"] });
    const gbdt = r.candidates[0]!;
    const search = gbdt.search!;
    expect(search.method).toBe("tpe");
    expect(search.trials).toHaveLength(8);
    const best = search.trials[search.best]!;
    const params = gbdt.params as ModelParamsByKind["gradient_boosting"];
    expect(params.num_leaves).toBe(best.params.num_leaves);
    expect(params.learning_rate).toBe(best.params.learning_rate);
    expect(params.trees).toBe(best.iterations);
    expect(params.early_stopping_rounds).toBeNull();
    for (const t of search.trials) {
      expect(t.params.num_leaves as number).toBeGreaterThanOrEqual(7);
      expect(t.params.num_leaves as number).toBeLessThanOrEqual(63);
    }
  });

  it("writes the chosen model, the fitted features and the leaderboard", async () => {
    const out = join(root, "out");
    const r = await trainCandidates(churn, churnData, { threads: 2, candidates: ["logistic"], outDir: out });
    const model = loadModel(r.files!.model);
    const X = churnData.test.X;
    expect(Array.from(model.predictProba(X))).toEqual(Array.from(r.model.predictProba(X)));
    expect(parseFittedFeatures(JSON.parse(readFileSync(r.files!.features!, "utf8"))).outputs).toHaveLength(
      X.nCols,
    );
    const report = JSON.parse(readFileSync(r.files!.report, "utf8")) as {
      winner: string;
      candidates: unknown[];
    };
    expect(report.winner).toBe("logistic");
    expect(report.candidates).toHaveLength(1);
  });

  it("fixes gradient boosting's trees by early stopping on the validation rows when there is no search", async () => {
    const dir = join(root, "housing");
    await writeExample("housing", dir, { rows: 1000 });
    const project = loadProject(dir);
    const r = await trainCandidates(project, await prepared(project), { threads: 2, candidates: ["gbdt"] });
    const gbdt = r.candidates[0]!;
    const params = gbdt.params as ModelParamsByKind["gradient_boosting"];
    expect(gbdt.earlyStopping!.trees).toBe(params.trees);
    expect(params.trees).toBeLessThanOrEqual(500);
    expect(params.early_stopping_rounds).toBeNull();
    expect(gbdt.cv.mean.r2!).toBeGreaterThan(0.5);
  });
});

describe("pickCandidates", () => {
  it("keeps file order whatever order the names come in", () => {
    expect(pickCandidates(churn.config.models, ["gbdt", "logistic"]).map((m) => m.name)).toEqual([
      "logistic",
      "gbdt",
    ]);
  });

  it("refuses an unknown name with a did-you-mean and the list of candidates", () => {
    let err: unknown;
    try {
      pickCandidates(churn.config.models, ["forrest"]);
    } catch (e) {
      err = e;
    }
    expect(isSluiceError(err, "E_USAGE")).toBe(true);
    expect((err as Error).message).toMatch(/no candidate "forrest" in models: \(did you mean "forest"\?\)/);
  });
});

describe("trainCandidates without validation rows", () => {
  it("refuses a search with E_CONFIG and says how to get validation rows", async () => {
    const dir = join(root, "novalid");
    await writeExample("churn", dir, { rows: 600 });
    const yamlPath = join(dir, "sluice.yaml");
    writeFileSync(
      yamlPath,
      readFileSync(yamlPath, "utf8")
        .replace("validation: 0.1", "validation: 0")
        .replace("trials: 20", "trials: 4"),
    );
    const project = loadProject(dir);
    const err: unknown = await trainCandidates(project, await prepared(project), {
      candidates: ["gbdt"],
    }).catch((e: unknown) => e);
    expect(isSluiceError(err, "E_CONFIG")).toBe(true);
    expect((err as { hint?: string }).hint).toMatch(/split\.validation/);
  });
});
