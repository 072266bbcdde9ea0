import { describe, expect, it } from "vitest";
import { featureMatrix, type FeatureMatrix } from "../../features/matrix.js";
import { Random } from "../../data/random.js";
import { ModelParams, type RandomForestParams } from "../../project/schema.js";
import { isSluiceError, type SluiceError } from "../../errors.js";
import type { FitOptions, Labels, ModelFile, TargetInfo } from "../types.js";
import { RandomForestLearner, featuresPerSplit, randomForestFromJSON } from "./learner.js";
import type { RandomForestModel } from "./model.js";
import { forestReference } from "./test-utils/reference.js";

function params(overrides: Partial<Record<keyof RandomForestParams, unknown>> = {}): RandomForestParams {
  return ModelParams.random_forest.parse(overrides);
}

const binary: TargetInfo = { task: "classification", classes: ["no", "yes"] };
const regression: TargetInfo = { task: "regression" };

async function fit(
  p: RandomForestParams,
  target: TargetInfo,
  X: FeatureMatrix,
  y: Labels,
  options: FitOptions = {},
): Promise<RandomForestModel> {
  return (await new RandomForestLearner(p, target).fit(X, y, {
    threads: 1,
    ...options,
  })) as RandomForestModel;
}

async function fitError(run: () => Promise<unknown>): Promise<SluiceError> {
  try {
    await run();
  } catch (err) {
    if (isSluiceError(err)) return err;
    throw err;
  }
  throw new Error("expected the fit to fail");
}

/** Binary labels from two informative features (one with missing values) and a noise feature. */
function problem(n: number, seed: number): { X: FeatureMatrix; y: Int32Array } {
  const rng = new Random(seed);
  const data = new Float64Array(n * 3);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const a = rng.normal();
    const b = rng.normal();
    data[i] = a;
    data[n + i] = rng.next() < 0.15 ? NaN : b;
    data[2 * n + i] = rng.normal();
    y[i] = a + 0.8 * b + 0.5 * rng.normal() > 0 ? 1 : 0;
  }
  return { X: featureMatrix(n, ["a", "b", "noise"], data), y };
}

function score(model: RandomForestModel, X: FeatureMatrix, y: Labels): number {
  const pred = model.predict(X);
  if (model.task === "classification") {
    let correct = 0;
    for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) correct++;
    return correct / y.length;
  }
  let mean = 0;
  for (const v of y) mean += v / y.length;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < y.length; i++) {
    res += (y[i]! - pred[i]!) ** 2;
    tot += (y[i]! - mean) ** 2;
  }
  return 1 - res / tot;
}

describe("random forest against scikit-learn", () => {
  for (const c of forestReference())
    it(`scores as scikit-learn's forests do on the same split: ${c.name}`, async () => {
      const target: TargetInfo =
        c.classes === undefined ? regression : { task: "classification", classes: c.classes };
      const scores: number[] = [];
      const oobs: number[] = [];
      const imp = new Float64Array(c.importances.length);
      for (const seed of [1, 2, 3]) {
        const m = await fit(
          params({ ...c.params, trees: 100, oob_score: true }),
          target,
          c.train.X,
          c.train.y,
          { seed },
        );
        scores.push(score(m, c.test.X, c.test.y));
        oobs.push(m.oobScore!);
        const gain = m.importances().gain!;
        const total = gain.reduce((s, v) => s + v, 0);
        gain.forEach((v, j) => (imp[j] = imp[j]! + v / total / 3));
      }
      const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;
      // Tolerance: 0.03 — a few times the spread of scikit-learn's own scores across seeds
      // (≤ 0.01); our splits sit on ≤ 255 bins instead of every midpoint, and our draws differ.
      expect(Math.abs(mean(scores) - c.score), `score ${mean(scores)} vs ${c.score}`).toBeLessThan(0.03);
      expect(Math.abs(mean(oobs) - c.oobScore), `oob ${mean(oobs)} vs ${c.oobScore}`).toBeLessThan(0.03);
      // Normalised gain importances: the same features matter, in about the same measure.
      let l1 = 0;
      c.importances.forEach((v, j) => (l1 += Math.abs(v - imp[j]!)));
      expect(l1, `importances ${Array.from(imp).join(", ")} vs ${c.importances.join(", ")}`).toBeLessThan(
        0.1,
      );
    });
});

