import { rmSync } from "node:fs";
import { dirname } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transformRecord } from "../features/transform.js";
import { featureMatrix } from "../features/matrix.js";
import { SLUICE_VERSION } from "../version.js";
import { buildApp, type AppOptions } from "./app.js";
import { FixedHolder, trainChurn, type TrainedChurn } from "./test-utils/model.js";
import { MemoryMetrics, MemorySink } from "./test-utils/recorders.js";
import type { Model } from "../models/types.js";
import type { LoadedModel, PredictionRecord } from "./types.js";

interface FieldError {
  field: string;
  expected: string;
  got: string;
  message: string;
}
interface Fail {
  error: { code: string; message: string; hint?: string; fields: FieldError[] };
}
interface Prediction {
  id?: string | number | null;
  prediction: string | number;
  probability?: number;
  confidence?: number;
  risk?: string;
  warnings?: { field: string; message: string }[];
  contributions?: { name: string; value: number }[];
  expected_value?: number;
  model: { name: string; version: number | null };
}
interface Batch {
  predictions: Prediction[];
  model: { name: string; version: number | null };
}
interface ModelInfo {
  name: string;
  stage: string | null;
  features: { inputs: Record<string, unknown>[]; outputs: number };
  metrics: Record<string, number>;
  gates: unknown[];
  status: unknown;
}
interface Tensor {
  name: string;
  datatype: string;
  shape: number[];
}
interface V2Meta {
  inputs: Tensor[];
  outputs: Tensor[];
}
interface V2Infer {
  outputs: (Tensor & { data: unknown[] })[];
}
interface V2Fail {
  error: string;
}
interface RecordSchema {
  properties: Record<string, { type?: unknown; minimum?: number; maximum?: number; enum?: unknown[] }>;
  required: string[];
  example: unknown;
}
interface OpenApiDoc {
  paths: Record<
    string,
    Record<
      string,
      {
        requestBody: {
          content: Record<
            string,
            { schema: { oneOf: [RecordSchema, { properties: { instances: { maxItems: number } } }] } }
          >;
        };
      }
    >
  >;
}

interface OpenApiResponses {
  paths: Record<
    string,
    Record<
      string,
      {
        responses: Record<
          string,
          {
            description: string;
            content: Record<
              string,
              {
                schema: {
                  required: string[];
                  properties: { error: { required: string[]; properties: Record<string, unknown> } };
                };
              }
            >;
          }
        >;
      }
    >
  >;
}

let churn: TrainedChurn;
let sample: Record<string, unknown>;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  churn = await trainChurn();
  const app = await make();
  sample = (await app.inject({ url: "/sample" })).json<Record<string, unknown>>();
}, 120_000);
afterAll(async () => {
  for (const app of apps) await app.close();
  rmSync(dirname(churn.dir), { recursive: true, force: true });
});

async function make(
  options: Partial<AppOptions> = {},
  models?: (LoadedModel | undefined)[],
): Promise<FastifyInstance> {
  const app = await buildApp({ holder: new FixedHolder(models ?? [churn.loaded]), ...options });
  apps.push(app);
  return app;
}

function post(app: FastifyInstance, url: string, payload: unknown) {
  return app.inject({ method: "POST", url, payload: payload as Record<string, unknown> });
}

/** What the model says for a record, computed without the server. */
function direct(record: Record<string, unknown>): Float64Array {
  const { model, features } = churn.bundle;
  return model.predictOne(transformRecord(features, record));
}

const customers = [
  {
    customer_id: "C100001",
    age: 23,
    income: 18000,
    gender: "M",
    region: "south",
    tenure_months: 1,
    monthly_charges: 110,
    total_charges: 110,
  },
  {
    customer_id: "C100002",
    age: 67,
    income: 90000,
    gender: "F",
    region: "north",
    tenure_months: 70,
    monthly_charges: 25,
    total_charges: 1700,
  },
  {
    customer_id: "C100003",
    age: 41,
    income: null,
    gender: "F",
    region: "west",
    tenure_months: 12,
    monthly_charges: 70,
    total_charges: null,
  },
];

