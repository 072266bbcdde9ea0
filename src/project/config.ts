/**
 * Parsing `sluice.yaml` into a typed, defaulted {@link ProjectConfig}. Every mistake is reported
 * at once, each with its path, its line, what was expected and what was found.
 */
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import type { z } from "zod";
import { SluiceError } from "../errors.js";
import { didYouMean, describeValue } from "../util/text.js";
import { defaultSelectMetric, isMetricName, metricsFor, type MetricName, type Task } from "./metric-names.js";
import {
  MODEL_KINDS,
  ModelParams,
  ProjectFile,
  RawSearchDimension,
  SearchConfig,
  type ModelKind,
  type ModelParamsByKind,
  type ProjectFileOutput,
  type RegistryConfig,
  type SearchDimension,
} from "./schema.js";
import { convertIssues, formatPath, type ConfigIssue } from "./zod-issues.js";

/** A search section with its space normalised. */
export type ResolvedSearch = Omit<z.output<typeof SearchConfig>, "space"> & {
  space: Record<string, SearchDimension>;
};

/** One model candidate, with its parameters checked and defaulted for its kind. */
export type ModelConfig = {
  [K in ModelKind]: { name: string; kind: K; params: ModelParamsByKind[K]; search?: ResolvedSearch };
}[ModelKind];

/** The parsed project file: every default filled in, every cross-reference that needs no data checked. */
export type ProjectConfig = Omit<ProjectFileOutput, "models" | "select" | "registry"> & {
  /** Candidates in file order; when the file names none, the defaults for the task. */
  models: ModelConfig[];
  select: MetricName;
  registry: RegistryConfig;
};

/** A located problem in a project file. */
export interface LocatedIssue extends ConfigIssue {
  /** 1-based line in the file, when known. */
  line?: number;
  column?: number;
}

/** The error for an invalid project file: every issue, located. */
export class ConfigError extends SluiceError {
  readonly issues: LocatedIssue[];
  readonly file: string;

  constructor(file: string, issues: LocatedIssue[]) {
    const lines = issues.map((i) => `  ${formatIssue(file, i)}`);
    super(
      "E_CONFIG",
      `${file}: ${issues.length} problem${issues.length === 1 ? "" : "s"}:\n${lines.join("\n")}`,
      {
        details: { file, issues },
        hint: "fix the lines above; `sluice --help` and README.md list every key of the project file",
      },
    );
    this.issues = issues;
    this.file = file;
  }
}

/** `sluice.yaml:12: models.gbdt.params.num_leaves: expected integer ≥ 2, got "many"` */
export function formatIssue(file: string, issue: LocatedIssue): string {
  const where = issue.line === undefined ? file : `${file}:${issue.line}`;
  return issue.path.length === 0
    ? `${where}: ${issue.message}`
    : `${where}: ${formatPath(issue.path)}: ${issue.message}`;
}

const DEFAULT_MODELS: Record<Task, { name: string; kind: ModelKind }[]> = {
  classification: [
    { name: "logistic", kind: "logistic_regression" },
    { name: "gbdt", kind: "gradient_boosting" },
  ],
  regression: [
    { name: "ridge", kind: "ridge" },
    { name: "gbdt", kind: "gradient_boosting" },
  ],
};

/** The schema of each parameter of a model kind. */
function paramShape(kind: ModelKind): Readonly<Record<string, z.ZodType>> {
  return (ModelParams[kind] as unknown as { shape: Record<string, z.ZodType> }).shape;
}

/** Parameter kinds: used to decide whether a search range is int or float. */
function paramIsInt(kind: ModelKind, param: string): boolean | undefined {
  const probe = paramShape(kind)[param];
  if (probe === undefined) return undefined;
  // An int parameter refuses 1.5; a float one accepts it.
  return !probe.safeParse(1.5).success && probe.safeParse(2).success;
}

/**
 * Other names for the metrics, keyed by {@link metricKey}: scikit-learn scorer names, common
 * abbreviations and spelled-out forms, so `select: roc` or `select: mse` gets a suggestion that
 * edit distance alone would not find.
 */
