/**
 * `sluice init`: a working project for any CSV or Parquet file. It reads the file, infers a
 * schema (types, id columns, allowed values, null shares), picks the task when it is not
 * given, and writes a commented `sluice.yaml` whose every line a person can read and change.
 */
import { existsSync, statSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { stringify } from "yaml";
import { readFrame } from "../data/read.js";
import { splitRows } from "../data/split.js";
import { encodeTarget, type EncodedTarget } from "../data/target.js";
import { columnNotFound, isMissing, type Frame } from "../data/frame.js";
import { SluiceError } from "../errors.js";
import { parseProjectConfig } from "../project/config.js";
import type { ColumnRule, DatasetSchema } from "../project/schema.js";
import type { Task } from "../project/metric-names.js";
import { PROJECT_FILE } from "../project/project.js";
import { writeFileAtomicSync } from "../util/fs.js";
import { silentProgress, withStep, type Progress } from "../util/progress.js";
import { count, listing } from "../util/text.js";
import { inferSchema } from "../validate/index.js";
import { foldLimit } from "./folds.js";

export interface InitOptions {
  /** The project folder to create (or fill). */
  dir: string;
  /** The CSV or Parquet file with the training data. */
  data: string;
  /** The column to predict. */
  target: string;
  /** classification or regression; inferred from the target when absent. */
  task?: Task;
  /** Project name; by default the folder's name. */
  name?: string;
  /** Overwrite an existing sluice.yaml. */
  force?: boolean;
  progress?: Progress;
}

export interface InitResult {
  projectFile: string;
  task: Task;
  /** The inferred schema written to the file. */
  schema: DatasetSchema;
  /** Columns with role id (never features). */
  idColumns: string[];
  rowsRead: number;
  /** Rows read for inference when the file was sampled. */
  sampled: boolean;
  /** The cross-validation written: as many folds as the data allows, up to 5. */
  cv: CvChoice;
}

/** The `cv:` a project gets, and why when it has fewer folds than usual. */
export interface CvChoice {
  folds: number;
  /** Stratified folds (classification). */
  stratify: boolean;
  /** Why there are fewer folds than {@link DEFAULT_FOLDS}, for the comment above `cv:`. */
  reason?: string;
}

/** The split every written project starts with. */
const SPLIT = { test: 0.2, validation: 0.1, seed: 42 } as const;
/** The folds a project gets when its data allows them. */
export const DEFAULT_FOLDS = 5;
/**
 * A class needs a row in each of the three parts of the split, and then 2 rows in train +
 * validation for 2 folds; a stratified split of 3 rows gives 1 to test and 2 to train + validation.
 */
const MIN_CLASS_ROWS = 3;

/** Files larger than this are sampled for inference. */
const SAMPLE_ABOVE_BYTES = 256 * 1024 * 1024;
const INFERENCE_SAMPLE_ROWS = 200_000;

/**
 * Infer the task from the target column: text or category → classification; numbers with at
 * most 10 distinct integer values → classification; other numbers → regression.
 */
export function inferTask(frame: Frame, target: string): Task {
  const c = frame.column(target);
  if (c.kind !== "numeric") return "classification";
  const distinct = new Set<number>();
  for (const v of c.values) {
    if (Number.isNaN(v)) continue;
    if (!Number.isInteger(v)) return "regression";
    distinct.add(v);
    if (distinct.size > 10) return "regression";
  }
  return "classification";
}

function projectName(dir: string): string {
  const base = basename(resolve(dir))
    .replace(/[^A-Za-z0-9_.-]+/g, "_")
    .replace(/^[^A-Za-z0-9]+/, "");
  return base === "" ? "project" : base;
}

/** A YAML key: bare when safe, quoted otherwise. */
function key(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name) && !/^(true|false|null|yes|no|on|off|y|n)$/i.test(name)
    ? name
    : JSON.stringify(name);
}

/** One schema rule as a one-line flow mapping, keys in a fixed readable order. */
function ruleLine(rule: ColumnRule): string {
  const order: (keyof ColumnRule)[] = [
    "type",
    "role",
    "nullable",
    "unique",
    "min",
    "max",
    "values",
    "pattern",
    "max_null_fraction",
    "mostly",
    "severity",
    "format",
  ];
  const defaults: Partial<Record<keyof ColumnRule, unknown>> = {
    role: "feature",
    nullable: true,
    unique: false,
    severity: "error",
  };
  const parts: string[] = [];
  for (const k of order) {
    const v = rule[k];
    if (v === undefined || v === defaults[k]) continue;
    parts.push(`${k}: ${stringify(v, { collectionStyle: "flow", lineWidth: 0 }).trim()}`);
  }
  return `{ ${parts.join(", ")} }`;
}

/** A schema as YAML lines under `schema:`, one aligned flow mapping per column. */
export function schemaYamlLines(schema: DatasetSchema): string[] {
  const width = Math.max(...Object.keys(schema).map((k) => key(k).length), 4);
  return Object.entries(schema).map(
    ([col, rule]) => `  ${`${key(col)}:`.padEnd(width + 2)}${ruleLine(rule)}`,
  );
}

