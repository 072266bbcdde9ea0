import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { isSluiceError } from "../errors.js";
import { parseProjectConfig } from "../project/config.js";
import { loadProject } from "../project/project.js";
import { initProject } from "./init.js";
import { runProject } from "./run.js";

const HOUSING = fileURLToPath(new URL("../../../shared/data/housing.csv", import.meta.url));

const root = mkdtempSync(join(tmpdir(), "sluice-init-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * A CSV with two common classes and the given rare ones (`{ name: rows }`); `x` carries the
 * class, `z` is noise, so every class is learnable.
 */
function classCsv(name: string, rare: Record<string, number>, common = 300): string {
  const lines = ["x,z,label"];
  for (let i = 0; i < common; i++)
    lines.push(`${(i % 2) * 3 + (i % 7)},${(i * 37) % 101},${i % 2 ? "yes" : "no"}`);
  let k = 0;
  for (const [label, rows] of Object.entries(rare))
    for (let i = 0; i < rows; i++) lines.push(`${5 + (k++ % 5)},${(i * 13) % 101},${label}`);
  const path = join(root, `${name}.csv`);
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}

function cvOf(dir: string): { folds: number; stratify: boolean } {
  return parseProjectConfig(readFileSync(join(dir, "sluice.yaml"), "utf8")).cv;
}

describe("initProject: cross-validation the data allows", () => {
  it("keeps 5 stratified folds when every class has enough rows", async () => {
    const dir = join(root, "plenty");
    const result = await initProject({ dir, data: classCsv("plenty", { maybe: 40 }), target: "label" });
    expect(result.cv).toEqual({ folds: 5, stratify: true });
    expect(cvOf(dir)).toEqual({ folds: 5, stratify: true });
    expect(readFileSync(join(dir, "sluice.yaml"), "utf8")).not.toMatch(/folds, not 5/);
  });

  it("writes fewer folds when a rare class has fewer rows in train + validation, and says why in sluice.yaml", async () => {
    const dir = join(root, "rare");
    const result = await initProject({ dir, data: classCsv("rare", { island: 5 }), target: "label" });
    // 5 rows of "island": 1 goes to test, 4 stay in train + validation, so 4 folds.
    expect(result.cv).toMatchObject({ folds: 4, stratify: true });
    expect(cvOf(dir)).toEqual({ folds: 4, stratify: true });
    const text = readFileSync(join(dir, "sluice.yaml"), "utf8");
    expect(text).toMatch(/# 4 folds, not 5: class "island" has only 4 rows in train \+ validation/);
    expect(text).toMatch(/Merge or drop\s*\n?#?\s*rare classes/);
  });

  it("writes a project for a file with a rare class that sluice run trains without a fold error", async () => {
    const dir = join(root, "rare-run");
    await initProject({ dir, data: classCsv("rare-run", { island: 3 }), target: "label" });
    expect(cvOf(dir).folds).toBe(2);
    const { summary } = await runProject(loadProject(dir), {
      candidates: ["logistic"],
      threads: 1,
      store: false,
    });
    expect(summary.status).toBe("finished");
    expect(summary.training?.folds).toBe(2);
  });

  it("refuses, before writing anything, a class too rare to split and cross-validate, naming it and the fix", async () => {
    const dir = join(root, "too-rare");
    const data = classCsv("too-rare", { island: 2, atoll: 1, lagoon: 9 });
    const err = await initProject({ dir, data, target: "label" }).catch((e: unknown) => e);
    expect(isSluiceError(err) && err.code).toBe("E_TARGET");
    const e = err as Error & { hint?: string };
    expect(e.message).toMatchInlineSnapshot(
      `"target "label": classes "atoll" (1 row) and "island" (2 rows) have fewer than 3 rows; a class needs a row in each of training, validation and test, and 2 in train + validation for cross-validation"`,
    );
    expect(e.hint).toMatch(/merge those classes into a similar class .* or drop their rows/);
    expect(existsSync(join(dir, "sluice.yaml"))).toBe(false);
  });

  it("bounds the folds of a tiny regression file by its train + validation rows", async () => {
    const path = join(root, "tiny.csv");
    writeFileSync(path, "x,y\n1,1.5\n2,2.5\n3,3.1\n4,4.7\n5,5.2\n6,6.9\n");
    const dir = join(root, "tiny");
    const result = await initProject({ dir, data: path, target: "y", task: "regression" });
    // 6 rows: 2 test, 1 validation (shares rounded up), 3 train → 4 rows to fold.
    expect(result.cv).toMatchObject({ folds: 4, stratify: false });
    expect(readFileSync(join(dir, "sluice.yaml"), "utf8")).toMatch(
      /# 4 folds, not 5: train \+ validation hold only 4 rows\.\ncv: \{ folds: 4 \}/,
    );
  });
});

describe("initProject: default candidates", () => {
  const forestOf = (dir: string): Record<string, unknown> | undefined =>
    parseProjectConfig(readFileSync(join(dir, "sluice.yaml"), "utf8")).models.find(
      (m) => m.kind === "random_forest",
    )?.params;

  it("gives a classifier's forest leaves of at least 5 rows, and a regressor's full-depth trees", async () => {
    const clf = join(root, "clf-defaults");
    await initProject({ dir: clf, data: classCsv("clf-defaults", {}), target: "label" });
    expect(forestOf(clf)).toMatchObject({ trees: 100, min_samples_leaf: 5 });
    const path = join(root, "reg-defaults.csv");
    writeFileSync(
      path,
      ["x,y", ...Array.from({ length: 60 }, (_, i) => `${i},${(i * 1.7 + (i % 5)).toFixed(2)}`)].join("\n") +
        "\n",
    );
    const reg = join(root, "reg-defaults");
    await initProject({ dir: reg, data: path, target: "y", task: "regression" });
    expect(forestOf(reg)).toMatchObject({ trees: 100, min_samples_leaf: 1 });
  });
});

describe("initProject on California housing (needs ../shared/data)", () => {
  it.skipIf(!existsSync(HOUSING))(
    "classifies ocean_proximity, whose class ISLAND has 5 rows, with 4 folds that sluice run can make",
    async () => {
      const dir = join(root, "housing-ocean");
      const result = await initProject({ dir, data: HOUSING, target: "ocean_proximity" });
      expect(result.cv).toMatchObject({ folds: 4, stratify: true });
      expect(readFileSync(join(dir, "sluice.yaml"), "utf8")).toMatch(
        /class "ISLAND" has only 4 rows in train \+ validation/,
      );
      const { summary } = await runProject(loadProject(dir), {
        candidates: ["logistic"],
        threads: 1,
        store: false,
      });
      expect(summary.status).toBe("finished");
      expect(summary.training?.folds).toBe(4);
    },
  );
});
