/**
 * `sluice check`: what can be known to be wrong before any training, from the file's header and
 * its target column alone. The header ties the project file to the data (every named column
 * exists, every formula compiles against the columns it can read, bins read numbers); the
 * target column, read on its own, must hold at least two classes (or numbers for regression),
 * and the folds of `cv:` must be possible on it.
 */
import {
  Frame,
  categoricalFromStrings,
  isMissing,
  numericColumn,
  textColumn,
  type Column,
  type NumericDType,
} from "../data/frame.js";
import type { FileHeader } from "../data/read.js";
import { readFrame } from "../data/read.js";
import { typeClass } from "../data/read-plan.js";
import { encodeTarget, type EncodedTarget } from "../data/target.js";
import { SluiceError, type ErrorCode } from "../errors.js";
import { chooseColumns } from "../features/columns.js";
import type { Expr, FormulaColumn } from "../features/formula/index.js";
import { compileFormula } from "../features/formula/index.js";
import { FormulaSyntaxError, formulaError } from "../features/formula/errors.js";
import { parse } from "../features/formula/parser.js";
import type { Project } from "../project/project.js";
import { didYouMean } from "../util/text.js";
import { silentProgress, withStep, type Progress } from "../util/progress.js";
import { readProjectHeader } from "./data.js";
import { checkFolds } from "./folds.js";

/** What {@link checkProject} found (when it found nothing wrong). */
export interface ProjectCheck {
  header: FileHeader;
  /** Formulas compiled against the header (derived and binary features). */
  formulas: number;
  target: {
    column: string;
    task: "classification" | "regression";
    /** Rows read, and how many of them have no target (they are quarantined or refused by the run). */
    rows: number;
    missing: number;
    /** Classification: every class with its row count, in class order. */
    classes?: { name: string; rows: number }[];
  };
}

/** Options for {@link checkProject}. */
export interface CheckProjectOptions {
  progress?: Progress;
  /** Read the target column and check it (default true); false checks the header only. */
  readTarget?: boolean;
}

/** One mistake found, with the code of the error it would be on its own. */
interface Problem {
  code: ErrorCode;
  message: string;
}

/** How many uncertain columns one formula may read before its kinds are not all tried. */
const MAX_UNCERTAIN = 6;

/**
 * Check a project against its data without training: the header (columns named by the
 * project file, formulas, bins) and the target column.
 *
 * @throws SluiceError E_COLUMN_NOT_FOUND (a column the file lacks), E_FORMULA (a formula naming a
 *   column it cannot read, or that does not parse or type-check; every one at once), E_CONFIG,
 *   E_COLUMN_TYPE, E_TARGET (no values, one class, not numbers for regression), E_SPLIT (folds the
 *   target's classes cannot fill), and the read errors of the file
 * @example
 * const { target } = await checkProject(loadProject("churn"));
 * target.classes; // [{ name: "0", rows: 3750 }, { name: "1", rows: 1250 }]
 */
export async function checkProject(
  project: Project,
  options: CheckProjectOptions = {},
): Promise<ProjectCheck> {
  const progress = options.progress ?? silentProgress;
  const header = await withStep(
    progress,
    "read the header",
    () => readProjectHeader(project),
    (h) => `${h.columns.length} columns`,
  );
  const formulas = checkFeaturesAgainstHeader(project, header);
  const { data } = project.config;
  if (options.readTarget === false)
    return { header, formulas, target: { column: data.target, task: data.task, rows: 0, missing: 0 } };
  const target = await withStep(
    progress,
    `read the target column "${data.target}"`,
    () => checkTarget(project),
    (t) => `${t.rows.toLocaleString("en-US")} rows`,
  );
  return { header, formulas, target };
}

/** A header column's frame kind, as reading will decide it; undefined when only the data can tell. */
function headerKind(
  sourceType: string,
  format: FileHeader["format"],
  rule: Project["config"]["schema"][string] | undefined,
): { kind: "numeric"; dtype: NumericDType } | { kind: "categorical" | "text" } | undefined {
  if (rule !== undefined) {
    if (rule.type === "category") return { kind: "categorical" };
    if (rule.type === "string") return { kind: "text" };
    return { kind: "numeric", dtype: rule.type === "number" ? "float" : rule.type };
  }
  const cls = typeClass(sourceType);
  if (cls === "integer") return { kind: "numeric", dtype: "integer" };
  if (cls === "float") return { kind: "numeric", dtype: "float" };
  if (cls === "datetime") return { kind: "numeric", dtype: "datetime" };
  // A CSV's sniffed BOOLEAN may hold Yes/No, which stay categories; Parquet's is a boolean.
  if (cls === "boolean" && format === "parquet") return { kind: "numeric", dtype: "boolean" };
  // Text: numbers (≥ 95% numbers), categories or free text, decided by the values.
  return undefined;
}

