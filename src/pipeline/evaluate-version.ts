/**
 * `sluice evaluate NAME VERSION`: score a registered version on the project's current test rows
 * (its data validated and split as `sluice run` does, with the same seed), through the
 * version's own fitted features, and write an evaluation report. The evaluation is a run of its
 * own in the store, with the metrics and the report as artifacts.
 */
import { join } from "node:path";
import { evaluateModel, type Evaluation } from "../evaluate/evaluation.js";
import { renderEvaluationReport } from "../evaluate/report-lazy.js";
import { SluiceError } from "../errors.js";
import { transform } from "../features/index.js";
import { higherIsBetter } from "../project/metric-names.js";
import type { Project } from "../project/project.js";
import type { ModelVersion, Store } from "../track/types.js";
import { writeFileAtomic } from "../util/fs.js";
import { silentProgress, withStep, type Progress } from "../util/progress.js";
import { profileFrame } from "../validate/index.js";
import { SLUICE_VERSION } from "../version.js";
import { loadBundleFile } from "./bundle.js";
import { prepareData } from "./prepare.js";
import { newRunId } from "./run.js";
import { localRunFolder, openTracking, publishArtifact, startRun, storeChoice } from "./tracking.js";
import { validateProject } from "./validate.js";

export interface EvaluateVersionOptions {
  store?: Store | string;
  progress?: Progress;
}

export interface EvaluateVersionResult {
  runId: string;
  version: ModelVersion;
  /** Metrics on the current test rows. */
  metrics: Record<string, number | null>;
  /** Metrics recorded when the version was registered. */
  registered: Record<string, number>;
  report: string;
  evaluation: Evaluation;
}

/**
 * Re-evaluate version `version` of `name` on the project's test rows.
 *
 * @throws SluiceError E_NOT_FOUND (no such version), E_VALIDATION_FAILED (the data fails its
 *   checks), E_USAGE (the version is not a model of this project's task or classes)
 */
export async function evaluateVersion(
  project: Project,
  name: string,
  version: number,
  options: EvaluateVersionOptions = {},
): Promise<EvaluateVersionResult> {
  const progress = options.progress ?? silentProgress;
  const tracking = await openTracking(project, storeChoice(options.store));
  const runId = newRunId();
  try {
    const registered = await tracking.store.getModelVersion(name, version);
    const bundle = loadBundleFile(registered.source);
    await startRun(tracking, {
      id: runId,
      name: `evaluate ${name} v${version}`,
      tags: { "sluice.type": "evaluation", "sluice.model": name, "sluice.model_version": String(version) },
    });
    try {
      const validation = await validateProject(project, { progress });
      if (!validation.passed)
        throw new SluiceError(
          "E_VALIDATION_FAILED",
          "the project's data failed validation; nothing was evaluated",
          {
            hint: "run `sluice validate` to see why",
          },
        );
      const prepared = await prepareData(project, validation.kept, { progress });
      const target = prepared.target;
      const { model } = bundle;
      if (model.task !== target.task)
        throw new SluiceError(
          "E_USAGE",
          `${name} v${version} is a ${model.task} model; this project is ${target.task}`,
        );
      if (target.task === "classification" && model.classes?.join("\u0000") !== target.classes.join("\u0000"))
        throw new SluiceError(
          "E_USAGE",
          `${name} v${version} predicts classes ${model.classes?.join(", ")}; this target has ${target.classes.join(", ")}`,
        );
      const evaluation = await withStep(progress, `evaluate ${name} v${version}`, () =>
        evaluateModel(model, transform(bundle.features, prepared.test.frame), prepared.test.y, {
          seed: project.config.split.seed,
          ...(target.task === "classification" ? { classes: target.classes } : {}),
          ...(target.task === "classification" && target.positive >= 0 ? { positive: target.positive } : {}),
          ...(prepared.test.weights === undefined ? {} : { weights: prepared.test.weights }),
        }),
      );
      const dir = localRunFolder(tracking, runId) ?? join(project.stateDir, "runs", runId);
      const files = { json: join(dir, "evaluation.json"), html: join(dir, "evaluation.html") };
      await writeFileAtomic(files.json, `${JSON.stringify(evaluation)}\n`);
      const candidate = registered.tags.candidate ?? model.kind;
      await writeFileAtomic(
        files.html,
        await renderEvaluationReport({
          project: { name: project.config.name },
          model: {
            name,
            version,
            stage: registered.stage,
            kind: model.kind,
            candidate,
            runId: registered.runId ?? runId,
          },
          task: target.task,
          target: project.config.data.target,
          ...(target.task === "classification" ? { classes: target.classes } : {}),
          data: {
            path: project.config.data.path,
            rows: validation.kept.nRows,
            split: {
              train: prepared.train.X.nRows,
              validation: prepared.validation.X.nRows,
              test: prepared.test.X.nRows,
            },
            profile: profileFrame(prepared.test.frame),
          },
          features: bundle.features,
          training: {
            select: project.config.select,
            higherIsBetter: higherIsBetter(project.config.select),
            folds: 0,
            winner: candidate,
            candidates: [],
          },
          metrics: evaluation.metrics,
          gates: registered.gates,
          evaluation,
          sluiceVersion: SLUICE_VERSION,
          title: `Evaluation of ${name} v${version} on ${project.config.data.path} (test rows)`,
        }),
      );
      await tracking.store.logBatch(runId, {
        params: { model: name, version },
        metrics: Object.entries(evaluation.metrics)
          .filter((e): e is [string, number] => typeof e[1] === "number" && Number.isFinite(e[1]))
          .map(([key, value]) => ({ key, value })),
      });
      await publishArtifact(tracking, runId, "evaluation.json", files.json);
      await publishArtifact(tracking, runId, "evaluation.html", files.html);
      await tracking.store.setRunStatus(runId, "finished");
      return {
        runId,
        version: registered,
        metrics: evaluation.metrics,
        registered: registered.metrics,
        report: files.html,
        evaluation,
      };
    } catch (err) {
      await tracking.store.setRunStatus(runId, "failed").catch(() => undefined);
      throw err;
    }
  } finally {
    await tracking.close();
  }
}
