import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeExample } from "../data/examples/index.js";
import { categoricalFromStrings, Frame, numericColumn } from "../data/frame.js";
import { fitFeatures } from "../features/fit.js";
import { transformRecord } from "../features/transform.js";
import type { Explanation, Model } from "../models/types.js";
import { loadBundle } from "../pipeline/bundle.js";
import { runProject } from "../pipeline/run.js";
import { FeatureSpec } from "../project/schema.js";
import { loadProject } from "../project/project.js";
import { expectSluiceError } from "../track/store.contract.js";
import { inputImportance } from "./reference-build.js";
import { loadReference, parseReference, type MonitorReference } from "./reference.js";

const root = mkdtempSync(join(tmpdir(), "sluice-reference-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("the reference a run writes beside the model", () => {
  let ref: MonitorReference;
  let modelPath: string;
  beforeAll(async () => {
    const dir = join(root, "churn");
    await writeExample("churn", dir, { rows: 1200 });
    const project = loadProject(dir);
    const { summary } = await runProject(project, { candidates: ["gbdt"], threads: 1, store: false });
    modelPath = summary.training!.model;
    ref = await loadReference(join(dirname(modelPath), "reference.json"));
  });

  it("holds the training rows' raw inputs, in the features' order", async () => {
    const bundle = await loadBundle(modelPath);
    expect(ref.columns.map((c) => [c.name, c.kind])).toEqual(
      bundle.features.inputs.map((i) => [i.name, i.kind]),
    );
    expect(ref.rows).toBe(ref.trainingRows);
    for (const c of ref.columns) expect(c.values).toHaveLength(ref.rows);
    expect(ref.columns.find((c) => c.name === "income")!.values.some((v) => v === null)).toBe(true);
  });

  it("holds the model's prediction of each row, as one request would get it", async () => {
    const bundle = await loadBundle(modelPath);
    const classes = bundle.model.classes!;
    const positive = classes.indexOf(bundle.serving!.positive!);
    expect(ref.prediction).toMatchObject({ kind: "numeric", field: "probability" });
    const out = new Float64Array(2);
    for (let i = 0; i < ref.rows; i += 97) {
      const record = Object.fromEntries(ref.columns.map((c) => [c.name, c.values[i]]));
      const row = transformRecord(bundle.features, record);
      bundle.model.predictOne(row, out);
      expect(ref.prediction.values[i]).toBe(out[positive]);
    }
  });

  it("weighs every input by its share of the model's mean |SHAP|, summing to 1", () => {
    const total = Object.values(ref.importance).reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(1, 12);
    expect(Object.keys(ref.importance).sort()).toEqual(ref.columns.map((c) => c.name).sort());
    // tenure is the example's strongest churn driver.
    const top = Object.entries(ref.importance).sort((a, b) => b[1] - a[1])[0]![0];
    expect(["tenure_months", "monthly_charges", "total_charges"]).toContain(top);
  });

  it("is the same file for the same data and seed", async () => {
    const again = await runProject(loadProject(join(root, "churn")), {
      candidates: ["gbdt"],
      threads: 1,
      store: false,
    });
    const a = await readFile(join(dirname(modelPath), "reference.json"), "utf8");
    const b = await readFile(join(dirname(again.summary.training!.model), "reference.json"), "utf8");
    expect(b).toBe(a);
  });
});

describe("inputImportance", () => {
  it("gives each input the |SHAP| of its outputs, splitting a formula's equally among the columns it reads", () => {
    const frame = new Frame([
      numericColumn("a", Float64Array.from([1, 2, 3, 4])),
      numericColumn("b", Float64Array.from([4, 3, 2, 1])),
      categoricalFromStrings("c", ["x", "y", "x", "y"]),
    ]);
    const spec = FeatureSpec.parse({
      derived: { ab: "a * b" },
      numeric: { scale: "none" },
      categorical: { encode: "onehot" },
    });
    const features = fitFeatures(spec, frame, { target: "t", task: "regression" });
    const names = features.outputs.map((o) => o.name);
    // Each output's |SHAP| is its position + 1, on every row: easy to add up by hand.
    const model = {
      nOutputs: 1,
      explain(X: { nRows: number; nCols: number }): Explanation {
        const values = new Float64Array(X.nRows * X.nCols);
        for (let i = 0; i < X.nRows; i++)
          for (let f = 0; f < X.nCols; f++) values[i * X.nCols + f] = (f % 2 === 0 ? 1 : -1) * (f + 1);
        return { values, expectedValue: new Float64Array(1) } as Explanation;
      },
    } as unknown as Model;
    const X = { nRows: 2, nCols: names.length, names, data: new Float64Array(2 * names.length) };
    const got = inputImportance(features, model, X);
    const want: Record<string, number> = { a: 0, b: 0, c: 0 };
    features.outputs.forEach((o, f) => {
      const w = 2 * (f + 1);
      if (o.feature === "ab") {
        want.a! += w / 2;
        want.b! += w / 2;
      } else want[o.feature]! += w;
    });
    const total = Object.values(want).reduce((x, y) => x + y, 0);
    for (const k of Object.keys(want)) expect(got[k]).toBeCloseTo(want[k]! / total, 12);
  });
});

describe("loadReference", () => {
  const good: MonitorReference = {
    format: "sluice-monitor-reference",
    formatVersion: 1,
    sluiceVersion: "0.1.0",
    trainingRows: 2,
    rows: 2,
    seed: 1,
    task: "regression",
    columns: [{ name: "a", kind: "numeric", values: [1, null] }],
    prediction: { kind: "numeric", field: "prediction", values: [1, 2] },
    importance: { a: 1 },
  };

  it("reads back what it wrote", async () => {
    const path = join(root, "good.json");
    writeFileSync(path, JSON.stringify(good));
    expect(await loadReference(path)).toEqual(good);
  });

  it("refuses a missing, truncated, damaged or newer file, naming what is wrong", async () => {
    await expectSluiceError(
      loadReference(join(root, "none.json")),
      "E_FILE_NOT_FOUND",
      "no monitoring reference",
      "--reference",
    );
    const truncated = join(root, "truncated.json");
    writeFileSync(truncated, JSON.stringify(good).slice(0, 40));
    await expectSluiceError(loadReference(truncated), "E_FORMAT", "not valid JSON");
    await expectSluiceError(
      () => parseReference({ ...good, columns: [{ name: "a", kind: "numeric", values: [1] }] }),
      "E_FORMAT",
      'column "a" has 1 values, expected 2',
    );
    await expectSluiceError(() => parseReference({ ...good, rows: "two" }), "E_FORMAT", "rows");
    await expectSluiceError(
      () => parseReference({ ...good, formatVersion: 7, sluiceVersion: "9.0.0" }),
      "E_FORMAT",
      "format 7",
      "sluice 9.0.0",
    );
  });
});
