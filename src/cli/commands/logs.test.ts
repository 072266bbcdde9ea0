import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../track/open.js";
import type { PredictionLogRow } from "../../track/types.js";
import { runCli, type CliResult } from "../test-utils/run-cli.js";
import { parseTimeFlag } from "./logs.js";

/** Run `sluice …` in-process. */
const cli = (args: readonly string[]): Promise<CliResult> => runCli(args);

const root = mkdtempSync(join(tmpdir(), "sluice-logs-"));
const dir = join(root, "proj");
const T0 = Date.parse("2024-05-01T00:00:00Z");

function row(i: number, extra: Partial<PredictionLogRow> = {}): PredictionLogRow {
  return {
    requestId: `req-${i}`,
    at: T0 + i * 60_000,
    model: i % 3 === 0 ? "fraud" : "churn",
    version: 2,
    input: i === 5 ? { age: 40, region: 'north, "far"', extra: true } : { age: 30 + i, region: "south" },
    output:
      i % 3 === 0
        ? { prediction: "b", probability: { a: 0.25, b: 0.75 }, age: 1 }
        : { prediction: "1", probability: 0.5 + i / 100, risk: "medium" },
    latencyMs: 0.5,
    ...extra,
  };
}

beforeAll(async () => {
  const store = await openStore(undefined, { projectDir: dir });
  try {
    await store.logPredictions!(Array.from({ length: 12 }, (_, i) => row(i)));
  } finally {
    await store.close();
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("sluice logs export", () => {
  it("writes CSV with the fixed columns, then every input and output field over the export", async () => {
    const r = await cli(["logs", "export", dir]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(
      "request_id,at,model,version,latency_ms,age,region,extra,prediction,probability.a,probability.b,output.age,probability,risk",
    );
    const rows = parse<Record<string, string>>(r.stdout, { columns: true });
    expect(rows).toHaveLength(12);
    expect(rows[0]).toMatchObject({
      request_id: "req-0",
      at: "2024-05-01T00:00:00.000Z",
      model: "fraud",
      "probability.b": "0.75",
      "output.age": "1",
      age: "30",
    });
    expect(rows[5]).toMatchObject({
      region: 'north, "far"',
      extra: "true",
      probability: "0.55",
      risk: "medium",
    });
  });

  it("filters by model and by time, with durations and ISO times", async () => {
    const r = await cli([
      "logs",
      "export",
      dir,
      "--model",
      "churn",
      "--since",
      "2024-05-01T00:04:00Z",
      "--until",
      "2024-05-01T00:08:00Z",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const rows = parse<Record<string, string>>(r.stdout, { columns: true });
    expect(rows.map((x) => x.request_id)).toEqual(["req-4", "req-5", "req-7"]);
    expect(Object.keys(rows[0]!)).not.toContain("probability.a");
    const recent = await cli(["logs", "export", dir, "--since", "1h"]);
    expect(recent.stdout.trimEnd().split("\n")).toHaveLength(1);
  });

  it("writes JSON lines, one stored row per line", async () => {
    const r = await cli(["logs", "export", dir, "--format", "jsonl", "--model", "fraud"]);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((x) => x.requestId)).toEqual(["req-0", "req-3", "req-6", "req-9"]);
    expect(rows[1]).toMatchObject({
      model: "fraud",
      version: 2,
      output: { probability: { a: 0.25, b: 0.75 } },
      feedback: null,
    });
  });

  it("writes JSON lines on stdout with --json, and refuses --json with --format csv there", async () => {
    const r = await cli(["logs", "export", dir, "--model", "fraud", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines.map((l) => (JSON.parse(l) as { requestId: string }).requestId)).toEqual([
      "req-0",
      "req-3",
      "req-6",
      "req-9",
    ]);
    const both = await cli(["logs", "export", dir, "--json", "--format", "csv"]);
    expect(both.code).toBe(2);
    expect(both.json<{ error: { code: string; message: string; hint: string } }>().error).toMatchObject({
      code: "E_USAGE",
      message: "--json asks for JSON on stdout, and --format csv for CSV there",
    });
    expect(both.stdout).toContain("--output");
  });

  it("writes a file with --output and reports the count", async () => {
    const output = join(root, "out", "log.csv");
    const r = await cli(["logs", "export", dir, "--output", output, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ ok: true, rows: 12, output });
    expect(readFileSync(output, "utf8").trimEnd().split("\n")).toHaveLength(13);
  });

  it("refuses a time it cannot read, naming it", async () => {
    const r = await cli(["logs", "export", dir, "--since", "yesterday-ish", "--json"]);
    expect(r.code).toBe(2);
    expect(r.json<{ error: { code: string; message: string } }>().error).toMatchObject({ code: "E_USAGE" });
    expect(r.stdout).toContain("yesterday-ish");
  });
});

describe("parseTimeFlag", () => {
  it("reads durations back from now, ISO 8601 and epoch milliseconds", () => {
    const now = T0;
    expect(parseTimeFlag("--since", "1h", now)).toBe(now - 3_600_000);
    expect(parseTimeFlag("--since", "7d", now)).toBe(now - 7 * 86_400_000);
    expect(parseTimeFlag("--since", "2024-05-01", now)).toBe(T0);
    expect(parseTimeFlag("--since", String(T0 + 5), now)).toBe(T0 + 5);
  });
});
