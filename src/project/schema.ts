/**
 * The project file, `sluice.yaml`, as zod schemas. The schemas are the types: everything else
 * in Sluice reads the parsed, defaulted objects these produce.
 *
 * Keys are snake_case, as in the file. Every object is strict: an unknown key is an error with
 * a "did you mean".
 */
import { z } from "zod";
import { expect } from "./zod-issues.js";
import { parseDuration } from "./duration.js";

// ---------------------------------------------------------------------------------------------
// Building blocks

const num = () => expect(z.number().refine(Number.isFinite), "a number");
const int = (min: number) => expect(z.number().int().min(min), `integer ≥ ${min}`);
const positive = () => expect(z.number().gt(0).refine(Number.isFinite), "number > 0");
const nonNegative = () => expect(z.number().min(0).refine(Number.isFinite), "number ≥ 0");
const fraction = () => expect(z.number().gt(0).max(1), "number in (0, 1]");
const probability = () => expect(z.number().min(0).max(1), "number in [0, 1]");
const text = () => expect(z.string().min(1), "a non-empty text");
const bool = () => expect(z.boolean(), "true or false");
const enumOf = <const T extends readonly [string, ...string[]]>(values: T) =>
  expect(z.enum(values), `one of ${values.join(", ")}`);

/** A name usable in formulas and as an output column: letters, digits and `_`, not starting with a digit. */
export const IDENTIFIER_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const identifier = () =>
  expect(z.string().regex(IDENTIFIER_RE), "a name of letters, digits and _ that does not start with a digit");

/** A duration such as `30s`, `15m`, `24h`; parsed to milliseconds. */
export const Duration = expect(
  z
    .string()
    .refine((s) => parseDuration(s) !== undefined)
    .transform((s) => parseDuration(s)!),
  "a duration such as 30s, 15m, 24h or 7d",
);

const increasingNumbers = expect(
  z.array(num()).superRefine((edges, ctx) => {
    if (edges.length < 2) {
      ctx.addIssue({
        code: "custom",
        message: `expected at least 2 increasing numbers, got [${edges.join(", ")}]`,
      });
      return;
    }
    for (let i = 1; i < edges.length; i++)
      if (!(edges[i]! > edges[i - 1]!)) {
        ctx.addIssue({ code: "custom", message: `expected increasing numbers, got [${edges.join(", ")}]` });
        return;
      }
  }),
  "a list of increasing numbers",
);

// ---------------------------------------------------------------------------------------------
// data:

export const DataConfig = z.strictObject({
  /** CSV or Parquet file, relative to the project folder. */
  path: text(),
  /** The column to predict. */
  target: text(),
  task: enumOf(["classification", "regression"] as const),
  /** The positive class of a binary target (compared as text). Defaults to the minority class. */
  positive: expect(
    z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v)),
    "a class label",
  ).optional(),
  /** File format; by default from the file extension. */
  format: enumOf(["csv", "parquet"] as const).optional(),
  /** CSV field delimiter; sniffed when absent. */
  delimiter: expect(z.string().min(1).max(2), "a one-character delimiter such as , ; | or \\t").optional(),
  /** Whether the CSV has a header line; sniffed when absent. */
  header: bool().optional(),
  /** Read a uniform random sample of this many rows instead of the whole file (files larger than memory). */
  sample_rows: int(1).optional(),
  /** A column of per-row sample weights. */
  weight: text().optional(),
});
export type DataConfig = z.output<typeof DataConfig>;

// ---------------------------------------------------------------------------------------------
// schema: (the dataset schema: one rule per column)

