import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { request as httpRequest, Agent } from "node:http";
import { dirname, join, resolve } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { spawnCli, type ChildRun } from "../cli/test-utils/spawn-cli.js";
import { openStore } from "../track/index.js";
import type { Store, StoredPrediction } from "../track/types.js";
import { sampleRecord } from "./sample.js";
import { parseApiKeys, startServer, type RunningServer } from "./server.js";
import { trainChurn, type TrainedChurn } from "./test-utils/model.js";

const NAME = "churn_predictor";
let trained: TrainedChurn;
let store: Store;
let body: string;
let copies = 0;
/** How long the promote-under-load test sends requests: 20 s, or SLUICE_RELIABILITY_SECONDS. */
const RELIABILITY_SECONDS = Number(process.env.SLUICE_RELIABILITY_SECONDS ?? 20);
/** Predictions answered by the first server (all of them must reach its prediction log). */
let answered = 0;

/** Register a copy of version 1's files as a new version and promote it to production; `damage` changes the copy first. */
async function promoteCopy(damage?: (folder: string) => void): Promise<number> {
  const from = dirname(trained.bundle.modelPath);
  const folder = join(trained.dir, "copies", String(++copies));
  mkdirSync(folder, { recursive: true });
  for (const file of ["model.json", "features.json", "serving.json", "profile.json"])
    if (existsSync(join(from, file))) copyFileSync(join(from, file), join(folder, file));
  damage?.(folder);
  const { version } = await store.createModelVersion({ name: NAME, source: join(folder, "model.json") });
  await store.transitionStage(NAME, version, "production", { by: "ci", reason: "test" });
  return version;
}

/** Every row of the store's prediction log, paging by id. */
async function allRows(): Promise<StoredPrediction[]> {
  const out: StoredPrediction[] = [];
  let afterId: number | undefined;
  for (;;) {
    const page = await store.listPredictions!({ limit: 5000, ...(afterId === undefined ? {} : { afterId }) });
    if (page.length === 0) return out;
    out.push(...page);
    afterId = page[page.length - 1]!.id;
  }
}

interface Answer {
  status: number;
  version: string | undefined;
  text: string;
}

/** One POST /predict over `agent` (one socket per agent: a connection). */
function predict(url: string, agent?: Agent): Promise<Answer> {
  return new Promise((done, fail) => {
    const req = httpRequest(
      `${url}/predict`,
      { method: "POST", agent, headers: { "content-type": "application/json" } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (text += d));
        res.on("end", () => {
          const v = res.headers["x-model-version"];
          done({ status: res.statusCode ?? 0, version: typeof v === "string" ? v : undefined, text });
        });
      },
    );
    req.on("error", fail);
    req.end(body);
  });
}

beforeAll(async () => {
  trained = await trainChurn();
  store = await openStore(undefined, { projectDir: trained.dir });
  await store.transitionStage(NAME, 1, "production", { by: "ci", reason: "test" });
  body = JSON.stringify(sampleRecord(trained.bundle));
}, 120_000);
afterAll(async () => {
  await store.close();
  rmSync(dirname(trained.dir), { recursive: true, force: true });
});

describe("parseApiKeys", () => {
  it("reads keys by role, separated by ; and ,", () => {
    expect(parseApiKeys("admin:key1,key2;predict:key3")).toEqual({
      admin: ["key1", "key2"],
      predict: ["key3"],
    });
    expect(parseApiKeys(" admin : a , b ; predict: c ;")).toEqual({ admin: ["a", "b"], predict: ["c"] });
  });

  it("takes a plain comma list as admin keys, and leaves predictions open without predict keys", () => {
    expect(parseApiKeys("k1, k2")).toEqual({ admin: ["k1", "k2"] });
    expect(parseApiKeys(undefined)).toEqual({ admin: [] });
    expect(parseApiKeys("")).toEqual({ admin: [] });
    expect(parseApiKeys("admin:")).toEqual({ admin: [] });
  });

  it("refuses an unknown role, naming it", () => {
    expect(() => parseApiKeys("admin:a;reader:b")).toThrow(/unknown role "reader"/);
  });
});

