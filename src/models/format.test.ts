import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Random } from "../data/random.js";
import { SluiceError } from "../errors.js";
import { featureMatrix, type FeatureMatrix } from "../features/matrix.js";
import { ModelParams } from "../project/schema.js";
import { SLUICE_VERSION } from "../version.js";
import { loadModel, modelFileText, saveModel } from "./format.js";
import { RandomForestLearner } from "./forest/learner.js";
import { GradientBoostingLearner } from "./gbdt/learner.js";
import { LogisticRegressionLearner } from "./linear/logistic.js";
import { RidgeLearner } from "./linear/ridge.js";
import type { Model, TargetInfo } from "./types.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sluice-format-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function failure(fn: () => unknown): SluiceError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SluiceError) return err;
    throw err;
  }
  throw new Error("expected a SluiceError, got none");
}

/** 300 rows, 5 features (one with missing values, one constant), and three kinds of target. */
function data(nRows = 300) {
  const rng = new Random(21);
  const p = 5;
  const X = new Float64Array(nRows * p);
  const y2 = new Int32Array(nRows);
  const y3 = new Int32Array(nRows);
  const yr = new Float64Array(nRows);
  for (let i = 0; i < nRows; i++) {
    const a = rng.normal();
    const b = rng.normal();
    const c = rng.normal();
    X[i] = a;
    X[nRows + i] = b;
    X[2 * nRows + i] = c * 1e3;
    X[3 * nRows + i] = 7;
    X[4 * nRows + i] = rng.next() < 0.2 ? NaN : rng.normal();
    y2[i] = a + 0.5 * b + rng.normal() * 0.5 > 0 ? 1 : 0;
    y3[i] = a > 0.5 ? 2 : b > 0 ? 1 : 0;
    yr[i] = 3 * a - b + 0.001 * c + rng.normal() * 0.1;
  }
  return { X: featureMatrix(nRows, ["a", "b", "c", "constant", "gappy"], X), y2, y3, yr };
}

/** The same matrix with missing values imputed, for the linear models. */
function filled(X: FeatureMatrix): FeatureMatrix {
  return featureMatrix(
    X.nRows,
    X.names,
    X.data.map((v) => (Number.isNaN(v) ? 0 : v)),
  );
}

const binary: TargetInfo = { task: "classification", classes: ["no", "yes"] };
const three: TargetInfo = { task: "classification", classes: ["low", "mid", "high"] };
const regression: TargetInfo = { task: "regression" };

interface Case {
  name: string;
  X: FeatureMatrix;
  fit: () => Promise<Model>;
}

const d = data();
const gb = ModelParams.gradient_boosting.parse({ trees: 8, num_leaves: 7, min_data_in_leaf: 5, threads: 1 });
const rf = ModelParams.random_forest.parse({ trees: 6, max_depth: 6, threads: 1 });
const cases: Case[] = [
  {
    name: "gradient boosting, binary",
    X: d.X,
    fit: () => new GradientBoostingLearner(gb, binary).fit(d.X, d.y2),
  },
  {
    name: "gradient boosting, multiclass",
    X: d.X,
    fit: () => new GradientBoostingLearner(gb, three).fit(d.X, d.y3),
  },
  {
    name: "gradient boosting, regression",
    X: d.X,
    fit: () => new GradientBoostingLearner(gb, regression).fit(d.X, d.yr),
  },
  { name: "random forest, binary", X: d.X, fit: () => new RandomForestLearner(rf, binary).fit(d.X, d.y2) },
  { name: "random forest, multiclass", X: d.X, fit: () => new RandomForestLearner(rf, three).fit(d.X, d.y3) },
  {
    name: "random forest, regression",
    X: d.X,
    fit: () => new RandomForestLearner(rf, regression).fit(d.X, d.yr),
  },
  {
    name: "logistic regression, binary",
    X: filled(d.X),
    fit: () =>
      new LogisticRegressionLearner(ModelParams.logistic_regression.parse({}), binary).fit(filled(d.X), d.y2),
  },
  {
    name: "logistic regression, multiclass",
    X: filled(d.X),
    fit: () =>
      new LogisticRegressionLearner(ModelParams.logistic_regression.parse({}), three).fit(filled(d.X), d.y3),
  },
  {
    name: "ridge",
    X: filled(d.X),
    fit: () => new RidgeLearner(ModelParams.ridge.parse({ alpha: 0.5 }), regression).fit(filled(d.X), d.yr),
  },
];

/** Bit-for-bit equality of two arrays of doubles (NaN equal to NaN, -0 unequal to 0). */
function expectBitIdentical(a: Float64Array, b: Float64Array, what: string): void {
  expect(a.length, what).toBe(b.length);
  expect(
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
      Buffer.from(b.buffer, b.byteOffset, b.byteLength),
    ),
    what,
  ).toBe(true);
}

