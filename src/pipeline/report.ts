/**
 * The evaluation step's files: evaluation.json (the data), evaluation.html (one offline report
 * with every plot) and the model card (Markdown and HTML), from a trained, gated model.
 */
import { join } from "node:path";
import { evaluateModel, type Evaluation } from "../evaluate/evaluation.js";
import { renderModelCard, type CardInput } from "../evaluate/card.js";
import { renderEvaluationReport } from "../evaluate/report-lazy.js";
import type { Project } from "../project/project.js";
import type { GateRecord, Stage } from "../track/types.js";
import { writeFileAtomic } from "../util/fs.js";
import type { DataProfile } from "../validate/profile-schema.js";
import { SLUICE_VERSION } from "../version.js";
import type { PreparedData } from "./prepare.js";
import type { TrainResult } from "./train.js";

export interface ReportFiles {
  evaluation_json: string;
  evaluation_report: string;
  model_card: string;
  model_card_html: string;
}

export interface WriteReportsInput {
  project: Project;
  prepared: PreparedData;
  training: TrainResult;
  profile: DataProfile;
  rows: number;
  quarantined: number;
  runId: string;
  /** The registered version, when there is one. */
  registry?: {
    name: string;
    version: number;
    stage: Stage;
    gates: readonly GateRecord[];
    production?: { version: number; metrics: Record<string, number> };
  };
}

/** Evaluate the chosen model on the test rows (every metric, curves, calibration, SHAP). */
export function evaluateChosen(prepared: PreparedData, training: TrainResult, seed: number): Evaluation {
  const target = prepared.target;
  return evaluateModel(training.model, prepared.test.X, prepared.test.y, {
    seed,
    ...(target.task === "classification" ? { classes: target.classes } : {}),
    ...(target.task === "classification" && target.positive >= 0 ? { positive: target.positive } : {}),
    ...(prepared.test.weights === undefined ? {} : { weights: prepared.test.weights }),
  });
}

/** Write evaluation.json, evaluation.html, model-card.md and model-card.html into `dir`. */
export async function writeReports(dir: string, input: WriteReportsInput): Promise<ReportFiles> {
  const { project, prepared, training } = input;
  const target = prepared.target;
  const evaluation = evaluateChosen(prepared, training, project.config.split.seed);
  const winner = training.candidates.find((c) => c.name === training.winner)!;
  const card: CardInput = {
    project: {
      name: project.config.name,
      ...(project.config.description === undefined ? {} : { description: project.config.description }),
    },
    model: {
      name: input.registry?.name ?? project.config.registry?.model ?? project.config.name,
      ...(input.registry === undefined
        ? {}
        : { version: input.registry.version, stage: input.registry.stage }),
      kind: winner.kind,
      candidate: winner.name,
      runId: input.runId,
    },
    task: target.task,
    target: project.config.data.target,
    ...(target.task === "classification" ? { classes: target.classes } : {}),
    ...(target.task === "classification" && target.positive >= 0
      ? { positive: target.classes[target.positive]! }
      : {}),
    data: {
      path: project.config.data.path,
      rows: input.rows,
      quarantined: input.quarantined,
      split: training.rows,
      profile: input.profile,
    },
    features: { inputs: prepared.features.inputs, outputs: prepared.features.outputs },
    training: {
      select: training.select,
      higherIsBetter: training.higherIsBetter,
      folds: training.folds,
      winner: training.winner,
      candidates: training.candidates.map((c) => ({
        name: c.name,
        kind: c.kind,
        cv: { mean: c.cv.mean, std: c.cv.std, folds: c.cv.folds },
        test: c.test,
        fitSeconds: c.fitSeconds,
      })),
    },
    metrics: evaluation.metrics,
    ...(input.registry === undefined ? {} : { gates: input.registry.gates }),
    ...(input.registry?.production === undefined ? {} : { production: input.registry.production }),
    evaluation,
    sluiceVersion: SLUICE_VERSION,
  };
  const files: ReportFiles = {
    evaluation_json: join(dir, "evaluation.json"),
    evaluation_report: join(dir, "evaluation.html"),
    model_card: join(dir, "model-card.md"),
    model_card_html: join(dir, "model-card.html"),
  };
  await writeFileAtomic(files.evaluation_json, `${JSON.stringify(evaluation)}\n`);
  await writeFileAtomic(files.evaluation_report, await renderEvaluationReport({ ...card, evaluation }));
  const rendered = renderModelCard(card);
  await writeFileAtomic(files.model_card, rendered.markdown);
  await writeFileAtomic(files.model_card_html, rendered.html);
  return files;
}
