/**
 * From validated rows to model inputs: encode the target, split train/validation/test (seeded,
 * stratified for classification), fit features on the training rows only, and transform every
 * part with the fitted state. What a model later ships with is exactly this fitted state.
 */
import type { Frame } from "../data/frame.js";
import { SluiceError } from "../errors.js";
import { splitRows, type SplitIndices } from "../data/split.js";
import { encodeTarget, type EncodedTarget } from "../data/target.js";
import { fitFeatures, transform, type FeatureMatrix, type FittedFeatures } from "../features/index.js";
import type { Project } from "../project/project.js";
import { silentProgress, withStep, type Progress } from "../util/progress.js";
import { count } from "../util/text.js";

/** One part of the data, ready for a learner. */
export interface DataPart {
  /** Row indices into the validated frame. */
  rows: Int32Array;
  frame: Frame;
  X: FeatureMatrix;
  /** Class codes (classification) or values (regression), one per row. */
  y: Int32Array | Float64Array;
  /** Per-row sample weights, when the project names a weight column. */
  weights?: Float64Array;
}

export interface PreparedData {
  target: EncodedTarget;
  split: SplitIndices;
  features: FittedFeatures;
  train: DataPart;
  validation: DataPart;
  test: DataPart;
}

function targetOf(encoded: EncodedTarget, rows: Int32Array): Int32Array | Float64Array {
  const y = encoded.task === "classification" ? new Int32Array(rows.length) : new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) y[i] = encoded.y[rows[i]!]!;
  return y;
}

function sampleWeights(frame: Frame, column: string): Float64Array {
  const values = frame.numeric(column).values;
  let bad = 0;
  let example = 0;
  for (let i = 0; i < values.length; i++) {
    const w = values[i]!;
    if (!(w >= 0) || !Number.isFinite(w)) {
      if (bad === 0) example = w;
      bad++;
    }
  }
  if (bad > 0)
    throw new SluiceError(
      "E_COLUMN_TYPE",
      `data.weight: column "${column}" has ${count(bad)} value${bad === 1 ? "" : "s"} that cannot be a weight (e.g. ${Number.isNaN(example) ? "a missing value" : example}); weights must be finite numbers ≥ 0`,
      {
        details: { column, rows: bad },
        hint: `give "${column}" the rule { type: number, min: 0, nullable: false } in the schema, so validation names those rows (and can quarantine them)`,
      },
    );
  return Float64Array.from(values);
}

/**
 * Encode, split, fit features and transform.
 *
 * @param frame the validated rows (quarantined rows already set aside)
 * @throws SluiceError E_TARGET, E_SPLIT, E_COLUMN_NOT_FOUND, E_FORMULA, E_CONFIG
 */
export async function prepareData(
  project: Project,
  frame: Frame,
  options: { progress?: Progress } = {},
): Promise<PreparedData> {
  const progress = options.progress ?? silentProgress;
  const { config } = project;
  const { data, split: splitConfig } = config;

  const target = encodeTarget(
    frame,
    data.target,
    data.task,
    data.positive === undefined ? {} : { positive: data.positive },
  );
  const split = await withStep(
    progress,
    "split",
    () =>
      splitRows(frame.nRows, {
        test: splitConfig.test,
        validation: splitConfig.validation,
        seed: splitConfig.seed,
        ...(target.task === "classification" && splitConfig.stratify
          ? { stratify: target.y, classNames: target.classes }
          : {}),
      }),
    (s) =>
      `train ${count(s.train.length)}, validation ${count(s.validation.length)}, test ${count(s.test.length)}`,
  );

  const trainFrame = frame.take(split.train);
  const trainY = targetOf(target, split.train);
  const exclude = data.weight === undefined ? [] : [data.weight];
  const features = await withStep(
    progress,
    "fit features",
    () =>
      fitFeatures(config.features, trainFrame, {
        target: data.target,
        task: data.task,
        schema: config.schema,
        y: trainY,
        exclude,
      }),
    (f) => `${f.inputs.length} inputs → ${f.outputs.length} features`,
  );

  const part = (rows: Int32Array, partFrame?: Frame): DataPart => {
    const f = partFrame ?? frame.take(rows);
    const weights = data.weight === undefined ? undefined : sampleWeights(f, data.weight);
    return {
      rows,
      frame: f,
      X: transform(features, f),
      y: targetOf(target, rows),
      ...(weights === undefined ? {} : { weights }),
    };
  };
  const parts = await withStep(
    progress,
    "transform",
    () => ({
      train: part(split.train, trainFrame),
      validation: part(split.validation),
      test: part(split.test),
    }),
    (p) =>
      `${count(p.train.X.nRows + p.validation.X.nRows + p.test.X.nRows)} rows × ${p.train.X.nCols} features`,
  );
  return { target, split, features, ...parts };
}
