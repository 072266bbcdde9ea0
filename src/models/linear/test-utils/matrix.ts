/** Test helpers: matrices from row-major lists, and the linear reference fixture. */
import { readFileSync } from "node:fs";
import { featureMatrix, type FeatureMatrix } from "../../../features/matrix.js";

/** A column-major matrix from rows, with columns named x0, x1, … */
export function fromRows(rows: readonly (readonly number[])[], names?: readonly string[]): FeatureMatrix {
  const n = rows.length;
  const p = rows[0]?.length ?? names?.length ?? 0;
  const data = new Float64Array(n * p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) data[j * n + i] = rows[i]![j]!;
  return featureMatrix(n, names ?? Array.from({ length: p }, (_, j) => `x${j}`), data);
}

export interface ReferenceDataset {
  X: number[][];
  y: number[];
  weights: number[] | null;
}

export interface LogisticCase {
  name: string;
  model: "logistic_regression";
  params: {
    C: number;
    penalty: "l2" | "l1" | "none";
    class_weight: "none" | "balanced";
    fit_intercept: boolean;
  };
  data: string;
  classes: number;
  coef: number[][];
  intercept: number[];
  proba: number[][];
  defaultCoef: number[][];
}

export interface RidgeCase {
  name: string;
  model: "ridge";
  params: { alpha: number; fit_intercept: boolean };
  data: string;
  coef: number[][];
  intercept: number[];
  predictions: number[];
}

export interface LinearReference {
  generator: string;
  datasets: Record<string, ReferenceDataset>;
  cases: (LogisticCase | RidgeCase)[];
}

export function linearReference(): LinearReference {
  return JSON.parse(
    readFileSync(new URL("../fixtures/linear-reference.json", import.meta.url), "utf8"),
  ) as LinearReference;
}