/** Every column of the header as an empty frame column of the kind it will have (uncertain ones: numeric). */
function emptyFrame(project: Project, header: FileHeader): { frame: Frame; uncertain: Set<string> } {
  const { schema } = project.config;
  const uncertain = new Set<string>();
  const columns: Column[] = header.columns.map((c) => {
    const kind = headerKind(
      c.sourceType,
      header.format,
      Object.hasOwn(schema, c.name) ? schema[c.name] : undefined,
    );
    if (kind === undefined) uncertain.add(c.name);
    if (kind === undefined || kind.kind === "numeric")
      return numericColumn(c.name, new Float64Array(0), kind?.dtype ?? "float");
    return kind.kind === "categorical" ? categoricalFromStrings(c.name, []) : textColumn(c.name, []);
  });
  return { frame: new Frame(columns, 0), uncertain };
}

/** The column references of a formula, in source order. */
function columnRefs(e: Expr, out: { name: string; start: number; end: number }[] = []): typeof out {
  switch (e.type) {
    case "column":
      out.push({ name: e.name, start: e.start, end: e.end });
      break;
    case "unary":
    case "in":
      columnRefs(e.operand, out);
      break;
    case "binary":
      columnRefs(e.left, out);
      columnRefs(e.right, out);
      break;
    case "call":
      for (const a of e.args) columnRefs(a, out);
      break;
    default:
      break;
  }
  return out;
}

/** Why a column of the file cannot be read by formulas, or undefined when it can. */
function unreadableReason(project: Project, name: string): string | undefined {
  const { data, schema } = project.config;
  if (name === data.target) return "it is the target, which formulas cannot read";
  if (name === data.weight) return "it is the weight column (data.weight), which formulas cannot read";
  const role = Object.hasOwn(schema, name) ? schema[name]!.role : undefined;
  if (role === "id" || role === "ignore" || role === "target")
    return `its schema role is ${role}, and formulas read only features`;
  if (Object.hasOwn(schema, name) && schema[name]!.type === "string")
    return "its schema type is string (free text), and formulas read numbers and categories; give it type: category to compare it with strings";
  return undefined;
}

/**
 * Compile every formula against the columns it can read, as fitting will, and check the bins'
 * columns and the new features' names. Returns how many formulas compiled.
 *
 * A text column without a schema rule may turn out numeric or categorical; a formula reading
 * such columns passes when some choice of their kinds type-checks.
 *
 * @throws SluiceError with every problem found
 */
export function checkFeaturesAgainstHeader(project: Project, header: FileHeader): number {
  const { config } = project;
  const spec = config.features;
  const problems: Problem[] = [];
  const { frame, uncertain } = emptyFrame(project, header);
  let env: Map<string, FormulaColumn>;
  try {
    env = new Map(
      chooseColumns(spec, frame, {
        target: config.data.target,
        schema: config.schema,
        ...(config.data.weight === undefined ? {} : { exclude: [config.data.weight] }),
      }).env,
    );
  } catch (err) {
    if (!(err instanceof SluiceError)) throw err;
    problems.push({ code: err.code, message: err.message });
    env = new Map();
  }
  // What formulas can read besides earlier formulas: for the hint.
  const readable = [...env.keys()];
  const explicit = new Set([...(spec.numeric.columns ?? []), ...(spec.categorical.columns ?? [])]);
  const headerNames = header.columns.map((c) => c.name);
  const present = new Set(headerNames);
  const named = new Map<string, string>();
  const claim = (path: string, name: string): void => {
    if (present.has(name))
      problems.push({
        code: "E_CONFIG",
        message: `${path}: "${name}" is already a column of the data; give the feature another name`,
      });
    else if (named.has(name))
      problems.push({
        code: "E_CONFIG",
        message: `${path}: the name "${name}" is also used by ${named.get(name)!}`,
      });
    named.set(name, path);
  };

  let compiled = 0;
  for (const kind of ["derived", "binary"] as const) {
    for (const [name, source] of Object.entries(spec[kind])) {
      const where = `features.${kind}.${name}`;
      claim(where, name);
      const found = checkFormula(project, where, source, env, uncertain, explicit, headerNames);
      if (found.length === 0) compiled++;
      problems.push(...found);
      env.set(name, { kind: "numeric", dtype: "float" });
    }
  }

  for (const [name, b] of Object.entries(spec.binned)) {
    const path = `features.binned.${name}`;
    claim(path, name);
    const col = env.get(b.column);
    if (col === undefined) {
      const why = present.has(b.column) ? unreadableReason(project, b.column) : undefined;
      problems.push({
        code: "E_COLUMN_NOT_FOUND",
        message: `${path}.column: ${
          why === undefined
            ? `column "${b.column}" is not in ${header.path}${didYouMean(b.column, [...env.keys()])}`
            : `column "${b.column}" cannot be binned: ${why}`
        }`,
      });
    } else if (col.kind === "categorical" && !uncertain.has(b.column))
      problems.push({
        code: "E_COLUMN_TYPE",
        message: `${path}.column: column "${b.column}" holds categories; only numbers can be binned`,
      });
  }

  if (problems.length > 0) {
    const first = problems[0]!;
    throw new SluiceError(
      first.code,
      problems.length === 1
        ? first.message
        : `${problems.length} problems in features:\n${problems.map((p) => `  ${p.message.replaceAll("\n", "\n  ")}`).join("\n")}`,
      {
        details: { problems },
        hint: `fix the names in ${project.file}; formulas can read the columns ${readable.slice(0, 20).join(", ")}${readable.length > 20 ? ", …" : ""} and the formulas above them`,
      },
    );
  }
  return compiled;
}

