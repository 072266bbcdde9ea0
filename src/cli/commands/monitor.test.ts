import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeExample } from "../../data/examples/index.js";
import { exampleRecords, shiftRecords, type TrafficRecord } from "../../monitor/test-utils/traffic.js";
import { loadProject } from "../../project/project.js";
import { runProject } from "../../pipeline/run.js";
import { runCli } from "../test-utils/run-cli.js";

const root = mkdtempSync(join(tmpdir(), "sluice-monitor-cli-"));
const dir = join(root, "churn");
afterAll(() => rmSync(root, { recursive: true, force: true }));

function csv(file: string, rows: readonly TrafficRecord[]): string {
  const header = Object.keys(rows[0]!);
  writeFileSync(
    file,
    `${header.join(",")}\n${rows.map((r) => header.map((h) => r[h] ?? "").join(",")).join("\n")}\n`,
  );
  return file;
}

beforeAll(async () => {
  await writeExample("churn", dir, { rows: 3000 });
  await runProject(loadProject(dir), { candidates: ["logistic"], threads: 1 });
});

describe("sluice monitor", () => {
  it("teaches the tests, the severity and the exit codes in --help", async () => {
    const r = await runCli(["monitor", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Wasserstein/);
    expect(r.stdout).toMatch(/severity none \/ moderate \/ severe \/ critical/);
    expect(r.stdout).toMatch(/Exit codes: 0 no severe drift · 1 severe or critical drift/);
    expect(r.stdout).toMatch(/--every 1h/);
  });

  it("exits 2 when there is nothing to monitor, saying how to fill the log", async () => {
    const r = await runCli(["monitor", dir, "--model", "models:/churn_predictor@staging", "--json"]);
    expect(r.code).toBe(2);
    const body = r.json<{ ok: boolean; error: { code: string; message: string; hint: string } }>();
    expect(body.ok).toBe(false);
    expect(body.error.code).toBe("E_USAGE");
    expect(body.error.message).toMatch(/no predictions of churn_predictor v1/);
  });

  it("exits 0 on a batch like the training data, and 1 with the verdicts on a shifted one", async () => {
    const same = csv(join(root, "same.csv"), exampleRecords("churn", 2000, 5));
    const ok = await runCli([
      "monitor",
      dir,
      "--model",
      "models:/churn_predictor/1",
      "--current",
      same,
      "--no-retrain",
      "--json",
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.json()).toMatchObject({ ok: true, severity: "none", drifted: [] });

    const shifted = csv(
      join(root, "shifted.csv"),
      shiftRecords(exampleRecords("churn", 2000, 6), {
        income: { scale: 1.7 },
        tenure_months: { scale: 0.4 },
      }),
    );
    const bad = await runCli([
      "monitor",
      dir,
      "--model",
      "models:/churn_predictor/1",
      "--current",
      shifted,
      "--no-retrain",
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/income\s+numeric\s+\d+%\s+wasserstein\s+\S+\s+≥ 0\.1\s+drift/);
    expect(bad.stdout).toMatch(/age\s+numeric\s+\d+%\s+wasserstein\s+\S+\s+≥ 0\.1\s+ok/);
    expect(bad.stdout).toMatch(/report .*drift\.html/);
  });

  it("lists the drift history", async () => {
    const r = await runCli(["monitor", dir, "--history", "--json"]);
    expect(r.code).toBe(0);
    const h = r.json<{ model: string; reports: { severity: string }[] }>();
    expect(h.model).toBe("churn_predictor");
    expect(h.reports.map((x) => x.severity)).toEqual([expect.stringMatching(/severe|critical/), "none"]);
  });

  it("refuses a schedule that is neither a duration nor a cron expression", async () => {
    const r = await runCli(["monitor", dir, "--every", "sometimes"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /--every expects a duration \(30m, 1h, 1d\) or a cron expression, got "sometimes"/,
    );
  });
});
