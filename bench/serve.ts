/**
 * Serving benchmark: our server against the tuned FastAPI peer, the same Telco gradient-boosting
 * model kind and the same record, with `wrk -t2 -c32 -d15s --latency` on loopback.
 *
 * Usage: npx tsx bench/serve.ts [--duration 15s] [--runs 3] [--port 8781] [--peer-port 8765] [--no-peer]
 *        [--app-only] [--no-log]
 *
 * 1. Trains a project initialised from the Telco CSV with target Churn, gradient boosting only,
 *    registered in the project's store, in a fresh temp folder removed at the end (never one
 *    shared with other checkouts, whose store or model format may differ). Its prediction log
 *    starts empty, so every run inserts into tables of the same size.
 * 2. Takes the peer's own held-out example record (`serve_peer.py --example`) as the body.
 * 3. Starts our server (`startServer`, 1 worker: registry source, prediction log, metrics; or
 *    the bare app with --app-only; --no-log turns the prediction log off) in a child process on
 *    127.0.0.1, checks one POST, warms up for 3 s, then runs wrk on POST /predict
 *    (../shared/peers/post.lua) and GET /health, alternating, `--runs` times each, and stops it
 *    by its PID.
 * 4. Runs ../shared/peers/bench_serve_peer.sh (uvicorn, 1 worker, OMP_NUM_THREADS=1, async
 *    handler, uvloop, httptools) on the same record, `--runs` times.
 * 5. Prints every run and the medians (req/s and p99 each taken separately) of both, the load
 *    average before and after, and the ratios against the serving targets: ours/peer on
 *    /predict ≥ 40×, p99 of /predict ≤ 5 ms, ours /predict ≥ 0.70 × ours /health.
 *
 * Needs wrk and, for the peer, python3-fastapi python3-uvicorn python3-uvloop python3-httptools
 * python3-sklearn python3-pandas (Debian packages).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { initProject } from "../src/pipeline/init.js";
import { runProject } from "../src/pipeline/run.js";
import { loadProject } from "../src/project/project.js";
import { median } from "./lib/cli.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const peers = resolve(root, "../shared/peers");
const telco = resolve(root, "../shared/data/WA_Fn-UseC_-Telco-Customer-Churn.csv");

const args = process.argv.slice(2);
const arg = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : args[i + 1]!;
};
const duration = arg("--duration", "15s");
const port = Number(arg("--port", "8781"));
const peerPort = arg("--peer-port", "8765");
const runs = Number(arg("--runs", "3"));
const runPeer = !args.includes("--no-peer");
const appOnly = args.includes("--app-only");
const noLog = args.includes("--no-log");

interface WrkResult {
  rps: number;
  /** Milliseconds. */
  p50: number;
  p99: number;
  errors: string;
}

/** wrk's latency text (`850.00us`, `2.43ms`, `1.02s`) in milliseconds. */
function millis(text: string | undefined): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text ?? "");
  if (m === null) return NaN;
  return Number(m[1]) * (m[2] === "us" ? 0.001 : m[2] === "s" ? 1000 : 1);
}

function parseWrk(text: string): WrkResult {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? NaN);
  const pct = (p: string): number => millis(new RegExp(`^\\s*${p}%\\s+(\\S+)`, "m").exec(text)?.[1]);
  const errors = text
    .split("\n")
    .filter((l) => /Non-2xx|Socket errors/.test(l))
    .join(" ")
    .trim();
  return { rps, p50: pct("50"), p99: pct("99"), errors };
}

/** The medians of several runs, each figure taken separately. */
function medianOf(results: WrkResult[]): WrkResult {
  return {
    rps: median(results.map((r) => r.rps)),
    p50: median(results.map((r) => r.p50)),
    p99: median(results.map((r) => r.p99)),
    errors: results
      .map((r) => r.errors)
      .filter((e) => e !== "")
      .join("; "),
  };
}

const load = (): string => loadavg()[0]!.toFixed(2);

function wrk(url: string, extra: string[], env: NodeJS.ProcessEnv = process.env, d = duration): string {
  const r = spawnSync("timeout", ["120", "wrk", "-t2", "-c32", `-d${d}`, "--latency", ...extra, url], {
    encoding: "utf8",
    env,
  });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  return r.stdout;
}

/** A Telco project with gradient boosting, trained and registered in `dir` (a folder of this run). */
async function telcoModel(dir: string): Promise<{ dir: string; source: string }> {
  mkdirSync(dir, { recursive: true });
  await initProject({ dir, data: telco, target: "Churn" });
  const { summary } = await runProject(loadProject(dir), { candidates: ["gbdt"], threads: 2 });
  if (summary.registry === undefined) throw new Error(`the run registered nothing: ${summary.status}`);
  return { dir, source: `models:/${summary.registry.name}/${summary.registry.version}` };
}