/** One formula: parse, every column it names, then types (trying the kinds of uncertain columns). */
function checkFormula(
  project: Project,
  where: string,
  source: string,
  env: ReadonlyMap<string, FormulaColumn>,
  uncertain: ReadonlySet<string>,
  explicit: ReadonlySet<string>,
  headerNames: readonly string[],
): Problem[] {
  let ast: Expr;
  try {
    ast = parse(source);
  } catch (err) {
    if (err instanceof FormulaSyntaxError)
      return [{ code: "E_FORMULA", message: formulaError(where, source, err).message }];
    throw err;
  }
  const refs = columnRefs(ast);
  // Every column the formula cannot read, each once, with a caret under its first use.
  const seen = new Set<string>();
  const unknown: Problem[] = [];
  for (const r of refs) {
    if (env.has(r.name) || seen.has(r.name)) continue;
    seen.add(r.name);
    const why = headerNames.includes(r.name) ? unreadableReason(project, r.name) : undefined;
    const problem =
      why === undefined
        ? `unknown column "${r.name}"${didYouMean(r.name, [...env.keys()])}`
        : `column "${r.name}" cannot be used: ${why}`;
    unknown.push({
      code: "E_FORMULA",
      message: formulaError(where, source, new FormulaSyntaxError(problem, r.start, r.end)).message,
    });
  }
  if (unknown.length > 0) return unknown;
  // Types: uncertain columns (text without a rule) may be read as numbers or categories.
  const open = [...new Set(refs.map((r) => r.name))].filter((n) => uncertain.has(n) && !explicit.has(n));
  let firstError: SluiceError | undefined;
  const tries = open.length > MAX_UNCERTAIN ? 1 : 2 ** open.length;
  for (let mask = 0; mask < tries; mask++) {
    const trial = new Map(env);
    open.forEach((n, i) => {
      if ((mask >> i) & 1) trial.set(n, { kind: "categorical" });
    });
    try {
      compileFormula(source, trial, { where });
      return [];
    } catch (err) {
      if (!(err instanceof SluiceError) || err.code !== "E_FORMULA") throw err;
      firstError ??= err;
    }
  }
  // With too many uncertain columns to try them all, only a sure mistake is reported.
  if (open.length > MAX_UNCERTAIN) return [];
  return [{ code: "E_FORMULA", message: firstError!.message }];
}

/** Read the target column alone and check that it can be learned, and folded as `cv:` asks. */
async function checkTarget(project: Project): Promise<ProjectCheck["target"]> {
  const { data, schema, split } = project.config;
  const rule = Object.hasOwn(schema, data.target) ? schema[data.target] : undefined;
  const frame = await readFrame(project.dataPath, {
    columns: [data.target],
    seed: split.seed,
    ...(rule === undefined ? {} : { schema: { [data.target]: rule } }),
    ...(data.format === undefined ? {} : { format: data.format }),
    ...(data.delimiter === undefined ? {} : { delimiter: data.delimiter }),
    ...(data.header === undefined ? {} : { header: data.header }),
    ...(data.sample_rows === undefined ? {} : { sampleRows: data.sample_rows }),
  });
  const c = frame.column(data.target);
  const keep: number[] = [];
  for (let i = 0; i < frame.nRows; i++) if (!isMissing(c, i)) keep.push(i);
  const options = data.positive === undefined ? {} : { positive: data.positive };
  // No values at all: encoding every row says so; otherwise rows without a target are the
  // validation's business (quarantine), and the rest must be learnable.
  const encoded: EncodedTarget =
    keep.length === 0
      ? encodeTarget(frame, data.target, data.task, options)
      : encodeTarget(frame.take(Int32Array.from(keep)), data.target, data.task, options);
  checkFolds(project, frame.take(Int32Array.from(keep)));
  return {
    column: data.target,
    task: data.task,
    rows: frame.nRows,
    missing: frame.nRows - keep.length,
    ...(encoded.task === "classification"
      ? { classes: encoded.classes.map((name, i) => ({ name, rows: encoded.counts[i]! })) }
      : {}),
  };
}