export const COLUMN_TYPES = ["string", "integer", "number", "category", "boolean", "datetime"] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];
export const COLUMN_ROLES = ["feature", "id", "target", "ignore"] as const;
export type ColumnRole = (typeof COLUMN_ROLES)[number];
export const SEVERITIES = ["error", "warn"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ColumnRule = z
  .strictObject({
    type: enumOf(COLUMN_TYPES),
    /** `feature` (default), `id` (identifies a row; never a feature), `target`, `ignore` (not read as a feature). */
    role: enumOf(COLUMN_ROLES).default("feature"),
    /** false: a missing value is a failure. */
    nullable: bool().default(true),
    /** true: a repeated value is a failure. */
    unique: bool().default(false),
    min: num().optional(),
    max: num().optional(),
    /** The allowed values (categories, or allowed numbers). */
    values: expect(
      z.array(z.union([z.string(), z.number(), z.boolean()]).transform(String)).min(1),
      "a list of allowed values",
    ).optional(),
    /** A regular expression every non-missing value must match (whole value). */
    pattern: expect(
      z.string().refine((p) => {
        try {
          new RegExp(p, "u");
          return true;
        } catch {
          return false;
        }
      }),
      "a valid regular expression",
    ).optional(),
    /** The largest allowed share of missing values. */
    max_null_fraction: probability().optional(),
    /** Row-level checks of this column pass when at least this share of rows passes (Great Expectations' `mostly`). */
    mostly: fraction().optional(),
    /** How a failure of this column's checks counts: `error` stops the pipeline, `warn` is reported. */
    severity: enumOf(SEVERITIES).default("error"),
    /** Datetime format (strftime, e.g. `%d/%m/%Y %H:%M`) when the text is not ISO 8601. */
    format: text().optional(),
    description: z.string().optional(),
  })
  .superRefine((rule, ctx) => {
    if (rule.min !== undefined && rule.max !== undefined && rule.min > rule.max)
      ctx.addIssue({
        code: "custom",
        path: ["max"],
        message: `expected max ≥ min (${rule.min}), got ${rule.max}`,
      });
    if (
      (rule.min !== undefined || rule.max !== undefined) &&
      !["integer", "number", "datetime"].includes(rule.type)
    )
      ctx.addIssue({
        code: "custom",
        path: [rule.min !== undefined ? "min" : "max"],
        message: `min/max apply to integer, number and datetime columns, not ${rule.type}`,
      });
  });
export type ColumnRule = z.output<typeof ColumnRule>;
export type DatasetSchema = Record<string, ColumnRule>;

// ---------------------------------------------------------------------------------------------
// validation: (file-level checks)

const CheckLevel = enumOf(["error", "warn", "off"] as const);
export type CheckLevel = z.output<typeof CheckLevel>;

export const ValidationConfig = z.strictObject({
  /** Bounds on the number of rows. */
  rows: z.strictObject({ min: int(0).optional(), max: int(0).optional() }).optional(),
  /** Fully repeated rows. */
  duplicate_rows: CheckLevel.default("warn"),
  /** Columns in the file that the schema does not name (only when a schema is given). */
  unexpected_columns: CheckLevel.default("warn"),
  /** A feature that alone predicts the target almost perfectly. */
  leakage: z
    .strictObject({
      /** Single-feature ROC AUC (classification) or |correlation| (regression) at or above which a feature is flagged. */
      threshold: probability().default(0.98),
      level: CheckLevel.default("error"),
    })
    .prefault({}),
  /** Where `sluice validate`/`sluice run` write quarantined rows (relative to the project). */
  quarantine: text().optional(),
});
export type ValidationConfig = z.output<typeof ValidationConfig>;

// ---------------------------------------------------------------------------------------------
// features:

export const BinnedFeature = z
  .strictObject({
    /** The numeric column to bin. */
    column: text(),
    /** Bin edges: [18, 30, 45] gives bins [18, 30), [30, 45]. Values outside go to the first/last bin. */
    edges: increasingNumbers.optional(),
    /** Or: the number of bins to learn from the training data. */
    bins: int(2).optional(),
    /** How learned bins are placed. */
    strategy: enumOf(["quantile", "uniform"] as const).default("quantile"),
    /** `ordinal`: the bin index as one number; `onehot`: one 0/1 column per bin. */
    encode: enumOf(["ordinal", "onehot"] as const).default("ordinal"),
  })
  .superRefine((b, ctx) => {
    if ((b.edges === undefined) === (b.bins === undefined))
      ctx.addIssue({ code: "custom", message: "expected exactly one of edges or bins" });
  });
export type BinnedFeature = z.output<typeof BinnedFeature>;

export const NumericFeatures = z.strictObject({
  impute: enumOf(["mean", "median", "most_frequent", "constant"] as const).default("median"),
  /** The value for `impute: constant`. */
  fill_value: num().default(0),
  scale: enumOf(["standard", "minmax", "robust", "none"] as const).default("standard"),
  /** Add a 0/1 `<column>_missing` output for every numeric column that had missing values in training. */
  missing_indicator: bool().default(false),
  /** Only these columns (default: every numeric feature column). */
  columns: z.array(text()).optional(),
  /** Leave these columns out. */
  exclude: z.array(text()).default([]),
});
export type NumericFeatures = z.output<typeof NumericFeatures>;

export const CategoricalFeatures = z.strictObject({
  impute: enumOf(["most_frequent", "constant"] as const).default("most_frequent"),
  /** The category for `impute: constant`. */
  fill_value: text().default("missing"),
  encode: enumOf(["onehot", "ordinal"] as const).default("onehot"),
  /** Keep at most this many categories per column (the most frequent); the rest, and unseen ones, go to "other". */
  max_categories: int(1).default(30),
  /** Categories rarer than this (a count ≥ 1, or a share < 1) go to "other". */
  min_frequency: positive().optional(),
  columns: z.array(text()).optional(),
  exclude: z.array(text()).default([]),
});
export type CategoricalFeatures = z.output<typeof CategoricalFeatures>;

export const FeatureSelection = z.strictObject({
  /** Keep the `top` output columns by univariate importance (ANOVA F for classification, F-regression for regression). */
  top: int(1),
  method: enumOf(["f_test"] as const).default("f_test"),
});

export const FeatureSpec = z.strictObject({
  /** New numeric columns from formulas over the input columns: `charges_per_month: "total / (tenure + 1)"`. */
  derived: z.record(identifier(), text()).default({}),
  /** New 0/1 columns from conditions: `is_high_value: "monthly_charges > 80"`. */
  binary: z.record(identifier(), text()).default({}),
  /** Numeric columns cut into bins. */
  binned: z.record(identifier(), BinnedFeature).default({}),
  numeric: NumericFeatures.prefault({}),
  categorical: CategoricalFeatures.prefault({}),
  /** Input columns never used as features (besides id, ignore and target columns). */
  drop: z.array(text()).default([]),
  /** Drop output columns whose most frequent value covers at least this share of training rows (1 = only constant columns). */
  drop_near_constant: fraction().default(1),
  /** Optional selection of the most informative output columns. */
  select: FeatureSelection.optional(),
});
export type FeatureSpec = z.output<typeof FeatureSpec>;

// ---------------------------------------------------------------------------------------------
// split:, cv:

export const SplitConfig = z
  .strictObject({
    test: expect(z.number().gt(0).lt(1), "a share in (0, 1)").default(0.2),
    validation: expect(z.number().min(0).lt(1), "a share in [0, 1)").default(0.1),
    /** Keep class shares equal across parts (classification only). */
    stratify: bool().default(true),
    seed: int(0).default(42),
  })
  .superRefine((s, ctx) => {
    if (s.test < 1 && s.validation < 1 && s.test + s.validation >= 0.9)
      ctx.addIssue({
        code: "custom",
        path: ["validation"],
        message: `expected test + validation < 0.9 so that training keeps at least 10% of rows, got ${s.test} + ${s.validation}`,
      });
  });
export type SplitConfig = z.output<typeof SplitConfig>;

export const CvConfig = z.strictObject({
  folds: int(2).default(5),
  stratify: bool().default(true),
});
export type CvConfig = z.output<typeof CvConfig>;

// ---------------------------------------------------------------------------------------------
// models:

export const MODEL_KINDS = ["logistic_regression", "ridge", "random_forest", "gradient_boosting"] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

const classWeight = enumOf(["none", "balanced"] as const).default("none");
const threads = expect(z.number().int().min(0), "integer ≥ 0 (0 = all cores)").default(0);

/** Hyper-parameters of each model kind, with their defaults. */
export const ModelParams = {
  logistic_regression: z.strictObject({
    /** Inverse L2/L1 regularisation strength, as in scikit-learn. */
    C: positive().default(1),
    penalty: enumOf(["l2", "l1", "none"] as const).default("l2"),
    max_iter: int(1).default(200),
    tol: positive().default(1e-6),
    class_weight: classWeight,
    fit_intercept: bool().default(true),
    solver: enumOf(["lbfgs", "newton"] as const).default("lbfgs"),
  }),
  ridge: z.strictObject({
    /** L2 regularisation strength. */
    alpha: nonNegative().default(1),
    fit_intercept: bool().default(true),
  }),
  random_forest: z.strictObject({
    trees: int(1).default(100),
    /** null: grow until leaves are pure or too small. */
    max_depth: int(1).nullable().default(null),
    min_samples_leaf: int(1).default(1),
    min_samples_split: int(2).default(2),
    /** Features tried per split: sqrt, log2, all, a share in (0, 1], or auto (sqrt for classification, all for regression). */
    max_features: expect(
      z.union([z.enum(["auto", "sqrt", "log2", "all"]), z.number().gt(0).max(1)]),
      "one of auto, sqrt, log2, all, or a share in (0, 1]",
    ).default("auto"),
    bootstrap: bool().default(true),
    /** Share of rows drawn for each tree's bootstrap sample. */
    max_samples: fraction().default(1),
    max_bins: expect(z.number().int().min(2).max(255), "integer in [2, 255]").default(255),
    class_weight: classWeight,
    oob_score: bool().default(false),
    threads,
  }),
  gradient_boosting: z.strictObject({
    trees: int(1).default(100),
    learning_rate: expect(z.number().gt(0).max(10), "number in (0, 10]").default(0.1),
    num_leaves: int(2).default(31),
    /** null: no depth limit (growth is bounded by num_leaves). */
    max_depth: int(1).nullable().default(null),
    min_data_in_leaf: int(1).default(20),
    min_sum_hessian: nonNegative().default(1e-3),
    lambda_l2: nonNegative().default(0),
    min_gain_to_split: nonNegative().default(0),
    feature_fraction: fraction().default(1),
    bagging_fraction: fraction().default(1),
    max_bins: expect(z.number().int().min(2).max(255), "integer in [2, 255]").default(255),
    /** Stop when the validation score has not improved for this many trees (needs a validation split). */
    early_stopping_rounds: int(1).nullable().default(null),
    /** Weight of positive rows (binary classification). */
    scale_pos_weight: positive().default(1),
    class_weight: classWeight,
    threads,
  }),
} as const satisfies Record<ModelKind, z.ZodType>;

export type LogisticRegressionParams = z.output<(typeof ModelParams)["logistic_regression"]>;
export type RidgeParams = z.output<(typeof ModelParams)["ridge"]>;
export type RandomForestParams = z.output<(typeof ModelParams)["random_forest"]>;
export type GradientBoostingParams = z.output<(typeof ModelParams)["gradient_boosting"]>;
export interface ModelParamsByKind {
  logistic_regression: LogisticRegressionParams;
  ridge: RidgeParams;
  random_forest: RandomForestParams;
  gradient_boosting: GradientBoostingParams;
}

/** One dimension of a search space, normalised. */
export type SearchDimension =
  | { type: "int"; low: number; high: number; log: boolean }
  | { type: "float"; low: number; high: number; log: boolean }
  | { type: "categorical"; choices: (string | number | boolean | null)[] };

/**
 * A search dimension as written: `[15, 63]`, `[0.01, 0.3, log]`, `{ choices: [a, b] }` or
 * `{ low, high, log }`. Whether a range is int or float follows the parameter's own type.
 */
export const RawSearchDimension = expect(
  z.union([
    z.tuple([z.number(), z.number()]),
    z.tuple([z.number(), z.number(), z.literal("log")]),
    z.strictObject({ choices: z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])).min(1) }),
    z.strictObject({ low: z.number(), high: z.number(), log: z.boolean().default(false) }),
  ]),
  "[low, high], [low, high, log], { low, high, log } or { choices: [...] }",
);

