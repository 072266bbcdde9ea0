/**
 * The monitoring loop over a real socket: serve the production model, send it 2,000 requests
 * drawn from shifted data, monitor → drift on exactly the shifted features, an alert, a
 * retraining whose version reaches staging through the gates; then the same with traffic like
 * the training data → no drift.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeExample } from "../data/examples/index.js";
import { exampleRecords, shiftRecords, type TrafficRecord } from "../monitor/test-utils/traffic.js";
import { loadProject, type Project } from "../project/project.js";
import { startServer } from "../serve/server.js";
import { openStore } from "../track/open.js";
import type { Store } from "../track/types.js";
import { monitorProject } from "./monitor.js";
import { promoteVersion } from "./registry.js";
import { runProject } from "./run.js";

const root = mkdtempSync(join(tmpdir(), "sluice-monitor-loop-"));
const quick = { candidates: ["logistic"], threads: 1 } as const;
let project: Project;
let store: Store;
let hook: Server;
const alerts: Record<string, unknown>[] = [];

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      alerts.push(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, "127.0.0.1", () => r()));
  const dir = join(root, "churn");
  await writeExample("churn", dir, { rows: 3000 });
  const yaml = join(dir, "sluice.yaml");
  writeFileSync(
    yaml,
    readFileSync(yaml, "utf8").replace(
      '# alerts: { webhook: "https://hooks.example.com/sluice", on: moderate }',
      `alerts: { webhook: "http://127.0.0.1:${(hook.address() as AddressInfo).port}/alerts", on: moderate }`,
    ),
  );
  project = loadProject(dir);
  store = await openStore(undefined, { projectDir: dir });
  const { summary } = await runProject(project, { ...quick, store });
  await promoteVersion(store, "churn_predictor", summary.registry!.version, {
    to: "production",
    by: "ci",
    reason: "monitoring loop test",
  });
});

afterAll(async () => {
  await store.close();
  await new Promise<void>((r) => hook.close(() => r()));
  rmSync(root, { recursive: true, force: true });
});

/** Serve the production model on a free port, send every record to /predict, stop (flushing the log). */
async function serveTraffic(
  records: readonly TrafficRecord[],
): Promise<{ ok: number; versions: Set<string> }> {
  const server = await startServer({
    source: "models:/churn_predictor@production",
    projectDir: project.dir,
    port: 0,
    log: () => undefined,
  });
  let ok = 0;
  const versions = new Set<string>();
  try {
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < records.length) {
          const { churn: _label, ...record } = records[next++]!;
          const res = await fetch(`${server.url}/predict`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(record),
          });
          await res.arrayBuffer();
          if (res.ok) ok++;
          versions.add(res.headers.get("x-model-version") ?? "?");
        }
      }),
    );
  } finally {
    await server.close();
  }
  return { ok, versions };
}

describe("the monitoring loop over a served model", () => {
  it("finds drift on exactly the shifted features of 2,000 served requests, alerts, and retrains to staging", async () => {
    const shifted = shiftRecords(exampleRecords("churn", 2000, 1001), {
      income: { scale: 1.6 },
      tenure_months: { scale: 0.4 },
    });
    const served = await serveTraffic(shifted);
    expect(served.ok).toBe(2000);
    expect([...served.versions]).toEqual(["1"]);

    const { report } = await monitorProject(project, { store, window: 2000, runOptions: quick });
    expect(report.currentRows).toBe(2000);
    expect(report.source).toBe("prediction log: last 2,000 predictions of churn_predictor v1");
    expect(report.drifted).toEqual(["income", "tenure_months"]);
    expect(report.datasetDrift).toBe(true);
    expect(report.alert?.status).toBe("sent");
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      model: "churn_predictor",
      version: 1,
      driftedFeatures: ["income", "tenure_months"],
    });
    expect(report.retrain).toMatchObject({
      status: "finished",
      version: 2,
      stage: "staging",
      gatesPassed: true,
    });
    // Production is a person's decision: the monitor never promotes.
    expect(
      (await store.resolveModel({ kind: "stage", name: "churn_predictor", stage: "production" })).version,
    ).toBe(1);
  });

  it("finds no drift in 2,000 served requests like the training data", async () => {
    const served = await serveTraffic(exampleRecords("churn", 2000, 1002));
    expect(served.ok).toBe(2000);
    const { report } = await monitorProject(project, { store, window: 2000, runOptions: quick });
    expect(report.drifted).toEqual([]);
    expect(report.severity).toBe("none");
    expect(report.alert).toBeUndefined();
    expect(report.retrain).toBeUndefined();
  });
});
