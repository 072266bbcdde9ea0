/**
 * Validating a project's data: the schema and file checks, leakage, the profile, and — when a
 * quarantine file is named — setting aside the rows that fail row-level checks, so the rest
 * can go on. Rows in = rows kept + rows quarantined, always.
 */
import { join } from "node:path";
import type { Frame } from "../data/frame.js";
import { chooseColumns } from "../features/columns.js";
import type { Project } from "../project/project.js";
import { resolveProjectPath } from "../project/project.js";
import { writeFileAtomic } from "../util/fs.js";
import { silentProgress, withStep, type Progress } from "../util/progress.js";
import { count } from "../util/text.js";
import {
  quarantineRows,
  renderValidationHtml,
  validateFrame,
  writeQuarantineCsv,
  type CheckResult,
  type ValidationReport,
} from "../validate/index.js";
import { loadProjectData } from "./data.js";

export interface ValidateProjectOptions {
  progress?: Progress;
  /**
   * Where rows failing row-level checks go (relative paths resolve against the working folder
   * for the CLI's `--quarantine`, and against the project for `validation.quarantine`).
   * Default: `validation.quarantine` from the project file; `false`: no quarantine.
   */
  quarantine?: string | false;
  /** Write `validation.json` and `validation.html` here. */
  reportDir?: string;
  /** Validate another file than `data.path`. */
  dataPath?: string;
  /** An already loaded frame of the project's data (skips reading). */
  frame?: Frame;
}

export interface ValidateProjectResult {
  report: ValidationReport;
  /** Every row read. */
  frame: Frame;
  /** The rows that go on: all of them, or those not quarantined. */
  kept: Frame;
  /** Set when rows were quarantined. */
  quarantine?: { path: string; rows: number };
  /**
   * Whether the data may go on: no error-level failure, or — with quarantine — none that
   * setting rows aside leaves standing.
   */
  passed: boolean;
  /** The error-level failures that stop the data. */
  blocking: CheckResult[];
  files: { json?: string; html?: string };
}

/** The columns the leakage and id-like checks look at: the ones that will be features. */
function featureColumns(project: Project, frame: Frame): string[] | undefined {
  const { config } = project;
  try {
    const choice = chooseColumns(config.features, frame, {
      target: config.data.target,
      schema: config.schema,
      ...(config.data.weight === undefined ? {} : { exclude: [config.data.weight] }),
    });
    return [...choice.numeric, ...choice.categorical];
  } catch {
    // A features mistake is reported when features are fitted; validation falls back to its default.
    return undefined;
  }
}

/**
 * Validate the project's data.
 *
 * @example
 * const { passed, report } = await validateProject(loadProject("churn"), { quarantine: "bad.csv" });
 */
export async function validateProject(
  project: Project,
  options: ValidateProjectOptions = {},
): Promise<ValidateProjectResult> {
  const progress = options.progress ?? silentProgress;
  const { config } = project;
  const frame =
    options.frame ??
    (await loadProjectData(project, {
      progress,
      ...(options.dataPath === undefined ? {} : { path: options.dataPath }),
    }));
  const features = featureColumns(project, frame);
  const report = await withStep(
    progress,
    "validate",
    () =>
      validateFrame(frame, {
        schema: config.schema,
        validation: config.validation,
        target: config.data.target,
        task: config.data.task,
        ...(features === undefined ? {} : { featureColumns: features }),
      }),
    (r) =>
      `${r.errors} error${r.errors === 1 ? "" : "s"}, ${r.warnings} warning${r.warnings === 1 ? "" : "s"}`,
  );

  const quarantinePath =
    options.quarantine === false
      ? undefined
      : (options.quarantine ??
        (config.validation.quarantine === undefined
          ? undefined
          : resolveProjectPath(project, config.validation.quarantine)));

  let kept = frame;
  let passed = report.passed;
  let blocking = report.failures.filter((f) => f.level === "error");
  let quarantine: ValidateProjectResult["quarantine"];
  if (quarantinePath !== undefined) {
    const q = quarantineRows(report);
    if (q.quarantined.length > 0) {
      await withStep(
        progress,
        `quarantine ${count(q.quarantined.length)} row${q.quarantined.length === 1 ? "" : "s"}`,
        () => writeQuarantineCsv(quarantinePath, frame, q),
        () => quarantinePath,
      );
      kept = frame.take(q.kept);
      quarantine = { path: quarantinePath, rows: q.quarantined.length };
    }
    blocking = q.unresolved;
    passed = q.unresolved.length === 0;
  }

  const files: ValidateProjectResult["files"] = {};
  if (options.reportDir !== undefined) {
    files.json = join(options.reportDir, "validation.json");
    files.html = join(options.reportDir, "validation.html");
    await writeFileAtomic(files.json, `${JSON.stringify(report, null, 2)}\n`);
    await writeFileAtomic(
      files.html,
      renderValidationHtml(report, { title: `Data validation — ${config.name}` }),
    );
  }
  return {
    report,
    frame,
    kept,
    passed,
    blocking,
    files,
    ...(quarantine === undefined ? {} : { quarantine }),
  };
}