export const SearchConfig = z.strictObject({
  method: enumOf(["tpe", "random"] as const).default("tpe"),
  trials: int(1).default(20),
  /** Stop starting new trials after this long. */
  timeout: Duration.optional(),
  /** Stop a trial early when its learning curve is worse than the median of earlier trials at the same step. */
  prune: bool().default(true),
  space: z.record(text(), RawSearchDimension),
});

export const ModelEntry = z.strictObject({
  kind: enumOf(MODEL_KINDS),
  /** Checked against the kind's parameters after the first pass (see `resolveModels`). */
  params: z.record(z.string(), z.unknown()).default({}),
  search: SearchConfig.optional(),
});

// ---------------------------------------------------------------------------------------------
// gates:, registry:, serve:, monitor:

export const GatesConfig = z.strictObject({
  /** Test metrics that must reach at least these values (for error metrics such as rmse: at most). */
  minimum: z.record(text(), num()).default({}),
  /** Largest allowed drop of a metric against the production version, on the same test set. */
  max_drop_vs_production: z.record(text(), nonNegative()).default({}),
  /** Largest p99 latency of a single-record prediction (features + model), in milliseconds. */
  latency_p99_ms: positive().optional(),
  /** The same input twice gives the same output. */
  determinism: bool().default(true),
  /** Save → load gives the same predictions. */
  round_trip: bool().default(true),
});
export type GatesConfig = z.output<typeof GatesConfig>;