async function waitFor(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within 60 s`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise((r) => child.once("exit", r));
  process.kill(child.pid, "SIGTERM");
  const timer = setTimeout(
    () => child.pid !== undefined && child.exitCode === null && process.kill(child.pid, "SIGKILL"),
    10_000,
  );
  await exited;
  clearTimeout(timer);
}

async function main(): Promise<void> {
  if (!existsSync(telco)) throw new Error(`the Telco data is not at ${telco}`);
  const work = mkdtempSync(join(tmpdir(), "sluice-bench-serve-"));
  try {
    const { dir, source } = await telcoModel(join(work, "telco"));
    // The peer's own held-out example, so both sides answer the same record.
    const example = spawnSync(
      "/usr/bin/python3",
      [join(peers, "serve_peer.py"), "--data", telco, "--target", "Churn", "--example", "--positive", "Yes"],
      { encoding: "utf8" },
    );
    if (example.status !== 0) throw new Error(`serve_peer.py --example failed: ${example.stderr}`);
    const record = JSON.parse(example.stdout.trim().split("\n").pop()!) as Record<string, unknown>;
    const bodyFile = join(work, "body.json");

    const loadBefore = load();
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        join(here, "lib", "serve-child.ts"),
        "--model",
        source,
        "--project",
        dir,
        "--port",
        String(port),
        ...(appOnly ? ["--app-only"] : []),
        ...(noLog ? ["--no-log"] : []),
      ],
      { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
    );
    const base = `http://127.0.0.1:${port}`;
    const ours = { predict: [] as WrkResult[], health: [] as WrkResult[] };
    try {
      await waitFor(`${base}/health`, child);
      await waitFor(`${base}/ready`, child);
      // The peer's record has no id column (it drops id-like columns): take ours from /sample.
      const sample = (await (await fetch(`${base}/sample`)).json()) as Record<string, unknown>;
      const body = { ...Object.fromEntries(Object.keys(sample).map((k) => [k, sample[k]])), ...record };
      writeFileSync(bodyFile, JSON.stringify(body));
      const check = await fetch(`${base}/predict`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const answer = await check.text();
      console.log(`body: ${JSON.stringify(body)}`);
      console.log(`check POST /predict -> HTTP ${check.status} ${answer}`);
      if (check.status !== 200) throw new Error("our server refused the record");
      const env = { ...process.env, PEER_BODY_FILE: bodyFile };
      wrk(`${base}/predict`, ["-s", join(peers, "post.lua")], env, "3s");
      // Alternating, so that both endpoints see the same changes in the machine's load.
      for (let i = 0; i < runs; i++) {
        const predictText = wrk(`${base}/predict`, ["-s", join(peers, "post.lua")], env);
        const healthText = wrk(`${base}/health`, []);
        console.log(predictText, healthText);
        ours.predict.push(parseWrk(predictText));
        ours.health.push(parseWrk(healthText));
      }
    } finally {
      await stop(child);
    }

    const peer = { predict: [] as WrkResult[], health: [] as WrkResult[] };
    for (let i = 0; runPeer && i < runs; i++) {
      const r = spawnSync(
        "bash",
        [
          join(peers, "bench_serve_peer.sh"),
          telco,
          "Churn",
          "1",
          peerPort,
          "--",
          "--positive",
          "Yes",
          "--handler",
          "async",
          "--loop",
          "uvloop",
          "--http",
          "httptools",
        ],
        {
          encoding: "utf8",
          env: { ...process.env, OMP_NUM_THREADS: "1", DURATION: duration },
          timeout: 600_000,
        },
      );
      console.log(r.stdout);
      if (r.status !== 0) {
        console.error(`peer failed: ${r.stderr}`);
        break;
      }
      const section = (label: string): string => r.stdout.split(`== ${label}:`)[1]?.split("==")[0] ?? "";
      peer.predict.push(parseWrk(section("predict")));
      peer.health.push(parseWrk(section("health")));
    }
    const loadAfter = load();

    const ms = (v: number): string => `${v.toFixed(2)} ms`;
    const row = (name: string, all: WrkResult[]): string => {
      const m = medianOf(all);
      const each = all.map((w) => w.rps.toFixed(0)).join(", ");
      return `| ${name} | ${m.rps.toFixed(0)} | ${ms(m.p50)} | ${ms(m.p99)} | ${each} | ${m.errors || "-"} |`;
    };
    console.log(
      `\n## serve (wrk -t2 -c32 -d${duration} --latency, loopback, 1 worker each, medians of ${runs} runs; load ${loadBefore} before, ${loadAfter} after)\n`,
    );
    console.log(
      "| server | req/s | p50 | p99 | req/s of each run | errors |\n| --- | --- | --- | --- | --- | --- |",
    );
    const label = `ours POST /predict${appOnly ? " (app only)" : noLog ? " (log off)" : ""}`;
    console.log(row(label, ours.predict));
    console.log(row("ours GET /health", ours.health));
    if (peer.predict.length > 0) {
      console.log(row("peer POST /predict (tuned)", peer.predict));
      console.log(row("peer GET /health (tuned)", peer.health));
    }
    const p = medianOf(ours.predict);
    const h = medianOf(ours.health);
    const verdict = (ok: boolean): string => (ok ? "met" : "NOT met");
    console.log("");
    console.log(
      `ours /predict / ours /health: ${(p.rps / h.rps).toFixed(2)} (target ≥ 0.70: ${verdict(p.rps / h.rps >= 0.7)})`,
    );
    console.log(`ours /predict p99: ${ms(p.p99)} (target ≤ 5 ms: ${verdict(p.p99 <= 5)})`);
    if (peer.predict.length > 0) {
      const ratio = p.rps / medianOf(peer.predict).rps;
      console.log(
        `ours /predict / peer /predict: ${ratio.toFixed(1)}× (target ≥ 40×: ${verdict(ratio >= 40)})`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
