/**
 * Leakage: a feature that alone predicts the target almost perfectly is usually the target under
 * another name, or computed from it after the fact. Each feature column is scored on its own:
 * classification by single-feature ROC AUC (one-vs-rest for multiclass), regression by
 * |Pearson r| (numeric) or the correlation ratio η (categorical).
 *
 * Identifier-like columns (nearly one distinct value per row, or row numbers) are reported by
 * their own `id_like` check and not scored: their in-sample category rates would "predict" every
 * row and hide the real signal. Categorical columns short of that still overfit in sample when
 * many categories are rare, so a categorical score at or above the threshold is confirmed out of
 * fold (5 folds) before the column is flagged; the in-sample score is what the report shows.
 */
import type { Column, Frame } from "../data/frame.js";
import type { ValidationConfig } from "../project/schema.js";
import { count } from "../util/text.js";
import {
  categoricalOneVsRestAuc,
  categoricalOutOfFoldAuc,
  categoricalOutOfFoldEta,
  correlationRatio,
  oneVsRestAuc,
  pearson,
} from "./association.js";
import type { Outcome } from "./outcome.js";
import { lowerBound, sortedPresent } from "./stats.js";
import type { LeakageResult } from "./types.js";
import { numericView } from "./values.js";

/** A text or categorical column is id-like when its distinct values reach this share of its present rows… */
export const ID_LIKE_DISTINCT_SHARE = 0.95;
/** …and it has at least this many present rows (small samples are unique by chance). */
export const ID_LIKE_MIN_ROWS = 50;
/** More classes than this are not scored (a classification target that is really a number). */
const MAX_CLASSES = 100;

export type Task = "classification" | "regression";

/**
 * The task for a target when none is given: text or categories → classification; numbers with
 * at most 10 distinct integer values → classification; other numbers → regression.
 */
export function guessTask(target: Column): Task {
  if (target.kind !== "numeric") return "classification";
  const sorted = sortedPresent(target.values);
  let distinct = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (!Number.isInteger(sorted[i]!)) return "regression";
    if (i === 0 || sorted[i] !== sorted[i - 1]) distinct++;
    if (distinct > 10) return "regression";
  }
  return "classification";
}

/** Class index per row (−1 missing) and the class labels, for any column kind. */
export function encodeClasses(c: Column): { classes: Int32Array; labels: string[] } {
  if (c.kind === "categorical") return { classes: c.codes, labels: [...c.dictionary] };
  if (c.kind === "numeric") {
    const sorted = sortedPresent(c.values);
    const distinct: number[] = [];
    for (let i = 0; i < sorted.length; i++)
      if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]!);
    const d = Float64Array.from(distinct);
    const classes = new Int32Array(c.values.length);
    for (let i = 0; i < classes.length; i++) {
      const x = c.values[i]!;
      classes[i] = x !== x ? -1 : lowerBound(d, x === 0 ? 0 : x);
    }
    return { classes, labels: distinct.map(String) };
  }
  return encodeText(c.values);
}

function encodeText(values: readonly (string | null)[]): { classes: Int32Array; labels: string[] } {
  const index = new Map<string, number>();
  const classes = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      classes[i] = -1;
      continue;
    }
    let k = index.get(v);
    if (k === undefined) {
      k = index.size;
      index.set(v, k);
    }
    classes[i] = k;
  }
  return { classes, labels: [...index.keys()] };
}

/** Why a column looks like an identifier, or undefined when it does not. */
export function idLikeReason(c: Column): string | undefined {
  if (c.kind === "numeric") {
    // Timestamps also grow row by row, but they are a feature's raw material, not row numbers.
    if (c.dtype === "datetime" || c.dtype === "boolean") return undefined;
    let present = 0;
    let prev = -Infinity;
    for (let i = 0; i < c.values.length; i++) {
      const x = c.values[i]!;
      if (x !== x) continue;
      if (!Number.isInteger(x) || x <= prev) return undefined;
      prev = x;
      present++;
    }
    return present >= ID_LIKE_MIN_ROWS
      ? `it holds unique, strictly increasing integers (row numbers) in all ${count(present)} rows with a value`
      : undefined;
  }
  let present = 0;
  let distinct = 0;
  if (c.kind === "categorical") {
    const seen = new Uint8Array(c.dictionary.length);
    for (let i = 0; i < c.codes.length; i++) {
      const g = c.codes[i]!;
      if (g < 0) continue;
      present++;
      if (seen[g] === 0) {
        seen[g] = 1;
        distinct++;
      }
    }
  } else {
    const seen = new Set<string>();
    for (const v of c.values) {
      if (v === null || v === undefined) continue;
      present++;
      seen.add(v);
    }
    distinct = seen.size;
  }
  if (present < ID_LIKE_MIN_ROWS || distinct < ID_LIKE_DISTINCT_SHARE * present) return undefined;
  return `it has ${count(distinct)} distinct values in ${count(present)} rows with a value`;
}