const METRIC_ALIASES: Readonly<Record<string, MetricName>> = {
  roc: "roc_auc",
  auc: "roc_auc",
  auroc: "roc_auc",
  aucroc: "roc_auc",
  pr: "pr_auc",
  ap: "pr_auc",
  auprc: "pr_auc",
  aucpr: "pr_auc",
  averageprecision: "pr_auc",
  acc: "accuracy",
  balancedacc: "balanced_accuracy",
  bacc: "balanced_accuracy",
  prec: "precision",
  sensitivity: "recall",
  tpr: "recall",
  f: "f1",
  fmeasure: "f1",
  crossentropy: "log_loss",
  logistic: "log_loss",
  mse: "rmse",
  meansquarederror: "rmse",
  rootmeansquarederror: "rmse",
  meanabsoluteerror: "mae",
  rsquared: "r2",
  coefficientofdetermination: "r2",
  meanabsolutepercentageerror: "mape",
};

/** A metric name reduced for comparison: `ROC-AUC`, `roc_auc_score` and `neg_roc_auc` → `rocauc`. */
function metricKey(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "")
    .replace(/^neg(?=.)/, "")
    .replace(/(?<=.)score$/, "");
}

/**
 * The likely intended metric(s) among `allowed` for an unknown `name`, as a "did you mean"
 * suffix: the same name written differently, a known other name, a metric that `name` is part
 * of (`roc` → `roc_auc`, `auc` → `roc_auc` or `pr_auc`), else the nearest by edit distance.
 */
