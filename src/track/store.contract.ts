/**
 * The store conformance suite: every {@link Store} implementation must pass it. Used by
 * `sqlite.test.ts` and `postgres.test.ts`; `makeStore` returns a fresh, empty store each time.
 */
import { spawn } from "node:child_process";
import { hostname } from "node:os";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ErrorCode, SluiceError } from "../errors.js";
import { SCHEMA_VERSION } from "./migrations.js";
import { openStore } from "./open.js";
import type { KyselyStore } from "./store.js";
import type { Experiment, Store } from "./types.js";

/** Await `promise`, expect a SluiceError with `code` whose message (and hint) hold every part. */
export async function expectSluiceError(
  promise: Promise<unknown> | (() => unknown),
  code: ErrorCode,
  ...parts: string[]
): Promise<SluiceError> {
  let caught: unknown;
  try {
    await (typeof promise === "function" ? promise() : promise);
  } catch (err) {
    caught = err;
  }
  expect(caught, `expected ${code}`).toBeInstanceOf(SluiceError);
  const err = caught as SluiceError;
  expect(err.code, err.message).toBe(code);
  const text = `${err.message}\n${err.hint ?? ""}`;
  for (const p of parts) expect(text).toContain(p);
  return err;
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  const pid = child.pid!;
  await new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return pid;
}

