/**
 * Train/validation/test splits and k-folds, seeded and reproducible: the same inputs give the
 * same indices on any machine (all draws come from {@link Random}).
 *
 * Stratified variants keep every class's share in each part, as scikit-learn's stratified
 * splitters do: each class's count in a part is its exact share rounded down or up, and the
 * parts still have their exact total sizes (see split-rounding.ts).
 */
import { SluiceError } from "../errors.js";
import { Random } from "./random.js";
import { roundShares } from "./split-rounding.js";

/** Row indices of each part: sorted ascending, disjoint, together covering 0..n-1. */
export interface SplitIndices {
  train: Int32Array;
  validation: Int32Array;
  test: Int32Array;
}

/** Options for {@link splitRows}. */
export interface SplitOptions {
  /** Share of rows for the test part, in [0, 1). */
  test: number;
  /** Share of rows for the validation part, in [0, 1). */
  validation: number;
  seed: number;
  /** Class code per row (≥ 0): keep each class's share in every part. */
  stratify?: Int32Array;
  /** Class names by code, for messages. */
  classNames?: readonly string[];
}

/** One fold: rows to train on and rows to validate on. */
export interface Fold {
  train: Int32Array;
  valid: Int32Array;
}

/** Options for {@link kFolds}. */
export interface FoldOptions {
  seed: number;
  /** Class code per row of the frame (indexed by row, not by position in `rows`). */
  stratify?: Int32Array;
  /** Class names by code, for messages. */
  classNames?: readonly string[];
}

function className(code: number, names: readonly string[] | undefined): string {
  const name = names?.[code];
  return name === undefined ? `${code}` : `"${name}"`;
}

/** Members of each class, in row order, from a code per row. */
function groupByClass(codes: Int32Array, rows: ArrayLike<number>): Int32Array[] {
  let k = 0;
  for (let i = 0; i < rows.length; i++) {
    const c = codes[rows[i]!];
    if (c === undefined || c < 0)
      throw new SluiceError("E_SPLIT", `row ${rows[i]!} has no class to stratify on (code ${c})`, {
        details: { row: rows[i]! },
        hint: "remove rows with a missing target before splitting",
      });
    if (c + 1 > k) k = c + 1;
  }
  const sizes = new Int32Array(k);
  for (let i = 0; i < rows.length; i++) sizes[codes[rows[i]!]!]!++;
  const groups = Array.from(sizes, (s) => new Int32Array(s));
  const fill = new Int32Array(k);
  for (let i = 0; i < rows.length; i++) {
    const c = codes[rows[i]!]!;
    groups[c]![fill[c]!++] = rows[i]!;
  }
  return groups;
}

function sorted(a: Int32Array): Int32Array {
  return a.sort();
}

/** Part sizes for `n` rows: test and validation round up, so a non-zero share never gets 0 rows. */
function partSizes(n: number, test: number, validation: number): { nTest: number; nValidation: number } {
  const nTest = test > 0 ? Math.ceil(test * n - 1e-9) : 0;
  const nValidation = validation > 0 ? Math.ceil(validation * n - 1e-9) : 0;
  return { nTest, nValidation };
}

/**
 * Split rows 0..n-1 into train, validation and test parts.
 *
 * @throws SluiceError E_SPLIT when there are too few rows for the parts, or (stratified) a class
 *   has fewer rows than there are parts.
 * @example
 * const { train, validation, test } = splitRows(frame.nRows, { test: 0.2, validation: 0.1, seed: 42, stratify: target.y });
 */
export function splitRows(n: number, options: SplitOptions): SplitIndices {
  const { test, validation, seed, stratify } = options;
  if (!(test >= 0 && test < 1) || !(validation >= 0 && validation < 1) || !(test + validation < 1))
    throw new SluiceError(
      "E_SPLIT",
      `split shares must be in [0, 1) with test + validation < 1, got test ${test}, validation ${validation}`,
      {
        details: { test, validation },
        hint: "set split.test and split.validation to shares such as 0.2 and 0.1",
      },
    );
  if (!Number.isInteger(n) || n < 0)
    throw new SluiceError("E_SPLIT", `cannot split ${n} rows`, { details: { n } });
  const { nTest, nValidation } = partSizes(n, test, validation);
  const parts = 1 + (nTest > 0 ? 1 : 0) + (nValidation > 0 ? 1 : 0);
  const nTrain = n - nTest - nValidation;
  if (nTrain < 1 || n < parts)
    throw new SluiceError(
      "E_SPLIT",
      `cannot split ${n} row${n === 1 ? "" : "s"} into train (${Math.max(0, nTrain)}), validation (${nValidation}) and test (${nTest}) parts: ` +
        `training needs at least 1 row`,
      {
        details: { n, nTrain, nValidation, nTest },
        hint: "use more data, or smaller split.test and split.validation shares",
      },
    );
  const rng = Random.derive(seed, "split");

  if (stratify === undefined) {
    const order = rng.permutation(n);
    return {
      test: sorted(order.slice(0, nTest)),
      validation: sorted(order.slice(nTest, nTest + nValidation)),
      train: sorted(order.slice(nTest + nValidation)),
    };
  }

  if (stratify.length !== n)
    throw new SluiceError("E_SPLIT", `stratify has ${stratify.length} class codes for ${n} rows`, {
      details: { n, codes: stratify.length },
    });
  const all = new Int32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  const groups = groupByClass(stratify, all);
  const sizes = groups.map((g) => g.length);
  for (const [c, size] of sizes.entries())
    if (size > 0 && size < parts)
      throw new SluiceError(
        "E_SPLIT",
        `class ${className(c, options.classNames)} has only ${size} row${size === 1 ? "" : "s"}, too few to appear in all ${parts} parts (train${nValidation > 0 ? ", validation" : ""}${nTest > 0 ? ", test" : ""})`,
        {
          details: { class: options.classNames?.[c] ?? c, rows: size, parts },
          hint: "set split.stratify: false, or merge or remove the rare class",
        },
      );
  const counts = roundShares(sizes, [nTest, nValidation, nTrain]);
  const out = {
    train: new Int32Array(nTrain),
    validation: new Int32Array(nValidation),
    test: new Int32Array(nTest),
  };
  let t = 0;
  let v = 0;
  let r = 0;
  for (const [c, group] of groups.entries()) {
    rng.shuffle(group);
    const a = counts[c]![0]!;
    const b = a + counts[c]![1]!;
    for (let i = 0; i < group.length; i++) {
      if (i < a) out.test[t++] = group[i]!;
      else if (i < b) out.validation[v++] = group[i]!;
      else out.train[r++] = group[i]!;
    }
  }
  return { train: sorted(out.train), validation: sorted(out.validation), test: sorted(out.test) };
}