describe("save → load", () => {
  for (const c of cases)
    it(`gives bit-identical predictions and the same file again: ${c.name}`, async () => {
      const model = await c.fit();
      const path = join(dir, `${c.name.replace(/\W+/g, "-")}.json`);
      saveModel(model, path);
      const loaded = loadModel(path);
      expect(loaded.kind).toBe(model.kind);
      expect(loaded.featureNames).toEqual(model.featureNames);
      expectBitIdentical(loaded.predictRaw(c.X), model.predictRaw(c.X), "predictRaw");
      expectBitIdentical(loaded.predict(c.X), model.predict(c.X), "predict");
      if (model.task === "classification")
        expectBitIdentical(loaded.predictProba(c.X), model.predictProba(c.X), "predictProba");
      // Saving the loaded model writes the same bytes.
      expect(modelFileText(loaded)).toBe(readFileSync(path, "utf8"));
      // And the parsed file loads too (a registry entry).
      expectBitIdentical(
        loadModel(JSON.parse(readFileSync(path, "utf8"))).predictRaw(c.X),
        model.predictRaw(c.X),
        "from parsed JSON",
      );
    });
});

describe("model file text", () => {
  let model: Model;
  let text: string;
  beforeAll(async () => {
    model = await new GradientBoostingLearner(
      ModelParams.gradient_boosting.parse({ trees: 2, num_leaves: 3, min_data_in_leaf: 5, threads: 1 }),
      binary,
    ).fit(d.X, d.y2);
    text = modelFileText(model);
  });

  it("starts with the header in a fixed order and ends with the checksum", () => {
    const keys = Object.keys(JSON.parse(text) as object);
    expect(keys.slice(0, 10)).toEqual([
      "format",
      "formatVersion",
      "sluiceVersion",
      "kind",
      "task",
      "classes",
      "featureNames",
      "nOutputs",
      "params",
      "iterations",
    ]);
    expect(keys[keys.length - 1]).toBe("checksum");
    expect(text).toMatch(/\n {2}"checksum": "sha256:[0-9a-f]{64}"\n}\n$/);
  });

  it("writes every double so that it reads back as the same double, -0 included", () => {
    const odd = [
      -0,
      0.1 + 0.2,
      5e-324,
      -1.7976931348623157e308,
      1 / 3,
      123456789.12345679,
      1e21,
      2 ** -1074 * 3,
    ];
    const file = { ...model.toJSON(), extra: odd, nested: { list: [{ x: -0 }] } };
    const back = JSON.parse(modelFileText(file)) as { extra: number[]; nested: { list: { x: number }[] } };
    back.extra.forEach((v, i) => expect(Object.is(v, odd[i]), `${odd[i]}`).toBe(true));
    expect(Object.is(back.nested.list[0]!.x, -0)).toBe(true);
  });

  it("refuses to write NaN or Infinity, naming the field", () => {
    const err = failure(() => modelFileText({ ...model.toJSON(), baseScore: [NaN] }));
    expect(err.code).toBe("E_INTERNAL");
    expect(err.message).toBe("cannot write the model file: baseScore[0] is NaN, which JSON cannot hold");
  });

  it("still verifies after the file is reformatted", () => {
    const reformatted = JSON.stringify(JSON.parse(text));
    const path = join(dir, "compact.json");
    writeFileSync(path, reformatted);
    expectBitIdentical(loadModel(path).predictRaw(d.X), model.predictRaw(d.X), "reformatted");
  });

  it("catches every flipped bit: each one fails to load or loads the same model", () => {
    const bytes = Buffer.from(text, "utf8");
    const want = model.predictRaw(d.X);
    let refused = 0;
    let same = 0;
    for (let at = 0; at < bytes.length; at++) {
      const damaged = Buffer.from(bytes);
      damaged[at] = damaged[at]! ^ 1;
      let loaded: Model;
      try {
        loaded = loadModel(JSON.parse(damaged.toString("utf8")) as unknown);
      } catch (err) {
        // Invalid JSON (SyntaxError from the parse here) or a refused model file.
        if (err instanceof SluiceError) expect(err.code, `byte ${at}`).toBe("E_FORMAT");
        else expect(err, `byte ${at}`).toBeInstanceOf(SyntaxError);
        refused++;
        continue;
      }
      // Only a flip that leaves the content alone may load: one in the word "checksum" itself,
      // or in the 17th digit of a number that still reads as the same double.
      expectBitIdentical(loaded.predictRaw(d.X), want, `byte ${at}`);
      expect(modelFileText(loaded), `byte ${at}`).toBe(text);
      same++;
    }
    expect(refused + same).toBe(bytes.length);
    expect(refused).toBeGreaterThan(0.95 * bytes.length);
  });
});

