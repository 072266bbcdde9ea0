/**
 * The prediction server's HTTP app (Fastify): health and readiness, model info, `/predict`
 * (one record or a batch, with optional explanations), the Open Inference Protocol (KServe V2),
 * a sample request, OpenAPI + Swagger UI, Prometheus metrics and a guarded reload.
 *
 * The app reads the serving model from a {@link ModelHolder} on every request (a request keeps
 * the model it took, so a hot swap never changes a prediction half-way), logs predictions to a
 * {@link PredictionSink} and counts into {@link ServeMetrics}. Limits, keys and metrics are
 * hooks around small route handlers.
 */
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifySchema,
} from "fastify";
import { formatDuration } from "../project/duration.js";
import type { ServeConfig } from "../project/schema.js";
import { SLUICE_VERSION } from "../version.js";
import { answerOne, answerRecords } from "./answer.js";
import { PrimaryCountedStore } from "./cluster-rate.js";
import {
  checkKey,
  configResolver,
  guardHook,
  HttpError,
  sendError,
  toHttpError,
  versionLabel,
} from "./http.js";
import { predictBodySchema, predictResponses } from "./openapi.js";
import { requestIds } from "./request-id.js";
import { sampleRecord } from "./sample.js";
import type { LoadedModel, ModelHolder, PredictionSink, ServeMetrics } from "./types.js";
import { registerFeedback, type FeedbackRecorder } from "./feedback.js";
import { registerV2 } from "./v2.js";

/** API keys by role (parsed from SLUICE_API_KEYS by the caller). */
export interface ApiKeys {
  /** Keys for `/admin/*`; none configured → `/admin/*` is refused. */
  admin: string[];
  /** When set, `/predict` and the V2 infer route need one of these (or an admin key). */
  predict?: string[];
}

export interface AppOptions {
  holder: ModelHolder;
  sink?: PredictionSink;
  metrics?: ServeMetrics;
  /** Serve settings; each missing one comes from the model's serving.json `serve`, then the defaults. */
  config?: Partial<ServeConfig>;
  apiKeys?: ApiKeys;
  /**
   * Requests per client address per time window (milliseconds, or text such as "1 minute") on
   * the prediction routes: `/predict`, the V2 infer routes and `/feedback`, one budget for all
   * three; beyond it 429 with `retry-after`. Default: the config's `rate_limit`, else off.
   */
  rateLimit?: RateLimit | false;
  /** Largest request body in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Fastify's request log (default off). */
  logger?: boolean;
  /** Where `POST /feedback` records ground truth (the store's prediction log); 503 without it. */
  feedback?: FeedbackRecorder;
}

/** A rate limit: `max` requests per client address per `timeWindow`. */
export interface RateLimit {
  max: number;
  /** Milliseconds, or text such as "1 minute". */
  timeWindow: number | string;
  /**
   * Count in the node:cluster primary, so the workers of one server share the budget (set by
   * `startServer` in its workers; the primary must answer, see `countForWorker`). Default: count
   * in this process.
   */
  acrossWorkers?: boolean;
}

/** The routes a rate limit applies to (health, readiness, metrics, docs and admin stay open). */
const LIMITED_ROUTES = new Set([
  "/predict",
  "/v2/models/:name/infer",
  "/v2/models/:name/versions/:version/infer",
  "/feedback",
]);

/**
 * Count the requests of each client address to the prediction routes ({@link LIMITED_ROUTES},
 * one shared budget), and refuse those beyond `limit` with 429 and `retry-after`. The count
 * runs first on a route, before its key check, so guessing keys is limited too. Call before
 * the routes are added.
 */
async function limitPredictions(app: FastifyInstance, limit: RateLimit): Promise<void> {
  const window = typeof limit.timeWindow === "number" ? formatDuration(limit.timeWindow) : limit.timeWindow;
  await app.register(rateLimit, {
    global: false,
    max: limit.max,
    timeWindow: limit.timeWindow,
    ...(limit.acrossWorkers === true ? { store: PrimaryCountedStore } : {}),
    errorResponseBuilder: (_req, ctx) =>
      new HttpError(
        429,
        "E_USAGE",
        `too many requests: at most ${ctx.max} per ${window} from one client address`,
        { hint: `retry in ${ctx.after} (the retry-after header, in seconds), or send fewer requests` },
      ),
  });
  const count = app.rateLimit();
  app.addHook("onRoute", (route) => {
    if (!LIMITED_ROUTES.has(route.url ?? "")) return;
    const own = route.onRequest;
    route.onRequest = own === undefined ? [count] : [count, ...(Array.isArray(own) ? own : [own])];
  });
}