/**
 * Split `rows` into `k` folds: each row is in exactly one fold's `valid` part; fold sizes differ
 * by at most one (per class, when stratified).
 *
 * @throws SluiceError E_SPLIT when there are fewer rows than folds, or (stratified) a class has
 *   fewer rows than folds.
 * @example
 * for (const { train, valid } of kFolds(split.train, 5, { seed: 42, stratify: target.y })) { … }
 */
export function kFolds(rows: Int32Array, k: number, options: FoldOptions): Fold[] {
  if (!Number.isInteger(k) || k < 2)
    throw new SluiceError("E_SPLIT", `the number of folds must be an integer ≥ 2, got ${k}`, {
      details: { k },
      hint: "set cv.folds to 2 or more",
    });
  if (rows.length < k)
    throw new SluiceError(
      "E_SPLIT",
      `cannot make ${k} folds from ${rows.length} row${rows.length === 1 ? "" : "s"}`,
      {
        details: { k, rows: rows.length },
        hint: "use fewer folds (cv.folds) or more data",
      },
    );
  const rng = Random.derive(options.seed, "folds");
  const fold = new Int32Array(rows.length);
  const position = new Map<number, number>();
  for (let i = 0; i < rows.length; i++) position.set(rows[i]!, i);
  if (position.size !== rows.length)
    throw new SluiceError("E_SPLIT", `the rows to fold repeat ${rows.length - position.size} row index(es)`, {
      details: { rows: rows.length, distinct: position.size },
    });

  if (options.stratify === undefined) {
    const order = rng.permutation(rows.length);
    const base = Math.floor(rows.length / k);
    const extra = rows.length % k;
    let i = 0;
    for (let f = 0; f < k; f++) for (let j = 0; j < base + (f < extra ? 1 : 0); j++) fold[order[i++]!] = f;
  } else {
    const groups = groupByClass(options.stratify, rows);
    // Each class's leftover rows go to the folds after the previous class's, so totals stay balanced too.
    let next = 0;
    for (const [c, group] of groups.entries()) {
      if (group.length === 0) continue;
      if (group.length < k)
        throw new SluiceError(
          "E_SPLIT",
          `class ${className(c, options.classNames)} has only ${group.length} row${group.length === 1 ? "" : "s"}, fewer than the ${k} folds`,
          {
            details: { class: options.classNames?.[c] ?? c, rows: group.length, folds: k },
            hint: "set cv.stratify: false, use fewer folds (cv.folds), or merge the rare class",
          },
        );
      rng.shuffle(group);
      const base = Math.floor(group.length / k);
      const extra = group.length % k;
      let i = 0;
      for (let j = 0; j < k; j++) {
        const f = (next + j) % k;
        const size = base + (j < extra ? 1 : 0);
        for (let m = 0; m < size; m++) fold[position.get(group[i++]!)!] = f;
      }
      next = (next + extra) % k;
    }
  }

  const validSizes = new Int32Array(k);
  for (let i = 0; i < fold.length; i++) validSizes[fold[i]!]!++;
  const folds: Fold[] = [];
  for (let f = 0; f < k; f++) {
    const valid = new Int32Array(validSizes[f]!);
    const train = new Int32Array(rows.length - validSizes[f]!);
    let a = 0;
    let b = 0;
    for (let i = 0; i < rows.length; i++) {
      if (fold[i] === f) valid[a++] = rows[i]!;
      else train[b++] = rows[i]!;
    }
    folds.push({ train: sorted(train), valid: sorted(valid) });
  }
  return folds;
}
