/**
 * Store search benchmark: a fresh store filled with 50,000 runs (5 params, 5 metrics each),
 * then the median of 20 searches for a filtered, ordered page of 100
 * (`metrics.roc_auc > 0.8 and params.kind = 'gradient_boosting'`, `metrics.roc_auc DESC`):
 * the first page and a deep one, plus an unfiltered metric order and the default order, against
 * the target (< 200 ms for the filtered page on SQLite).
 *
 * Usage: npx tsx bench/store.ts [--runs 50000] [--reps 20] [--postgres postgres://…/db]
 *
 * SQLite goes to a temporary folder (removed afterwards); PostgreSQL to a new schema of the
 * given database (dropped afterwards). The runs are loaded in batches of 1,000 per transaction
 * through the store's query builder, not one API call per run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { sql } from "kysely";
import pg from "pg";
import { Random } from "../src/data/random.js";
import { openStore } from "../src/track/open.js";
import type { Database } from "../src/track/db.js";
import type { KyselyStore } from "../src/track/store.js";
import type { SearchRunsInput, Store } from "../src/track/types.js";
import { intOption, median } from "./lib/cli.js";

const TARGET_MS = 200;
const BATCH = 1000;
const KINDS = ["gradient_boosting", "random_forest", "logistic_regression", "ridge"];

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

async function fill(store: Store, runs: number): Promise<void> {
  const db = (store as KyselyStore).kysely;
  const exp = await store.getOrCreateExperiment("bench");
  const rng = new Random(11);
  const t0 = Date.now() - runs * 1000;
  const started = performance.now();
  for (let first = 0; first < runs; first += BATCH) {
    const n = Math.min(BATCH, runs - first);
    const runRows: Database["runs"][] = [];
    const params: Database["params"][] = [];
    const metrics: Database["metrics"][] = [];
    for (let j = 0; j < n; j++) {
      const i = first + j;
      const id = `run-${String(i).padStart(6, "0")}`;
      const start = t0 + i * 1000;
      runRows.push({
        id,
        experiment_id: exp.id,
        name: `trial ${i}`,
        status: "finished",
        start_time: start,
        end_time: start + 500,
        parent_run_id: null,
        pid: null,
        host: null,
      });
      const kind = KINDS[rng.int(KINDS.length)]!;
      for (const [key, value] of [
        ["kind", kind],
        ["learning_rate", (0.01 + rng.next() * 0.3).toFixed(4)],
        ["num_leaves", String(15 + rng.int(48))],
        ["trees", String(100 * (1 + rng.int(5)))],
        ["seed", String(i)],
      ] as const)
        params.push({ run_id: id, key, value });
      const auc = 0.5 + rng.next() * 0.45;
      for (const [key, value] of [
        ["roc_auc", auc],
        ["accuracy", 0.6 + rng.next() * 0.3],
        ["log_loss", 0.2 + rng.next() * 0.5],
        ["f1", rng.next()],
        ["brier", rng.next() * 0.3],
      ] as const)
        metrics.push({ run_id: id, key, value, step: 0, timestamp: start + 400 });
    }
    await db.transaction().execute(async (tx) => {
      await tx.insertInto("runs").values(runRows).execute();
      await tx.insertInto("params").values(params).execute();
      await tx.insertInto("metrics").values(metrics).execute();
      await tx.insertInto("latest_metrics").values(metrics).execute();
    });
    if ((first / BATCH) % 10 === 9) process.stderr.write(`  filled ${first + n} / ${runs} runs\n`);
  }
  // Fresh planner statistics, as autovacuum (PostgreSQL) or `PRAGMA optimize` (SQLite) would
  // have after a load this size.
  await sql`analyze`.execute(db);
  process.stderr.write(`\r  filled ${runs} runs in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

/** A page token for `offset` (the store's tokens are base64url JSON {o, q}). */
function deepToken(token: string, offset: number): string {
  const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { o: number; q: string };
  return Buffer.from(JSON.stringify({ o: offset, q: parsed.q })).toString("base64url");
}

async function time(
  store: Store,
  input: SearchRunsInput,
  reps: number,
): Promise<{ ms: number; count: number }> {
  const times: number[] = [];
  let count = 0;
  await store.searchRuns(input); // warm
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    const page = await store.searchRuns(input);
    times.push(performance.now() - t);
    count = page.runs.length;
  }
  return { ms: median(times), count };
}

async function measure(label: string, store: Store, runs: number, reps: number): Promise<boolean> {
  console.log(`\n${label}: ${store.url}`);
  await fill(store, runs);
  const filter = "metrics.roc_auc > 0.8 and params.kind = 'gradient_boosting'";
  const orderBy = ["metrics.roc_auc DESC"];
  const first = await store.searchRuns({ filter, orderBy, pageSize: 100 });
  const matching = Math.round(runs * 0.25 * (0.15 / 0.45));
  const deepOffset = Math.max(0, Math.floor(matching / 100) * 100 - 100);
  const cases: [string, SearchRunsInput][] = [
    ["filtered, ordered, first page", { filter, orderBy, pageSize: 100 }],
    [
      `filtered, ordered, deep page (offset ${deepOffset})`,
      { filter, orderBy, pageSize: 100, pageToken: deepToken(first.nextPageToken!, deepOffset) },
    ],
    ["unfiltered, ordered by metrics.roc_auc DESC, first page", { orderBy, pageSize: 100 }],
    ["default order (start_time DESC), first page", { pageSize: 100 }],
  ];
  let pass = true;
  for (const [name, input] of cases) {
    const { ms, count } = await time(store, input, reps);
    const gated = name.startsWith("filtered");
    if (gated && ms >= TARGET_MS) pass = false;
    console.log(
      `  ${name.padEnd(58)} median ${ms.toFixed(1).padStart(7)} ms  (${count} runs)${gated ? (ms < TARGET_MS ? "  PASS" : "  FAIL") : ""}`,
    );
  }
  return pass;
}

const runs = intOption("runs", 50_000);
const reps = intOption("reps", 20);
const postgres = option("postgres");

const dir = mkdtempSync(join(tmpdir(), "sluice-bench-store-"));
let ok = true;
try {
  const sqlite = await openStore(join(dir, "bench.db"));
  try {
    ok = (await measure("SQLite", sqlite, runs, reps)) && ok;
  } finally {
    await sqlite.close();
  }
  if (postgres !== undefined) {
    const schema = `sluice_bench_${process.pid}`;
    const url = new URL(postgres);
    url.searchParams.set("schema", schema);
    const store = await openStore(url.toString());
    try {
      ok = (await measure("PostgreSQL", store, runs, reps)) && ok;
    } finally {
      await store.close();
      const client = new pg.Client({ connectionString: postgres });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(
  `\n${ok ? "PASS" : "FAIL"}: filtered, ordered pages of 100 ${ok ? "under" : "not all under"} ${TARGET_MS} ms`,
);
process.exitCode = ok ? 0 : 1;
