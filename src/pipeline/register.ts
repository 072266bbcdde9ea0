/**
 * After training: measure the production version on the same test rows, run the gates, register
 * the chosen model as a new version with the gates' results, and move it to
 * `registry.on_pass` when every gate passes. Production is never reached from here: that is
 * `sluice promote`, a person's decision.
 */
import { SluiceError, isSluiceError } from "../errors.js";
import { transform, transformRecord } from "../features/index.js";
import type { GatesConfig } from "../project/schema.js";
import type { GateRecord, ModelVersion } from "../track/types.js";
import { scorePredictions } from "../tune/score.js";
import { runGates } from "../evaluate/gates.js";
import type { MetricName } from "../project/metric-names.js";
import { loadBundleFile } from "./bundle.js";
import type { PreparedData } from "./prepare.js";
import type { TrainResult } from "./train.js";
import type { Tracking } from "./tracking.js";

export interface RegisterInput {
  /** Registered model name. */
  name: string;
  /** URI of the model file (its features.json beside it). */
  source: string;
  runId: string;
  description: string;
  training: TrainResult;
  prepared: PreparedData;
  gates: GatesConfig;
  onPass: "staging" | "none";
  by: string;
}

export interface RegisterResult {
  version: ModelVersion;
  gates: GateRecord[];
  passed: boolean;
  /** The production version the gates compared with, and its metrics on the same test rows. */
  production?: { version: number; metrics: Record<string, number> };
}

/**
 * The production version's metrics on these test rows, through its own fitted features: the
 * fair comparison the max-drop gate needs. Undefined when nothing is in production.
 */
export async function productionMetrics(
  tracking: Tracking,
  name: string,
  prepared: PreparedData,
  metrics: readonly MetricName[],
): Promise<
  { version: number; metrics: Record<string, number> } | { version: number; error: string } | undefined
> {
  let production: ModelVersion;
  try {
    production = await tracking.store.resolveModel({ kind: "stage", name, stage: "production" });
  } catch (err) {
    if (isSluiceError(err, "E_NOT_FOUND")) return undefined;
    throw err;
  }
  try {
    const bundle = loadBundleFile(production.source);
    const X = transform(bundle.features, prepared.test.frame);
    const { model } = bundle;
    const target = prepared.target;
    if (model.task !== target.task)
      throw new SluiceError("E_USAGE", `it is a ${model.task} model and this project is ${target.task}`);
    if (target.task === "classification" && model.classes?.join("\u0000") !== target.classes.join("\u0000"))
      throw new SluiceError(
        "E_USAGE",
        `its classes (${model.classes?.join(", ")}) are not this target's (${target.classes.join(", ")})`,
      );
    const predictions = target.task === "classification" ? model.predictProba(X) : model.predict(X);
    const scored = scorePredictions(target.task, prepared.test.y, predictions, {
      metrics,
      ...(target.task === "classification"
        ? { nClasses: target.classes.length, positive: target.positive }
        : {}),
      ...(prepared.test.weights === undefined ? {} : { weights: prepared.test.weights }),
    });
    return { version: production.version, metrics: scored };
  } catch (err) {
    return { version: production.version, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Register, gate and (on pass) stage the chosen model. */
export async function registerAndGate(tracking: Tracking, input: RegisterInput): Promise<RegisterResult> {
  const { store } = tracking;
  const { training, prepared } = input;
  const winner = training.candidates.find((c) => c.name === training.winner)!;
  const testMetrics = Object.fromEntries(Object.entries(winner.test).filter(([, v]) => Number.isFinite(v)));
  const metricNames = Object.keys(winner.test) as MetricName[];
  const production = await productionMetrics(tracking, input.name, prepared, metricNames);

  const features = prepared.features;
  const frame = prepared.test.frame;
  const model = training.model;
  const row = new Float64Array(features.outputs.length);
  const out = new Float64Array(
    Math.max(1, model.task === "classification" ? (model.classes?.length ?? 2) : 1),
  );
  const records = Array.from({ length: Math.min(frame.nRows, 500) }, (_, i) => frame.row(i));
  const gates = await runGates(input.gates, {
    task: model.task,
    metrics: testMetrics,
    ...(production === undefined
      ? {}
      : "error" in production
        ? { productionError: { version: production.version, message: production.error } }
        : { production }),
    model,
    X: prepared.test.X,
    ...(records.length === 0
      ? {}
      : {
          records: records.length,
          singleRecord: (i: number) => {
            transformRecord(features, records[i % records.length]!, row);
            model.predictOne(row, out);
          },
        }),
  });
  // The version is created only now, with its gates right after: a crash while gating leaves
  // no version behind, and a registered version always has its gate results.
  const version = await store.createModelVersion({
    name: input.name,
    source: input.source,
    runId: input.runId,
    description: input.description,
    metrics: testMetrics,
    tags: { candidate: winner.name, kind: winner.kind },
    by: input.by,
  });
  await store.recordGates(input.name, version.version, gates);
  const passed = gates.every((g) => g.passed);
  let current = await store.getModelVersion(input.name, version.version);
  if (passed && input.onPass !== "none")
    current = await store.transitionStage(input.name, version.version, input.onPass, {
      by: input.by,
      reason: `passed ${gates.length} gate${gates.length === 1 ? "" : "s"} in run ${input.runId}`,
    });
  return {
    version: current,
    gates,
    passed,
    ...(production === undefined || "error" in production ? {} : { production }),
  };
}