export function suggestMetric(name: string, allowed: readonly MetricName[]): string {
  const key = metricKey(name);
  const quoted = (ms: readonly string[]): string =>
    ` (did you mean ${ms.map((m) => `"${m}"`).join(" or ")}?)`;
  const same = allowed.find((m) => metricKey(m) === key);
  if (same !== undefined) return quoted([same]);
  const alias = METRIC_ALIASES[key];
  const parts =
    key.length < 2
      ? []
      : allowed.filter((m) => m.split("_").includes(key) || (key.length >= 3 && m.startsWith(key)));
  // An alias and the metrics the name is a part of, without repeats ("auc": roc_auc, then pr_auc).
  const guesses = [
    ...new Set([...(alias !== undefined && allowed.includes(alias) ? [alias] : []), ...parts]),
  ];
  if (guesses.length > 0) return quoted(guesses.slice(0, 3));
  return didYouMean(name, allowed);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Checks that need more than one key: model parameters per kind, search spaces, metric names
 * against the task. They run on the raw document so that their issues are reported together
 * with the schema's, not after the schema's are fixed.
 */
function crossChecks(raw: unknown): { issues: ConfigIssue[]; models: Map<string, ModelConfig> } {
  const issues: ConfigIssue[] = [];
  const models = new Map<string, ModelConfig>();
  if (!isRecord(raw)) return { issues, models };
  const data = isRecord(raw.data) ? raw.data : {};
  const task: Task | undefined =
    data.task === "classification" || data.task === "regression" ? data.task : undefined;

  const checkMetric = (name: string, path: (string | number)[]): void => {
    if (!isMetricName(name)) {
      // Without a valid task (reported on its own), suggest among every metric.
      const all =
        task === undefined
          ? [...metricsFor("classification"), ...metricsFor("regression")]
          : metricsFor(task);
      issues.push({
        path,
        code: "invalid_value",
        message: `unknown metric "${name}"${suggestMetric(name, all)}; ${task === undefined ? "the" : task} metrics are: ${all.join(", ")}`,
      });
    } else if (task !== undefined && !metricsFor(task).includes(name)) {
      issues.push({
        path,
        code: "invalid_value",
        message: `metric "${name}" does not apply to ${task}; ${task} metrics are: ${metricsFor(task).join(", ")}`,
      });
    }
  };

  if (typeof raw.select === "string") checkMetric(raw.select, ["select"]);
  if (isRecord(raw.gates)) {
    for (const section of ["minimum", "max_drop_vs_production"] as const) {
      const g = raw.gates[section];
      if (isRecord(g)) for (const m of Object.keys(g)) checkMetric(m, ["gates", section, m]);
    }
  }

  if (isRecord(raw.models)) {
    for (const [name, entry] of Object.entries(raw.models)) {
      if (!isRecord(entry) || typeof entry.kind !== "string") continue;
      const kind = entry.kind as ModelKind;
      if (!(MODEL_KINDS as readonly string[]).includes(kind)) continue; // the schema reports it
      if (task === "regression" && kind === "logistic_regression")
        issues.push({
          path: ["models", name, "kind"],
          code: "invalid_value",
          message: `logistic_regression is for classification; this project's task is regression (use ridge)`,
        });
      if (task === "classification" && kind === "ridge")
        issues.push({
          path: ["models", name, "kind"],
          code: "invalid_value",
          message: `ridge is for regression; this project's task is classification (use logistic_regression)`,
        });
      const paramSchema = ModelParams[kind];
      const parsed = paramSchema.safeParse(entry.params ?? {}, { reportInput: true });
      if (!parsed.success)
        for (const i of convertIssues(paramSchema, parsed.error.issues))
          issues.push({ ...i, path: ["models", name, "params", ...i.path] });

      let search: ResolvedSearch | undefined;
      if (isRecord(entry.search) && isRecord(entry.search.space)) {
        const space: Record<string, SearchDimension> = {};
        const shape = paramShape(kind);
        const known = Object.keys(shape);
        for (const [param, dimRaw] of Object.entries(entry.search.space)) {
          const path = ["models", name, "search", "space", param];
          const isInt = paramIsInt(kind, param);
          if (isInt === undefined) {
            issues.push({
              path,
              code: "unknown_key",
              message: `"${param}" is not a parameter of ${kind}${didYouMean(param, known)}; its parameters are: ${known.join(", ")}`,
            });
            continue;
          }
          const d = RawSearchDimension.safeParse(dimRaw);
          if (!d.success) continue; // reported by the schema pass
          const v = d.data;
          if ("choices" in v) {
            v.choices.forEach((choice, ci) => {
              const c = shape[param]!.safeParse(choice, { reportInput: true });
              if (!c.success)
                for (const i of convertIssues(shape[param]!, c.error.issues))
                  issues.push({ ...i, path: [...path, "choices", ci] });
            });
            space[param] = { type: "categorical", choices: v.choices };
            continue;
          }
          const [low, high, log] = Array.isArray(v) ? [v[0], v[1], v.length === 3] : [v.low, v.high, v.log];
          if (!(low < high)) {
            issues.push({ path, code: "custom", message: `expected low < high, got [${low}, ${high}]` });
            continue;
          }
          if (log && !(low > 0)) {
            issues.push({ path, code: "custom", message: `a log range needs low > 0, got ${low}` });
            continue;
          }
          if (isInt && (!Number.isInteger(low) || !Number.isInteger(high))) {
            issues.push({
              path,
              code: "custom",
              message: `${param} is an integer parameter; expected integer bounds, got [${low}, ${high}]`,
            });
            continue;
          }
          for (const [bound, value] of [
            ["low", low],
            ["high", high],
          ] as const) {
            const c = shape[param]!.safeParse(value, { reportInput: true });
            if (!c.success)
              for (const i of convertIssues(shape[param]!, c.error.issues))
                issues.push({ ...i, path, message: `${bound} bound: ${i.message}` });
          }
          space[param] = { type: isInt ? "int" : "float", low, high, log };
        }
        const s = SearchConfig.safeParse(entry.search);
        if (s.success) search = { ...s.data, space };
      }
      if (parsed.success) {
        models.set(name, {
          name,
          kind,
          params: parsed.data,
          ...(search === undefined ? {} : { search }),
        } as ModelConfig);
      }
    }
  }

  // A column given role target in the schema must be data.target.
  if (isRecord(raw.schema) && typeof data.target === "string") {
    for (const [col, rule] of Object.entries(raw.schema)) {
      if (isRecord(rule) && rule.role === "target" && col !== data.target)
        issues.push({
          path: ["schema", col, "role"],
          code: "invalid_value",
          message: `"${col}" has role target, but data.target is "${data.target}"; a project has one target`,
        });
    }
    const targetRule = raw.schema[data.target];
    if (isRecord(targetRule) && (targetRule.role === "id" || targetRule.role === "ignore"))
      issues.push({
        path: ["schema", data.target, "role"],
        code: "invalid_value",
        message: `the target "${data.target}" cannot have role ${describeValue(targetRule.role)}`,
      });
  }
  return { issues, models };
}

interface Located {
  doc: Document.Parsed;
  lines: LineCounter;
}

function locate(src: Located, path: readonly (string | number)[]): { line?: number; column?: number } {
  // Walk down as far as the path exists; report the deepest node found.
  for (let n = path.length; n >= 0; n--) {
    const node = src.doc.getIn(path.slice(0, n), true) as Node | undefined;
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range !== undefined) {
      const pos = src.lines.linePos(range[0]);
      return { line: pos.line, column: pos.col };
    }
    if (n > 0) {
      // A key that exists with an empty value has no node; find the key itself.
      const parent = src.doc.getIn(path.slice(0, n - 1), true) as Node | undefined;
      if (parent !== undefined && isMap(parent)) {
        const pair = parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === path[n - 1]);
        const keyRange = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
        if (keyRange !== undefined) {
          const pos = src.lines.linePos(keyRange[0]);
          return { line: pos.line, column: pos.col };
        }
      } else if (parent !== undefined && isSeq(parent)) {
        continue;
      }
    }
  }
  return {};
}

