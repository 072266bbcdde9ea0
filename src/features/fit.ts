/**
 * `fitFeatures`: learn every feature step from a training frame, and return the fitted state
 * as plain JSON. Derived values are computed with the same plan and kernel that serving uses,
 * and the near-constant and selection decisions are taken on the very matrix `transform` gives.
 */
import { compareCodePoints, type Frame } from "../data/frame.js";
import { SluiceError } from "../errors.js";
import type { DatasetSchema, FeatureSpec } from "../project/schema.js";
import { chooseColumns, missingColumn } from "./columns.js";
import { categoryCounts, fitBinary, fitBinned, fitNumeric } from "./fit-steps.js";
import {
  formatHeader,
  type FittedFeatures,
  type FittedFormula,
  type FittedInput,
  type FittedOutput,
} from "./fitted.js";
import { compileFormula, type FormulaColumn } from "./formula/index.js";
import { runBatch } from "./load.js";
import { buildPlan } from "./plan.js";
import { classIndices, fClassif, fRegression, topIndices } from "./select.js";
import { topShare } from "./stats.js";
import { freezeDeep } from "./freeze.js";
import { fitVocabulary, minCountOf } from "./vocabulary.js";

/** What fitting needs to know besides the spec and the frame. */
export interface FitContext {
  /** The target column: never a feature, never readable by formulas. */
  target: string;
  task: "classification" | "regression";
  /** Roles id / ignore / target are never features; types tell numeric vs categorical intent. */
  schema?: DatasetSchema;
  /** Target values per frame row, for `select`: numbers (regression) or class codes (classification; negative or NaN = unknown). */
  y?: Float64Array | Int32Array;
  /** More columns to leave out (e.g. a weight column). */
  exclude?: readonly string[];
}

/** The name under which a categorical feature's unseen and rare categories are one-hot encoded. */
export const OTHER_CATEGORY = "__other__";

/**
 * Fit feature engineering on training rows.
 *
 * @throws SluiceError E_COLUMN_NOT_FOUND (a named column is not in the frame, with the key
 *   path and a "did you mean"), E_COLUMN_TYPE, E_FORMULA, E_CONFIG (names that clash, no
 *   feature left), E_TARGET (`select` without target values).
 * @example
 * const fitted = fitFeatures(project.config.features, train, { target: "churn", task: "classification", schema: project.config.schema });
 * const X = transform(fitted, train);
 * writeFileSync("features.json", JSON.stringify(fitted));
 */