/** The default request body limit: 1 MiB. */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

const JSON_TYPE = "application/json; charset=utf-8";

/** The text of a request's JSON body, kept by the app's JSON parser (empty for other bodies). */
function bodyText(request: FastifyRequest): string {
  return (request as FastifyRequest & { sluiceBodyText: string }).sluiceBodyText;
}

/** What `/predict` writes for a model on every answer, made once per model. */
interface ModelLabels {
  /** `x-model-version` */
  version: string;
  /** The answer's `"model"` block as JSON. */
  json: string;
}

/** True for `?explain=true` (or 1/yes). */
function wantsExplain(request: FastifyRequest): boolean {
  const q = request.query as Record<string, unknown> | undefined;
  const v = q?.explain;
  return v === "true" || v === "1" || v === "yes" || v === "";
}

/**
 * Build the app (not listening). Call `app.listen({ port, host })` to serve, `app.close()` to stop.
 *
 * @example
 * const app = await buildApp({ holder, sink, metrics, apiKeys: { admin: ["s3cret"] } });
 * await app.listen({ port: 8000, host: "127.0.0.1" });
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { holder, sink, metrics } = options;
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const adminKeys = options.apiKeys?.admin ?? [];
  const predictKeys = options.apiKeys?.predict;
  // Increasing ids (UUIDv7): the prediction log's index on them is then appended to.
  const nextRequestId = requestIds();
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit,
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && REQUEST_ID.test(given) ? given : nextRequestId();
    },
    // Every body is checked by our own validation (all field errors at once, from the
    // model now serving); route schemas exist for the OpenAPI document only.
    ajv: { customOptions: { strict: false } },
  });
  app.setValidatorCompiler(() => () => true);
  // Only JSON bodies: a text body is refused (415) rather than read as a record.
  app.removeContentTypeParser("text/plain");
  // Fastify's own JSON parser (same limits, errors and prototype-poisoning checks), keeping the
  // text too: the prediction log stores a record that came as it came, without serialising it
  // again.
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.decorateRequest("sluiceBodyText", "");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, text, done) => {
    (request as FastifyRequest & { sluiceBodyText: string }).sluiceBodyText = text as string;
    // Fastify's parser answers through `done`, synchronously.
    void parseJson(request, text as string, done);
  });
  const configFor = configResolver(options.config);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  app.setErrorHandler((err, request, reply) => {
    const http = toHttpError(err, request.id, bodyLimit);
    if (http.statusCode >= 500) request.log.error({ err }, "request failed");
    return sendError(reply, http);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      new HttpError(404, "E_NOT_FOUND", `no route ${request.method} ${request.url.split("?")[0]!}`, {
        hint: "see GET /docs for the routes",
      }),
    ),
  );

  app.addHook("onSend", (request, reply, payload, done) => {
    reply.header("x-request-id", request.id);
    if (!reply.hasHeader("x-model-version")) reply.header("x-model-version", versionLabel(holder.current()));
    done(null, payload);
  });
  if (metrics !== undefined)
    app.addHook("onResponse", (request, reply, done) => {
      metrics.observeRequest(
        request.routeOptions.url ?? "(unmatched)",
        request.method,
        reply.statusCode,
        reply.elapsedTime / 1000,
      );
      done();
    });

  const startup = holder.current();
  const startConfig = configFor(startup);
  const limit =
    options.rateLimit ??
    (startConfig.rate_limit === undefined
      ? false
      : { max: startConfig.rate_limit.max, timeWindow: startConfig.rate_limit.window });
  if (limit !== false) await limitPredictions(app, limit);

  await app.register(swagger, {
    openapi: {
      info: {
        title: startup === undefined ? "Sluice model server" : `${startup.name} (Sluice model server)`,
        version: SLUICE_VERSION,
        description:
          "Predictions from a Sluice model. The request schema is the one of the model loaded at start-up; after a hot swap it is not regenerated, but requests are always validated against the model now serving.",
      },
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer" },
          apiKey: { type: "apiKey", in: "header", name: "x-api-key" },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });

  const guardPredict = (request: FastifyRequest): void => {
    if (predictKeys !== undefined) checkKey(request, [...predictKeys, ...adminKeys], "predictions");
  };
  const guardAdmin = (request: FastifyRequest): void => {
    if (adminKeys.length === 0)
      throw new HttpError(403, "E_USAGE", "admin endpoints are disabled: no admin API key is configured", {
        hint: "set SLUICE_API_KEYS (e.g. SLUICE_API_KEYS=admin:<key>) and restart the server",
      });
    checkKey(request, adminKeys, "admin endpoints");
  };
  const requireModel = (): NonNullable<ReturnType<ModelHolder["current"]>> => {
    const loaded = holder.current();
    if (loaded === undefined)
      throw new HttpError(503, "E_NOT_FOUND", "no model is loaded yet", {
        hint: "wait for GET /ready to answer 200",
      });
    return loaded;
  };

  app.get("/health", { schema: { summary: "Liveness: the process answers", tags: ["health"] } }, () => ({
    status: "ok",
  }));

  app.get(
    "/ready",
    { schema: { summary: "Readiness: a model is loaded", tags: ["health"] } },
    (_req, reply) => {
      const loaded = holder.current();
      if (loaded === undefined)
        return reply.code(503).send({ status: "not ready", reason: "no model is loaded" });
      return { status: "ready", model: { name: loaded.name, version: loaded.version } };
    },
  );

  app.get("/model-info", { schema: { summary: "The model now serving", tags: ["model"] } }, async () => {
    const loaded = requireModel();
    const { model, features, serving, version } = loaded.bundle;
    const rules = serving?.schema ?? {};
    // The registry's stage now: the version serving may have been archived since it loaded.
    const stage = holder.stage === undefined ? loaded.stage : await holder.stage();
    return {
      name: loaded.name,
      version: loaded.version,
      stage,
      source: loaded.source,
      loadedAt: new Date(loaded.loadedAt).toISOString(),
      kind: model.kind,
      task: model.task,
      classes: model.classes ?? null,
      positive: serving?.positive ?? null,
      idColumns: serving?.idColumns ?? [],
      features: {
        inputs: features.inputs.map((input) => {
          const rule = Object.hasOwn(rules, input.name) ? rules[input.name] : undefined;
          return {
            name: input.name,
            type: input.kind === "numeric" ? input.dtype : "category",
            nullable: rule?.nullable ?? true,
            ...(input.kind === "categorical" ? { categories: input.categories } : {}),
            ...(rule?.min !== undefined ? { min: rule.min } : {}),
            ...(rule?.max !== undefined ? { max: rule.max } : {}),
            ...(rule?.values !== undefined ? { values: rule.values } : {}),
          };
        }),
        outputs: model.featureNames.length,
      },
      metrics: version?.metrics ?? {},
      gates: version?.gates ?? [],
      status: holder.status(),
    };
  });

  app.get(
    "/sample",
    { schema: { summary: "A valid example request for POST /predict", tags: ["model"] } },
    () => sampleRecord(requireModel().bundle),
  );

  const predictSchema: FastifySchema = {
    summary: "Predict one record, or a batch as {instances: [...]}",
    tags: ["predict"],
    querystring: {
      type: "object",
      properties: { explain: { type: "boolean", description: "add the top 5 feature contributions (SHAP)" } },
    },
    body: predictBodySchema(startup?.bundle, startConfig),
    response: predictResponses({ keys: predictKeys !== undefined, rateLimit: limit !== false }),
  };
  if (predictKeys !== undefined) predictSchema.security = [{ bearer: [] }, { apiKey: [] }];
  const labels = new WeakMap<LoadedModel, ModelLabels>();
  const labelsOf = (loaded: LoadedModel): ModelLabels => {
    let l = labels.get(loaded);
    if (l === undefined) {
      l = {
        version: versionLabel(loaded),
        json: JSON.stringify({ name: loaded.name, version: loaded.version }),
      };
      labels.set(loaded, l);
    }
    return l;
  };
  app.post(
    "/predict",
    { schema: predictSchema, ...(predictKeys === undefined ? {} : { onRequest: guardHook(guardPredict) }) },
    (request, reply) => {
      const start = performance.now();
      const loaded = requireModel();
      const model = labelsOf(loaded);
      void reply.header("x-model-version", model.version);
      const config = configFor(loaded);
      const body = request.body;
      if (body === undefined || body === null)
        throw new HttpError(400, "E_USAGE", "the request body is empty", {
          hint: 'send a JSON object with Content-Type: application/json, e.g. {"age": 42}',
        });
      const common = { config, sink, metrics, requestId: request.id, explain: wantsExplain(request), start };
      if (typeof body === "object" && !Array.isArray(body) && Object.hasOwn(body, "instances")) {
        const instances = (body as { instances: unknown }).instances;
        if (!Array.isArray(instances))
          throw new HttpError(422, "E_RECORD", '"instances" must be an array of records', {
            fields: [
              {
                field: "instances",
                expected: "an array of records",
                got: typeof instances,
                message: 'field "instances": expected an array of records',
              },
            ],
          });
        if (instances.length > config.max_batch)
          throw new HttpError(
            413,
            "E_DATA_TOO_LARGE",
            `${instances.length} instances in one request: the limit is ${config.max_batch}`,
            { hint: `send at most ${config.max_batch} instances per request (serve.max_batch)` },
          );
        const predictions = answerRecords(loaded, instances, { ...common, batch: true });
        return { predictions, model: { name: loaded.name, version: loaded.version } };
      }
      if (Array.isArray(body))
        throw new HttpError(
          422,
          "E_RECORD",
          'the body is an array: send one record, or {"instances": [...]}',
          {
            hint: 'wrap a batch as {"instances": [...]}',
          },
        );
      const text = bodyText(request);
      const { outputJson, warnings } = answerOne(loaded, body, {
        ...common,
        inputJson: text === "" ? undefined : text,
      });
      // The answer is the output's JSON with the warnings and the model block added: the same
      // text as serialising {...output, warnings, model}, without serialising the output twice.
      const head = outputJson.slice(0, -1);
      const answer =
        warnings.length === 0
          ? `${head},"model":${model.json}}`
          : `${head},"warnings":${JSON.stringify(warnings)},"model":${model.json}}`;
      return reply.type(JSON_TYPE).send(answer);
    },
  );

  registerV2(app, { holder, sink, metrics, configFor, guardPredict, requireModel });
  registerFeedback(app, {
    record: options.feedback,
    ...(sink === undefined ? {} : { flush: () => sink.flush() }),
    ...(predictKeys === undefined ? {} : { guard: guardPredict }),
  });

  app.get("/openapi.json", { schema: { hide: true } }, () => app.swagger());

  app.get(
    "/metrics",
    { schema: { summary: "Prometheus metrics", tags: ["health"] } },
    async (_req, reply) => {
      if (metrics === undefined)
        throw new HttpError(404, "E_NOT_FOUND", "metrics are not enabled on this server");
      const text = await metrics.render();
      return reply.type(metrics.contentType).send(text);
    },
  );

  app.post(
    "/admin/reload",
    {
      schema: {
        summary: "Check the model source now and swap when it changed",
        tags: ["admin"],
        security: [{ bearer: [] }, { apiKey: [] }],
      },
      onRequest: guardHook(guardAdmin),
    },
    async (_request: FastifyRequest, reply: FastifyReply) => {
      const result = await holder.reload();
      if (result.error === undefined) return reply.send(result);
      // Refused: the old model keeps serving, and the caller is told why (409: the source and
      // the model serving disagree until the source is fixed).
      const serving = holder.current();
      const kept =
        serving === undefined
          ? "no model is serving"
          : `${serving.name}${serving.version === null ? "" : ` version ${serving.version}`} keeps serving`;
      throw new HttpError(409, result.code ?? "E_ARTIFACT", `reload refused: ${result.error}; ${kept}`, {
        hint: "fix the model (or promote a version that passes its checks), then POST /admin/reload again; GET /model-info shows the last refusal",
      });
    },
  );

  return app;
}