/**
 * Parse and check the text of a project file.
 *
 * @param text the YAML text
 * @param file the name used in messages (`sluice.yaml` or a path)
 * @throws ConfigError listing every problem, each with its path and line
 * @example
 * const config = parseProjectConfig(readFileSync("sluice.yaml", "utf8"), "sluice.yaml");
 * config.models[0].kind; // "logistic_regression"
 */
export function parseProjectConfig(text: string, file = "sluice.yaml"): ProjectConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues: LocatedIssue[] = doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      return {
        path: [],
        code: "invalid_format",
        message: `not valid YAML: ${e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}`,
        ...(pos === undefined ? {} : { line: pos.line, column: pos.col }),
      };
    });
    throw new ConfigError(file, issues);
  }
  const raw: unknown = doc.toJS({ maxAliasCount: 100 });
  if (raw === null || raw === undefined) {
    throw new ConfigError(file, [
      { path: [], code: "invalid_type", message: "the file is empty; `sluice init` writes a first version" },
    ]);
  }
  const parsed = ProjectFile.safeParse(raw, { reportInput: true });
  const schemaIssues = parsed.success ? [] : convertIssues(ProjectFile, parsed.error.issues);
  const cross = crossChecks(raw);
  const all = [...schemaIssues, ...cross.issues];
  if (all.length > 0 || !parsed.success) {
    const src = { doc, lines };
    const located = all.map((i) => ({ ...i, ...locate(src, i.path) }));
    located.sort(
      (a, b) => (a.line ?? 0) - (b.line ?? 0) || formatPath(a.path).localeCompare(formatPath(b.path)),
    );
    throw new ConfigError(file, located);
  }
  const out = parsed.data;
  const task = out.data.task;
  const models: ModelConfig[] =
    Object.keys(out.models).length === 0
      ? DEFAULT_MODELS[task].map(
          ({ name, kind }) => ({ name, kind, params: ModelParams[kind].parse({}) }) as ModelConfig,
        )
      : Object.keys(out.models).map((name) => cross.models.get(name)!);
  return {
    ...out,
    models,
    select: (out.select as MetricName | undefined) ?? defaultSelectMetric(task),
    registry: out.registry ?? { model: out.name, on_pass: "staging" },
  };
}

/** Like {@link parseProjectConfig}, but returns the issues instead of throwing. */
export function safeParseProjectConfig(
  text: string,
  file = "sluice.yaml",
): { success: true; config: ProjectConfig } | { success: false; issues: LocatedIssue[] } {
  try {
    return { success: true, config: parseProjectConfig(text, file) };
  } catch (err) {
    if (err instanceof ConfigError) return { success: false, issues: err.issues };
    throw err;
  }
}
