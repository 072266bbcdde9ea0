import type { Command } from "commander";
import pc from "picocolors";
import type { FeatureDrift } from "../../monitor/measure.js";
import { formatNumber, type MonitorReport } from "../../monitor/report.js";
import { severityRank } from "../../monitor/severity.js";
import {
  monitorHistory,
  monitorProject,
  type MonitorHistory,
  type MonitorOptions,
  type MonitorResult,
} from "../../pipeline/monitor.js";
import { scheduleMonitor } from "../../pipeline/monitor-schedule.js";
import { CheckFailed, type CliContext } from "../main.js";
import { print, printJson, table } from "../output.js";
import { intFlag, mark, progressFor, projectArg, shown } from "./common.js";
import { parseTimeFlag } from "./logs.js";

interface MonitorFlags {
  model?: string;
  window?: number;
  since?: string;
  current?: string;
  reference?: string;
  store?: string;
  alert: boolean;
  retrain: boolean;
  push?: string | boolean;
  reportDir?: string;
  every?: string;
  by?: string;
  history?: boolean;
}

const fmt = formatNumber;

const SEVERITY_COLOUR = { none: pc.green, moderate: pc.yellow, severe: pc.red, critical: pc.red } as const;

function featureRow(f: FeatureDrift): string[] {
  if (f.status !== "tested")
    return [f.name, f.kind, "—", "—", "—", "—", pc.yellow("not tested"), pc.dim(f.message ?? "")];
  return [
    f.name,
    f.kind,
    f.name === "prediction" ? "—" : `${(100 * f.importance).toFixed(0)}%`,
    f.method ?? "",
    f.scoreKind === "p_value" ? `p=${fmt(f.score)}` : fmt(f.score),
    f.threshold === undefined ? "—" : `${f.scoreKind === "p_value" ? "<" : "≥"} ${fmt(f.threshold)}`,
    f.drifted ? pc.red("drift") : pc.green("ok"),
    f.newCategories === undefined
      ? ""
      : pc.dim(
          `new: ${f.newCategories
            .map((c) => c.value)
            .slice(0, 3)
            .join(", ")}`,
        ),
  ];
}

function printReport(result: MonitorResult): void {
  const r: MonitorReport = result.report;
  print(
    pc.dim(
      `${r.model}${r.version === null ? "" : ` v${r.version}`}${r.stage === null ? "" : ` (${r.stage})`} · ${r.source} · reference ${r.referenceRows.toLocaleString("en-US")} rows`,
    ),
  );
  print();
  const rows = r.features.map(featureRow);
  if (r.prediction !== undefined) rows.push(featureRow(r.prediction));
  print(table(rows, ["feature", "type", "importance", "test", "score", "drift when", "verdict", ""]));
  print();
  const colour = SEVERITY_COLOUR[r.severity];
  print(
    `${colour(pc.bold(r.severity))}: ${r.severityReason}${r.datasetDrift ? ` — ${pc.bold("dataset drift")}` : ""}`,
  );
  if (r.quality !== undefined) {
    const q = r.quality;
    const parts = Object.entries(q.metrics).map(
      ([k, v]) =>
        `${k} ${fmt(v)}${q.change[k] === undefined ? "" : ` (${q.change[k] >= 0 ? "+" : ""}${fmt(q.change[k])} vs test)`}`,
    );
    print(
      `live quality on ${q.rows.toLocaleString("en-US")} predictions with feedback: ${parts.length > 0 ? parts.join(", ") : (q.note ?? "")}`,
    );
  }
  if (r.alert !== undefined)
    print(
      mark(
        r.alert.status === "sent",
        `alert ${r.alert.status} to ${r.alert.url}${r.alert.error === undefined ? "" : `: ${r.alert.error}`}`,
      ),
    );
  if (r.retrain !== undefined) {
    const t = r.retrain;
    const ok = t.status === "finished" && t.gatesPassed !== false;
    const what =
      t.status === "finished"
        ? `retrained: run ${t.runId ?? "?"} registered v${t.version ?? "?"} → ${t.stage ?? "?"}${t.gatesPassed === false ? " (gates failed)" : ""}`
        : t.status === "cooldown"
          ? `no retraining: ${t.reason}`
          : `retraining ${t.status}: ${t.error ?? t.reason}`;
    print(t.status === "cooldown" ? pc.yellow(`• ${what}`) : mark(ok, what));
  }
  if (result.pushError !== undefined) print(mark(false, result.pushError));
  print();
  print(`${pc.bold("report")} ${shown(result.files.html)}`);
}