describe("random forest models", () => {
  const { X, y } = problem(600, 1);
  const test = problem(300, 2);

  it("writes a byte-identical model file whatever the number of threads", async () => {
    const p = params({ trees: 12, max_depth: 6, oob_score: true });
    const files = await Promise.all(
      [1, 2, 3].map(async (threads) =>
        JSON.stringify((await fit(p, binary, X, y, { seed: 9, threads })).toJSON()),
      ),
    );
    expect(files[1]).toBe(files[0]);
    expect(files[2]).toBe(files[0]);
    const other = JSON.stringify((await fit(p, binary, X, y, { seed: 10 })).toJSON());
    expect(other).not.toBe(files[0]);
  });

  it("learns where missing values go, and predicts well", async () => {
    const m = await fit(params({ trees: 50 }), binary, X, y);
    expect(score(m, test.X, test.y)).toBeGreaterThan(0.8);
    const usesMissing = m.treeList.some((t) => t.missingLeft.some((v, n) => v === 1 && t.feature[n] === 1));
    expect(usesMissing).toBe(true);
  });

  it("gives bit-identical predictions and explanations after a save and load", async () => {
    const m = await fit(params({ trees: 20, max_depth: 8, oob_score: true }), binary, X, y);
    const file = JSON.parse(JSON.stringify(m.toJSON())) as ModelFile;
    const loaded = randomForestFromJSON(file) as RandomForestModel;
    expect(Array.from(loaded.predictProba(test.X))).toEqual(Array.from(m.predictProba(test.X)));
    expect(Array.from(loaded.explain(test.X).values)).toEqual(Array.from(m.explain(test.X).values));
    expect(loaded.oobScore).toBe(m.oobScore);
    expect(JSON.stringify(loaded.toJSON())).toBe(JSON.stringify(m.toJSON()));
  });

  it("averages its trees: probabilities sum to 1 and one row predicts as the matrix does", async () => {
    const m = await fit(params({ trees: 15 }), binary, X, y);
    const proba = m.predictProba(test.X);
    const out = new Float64Array(2);
    const row = new Float64Array(3);
    for (let i = 0; i < test.X.nRows; i++) {
      expect(proba[2 * i]! + proba[2 * i + 1]!).toBeCloseTo(1, 12);
      for (let j = 0; j < 3; j++) row[j] = test.X.data[j * test.X.nRows + i]!;
      expect(m.predictOne(row, out)).toBe(out);
      expect(out[0]).toBe(proba[2 * i]);
      expect(out[1]).toBe(proba[2 * i + 1]);
    }
  });

  for (const task of ["classification", "regression"] as const)
    it(`explains exactly with TreeSHAP: contributions + expected value = raw output (${task})`, async () => {
      const yy = task === "classification" ? y : Float64Array.from(y, (v, i) => v * 3 + X.data[i]!);
      const m = await fit(
        params({ trees: 10, max_depth: 6 }),
        task === "classification" ? binary : regression,
        X,
        yy,
      );
      const e = m.explain(test.X);
      const raw = m.predictRaw(test.X);
      expect(e.nOutputs).toBe(task === "classification" ? 2 : 1);
      for (let i = 0; i < test.X.nRows; i++)
        for (let k = 0; k < e.nOutputs; k++) {
          let s = e.expectedValue[k]!;
          for (let f = 0; f < 3; f++) s += e.values[(i * e.nOutputs + k) * 3 + f]!;
          const r = raw[i * e.nOutputs + k]!;
          expect(Math.abs(s - r)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(r)));
        }
    });

  it("reports split and gain importances, the noise feature last", async () => {
    const m = await fit(params({ trees: 30 }), binary, X, y);
    const { gain, split } = m.importances();
    expect(gain![0]!).toBeGreaterThan(gain![2]!);
    expect(gain![1]!).toBeGreaterThan(gain![2]!);
    const splits = m.treeList.reduce((s, t) => s + t.feature.filter((f) => f >= 0).length, 0);
    expect(split!.reduce((s, v) => s + v, 0)).toBe(splits);
  });

  it("takes values of 1e300 and constant features, and predicts numbers", async () => {
    const data = X.data.slice();
    for (let i = 0; i < X.nRows; i += 7) data[i] = i % 2 === 0 ? 1e300 : -1e300;
    data.fill(5, 2 * X.nRows);
    const m = await fit(params({ trees: 10 }), binary, featureMatrix(X.nRows, X.names, data), y);
    const huge = featureMatrix(2, X.names, Float64Array.of(1e300, -1e300, 1e300, NaN, 1e300, -1e300));
    for (const v of m.predictProba(huge)) expect(Number.isFinite(v)).toBe(true);
    expect(m.importances().split![2]).toBe(0);
  });

  it("reports the validation loss after each tree and stops when told to", async () => {
    const losses: number[] = [];
    const m = await fit(params({ trees: 50 }), binary, X, y, {
      validation: { X: test.X, y: test.y },
      onIteration: (t, loss) => {
        losses.push(loss);
        return t < 8;
      },
    });
    expect(m.iterations).toBe(8);
    expect(m.treeList).toHaveLength(8);
    expect(losses).toHaveLength(8);
    expect(losses[7]!).toBeLessThan(losses[0]!);
  });

  it("stops with E_ABORTED when its signal is aborted, on worker threads too", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const big = problem(20_000, 3);
    for (const threads of [1, 2]) {
      const err = await fitError(() =>
        new RandomForestLearner(params({ trees: 5000 }), binary).fit(big.X, big.y, {
          threads,
          signal: controller.signal,
        }),
      );
      expect(err.code).toBe("E_ABORTED");
    }
  });

  it("weighs classes with class_weight: balanced, lifting the minority's recall", async () => {
    const rare = Int32Array.from(y, (v, i) => (v === 1 && i % 5 !== 0 ? 0 : v));
    const rareTest = Int32Array.from(test.y, (v, i) => (v === 1 && i % 5 !== 0 ? 0 : v));
    const recall = (m: RandomForestModel): number => {
      const p = m.predictProba(test.X);
      let hit = 0;
      let pos = 0;
      rareTest.forEach((v, i) => {
        if (v !== 1) return;
        pos++;
        if (p[2 * i + 1]! > 0.5) hit++;
      });
      return hit / pos;
    };
    const plain = await fit(params({ trees: 40, min_samples_leaf: 10 }), binary, X, rare);
    const balanced = await fit(
      params({ trees: 40, min_samples_leaf: 10, class_weight: "balanced" }),
      binary,
      X,
      rare,
    );
    expect(recall(balanced)).toBeGreaterThan(recall(plain));
  });

  it("keeps max_depth and min_samples_leaf, and grows each tree on max_samples of the rows", async () => {
    const m = await fit(
      params({ trees: 5, max_depth: 3, min_samples_leaf: 20, bootstrap: false }),
      binary,
      X,
      y,
    );
    for (const t of m.treeList) {
      const depth = new Int32Array(t.nNodes);
      for (let n = 0; n < t.nNodes; n++) {
        if (t.feature[n]! < 0) {
          // Without bootstrap every row weighs 1: cover counts rows.
          expect(t.cover[n]!).toBeGreaterThanOrEqual(20);
          continue;
        }
        depth[t.left[n]!] = depth[n]! + 1;
        depth[t.right[n]!] = depth[n]! + 1;
        expect(t.cover[n]).toBeCloseTo(t.cover[t.left[n]!]! + t.cover[t.right[n]!]!, 9);
      }
      expect(Math.max(...depth)).toBeLessThanOrEqual(3);
      expect(t.cover[0]).toBe(X.nRows);
    }
    const half = await fit(params({ trees: 5, max_samples: 0.5 }), binary, X, y);
    for (const t of half.treeList) expect(t.cover[0]).toBe(300);
  });

  it("resolves max_features as scikit-learn does", () => {
    expect(featuresPerSplit("auto", 45, "classification")).toBe(6);
    expect(featuresPerSplit("auto", 45, "regression")).toBe(45);
    expect(featuresPerSplit("log2", 45, "regression")).toBe(5);
    expect(featuresPerSplit(0.3, 45, "regression")).toBe(13);
    expect(featuresPerSplit(0.01, 45, "regression")).toBe(1);
  });
});