describe("startServer", () => {
  let server: RunningServer | undefined;
  afterAll(() => server?.close());

  it("serves the production version over a socket, follows a promotion, and logs every prediction", async () => {
    server = await startServer({
      source: `models:/${NAME}@production`,
      projectDir: trained.dir,
      port: 0,
      pollMs: 50,
      apiKeys: "admin:s3cret",
      log: () => undefined,
    });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${server.url}/ready`)).status).toBe(200);
    const first = await predict(server.url);
    expect(first.status).toBe(200);
    answered++;
    expect(first.version).toBe("1");

    const v2 = await promoteCopy();
    const end = Date.now() + 15_000;
    let answer = first;
    while (answer.version !== String(v2) && Date.now() < end) {
      answer = await predict(server.url);
      if (answer.status === 200) answered++;
    }
    expect(answer).toMatchObject({ status: 200, version: String(v2) });
    expect(server.model()?.version).toBe(v2);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toContain(`model_info{name="${NAME}",version="${v2}"`);

    const denied = await fetch(`${server.url}/admin/reload`, {
      method: "POST",
      headers: { "x-api-key": "nope" },
    });
    expect(denied.status).toBe(403);
    const allowed = await fetch(`${server.url}/admin/reload`, {
      method: "POST",
      headers: { authorization: "Bearer s3cret" },
    });
    expect(allowed.status).toBe(200);
  });

  it("finishes the requests in flight on close, flushes the prediction log, then refuses connections", async () => {
    const url = server!.url;
    const http = server!.http!;
    // Every prediction so far went through this server: the log must hold them all.
    const before = answered;
    // Requests whose headers the server has read and whose bodies are still coming.
    const n = 8;
    let received = 0;
    const arrived = new Promise<void>((done) =>
      http.on("request", () => {
        if (++received === n) done();
      }),
    );
    const pending = Array.from({ length: n }, () => {
      let finish!: () => void;
      const answer = new Promise<Answer>((done, fail) => {
        const req = httpRequest(
          `${url}/predict`,
          {
            method: "POST",
            headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
          },
          (res) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (d: string) => (text += d));
            res.on("end", () => done({ status: res.statusCode ?? 0, version: undefined, text }));
          },
        );
        req.on("error", fail);
        req.write(body.slice(0, 5));
        finish = () => req.end(body.slice(5));
      });
      return { answer, finish: () => finish() };
    });
    await arrived;
    const closed = server!.close();
    server = undefined;
    for (const p of pending) p.finish();
    const answers = await Promise.all(pending.map((p) => p.answer));
    await closed;
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: n }, () => 200));
    // Every answered prediction is in the log once the server is closed (no sleep, no flush call).
    const reopened = await openStore(undefined, { projectDir: trained.dir });
    try {
      expect((await reopened.countPredictions!({ model: NAME })) - before).toBe(n);
    } finally {
      await reopened.close();
    }
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it("answers with a model file and no store, and refuses a port in use", async () => {
    const a = await startServer({ source: trained.bundle.modelPath, port: 0, log: () => undefined });
    try {
      const r = await predict(a.url);
      expect(r).toMatchObject({ status: 200, version: "file" });
      const port = Number(new URL(a.url).port);
      await expect(
        startServer({ source: trained.bundle.modelPath, port, log: () => undefined }),
      ).rejects.toMatchObject({ code: "E_USAGE", message: expect.stringMatching(/EADDRINUSE/) as unknown });
    } finally {
      await a.close();
    }
  });

  it("answers a refused reload with 409 over a socket while the old version keeps serving, and /model-info gives its stage now", async () => {
    const live = await startServer({
      source: `models:/${NAME}@production`,
      projectDir: trained.dir,
      port: 0,
      pollMs: 0,
      apiKeys: "admin:s3cret",
      log: () => undefined,
    });
    const reload = () =>
      fetch(`${live.url}/admin/reload`, { method: "POST", headers: { authorization: "Bearer s3cret" } });
    try {
      const serving = live.model()!.version!;
      expect(await (await reload()).json()).toEqual({ changed: false, version: serving });
      // A corrupt model promoted past the version serving, which the registry then archives.
      const broken = await promoteCopy((folder) =>
        writeFileSync(join(folder, "model.json"), '{"format": "slu'),
      );
      const refused = await reload();
      expect(refused.status).toBe(409);
      expect(refused.headers.get("x-model-version")).toBe(String(serving));
      const error = ((await refused.json()) as { error: { code: string; message: string; hint: string } })
        .error;
      expect(error.code).toBe("E_FORMAT");
      expect(error.message).toContain(`reload refused: `);
      expect(error.message).toContain(`${NAME} version ${serving} keeps serving`);
      expect(await predict(live.url)).toMatchObject({ status: 200, version: String(serving) });
      const info = (await (await fetch(`${live.url}/model-info`)).json()) as {
        version: number;
        stage: string;
        status: { lastError?: { version: number } };
      };
      expect(info).toMatchObject({
        version: serving,
        stage: "archived",
        status: { lastError: { version: broken } },
      });

      const good = await promoteCopy();
      const swapped = await reload();
      expect(swapped.status).toBe(200);
      expect(await swapped.json()).toEqual({ changed: true, version: good });
      expect(((await (await fetch(`${live.url}/model-info`)).json()) as { stage: string }).stage).toBe(
        "production",
      );
    } finally {
      await live.close();
    }
  });

  it("says once at start that the prediction log is off and why: a model file outside a project, or log_predictions off", async () => {
    const lines: string[] = [];
    const outside = mkdtempSync(join(tmpdir(), "sluice-no-project-"));
    try {
      const a = await startServer({
        source: trained.bundle.modelPath,
        projectDir: outside,
        port: 0,
        log: (l) => lines.push(l),
      });
      await a.close();
      expect(lines).toEqual([
        expect.stringMatching(
          /^the prediction log is off: .*model\.json is served without a store .*--store/,
        ) as unknown,
      ]);
      lines.length = 0;
      const b = await startServer({
        source: `models:/${NAME}@production`,
        projectDir: trained.dir,
        port: 0,
        logPredictions: false,
        log: (l) => lines.push(l),
      });
      await b.close();
      expect(lines).toEqual(["the prediction log is off: serve.log_predictions is false"]);
      lines.length = 0;
      const c = await startServer({
        source: `models:/${NAME}@production`,
        projectDir: trained.dir,
        port: 0,
        log: (l) => lines.push(l),
      });
      await c.close();
      expect(lines.filter((l) => l.includes("prediction log"))).toEqual([]);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it("limits prediction requests per serve.rate_limit over a socket with 429 and retry-after, leaving /health open; rateLimit false lifts it", async () => {
    // A project whose sluice.yaml limits each client to 2 prediction requests a minute.
    const limited = join(dirname(trained.dir), "limited");
    mkdirSync(limited, { recursive: true });
    const yaml = readFileSync(join(trained.dir, "sluice.yaml"), "utf8");
    expect(yaml).toContain("  log_predictions: true\n");
    writeFileSync(
      join(limited, "sluice.yaml"),
      yaml.replace(
        "  log_predictions: true\n",
        "  log_predictions: false\n  rate_limit: { max: 2, window: 1m }\n",
      ),
    );
    const a = await startServer({
      source: trained.bundle.modelPath,
      projectDir: limited,
      port: 0,
      log: () => undefined,
    });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push(await predict(a.url));
      expect(statuses.map((r) => r.status)).toEqual([200, 200, 429]);
      const over = await fetch(`${a.url}/predict`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      expect(over.status).toBe(429);
      expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(((await over.json()) as { error: { message: string } }).error.message).toBe(
        "too many requests: at most 2 per 1m from one client address",
      );
      for (const url of ["/health", "/ready", "/metrics"])
        for (let i = 0; i < 3; i++) expect((await fetch(`${a.url}${url}`)).status, url).toBe(200);
    } finally {
      await a.close();
    }
    const b = await startServer({
      source: trained.bundle.modelPath,
      projectDir: limited,
      port: 0,
      rateLimit: false,
      log: () => undefined,
    });
    try {
      for (let i = 0; i < 4; i++) expect((await predict(b.url)).status).toBe(200);
    } finally {
      await b.close();
    }
  });

  it(
    "answers every request with 2xx while 5 versions are promoted under load, each response naming its version",
    async () => {
      const live = await startServer({
        source: `models:/${NAME}@production`,
        projectDir: trained.dir,
        port: 0,
        pollMs: 100,
        log: () => undefined,
      });
      const clients = 4;
      const seen: Answer[][] = Array.from({ length: clients }, () => []);
      let stop = false;
      const loops = seen.map(async (list) => {
        const agent = new Agent({ keepAlive: true, maxSockets: 1 });
        try {
          while (!stop) list.push(await predict(live.url, agent));
        } finally {
          agent.destroy();
        }
      });
      const promoted: number[] = [];
      // Five promotions spread over the run, the last one a sixth of the run before its end.
      const start = Date.now();
      const end = start + RELIABILITY_SECONDS * 1000;
      const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));
      try {
        for (let i = 1; i <= 5; i++) {
          await sleepUntil(start + (i * (end - start)) / 6);
          promoted.push(await promoteCopy());
        }
        const last = promoted.at(-1)!;
        const limit = Date.now() + 15_000;
        while (live.model()?.version !== last && Date.now() < limit)
          await new Promise((r) => setTimeout(r, 50));
        await sleepUntil(Math.max(end, Date.now() + 500));
      } finally {
        stop = true;
        await Promise.all(loops);
        await live.close();
      }
      const all = seen.flat();
      expect(all.length).toBeGreaterThan(100);
      expect(all.filter((a) => a.status < 200 || a.status >= 300)).toEqual([]);
      for (const list of seen) {
        const versions = list.map((a) => Number(a.version));
        for (const v of versions) expect(Number.isInteger(v)).toBe(true);
        for (let i = 1; i < versions.length; i++)
          expect(versions[i]!).toBeGreaterThanOrEqual(versions[i - 1]!);
        for (const a of list)
          expect(String((JSON.parse(a.text) as { model: { version: number } }).model.version)).toBe(
            a.version,
          );
      }
      const answeredBy = new Set(all.map((a) => Number(a.version)));
      expect(answeredBy.has(promoted.at(-1)!)).toBe(true);
    },
    60_000 + RELIABILITY_SECONDS * 1000,
  );
});

describe("a server killed with SIGKILL under load", () => {
  /** `sluice serve` in a child process; resolves with its URL once it listens. */
  function serveChild(): { run: ChildRun; url: Promise<string> } {
    const run = spawnCli(["serve", trained.dir, "--port", "0", "--poll-ms", "60000"], {
      SLUICE_API_KEYS: "",
    });
    // Never left running, whatever happens to the test.
    onTestFinished(() => {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill("SIGKILL");
    });
    let out = "";
    const url = new Promise<string>((done, fail) => {
      run.child.stdout!.on("data", (d: Buffer) => {
        out += d.toString("utf8");
        const m = /at (http:\/\/\S+)/.exec(out);
        if (m !== null && out.includes("Ctrl+C")) done(m[1]!);
      });
      void run.done.then((r) =>
        fail(new Error(`sluice serve exited (${String(r.code ?? r.signal)}): ${r.stderr}`)),
      );
    });
    return { run, url };
  }

  /** POST /predict with our own request id; undefined when the connection dies. */
  function send(url: string, agent: Agent, id: string, record: string): Promise<Answer | undefined> {
    return new Promise((done) => {
      const req = httpRequest(
        `${url}/predict`,
        { method: "POST", agent, headers: { "content-type": "application/json", "x-request-id": id } },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (d: string) => (text += d));
          res.on("end", () =>
            done({ status: res.statusCode ?? 0, version: res.headers["x-model-version"] as string, text }),
          );
          res.on("error", () => done(undefined));
        },
      );
      req.on("error", () => done(undefined));
      req.end(record);
    });
  }

  it("restarts on the same store, whose prediction log opens and holds only whole rows of the right model and version", async () => {
    const version = (await store.resolveModel({ kind: "stage", name: NAME, stage: "production" })).version;
    const base = JSON.parse(body) as Record<string, unknown>;
    /** What each request sent, by request id, and what it was answered (when it was). */
    const sent = new Map<string, Record<string, unknown>>();
    const answers = new Map<string, Record<string, unknown>>();
    const tag = `kill-${process.pid}-`;
    let n = 0;
    const load = async (url: string, stop: () => boolean): Promise<void> => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        while (!stop()) {
          const id = `${tag}${n++}`;
          // Every record differs (the monthly charge), so a row can only match its own request.
          const record = { ...base, monthly_charges: 20 + (n % 9000) / 100 };
          sent.set(id, record);
          const a = await send(url, agent, id, JSON.stringify(record));
          if (a === undefined) return; // the server is gone
          expect(a).toMatchObject({ status: 200, version: String(version) });
          answers.set(id, JSON.parse(a.text) as Record<string, unknown>);
        }
      } finally {
        agent.destroy();
      }
    };

    const first = serveChild();
    const url = await first.url;
    let killed = false;
    const clients = Array.from({ length: 4 }, () => load(url, () => killed));
    // Kill once a good number of requests were answered, with requests still in flight.
    while (answers.size < 400) await new Promise((r) => setTimeout(r, 10));
    first.run.child.kill("SIGKILL");
    killed = true;
    expect((await first.run.done).signal).toBe("SIGKILL");
    await Promise.all(clients);
    const answeredBefore = answers.size;
    /** Request ids below this went to the killed server. */
    const firstRun = n;

    const second = serveChild();
    const again = await second.url;
    let stopped = false;
    let after = 0;
    await Promise.all(
      Array.from({ length: 2 }, () =>
        load(again, () => {
          if (++after > 100) stopped = true;
          return stopped;
        }),
      ),
    );
    second.run.child.kill("SIGTERM");
    expect(await second.run.done).toMatchObject({ code: 0, signal: null });
    expect(answers.size).toBeGreaterThan(answeredBefore);

    // The file is sound, and every row's text is whole JSON, read straight from the table.
    const path = join(trained.dir, ".sluice", "sluice.db");
    const db = new BetterSqlite3(path, { readonly: true });
    try {
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      const raw = db
        .prepare("select request_id, model, version, input, output from predictions where request_id like ?")
        .all(`${tag}%`) as {
        request_id: string;
        model: string;
        version: number;
        input: string;
        output: string;
      }[];
      for (const r of raw) {
        expect(() => JSON.parse(r.input) as unknown, r.request_id).not.toThrow();
        expect(() => JSON.parse(r.output) as unknown, r.request_id).not.toThrow();
      }
    } finally {
      db.close();
    }
    const rows = (await allRows()).filter((r) => r.requestId.startsWith(tag));
    // Rows from both servers: the killed one lost at most its last unwritten batch.
    expect(rows.filter((r) => Number(r.requestId.slice(tag.length)) < firstRun).length).toBeGreaterThan(0);
    expect(rows.length).toBeGreaterThan(answers.size - answeredBefore);
    for (const r of rows) {
      expect(sent.has(r.requestId), r.requestId).toBe(true);
      expect(r).toMatchObject({ model: NAME, version });
      expect(r.input).toEqual(sent.get(r.requestId));
      expect(Number.isFinite(r.at) && Number.isFinite(r.latencyMs)).toBe(true);
      const answer = answers.get(r.requestId);
      if (answer === undefined) expect(r.output).toHaveProperty("prediction");
      else {
        const { model: _model, warnings: _warnings, ...output } = answer;
        expect(r.output).toEqual(output);
      }
    }
    // No request id is logged twice by the server that answered it.
    expect(new Set(rows.map((r) => r.requestId)).size).toBe(rows.length);
  }, 180_000);
});

describe("the serving path", () => {
  it("imports no DuckDB, search, plots or vega from the server entry point", () => {
    const root = resolve(import.meta.dirname, "..");
    const forbiddenFiles = [/^data\/read/, /^tune\//, /^evaluate\/plots/];
    const forbiddenPackages = [/^@duckdb\//, /^vega/];
    const seen = new Set<string>();
    const packages = new Set<string>();
    const pattern =
      /^\s*(?:import|export)\s+(?!type\s)(?:[^;()="']*?\s+from\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/gm;
    const walk = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(pattern)) {
        const spec = (m[1] ?? m[2])!;
        if (spec.startsWith(".")) walk(resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
        else packages.add(spec);
      }
    };
    walk(join(root, "serve/server.ts"));
    const files = [...seen].map((f) => f.slice(root.length + 1));
    expect(files).toContain("serve/app.ts");
    expect(files).toContain("pipeline/bundle.ts");
    expect(files.filter((f) => forbiddenFiles.some((p) => p.test(f)))).toEqual([]);
    expect([...packages].filter((p) => forbiddenPackages.some((r) => r.test(p)))).toEqual([]);
    expect(packages).toContain("fastify");
  });
});