describe("health, readiness and model info", () => {
  it("answers /health with ok and the request id and model version headers", async () => {
    const app = await make();
    const res = await app.inject({ url: "/health", headers: { "x-request-id": "abc-123" } });
    expect(res.statusCode).toBe(200);
    expect(res.json<unknown>()).toEqual({ status: "ok" });
    expect(res.headers["x-request-id"]).toBe("abc-123");
    expect(res.headers["x-model-version"]).toBe("1");
  });

  it("is ready with a model and answers 503 on /ready and /predict without one", async () => {
    expect((await (await make()).inject({ url: "/ready" })).statusCode).toBe(200);
    const empty = await make({}, [undefined]);
    const ready = await empty.inject({ url: "/ready" });
    expect(ready.statusCode).toBe(503);
    expect(ready.headers["x-model-version"]).toBe("none");
    expect((await empty.inject({ url: "/health" })).statusCode).toBe(200);
    const res = await post(empty, "/predict", customers[0]);
    expect(res.statusCode).toBe(503);
    expect(res.json<Fail>().error.message).toMatch(/no model is loaded/);
    expect((await empty.inject({ url: "/v2/health/ready" })).statusCode).toBe(503);
  });

  it("describes the model: version, task, typed inputs, metrics, gates and holder status", async () => {
    const info = (await (await make()).inject({ url: "/model-info" })).json<ModelInfo>();
    expect(info).toMatchObject({
      name: "churn_predictor",
      version: 1,
      task: "classification",
      classes: ["0", "1"],
    });
    expect(info.features.inputs).toContainEqual(
      expect.objectContaining({ name: "age", type: "integer", nullable: false, min: 18, max: 120 }),
    );
    expect(info.features.outputs).toBe(churn.bundle.model.featureNames.length);
    expect(info.metrics.roc_auc).toBeGreaterThan(0.5);
    expect(info.gates.length).toBeGreaterThan(0);
    expect(info.status).toEqual({ swaps: 0 });
  });

  it("gives a sample request that /predict accepts", async () => {
    const app = await make();
    const res = await app.inject({ url: "/sample" });
    expect(res.statusCode).toBe(200);
    const body = res.json<Prediction>();
    expect(body).toMatchObject({
      customer_id: expect.stringMatching(/^C\d{6,}$/) as unknown,
      gender: expect.any(String) as unknown,
    });
    const predicted = await post(app, "/predict", body);
    expect(predicted.statusCode).toBe(200);
    expect(predicted.json<Prediction>().warnings).toBeUndefined();
  });
});