function printHistory(h: MonitorHistory): void {
  const when = (ms: number): string => new Date(ms).toISOString().replace("T", " ").slice(0, 19);
  print(pc.bold(`drift history of ${h.model}`));
  if (h.reports.length === 0) print(pc.dim("  no drift measured yet: run sluice monitor"));
  else
    print(
      table(
        h.reports.map((r) => [
          when(r.at),
          r.version === null ? "—" : `v${r.version}`,
          SEVERITY_COLOUR[r.severity](r.severity),
          r.datasetDrift ? pc.red("yes") : "no",
          `${(100 * r.driftShare).toFixed(0)}%`,
          r.currentRows.toLocaleString("en-US"),
          r.drifted.join(", "),
        ]),
        ["at (UTC)", "version", "severity", "dataset drift", "share", "rows", "drifted"],
      ),
    );
  print();
  print(pc.bold("alerts and retraining"));
  if (h.events.length === 0) print(pc.dim("  none"));
  else
    print(
      table(
        h.events.map((e) => [
          when(e.at),
          e.kind,
          e.status,
          e.severity,
          e.runId ?? "",
          pc.dim(
            e.kind === "retrain" && typeof e.detail.version === "number"
              ? `v${e.detail.version} → ${String(e.detail.stage)}`
              : e.reason,
          ),
        ]),
        ["at (UTC)", "kind", "status", "severity", "run", ""],
      ),
    );
}

/** Exit 1 when the drift is severe or worse, or a feature is absent or entirely missing. */
function failed(report: MonitorReport): string | undefined {
  if (severityRank(report.severity) >= 2) return `${report.severity} drift`;
  const broken = report.features.filter((f) => f.status === "absent" || f.status === "all_missing");
  if (broken.length > 0) return broken.map((f) => f.message ?? f.name).join("; ");
  return undefined;
}