export const RegistryConfig = z.strictObject({
  /** The registered model name. */
  model: expect(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/), "a name of letters, digits, _ . -"),
  /** Where a version that passes every gate goes. Production always needs `sluice promote`. */
  on_pass: enumOf(["staging", "none"] as const).default("staging"),
});
export type RegistryConfig = z.output<typeof RegistryConfig>;

export const ServeConfig = z.strictObject({
  host: text().default("127.0.0.1"),
  port: expect(z.number().int().min(0).max(65535), "a port number in [0, 65535]").default(8000),
  workers: int(1).default(1),
  log_predictions: bool().default(true),
  /** Largest number of instances in one request. */
  max_batch: int(1).default(1000),
  /** Fields a request sends that the model does not know: refuse (422) or ignore. */
  unknown_fields: enumOf(["reject", "ignore"] as const).default("reject"),
  /** Values outside the schema's rules (range, allowed values): refuse (422) or predict and warn. */
  invalid_values: enumOf(["reject", "warn"] as const).default("reject"),
  /** Risk levels by predicted probability: each level's lower bound, e.g. { low: 0, medium: 0.3, high: 0.7 }. */
  risk: z.record(identifier(), probability()).optional(),
  /** At most `max` prediction requests (/predict, V2 infer, /feedback) per client address per `window`; 429 beyond. Off when absent. */
  rate_limit: z
    .strictObject({
      max: int(1),
      window: expect(
        z
          .string()
          .refine((s) => (parseDuration(s) ?? 0) > 0)
          .transform((s) => parseDuration(s)!),
        "a duration longer than 0, such as 1s, 1m or 1h",
      ).default(60_000),
    })
    .optional(),
});
export type ServeConfig = z.output<typeof ServeConfig>;