export function storeContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    let exp: Experiment;
    const others: Store[] = [];

    beforeEach(async () => {
      store = await makeStore();
      exp = await store.getOrCreateExperiment("churn");
    });

    afterEach(async () => {
      for (const s of others.splice(0)) await s.close();
      await store.close();
    });

    const newRun = (runName = "run", extra: { startTime?: number; parentRunId?: string } = {}) =>
      store.createRun({ experimentId: exp.id, name: runName, ...extra });

    describe("experiments", () => {
      it("returns the same experiment when asked twice by name", async () => {
        const again = await store.getOrCreateExperiment("churn");
        expect(again).toEqual(exp);
        expect(await store.getExperimentByName("churn")).toEqual(exp);
        expect(await store.getExperimentByName("nope")).toBeNull();
        await store.getOrCreateExperiment("fraud");
        expect((await store.listExperiments()).map((e) => e.name).sort()).toEqual(["churn", "fraud"]);
      });
    });

    describe("runs", () => {
      it("creates a running run with its tags, pid and host, then finishes it with an end time", async () => {
        const run = await store.createRun({
          experimentId: exp.id,
          name: "train",
          tags: { source: "test" },
          pid: 1234,
          host: "box",
          startTime: 1000,
        });
        expect(run).toMatchObject({
          experimentId: exp.id,
          name: "train",
          status: "running",
          startTime: 1000,
          endTime: null,
          parentRunId: null,
          pid: 1234,
          host: "box",
          tags: { source: "test" },
          params: {},
          metrics: {},
          artifacts: [],
        });
        expect(run.id).toMatch(/^[0-9a-f]{32}$/);
        await store.setRunStatus(run.id, "finished", 5000);
        expect(await store.getRun(run.id)).toMatchObject({ status: "finished", endTime: 5000 });
        await store.setRunStatus(run.id, "running");
        expect((await store.getRun(run.id)).endTime).toBeNull();
      });

      it("refuses an unknown run, an unknown experiment and a duplicate run id", async () => {
        await expectSluiceError(store.getRun("missing"), "E_NOT_FOUND", "missing");
        await expectSluiceError(store.createRun({ experimentId: "nope", name: "x" }), "E_NOT_FOUND", "nope");
        await store.createRun({ id: "my-run", experimentId: exp.id, name: "x" });
        await expectSluiceError(
          store.createRun({ id: "my-run", experimentId: exp.id, name: "x" }),
          "E_USAGE",
          "my-run",
        );
        await expectSluiceError(
          store.createRun({ id: "bad id!", experimentId: exp.id, name: "x" }),
          "E_USAGE",
        );
        await expectSluiceError(store.logMetric("missing", "m", 1), "E_NOT_FOUND", "missing");
      });

      it("writes nothing from a batch that holds one bad key", async () => {
        const run = await newRun();
        await expectSluiceError(
          store.logBatch(run.id, {
            metrics: [{ key: "ok", value: 1 }],
            params: { a: "1" },
            tags: { "": "x" },
          }),
          "E_USAGE",
          "tag key",
        );
        await store.logParam(run.id, "fixed", "1");
        await expectSluiceError(
          store.logBatch(run.id, { metrics: [{ key: "ok", value: 1 }], params: { b: "2", fixed: "2" } }),
          "E_USAGE",
          "fixed",
        );
        const after = await store.getRun(run.id);
        expect(after.metrics).toEqual({});
        expect(after.params).toEqual({ fixed: "1" });
        expect(await store.getMetricHistory(run.id, "ok")).toEqual([]);
      });

      it("keeps every metric point and the latest (highest step) as the run's value", async () => {
        const run = await newRun();
        await store.logBatch(run.id, {
          metrics: [
            { key: "loss", value: 0.9, step: 0, timestamp: 10 },
            { key: "loss", value: 0.5, step: 1, timestamp: 20 },
            { key: "loss", value: 0.3, step: 2, timestamp: 30 },
          ],
        });
        await store.logBatch(run.id, { metrics: [{ key: "loss", value: 0.7, step: 1, timestamp: 40 }] });
        await store.logMetric(run.id, "auc", 0.81);
        await store.logMetric(run.id, "auc", 0.83);
        const history = await store.getMetricHistory(run.id, "loss");
        expect(history.map((p) => [p.step, p.value])).toEqual([
          [0, 0.9],
          [1, 0.5],
          [1, 0.7],
          [2, 0.3],
        ]);
        const got = await store.getRun(run.id);
        expect(got.metrics).toEqual({ loss: 0.3, auc: 0.83 });
        await store.logMetric(run.id, "loss", 0.1, 3);
        expect((await store.getRun(run.id)).metrics.loss).toBe(0.1);
      });

      it("refuses a param logged again with another value and accepts the same value", async () => {
        const run = await newRun();
        await store.logBatch(run.id, { params: { C: 1, fit: true, kind: "gbdt" } });
        await store.logParam(run.id, "C", "1");
        await expectSluiceError(store.logParam(run.id, "C", 2), "E_USAGE", `"1"`, `"2"`);
        expect((await store.getRun(run.id)).params).toEqual({ C: "1", fit: "true", kind: "gbdt" });
      });

      it("refuses non-finite metrics, long keys and long param values", async () => {
        const run = await newRun();
        await expectSluiceError(store.logMetric(run.id, "auc", Number.NaN), "E_USAGE", "finite");
        await expectSluiceError(store.logMetric(run.id, "auc", Infinity), "E_USAGE", "finite");
        await expectSluiceError(store.logMetric(run.id, "k".repeat(251), 1), "E_USAGE", "250");
        await expectSluiceError(store.logParam(run.id, "p", "x".repeat(6001)), "E_USAGE", "6000");
        await store.setTag(run.id, "note", "a");
        await store.setTag(run.id, "note", "b");
        expect((await store.getRun(run.id)).tags).toEqual({ note: "b" });
      });

      it("records artifacts, replacing the record of a path written again", async () => {
        const run = await newRun();
        await store.recordArtifact(run.id, {
          path: "model.json",
          uri: "file:///a/model.json",
          bytes: 10,
          sha256: "aa",
        });
        await store.recordArtifact(run.id, {
          path: "report/eval.html",
          uri: "file:///a/eval.html",
          bytes: 5,
          sha256: "bb",
        });
        await store.recordArtifact(run.id, {
          path: "model.json",
          uri: "file:///a/model.json",
          bytes: 12,
          sha256: "cc",
        });
        expect((await store.getRun(run.id)).artifacts).toEqual([
          { path: "model.json", uri: "file:///a/model.json", bytes: 12, sha256: "cc" },
          { path: "report/eval.html", uri: "file:///a/eval.html", bytes: 5, sha256: "bb" },
        ]);
      });

      it("marks a running run of a dead process killed and leaves live and foreign runs alone", async () => {
        const pid = await deadPid();
        const dead = await store.createRun({ experimentId: exp.id, name: "dead", pid, host: hostname() });
        const live = await store.createRun({
          experimentId: exp.id,
          name: "live",
          pid: process.pid,
          host: hostname(),
        });
        const foreign = await store.createRun({
          experimentId: exp.id,
          name: "foreign",
          pid,
          host: "another-host",
          startTime: Date.now() - 60_000,
        });
        const finished = await store.createRun({ experimentId: exp.id, name: "done", pid, host: hostname() });
        await store.setRunStatus(finished.id, "finished");
        expect(await store.reapOrphanRuns()).toEqual([dead.id]);
        const reaped = await store.getRun(dead.id);
        expect(reaped.status).toBe("killed");
        expect(reaped.endTime).not.toBeNull();
        expect((await store.getRun(live.id)).status).toBe("running");
        expect((await store.getRun(foreign.id)).status).toBe("running");
        expect((await store.getRun(finished.id)).status).toBe("finished");
        expect(await store.reapOrphanRuns({ staleMs: 30_000 })).toEqual([foreign.id]);
        expect((await store.getRun(live.id)).status).toBe("running");
      });
    });

    describe("search", () => {
      // name, kind, trees, roc_auc (undefined: not logged), start time
      const rows: [string, string, string, number | undefined, number][] = [
        ["a", "gradient_boosting", "9", 0.91, 1000],
        ["b", "random_forest", "10", 0.85, 2000],
        ["c", "gradient_boosting", "100", 0.79, 3000],
        ["d", "logistic", "9", 0.85, 4000],
        ["e", "Gradient_Boosting", "40", undefined, 5000],
      ];
      let ids: Record<string, string>;

      beforeEach(async () => {
        ids = {};
        for (const [runName, kind, trees, auc, start] of rows) {
          const run = await newRun(runName, { startTime: start });
          ids[runName] = run.id;
          await store.logBatch(run.id, {
            params: { kind, trees },
            metrics: auc === undefined ? [{ key: "accuracy", value: 0.5 }] : [{ key: "roc_auc", value: auc }],
            tags: { group: runName < "c" ? "first" : "second" },
          });
        }
        await store.setRunStatus(ids.b!, "finished");
      });

      const names = async (filter?: string, orderBy?: string[]) =>
        (
          await store.searchRuns({
            ...(filter === undefined ? {} : { filter }),
            ...(orderBy === undefined ? {} : { orderBy }),
          })
        ).runs.map((r) => r.name);

      it("orders by start time, newest first, by default and returns full records", async () => {
        const page = await store.searchRuns();
        expect(page.runs.map((r) => r.name)).toEqual(["e", "d", "c", "b", "a"]);
        expect(page.nextPageToken).toBeNull();
        expect(page.runs[4]).toMatchObject({
          params: { kind: "gradient_boosting", trees: "9" },
          metrics: { roc_auc: 0.91 },
          tags: { group: "first" },
        });
      });

      it("filters metrics numerically and params by text, ordered by a metric", async () => {
        expect(await names("metrics.roc_auc > 0.8", ["metrics.roc_auc DESC"])).toHaveLength(3);
        expect(
          await names("metrics.roc_auc > 0.8 and params.kind = 'gradient_boosting'", [
            "metrics.roc_auc DESC",
          ]),
        ).toEqual(["a"]);
        expect(
          await names("metrics.roc_auc >= 0.79 and metrics.roc_auc < 0.9", ["metrics.roc_auc ASC"]),
        ).toEqual(["c", ids.b! < ids.d! ? "b" : "d", ids.b! < ids.d! ? "d" : "b"]);
        expect(await names("metrics.roc_auc = 0.85", ["attributes.name"])).toEqual(["b", "d"]);
        expect(await names("metrics.roc_auc != 0.85", ["attributes.name"])).toEqual(["a", "c"]);
      });

      it("compares params as text, not as numbers", async () => {
        // '9' > '5' as text, while '10', '100' and '40' are not.
        expect(await names("params.trees > '5'", ["attributes.name"])).toEqual(["a", "d"]);
        expect(await names("params.trees = '9'", ["attributes.name"])).toEqual(["a", "d"]);
        await expectSluiceError(store.searchRuns({ filter: "params.trees > 5" }), "E_FILTER", "quote");
      });

      it("matches like case-sensitively and ilike case-insensitively", async () => {
        expect(await names("params.kind like 'grad%'", ["attributes.name"])).toEqual(["a", "c"]);
        expect(await names("params.kind like 'GRAD%'")).toEqual([]);
        expect(await names("params.kind ilike 'GRAD%'", ["attributes.name"])).toEqual(["a", "c", "e"]);
        expect(await names("params.kind not like '%g%'", ["attributes.name"])).toEqual(["b"]);
        expect(await names("tags.group = 'first' and params.kind like '%forest'")).toEqual(["b"]);
      });

      it("filters on attributes, in-lists and missing keys", async () => {
        expect(await names("attributes.status = 'finished'")).toEqual(["b"]);
        expect(
          await names("metrics.roc_auc > 0.8 and attributes.status != 'finished'", ["metrics.roc_auc DESC"]),
        ).toEqual(["a", "d"]);
        expect(
          (
            await store.searchRuns({
              experimentIds: [exp.id],
              filter: "metrics.roc_auc < 0.8",
              orderBy: ["metrics.roc_auc"],
            })
          ).runs.map((r) => r.name),
        ).toEqual(["c"]);
        expect(await names("attributes.start_time >= 4000", ["attributes.start_time"])).toEqual(["d", "e"]);
        expect(await names("attributes.name in ('a', 'e')", ["attributes.name"])).toEqual(["a", "e"]);
        expect(await names("metrics.roc_auc is null")).toEqual(["e"]);
        expect(await names("attributes.parent_run_id is null")).toHaveLength(5);
        const child = await newRun("child", { parentRunId: ids.a! });
        expect(
          (await store.searchRuns({ filter: `attributes.parent_run_id = '${ids.a!}'` })).runs.map(
            (r) => r.id,
          ),
        ).toEqual([child.id]);
        const other = await store.getOrCreateExperiment("other");
        await store.createRun({ experimentId: other.id, name: "elsewhere" });
        expect((await store.searchRuns({ experimentIds: [other.id] })).runs.map((r) => r.name)).toEqual([
          "elsewhere",
        ]);
        expect(await store.searchRuns({ experimentIds: [] })).toEqual({ runs: [], nextPageToken: null });
      });

      it("puts runs without the order key last in either direction, ties broken by run id", async () => {
        const desc = await names(undefined, ["metrics.roc_auc DESC"]);
        const asc = await names(undefined, ["metrics.roc_auc ASC"]);
        expect(desc.at(-1)).toBe("e");
        expect(asc.at(-1)).toBe("e");
        expect(desc[0]).toBe("a");
        expect(asc[0]).toBe("c");
        // the tie (b and d at 0.85) comes out the same way on every call
        expect(await names(undefined, ["metrics.roc_auc DESC"])).toEqual(desc);
        expect(await names(undefined, ["params.kind", "attributes.name DESC"])).toEqual([
          "e",
          "c",
          "a",
          "d",
          "b",
        ]);
      });

      it("pages through every run exactly once", async () => {
        const seen: string[] = [];
        let token: string | undefined;
        let pages = 0;
        for (;;) {
          const page = await store.searchRuns({
            orderBy: ["metrics.roc_auc DESC"],
            pageSize: 2,
            ...(token === undefined ? {} : { pageToken: token }),
          });
          pages++;
          seen.push(...page.runs.map((r) => r.name));
          if (page.nextPageToken === null) break;
          token = page.nextPageToken;
        }
        expect(pages).toBe(3);
        expect(seen).toEqual(await names(undefined, ["metrics.roc_auc DESC"]));
        expect(new Set(seen).size).toBe(5);
        const first = await store.searchRuns({ pageSize: 2 });
        await expectSluiceError(
          store.searchRuns({ pageSize: 2, filter: "metrics.roc_auc > 0", pageToken: first.nextPageToken! }),
          "E_USAGE",
          "page token",
        );
        await expectSluiceError(store.searchRuns({ pageToken: "garbage" }), "E_USAGE", "page token");
        await expectSluiceError(store.searchRuns({ pageSize: 0 }), "E_USAGE", "page size");
      });

      it("refuses bad filters and orders with E_FILTER naming the token and its position", async () => {
        await expectSluiceError(store.searchRuns({ filter: "metrics.roc_auc >" }), "E_FILTER", "at the end");
        await expectSluiceError(
          store.searchRuns({ filter: "metric.roc_auc > 0.8 or params.a = 'b'" }),
          "E_FILTER",
          '"or"',
        );
        await expectSluiceError(
          store.searchRuns({ filter: "foo.bar = 'x'" }),
          "E_FILTER",
          '"foo"',
          "position 1",
        );
        await expectSluiceError(
          store.searchRuns({ filter: "metrics.auc like '0.8%'" }),
          "E_FILTER",
          "number",
        );
        await expectSluiceError(store.searchRuns({ filter: "params.kind = gbdt" }), "E_FILTER", '"gbdt"');
        await expectSluiceError(
          store.searchRuns({ orderBy: ["metrics.auc sideways"] }),
          "E_FILTER",
          "sideways",
        );
        await expectSluiceError(
          store.searchRuns({ filter: "attributes.colour = 'red'" }),
          "E_FILTER",
          "colour",
        );
      });

      it("binds keys and values, so quotes in them are data", async () => {
        const run = await newRun("quoted");
        await store.logParam(run.id, "it's", "o'brien; drop table runs");
        expect(
          (await store.searchRuns({ filter: "params.`it's` = 'o''brien; drop table runs'" })).runs.map(
            (r) => r.name,
          ),
        ).toEqual(["quoted"]);
        expect((await store.searchRuns()).runs).toHaveLength(6);
      });
    });

    describe("registry", () => {
      const by = { by: "ana", reason: "reviewed" };
      const register = (extra: { runId?: string } = {}) =>
        store.createModelVersion({ name: "churn", source: "file:///m.json", by: "ci", ...extra });

      it("numbers versions 1, 2, 3 and creates the registered model on the first", async () => {
        const run = await newRun();
        const v1 = await store.createModelVersion({
          name: "churn",
          source: "file:///m1.json",
          runId: run.id,
          description: "first",
          tags: { team: "risk" },
          metrics: { roc_auc: 0.84 },
        });
        expect(v1).toMatchObject({
          name: "churn",
          version: 1,
          runId: run.id,
          source: "file:///m1.json",
          stage: "none",
          description: "first",
          tags: { team: "risk" },
          aliases: [],
          metrics: { roc_auc: 0.84 },
          gates: [],
        });
        expect((await register()).version).toBe(2);
        expect((await register()).version).toBe(3);
        expect(await store.getRegisteredModel("churn")).toMatchObject({
          name: "churn",
          latestVersion: 3,
          aliases: {},
        });
        expect((await store.listModelVersions("churn")).map((v) => v.version)).toEqual([1, 2, 3]);
        expect((await store.listRegisteredModels()).map((m) => m.name)).toEqual(["churn"]);
        await expectSluiceError(store.createRegisteredModel("churn"), "E_REGISTRY", "already exists");
        expect(await store.createRegisteredModel("fraud", "card fraud")).toMatchObject({
          name: "fraud",
          description: "card fraud",
          latestVersion: 0,
        });
        await expectSluiceError(register({ runId: "nope" }), "E_NOT_FOUND", "nope");
        await expectSluiceError(
          store.createModelVersion({ name: "bad/name", source: "x" }),
          "E_REGISTRY",
          "bad/name",
        );
      });

      it("archives the previous production version when a new one is promoted, recording both", async () => {
        await register();
        await register();
        await store.transitionStage("churn", 1, "staging", by);
        await store.transitionStage("churn", 1, "production", by);
        const v2 = await store.transitionStage("churn", 2, "production", { by: "bo", reason: "better auc" });
        expect(v2.stage).toBe("production");
        expect((await store.getModelVersion("churn", 1)).stage).toBe("archived");
        const history = await store.history("churn");
        expect(history.slice(-2)).toMatchObject([
          { version: 1, kind: "stage", from: "production", to: "archived", by: "bo" },
          { version: 2, kind: "stage", from: "none", to: "production", by: "bo", reason: "better auc" },
        ]);
        expect(history.filter((t) => t.reason === "registered")).toHaveLength(2);
        expect(
          (await store.resolveModel({ kind: "stage", name: "churn", stage: "production" })).version,
        ).toBe(2);
        // rollback: archived → production
        await store.transitionStage("churn", 1, "production", { by: "bo", reason: "rollback" });
        expect((await store.getModelVersion("churn", 2)).stage).toBe("archived");
        expect(
          (await store.resolveModel({ kind: "stage", name: "churn", stage: "production" })).version,
        ).toBe(1);
      });

      it("refuses a move to the same stage and an unknown stage", async () => {
        await register();
        await store.transitionStage("churn", 1, "staging", by);
        await expectSluiceError(
          store.transitionStage("churn", 1, "staging", by),
          "E_REGISTRY",
          "already in staging",
        );
        await expectSluiceError(
          store.transitionStage("churn", 1, "prod" as "production", by),
          "E_REGISTRY",
          "prod",
          "none, staging, production, archived",
        );
      });

      it("sets, moves and deletes aliases, recording each change", async () => {
        await register();
        await register();
        await store.setAlias("churn", "champion", 1, by);
        expect((await store.resolveModel({ kind: "alias", name: "churn", alias: "champion" })).version).toBe(
          1,
        );
        await store.setAlias("churn", "champion", 2, { by: "bo", reason: "new champion" });
        expect((await store.resolveModel({ kind: "alias", name: "churn", alias: "champion" })).version).toBe(
          2,
        );
        expect((await store.getModelVersion("churn", 2)).aliases).toEqual(["champion"]);
        expect((await store.getModelVersion("churn", 1)).aliases).toEqual([]);
        expect((await store.getRegisteredModel("churn")).aliases).toEqual({ champion: 2 });
        await store.setAlias("churn", "champion", 2, by); // no change, not recorded
        await store.deleteAlias("churn", "champion", { by: "bo", reason: "retired" });
        const aliasMoves = (await store.history("churn")).filter((t) => t.kind === "alias");
        expect(aliasMoves).toMatchObject([
          { alias: "champion", version: 1, from: null, to: "1" },
          { alias: "champion", version: 2, from: "1", to: "2", by: "bo", reason: "new champion" },
          { alias: "champion", version: 2, from: "2", to: null, reason: "retired" },
        ]);
        await expectSluiceError(store.setAlias("churn", "production", 1, by), "E_REGISTRY", "stage name");
        await expectSluiceError(store.setAlias("churn", "Champion!", 1, by), "E_REGISTRY", "Champion!");
        await expectSluiceError(
          store.setAlias("churn", "x", 9, by),
          "E_NOT_FOUND",
          "version 9",
          "1 (none), 2 (none)",
        );
      });

      it("names what exists when a model, version, alias or stage is not found", async () => {
        await register();
        await register();
        await store.setAlias("churn", "champion", 1, by);
        await expectSluiceError(
          store.getModelVersion("churn", 7),
          "E_NOT_FOUND",
          "version 7",
          "1 (none), 2 (none)",
        );
        await expectSluiceError(store.getRegisteredModel("chrun"), "E_NOT_FOUND", "chrun", "churn");
        await expectSluiceError(
          store.resolveModel({ kind: "alias", name: "churn", alias: "challenger" }),
          "E_NOT_FOUND",
          "challenger",
          "champion → 1",
        );
        await expectSluiceError(
          store.resolveModel({ kind: "stage", name: "churn", stage: "production" }),
          "E_NOT_FOUND",
          "production",
          "1 (none)",
        );
        await expectSluiceError(store.deleteAlias("churn", "nope", by), "E_NOT_FOUND", "champion");
        await expectSluiceError(store.history("nope"), "E_NOT_FOUND", "nope");
        expect((await store.resolveModel({ kind: "version", name: "churn", version: 2 })).version).toBe(2);
      });

      it("records gates, tags and descriptions on a version", async () => {
        await register();
        await store.recordGates("churn", 1, [
          { name: "minimum.roc_auc", value: 0.8, threshold: 0.75, passed: true, detail: "0.80 ≥ 0.75" },
          { name: "latency", value: null, threshold: 2, passed: false, detail: "not measured" },
        ]);
        await store.recordGates("churn", 1, [
          { name: "minimum.roc_auc", value: 0.81, threshold: 0.75, passed: true, detail: "ok" },
        ]);
        await store.setVersionTag("churn", 1, "reviewer", "ana");
        await store.setVersionTag("churn", 1, "reviewer", "bo");
        await store.setVersionDescription("churn", 1, "the first one");
        expect(await store.getModelVersion("churn", 1)).toMatchObject({
          gates: [{ name: "minimum.roc_auc", value: 0.81, threshold: 0.75, passed: true, detail: "ok" }],
          tags: { reviewer: "bo" },
          description: "the first one",
        });
        await expectSluiceError(
          store.recordGates("churn", 1, [
            { name: "g", value: Number.NaN, threshold: 1, passed: false, detail: "" },
          ]),
          "E_USAGE",
          "finite",
        );
      });

      it("gives distinct consecutive version numbers to concurrent callers on two store instances", async () => {
        const second = await openStore(store.url);
        others.push(second);
        const make = (s: Store) =>
          Array.from({ length: 20 }, () => s.createModelVersion({ name: "race", source: "file:///m.json" }));
        const versions = await Promise.all([...make(store), ...make(second)]);
        expect(versions.map((v) => v.version).sort((a, b) => a - b)).toEqual(
          Array.from({ length: 40 }, (_, i) => i + 1),
        );
        expect((await second.getRegisteredModel("race")).latestVersion).toBe(40);
      });
    });

    describe("schema", () => {
      it("refuses a store whose schema version is ahead of this code", async () => {
        await (store as KyselyStore).kysely
          .insertInto("sluice_schema")
          .values({ version: SCHEMA_VERSION + 5, sluice_version: "9.9.9", applied_at: Date.now() })
          .execute();
        await expectSluiceError(
          openStore(store.url),
          "E_STORE_VERSION",
          `schema version ${SCHEMA_VERSION + 5}`,
          "9.9.9",
          `up to ${SCHEMA_VERSION}`,
          "upgrade sluice",
        );
      });

      it("opens an existing store again without migrating it twice", async () => {
        const again = await openStore(store.url);
        others.push(again);
        expect(await again.getExperimentByName("churn")).toEqual(exp);
        const rows = await (again as KyselyStore).kysely
          .selectFrom("sluice_schema")
          .select("version")
          .execute();
        expect(rows.map((r) => Number(r.version))).toEqual(
          Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1),
        );
      });
    });
  });
}
