import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { sendAlert, type AlertBody } from "./alerts.js";

const body: AlertBody = {
  type: "sluice.drift",
  model: "churn_predictor",
  version: 3,
  severity: "severe",
  datasetDrift: true,
  driftShare: 2 / 7,
  driftedFeatures: ["income", "tenure_months"],
  predictionDrift: true,
  reason: "2 of 7 features drifted",
  at: "2026-12-01T00:00:00.000Z",
  source: "prediction log: last 2,000 predictions",
};

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server === undefined ? r() : server.close(() => r())));
  server = undefined;
});

/** A webhook on 127.0.0.1 answering each request with the next status (or never, for "hang"). */
async function webhook(statuses: (number | "hang")[]): Promise<{ url: string; received: unknown[] }> {
  const received: unknown[] = [];
  let i = 0;
  server = createServer((req: IncomingMessage, res) => {
    let text = "";
    req.on("data", (c: Buffer) => (text += c.toString("utf8")));
    req.on("end", () => {
      received.push({
        method: req.method,
        type: req.headers["content-type"],
        body: JSON.parse(text) as unknown,
      });
      const status = statuses[Math.min(i++, statuses.length - 1)]!;
      if (status === "hang") return;
      res.writeHead(status).end("ok");
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

const noWait = { sleep: () => Promise.resolve(), backoffMs: 1 };

describe("sendAlert", () => {
  it("posts the JSON body naming model, version, severity and drifted features", async () => {
    const hook = await webhook([200]);
    const outcome = await sendAlert(hook.url, body, noWait);
    expect(outcome).toEqual({ status: "sent", attempts: 1, httpStatus: 200 });
    expect(hook.received).toEqual([{ method: "POST", type: "application/json", body }]);
  });

  it("retries a webhook that answers 500, with doubling backoff, until it answers 2xx", async () => {
    const hook = await webhook([500, 503, 204]);
    const waits: number[] = [];
    const outcome = await sendAlert(hook.url, body, {
      retries: 3,
      backoffMs: 100,
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });
    expect(outcome).toEqual({ status: "sent", attempts: 3, httpStatus: 204 });
    expect(waits).toEqual([100, 200]);
    expect(hook.received).toHaveLength(3);
  });

  it("gives up after its retries on a webhook that keeps failing, returning the last failure", async () => {
    const hook = await webhook([500]);
    const outcome = await sendAlert(hook.url, body, { ...noWait, retries: 2 });
    expect(outcome).toEqual({
      status: "failed",
      attempts: 3,
      httpStatus: 500,
      error: "the webhook answered 500",
    });
  });

  it("times out a webhook that never answers, without throwing", async () => {
    const hook = await webhook(["hang"]);
    const started = Date.now();
    const outcome = await sendAlert(hook.url, body, { ...noWait, retries: 1, timeoutMs: 200 });
    expect(outcome).toMatchObject({ status: "failed", attempts: 2, error: "no answer within 200 ms" });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("reports a refused connection", async () => {
    const hook = await webhook([200]);
    await new Promise<void>((r) => server!.close(() => r()));
    server = undefined;
    const outcome = await sendAlert(hook.url, body, { ...noWait, retries: 0 });
    expect(outcome.status).toBe("failed");
    expect(outcome.error).toMatch(/ECONNREFUSED|fetch failed/);
  });
});
