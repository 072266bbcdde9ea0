/**
 * Real and generated datasets, prepared the same way for tests, benchmarks and the Python
 * reference scripts: read the CSV, encode the target, split 80/20 with seed 42 (stratified for
 * classification), fit the default features (median imputation, standard scaling, one-hot) on
 * the training part and transform both parts.
 *
 * The real files sit beside the repository in ../shared/data; tests skip when they are absent.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { readFrame } from "../../../data/read.js";
import { splitRows } from "../../../data/split.js";
import { encodeTarget } from "../../../data/target.js";
import { featureMatrix, fitFeatures, transform, type FeatureMatrix } from "../../../features/index.js";
import { FeatureSpec } from "../../../project/schema.js";
import type { Task } from "../../types.js";

export const repoRoot = resolve(import.meta.dirname, "..", "..", "..", "..");

/** A file of ../shared/data, and whether it is there. */
export function sharedData(file: string): { path: string; exists: boolean } {
  const path = resolve(repoRoot, "..", "shared", "data", file);
  return { path, exists: existsSync(path) };
}

export const TELCO = sharedData("WA_Fn-UseC_-Telco-Customer-Churn.csv");
export const HOUSING = sharedData("housing.csv");

export interface PreparedSplit {
  task: Task;
  classes?: readonly string[];
  train: { X: FeatureMatrix; y: Int32Array | Float64Array };
  test: { X: FeatureMatrix; y: Int32Array | Float64Array };
}

export interface PrepareOptions {
  target: string;
  task: Task;
  positive?: string;
  /** Columns that are not features (ids). */
  drop?: string[];
}

/** Read, split and featurise a CSV file (see the file comment). */
export async function prepareCsv(path: string, options: PrepareOptions): Promise<PreparedSplit> {
  const frame = await readFrame(path);
  const encoded = encodeTarget(
    frame,
    options.target,
    options.task,
    options.positive === undefined ? {} : { positive: options.positive },
  );
  const split = splitRows(frame.nRows, {
    test: 0.2,
    validation: 0,
    seed: 42,
    ...(options.task === "classification" ? { stratify: encoded.y as Int32Array } : {}),
  });
  const take = (rows: Int32Array): Int32Array | Float64Array => {
    const y = options.task === "classification" ? new Int32Array(rows.length) : new Float64Array(rows.length);
    for (let i = 0; i < rows.length; i++) y[i] = encoded.y[rows[i]!]!;
    return y;
  };
  const trainFrame = frame.take(split.train);
  const testFrame = frame.take(split.test);
  const yTrain = take(split.train);
  const fitted = fitFeatures(FeatureSpec.parse({ drop: options.drop ?? [] }), trainFrame, {
    target: options.target,
    task: options.task,
    y: yTrain,
  });
  return {
    task: options.task,
    ...(encoded.task === "classification" ? { classes: encoded.classes } : {}),
    train: { X: transform(fitted, trainFrame), y: yTrain },
    test: { X: transform(fitted, testFrame), y: take(split.test) },
  };
}

/** IBM Telco churn: Churn Yes/No, customerID dropped. */
export function prepareTelco(): Promise<PreparedSplit> {
  return prepareCsv(TELCO.path, {
    target: "Churn",
    task: "classification",
    positive: "Yes",
    drop: ["customerID"],
  });
}

/** California housing: median_house_value. */
export function prepareHousing(): Promise<PreparedSplit> {
  return prepareCsv(HOUSING.path, { target: "median_house_value", task: "regression" });
}

/** ROC AUC of scores for the positive class 1 (ties count half), by ranks. */
export function rocAuc(y: ArrayLike<number>, score: ArrayLike<number>): number {
  const n = y.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[a]! - score[b]!);
  let rankSum = 0;
  let positives = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && score[order[j + 1]!] === score[order[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++)
      if (y[order[k]!] === 1) {
        rankSum += rank;
        positives++;
      }
    i = j + 1;
  }
  const negatives = n - positives;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Write a prepared split as raw little-endian arrays, for another process (Python included):
 * <name>.X_train.f64 (column-major), .y_train.f64, .X_test.f64, .y_test.f64, and <name>.json
 * with the shapes, column names, task and classes.
 */
export function writeSplit(dir: string, name: string, s: PreparedSplit): void {
  const f64 = (a: Float64Array | Int32Array): Buffer => {
    const b = a instanceof Float64Array ? a : Float64Array.from(a);
    return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  };
  writeFileSync(join(dir, `${name}.X_train.f64`), f64(s.train.X.data));
  writeFileSync(join(dir, `${name}.y_train.f64`), f64(s.train.y));
  writeFileSync(join(dir, `${name}.X_test.f64`), f64(s.test.X.data));
  writeFileSync(join(dir, `${name}.y_test.f64`), f64(s.test.y));
  writeFileSync(
    join(dir, `${name}.json`),
    JSON.stringify({
      nTrain: s.train.X.nRows,
      nTest: s.test.X.nRows,
      names: s.train.X.names,
      task: s.task,
      ...(s.classes === undefined ? {} : { classes: s.classes }),
    }),
  );
}

/** A split written by {@link writeSplit}. */
export function readSplit(dir: string, name: string): PreparedSplit {
  const meta = JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8")) as {
    nTrain: number;
    nTest: number;
    names: string[];
    task: Task;
    classes?: string[];
  };
  const f64 = (file: string): Float64Array => {
    const b = readFileSync(join(dir, `${name}.${file}.f64`));
    return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  };
  const labels = (a: Float64Array): Int32Array | Float64Array =>
    meta.task === "classification" ? Int32Array.from(a) : a;
  return {
    task: meta.task,
    ...(meta.classes === undefined ? {} : { classes: meta.classes }),
    train: { X: featureMatrix(meta.nTrain, meta.names, f64("X_train")), y: labels(f64("y_train")) },
    test: { X: featureMatrix(meta.nTest, meta.names, f64("X_test")), y: labels(f64("y_test")) },
  };
}
