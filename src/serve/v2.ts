/**
 * The Open Inference Protocol (KServe V2) over the same model, so standard clients work:
 * `GET /v2` (server metadata), `GET /v2/health/live`, `GET /v2/health/ready`, and for the model
 * `GET /v2/models/{name}[/versions/{version}]` (metadata), `…/ready` and `POST …/infer`. A
 * version in the path must be the one serving (`x-model-version`); another is 404 naming it.
 * Errors on these routes are `{"error": "<message>"}`, as the protocol fixes them (see http.ts).
 *
 * Inputs are one tensor per input column (`FP64` for numbers, `BYTES` for categories and ids),
 * shape `[n]` (or `[n, 1]`); the rows they make are validated as `/predict` records. Outputs:
 * `prediction` (`BYTES` class labels, or `FP64` values) and, for classification, `probability`
 * (`[n]` P(positive) for a binary target, `[n, K]` class probabilities otherwise).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { SLUICE_VERSION } from "../version.js";
import { answerRecords } from "./answer.js";
import { guardHook, HttpError, versionLabel, type ConfigResolver } from "./http.js";
import type { LoadedModel, ModelHolder, PredictionSink, ServeMetrics } from "./types.js";
import { requestSchema } from "./validate-request.js";

/** What the V2 routes need from the app. */
export interface V2Context {
  holder: ModelHolder;
  sink: PredictionSink | undefined;
  metrics: ServeMetrics | undefined;
  configFor: ConfigResolver;
  guardPredict: (request: FastifyRequest) => void;
  requireModel: () => LoadedModel;
}

/** One V2 tensor. */
interface Tensor {
  name: string;
  datatype: string;
  shape: number[];
  data: unknown[];
}

/** The path parameters of the model routes: the version only on `…/versions/{version}…`. */
interface ModelParams {
  name: string;
  version?: string;
}

/** The extensions of the protocol this server supports (none of the optional ones). */
const EXTENSIONS: string[] = [];

/** The model named in the path (at the version named, if any), or 404 naming the one serving. */
function modelNamed(ctx: V2Context, { name, version }: ModelParams): LoadedModel {
  const loaded = ctx.requireModel();
  if (name !== loaded.name)
    throw new HttpError(404, "E_NOT_FOUND", `no model named "${name}": this server serves "${loaded.name}"`, {
      hint: `use /v2/models/${loaded.name}`,
    });
  const serving = versionLabel(loaded);
  if (version !== undefined && version !== serving)
    throw new HttpError(
      404,
      "E_NOT_FOUND",
      `version "${version}" of "${name}" is not serving: this server serves version "${serving}"`,
      {
        hint: `use /v2/models/${name}/versions/${serving}, or /v2/models/${name} for whichever version serves`,
      },
    );
  return loaded;
}

/** The input tensors' metadata of a model. */
function inputTensors(loaded: LoadedModel): { name: string; datatype: string; shape: number[] }[] {
  const schema = requestSchema(loaded.bundle);
  return schema.fields
    .filter((f) => f.kind !== "other")
    .map((f) => ({ name: f.name, datatype: f.kind === "numeric" ? "FP64" : "BYTES", shape: [-1] }));
}

function outputTensors(loaded: LoadedModel): { name: string; datatype: string; shape: number[] }[] {
  const { model } = loaded.bundle;
  if (model.task === "regression") return [{ name: "prediction", datatype: "FP64", shape: [-1] }];
  const k = model.classes?.length ?? 0;
  return [
    { name: "prediction", datatype: "BYTES", shape: [-1] },
    { name: "probability", datatype: "FP64", shape: k === 2 ? [-1] : [-1, k] },
  ];
}

function badRequest(message: string): HttpError {
  return new HttpError(400, "E_USAGE", message, {
    hint: 'send {"inputs": [{"name": "age", "shape": [1], "datatype": "FP64", "data": [42]}, …]}',
  });
}

