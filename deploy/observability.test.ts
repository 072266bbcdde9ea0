/**
 * The observability assets: Prometheus's scrape config and alert rules are checked by promtool
 * (Debian's prometheus package) and the rules' unit tests show every alert firing; the Grafana
 * dashboard's queries are valid PromQL over metrics the server and the monitor really export.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DRIFT_GAUGES } from "../src/monitor/gauges.js";
import { createServeMetrics } from "../src/serve/metrics.js";

const here = import.meta.dirname;
const prometheus = join(here, "prometheus");
const tmp = mkdtempSync(join(tmpdir(), "sluice-deploy-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function promtool(...args: string[]): { code: number; out: string } {
  const r = spawnSync("promtool", args, { encoding: "utf8" });
  if (r.error !== undefined)
    throw new Error(
      `promtool could not run (${r.error.message}): install Debian's prometheus package (apt-get install prometheus)`,
    );
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/** Every metric name the server's /metrics and the drift gauges can expose. */
let known: Set<string>;
beforeAll(async () => {
  const metrics = createServeMetrics();
  metrics.observeRequest("/predict", "POST", 200, 0.001);
  metrics.observePrediction("1", 0.7);
  metrics.setModel("churn", 1);
  metrics.reloadFailed();
  const text = await metrics.render();
  known = new Set(
    [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap(([, name, type]) =>
      type === "histogram" ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name!],
    ),
  );
  for (const name of Object.keys(DRIFT_GAUGES)) known.add(name);
  known.add("up");
});

/** Metric names used in a PromQL expression (identifiers followed by a selector, range or space). */
function metricNames(expr: string): string[] {
  const functions = new Set([
    "sum",
    "max",
    "min",
    "rate",
    "increase",
    "histogram_quantile",
    "by",
    "without",
    "on",
    "and",
    "or",
    "unless",
    "le",
    "abs",
    "avg",
    "count",
    "label_values",
    "bool",
  ]);
  return [...expr.replace(/"[^"]*"/g, '""').matchAll(/\b([a-z_][a-z0-9_]*)\s*(?=\{|\[|\)|$|\s)/g)]
    .map((m) => m[1]!)
    .filter((n) => (!functions.has(n) && /_/.test(n)) || n === "up");
}

describe("Prometheus assets", () => {
  it("has a valid scrape config and alert rules (promtool check)", () => {
    const config = promtool("check", "config", join(prometheus, "prometheus.yml"));
    expect(config.code, config.out).toBe(0);
    const rules = promtool("check", "rules", join(prometheus, "alerts.yml"));
    expect(rules.code, rules.out).toBe(0);
    expect(rules.out).toMatch(/SUCCESS: 8 rules found/);
  });

  it("shows every alert firing on sample series (promtool test rules)", () => {
    const r = promtool("test", "rules", join(prometheus, "alerts.test.yml"));
    expect(r.code, r.out).toBe(0);
    const tested = new Set(
      [...readFileSync(join(prometheus, "alerts.test.yml"), "utf8").matchAll(/alertname: (\w+)/g)].map(
        (m) => m[1],
      ),
    );
    const defined = [...readFileSync(join(prometheus, "alerts.yml"), "utf8").matchAll(/- alert: (\w+)/g)].map(
      (m) => m[1],
    );
    expect(defined.filter((a) => !tested.has(a))).toEqual([]);
  });

  it("fails the rule tests when an alert would not fire as expected (the tests can fail)", () => {
    copyFileSync(join(prometheus, "alerts.yml"), join(tmp, "alerts.yml"));
    const broken = readFileSync(join(prometheus, "alerts.test.yml"), "utf8").replace(
      'description: "5% of answers were 5xx',
      'description: "50% of answers were 5xx',
    );
    writeFileSync(join(tmp, "alerts.test.yml"), broken);
    const r = promtool("test", "rules", join(tmp, "alerts.test.yml"));
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/FAILED/);
  });

  it("alerts only on metrics Sluice exports", () => {
    const exprs = [
      ...readFileSync(join(prometheus, "alerts.yml"), "utf8").matchAll(/expr: (\|\n(?:\s{10,}.*\n)+|.*)/g),
    ].map((m) => m[1]!);
    expect(exprs).toHaveLength(8);
    for (const e of exprs)
      for (const name of metricNames(e)) expect(known, `${name} in ${e}`).toContain(name);
  });
});

describe("Grafana dashboard", () => {
  interface Panel {
    title: string;
    type: string;
    targets?: { expr: string }[];
  }
  const dashboard = JSON.parse(readFileSync(join(here, "grafana", "sluice-dashboard.json"), "utf8")) as {
    panels: Panel[];
    templating: { list: { name: string; query: string }[] };
  };
  const targets = dashboard.panels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })),
  );

  it("covers requests, latency, predictions and drift", () => {
    const all = targets.map((t) => t.expr).join("\n");
    for (const name of [
      "http_requests_total",
      "http_request_duration_seconds_bucket",
      "predictions_total",
      "prediction_probability_bucket",
      "sluice_drift_dataset",
      "sluice_drift_severity",
      "sluice_drift_feature_score",
    ])
      expect(all).toContain(name);
  });

  it("queries only metrics Sluice exports, in valid PromQL (promtool check rules)", () => {
    for (const t of targets)
      for (const name of metricNames(t.expr)) expect(known, `${name} in "${t.panel}"`).toContain(name);
    // Grafana's variables replaced by values, each query becomes a recording rule promtool parses.
    const rules = targets.map((t, i) => ({
      record: `dashboard:query_${i}`,
      expr: t.expr
        .replaceAll("$__rate_interval", "5m")
        .replaceAll("$job", "sluice-serve")
        .replaceAll("$instance", ".*")
        .replaceAll("$model", ".*"),
    }));
    const file = join(tmp, "dashboard-rules.yml");
    writeFileSync(file, JSON.stringify({ groups: [{ name: "dashboard", rules }] }));
    const r = promtool("check", "rules", file);
    expect(r.code, r.out).toBe(0);
  });
});