describe("POST /predict", () => {
  it("answers one record with id, prediction, probability, confidence, risk and the model", async () => {
    const app = await make();
    for (const c of customers) {
      const res = await post(app, "/predict", c);
      expect(res.statusCode).toBe(200);
      const body = res.json<Prediction>();
      const p = direct(c);
      expect(body.id).toBe(c.customer_id);
      expect(body.probability).toBe(p[1]);
      expect(body.confidence).toBe(Math.max(p[0]!, p[1]!));
      expect(body.prediction).toBe(p[1]! > p[0]! ? "1" : "0");
      expect(body.risk).toBe(p[1]! >= 0.6 ? "high" : p[1]! >= 0.3 ? "medium" : "low");
      expect(body.model).toEqual({ name: "churn_predictor", version: 1 });
      expect(res.headers["x-model-version"]).toBe("1");
    }
  });

  it("answers a batch with one prediction per instance, equal to the single answers", async () => {
    const app = await make();
    const res = await post(app, "/predict", { instances: customers });
    expect(res.statusCode).toBe(200);
    const body = res.json<Batch>();
    expect(body.model).toEqual({ name: "churn_predictor", version: 1 });
    expect(body.predictions).toHaveLength(3);
    for (const [i, c] of customers.entries()) {
      const { model: _model, ...single } = (await post(app, "/predict", c)).json<Prediction>();
      expect(body.predictions[i]).toEqual(single);
    }
  });

  it("adds the top 5 SHAP contributions and the expected value with ?explain=true", async () => {
    const res = await post(await make(), "/predict?explain=true", customers[0]);
    expect(res.statusCode).toBe(200);
    const { contributions, expected_value } = res.json<Prediction>();
    expect(contributions).toHaveLength(5);
    const { model, features } = churn.bundle;
    const row = transformRecord(features, customers[0]!);
    const e = model.explain(featureMatrix(1, model.featureNames, row));
    const ranked = Array.from(e.values)
      .map((value, f) => ({ name: e.featureNames[f], value }))
      .sort((a, b) => Math.abs(b.value) - Math.abs(a.value))
      .slice(0, 5);
    expect(contributions).toEqual(ranked);
    expect(expected_value).toBe(e.expectedValue[0]);
  });

  it("refuses more instances than max_batch with 413 naming the limit", async () => {
    const app = await make({ config: { max_batch: 2 } });
    const res = await post(app, "/predict", { instances: customers });
    expect(res.statusCode).toBe(413);
    expect(res.json<Fail>().error).toMatchObject({
      code: "E_DATA_TOO_LARGE",
      message: expect.stringContaining("limit is 2") as unknown,
    });
    const big = await post(await make(), "/predict", {
      instances: Array.from({ length: 100_000 }, () => ({})),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json<Fail>().error.message).toContain("100000 instances in one request: the limit is 1000");
  });

  it("logs every prediction to the sink and counts it in the metrics", async () => {
    const sink = new MemorySink();
    const metrics = new MemoryMetrics();
    const app = await make({ sink, metrics });
    const one = await post(app, "/predict", customers[0]);
    await post(app, "/predict", { instances: customers.slice(1) });
    expect(sink.records).toHaveLength(3);
    expect(sink.records[0]).toMatchObject({
      requestId: one.headers["x-request-id"],
      model: "churn_predictor",
      version: 1,
      input: customers[0],
      output: { id: "C100001", probability: one.json<Prediction>().probability },
    });
    expect(sink.records[0]!.latencyMs).toBeGreaterThanOrEqual(0);
    expect(sink.records[2]!.requestId).toMatch(/-1$/);
    expect(metrics.predictions).toHaveLength(3);
    expect(metrics.predictions[0]).toEqual({
      label: one.json<Prediction>().prediction,
      probability: one.json<Prediction>().probability,
    });
    await app.inject({ url: "/v2/models/churn_predictor" });
    await app.inject({ url: "/nowhere" });
    expect(metrics.requests.map((r) => `${r.method} ${r.route} ${r.status}`)).toEqual([
      "POST /predict 200",
      "POST /predict 200",
      "GET /v2/models/:name 200",
      "GET (unmatched) 404",
    ]);
  });

  it("hands a JSON sink the request body as the input's text and the answer's output as JSON", async () => {
    const texts: { input: string; output: string }[] = [];
    const sink = Object.assign(new MemorySink(), {
      pushJson(record: PredictionRecord, input: string, output: string) {
        sink.records.push(record);
        texts.push({ input, output });
      },
    });
    const app = await make({ sink });
    const body = `{ "customer_id": "C100001",\n "age": 23, "income": 18000.0, "gender": "M", "region": "south", "tenure_months": 1, "monthly_charges": 110, "total_charges": 110 }`;
    const res = await app.inject({
      method: "POST",
      url: "/predict",
      payload: body,
      headers: { "content-type": "application/json" },
    });
    expect(res.statusCode).toBe(200);
    expect(texts).toEqual([{ input: body, output: expect.any(String) as string }]);
    const answer = res.json<Prediction>();
    const { model: _model, ...output } = answer;
    expect(JSON.parse(texts[0]!.output)).toEqual(output);
    expect(sink.records[0]!.output).toEqual(output);
    expect(JSON.parse(texts[0]!.input)).toEqual(sink.records[0]!.input);
    // The answer is the output's JSON with the model block added.
    expect(res.body).toBe(`${texts[0]!.output.slice(0, -1)},"model":{"name":"churn_predictor","version":1}}`);
  });

  it("serialises a record again when fields were dropped from it, and a batch's records always", async () => {
    const texts: string[] = [];
    const sink = Object.assign(new MemorySink(), {
      pushJson(record: PredictionRecord, input: string) {
        sink.records.push(record);
        texts.push(input);
      },
    });
    const app = await make({ sink, config: { unknown_fields: "ignore" } });
    const res = await post(app, "/predict", { ...customers[0], shoe_size: 44 });
    expect(res.statusCode).toBe(200);
    expect(res.json<Prediction>().warnings).toEqual([
      { field: "shoe_size", message: 'field "shoe_size" is not an input of this model: ignored' },
    ]);
    await post(app, "/predict", { instances: customers.slice(0, 2) });
    expect(texts).toEqual([]);
    expect(sink.records).toHaveLength(3);
    expect(sink.records[0]!.input).toEqual(customers[0]);
  });

  it("does not log predictions when log_predictions is off", async () => {
    const sink = new MemorySink();
    await post(await make({ sink, config: { log_predictions: false } }), "/predict", customers[0]);
    expect(sink.records).toHaveLength(0);
  });
});

describe("request validation", () => {
  it("lists every field error at once with 422: unknown, missing, wrong type, out of range, not allowed", async () => {
    const res = await post(await make(), "/predict", {
      ...customers[0],
      age: 12,
      gender: undefined,
      income: "rich",
      region: "mars",
      favourite_colour: "blue",
    });
    expect(res.statusCode).toBe(422);
    const { error } = res.json<Fail>();
    expect(error.code).toBe("E_RECORD");
    const byField = Object.fromEntries(error.fields.map((f) => [f.field, f])) as Record<string, FieldError>;
    expect(Object.keys(byField).sort()).toEqual(["age", "favourite_colour", "gender", "income", "region"]);
    expect(byField.age).toMatchObject({ expected: "a value ≥ 18", got: "12" });
    expect(byField.income).toMatchObject({ expected: "a number", got: '"rich"' });
    expect(byField.gender!.message).toContain("missing");
    expect(byField.region!.expected).toContain('"north"');
    expect(byField.favourite_colour!.message).toContain("not an input of this model");
  });

  it("names the instance of each error in a batch", async () => {
    const res = await post(await make(), "/predict", {
      instances: [customers[0], { ...customers[1], age: "old" }],
    });
    expect(res.statusCode).toBe(422);
    expect(res.json<Fail>().error.fields.map((f: { field: string }) => f.field)).toEqual([
      "instances[1].age",
    ]);
  });

  it("accepts a missing value where the schema says nullable and refuses it where it does not", async () => {
    const app = await make();
    expect((await post(app, "/predict", { ...customers[0], income: null })).statusCode).toBe(200);
    const { income: _income, ...withoutIncome } = customers[0]!;
    expect((await post(app, "/predict", withoutIncome)).statusCode).toBe(200);
    const { age: _age, ...withoutAge } = customers[0]!;
    const res = await post(app, "/predict", withoutAge);
    expect(res.statusCode).toBe(422);
    expect(res.json<Fail>().error.fields[0]!.field).toBe("age");
  });

  it("refuses infinite numbers, over-long strings and a pattern mismatch", async () => {
    const app = await make();
    const inf = await app.inject({
      method: "POST",
      url: "/predict",
      headers: { "content-type": "application/json" },
      payload: JSON.stringify(customers[0]).replace('"age":23', '"age":1e999'),
    });
    expect(inf.statusCode).toBe(422);
    expect(inf.json<Fail>().error.fields[0]).toMatchObject({ field: "age", expected: "a finite number" });
    const long = await post(app, "/predict", { ...customers[0], region: "x".repeat(20_000) });
    expect(long.statusCode).toBe(422);
    expect(long.json<Fail>().error.fields[0]!.message).toContain("at most 10000 characters, got 20000");
    const id = await post(app, "/predict", { ...customers[0], customer_id: "nope" });
    expect(id.statusCode).toBe(422);
    expect(id.json<Fail>().error.fields[0]).toMatchObject({
      field: "customer_id",
      expected: "text matching ^C\\d{6,}$",
    });
  });

  it("ignores unknown fields when configured, and says so in warnings", async () => {
    const sink = new MemorySink();
    const res = await post(await make({ sink, config: { unknown_fields: "ignore" } }), "/predict", {
      ...customers[0],
      note: "vip",
    });
    expect(res.statusCode).toBe(200);
    expect(res.json<Prediction>().warnings).toEqual([
      { field: "note", message: expect.stringContaining("ignored") as unknown },
    ]);
    expect(sink.records[0]!.input).not.toHaveProperty("note");
  });

  it("predicts and warns on rule violations and unseen categories when invalid_values is warn", async () => {
    const res = await post(await make({ config: { invalid_values: "warn" } }), "/predict", {
      ...customers[0],
      age: 12,
      region: "mars",
    });
    expect(res.statusCode).toBe(200);
    const messages = res
      .json<Prediction>()
      .warnings!.map((w) => w.message)
      .join("\n");
    expect(messages).toContain('field "age": expected a value ≥ 18');
    expect(messages).toContain('"mars" was not seen in training');
  });
});

describe("bad requests", () => {
  it("answers malformed JSON, NaN and an empty body with 400 and a JSON error, never a stack", async () => {
    const app = await make();
    const send = (
      payload: string,
      headers: Record<string, string> = { "content-type": "application/json" },
    ) => app.inject({ method: "POST", url: "/predict", headers, payload });
    for (const res of [
      await send('{"age": 4'),
      await send('{"age": NaN}'),
      await send(""),
      await send("", {}),
    ]) {
      expect(res.statusCode).toBe(400);
      expect(res.headers["content-type"]).toMatch(/application\/json/);
      expect(res.json<Fail>().error.code).toBe("E_USAGE");
      expect(res.body).not.toMatch(/\bat .*\.(js|ts):\d+|node_modules/);
    }
    const text = await send("age=4", { "content-type": "text/plain" });
    expect(text.statusCode).toBe(415);
    const array = await post(app, "/predict", [customers[0]]);
    expect(array.statusCode).toBe(422);
  });

  it("refuses a body over the limit with 413 and a JSON error", async () => {
    const res = await post(await make({ bodyLimit: 4096 }), "/predict", {
      ...customers[0],
      region: "x".repeat(10_000),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json<Fail>().error).toMatchObject({
      code: "E_DATA_TOO_LARGE",
      message: expect.stringContaining("4096 bytes") as unknown,
    });
    const huge = await post(await make(), "/predict", {
      ...customers[0],
      region: "x".repeat(10 * 1024 * 1024),
    });
    expect(huge.statusCode).toBe(413);
  });

  it("answers a failing model with a 500 naming the request id, not the error", async () => {
    const broken = Object.create(churn.bundle.model, {
      predictOne: {
        value: () => {
          throw new Error("secret internal detail");
        },
      },
    }) as Model;
    const loaded = { ...churn.loaded, bundle: { ...churn.bundle, model: broken } };
    const res = await post(await make({}, [loaded]), "/predict", customers[0]);
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain("secret");
    expect(res.json<Fail>().error.message).toContain(res.headers["x-request-id"]);
  });

  it("answers unknown routes with a JSON 404", async () => {
    const res = await (await make()).inject({ url: "/predictions" });
    expect(res.statusCode).toBe(404);
    expect(res.json<Fail>().error).toMatchObject({
      code: "E_NOT_FOUND",
      message: "no route GET /predictions",
    });
  });
});

describe("Open Inference Protocol (V2)", () => {
  const tensors = (records: Record<string, unknown>[]) => ({
    id: "req-1",
    inputs: Object.keys(records[0]!).map((name) => ({
      name,
      shape: [records.length],
      datatype: typeof records[0]![name] === "number" ? "FP64" : "BYTES",
      data: records.map((r) => r[name]),
    })),
  });

  it("answers liveness, readiness and the model's metadata with one tensor per input", async () => {
    const app = await make();
    expect((await app.inject({ url: "/v2/health/live" })).json<unknown>()).toEqual({ live: true });
    expect((await app.inject({ url: "/v2/health/ready" })).json<unknown>()).toEqual({ ready: true });
    const meta = (await app.inject({ url: "/v2/models/churn_predictor" })).json<V2Meta>();
    expect(meta).toMatchObject({ name: "churn_predictor", versions: ["1"], platform: "sluice" });
    expect(meta.inputs).toContainEqual({ name: "age", datatype: "FP64", shape: [-1] });
    expect(meta.inputs).toContainEqual({ name: "region", datatype: "BYTES", shape: [-1] });
    expect(meta.outputs.map((o: { name: string }) => o.name)).toEqual(["prediction", "probability"]);
  });

  it("infers rows from input tensors, equal to /predict", async () => {
    const app = await make();
    const records = customers.slice(0, 2).map((c) => ({ ...c, income: c.income ?? 0 }));
    const res = await post(app, "/v2/models/churn_predictor/infer", tensors(records));
    expect(res.statusCode).toBe(200);
    const body = res.json<V2Infer>();
    expect(body).toMatchObject({ model_name: "churn_predictor", model_version: "1", id: "req-1" });
    const single = await Promise.all(
      records.map(async (r) => (await post(app, "/predict", r)).json<Prediction>()),
    );
    expect(body.outputs).toEqual([
      { name: "prediction", datatype: "BYTES", shape: [2], data: single.map((s) => s.prediction) },
      { name: "probability", datatype: "FP64", shape: [2], data: single.map((s) => s.probability) },
    ]);
  });

  it("answers an unknown model with 404 naming the served one, and bad tensors with 400 or 422, as {error: string}", async () => {
    const app = await make();
    const unknown = await post(app, "/v2/models/fraud/infer", tensors([customers[0]!]));
    expect(unknown.statusCode).toBe(404);
    expect(Object.keys(unknown.json<V2Fail>())).toEqual(["error"]);
    expect(unknown.json<V2Fail>().error).toContain('this server serves "churn_predictor"');
    expect((await app.inject({ url: "/v2/models/fraud" })).statusCode).toBe(404);
    const uneven = tensors(customers.slice(0, 2));
    uneven.inputs[1]!.data.pop();
    uneven.inputs[1]!.shape = [1];
    const bad = await post(app, "/v2/models/churn_predictor/infer", uneven);
    expect(bad.statusCode).toBe(400);
    expect(typeof bad.json<V2Fail>().error).toBe("string");
    expect((await post(app, "/v2/models/churn_predictor/infer", { inputs: "age" })).statusCode).toBe(400);
    const invalid = await post(
      app,
      "/v2/models/churn_predictor/infer",
      tensors([{ ...customers[0]!, age: 5 }]),
    );
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json<V2Fail>().error).toContain("rows[0].age");
  });

  it("answers GET /v2 with the server's name, version and extensions", async () => {
    const app = await make();
    for (const url of ["/v2", "/v2/"]) {
      const res = await app.inject({ url });
      expect(res.statusCode).toBe(200);
      expect(res.json<unknown>()).toEqual({ name: "sluice", version: SLUICE_VERSION, extensions: [] });
    }
  });

  it("answers metadata, ready and infer under /versions/{version} for the version serving, and 404 naming it for another", async () => {
    const app = await make();
    const base = "/v2/models/churn_predictor/versions";
    const meta = await app.inject({ url: `${base}/1` });
    expect(meta.statusCode).toBe(200);
    expect(meta.json<V2Meta>()).toEqual(
      (await app.inject({ url: "/v2/models/churn_predictor" })).json<V2Meta>(),
    );
    expect((await app.inject({ url: `${base}/1/ready` })).json<unknown>()).toEqual({
      name: "churn_predictor",
      ready: true,
    });
    const record = { ...customers[0]!, income: 18000 };
    const inferred = await post(app, `${base}/1/infer`, tensors([record]));
    expect(inferred.statusCode).toBe(200);
    expect(inferred.json<V2Infer & { model_version: string }>().model_version).toBe("1");
    for (const [method, url] of [
      ["GET", `${base}/7`],
      ["GET", `${base}/7/ready`],
      ["POST", `${base}/7/infer`],
    ] as const) {
      const res = await app.inject({
        method,
        url,
        ...(method === "POST" ? { payload: tensors([record]) } : {}),
      });
      expect(res.statusCode, url).toBe(404);
      expect(res.json<V2Fail>(), url).toEqual({
        error: expect.stringContaining('this server serves version "1"') as unknown,
      });
    }
  });

  it("answers every error on /v2 routes as {error: string} and keeps the {error: {code, message}} shape elsewhere", async () => {
    const app = await make({ apiKeys: { admin: ["adm"], predict: ["p1"] } });
    const key = { "x-api-key": "p1" };
    const cases = [
      await app.inject({ url: "/v2/nothing/here" }),
      await app.inject({ method: "POST", url: "/v2/models/churn_predictor/infer", payload: {} }),
      await app.inject({
        method: "POST",
        url: "/v2/models/churn_predictor/infer",
        headers: { ...key, "content-type": "application/json" },
        payload: "{",
      }),
      await app.inject({
        method: "POST",
        url: "/v2/models/churn_predictor/infer",
        headers: { ...key, "content-type": "text/plain" },
        payload: "age=3",
      }),
    ];
    expect(cases.map((r) => r.statusCode)).toEqual([404, 401, 400, 415]);
    for (const r of cases) {
      const body = r.json<Record<string, unknown>>();
      expect(Object.keys(body)).toEqual(["error"]);
      expect(typeof body.error).toBe("string");
      expect(body.error).not.toMatch(/\bat .*\.(ts|js):\d+/);
    }
    expect(cases[1]!.json<V2Fail>().error).toContain("needs an API key");
    const none = await (await make({}, [undefined])).inject({ url: "/v2/models/churn_predictor/ready" });
    expect(none.statusCode).toBe(503);
    expect(none.json<V2Fail>().error).toContain("no model is loaded");
    const elsewhere = await app.inject({ url: "/nothing/here" });
    expect(elsewhere.json<Fail>().error).toMatchObject({
      code: "E_NOT_FOUND",
      message: "no route GET /nothing/here",
    });
    const v2ish = await app.inject({ url: "/v2x" });
    expect(v2ish.json<Fail>().error.code).toBe("E_NOT_FOUND");
  });
});

describe("docs, metrics, admin and limits", () => {
  it("serves Swagger UI and an OpenAPI document whose /predict schema comes from the model", async () => {
    const app = await make();
    const docs = await app.inject({ url: "/docs" });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain("swagger-ui");
    const doc = (await app.inject({ url: "/openapi.json" })).json<OpenApiDoc>();
    const body = doc.paths["/predict"]!.post!.requestBody.content["application/json"]!.schema;
    const record = body.oneOf[0];
    expect(record.properties.age).toMatchObject({ type: "integer", minimum: 18, maximum: 120 });
    expect(record.properties.region!.enum).toEqual(["north", "south", "east", "west", "central"]);
    expect(record.required).toEqual(expect.arrayContaining(["age", "gender", "customer_id"]));
    expect(record.example).toEqual(sample);
    expect(body.oneOf[1].properties.instances.maxItems).toBe(1000);
  });

  it("serves /metrics from the metrics given, and 404 without", async () => {
    expect((await (await make()).inject({ url: "/metrics" })).statusCode).toBe(404);
    const res = await (await make({ metrics: new MemoryMetrics() })).inject({ url: "/metrics" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/plain");
    expect(res.body).toContain("sluice_test_requests_total");
  });

  it("guards /admin/reload: 403 without configured keys, 401 without a key, 403 with a wrong one", async () => {
    const none = await post(await make(), "/admin/reload", {});
    expect(none.statusCode).toBe(403);
    expect(none.json<Fail>().error.hint).toContain("SLUICE_API_KEYS");
    const app = await make({ apiKeys: { admin: ["s3cret"] } });
    expect((await app.inject({ method: "POST", url: "/admin/reload" })).statusCode).toBe(401);
    const wrong = await app.inject({
      method: "POST",
      url: "/admin/reload",
      headers: { authorization: "Bearer nope" },
    });
    expect(wrong.statusCode).toBe(403);
  });

  it("reloads with an admin key and answers with the new version afterwards", async () => {
    const v2 = { ...churn.loaded, version: 2 };
    const holder = new FixedHolder([churn.loaded, v2]);
    const app = await buildApp({ holder, apiKeys: { admin: ["s3cret"] } });
    apps.push(app);
    const res = await app.inject({
      method: "POST",
      url: "/admin/reload",
      headers: { authorization: "Bearer s3cret" },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json<unknown>()).toEqual({ changed: true, version: 2 });
    const viaHeader = await app.inject({
      method: "POST",
      url: "/admin/reload",
      headers: { "x-api-key": "s3cret" },
    });
    expect(viaHeader.json<unknown>()).toEqual({ changed: false, version: 2 });
    const predicted = await post(app, "/predict", customers[0]);
    expect(predicted.json<Prediction>().model.version).toBe(2);
    expect(predicted.headers["x-model-version"]).toBe("2");
    expect(holder.reloads).toBe(2);
  });

  it("requires a predict key for /predict and V2 infer when predict keys are set", async () => {
    const app = await make({ apiKeys: { admin: ["adm"], predict: ["p1"] } });
    expect((await post(app, "/predict", customers[0])).statusCode).toBe(401);
    expect((await post(app, "/v2/models/churn_predictor/infer", { inputs: [] })).statusCode).toBe(401);
    const ok = await app.inject({
      method: "POST",
      url: "/predict",
      payload: customers[0],
      headers: { "x-api-key": "p1" },
    });
    expect(ok.statusCode).toBe(200);
    expect((await app.inject({ url: "/health" })).statusCode).toBe(200);
  });

  it("limits /predict, V2 infer and /feedback with one budget per client, answering 429 with the JSON error and retry-after", async () => {
    const app = await make({ rateLimit: { max: 3, timeWindow: 60_000 } });
    const record = { ...customers[0]!, income: 18000 };
    const v2 = {
      inputs: Object.entries(record).map(([name, v]) => ({
        name,
        shape: [1],
        datatype: typeof v === "number" ? "FP64" : "BYTES",
        data: [v],
      })),
    };
    const codes = [
      (await post(app, "/predict", record)).statusCode,
      (await post(app, "/v2/models/churn_predictor/infer", v2)).statusCode,
      // No feedback recorder here: 503, but the request still counts.
      (await post(app, "/feedback", { feedback: [{ request_id: "x", actual: "1" }] })).statusCode,
    ];
    expect(codes).toEqual([200, 200, 503]);
    const over = await post(app, "/predict", record);
    expect(over.statusCode).toBe(429);
    expect(Number(over.headers["retry-after"])).toBeGreaterThan(0);
    expect(over.json<Fail>().error).toMatchObject({
      code: "E_USAGE",
      message: "too many requests: at most 3 per 1m from one client address",
    });
    expect(over.json<Fail>().error.hint).toContain("retry-after");
    const overV2 = await post(app, "/v2/models/churn_predictor/infer", v2);
    expect(overV2.statusCode).toBe(429);
    expect(overV2.json<V2Fail>().error).toContain("too many requests");
    expect((await post(app, "/feedback", { feedback: [] })).statusCode).toBe(429);
  });

  it("leaves health, readiness, metrics, model info and docs open under a rate limit", async () => {
    const app = await make({ rateLimit: { max: 1, timeWindow: 60_000 }, metrics: new MemoryMetrics() });
    await post(app, "/predict", customers[0]);
    expect((await post(app, "/predict", customers[0])).statusCode).toBe(429);
    for (const url of [
      "/health",
      "/ready",
      "/metrics",
      "/model-info",
      "/sample",
      "/v2/health/ready",
      "/openapi.json",
    ])
      for (let i = 0; i < 3; i++) expect((await app.inject({ url })).statusCode, url).toBe(200);
  });

  it("takes the rate limit from the config's rate_limit when no rateLimit option is given", async () => {
    const app = await make({ config: { rate_limit: { max: 1, window: 1000 } } });
    expect((await post(app, "/predict", customers[0])).statusCode).not.toBe(429);
    const over = await post(app, "/predict", customers[0]);
    expect(over.statusCode).toBe(429);
    expect(over.json<Fail>().error.message).toContain("at most 1 per 1s");
    expect(
      (await make({ config: { rate_limit: { max: 1, window: 1000 } }, rateLimit: false })).hasPlugin(
        "@fastify/rate-limit",
      ),
    ).toBe(false);
  });

  it("answers a refused reload with 409 naming why, and a reload that changed nothing or swapped with 200", async () => {
    const holder = new FixedHolder([churn.loaded]);
    const app = await buildApp({ holder, apiKeys: { admin: ["s3cret"] } });
    apps.push(app);
    const reload = () =>
      app.inject({ method: "POST", url: "/admin/reload", headers: { authorization: "Bearer s3cret" } });
    expect((await reload()).statusCode).toBe(200);
    holder.reload = () =>
      Promise.resolve({
        changed: false,
        version: 1,
        error: "churn_predictor version 2 cannot serve: the sample record gives a non-finite output (NaN)",
        code: "E_ARTIFACT" as const,
      });
    const refused = await reload();
    expect(refused.statusCode).toBe(409);
    expect(refused.headers["x-model-version"]).toBe("1");
    expect(refused.json<Fail>().error).toMatchObject({
      code: "E_ARTIFACT",
      message:
        "reload refused: churn_predictor version 2 cannot serve: the sample record gives a non-finite output (NaN); churn_predictor version 1 keeps serving",
    });
    expect(refused.json<Fail>().error.hint).toContain("/model-info");
    expect((await post(app, "/predict", customers[0])).statusCode).toBe(200);
  });

  it("reports the registry's stage now in /model-info, not the stage at load", async () => {
    const holder = new FixedHolder([churn.loaded]);
    const app = await buildApp({ holder });
    apps.push(app);
    expect((await app.inject({ url: "/model-info" })).json<ModelInfo>().stage).toBe(churn.loaded.stage);
    let stage = "production";
    holder.stage = () => Promise.resolve(stage);
    expect((await app.inject({ url: "/model-info" })).json<ModelInfo>().stage).toBe("production");
    stage = "archived";
    expect((await app.inject({ url: "/model-info" })).json<ModelInfo>().stage).toBe("archived");
  });

  it("documents /predict's answer and each error status with the error schema", async () => {
    const doc = (await (await make()).inject({ url: "/openapi.json" })).json<OpenApiResponses>();
    const responses = doc.paths["/predict"]!.post!.responses;
    expect(Object.keys(responses).sort()).toEqual(["200", "400", "413", "415", "422", "503"]);
    for (const status of ["400", "413", "422", "503"]) {
      const schema = responses[status]!.content["application/json"]!.schema;
      expect(schema.required).toEqual(["error"]);
      expect(schema.properties.error.required).toEqual(["code", "message"]);
      expect(Object.keys(schema.properties.error.properties)).toEqual(["code", "message", "hint", "fields"]);
      expect(responses[status]!.description).not.toBe("");
    }
    const guarded = (
      await (
        await make({ apiKeys: { admin: ["a"], predict: ["p"] }, rateLimit: { max: 5, timeWindow: 1000 } })
      ).inject({ url: "/openapi.json" })
    ).json<OpenApiResponses>();
    expect(Object.keys(guarded.paths["/predict"]!.post!.responses)).toEqual(
      expect.arrayContaining(["401", "403", "429"]),
    );
  });
});

describe("over a real socket", () => {
  it("serves health, predictions and errors over HTTP", async () => {
    const app = await make();
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    const base = `http://127.0.0.1:${address.port}`;
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: "ok" });
    const json = { "content-type": "application/json" };
    const predicted = await fetch(`${base}/predict`, {
      method: "POST",
      headers: json,
      body: JSON.stringify(customers[1]),
    });
    expect(predicted.status).toBe(200);
    expect(predicted.headers.get("x-model-version")).toBe("1");
    expect(((await predicted.json()) as { probability: number }).probability).toBe(direct(customers[1]!)[1]);
    const bad = await fetch(`${base}/predict`, { method: "POST", headers: json, body: "{" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("E_USAGE");
    const invalid = await fetch(`${base}/predict`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ age: "x" }),
    });
    expect(invalid.status).toBe(422);
    const sampled = await (await fetch(`${base}/sample`)).text();
    expect((await fetch(`${base}/predict`, { method: "POST", headers: json, body: sampled })).status).toBe(
      200,
    );
  });
});
