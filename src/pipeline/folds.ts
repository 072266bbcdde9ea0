/**
 * How many cross-validation folds the data allows. Cross-validation folds the train +
 * validation rows; stratified folds need every class in each fold, so the rarest class's count
 * there bounds the folds. `sluice init` writes a fold count within that bound, and `sluice run`
 * refuses a larger one right after the split, before features are fitted or models trained.
 */
import type { Frame } from "../data/frame.js";
import { splitRows, type SplitIndices } from "../data/split.js";
import { encodeTarget, type EncodedTarget } from "../data/target.js";
import { SluiceError } from "../errors.js";
import type { Project } from "../project/project.js";
import { count } from "../util/text.js";

/** The most folds a split allows, and what sets that bound. */
export interface FoldLimit {
  /** The largest fold count that can be made (may be below 2: then none can). */
  max: number;
  /** Whether the bound comes from stratified folds (a class), or from the row count. */
  stratified: boolean;
  /** Rows cross-validation folds: train + validation. */
  rows: number;
  /** With stratified folds: the class with the fewest rows in train + validation. */
  rarest?: { name: string; rows: number };
}

/**
 * The most folds that can be made from the train + validation rows of `split`.
 *
 * Stratified (classification with `stratify`): the smallest non-zero class count there, as
 * `kFolds` refuses a class with fewer rows than folds (a class absent from those rows is
 * skipped by it, so it does not bound). Otherwise: the number of rows.
 */
export function foldLimit(target: EncodedTarget, split: SplitIndices, stratify: boolean): FoldLimit {
  const rows = split.train.length + split.validation.length;
  if (target.task !== "classification" || !stratify) return { max: rows, stratified: false, rows };
  const counts = new Int32Array(target.classes.length);
  for (const part of [split.train, split.validation])
    for (let i = 0; i < part.length; i++) counts[target.y[part[i]!]!]!++;
  let rarest: { name: string; rows: number } | undefined;
  for (let c = 0; c < counts.length; c++)
    if (counts[c]! > 0 && (rarest === undefined || counts[c]! < rarest.rows))
      rarest = { name: target.classes[c]!, rows: counts[c]! };
  return {
    max: rarest === undefined ? 0 : Math.min(rows, rarest.rows),
    stratified: true,
    rows,
    ...(rarest === undefined ? {} : { rarest }),
  };
}

/**
 * Encode the target and split the rows exactly as `prepareData` does (same options, same
 * seed), so that the bound found here is the one cross-validation meets.
 */
export function projectSplit(project: Project, frame: Frame): { target: EncodedTarget; split: SplitIndices } {
  const { data, split } = project.config;
  const target = encodeTarget(
    frame,
    data.target,
    data.task,
    data.positive === undefined ? {} : { positive: data.positive },
  );
  return {
    target,
    split: splitRows(frame.nRows, {
      test: split.test,
      validation: split.validation,
      seed: split.seed,
      ...(target.task === "classification" && split.stratify
        ? { stratify: target.y, classNames: target.classes }
        : {}),
    }),
  };
}

/**
 * Refuse the project's `cv.folds` when the validated rows cannot give that many folds, naming
 * the class, its count and the largest fold count that works. Cheap (encode and split only):
 * call it before fitting features.
 *
 * @throws SluiceError E_SPLIT when the folds cannot be made; the split's and target's errors
 * @example
 * checkFolds(project, validation.kept); // cv.folds 5 with a class of 4 rows → E_SPLIT
 */
export function checkFolds(project: Project, frame: Frame): void {
  const { cv, data } = project.config;
  const { target, split } = projectSplit(project, frame);
  const limit = foldLimit(target, split, cv.stratify);
  if (cv.folds <= limit.max) return;
  const folds = `cv.folds is ${cv.folds}`;
  const where = "in train + validation (the rows cross-validation folds)";
  const rare = limit.rarest;
  const message =
    rare !== undefined
      ? `${folds}, but class "${rare.name}" of target "${data.target}" has only ${count(rare.rows)} row${rare.rows === 1 ? "" : "s"} ${where}, and stratified folds need every class in each fold`
      : `${folds}, but there are only ${count(limit.rows)} row${limit.rows === 1 ? "" : "s"} ${where}`;
  const merge = rare === undefined ? "" : `merge "${rare.name}" into a similar class or drop its rows`;
  const hint =
    limit.max >= 2
      ? `set cv.folds: ${limit.max} in sluice.yaml (the most this data allows)${rare === undefined ? "" : `, or ${merge} to keep ${cv.folds} folds`}`
      : rare !== undefined
        ? `${merge} (a class needs at least 2 rows in train + validation), or set cv.stratify: false`
        : "use more data, or smaller split.test and split.validation shares";
  throw new SluiceError("E_SPLIT", message, {
    details: {
      folds: cv.folds,
      maxFolds: limit.max,
      rows: limit.rows,
      ...(rare === undefined ? {} : { class: rare.name, classRows: rare.rows }),
    },
    hint,
  });
}
