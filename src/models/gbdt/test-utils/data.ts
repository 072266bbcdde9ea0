/** Synthetic data with a known signal for the boosting tests. */
import { Random } from "../../../data/random.js";
import { featureMatrix, type FeatureMatrix } from "../../../features/matrix.js";
import { ModelParams, type GradientBoostingParams } from "../../../project/schema.js";

export interface Synthetic {
  X: FeatureMatrix;
  /** Class codes (binary: 0/1, multiclass: 0..2) or values. */
  y: Int32Array | Float64Array;
}

/**
 * n rows of 5 features: x0, x1 normal; x2 uniform with 15% missing (missing rows behave like
 * high values); x3 with 3 values; x4 noise. The score 1.5·x0 − x1 + (x2 or 1.5 when missing) +
 * 0.5·[x3 = 2] drives every target.
 */
export function synthetic(n: number, task: "binary" | "multiclass" | "regression", seed = 1): Synthetic {
  const rng = new Random(seed);
  const F = 5;
  const data = new Float64Array(n * F);
  const y = task === "regression" ? new Float64Array(n) : new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const x0 = rng.normal();
    const x1 = rng.normal();
    const x2 = rng.next() < 0.15 ? NaN : rng.uniform(-1, 1);
    const x3 = rng.int(3);
    data[i] = x0;
    data[n + i] = x1;
    data[2 * n + i] = x2;
    data[3 * n + i] = x3;
    data[4 * n + i] = rng.normal();
    const s = 1.5 * x0 - x1 + (Number.isNaN(x2) ? 1.5 : x2) + (x3 === 2 ? 0.5 : 0);
    if (task === "regression") y[i] = 3 * s + rng.normal() * 0.5;
    else if (task === "binary") y[i] = rng.next() < 1 / (1 + Math.exp(-2 * s)) ? 1 : 0;
    else y[i] = s + rng.normal() * 0.5 < -0.8 ? 0 : s < 0.8 ? 1 : 2;
  }
  return { X: featureMatrix(n, ["x0", "x1", "x2", "x3", "x4"], data), y };
}

/** Gradient boosting params: the defaults with `overrides`. */
export function gbParams(overrides: Partial<GradientBoostingParams> = {}): GradientBoostingParams {
  return ModelParams.gradient_boosting.parse(overrides);
}

export const BINARY = { task: "classification", classes: ["no", "yes"] } as const;
export const THREE = { task: "classification", classes: ["a", "b", "c"] } as const;
export const REGRESSION = { task: "regression" } as const;
