/**
 * Answering records: check every record, refuse the request with every field error at once,
 * else predict each, log each prediction to the sink and count it in the metrics. Shared by
 * `/predict` and the Open Inference Protocol's infer route; {@link answerOne} is the path of a
 * single record, which is most requests.
 */
import type { FieldIssue } from "../features/values.js";
import type { ServeConfig } from "../project/schema.js";
import { HttpError } from "./http.js";
import { takesJson } from "./prediction-log.js";
import { predictorFor, predictRecord, type PredictionOutput, type Predictor } from "./predict.js";
import type { LoadedModel, PredictionSink, ServeMetrics } from "./types.js";
import { checkRequestRecord, requestSchema, type FieldWarning } from "./validate-request.js";

/** One answered record: the prediction and the warnings of its record. */
export type Answer = PredictionOutput & { warnings?: FieldWarning[] };

export interface AnswerOptions {
  config: ServeConfig;
  sink: PredictionSink | undefined;
  metrics: ServeMetrics | undefined;
  requestId: string;
  explain: boolean;
  /** A batch: field names get `instances[i].` and logged ids get `-i`. */
  batch: boolean;
  /** performance.now() when the request arrived. */
  start: number;
  /** Names the place of record i in messages (default `instances[i].` for a batch). */
  prefix?: (i: number) => string;
}

/** The 422 refusal listing every field error. */
function refusal(errors: readonly FieldIssue[]): HttpError {
  const message =
    errors.length === 1
      ? errors[0]!.message
      : `${errors.length} field errors: ${errors
          .slice(0, 5)
          .map((e) => e.message)
          .join("; ")}${errors.length > 5 ? "; …" : ""}`;
  return new HttpError(422, "E_RECORD", message, {
    fields: [...errors],
    hint: "fix every listed field; GET /sample shows a valid request",
  });
}

function observe(metrics: ServeMetrics | undefined, predictor: Predictor, output: PredictionOutput): void {
  if (metrics === undefined) return;
  const probability = typeof output.probability === "number" ? output.probability : output.confidence;
  metrics.observePrediction(
    predictor.task === "regression" ? "value" : String(output.prediction),
    probability,
  );
}

/**
 * Check and predict `records` with `loaded`.
 *
 * @throws HttpError 422 (E_RECORD) listing every field error of every record.
 */
export function answerRecords(loaded: LoadedModel, records: readonly unknown[], o: AnswerOptions): Answer[] {
  const schema = requestSchema(loaded.bundle);
  const prefix = o.prefix ?? ((i: number) => (o.batch ? `instances[${i}].` : ""));
  const checks = records.map((r, i) => checkRequestRecord(schema, r, o.config, prefix(i)));
  const errors: FieldIssue[] = [];
  for (const c of checks) for (const e of c.errors) errors.push(e);
  if (errors.length > 0) throw refusal(errors);
  const predictor = predictorFor(loaded);
  const answers: Answer[] = [];
  for (let i = 0; i < checks.length; i++) {
    const check = checks[i]!;
    const output: Answer = predictRecord(predictor, check.record, {
      explain: o.explain,
      idColumn: schema.idColumn,
      risk: o.config.risk,
    });
    if (check.warnings.length > 0) output.warnings = check.warnings;
    answers.push(output);
    observe(o.metrics, predictor, output);
    if (o.sink !== undefined && o.config.log_predictions) {
      const { warnings: _warnings, ...logged } = output;
      o.sink.push({
        requestId: o.batch ? `${o.requestId}-${i}` : o.requestId,
        at: Date.now(),
        model: loaded.name,
        version: loaded.version,
        input: check.record,
        output: logged,
        latencyMs: performance.now() - o.start,
      });
    }
  }
  return answers;
}

/** The answer to one record. */
export interface OneAnswer {
  /** The prediction, without warnings. */
  output: PredictionOutput;
  /** `output` as JSON: what the prediction log keeps, and the start of the response. */
  outputJson: string;
  warnings: FieldWarning[];
}

/**
 * Check and predict one record (a request that is not a batch); log and count it as
 * {@link answerRecords} does. `inputJson` is the request body the record was parsed from: when
 * the record is logged as it came (no field was dropped), the log keeps that text rather than
 * serialising the record again.
 *
 * @throws HttpError 422 (E_RECORD) listing every field error.
 * @example
 * const { outputJson, warnings } = answerOne(loaded, request.body, { ...options, inputJson: text });
 */
export function answerOne(
  loaded: LoadedModel,
  record: unknown,
  o: Omit<AnswerOptions, "batch" | "prefix"> & { inputJson?: string },
): OneAnswer {
  const schema = requestSchema(loaded.bundle);
  const check = checkRequestRecord(schema, record, o.config);
  if (check.errors.length > 0) throw refusal(check.errors);
  const predictor = predictorFor(loaded);
  const output = predictRecord(predictor, check.record, {
    explain: o.explain,
    idColumn: schema.idColumn,
    risk: o.config.risk,
  });
  const outputJson = JSON.stringify(output);
  observe(o.metrics, predictor, output);
  const sink = o.sink;
  if (sink !== undefined && o.config.log_predictions) {
    const logged = {
      requestId: o.requestId,
      at: Date.now(),
      model: loaded.name,
      version: loaded.version,
      input: check.record,
      output,
      latencyMs: performance.now() - o.start,
    };
    if (o.inputJson !== undefined && check.record === record && takesJson(sink))
      sink.pushJson(logged, o.inputJson, outputJson);
    else sink.push(logged);
  }
  return { output, outputJson, warnings: check.warnings };
}
