import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { kFolds } from "../data/split.js";
import { isSluiceError } from "../errors.js";
import { loadProject, type Project } from "../project/project.js";
import type { Progress } from "../util/progress.js";
import { checkFolds, foldLimit, projectSplit } from "./folds.js";
import { loadProjectData } from "./data.js";
import { runProject } from "./run.js";

const root = mkdtempSync(join(tmpdir(), "sluice-folds-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A project over 300 common rows and `rare` rows of class "island", with `cv`. */
function project(name: string, rare: number, cv: string, task = "classification"): Project {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const lines = ["x,z,label"];
  for (let i = 0; i < 300; i++)
    lines.push(`${(i % 2) * 3 + (i % 7)},${(i * 37) % 101},${i % 2 ? "yes" : "no"}`);
  for (let i = 0; i < rare; i++) lines.push(`${5 + (i % 5)},${(i * 13) % 101},island`);
  writeFileSync(join(dir, "data.csv"), lines.join("\n") + "\n");
  writeFileSync(
    join(dir, "sluice.yaml"),
    `name: ${name}
data: { path: data.csv, target: label, task: ${task} }
models: { logistic: { kind: logistic_regression } }
cv: ${cv}
`,
  );
  return loadProject(dir);
}

/** Progress that records the names of the steps started. */
function recorder(): { progress: Progress; steps: string[] } {
  const steps: string[] = [];
  const step = { update() {}, done() {}, fail() {} };
  return {
    steps,
    progress: {
      step: (name) => {
        steps.push(name);
        return step;
      },
      info() {},
      warn() {},
    },
  };
}

describe("checkFolds", () => {
  it("finds the same bound that kFolds meets on the project's split", async () => {
    const p = project("bound", 6, "{ folds: 5 }");
    const { target, split } = projectSplit(p, await loadProjectData(p));
    if (target.task !== "classification") throw new Error("expected a classification target");
    const limit = foldLimit(target, split, true);
    expect(limit.rarest).toEqual({ name: "island", rows: limit.max });
    const rows = Int32Array.from([...split.train, ...split.validation]).sort();
    const opts = { seed: 42, stratify: target.y, classNames: target.classes };
    expect(kFolds(rows, limit.max, opts)).toHaveLength(limit.max);
    expect(() => kFolds(rows, limit.max + 1, opts)).toThrow(/class "island" has only/);
  });

  it("passes a fold count the data allows", async () => {
    const p = project("fits", 5, "{ folds: 4 }");
    const frame = await loadProjectData(p);
    expect(() => checkFolds(p, frame)).not.toThrow();
  });

  it("refuses stratified folds a rare class cannot fill, naming the class, its count and the fold count that works", async () => {
    const p = project("rare", 5, "{ folds: 5 }");
    const frame = await loadProjectData(p);
    let thrown: unknown;
    try {
      checkFolds(p, frame);
    } catch (e) {
      thrown = e;
    }
    expect(isSluiceError(thrown) && thrown.code).toBe("E_SPLIT");
    const e = thrown as Error & { hint: string; details: Record<string, unknown> };
    expect(e.message).toMatchInlineSnapshot(
      `"cv.folds is 5, but class "island" of target "label" has only 4 rows in train + validation (the rows cross-validation folds), and stratified folds need every class in each fold"`,
    );
    expect(e.hint).toMatchInlineSnapshot(
      `"set cv.folds: 4 in sluice.yaml (the most this data allows), or merge "island" into a similar class or drop its rows to keep 5 folds"`,
    );
    expect(e.details).toMatchObject({ folds: 5, maxFolds: 4, class: "island", classRows: 4 });
  });

  it("counts rows, not classes, when the folds are not stratified", async () => {
    const frame = await loadProjectData(project("unstratified", 5, "{ folds: 5 }"));
    expect(() =>
      checkFolds(project("unstratified", 5, "{ folds: 5, stratify: false }"), frame),
    ).not.toThrow();
    // 305 rows: 61 test, 31 validation (shares rounded up), so 244 rows to fold.
    expect(() => checkFolds(project("unstratified", 5, "{ folds: 245, stratify: false }"), frame)).toThrow(
      /cv\.folds is 245, but there are only 244 rows in train \+ validation/,
    );
  });
});

describe("runProject with an impossible cv.folds", () => {
  it("stops right after validation, before fitting features or training, with the fix", async () => {
    const p = project("run-rare", 5, "{ folds: 5 }");
    const { progress, steps } = recorder();
    const runDir = join(root, "run-rare-out");
    const err = await runProject(p, { progress, runDir, store: false, threads: 1 }).catch((e: unknown) => e);
    expect(isSluiceError(err) && err.code).toBe("E_SPLIT");
    expect((err as Error).message).toMatch(/class "island" .* only 4 rows/);
    expect((err as { hint: string }).hint).toMatch(/cv\.folds: 4/);
    expect(steps).not.toContain("fit features");
    expect(existsSync(join(runDir, "features.json"))).toBe(false);
  });

  it("does not check folds when the run stops after the features", async () => {
    const p = project("run-skip", 5, "{ folds: 5 }");
    const { summary } = await runProject(p, {
      runDir: join(root, "run-skip-out"),
      store: false,
      skipTraining: true,
    });
    expect(summary.status).toBe("finished");
    expect(summary.features?.outputs).toBeGreaterThan(0);
  });
});
