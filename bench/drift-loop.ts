/**
 * The monitoring loop on the churn example, end to end over a real socket:
 *
 *   sluice example churn → sluice run → promote v1 to production → sluice serve
 *   → 2,000 requests drawn from SHIFTED data (income × 1.6, tenure × 0.4: a wave of new, richer customers)
 *   → sluice monitor: drift on exactly income and tenure_months → webhook alert
 *     → retraining (sluice run) → the new version reaches staging through the gates
 *   → 2,000 requests drawn from data like the training data → sluice monitor: no drift
 *
 * Usage: npx tsx bench/drift-loop.ts [--rows 5000] [--requests 2000] [--keep]
 *
 * Everything runs in a temporary folder (kept with --keep, to open the HTML reports); the
 * server and the webhook listen on 127.0.0.1 only and are closed at the end.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeExample } from "../src/data/examples/index.js";
import { exampleRecords, shiftRecords, type TrafficRecord } from "../src/monitor/test-utils/traffic.js";
import { monitorProject, type MonitorResult } from "../src/pipeline/monitor.js";
import { promoteVersion } from "../src/pipeline/registry.js";
import { runProject } from "../src/pipeline/run.js";
import { loadProject } from "../src/project/project.js";
import { startServer } from "../src/serve/server.js";
import { openStore } from "../src/track/open.js";
import { intOption } from "./lib/cli.js";

const ROWS = intOption("rows", 5000);
const REQUESTS = intOption("requests", 2000);
const keep = process.argv.includes("--keep");

const dir = mkdtempSync(join(tmpdir(), "sluice-drift-loop-"));
const project = join(dir, "churn");
const t0 = performance.now();
const stamp = (): string => `${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s`;
const say = (line: string): void => console.log(`${stamp()}  ${line}`);

/** POST each record to /predict, `concurrency` at a time; returns the count of 2xx answers. */
async function send(url: string, records: readonly TrafficRecord[], concurrency = 8): Promise<number> {
  let next = 0;
  let ok = 0;
  const worker = async (): Promise<void> => {
    while (next < records.length) {
      const { churn: _label, ...record } = records[next++]!;
      const res = await fetch(`${url}/predict`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(record),
      });
      await res.arrayBuffer();
      if (res.ok) ok++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return ok;
}

function summary(label: string, r: MonitorResult): void {
  const rep = r.report;
  say(
    `${label}: ${rep.currentRows} predictions → severity ${rep.severity}${rep.datasetDrift ? ", dataset drift" : ""}`,
  );
  for (const f of rep.features)
    console.log(
      `           ${f.name.padEnd(16)} ${(f.method ?? f.status).padEnd(14)} ${(f.score ?? NaN).toFixed(4).padStart(8)}  ${f.drifted ? "DRIFT" : "ok"}`,
    );
  if (rep.prediction !== undefined)
    console.log(
      `           ${"(prediction)".padEnd(16)} ${(rep.prediction.method ?? "").padEnd(14)} ${(rep.prediction.score ?? NaN).toFixed(4).padStart(8)}  ${rep.prediction.drifted ? "DRIFT" : "ok"}`,
    );
  if (rep.alert !== undefined)
    say(`alert: ${rep.alert.status} (${rep.alert.attempts} ${rep.alert.attempts === 1 ? "try" : "tries"})`);
  if (rep.retrain !== undefined)
    say(
      `retraining: ${rep.retrain.status}${rep.retrain.version === undefined ? "" : ` → v${rep.retrain.version} ${rep.retrain.stage ?? ""} (gates ${rep.retrain.gatesPassed ? "passed" : "failed"})`}`,
    );
  say(`report: ${r.files.html}`);
}

const alerts: unknown[] = [];
const hook = createServer((req, res) => {
  let body = "";
  req.on("data", (c: Buffer) => (body += c.toString()));
  req.on("end", () => {
    alerts.push(JSON.parse(body));
    res.writeHead(204).end();
  });
});
await new Promise<void>((r) => hook.listen(0, "127.0.0.1", () => r()));
const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alerts`;

try {
  await writeExample("churn", project, { rows: ROWS });
  const yamlPath = join(project, "sluice.yaml");
  writeFileSync(
    yamlPath,
    readFileSync(yamlPath, "utf8").replace(
      '# alerts: { webhook: "https://hooks.example.com/sluice", on: moderate }',
      `alerts: { webhook: "${hookUrl}", on: moderate }`,
    ),
  );
  say(`churn example (${ROWS} customers) in ${project}`);
  const p = loadProject(project);
  const store = await openStore(undefined, { projectDir: project });
  try {
    const { summary: run } = await runProject(p, { store });
    say(
      `sluice run: ${run.registry!.name} v${run.registry!.version} → ${run.registry!.stage} (winner ${run.training!.winner})`,
    );
    await promoteVersion(store, run.registry!.name, run.registry!.version, {
      to: "production",
      by: "demo",
      reason: "drift loop demo",
    });
    say(`promoted v${run.registry!.version} to production`);

    let server = await startServer({
      source: `models:/${run.registry!.name}@production`,
      projectDir: project,
      port: 0,
      log: () => undefined,
    });
    const shifted = shiftRecords(exampleRecords("churn", REQUESTS, 1001), {
      income: { scale: 1.6 },
      tenure_months: { scale: 0.4 },
    });
    let t = performance.now();
    let ok = await send(server.url, shifted);
    const shiftedOk = ok;
    say(
      `sent ${REQUESTS} shifted requests (income × 1.6, tenure × 0.4): ${ok} answered 2xx in ${((performance.now() - t) / 1000).toFixed(2)} s`,
    );
    await server.close();

    t = performance.now();
    const drifted = await monitorProject(p, { store, window: REQUESTS });
    summary(`sluice monitor (${((performance.now() - t) / 1000).toFixed(1)} s)`, drifted);
    say(`webhook received ${alerts.length} alert(s): ${JSON.stringify(alerts.at(-1))}`);

    server = await startServer({
      source: `models:/${run.registry!.name}@production`,
      projectDir: project,
      port: 0,
      log: () => undefined,
    });
    ok = await send(server.url, exampleRecords("churn", REQUESTS, 1002));
    say(`sent ${REQUESTS} requests like the training data: ${ok} answered 2xx`);
    await server.close();
    const calm = await monitorProject(p, { store, window: REQUESTS });
    summary("sluice monitor", calm);

    const expected = ["income", "tenure_months"];
    const pass =
      shiftedOk === REQUESTS &&
      JSON.stringify(drifted.report.drifted) === JSON.stringify(expected) &&
      drifted.report.datasetDrift &&
      drifted.report.alert?.status === "sent" &&
      drifted.report.retrain?.status === "finished" &&
      drifted.report.retrain.stage === "staging" &&
      calm.report.drifted.length === 0;
    say(
      pass
        ? "PASS: drift found on exactly the shifted features, alerted, retrained to staging; none on unshifted traffic"
        : "FAIL",
    );
    process.exitCode = pass ? 0 : 1;
  } finally {
    await store.close();
  }
} finally {
  hook.close();
  if (keep) console.log(`kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}
