import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeExample } from "../data/examples/index.js";
import { transformRecord } from "../features/transform.js";
import { exampleRecords, shiftRecords, type TrafficRecord } from "../monitor/test-utils/traffic.js";
import { loadProject, type Project } from "../project/project.js";
import { expectSluiceError } from "../track/store.contract.js";
import { openStore } from "../track/open.js";
import type { PredictionLogRow, Store } from "../track/types.js";
import { loadBundle, type ModelBundle } from "./bundle.js";
import { monitorProject, type MonitorResult } from "./monitor.js";
import { scheduleMonitor } from "./monitor-schedule.js";
import { promoteVersion } from "./registry.js";
import { runProject } from "./run.js";

const root = mkdtempSync(join(tmpdir(), "sluice-monitor-"));
let project: Project;
let store: Store;
let hook: Server;
let hookUrl: string;
const alerts: unknown[] = [];
let bundle: ModelBundle;
const quick = { candidates: ["logistic"], threads: 1 } as const;

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      alerts.push(JSON.parse(body));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, "127.0.0.1", () => r()));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/drift`;

  const dir = join(root, "churn");
  await writeExample("churn", dir, { rows: 2000 });
  const yaml = readFileSync(join(dir, "sluice.yaml"), "utf8").replace(
    /\nmonitor:\n(?: {2}.*\n)+/,
    `\nmonitor:\n  drift_share: 0.25\n  retrain: { on: severe, cooldown: 1h }\n  alerts: { webhook: "${hookUrl}", on: moderate, retries: 1 }\n`,
  );
  writeFileSync(join(dir, "sluice.yaml"), yaml);
  project = loadProject(dir);
  store = await openStore(undefined, { projectDir: dir });
  const { summary } = await runProject(project, { ...quick, store });
  await promoteVersion(store, summary.registry!.name, summary.registry!.version, {
    to: "production",
    by: "ci",
    reason: "monitoring test",
  });
  bundle = await loadBundle("models:/churn_predictor@production", store);
});

afterAll(async () => {
  await store.close();
  await new Promise<void>((r) => hook.close(() => r()));
  rmSync(root, { recursive: true, force: true });
});

let seq = 0;
/** Log what the served model would have answered for each record. */
async function serve(records: readonly TrafficRecord[]): Promise<void> {
  const classes = bundle.model.classes!;
  const positive = classes.indexOf(bundle.serving!.positive!);
  const out = new Float64Array(2);
  const rows: PredictionLogRow[] = records.map((record) => {
    const { churn: _label, customer_id: id, ...input } = record;
    bundle.model.predictOne(transformRecord(bundle.features, input), out);
    return {
      requestId: `req-${++seq}`,
      at: Date.now(),
      model: "churn_predictor",
      version: bundle.version!.version,
      input,
      output: {
        id,
        prediction: out[positive]! >= 0.5 ? classes[positive]! : classes[1 - positive]!,
        probability: out[positive]!,
      },
      latencyMs: 0.1,
    };
  });
  await store.logPredictions!(rows);
}

describe("monitorProject", () => {
  it("refuses a monitor.tests entry naming something the model does not take", async () => {
    const odd = {
      ...project,
      config: { ...project.config, monitor: { ...project.config.monitor, tests: { incme: "psi" as const } } },
    };
    await expectSluiceError(monitorProject(odd, { store }), "E_CONFIG", '"incme" (did you mean "income"?)');
  });

  it("refuses an empty window, saying how to fill it", async () => {
    await expectSluiceError(
      monitorProject(project, { store }),
      "E_USAGE",
      "no predictions of churn_predictor v1",
      "log_predictions",
    );
  });

  it("finds drift on exactly the shifted features, alerts, retrains, and the new version reaches staging through the gates", async () => {
    const shifted = shiftRecords(exampleRecords("churn", 2000, 7), {
      income: { scale: 1.6 },
      tenure_months: { scale: 0.4 },
    });
    await serve(shifted);
    const { report, files } = await monitorProject(project, { store, window: 2000, runOptions: quick });
    expect(report.currentRows).toBe(2000);
    expect(report.drifted).toEqual(["income", "tenure_months"]);
    expect(report.datasetDrift).toBe(true);
    expect(["severe", "critical"]).toContain(report.severity);
    expect(report.prediction?.drifted).toBe(true);

    expect(report.alert).toMatchObject({ status: "sent", attempts: 1 });
    expect(alerts.at(-1)).toMatchObject({
      type: "sluice.drift",
      model: "churn_predictor",
      version: 1,
      severity: report.severity,
      driftedFeatures: ["income", "tenure_months"],
    });

    expect(report.retrain).toMatchObject({
      status: "finished",
      version: 2,
      stage: "staging",
      gatesPassed: true,
    });
    const v2 = await store.getModelVersion("churn_predictor", 2);
    expect(v2.stage).toBe("staging");
    const events = await store.listMonitorEvents!({ model: "churn_predictor" });
    expect(events.map((e) => [e.kind, e.status])).toEqual([
      ["retrain", "finished"],
      ["alert", "sent"],
    ]);
    expect(events[0]).toMatchObject({
      runId: report.retrain!.runId,
      detail: { version: 2, stage: "staging" },
    });
    expect(events[0]!.reason).toMatch(/income and tenure_months/);

    const history = await store.listDriftReports!({ model: "churn_predictor", version: 1 });
    expect(history[0]).toMatchObject({
      id: report.storeId,
      severity: report.severity,
      drifted: ["income", "tenure_months"],
    });
    expect(JSON.parse(readFileSync(files.json, "utf8"))).toMatchObject({
      drifted: ["income", "tenure_months"],
    });
    const html = readFileSync(files.html, "utf8");
    expect(html).toContain("<svg");
    expect(html).toContain("income: reference vs current");
  });

  it("does not retrain again within the cooldown, and says until when", async () => {
    const { report } = await monitorProject(project, {
      store,
      window: 2000,
      alert: false,
      runOptions: quick,
    });
    expect(report.retrain?.status).toBe("cooldown");
    expect(report.retrain?.reason).toMatch(/a retraining started .* ago .*; the cooldown is 1h/);
    expect((await store.listModelVersions("churn_predictor")).length).toBe(2);
  });

  it("finds no drift in traffic like the training data, and sends no alert", async () => {
    const before = alerts.length;
    await serve(exampleRecords("churn", 2000, 8));
    const { report } = await monitorProject(project, { store, window: 2000 });
    expect(report.drifted).toEqual([]);
    expect(report.severity).toBe("none");
    expect(report.prediction?.drifted).toBe(false);
    expect(report.alert).toBeUndefined();
    expect(report.retrain).toBeUndefined();
    expect(alerts.length).toBe(before);
  });

  it("reports live quality when ground truth came back", async () => {
    const window = await store.recentPredictions!({ model: "churn_predictor", last: 2000 });
    const truth = exampleRecords("churn", 2000, 8);
    await store.recordFeedback!(
      window.map((w, i) => ({ requestId: w.requestId, feedback: { label: String(truth[i]!.churn) } })),
    );
    const { report } = await monitorProject(project, { store, window: 2000, retrain: false, alert: false });
    expect(report.quality?.rows).toBe(2000);
    expect(report.quality?.metrics.roc_auc).toBeGreaterThan(0.7);
    expect(report.quality?.test.roc_auc).toBe(bundle.version!.metrics.roc_auc);
  });

  it("measures a batch file, and names the inputs a file lacks", async () => {
    const file = join(root, "batch.csv");
    const rows = shiftRecords(exampleRecords("churn", 600, 9), { monthly_charges: { add: 40 } });
    const header = Object.keys(rows[0]!);
    writeFileSync(
      file,
      `${header.join(",")}\n${rows.map((r) => header.map((h) => r[h] ?? "").join(",")).join("\n")}\n`,
    );
    const { report } = await monitorProject(project, { store, current: file, retrain: false, alert: false });
    expect(report.drifted).toContain("monthly_charges");
    expect(report.drifted).not.toContain("age");
    expect(report.source).toBe(file);

    const lacking = join(root, "lacking.csv");
    writeFileSync(lacking, "customer_id,age\nC1,30\n");
    await expectSluiceError(
      monitorProject(project, { store, current: lacking, retrain: false }),
      "E_COLUMN_NOT_FOUND",
      '"income"',
      "every input the model was trained on",
    );
  });

  it("refuses a model version without a stored reference, pointing at --reference", async () => {
    const v = await store.getModelVersion("churn_predictor", 1);
    const refPath = join(new URL(v.source).pathname, "..", "reference.json");
    const saved = readFileSync(refPath);
    rmSync(refPath);
    try {
      await expectSluiceError(
        monitorProject(project, { store, model: "models:/churn_predictor/1" }),
        "E_FILE_NOT_FOUND",
        "--reference",
      );
    } finally {
      writeFileSync(refPath, saved);
    }
    expect(existsSync(refPath)).toBe(true);
  });

  it("monitors on a schedule until stopped, one monitoring at a time, going on after a failure", async () => {
    const results: MonitorResult[] = [];
    const errors: unknown[] = [];
    const schedule = scheduleMonitor(project, "1s", {
      store,
      window: 500,
      alert: false,
      retrain: false,
      onResult: (r) => results.push(r),
      onError: (e) => errors.push(e),
    });
    const end = Date.now() + 20_000;
    while (results.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    await schedule.stop();
    const runs = schedule.runs;
    expect(results.length).toBeGreaterThanOrEqual(2);
    expect(errors).toEqual([]);
    expect(schedule.nextRun()).toBeNull();
    await new Promise((r) => setTimeout(r, 1500));
    expect(schedule.runs).toBe(runs);

    // A monitoring that fails (no such version) is reported, and the schedule goes on.
    const failing = scheduleMonitor(project, "1s", {
      store,
      model: "models:/churn_predictor/99",
      onError: (e) => errors.push(e),
    });
    const until = Date.now() + 20_000;
    while (errors.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    await failing.stop();
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(String((errors[0] as Error).message)).toMatch(/99/);
  });
});