/** The text of a commented sluice.yaml. */
export function renderProjectYaml(options: {
  name: string;
  dataPath: string;
  target: string;
  task: Task;
  positive?: string;
  schema: DatasetSchema;
  source: string;
  /** Quarantine failing rows instead of stopping (set when the target has missing values). */
  quarantine?: boolean;
  /** Cross-validation; default {@link DEFAULT_FOLDS} folds, stratified for classification. */
  cv?: CvChoice;
}): string {
  const { name, dataPath, target, task, positive, schema, source } = options;
  const quarantineLine =
    options.quarantine === true
      ? "  quarantine: quarantine.csv                   # rows failing checks (e.g. no target) go here; the rest go on"
      : "  # quarantine: quarantine.csv                 # set to keep going without rows that fail checks";
  const schemaLines = schemaYamlLines(schema);
  const classification = task === "classification";
  return `# Sluice project, written by \`sluice init\` from ${source}.
# Every key is explained in the project-file reference (README.md); change anything.
name: ${key(name)}
data:
  path: ${JSON.stringify(dataPath)}
  target: ${key(target)}
  task: ${task}${positive === undefined ? "" : `\n  positive: ${JSON.stringify(positive)}   # the class whose probability is predicted`}

# Inferred from the data: types, id columns (never used as features), allowed values and
# missing shares. Tighten it with ranges (min/max) and patterns you know to be true.
schema:
${schemaLines.join("\n")}

validation:
  duplicate_rows: warn
  leakage: { threshold: 0.98, level: error }   # a feature that alone predicts the target
${quarantineLine}

features:
  numeric: { impute: median, scale: standard }
  categorical: { impute: most_frequent, encode: onehot, max_categories: 30 }
  # derived:
  #   ratio: "a / (b + 1)"                     # formulas over columns (see README: formulas)

split: { test: ${SPLIT.test}, validation: ${SPLIT.validation}, stratify: ${classification ? "true" : "false"}, seed: ${SPLIT.seed} }

models:
${classification ? "  logistic: { kind: logistic_regression }" : "  ridge:    { kind: ridge }"}
  forest:   { kind: random_forest, params: ${
    classification
      ? "{ trees: 100, min_samples_leaf: 5 } }   # leaves of 5+ rows: steadier probabilities than full-depth trees"
      : "{ trees: 100 } }"
  }
  gbdt:     { kind: gradient_boosting, params: { trees: 200, learning_rate: 0.05, num_leaves: 31 } }

${cvLines(options.cv ?? { folds: DEFAULT_FOLDS, stratify: classification })}
select: ${classification ? "roc_auc" : "rmse"}

gates:
  # minimum: { ${classification ? "roc_auc: 0.75" : "r2: 0.5"} }   # uncomment once you know what good looks like
  # max_drop_vs_production: { ${classification ? "roc_auc" : "r2"}: 0.01 }   # once a version is in production
  latency_p99_ms: 10            # one record, features + model
  determinism: true
  round_trip: true

registry: { model: ${key(name)}, on_pass: staging }
`;
}

/** The `cv:` line, after a comment saying why when the folds are fewer than usual. */
function cvLines(cv: CvChoice): string {
  const line = `cv: { folds: ${cv.folds}${cv.stratify ? ", stratify: true" : ""} }`;
  if (cv.reason === undefined) return line;
  const words = `${cv.folds} folds, not ${DEFAULT_FOLDS}: ${cv.reason}`.split(" ");
  // Wrapped at about 96 columns, as the rest of the file.
  const lines: string[] = [];
  let current = "#";
  for (const w of words) {
    if (current.length + 1 + w.length > 96) {
      lines.push(current);
      current = "#";
    }
    current += ` ${w}`;
  }
  lines.push(current);
  return `${lines.join("\n")}\n${line}`;
}

/**
 * As many folds as the data allows, up to {@link DEFAULT_FOLDS}: the rows are split as the
 * written project will split them, and the rarest class's count in train + validation (the
 * rows cross-validation folds) bounds stratified folds.
 *
 * @param sampled the counts come from a sample of the file (they are then lower bounds)
 * @throws SluiceError E_TARGET naming every class too rare to split and fold, with the fix
 */
export function chooseCv(target: EncodedTarget, sampled = false): CvChoice {
  const inRows = sampled ? " in the sample read" : "";
  const stratify = target.task === "classification";
  if (target.task === "classification") {
    const rare = target.classes
      .map((name, c) => ({ name, rows: target.counts[c]! }))
      .filter((r) => r.rows < MIN_CLASS_ROWS);
    if (rare.length > 0) {
      const named = rare.map((r) => `"${r.name}" (${count(r.rows)} row${r.rows === 1 ? "" : "s"})`);
      const one = rare.length === 1;
      throw new SluiceError(
        "E_TARGET",
        `target "${target.column}": class${one ? "" : "es"} ${listing(named)} ${one ? "has" : "have"} fewer than ${MIN_CLASS_ROWS} rows${inRows}; ` +
          `a class needs a row in each of training, validation and test, and 2 in train + validation for cross-validation`,
        {
          details: { column: target.column, rare, minRows: MIN_CLASS_ROWS },
          hint: `merge ${one ? "that class" : "those classes"} into a similar class (or a shared "other"), or drop ${one ? "its" : "their"} rows from the data, then run sluice init again`,
        },
      );
    }
  }
  const n = target.y.length;
  const split = splitRows(n, {
    ...SPLIT,
    ...(target.task === "classification" ? { stratify: target.y, classNames: target.classes } : {}),
  });
  const limit = foldLimit(target, split, stratify);
  if (limit.max >= DEFAULT_FOLDS) return { folds: DEFAULT_FOLDS, stratify };
  const reason =
    limit.rarest !== undefined
      ? `class "${limit.rarest.name}" has only ${count(limit.rarest.rows)} rows in train + validation${inRows} (the rows cross-validation folds), and stratified folds need every class in each fold. Merge or drop rare classes to allow more folds.`
      : `train + validation hold only ${count(limit.rows)} rows${inRows}.`;
  return { folds: limit.max, stratify, reason };
}

/**
 * Write a project for `options.data` into `options.dir`.
 *
 * @throws SluiceError E_EXISTS when the folder has a sluice.yaml (unless force), E_COLUMN_NOT_FOUND
 *   for an unknown target, E_TARGET when the target cannot be learned (one class, no values, a
 *   class too rare to split and cross-validate).
 * @example
 * await initProject({ dir: "churn", data: "customers.csv", target: "churned" });
 */
export async function initProject(options: InitOptions): Promise<InitResult> {
  const progress = options.progress ?? silentProgress;
  const dir = resolve(options.dir);
  const dataPath = resolve(options.data);
  const projectFile = join(dir, PROJECT_FILE);
  if (existsSync(projectFile) && options.force !== true)
    throw new SluiceError("E_EXISTS", `${projectFile} already exists`, {
      details: { path: projectFile },
      hint: "pass --force to overwrite it, or choose another folder",
    });
  if (existsSync(dir) && !statSync(dir).isDirectory())
    throw new SluiceError("E_EXISTS", `${dir} exists and is not a folder`, { details: { path: dir } });

  const size = existsSync(dataPath) ? statSync(dataPath).size : 0;
  const sampled = size > SAMPLE_ABOVE_BYTES;
  const frame = await withStep(
    progress,
    `read ${options.data}${sampled ? ` (a sample of ${INFERENCE_SAMPLE_ROWS.toLocaleString("en-US")} rows)` : ""}`,
    () => readFrame(dataPath, sampled ? { sampleRows: INFERENCE_SAMPLE_ROWS } : {}),
    (f) => `${f.nRows.toLocaleString("en-US")} rows, ${f.nColumns} columns`,
  );
  if (!frame.has(options.target)) throw columnNotFound(options.target, frame.names, dataPath);

  const task = options.task ?? inferTask(frame, options.target);
  const encoded = encodeTarget(frame.take(nonMissingRows(frame, options.target)), options.target, task);
  const cv = chooseCv(encoded, sampled);
  const positive =
    encoded.task === "classification" && encoded.classes.length === 2
      ? encoded.classes[encoded.positive]
      : undefined;

  const schema = await withStep(progress, "infer schema", () =>
    inferSchema(frame, { target: options.target }),
  );
  // Rows without a target cannot be learned from: the schema says so, and such rows are
  // quarantined rather than stopping every run.
  const targetMissing = frame.nRows - nonMissingRows(frame, options.target).length;
  const targetRule = schema[options.target];
  if (targetRule !== undefined) {
    targetRule.nullable = false;
    delete targetRule.max_null_fraction;
    delete targetRule.mostly;
  }
  const name = options.name ?? projectName(dir);
  let relData = relative(dir, dataPath);
  if (relData === "") relData = basename(dataPath);
  const text = renderProjectYaml({
    name,
    dataPath: relData.split("\\").join("/"),
    target: options.target,
    task,
    ...(positive === undefined ? {} : { positive }),
    schema,
    source: basename(dataPath),
    quarantine: targetMissing > 0,
    cv,
  });
  // What we write must be a valid project: parse it before it lands on disk.
  parseProjectConfig(text, projectFile);
  writeFileAtomicSync(projectFile, text);
  return {
    projectFile,
    task,
    schema,
    idColumns: Object.entries(schema)
      .filter(([, r]) => r.role === "id")
      .map(([c]) => c),
    rowsRead: frame.nRows,
    sampled,
    cv,
  };
}

function nonMissingRows(frame: Frame, column: string): Int32Array {
  const c = frame.column(column);
  const keep: number[] = [];
  for (let i = 0; i < frame.nRows; i++) if (!isMissing(c, i)) keep.push(i);
  return Int32Array.from(keep);
}