export interface LeakageOptions {
  target: string;
  task: Task;
  features: readonly string[];
  config: ValidationConfig["leakage"];
}

/** The largest max(AUC, 1 − AUC) over classes, and its class; NaN when no class has an AUC. */
function bestAuc(auc: Float64Array): { best: number; bestClass: number } {
  let best = NaN;
  let bestClass = -1;
  for (let c = 0; c < auc.length; c++) {
    const a = auc[c]!;
    if (Number.isNaN(a)) continue;
    const s = Math.max(a, 1 - a);
    if (!(s <= best)) {
      best = s;
      bestClass = c;
    }
  }
  return { best, bestClass };
}

function overfitNote(measure: string, outOfFold: number): string {
  return `not flagged: out of fold the ${measure} is ${outOfFold.toFixed(4)}; the in-sample score comes from rare categories that only match their own rows`;
}

/** Score one feature against the target. */
function score(
  feature: Column,
  task: Task,
  target: { classes?: Int32Array; k?: number; labels?: string[]; y?: Float64Array },
  threshold: number,
): Pick<LeakageResult, "measure" | "score" | "rows" | "note" | "outOfFoldScore"> {
  const codesOf = (c: Column): { codes: Int32Array; n: number } | undefined => {
    if (c.kind === "categorical") return { codes: c.codes, n: c.dictionary.length };
    if (c.kind === "text") {
      const e = encodeText(c.values);
      return { codes: e.classes, n: e.labels.length };
    }
    return undefined;
  };
  if (task === "regression") {
    const y = target.y!;
    if (feature.kind === "numeric") {
      const { r, rows } = pearson(feature.values, y);
      return Number.isNaN(r)
        ? {
            measure: "abs_pearson",
            score: null,
            rows,
            note: "not scored: the feature or the target is constant (or < 2 rows)",
          }
        : { measure: "abs_pearson", score: Math.abs(r), rows };
    }
    const { codes, n } = codesOf(feature)!;
    const { eta, rows } = correlationRatio(codes, n, y);
    if (Number.isNaN(eta))
      return {
        measure: "correlation_ratio",
        score: null,
        rows,
        note: "not scored: the target is constant (or < 2 rows)",
      };
    if (eta < threshold) return { measure: "correlation_ratio", score: eta, rows };
    const oof = categoricalOutOfFoldEta(codes, n, y);
    const outOfFoldScore = Number.isNaN(oof) ? 0 : oof;
    return {
      measure: "correlation_ratio",
      score: eta,
      rows,
      outOfFoldScore,
      ...(outOfFoldScore < threshold ? { note: overfitNote("η", outOfFoldScore) } : {}),
    };
  }
  const classes = target.classes!;
  const k = target.k!;
  const coded = feature.kind === "numeric" ? undefined : codesOf(feature)!;
  const r =
    feature.kind === "numeric"
      ? oneVsRestAuc(feature.values, classes, k)
      : categoricalOneVsRestAuc(coded!.codes, coded!.n, classes, k);
  const { best, bestClass } = bestAuc(r.auc);
  if (Number.isNaN(best))
    return {
      measure: "roc_auc",
      score: null,
      rows: r.rows,
      note: "not scored: fewer than two classes among rows where the feature is present",
    };
  const notes: string[] = [];
  if (k > 2) notes.push(`largest one-vs-rest AUC: class ${JSON.stringify(target.labels![bestClass])}`);
  let outOfFoldScore: number | undefined;
  if (coded !== undefined && best >= threshold) {
    const oof = bestAuc(categoricalOutOfFoldAuc(coded.codes, coded.n, classes, k)).best;
    outOfFoldScore = Number.isNaN(oof) ? 0.5 : oof;
    if (outOfFoldScore < threshold) notes.push(overfitNote("AUC", outOfFoldScore));
  }
  return {
    measure: "roc_auc",
    score: best,
    rows: r.rows,
    ...(outOfFoldScore === undefined ? {} : { outOfFoldScore }),
    ...(notes.length === 0 ? {} : { note: notes.join("; ") }),
  };
}

