import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../track/index.js";
import type { Store } from "../track/types.js";
import { parseFeedbackBody } from "./feedback.js";
import { HttpError } from "./http.js";
import { sampleRecord } from "./sample.js";
import { startServer, type RunningServer } from "./server.js";
import { trainChurn, type TrainedChurn } from "./test-utils/model.js";

let trained: TrainedChurn;
let store: Store;
let server: RunningServer;

beforeAll(async () => {
  trained = await trainChurn();
  store = await openStore(undefined, { projectDir: trained.dir });
  server = await startServer({
    source: "models:/churn_predictor/1",
    projectDir: trained.dir,
    port: 0,
    log: () => undefined,
  });
}, 120_000);

afterAll(async () => {
  await server.close();
  await store.close();
  rmSync(dirname(trained.dir), { recursive: true, force: true });
});

async function post(
  path: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown>; id: string }> {
  const res = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return {
    status: res.status,
    json: (await res.json()) as Record<string, unknown>,
    id: res.headers.get("x-request-id") ?? "",
  };
}

describe("POST /feedback", () => {
  it("attaches the truth to a prediction answered a moment ago, by its x-request-id", async () => {
    const record = sampleRecord(trained.bundle);
    const answer = await post("/predict", record);
    expect(answer.status).toBe(200);
    const fb = await post("/feedback", { request_id: answer.id, label: "1" });
    expect(fb).toMatchObject({ status: 200, json: { recorded: 1, predictions: 1 } });
    const [logged] = await store.recentPredictions!({ model: "churn_predictor", last: 1 });
    expect(logged).toMatchObject({ requestId: answer.id, feedback: { label: "1" } });
    expect(logged!.feedbackAt).toBeGreaterThan(0);
  });

  it("takes a batch, with batch instances named <request id>-<i>", async () => {
    const record = sampleRecord(trained.bundle);
    const answer = await post("/predict", { instances: [record, record, record] });
    expect(answer.status).toBe(200);
    const fb = await post("/feedback", {
      feedback: [0, 1, 2].map((i) => ({ request_id: `${answer.id}-${i}`, label: String(i % 2) })),
    });
    expect(fb).toMatchObject({ status: 200, json: { recorded: 3, predictions: 3 } });
  });

  it("answers 404 naming every unknown prediction id, and records nothing of the request", async () => {
    const answer = await post("/predict", sampleRecord(trained.bundle));
    const fb = await post("/feedback", {
      feedback: [
        { request_id: answer.id, label: "0" },
        { request_id: "no-such-request", label: "1" },
      ],
    });
    expect(fb.status).toBe(404);
    expect(fb.json).toMatchObject({
      error: { code: "E_NOT_FOUND", message: expect.stringContaining('"no-such-request"') as unknown },
    });
    const [logged] = await store.recentPredictions!({ model: "churn_predictor", last: 1 });
    expect(logged!.feedback).toBeNull();
  });

  it("answers 422 with every field error of a malformed request, and 400 for broken JSON", async () => {
    const fb = await post("/feedback", { feedback: [{ label: "1" }, { request_id: "x" }, 7] });
    expect(fb.status).toBe(422);
    const fields = (fb.json.error as { fields: { field: string }[] }).fields.map((f) => f.field);
    expect(fields).toEqual(["feedback[0].request_id", "feedback[1].label", "feedback[2]"]);
    expect((await post("/feedback", "{nope")).status).toBe(400);
  });
});

describe("parseFeedbackBody", () => {
  it("keeps every field but the request id as the feedback", () => {
    expect(parseFeedbackBody({ request_id: "a", label: 1, note: "called" })).toEqual([
      { requestId: "a", feedback: { label: 1, note: "called" } },
    ]);
  });

  it("refuses an empty batch and one over the limit", () => {
    expect(() => parseFeedbackBody({ feedback: [] })).toThrow(HttpError);
    try {
      parseFeedbackBody({ feedback: Array.from({ length: 10_001 }, () => ({ request_id: "a", label: 1 })) });
      expect.unreachable();
    } catch (err) {
      expect((err as HttpError).statusCode).toBe(413);
    }
  });
});

describe("POST /feedback without a prediction log", () => {
  it("answers 503 and says how to get one", async () => {
    const bare = await startServer({
      source: trained.bundle.modelPath,
      port: 0,
      logPredictions: false,
      log: () => undefined,
    });
    try {
      const res = await fetch(`${bare.url}/feedback`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ request_id: "a", label: "1" }),
      });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { hint: string } }).error.hint).toMatch(/serve.log_predictions/);
    } finally {
      await bare.close();
    }
  });
});