export function registerMonitor(program: Command, ctx: CliContext): void {
  program
    .command("monitor")
    .description("measure drift against the training data, grade it, alert, and retrain when it matters")
    .argument("[project]", "project folder or sluice.yaml", ".")
    .option("--model <ref>", "models:/NAME@production (default), models:/NAME/3, or a model.json path")
    .option("--window <n>", "the last N logged predictions (default: monitor.window)", intFlag("--window"))
    .option("--since <time>", "only predictions logged since: a duration back from now (24h, 7d) or ISO 8601")
    .option("--current <file>", "measure a CSV/Parquet batch instead of the prediction log")
    .option("--reference <file>", "compare with this CSV/Parquet file instead of the stored training sample")
    .option("--store <url>", "a store URL instead of the project's (postgres://… or a SQLite file)")
    .option("--no-alert", "do not send the webhook alert")
    .option("--no-retrain", "do not start a retraining")
    .option(
      "--push [url]",
      "push the drift gauges to a Prometheus Pushgateway (default: monitor.pushgateway)",
    )
    .option("--report-dir <dir>", "where to write drift.json and drift.html (default: .sluice/monitor/…)")
    .option(
      "--every <schedule>",
      "run on a schedule until stopped: a duration (30m, 1h) or a cron expression",
    )
    .option("--by <who>", "who acts, recorded with a retraining's registry changes")
    .option("--history", "show the model's drift history, alerts and retraining triggers, and stop")
    .addHelpText(
      "after",
      `
What it does: reads the current data (the last monitor.window predictions the server logged for
the model version, or --current FILE), compares every input feature and the prediction with the
training sample stored beside the model (reference.json), and grades the result:

  test per feature, as Evidently chooses by default (a reference of ≤ 1,000 rows: KS, chi-square
  or Z test, drift when p < 0.05; larger: Wasserstein distance / reference std for numbers,
  Jensen–Shannon distance for categories, drift when ≥ 0.1); monitor.tests names others
  (ks, chisquare, z, wasserstein, jensenshannon, psi, hellinger);
  dataset drift when the share of drifted features ≥ monitor.drift_share;
  severity none / moderate / severe / critical from that share, the model's importance (mean
  |SHAP|) of the drifted features, and whether the prediction drifted.

The result goes to drift.json and drift.html (with a reference-vs-current plot per feature) and
to the model version's drift history in the store. Then, as sluice.yaml says: a webhook alert
(monitor.alerts), gauges to a Pushgateway (--push), and a retraining (monitor.retrain: the
project's own \`sluice run\`; its gates decide whether the new version reaches staging), never
twice within the cooldown. Live quality is reported when ground truth came back (POST /feedback).

Examples:
  $ sluice monitor demo                          # the production model's last 1,000 predictions
  $ sluice monitor demo --window 5000 --json     # a bigger window, for scripts
  $ sluice monitor demo --since 24h --no-retrain # the last day, report and alert only
  $ sluice monitor demo --current batch.csv      # a batch file instead of the log
  $ sluice monitor demo --every 1h               # every hour until stopped (Ctrl+C)
Exit codes: 0 no severe drift · 1 severe or critical drift, or a feature absent or all missing ·
2 bad usage, no reference, no predictions, or an unreachable store`,
    )
    .action(async (location: string, flags: MonitorFlags, command: Command) => {
      const globals = ctx.globals(command);
      const project = projectArg(location);
      const options: MonitorOptions = {
        progress: progressFor(globals),
        ...(flags.model === undefined ? {} : { model: flags.model }),
        ...(flags.window === undefined ? {} : { window: flags.window }),
        ...(flags.since === undefined ? {} : { since: parseTimeFlag("--since", flags.since) }),
        ...(flags.current === undefined ? {} : { current: flags.current }),
        ...(flags.reference === undefined ? {} : { reference: flags.reference }),
        ...(flags.store === undefined ? {} : { store: flags.store }),
        ...(flags.reportDir === undefined ? {} : { reportDir: flags.reportDir }),
        ...(flags.push === undefined ? {} : { push: flags.push }),
        ...(flags.by === undefined ? {} : { by: flags.by }),
        alert: flags.alert,
        retrain: flags.retrain,
      };
      const show = (result: MonitorResult): void => {
        if (globals.json === true)
          printJson({ ok: failed(result.report) === undefined, ...result.report, files: result.files });
        else printReport(result);
      };
      if (flags.every !== undefined) {
        const schedule = scheduleMonitor(project, flags.every, {
          ...options,
          onResult: show,
          onError: (err) => {
            const message = err instanceof Error ? err.message : String(err);
            process.stderr.write(`${pc.red("monitoring failed:")} ${message}\n`);
          },
        });
        process.stderr.write(
          pc.dim(`monitoring ${project.config.name} every ${flags.every}; Ctrl+C stops\n`),
        );
        await new Promise<void>((resolve) => {
          const stop = (): void => {
            process.off("SIGINT", stop);
            process.off("SIGTERM", stop);
            void schedule.stop().then(resolve);
          };
          process.once("SIGINT", stop);
          process.once("SIGTERM", stop);
        });
        return;
      }
      if (flags.history === true) {
        const history = await monitorHistory(project, {
          ...(flags.model === undefined ? {} : { model: flags.model }),
          ...(flags.store === undefined ? {} : { store: flags.store }),
        });
        if (globals.json === true) printJson({ ok: true, ...history });
        else printHistory(history);
        return;
      }
      const result = await monitorProject(project, options);
      show(result);
      const why = failed(result.report);
      if (why !== undefined) throw new CheckFailed(why);
    });
}
