import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../track/index.js";
import { runCli } from "./test-utils/run-cli.js";

let root: string;
let project: string;
let runId: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "sluice-registry-cli-"));
  project = join(root, "churn");
  expect((await runCli(["example", "churn", project, "--rows", "1200", "--json"])).code).toBe(0);
  const r = await runCli([
    "run",
    project,
    "--candidates",
    "logistic",
    "--threads",
    "1",
    "--by",
    "ci",
    "--json",
  ]);
  expect(r.code, r.stderr).toBe(0);
  runId = r.json<{ runId: string }>().runId;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const p = () => ["-p", project];

describe("sluice models and promote", () => {
  it("lists the registered model and shows its staged version with metrics and gates", async () => {
    const list = await runCli(["models", "list", ...p(), "--json"]);
    expect(list.code).toBe(0);
    expect(list.json<{ models: { name: string; latestVersion: number }[] }>().models).toMatchObject([
      { name: "churn_predictor", latestVersion: 1 },
    ]);
    const show = await runCli(["models", "show", ...p()]);
    expect(show.stdout).toMatch(/v1\s+staging/);
    const one = await runCli(["models", "show", "churn_predictor", "1", ...p(), "--json"]);
    const v = one.json<{
      version: { runId: string; gates: { passed: boolean }[]; metrics: Record<string, number> };
    }>().version;
    expect(v.runId).toBe(runId);
    expect(v.gates.every((g) => g.passed)).toBe(true);
    expect(v.metrics.roc_auc).toBeGreaterThan(0.75);
  });

  it("needs a reason for production, then archives nothing the first time and records who and why", async () => {
    const bare = await runCli(["promote", "churn_predictor", "1", "--to", "production", ...p()]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/needs a reason/);
    const ok = await runCli([
      "promote",
      "churn_predictor",
      "1",
      "--to",
      "production",
      "--reason",
      "reviewed",
      "--by",
      "alice",
      ...p(),
      "--json",
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.json()).toMatchObject({ stage: "production", archived: null });
    const history = await runCli(["models", "history", ...p(), "--json"]);
    expect(history.json<{ history: unknown[] }>().history.at(-1)).toMatchObject({
      version: 1,
      from: "staging",
      to: "production",
      by: "alice",
      reason: "reviewed",
    });
  });

  it("archives the previous production version when a new one is promoted", async () => {
    const r = await runCli(["run", project, "--candidates", "logistic", "--threads", "1", "--json"]);
    expect(r.code, r.stdout).toBe(0);
    expect(
      r.json<{ registry: { version: number; production: { version: number } } }>().registry,
    ).toMatchObject({
      version: 2,
      production: { version: 1 },
    });
    const ok = await runCli([
      "promote",
      "churn_predictor",
      "2",
      "--to",
      "production",
      "--reason",
      "newer",
      ...p(),
    ]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/v1 → archived/);
  });

  it("refuses a version that does not exist and a stage that does not exist, naming what does", async () => {
    const missing = await runCli(["promote", "churn_predictor", "9", "--to", "staging", ...p()]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/E_NOT_FOUND/);
    expect(missing.stderr).toMatch(/no version 9/);
    const stage = await runCli(["promote", "churn_predictor", "1", "--to", "prod", "--reason", "x", ...p()]);
    expect(stage.code).toBe(2);
    expect(stage.stderr).toMatch(/E_REGISTRY.*unknown stage "prod"/);
    expect(stage.stderr).toMatch(/none, staging, production, archived/);
  });

  it("suggests the stage a short or misspelt --to stands for, and moves nothing", async () => {
    for (const [given, meant] of [
      ["prod", "production"],
      ["stage", "staging"],
      ["archive", "archived"],
      ["prodution", "production"],
    ] as const) {
      const r = await runCli(["promote", "churn_predictor", "1", "--to", given, "--reason", "x", ...p()]);
      expect(r.code, given).toBe(2);
      expect(r.stderr).toContain(`unknown stage "${given}" (did you mean "${meant}"?)`);
    }
    const wild = await runCli(["promote", "churn_predictor", "1", "--to", "qa", ...p()]);
    expect(wild.stderr).toContain('unknown stage "qa"');
    expect(wild.stderr).not.toMatch(/did you mean/);
  });

  it("points an alias at a version, and evaluates a version on the current test rows", async () => {
    expect((await runCli(["models", "alias", "churn_predictor", "champion", "1", ...p()])).code).toBe(0);
    const show = await runCli(["models", "show", "churn_predictor", "1", ...p(), "--json"]);
    expect(show.json<{ version: { aliases: string[] } }>().version.aliases).toContain("champion");
    const ev = await runCli(["evaluate", "churn_predictor", "1", ...p(), "--json"]);
    expect(ev.code, ev.stderr).toBe(0);
    const out = ev.json<{ metrics: Record<string, number>; registered: Record<string, number> }>();
    // Same data, same split, same version: the same score as at registration.
    expect(out.metrics.roc_auc).toBeCloseTo(out.registered.roc_auc!, 12);
  });
});

describe("sluice runs", () => {
  it("lists pipeline runs, finds candidate runs by a filter, shows and compares runs", async () => {
    const list = await runCli(["runs", "list", ...p(), "--json"]);
    const runs = list.json<{ runs: { id: string; name: string }[] }>().runs;
    expect(runs.map((r) => r.id)).toContain(runId);
    const candidates = await runCli([
      "runs",
      "list",
      ...p(),
      "--all",
      "--filter",
      "tags.`sluice.type` = 'candidate' and params.kind = 'logistic_regression'",
      "--order",
      "metrics.cv_roc_auc DESC",
      "--json",
    ]);
    expect(candidates.code, candidates.stderr).toBe(0);
    expect(candidates.json<{ runs: { name: string }[] }>().runs.map((r) => r.name)).toEqual([
      "logistic",
      "logistic",
    ]);
    const show = await runCli(["runs", "show", runId, ...p()]);
    expect(show.stdout).toMatch(/model\.json/);
    const compare = await runCli(["runs", "compare", runs[0]!.id, runs[1]!.id, ...p(), "--json"]);
    expect(compare.code).toBe(0);
    expect(compare.json<{ metrics: { key: string }[] }>().metrics.map((m) => m.key)).toContain("roc_auc");
  });

  it("refuses a bad filter naming the token and its position", async () => {
    const r = await runCli(["runs", "list", ...p(), "--filter", "metrics.roc_auc >> 0.8"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/E_FILTER.*position 18 \(">"\)/);
  });

  it("quotes only what the user typed in a filter error, never the clause the verb adds", async () => {
    for (const filter of [
      "metrics.rows > 3 and",
      "metrics.rows > 'many",
      "metrics.rows > 3 or params.a = 'b'",
    ]) {
      const r = await runCli(["runs", "list", ...p(), "--filter", filter]);
      expect(r.code, filter).toBe(2);
      expect(r.stderr).toMatch(/E_FILTER/);
      expect(r.stderr, filter).not.toMatch(/sluice\.type|pipeline/);
    }
  });

  it("shows whole-number metrics as whole numbers, and artifact size and URI in their own columns", async () => {
    const show = await runCli(["runs", "show", runId, ...p(), "--no-color"]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/^rows\s+1,200$/m);
    expect(show.stdout).toMatch(/^validation_rows\s+\d+$/m);
    expect(show.stdout).toMatch(/^roc_auc\s+0\.\d{4}$/m);
    const header = show.stdout.split("\n").find((l) => l.startsWith("artifact"));
    expect(header).toMatch(/^artifact\s+size\s+uri$/);
    expect(show.stdout).toMatch(/^model\.json\s+[\d.]+ (B|kB|MB)\s+file:\/\/\S+model\.json$/m);
  });

  it("heads each compared run with its name, and its full id on the line below", async () => {
    const list = await runCli(["runs", "list", ...p(), "--json"]);
    const [a, b] = list.json<{ runs: { id: string; name: string }[] }>().runs;
    const r = await runCli(["runs", "compare", a!.id, b!.id, ...p(), "--no-color"]);
    expect(r.code, r.stderr).toBe(0);
    const [names, ids, rule] = r.stdout.split("\n");
    expect(names!.trim().split(/\s+/)).toEqual([a!.name, b!.name]);
    expect(ids!.trim().split(/\s+/)).toEqual([a!.id, b!.id]);
    expect(rule).toMatch(/^─+(\s+─+)+$/);
  });

  it("marks a run whose process died (kill -9) killed as soon as a read verb opens the store", async () => {
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    const store = await openStore(undefined, { projectDir: project });
    let orphan: string;
    try {
      const exp = await store.getOrCreateExperiment("churn");
      orphan = (await store.createRun({ experimentId: exp.id, name: "orphan", pid: dead, host: hostname() }))
        .id;
    } finally {
      await store.close();
    }
    const list = await runCli([
      "runs",
      "list",
      ...p(),
      "--all",
      "--filter",
      "attributes.name = 'orphan'",
      "--json",
    ]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.json<{ runs: { id: string; status: string }[] }>().runs).toMatchObject([
      { id: orphan, status: "killed" },
    ]);
  });

  it("names an unreachable store URL, without its password, and what to check", async () => {
    const r = await runCli(["runs", "list", ...p(), "--store", "postgres://sluice:hunter2@127.0.0.1:1/test"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/E_STORE/);
    expect(r.stderr).toMatch(/127\.0\.0\.1:1/);
    expect(r.stderr).not.toMatch(/hunter2/);
  });

  it("refuses to run when the artifact folder cannot be written, saying which folder and what to do", async () => {
    const blocked = join(root, "blocked");
    expect((await runCli(["example", "churn", blocked, "--rows", "600", "--json"])).code).toBe(0);
    // A file where the artifact folder should be: no folder can be made there, even as root.
    rmSync(join(blocked, ".sluice"), { recursive: true, force: true });
    mkdirSync(join(blocked, ".sluice"), { recursive: true });
    writeFileSync(join(blocked, ".sluice", "artifacts"), "not a folder");
    const r = await runCli(["run", blocked, "--candidates", "logistic"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/E_ARTIFACT|E_WRITE/);
    expect(r.stderr).toMatch(/artifacts/);
    // Only what the user can do: there is no flag or key that moves the artifacts.
    expect(r.stderr).toMatch(/make that folder writable/);
    expect(r.stderr).toMatch(/copy the project to a folder you can write to/);
    expect(r.stderr).not.toMatch(/pass another folder/);
  });
});
