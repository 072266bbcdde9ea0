/** `sluice runs list|show|compare`: the tracking store from the terminal. */
import { InvalidArgumentError, type Command } from "commander";
import pc from "picocolors";
import { compareRuns } from "../../pipeline/registry.js";
import { parseFilter } from "../../track/index.js";
import type { RunRecord, RunStatus } from "../../track/types.js";
import type { CliContext } from "../main.js";
import { print, printJson, table } from "../output.js";
import { intFlag, metricText, storeOptions, withReadStore, type StoreFlags } from "./common.js";

interface ListFlags extends StoreFlags {
  filter?: string;
  order?: string[];
  limit: number;
  page?: string;
  all?: boolean;
  experiment?: string;
}

const STATUS: Record<RunStatus, (s: string) => string> = {
  running: pc.cyan,
  finished: pc.green,
  failed: pc.red,
  killed: pc.yellow,
};

function when(ms: number | null): string {
  return ms === null ? "—" : new Date(ms).toISOString().replace("T", " ").slice(0, 19);
}

function duration(run: RunRecord): string {
  if (run.endTime === null) return "—";
  const s = (run.endTime - run.startTime) / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** The metric columns of a run list: the usual scores first, at most three. */
function shownMetrics(runs: readonly RunRecord[]): string[] {
  const present = new Set(runs.flatMap((r) => Object.keys(r.metrics)));
  const usual = ["roc_auc", "accuracy", "f1", "rmse", "mae", "r2", "score"];
  const rest = [...present].filter(
    (k) => !usual.includes(k) && !/^(cv_|fold_)|_(rows|seconds)$|^(rows|iterations)$/.test(k),
  );
  return [...usual.filter((k) => present.has(k)), ...rest.sort()].slice(0, 3);
}

/** A size in bytes for people: `812 B`, `14.2 kB`, `3.1 MB`. */
export function sizeText(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let v = bytes / 1000;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

function orderList(value: string, previous: string[] | undefined): string[] {
  if (value.trim() === "")
    throw new InvalidArgumentError('--order expects a key such as "metrics.roc_auc DESC"');
  return [...(previous ?? []), value];
}

export function registerRuns(program: Command, ctx: CliContext): void {
  const runs = program
    .command("runs")
    .description("runs in the tracking store: list, search, show, compare")
    .addHelpText(
      "after",
      `
Every \`sluice run\` is recorded: the pipeline run, a child run per candidate, and under each a
run per cross-validation fold and search trial. A run whose process died (kill -9) is marked
killed when any of these verbs opens the store.

Examples:
  $ sluice runs list -p demo
  $ sluice runs show RUN_ID -p demo
  $ sluice runs compare RUN_A RUN_B -p demo
Exit codes: 0 done · 2 bad usage, a bad filter, an unknown run or a store that cannot be opened`,
    );

  storeOptions(
    runs
      .command("list")
      .description("runs, newest first; filter and order by metrics, params, tags and attributes")
      .option("--filter <expr>", "e.g. \"metrics.roc_auc > 0.8 and params.kind = 'gradient_boosting'\"")
      .option("--order <key>", 'e.g. "metrics.roc_auc DESC" (repeatable)', orderList)
      .option("--limit <n>", "runs per page", intFlag("--limit"), 20)
      .option("--page <token>", "the next-page token a previous list printed")
      .option("--all", "include candidate, fold and trial runs (default: pipeline runs only)")
      .option("--experiment <name>", "only this experiment (default: all)")
      .addHelpText(
        "after",
        `
Filter: clauses joined by "and", each <entity>.<key> <op> <value>:
  entity  metrics | params | tags | attributes (status, name, start_time, end_time, parent_run_id)
  op      = != < <= > >=, like / ilike for text ('%gbdt%'), in ('a', 'b'), is null, is not null
Metric names: test scores by name (roc_auc, rmse …), cross-validation as cv_<metric>.

Examples:
  $ sluice runs list
  $ sluice runs list --all --filter "metrics.cv_roc_auc > 0.84" --order "metrics.cv_roc_auc DESC"
  $ sluice runs list --filter "attributes.status = 'failed'" --json
Exit codes: 0 listed (also when no run matches) · 2 a bad filter or order key, or a store that
cannot be opened`,
      ),
  ).action(async (flags: ListFlags, command: Command) => {
    const globals = ctx.globals(command);
    // The user's filter alone first, so an error quotes only what was typed (the default
    // pipeline-only clause below is added by this verb).
    parseFilter(flags.filter);
    await withReadStore(flags, async (store) => {
      let experimentIds: string[] | undefined;
      if (flags.experiment !== undefined) {
        const e = await store.getExperimentByName(flags.experiment);
        experimentIds = e === null ? [] : [e.id];
      }
      const clauses = [
        flags.filter,
        flags.all === true ? undefined : "tags.`sluice.type` = 'pipeline'",
      ].filter((c): c is string => c !== undefined && c.trim() !== "");
      const page = await store.searchRuns({
        ...(experimentIds === undefined ? {} : { experimentIds }),
        ...(clauses.length === 0 ? {} : { filter: clauses.join(" and ") }),
        ...(flags.order === undefined ? {} : { orderBy: flags.order }),
        pageSize: flags.limit,
        ...(flags.page === undefined ? {} : { pageToken: flags.page }),
      });
      if (globals.json === true) return printJson({ ok: true, ...page });
      if (page.runs.length === 0) return print("no runs match");
      const keys = shownMetrics(page.runs);
      print(
        table(
          page.runs.map((r) => [
            r.id,
            r.name,
            STATUS[r.status](r.status),
            when(r.startTime),
            duration(r),
            ...keys.map((k) => metricText(r.metrics[k])),
          ]),
          ["run", "name", "status", "started", "took", ...keys],
        ),
      );
      if (page.nextPageToken !== null) print(pc.dim(`more: --page ${page.nextPageToken}`));
    });
  });

  storeOptions(
    runs
      .command("show")
      .description("one run: params, metrics, tags and artifacts")
      .argument("<run>", "run id")
      .addHelpText(
        "after",
        `
Examples:
  $ sluice runs show 20250301-101500-9f3a -p demo
  $ sluice runs show 20250301-101500-9f3a -p demo --json | jq .run.metrics
Exit codes: 0 shown · 2 no run with that id, or a store that cannot be opened`,
      ),
  ).action(async (id: string, flags: StoreFlags, command: Command) => {
    const globals = ctx.globals(command);
    await withReadStore(flags, async (store) => {
      const run = await store.getRun(id);
      if (globals.json === true) return printJson({ ok: true, run });
      print(`${pc.bold(run.name)}  ${run.id}  ${STATUS[run.status](run.status)}`);
      print(`  started ${when(run.startTime)}, took ${duration(run)}`);
      if (run.parentRunId !== null) print(`  parent  ${run.parentRunId}`);
      const section = (title: string, rows: string[][]): void => {
        if (rows.length === 0) return;
        print();
        print(table(rows, [title, "value"]));
      };
      section(
        "param",
        Object.entries(run.params).map(([k, v]) => [k, v]),
      );
      section(
        "metric",
        Object.entries(run.metrics).map(([k, v]) => [k, metricText(v)]),
      );
      section(
        "tag",
        Object.entries(run.tags).map(([k, v]) => [k, v]),
      );
      if (run.artifacts.length > 0) {
        print();
        print(
          table(
            run.artifacts.map((a) => [a.path, sizeText(a.bytes), a.uri]),
            ["artifact", "size", "uri"],
          ),
        );
      }
    });
  });

  storeOptions(
    runs
      .command("compare")
      .description("runs side by side: every param and metric, differences marked")
      .argument("<runs...>", "two or more run ids")
      .addHelpText(
        "after",
        `
Each column is headed by the run's name and, below it, its id; a key marked * differs.

Examples:
  $ sluice runs compare 20250301-101500-9f3a 20250302-091200-1c07 -p demo
  $ sluice runs compare RUN_A RUN_B RUN_C -p demo --json | jq '.metrics[] | select(.differ)'
Exit codes: 0 compared · 2 fewer than two ids, an unknown run, or a store that cannot be opened`,
      ),
  ).action(async (ids: string[], flags: StoreFlags, command: Command) => {
    const globals = ctx.globals(command);
    await withReadStore(flags, async (store) => {
      const c = await compareRuns(store, ids);
      if (globals.json === true) return printJson({ ok: true, ...c });
      const mark = (differ: boolean, key: string): string => (differ ? pc.yellow(`${key} *`) : key);
      // Two header lines: each run's name, then its id (what `runs show` takes).
      const lines = table(
        [
          ["", ...c.runs.map((r) => pc.dim(r.id))],
          ...c.params.map((p) => [mark(p.differ, `params.${p.key}`), ...p.values.map((v) => v ?? "—")]),
          ...c.metrics.map((m) => [
            mark(m.differ, `metrics.${m.key}`),
            ...m.values.map((v) => (v === null ? "—" : metricText(v))),
          ]),
        ],
        ["", ...c.runs.map((r) => r.name)],
      ).split("\n");
      // The ids go above the rule, as a second header line.
      print([lines[0], lines[2], lines[1], ...lines.slice(3)].join("\n"));
      print(pc.dim("* differs between the runs"));
    });
  });
}