const MEASURE_NAMES = {
  roc_auc: "ROC AUC",
  abs_pearson: "|Pearson r|",
  correlation_ratio: "correlation ratio η",
} as const;

/**
 * The id-like check for every feature column, and — when leakage is not off — the leakage
 * score and check for every feature column that is not id-like.
 */
export function checkFeatures(
  frame: Frame,
  options: Partial<LeakageOptions> & { features: readonly string[]; config: ValidationConfig["leakage"] },
): {
  outcomes: Outcome[];
  leakage: LeakageResult[];
} {
  const outcomes: Outcome[] = [];
  const leakage: LeakageResult[] = [];
  const { config, features } = options;
  const targetColumn = options.target === undefined ? undefined : frame.get(options.target);
  const scoring = config.level !== "off" && targetColumn !== undefined;
  const task = scoring ? (options.task ?? guessTask(targetColumn)) : undefined;
  let encoded: { classes?: Int32Array; k?: number; labels?: string[]; y?: Float64Array } = {};
  let skipAll: string | undefined;
  if (scoring && task === "classification") {
    const { classes, labels } = encodeClasses(targetColumn);
    encoded = { classes, k: labels.length, labels };
    if (labels.length > MAX_CLASSES)
      skipAll = `not scored: the target has ${count(labels.length)} classes (more than ${MAX_CLASSES})`;
  } else if (scoring) encoded = { y: numericView(targetColumn, "number") };

  for (const name of features) {
    const c = frame.get(name);
    if (c === undefined || name === options.target) continue;
    const why = idLikeReason(c);
    outcomes.push({
      result: {
        check: "id_like",
        column: name,
        level: "warn",
        passed: why === undefined,
        failingRows: 0,
        fraction: 0,
        message:
          why === undefined
            ? `"${name}" does not look like an identifier`
            : `"${name}" looks like an identifier (${why}), yet it is used as a feature: a model memorises such a column instead of learning; set role: id (or ignore) in the schema`,
        examples: [],
      },
    });
    if (!scoring) continue;
    const level = config.level as "error" | "warn";
    if (why !== undefined || skipAll !== undefined) {
      leakage.push({
        column: name,
        kind: c.kind,
        measure: null,
        score: null,
        rows: 0,
        flagged: false,
        idLike: why !== undefined,
        note: skipAll ?? "not scored: looks like an identifier (see the id_like check)",
      });
      continue;
    }
    const s = score(c, task!, encoded, config.threshold);
    const flagged =
      s.score !== null && s.score >= config.threshold && (s.outOfFoldScore ?? s.score) >= config.threshold;
    leakage.push({ column: name, kind: c.kind, ...s, flagged, idLike: false });
    if (s.score === null || s.measure === null) continue;
    const shown = Number(s.score.toFixed(4));
    outcomes.push({
      result: {
        check: "leakage",
        column: name,
        level,
        passed: !flagged,
        failingRows: 0,
        fraction: 0,
        threshold: config.threshold,
        observed: s.score,
        message: flagged
          ? `"${name}" alone predicts "${options.target}" almost perfectly (${MEASURE_NAMES[s.measure]} ${shown} ≥ ${config.threshold}): it is probably the target under another name or computed from it; drop it from the features (role: ignore), or raise validation.leakage.threshold if it is truly known at prediction time`
          : s.score >= config.threshold
            ? `"${name}": in-sample ${MEASURE_NAMES[s.measure]} ${shown} with "${options.target}" reaches ${config.threshold}, but out of fold it is ${Number((s.outOfFoldScore ?? 0).toFixed(4))}: rare categories that only match their own rows, not leakage`
            : `"${name}": ${MEASURE_NAMES[s.measure]} ${shown} with "${options.target}", below ${config.threshold}`,
        examples: [],
      },
    });
  }
  return { outcomes, leakage };
}