/** The drift tests `monitor.tests` can name for a feature (Evidently's names). */
export const DRIFT_TEST_CHOICES = [
  "ks",
  "chisquare",
  "z",
  "wasserstein",
  "jensenshannon",
  "psi",
  "hellinger",
] as const;

const FeatureTest = expect(
  z.union([
    z.enum(DRIFT_TEST_CHOICES),
    z.strictObject({ method: enumOf(DRIFT_TEST_CHOICES), threshold: positive().optional() }),
  ]),
  `a drift test (${DRIFT_TEST_CHOICES.join(", ")}) or { method, threshold }`,
);

const SEVERITY_LEVELS = ["moderate", "severe", "critical"] as const;

export const MonitorConfig = z.strictObject({
  /** What current data is compared with. */
  reference: enumOf(["training"] as const).default("training"),
  /** Training rows kept (a seeded sample) as the reference, written with every model. */
  reference_rows: int(10).default(5000),
  /** Number of most recent logged predictions in a window. */
  window: int(1).default(1000),
  /** Dataset drift when at least this share of features drift. */
  drift_share: probability().default(0.5),
  /** A feature with fewer current values than this is reported as not tested (never guessed). */
  min_rows: int(1).default(30),
  /** Per feature: the test to use instead of the default choice, optionally with its threshold. */
  tests: z.record(text(), FeatureTest).default({}),
  /** Severity from the share of the model's importance (mean |SHAP|) carried by drifted features. */
  severity: z
    .strictObject({
      severe_importance: probability().default(0.3),
      critical_importance: probability().default(0.6),
    })
    .prefault({}),
  /** Webhook alerts. */
  alerts: z
    .strictObject({
      webhook: expect(z.string().regex(/^https?:\/\/\S+$/), "an http:// or https:// URL"),
      /** The lowest severity that alerts. */
      on: enumOf(SEVERITY_LEVELS).default("moderate"),
      /** Give up on one try after this long. */
      timeout: Duration.default(5_000),
      /** Tries after the first, with exponential backoff. */
      retries: int(0).default(3),
    })
    .optional(),
  /** Retrain (run the project again; the gates decide) when drift reaches `on`. */
  retrain: z
    .strictObject({
      on: enumOf(SEVERITY_LEVELS).default("severe"),
      /** No new retraining within this long of the last one. */
      cooldown: Duration.default(86_400_000),
    })
    .optional(),
  /** The server recomputes its drift gauges over its own log this often (off when absent). */
  metrics_interval: Duration.optional(),
  /** A Prometheus Pushgateway for `sluice monitor --push`. */
  pushgateway: expect(z.string().regex(/^https?:\/\/\S+$/), "an http:// or https:// URL").optional(),
});
export type MonitorConfig = z.output<typeof MonitorConfig>;

// ---------------------------------------------------------------------------------------------
// The whole file

export const ProjectFile = z.strictObject({
  name: expect(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/), "a name of letters, digits, _ . -"),
  description: z.string().optional(),
  data: DataConfig,
  schema: z.record(z.string().min(1), ColumnRule).default({}),
  validation: ValidationConfig.prefault({}),
  features: FeatureSpec.prefault({}),
  split: SplitConfig.prefault({}),
  models: z.record(identifier(), ModelEntry).default({}),
  cv: CvConfig.prefault({}),
  /** The metric that picks the best candidate; by default roc_auc (classification) or rmse (regression). */
  select: text().optional(),
  gates: GatesConfig.prefault({}),
  registry: RegistryConfig.optional(),
  serve: ServeConfig.prefault({}),
  monitor: MonitorConfig.prefault({}),
  /** Where runs and the registry live: a SQLite file path (default `.sluice/sluice.db`) or postgres://… */
  store: text().optional(),
});
export type ProjectFileOutput = z.output<typeof ProjectFile>;
export type ProjectFileInput = z.input<typeof ProjectFile>;
