/**
 * `sluice run` as real processes: killed with SIGKILL in the middle, and two at once on one
 * store — on SQLite and on PostgreSQL.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeExample } from "../data/examples/index.js";
import { openStore } from "../track/index.js";
import type { Store } from "../track/types.js";
import { spawnCli } from "./test-utils/spawn-cli.js";

const PG = process.env.SLUICE_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";
const root = mkdtempSync(join(tmpdir(), "sluice-reliability-"));
let project: string;

beforeAll(async () => {
  project = join(root, "churn");
  await writeExample("churn", project, { rows: 1500 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const schemas: string[] = [];
afterAll(async () => {
  const client = new pg.Client({ connectionString: PG });
  await client.connect();
  try {
    for (const s of schemas) await client.query(`drop schema if exists "${s}" cascade`);
  } finally {
    await client.end();
  }
});

function pgUrl(): string {
  const schema = `sluice_rel_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  schemas.push(schema);
  const url = new URL(PG);
  url.searchParams.set("schema", schema);
  return url.toString();
}

const backends: [string, () => string][] = [
  ["SQLite", () => join(root, `store-${Math.random().toString(36).slice(2)}.db`)],
  ["PostgreSQL", pgUrl],
];

describe.each(backends)("sluice run on %s", (_name, makeUrl) => {
  const opened: Store[] = [];
  afterAll(async () => {
    for (const s of opened) await s.close();
  });
  async function open(url: string): Promise<Store> {
    const s = await openStore(url, { projectDir: project });
    opened.push(s);
    return s;
  }

  it("survives SIGKILL mid-run: the store opens, the run is marked killed, no half version, the next run registers", async () => {
    const url = makeUrl();
    const store = await open(url);
    const first = spawnCli([
      "run",
      project,
      "--candidates",
      "logistic",
      "--threads",
      "1",
      "--store",
      url,
      "--json",
    ]);
    // Kill as soon as the run is recorded as running.
    let running: string | undefined;
    for (let i = 0; i < 400 && running === undefined; i++) {
      await sleep(50);
      const page = await store.searchRuns({ filter: "attributes.status = 'running'" });
      running = page.runs.find((r) => r.tags["sluice.type"] === "pipeline")?.id;
    }
    expect(running, "the run never appeared as running").toBeDefined();
    first.child.kill("SIGKILL");
    const end = await first.done;
    expect(end.signal).toBe("SIGKILL");
    expect((await store.getRun(running!)).status).toBe("running");

    const second = await spawnCli([
      "run",
      project,
      "--candidates",
      "logistic",
      "--threads",
      "1",
      "--store",
      url,
      "--json",
    ]).done;
    expect(second.code, second.stderr).toBe(0);
    expect((await store.getRun(running!)).status).toBe("killed");
    const versions = await store.listModelVersions("churn_predictor");
    // Every version is whole: it has its gates, and its files are there.
    for (const v of versions) {
      expect(v.gates.length).toBeGreaterThan(0);
      expect(existsSync(fileURLToPath(v.source))).toBe(true);
    }
    expect(versions.at(-1)!.runId).toBe((JSON.parse(second.stdout) as { runId: string }).runId);
  });

  it("lets two runs at once both finish, with distinct version numbers", async () => {
    const url = makeUrl();
    const args = ["run", project, "--candidates", "logistic", "--threads", "1", "--store", url, "--json"];
    const [a, b] = await Promise.all([spawnCli(args).done, spawnCli(args).done]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const va = (JSON.parse(a.stdout) as { registry: { version: number } }).registry.version;
    const vb = (JSON.parse(b.stdout) as { registry: { version: number } }).registry.version;
    expect([va, vb].sort()).toEqual([1, 2]);
    const store = await open(url);
    expect((await store.listModelVersions("churn_predictor")).map((v) => v.version).sort()).toEqual([1, 2]);
  });
});