/** The rows that the input tensors of a V2 request make. */
function rowsOf(body: unknown): { rows: Record<string, unknown>[]; id: string | undefined } {
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw badRequest("an inference request must be a JSON object with an inputs array");
  const { inputs, id } = body as { inputs?: unknown; id?: unknown };
  if (!Array.isArray(inputs) || inputs.length === 0)
    throw badRequest('"inputs" must be a non-empty array of tensors');
  let n = -1;
  const tensors: Tensor[] = [];
  for (const [i, t] of inputs.entries()) {
    if (t === null || typeof t !== "object") throw badRequest(`inputs[${i}] is not a tensor object`);
    const { name, datatype, shape, data } = t as Partial<Tensor>;
    if (typeof name !== "string" || name === "") throw badRequest(`inputs[${i}] has no name`);
    if (!Array.isArray(data)) throw badRequest(`input "${name}": data must be an array`);
    const flat = data.flat();
    if (Array.isArray(shape) && typeof shape[0] === "number" && shape[0] !== flat.length)
      throw badRequest(
        `input "${name}": shape ${JSON.stringify(shape)} does not match ${flat.length} values`,
      );
    if (n === -1) n = flat.length;
    else if (flat.length !== n)
      throw badRequest(
        `input "${name}" has ${flat.length} values, the first input has ${n}: every input needs one value per row`,
      );
    tensors.push({
      name,
      datatype: typeof datatype === "string" ? datatype : "",
      shape: shape ?? [],
      data: flat,
    });
  }
  const rows: Record<string, unknown>[] = Array.from({ length: n }, () => ({}));
  for (const t of tensors) for (let r = 0; r < n; r++) rows[r]![t.name] = t.data[r];
  return { rows, id: typeof id === "string" ? id : undefined };
}

/** Register the V2 routes on `app`. */
export function registerV2(app: FastifyInstance, ctx: V2Context): void {
  const tags = ["v2 (Open Inference Protocol)"];
  const serverMetadata = () => ({ name: "sluice", version: SLUICE_VERSION, extensions: EXTENSIONS });
  app.get("/v2", { schema: { tags, summary: "Server metadata: name, version, extensions" } }, serverMetadata);
  app.get("/v2/", { schema: { hide: true } }, serverMetadata);
  app.get("/v2/health/live", { schema: { tags } }, () => ({ live: true }));
  app.get("/v2/health/ready", { schema: { tags } }, (_req, reply) => {
    const ready = ctx.holder.current() !== undefined;
    return reply.code(ready ? 200 : 503).send({ ready });
  });
  // Each model route with and without /versions/{version}.
  for (const base of ["/v2/models/:name", "/v2/models/:name/versions/:version"]) {
    app.get<{ Params: ModelParams }>(base, { schema: { tags } }, (request) => {
      const loaded = modelNamed(ctx, request.params);
      return {
        name: loaded.name,
        versions: [versionLabel(loaded)],
        platform: "sluice",
        inputs: inputTensors(loaded),
        outputs: outputTensors(loaded),
      };
    });
    app.get<{ Params: ModelParams }>(`${base}/ready`, { schema: { tags } }, (request) => {
      const loaded = modelNamed(ctx, request.params);
      return { name: loaded.name, ready: true };
    });
    registerInfer(app, ctx, `${base}/infer`, tags);
  }
}

/** `POST …/infer` at `url`. */
function registerInfer(app: FastifyInstance, ctx: V2Context, url: string, tags: string[]): void {
  app.post<{ Params: ModelParams }>(
    url,
    { schema: { tags }, onRequest: guardHook(ctx.guardPredict) },
    (request, reply) => {
      const start = performance.now();
      const loaded = modelNamed(ctx, request.params);
      void reply.header("x-model-version", versionLabel(loaded));
      const config = ctx.configFor(loaded);
      const { rows, id } = rowsOf(request.body);
      if (rows.length > config.max_batch)
        throw new HttpError(
          413,
          "E_DATA_TOO_LARGE",
          `${rows.length} rows in one request: the limit is ${config.max_batch}`,
          {
            hint: `send at most ${config.max_batch} rows per request (serve.max_batch)`,
          },
        );
      const answers = answerRecords(loaded, rows, {
        config,
        sink: ctx.sink,
        metrics: ctx.metrics,
        requestId: request.id,
        explain: false,
        batch: true,
        start,
        prefix: (i) => `rows[${i}].`,
      });
      const n = answers.length;
      const outputs: Tensor[] = [];
      if (loaded.bundle.model.task === "regression") {
        outputs.push({
          name: "prediction",
          datatype: "FP64",
          shape: [n],
          data: answers.map((a) => a.prediction),
        });
      } else {
        outputs.push({
          name: "prediction",
          datatype: "BYTES",
          shape: [n],
          data: answers.map((a) => String(a.prediction)),
        });
        const classes = loaded.bundle.model.classes ?? [];
        if (classes.length === 2)
          outputs.push({
            name: "probability",
            datatype: "FP64",
            shape: [n],
            data: answers.map((a) => a.probability),
          });
        else
          outputs.push({
            name: "probability",
            datatype: "FP64",
            shape: [n, classes.length],
            data: answers.flatMap((a) => classes.map((c) => (a.probability as Record<string, number>)[c])),
          });
      }
      return {
        model_name: loaded.name,
        model_version: versionLabel(loaded),
        id: id ?? request.id,
        outputs,
      };
    },
  );
}