export function fitFeatures(spec: FeatureSpec, frame: Frame, context: FitContext): FittedFeatures {
  const n = frame.nRows;
  if (n === 0)
    throw new SluiceError("E_DATA_UNREADABLE", "cannot fit features on 0 rows", {
      hint: "check the data file and the split settings",
    });
  const choice = chooseColumns(spec, frame, context);

  // Names of new features must not clash with data columns or with each other.
  const featureNames = new Map<string, string>();
  const claim = (path: string, name: string): void => {
    if (frame.has(name))
      throw new SluiceError("E_CONFIG", `${path}: "${name}" is already a column of the data`, {
        hint: `give the feature another name, e.g. ${name}_2`,
      });
    const other = featureNames.get(name);
    if (other !== undefined)
      throw new SluiceError("E_CONFIG", `${path}: the name "${name}" is also used by ${other}`, {
        hint: "give each feature its own name",
      });
    featureNames.set(name, path);
  };

  // Formulas: derived first, then binary; each sees the inputs and the formulas before it.
  const env = new Map<string, FormulaColumn>(choice.env);
  const formulas: FittedFormula[] = [];
  for (const kind of ["derived", "binary"] as const) {
    for (const [name, source] of Object.entries(spec[kind])) {
      const where = `features.${kind}.${name}`;
      claim(where, name);
      const compiled = compileFormula(source, env, { where });
      env.set(name, { kind: "numeric", dtype: "float" });
      formulas.push({ name, kind, source, columns: [...compiled.columns], missing: 0 });
    }
  }
  const formulaNames = new Set(formulas.map((f) => f.name));

  for (const [name, b] of Object.entries(spec.binned)) {
    const path = `features.binned.${name}`;
    claim(path, name);
    const col = env.get(b.column);
    if (col === undefined) throw missingColumn(`${path}.column`, b.column, [...env.keys()]);
    if (col.kind !== "numeric")
      throw new SluiceError(
        "E_COLUMN_TYPE",
        `${path}.column: column "${b.column}" holds categories; only numbers can be binned`,
        {
          details: { column: b.column },
          hint: "bin a numeric column, or encode this one under features.categorical",
        },
      );
  }

  // Inputs: every raw column a record must carry, in frame order.
  const usedBy = new Map<string, string[]>();
  const use = (column: string, by: string): void => {
    if (formulaNames.has(column)) return;
    let list = usedBy.get(column);
    if (list === undefined) usedBy.set(column, (list = []));
    if (!list.includes(by)) list.push(by);
  };
  for (const c of choice.numeric) use(c, "numeric");
  for (const c of choice.categorical) use(c, "categorical");
  for (const f of formulas) for (const c of f.columns) use(c, `${f.kind}.${f.name}`);
  for (const [name, b] of Object.entries(spec.binned)) use(b.column, `binned.${name}`);
  const countsOf = new Map<string, ReturnType<typeof categoryCounts>>();
  const inputs: FittedInput[] = [];
  for (const col of frame.columns) {
    const by = usedBy.get(col.name);
    if (by === undefined) continue;
    const kind = env.get(col.name)!;
    if (kind.kind === "categorical") {
      const counts = categoryCounts(col);
      countsOf.set(col.name, counts);
      inputs.push({
        name: col.name,
        kind: "categorical",
        dtype: col.kind === "numeric" ? col.dtype : "string",
        categories: [...counts.counts.keys()].sort(compareCodePoints),
        missing: counts.missing,
        usedBy: by,
      });
    } else {
      const values = (col as { values: Float64Array }).values;
      let missing = 0;
      for (let i = 0; i < n; i++) if (!Number.isFinite(values[i]!)) missing++;
      inputs.push({ name: col.name, kind: "numeric", dtype: kind.dtype ?? "float", missing, usedBy: by });
    }
  }

  // Compute formula values on the training rows with the serving plan.
  const skeleton: FittedFeatures = {
    ...formatHeader(),
    target: context.target,
    task: context.task,
    trainingRows: n,
    inputs,
    formulas,
    numeric: { impute: spec.numeric.impute, scale: spec.numeric.scale, features: [] },
    binary: [],
    binned: [],
    categorical: {
      impute: spec.categorical.impute,
      encode: spec.categorical.encode,
      maxCategories: spec.categorical.max_categories,
      minCount: minCountOf(spec.categorical.min_frequency, n),
      features: [],
    },
    nearConstant: { threshold: spec.drop_near_constant, dropped: [] },
    selection: null,
    outputs: [],
  };
  const values = captureValues(skeleton, frame);
  for (const f of formulas) f.missing = countMissing(values.get(f.name)!);

  // Fit each step.
  const numeric = [
    ...choice.numeric.map((name) => fitNumeric(name, "input", values.get(name)!, spec.numeric)),
    ...formulas
      .filter((f) => f.kind === "derived")
      .map((f) => fitNumeric(f.name, "derived", values.get(f.name)!, spec.numeric)),
  ];
  const binary = formulas
    .filter((f) => f.kind === "binary")
    .map((f) => fitBinary(f.name, values.get(f.name)!));
  const binned = Object.entries(spec.binned).map(([name, b]) => fitBinned(name, b, values.get(b.column)!));
  const vocabulary = {
    impute: spec.categorical.impute,
    fillValue: spec.categorical.fill_value,
    maxCategories: spec.categorical.max_categories,
    minCount: skeleton.categorical.minCount,
  };
  const categorical = choice.categorical.map((name) => {
    const { counts, missing } = countsOf.get(name)!;
    return fitVocabulary(name, counts, missing, vocabulary);
  });

  // Candidate outputs, in matrix order.
  const candidates: FittedOutput[] = [];
  for (const f of numeric) candidates.push({ name: f.name, kind: "numeric", feature: f.name });
  for (const f of numeric)
    if (f.indicator) candidates.push({ name: `${f.name}_missing`, kind: "indicator", feature: f.name });
  for (const f of binary) candidates.push({ name: f.name, kind: "binary", feature: f.name });
  for (const b of binned) {
    if (b.encode === "ordinal") candidates.push({ name: b.name, kind: "bin_index", feature: b.name });
    else
      b.labels.forEach((label, bin) =>
        candidates.push({ name: `${b.name}=${label}`, kind: "bin", feature: b.name, bin }),
      );
  }
  for (const c of categorical) {
    if (spec.categorical.encode === "ordinal") {
      candidates.push({ name: c.name, kind: "category_code", feature: c.name });
      continue;
    }
    const values = c.kept.map((k) => k.value).sort(compareCodePoints);
    for (const category of values)
      candidates.push({ name: `${c.name}=${category}`, kind: "category", feature: c.name, category });
    if (c.other !== null)
      candidates.push({ name: `${c.name}=${OTHER_CATEGORY}`, kind: "category_other", feature: c.name });
  }
  const byName = new Map<string, FittedOutput>();
  for (const o of candidates) {
    const clash = byName.get(o.name);
    if (clash !== undefined)
      throw new SluiceError(
        "E_CONFIG",
        `features: two output columns are both called "${o.name}" (from ${describeOutput(clash)} and ${describeOutput(o)})`,
        {
          hint: "rename the derived, binary or binned feature, or the data column",
        },
      );
    byName.set(o.name, o);
  }

  const full: FittedFeatures = {
    ...skeleton,
    numeric: { ...skeleton.numeric, features: numeric },
    binary,
    binned,
    categorical: { ...skeleton.categorical, features: categorical },
    outputs: candidates,
  };
  const matrix = new Float64Array(n * candidates.length);
  runBatch(buildPlan(full), frame, matrix);
  const column = (j: number): Float64Array => matrix.subarray(j * n, (j + 1) * n);

  // Drop near-constant outputs.
  const threshold = spec.drop_near_constant;
  const dropped: FittedFeatures["nearConstant"]["dropped"] = [];
  let kept: number[] = [];
  candidates.forEach((o, j) => {
    const share = topShare(column(j), threshold);
    if (share >= threshold) dropped.push({ output: o, topShare: share });
    else kept.push(j);
  });
  if (kept.length === 0)
    throw new SluiceError(
      "E_CONFIG",
      `features: every one of the ${candidates.length} output columns is constant${threshold < 1 ? ` or near-constant (≥ ${threshold} of rows share one value)` : ""} on the ${n} training rows`,
      {
        details: { outputs: candidates.map((o) => o.name) },
        hint:
          threshold < 1
            ? "raise features.drop_near_constant, or check the training data"
            : "check the training data: it needs varying feature values",
      },
    );

  // Select the most informative outputs.
  let selection: FittedFeatures["selection"] = null;
  if (spec.select !== undefined) {
    const y = context.y;
    if (y === undefined || y.length !== n)
      throw new SluiceError(
        "E_TARGET",
        `features.select needs the target values of the ${n} training rows${y === undefined ? "" : `, got ${y.length}`}`,
        {
          hint: "pass context.y with one target value per training row",
        },
      );
    let score: (x: Float64Array) => number;
    if (context.task === "classification") {
      const { cls, nClasses } = classIndices(y);
      score = (x) => fClassif(x, cls, nClasses);
    } else {
      const yf = y instanceof Float64Array ? y : Float64Array.from(y);
      score = (x) => fRegression(x, yf);
    }
    const scores = kept.map((j) => score(column(j)));
    const top = topIndices(scores, spec.select.top);
    const chosen = new Set(top);
    selection = {
      method: "f_test",
      top: spec.select.top,
      scores: kept.map((j, k) => ({
        name: candidates[j]!.name,
        f: Number.isFinite(scores[k]!) ? scores[k]! : null,
        selected: chosen.has(k),
      })),
    };
    kept = top.map((k) => kept[k]!);
  }

  return freezeDeep({
    ...full,
    nearConstant: { threshold, dropped },
    selection,
    outputs: kept.map((j) => candidates[j]!),
  });
}

