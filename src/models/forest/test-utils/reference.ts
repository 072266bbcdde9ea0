/** The scikit-learn RandomForest fixture (scripts/fixtures/models_forest.py), as matrices. */
import { readFileSync } from "node:fs";
import type { FeatureMatrix } from "../../../features/matrix.js";
import { fromRows } from "../../linear/test-utils/matrix.js";

export interface ForestCase {
  name: string;
  task: "classification" | "regression";
  params: Record<string, number | string>;
  nTrain: number;
  /** Mean test accuracy or R² of scikit-learn's forests over 5 seeds, and its spread. */
  score: number;
  scoreSd: number;
  oobScore: number;
  importances: number[];
  train: { X: FeatureMatrix; y: Int32Array | Float64Array };
  test: { X: FeatureMatrix; y: Int32Array | Float64Array };
  classes: string[] | undefined;
}

interface RawCase {
  name: string;
  task: "classification" | "regression";
  params: Record<string, number | string>;
  X: number[][];
  y: number[];
  nTrain: number;
  score: number;
  scoreSd: number;
  oobScore: number;
  importances: number[];
}

export function forestReference(): ForestCase[] {
  const raw = JSON.parse(
    readFileSync(new URL("../fixtures/forest-reference.json", import.meta.url), "utf8"),
  ) as {
    cases: RawCase[];
  };
  return raw.cases.map((c) => {
    const labels = (ys: number[]): Int32Array | Float64Array =>
      c.task === "classification" ? Int32Array.from(ys) : Float64Array.from(ys);
    const K = c.task === "classification" ? Math.max(...c.y) + 1 : 0;
    return {
      ...c,
      train: { X: fromRows(c.X.slice(0, c.nTrain)), y: labels(c.y.slice(0, c.nTrain)) },
      test: { X: fromRows(c.X.slice(c.nTrain)), y: labels(c.y.slice(c.nTrain)) },
      classes: K > 0 ? Array.from({ length: K }, (_, k) => `c${k}`) : undefined,
    };
  });
}
