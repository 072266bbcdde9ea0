import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { driftGaugeSamples, pushGauges, toExposition } from "./gauges.js";
import type { DriftResult, FeatureDrift } from "./measure.js";

function feature(name: string, drifted: boolean, score: number): FeatureDrift {
  return {
    name,
    kind: "numeric",
    importance: 0.5,
    status: "tested",
    method: "wasserstein",
    score,
    statistic: score,
    threshold: 0.1,
    scoreKind: "distance",
    drifted,
    referenceCount: 10,
    currentCount: 10,
    referenceMissing: 0,
    currentMissing: 0,
  };
}

const result: DriftResult = {
  formatVersion: 1,
  referenceRows: 10,
  currentRows: 2000,
  source: "log",
  features: [
    feature("income", true, 0.8),
    feature("age", false, 0.01),
    { ...feature("region", false, 0), status: "absent", method: undefined, score: undefined },
  ],
  prediction: feature("prediction", true, 0.3),
  tested: 2,
  drifted: ["income"],
  untested: ["region"],
  driftShare: 0.5,
  driftShareThreshold: 0.5,
  datasetDrift: true,
  driftedImportance: 0.5,
  severity: "critical",
  severityReason: "x",
};

describe("drift gauges", () => {
  it("turn a drift result into samples per model, feature and test, skipping untested features", () => {
    const samples = driftGaugeSamples(result, "churn", 3, 1_700_000_000_000);
    const get = (name: string, feature?: string) =>
      samples.find((s) => s.name === name && (feature === undefined || s.labels.feature === feature))?.value;
    expect(get("sluice_drift_dataset")).toBe(1);
    expect(get("sluice_drift_severity")).toBe(3);
    expect(get("sluice_drift_share")).toBe(0.5);
    expect(get("sluice_drift_timestamp_seconds")).toBe(1_700_000_000);
    expect(get("sluice_drift_feature_drifted", "income")).toBe(1);
    expect(get("sluice_drift_feature_drifted", "prediction")).toBe(1);
    expect(get("sluice_drift_feature_score", "age")).toBe(0.01);
    expect(samples.some((s) => s.labels.feature === "region")).toBe(false);
  });

  it("write the Prometheus text format, escaping label values", () => {
    const text = toExposition([
      { name: "sluice_drift_share", labels: { model: 'a"b\\c', version: "1" }, value: 0.25 },
      { name: "sluice_drift_share", labels: { model: "x", version: "" }, value: NaN },
    ]);
    expect(text).toBe(
      [
        "# HELP sluice_drift_share Share of tested features that drifted",
        "# TYPE sluice_drift_share gauge",
        'sluice_drift_share{model="a\\"b\\\\c",version="1"} 0.25',
        'sluice_drift_share{model="x",version=""} NaN',
        "",
      ].join("\n"),
    );
  });
});

describe("pushGauges", () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((r) => (server === undefined ? r() : server.close(() => r())));
  });

  it("PUTs the samples to the model's group on a Pushgateway, and reports a failed push", async () => {
    const seen: { method?: string; url?: string; body: string }[] = [];
    let status = 200;
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        seen.push({ method: req.method, url: req.url, body });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const samples = driftGaugeSamples(result, "churn predictor", 3, 0);
    expect(await pushGauges(url, "churn predictor", samples)).toBeUndefined();
    expect(seen[0]).toMatchObject({
      method: "PUT",
      url: "/metrics/job/sluice_monitor/model/churn%20predictor",
    });
    expect(seen[0]!.body).toContain('sluice_drift_dataset{model="churn predictor",version="3"} 1');
    status = 400;
    expect(await pushGauges(url, "churn predictor", samples)).toMatch(/answered 400/);
  });
});
