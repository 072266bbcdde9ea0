import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleRecord } from "../../serve/sample.js";
import { trainChurn, type TrainedChurn } from "../../serve/test-utils/model.js";
import { openStore } from "../../track/index.js";
import type { Store } from "../../track/types.js";
import { parseRateLimit } from "./serve.js";

const NAME = "churn_predictor";
let trained: TrainedChurn;
let store: Store;
let entry: string;
let body: string;
let copies = 0;
const children: ChildProcess[] = [];

/** Register a copy of version 1 and promote it to production. */
async function promoteCopy(): Promise<number> {
  const from = dirname(trained.bundle.modelPath);
  const folder = join(trained.dir, "copies", String(++copies));
  mkdirSync(folder, { recursive: true });
  for (const file of ["model.json", "features.json", "serving.json", "profile.json"])
    if (existsSync(join(from, file))) copyFileSync(join(from, file), join(folder, file));
  const { version } = await store.createModelVersion({ name: NAME, source: join(folder, "model.json") });
  await store.transitionStage(NAME, version, "production", { by: "ci", reason: "test" });
  return version;
}

interface Served {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** `sluice serve ARGS` in a child process; resolves once it prints its URL (or fails when it exits first). */
function serve(args: readonly string[]): Promise<Served> {
  const child = spawn(process.execPath, ["--import", "tsx", entry, "serve", ...args], {
    env: { ...process.env, NO_COLOR: "1", SLUICE_API_KEYS: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((done) =>
    child.on("close", (code, signal) => done({ code, signal, stderr })),
  );
  return new Promise((done, fail) => {
    const onData = (): void => {
      const m = /at (http:\/\/\S+)/.exec(stdout);
      if (m === null || !stdout.includes("Ctrl+C")) return;
      child.stdout.off("data", onData);
      done({ child, url: m[1]!, stdout: () => stdout, exit });
    };
    child.stdout.on("data", onData);
    void exit.then((e) =>
      fail(new Error(`sluice serve exited (${String(e.code ?? e.signal)}): ${e.stderr}`)),
    );
  });
}

interface Answer {
  status: number;
  version: string | undefined;
  pid: string | undefined;
}

/** POST /predict on a fresh connection. */
function predict(url: string): Promise<Answer> {
  return new Promise((done, fail) => {
    const req = httpRequest(
      `${url}/predict`,
      { method: "POST", agent: false, headers: { "content-type": "application/json" } },
      (res) => {
        res.resume();
        res.on("end", () => {
          const h = (name: string): string | undefined => {
            const v = res.headers[name];
            return typeof v === "string" ? v : undefined;
          };
          done({ status: res.statusCode ?? 0, version: h("x-model-version"), pid: h("x-sluice-pid") });
        });
      },
    );
    req.on("error", fail);
    // A connection handed to a worker that was just killed is never answered: give up on it.
    req.setTimeout(5000, () => req.destroy(new Error("no answer")));
    req.end(body);
  });
}

/** Ask until `done(answer)`; the limit only stops a hung test. */
async function askUntil(url: string, done: (a: Answer) => boolean, limit = 400): Promise<Answer> {
  for (let i = 0; i < limit; i++) {
    const a = await predict(url).catch(() => undefined);
    if (a !== undefined && done(a)) return a;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("no such answer");
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  trained = await trainChurn();
  store = await openStore(undefined, { projectDir: trained.dir });
  await store.transitionStage(NAME, 1, "production", { by: "ci", reason: "test" });
  body = JSON.stringify(sampleRecord(trained.bundle));
  // The CLI's entry, run from the sources.
  const src = resolve(import.meta.dirname, "../..");
  entry = join(dirname(trained.dir), "serve-cli.mts");
  const url = (p: string): string => JSON.stringify(pathToFileURL(join(src, p)).href);
  writeFileSync(
    entry,
    `import { main } from ${url("cli/main.ts")};
process.exitCode = await main(process.argv);
`,
  );
}, 120_000);
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await store.close();
  rmSync(dirname(trained.dir), { recursive: true, force: true });
});

describe("parseRateLimit", () => {
  it("reads N/WINDOW with a duration or a bare unit, and off", () => {
    expect(parseRateLimit("100/1m")).toEqual({ max: 100, window: 60_000 });
    expect(parseRateLimit("20/s")).toEqual({ max: 20, window: 1000 });
    expect(parseRateLimit(" 5 / 500ms ")).toEqual({ max: 5, window: 500 });
    expect(parseRateLimit("off")).toBe(false);
  });

  it("refuses a count below 1, a window of 0 and text that is not N/WINDOW", () => {
    for (const bad of ["0/1m", "10/0s", "10", "10/soon", "-1/1m", "1.5/1m"])
      expect(() => parseRateLimit(bad), bad).toThrow(/--rate-limit expects N\/WINDOW/);
  });
});

describe("sluice serve", () => {
  it("serves the project's production model, picks up a promotion, and exits 0 on SIGTERM", async () => {
    const s = await serve([trained.dir, "--port", "0", "--poll-ms", "100"]);
    expect(s.stdout()).toContain(`${NAME} version 1 (production)`);
    expect(s.stdout()).toContain(`${s.url}/docs`);
    expect((await fetch(`${s.url}/ready`)).status).toBe(200);
    expect(await predict(s.url)).toMatchObject({ status: 200, version: "1" });
    const v2 = await promoteCopy();
    expect(await askUntil(s.url, (a) => a.version === String(v2))).toMatchObject({ status: 200 });
    s.child.kill("SIGTERM");
    const e = await s.exit;
    expect(e).toMatchObject({ code: 0, signal: null });
  }, 60_000);

  it("runs 2 workers on one port, restarts one that dies, and stops them all on SIGTERM", async () => {
    const s = await serve([trained.dir, "--port", "0", "--workers", "2", "--poll-ms", "100"]);
    const pids = new Set<string>();
    await askUntil(s.url, (a) => {
      expect(a.status).toBe(200);
      if (a.pid !== undefined) pids.add(a.pid);
      return pids.size === 2;
    });
    const [first, second] = [...pids].map(Number) as [number, number];
    process.kill(first, "SIGKILL");
    const fresh = await askUntil(s.url, (a) => a.status === 200 && a.pid !== undefined && !pids.has(a.pid));
    const third = Number(fresh.pid);
    s.child.kill("SIGTERM");
    expect(await s.exit).toMatchObject({ code: 0, signal: null });
    expect(alive(second)).toBe(false);
    expect(alive(third)).toBe(false);
  }, 90_000);

  it("limits prediction requests per client with --rate-limit over a socket: 429 with retry-after, /health open", async () => {
    const s = await serve([trained.dir, "--port", "0", "--rate-limit", "2/1m"]);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await predict(s.url)).status);
    expect(statuses).toEqual([200, 200, 429]);
    const over = await fetch(`${s.url}/predict`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(over.status).toBe(429);
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await over.json()) as { error: { code: string; message: string } }).error).toEqual(
      expect.objectContaining({
        code: "E_USAGE",
        message: "too many requests: at most 2 per 1m from one client address",
      }),
    );
    for (let i = 0; i < 3; i++) expect((await fetch(`${s.url}/health`)).status).toBe(200);
    s.child.kill("SIGTERM");
    expect(await s.exit).toMatchObject({ code: 0 });
  }, 60_000);

  it("gives a client one --rate-limit budget across --workers 2, not one per worker", async () => {
    const s = await serve([trained.dir, "--port", "0", "--workers", "2", "--rate-limit", "4/1m"]);
    const answers: Answer[] = [];
    // Each request on its own connection: the primary hands connections to the workers in turn.
    for (let i = 0; i < 10; i++) answers.push(await predict(s.url));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 429, 429, 429, 429, 429, 429]);
    expect(new Set(answers.map((a) => a.pid)).size).toBe(2);
    s.child.kill("SIGTERM");
    expect(await s.exit).toMatchObject({ code: 0, signal: null });
  }, 90_000);

  it("refuses a --rate-limit it cannot read, naming it", async () => {
    await expect(serve([trained.dir, "--port", "0", "--rate-limit", "lots"])).rejects.toThrow(
      /--rate-limit expects N\/WINDOW such as 100\/1m or 20\/s .*got "lots"/,
    );
  }, 60_000);

  it("says to promote a version when nothing is in production", async () => {
    const empty = join(dirname(trained.dir), "empty.db");
    await expect(serve([trained.dir, "--port", "0", "--store", empty])).rejects.toThrow(
      /no version of churn_predictor is in production[\s\S]*sluice promote churn_predictor/,
    );
  }, 60_000);
});