describe("random forest refuses what it cannot fit", () => {
  const { X, y } = problem(80, 4);
  const learner = new RandomForestLearner(params({ trees: 3 }), binary);

  it("names the count and first row of NaN or infinite regression targets", async () => {
    const v = Float64Array.from(y);
    v[10] = NaN;
    v[20] = -Infinity;
    const err = await fitError(() => new RandomForestLearner(params(), regression).fit(X, v));
    expect(err.code).toBe("E_LABELS");
    expect(err.message).toBe("2 training targets are not a finite number; the first is NaN at row 10");
  });

  it("refuses one class, codes out of range, zero rows and bad weights", async () => {
    expect((await fitError(() => learner.fit(X, new Int32Array(80)))).message).toMatch(
      /every training row has the class "no"/,
    );
    const bad = y.slice();
    bad[3] = 5;
    expect((await fitError(() => learner.fit(X, bad))).message).toBe(
      "1 training label is not a class code 0..1; the first is 5 at row 3",
    );
    expect((await fitError(() => learner.fit(featureMatrix(0, ["a"]), new Int32Array(0)))).code).toBe(
      "E_MATRIX",
    );
    const w = new Float64Array(80).fill(1);
    w[2] = -3;
    expect((await fitError(() => learner.fit(X, y, { weights: w }))).code).toBe("E_USAGE");
  });

  it("refuses a validation class that no training row has", async () => {
    const three = new RandomForestLearner(params({ trees: 3 }), {
      task: "classification",
      classes: ["a", "b", "c"],
    });
    const vy = new Int32Array(10);
    vy[4] = 2;
    const err = await fitError(() =>
      three.fit(X, y, {
        validation: { X: featureMatrix(10, X.names, X.data.slice(0, 30)), y: vy },
        onIteration: () => true,
      }),
    );
    expect(err.code).toBe("E_LABELS");
    expect(err.message).toBe(
      'the validation set has class "c" (first at row 4), which no training row has: the model cannot score it',
    );
  });

  it("refuses oob_score without bootstrap", async () => {
    const err = await fitError(() =>
      new RandomForestLearner(params({ oob_score: true, bootstrap: false }), binary).fit(X, y),
    );
    expect(err.code).toBe("E_USAGE");
  });

  it("names both counts when the matrix has the wrong number of columns, and refuses probabilities of a regression", async () => {
    const m = await learner.fit(X, y, { threads: 1 });
    expect(() => m.predict(featureMatrix(1, ["a", "b"], Float64Array.of(1, 2)))).toThrow(
      "the matrix has 2 columns, but the model was fitted on 3 features",
    );
    expect(() => m.predictOne(Float64Array.of(1))).toThrow(
      "the row has 1 values, but the model was fitted on 3 features",
    );
    const r = await new RandomForestLearner(params({ trees: 2 }), regression).fit(X, Float64Array.from(y), {
      threads: 1,
    });
    expect(() => r.predictProba(X)).toThrow(/predicts values, not class probabilities/);
  });

  it("refuses a damaged file, naming the tree", async () => {
    const m = await learner.fit(X, y, { threads: 1 });
    const file = JSON.parse(JSON.stringify(m.toJSON())) as ModelFile & { trees: { left: number[] }[] };
    file.trees[1]!.left[0] = 0;
    expect(() => randomForestFromJSON(file)).toThrow(/trees\[1\]: node 0 has children 0 and/);
    const short = { ...file, trees: file.trees.slice(0, 2) };
    expect(() => randomForestFromJSON(short)).toThrow(
      "model file: iterations is 3 but the file holds 2 trees",
    );
  });
});