describe("load refusals", () => {
  let path: string;
  let text: string;
  beforeAll(async () => {
    const model = await new GradientBoostingLearner(
      ModelParams.gradient_boosting.parse({ trees: 3, num_leaves: 4, min_data_in_leaf: 5, threads: 1 }),
      binary,
    ).fit(d.X, d.y2);
    path = join(dir, "good.json");
    saveModel(model, path);
    text = readFileSync(path, "utf8");
  });

  function edited(name: string, edit: (json: Record<string, unknown>) => void, keepChecksum = false): string {
    const json = JSON.parse(text) as Record<string, unknown>;
    edit(json);
    if (!keepChecksum) delete json.checksum;
    const p = join(dir, name);
    writeFileSync(p, JSON.stringify(json, null, 2));
    return p;
  }

  it("names a missing file", () => {
    const missing = join(dir, "nope.json");
    const err = failure(() => loadModel(missing));
    expect(err.code).toBe("E_FILE_NOT_FOUND");
    expect(err.message).toBe(`model file ${missing} does not exist`);
  });

  it("names an empty file and a folder", () => {
    const empty = join(dir, "empty.json");
    writeFileSync(empty, "");
    expect(failure(() => loadModel(empty)).message).toBe(`model file ${empty} is empty (0 bytes)`);
    expect(failure(() => loadModel(dir)).message).toBe(`model file ${dir} is a folder, not a file`);
  });

  it("says a cut-off file looks truncated, with its length", () => {
    const cut = join(dir, "cut.json");
    const half = Buffer.from(text).subarray(0, Math.floor(text.length / 2));
    writeFileSync(cut, half);
    const err = failure(() => loadModel(cut));
    expect(err.code).toBe("E_FORMAT");
    expect(err.message).toBe(`model file ${cut} is not valid JSON (truncated at byte ${half.length}?)`);
  });

  it("names the byte, line and column where a file stops being JSON", () => {
    const broken = join(dir, "broken.json");
    writeFileSync(broken, text.replace('"task": "classification"', '"task" "classification"'));
    expect(failure(() => loadModel(broken)).message).toMatch(
      new RegExp(
        `^model file ${broken.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is not valid JSON at byte \\d+ \\(line 6, column 10\\)$`,
      ),
    );
  });

  it("calls a changed digit damage, by the checksum", () => {
    const damaged = join(dir, "digit.json");
    const at = text.indexOf('"threshold": [') + '"threshold": ['.length;
    const digit = text.slice(at).search(/[0-8]/) + at;
    writeFileSync(damaged, text.slice(0, digit) + String(Number(text[digit]) + 1) + text.slice(digit + 1));
    const err = failure(() => loadModel(damaged));
    expect(err.code).toBe("E_FORMAT");
    expect(err.message).toMatch(
      new RegExp(
        `^model file .*digit\\.json: damaged: its content does not match its checksum \\(recorded sha256:[0-9a-f]{64}, content hashes to sha256:[0-9a-f]{64}\\)$`,
      ),
    );
  });

  it("names both versions for a file of a newer format", () => {
    const p = edited(
      "v99.json",
      (j) => {
        j.formatVersion = 99;
        j.sluiceVersion = "3.0.0";
      },
      true,
    );
    const err = failure(() => loadModel(p));
    expect(err.message).toBe(
      `model file ${p}: format 99 was written by sluice 3.0.0; this is sluice ${SLUICE_VERSION}, which reads format 1`,
    );
  });

  it("names an unknown kind, and says when the checksum does not match either", () => {
    const p = edited("kind.json", (j) => (j.kind = "gradient_bosting"));
    expect(failure(() => loadModel(p)).message).toMatch(
      /: unknown model kind "gradient_bosting" \(did you mean "gradient_boosting"\?\); this version of Sluice knows/,
    );
    const q = edited("kind-checksum.json", (j) => (j.kind = "neural_net"), true);
    expect(failure(() => loadModel(q)).message).toMatch(
      /unknown model kind "neural_net".*; and its content does not match its checksum \(recorded sha256:/,
    );
  });

  it("names a params typo", () => {
    const p = edited("typo.json", (j) => {
      const params = j.params as Record<string, unknown>;
      params.num_leavs = params.num_leaves;
      delete params.num_leaves;
    });
    expect(failure(() => loadModel(p)).message).toBe(
      `model file ${p}: params do not fit a gradient_boosting model: params.num_leavs: unknown key (did you mean "num_leaves"?); allowed here: ${Object.keys(ModelParams.gradient_boosting.shape).join(", ")}`,
    );
  });

  it("names a tree whose child points backwards or out of range", () => {
    const back = edited("backwards.json", (j) => {
      const tree = (j.trees as { left: number[] }[])[1]!;
      tree.left[0] = 0;
    });
    expect(failure(() => loadModel(back)).message).toMatch(
      /^model file .*backwards\.json: trees\[1\]: node 0 has children 0 and \d+; expected nodes after 0 and before \d+$/,
    );
    const out = edited("out-of-range.json", (j) => {
      const tree = (j.trees as { right: number[] }[])[2]!;
      tree.right[0] = 1000;
    });
    expect(failure(() => loadModel(out)).message).toMatch(
      /^model file .*out-of-range\.json: trees\[2\]: node 0 has children \d+ and 1000; expected nodes after 0 and before \d+$/,
    );
  });

  it("refuses what is not a model file at all", () => {
    const p = join(dir, "list.json");
    writeFileSync(p, "[1, 2, 3]");
    expect(failure(() => loadModel(p)).message).toBe(`model file ${p}: expected a JSON object, got a list`);
    expect(failure(() => loadModel({ hello: "world" })).message).toBe(
      'model file: not a Sluice model file: it has no "format" field',
    );
  });
});