function describeOutput(o: FittedOutput): string {
  switch (o.kind) {
    case "numeric":
      return `the numeric feature "${o.feature}"`;
    case "indicator":
      return `the missing indicator of "${o.feature}"`;
    case "binary":
      return `the binary feature "${o.feature}"`;
    case "bin_index":
    case "bin":
      return `the binned feature "${o.feature}"`;
    default:
      return `the categorical feature "${o.feature}"`;
  }
}

function countMissing(values: Float64Array): number {
  let k = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== values[i]) k++;
  return k;
}

/** The training values of every numeric input and formula, as the serving kernel computes them. */
function captureValues(skeleton: FittedFeatures, frame: Frame): Map<string, Float64Array> {
  const plan = buildPlan(skeleton);
  const names: string[] = [];
  const slots: number[] = [];
  for (const input of plan.inputs)
    if (input.kind === "numeric") {
      names.push(input.name);
      slots.push(input.slot);
    }
  skeleton.formulas.forEach((f, k) => {
    names.push(f.name);
    slots.push(plan.formulaSlot[k]!);
  });
  const into = names.map(() => new Float64Array(frame.nRows));
  runBatch(plan, frame, new Float64Array(0), { slots, into });
  return new Map(names.map((name, k) => [name, into[k]!]));
}
