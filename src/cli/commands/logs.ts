/**
 * `sluice logs export`: the prediction log as CSV or JSON lines, read page by page (constant
 * memory), to stdout or to a file written atomically.
 */
import { once } from "node:events";
import type { Command } from "commander";
import { Option } from "commander";
import pc from "picocolors";
import { formatCsvField } from "../../data/csv-write.js";
import { SluiceError } from "../../errors.js";
import { parseIsoDatetime } from "../../features/values.js";
import { parseDuration } from "../../project/duration.js";
import type { PredictionQuery, Store, StoredPrediction } from "../../track/types.js";
import { AtomicFileWriter } from "../../util/fs.js";
import type { CliContext } from "../main.js";
import { print, printJson } from "../output.js";
import { shown, storeOptions, withStore, type StoreFlags } from "./common.js";

export type LogFormat = "csv" | "jsonl";

export interface ExportLogOptions {
  model?: string;
  /** Epoch ms, inclusive. */
  since?: number;
  /** Epoch ms, exclusive. */
  until?: number;
  format: LogFormat;
  /** Rows per page read from the store. Default 5,000. */
  pageSize?: number;
}

/**
 * A time flag: ISO 8601 (`2024-05-01`, `2024-05-01T12:00Z`), epoch milliseconds, or a duration
 * back from `now` (`30m`, `1h`, `7d`).
 */
export function parseTimeFlag(flag: string, value: string, now = Date.now()): number {
  const text = value.trim();
  const ago = parseDuration(text);
  if (ago !== undefined) return now - ago;
  if (/^\d+$/.test(text)) return Number(text);
  const iso = parseIsoDatetime(text);
  if (iso !== undefined) return iso;
  throw new SluiceError(
    "E_USAGE",
    `${flag} expects an ISO 8601 time or a duration such as 1h or 7d, got "${value}"`,
    {
      details: { flag, value },
      hint: `e.g. ${flag} 24h, ${flag} 7d or ${flag} 2024-05-01T00:00:00Z`,
    },
  );
}

/** Nested objects become dotted keys (`probability.yes`); arrays and other values stay whole. */
function flatten(prefix: string, value: unknown, into: Map<string, unknown>): void {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(prefix === "" ? k : `${prefix}.${k}`, v, into);
  } else into.set(prefix, value);
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? formatCsvField(value) : "";
  if (typeof value === "string") return formatCsvField(value);
  if (typeof value === "boolean") return String(value);
  return formatCsvField(JSON.stringify(value));
}

const FIXED = ["request_id", "at", "model", "version", "latency_ms"];

async function* pages(
  store: Store,
  query: PredictionQuery,
  pageSize: number,
  lastId?: number,
): AsyncGenerator<StoredPrediction[]> {
  const list = store.listPredictions?.bind(store);
  if (list === undefined)
    throw new SluiceError("E_STORE", `the tracking store ${store.url} has no prediction log`, {
      hint: "use a SQLite or PostgreSQL store",
    });
  let afterId: number | undefined;
  for (;;) {
    let page = await list({ ...query, limit: pageSize, ...(afterId === undefined ? {} : { afterId }) });
    if (lastId !== undefined) page = page.filter((p) => p.id <= lastId);
    if (page.length === 0) return;
    yield page;
    afterId = page[page.length - 1]!.id;
    if (lastId !== undefined && afterId >= lastId) return;
  }
}

/**
 * Write the prediction log (filtered by model and time) through `write`, page by page.
 *
 * CSV: `request_id, at` (ISO 8601 UTC), `model, version, latency_ms`, then one column per input
 * field and one per output field (nested objects flattened to `a.b`; an output field whose name
 * an input already uses is prefixed `output.`), over the union of the keys of every exported
 * row: a first pass over the log collects the keys, the second writes the rows (up to the last
 * row the first pass saw, so both agree). JSON lines: one object per row as stored.
 *
 * @returns the number of rows written
 */
export async function exportPredictionLog(
  store: Store,
  options: ExportLogOptions,
  write: (text: string) => Promise<void> | void,
): Promise<number> {
  const query: PredictionQuery = {
    ...(options.model === undefined ? {} : { model: options.model }),
    ...(options.since === undefined ? {} : { since: options.since }),
    ...(options.until === undefined ? {} : { until: options.until }),
  };
  const pageSize = options.pageSize ?? 5000;
  let rows = 0;
  if (options.format === "jsonl") {
    for await (const page of pages(store, query, pageSize)) {
      let text = "";
      for (const p of page) text += `${JSON.stringify(p)}\n`;
      await write(text);
      rows += page.length;
    }
    return rows;
  }

  const inputKeys = new Set<string>();
  const outputKeys = new Set<string>();
  let lastId: number | undefined;
  const scratch = new Map<string, unknown>();
  for await (const page of pages(store, query, pageSize)) {
    for (const p of page) {
      scratch.clear();
      flatten("", p.input, scratch);
      for (const k of scratch.keys()) inputKeys.add(k);
      scratch.clear();
      flatten("", p.output, scratch);
      for (const k of scratch.keys()) outputKeys.add(k);
    }
    lastId = page[page.length - 1]!.id;
  }
  const inputs = [...inputKeys];
  const taken = new Set([...FIXED, ...inputs]);
  const outputs = [...outputKeys];
  const outputNames = outputs.map((k) => (taken.has(k) ? `output.${k}` : k));
  await write([...FIXED, ...inputs, ...outputNames].map((h) => formatCsvField(h)).join(",") + "\n");
  if (lastId === undefined) return 0;
  const inMap = new Map<string, unknown>();
  const outMap = new Map<string, unknown>();
  for await (const page of pages(store, query, pageSize, lastId)) {
    let text = "";
    for (const p of page) {
      inMap.clear();
      outMap.clear();
      flatten("", p.input, inMap);
      flatten("", p.output, outMap);
      const fields = [
        formatCsvField(p.requestId),
        new Date(p.at).toISOString(),
        formatCsvField(p.model),
        p.version === null ? "" : String(p.version),
        cell(p.latencyMs),
      ];
      for (const k of inputs) fields.push(cell(inMap.get(k)));
      for (const k of outputs) fields.push(cell(outMap.get(k)));
      text += fields.join(",") + "\n";
    }
    await write(text);
    rows += page.length;
  }
  return rows;
}

interface ExportFlags extends StoreFlags {
  model?: string;
  since?: string;
  until?: string;
  format?: LogFormat;
  output?: string;
}

/**
 * The export's format: `--format` when given; else, on stdout, JSON lines with `--json` and CSV
 * without; CSV into an `--output` file (where `--json` is the summary on stdout).
 *
 * @throws SluiceError E_USAGE for `--json --format csv` without `--output`: stdout cannot be
 *   CSV and JSON at once
 */
export function exportFormat(flags: { format?: LogFormat; output?: string }, json: boolean): LogFormat {
  const toStdout = flags.output === undefined;
  if (flags.format === undefined) return json && toStdout ? "jsonl" : "csv";
  if (json && toStdout && flags.format === "csv")
    throw new SluiceError("E_USAGE", "--json asks for JSON on stdout, and --format csv for CSV there", {
      details: { format: flags.format },
      hint: "drop --json for CSV on stdout, drop --format csv for JSON lines, or add --output FILE (the CSV goes to the file, a JSON summary to stdout)",
    });
  return flags.format;
}

/** Write to stdout, waiting when its buffer is full (a slow pipe). */
async function toStdout(text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, "drain");
}

export function registerLogs(program: Command, ctx: CliContext): void {
  const logs = program
    .command("logs")
    .description("the prediction log: what the server predicted, for whom, and how fast")
    .addHelpText(
      "after",
      `
Examples:
  $ sluice logs export demo --since 24h > last-day.csv
Exit codes: 0 done · 2 bad usage, a store without a prediction log, or a store that cannot be opened`,
    );
  storeOptions(
    logs
      .command("export")
      .description("export logged predictions as CSV or JSON lines")
      .argument("[project]", "project folder or sluice.yaml whose store holds the log")
      .option("--model <name>", "only this model's predictions")
      .option("--since <time>", "from this time: ISO 8601, or a duration back from now (1h, 7d)")
      .option("--until <time>", "before this time (same forms)")
      .addOption(
        new Option("--format <format>", "csv or jsonl (default: csv; jsonl on stdout with --json)").choices([
          "csv",
          "jsonl",
        ]),
      )
      .option("--output <file>", "write to a file (atomically) instead of stdout"),
  )
    .addHelpText(
      "after",
      `
CSV columns: request_id, at (ISO 8601 UTC), model, version, latency_ms, then one column per
input field and per output field over every exported row (nested outputs such as multiclass
probabilities become probability.<class>; an output named like an input gets an output. prefix).
JSON lines: one stored row per line (id, requestId, at, model, version, input, output,
latencyMs, feedback, feedbackAt). --json on stdout means JSON lines (--json --format csv is
refused); with --output, the file gets the rows (CSV unless --format jsonl) and stdout a JSON
summary ({ok, rows, output, format}).

Examples:
  $ sluice logs export demo --since 24h > last-day.csv
  $ sluice logs export --model churn_predictor --since 2024-05-01 --until 2024-06-01 --output may.csv
  $ sluice logs export --format jsonl --since 7d | head
  $ sluice logs export --json --since 1h | jq .output.prediction       # --json: JSON lines
Exit codes: 0 exported (also when nothing matches) · 2 a bad --since, --until or --format, a store
without a prediction log, or a store that cannot be opened`,
    )
    .action(async (location: string | undefined, flags: ExportFlags, command: Command) => {
      const globals = ctx.globals(command);
      const now = Date.now();
      const format = exportFormat(flags, globals.json === true);
      const options: ExportLogOptions = {
        format,
        ...(flags.model === undefined ? {} : { model: flags.model }),
        ...(flags.since === undefined ? {} : { since: parseTimeFlag("--since", flags.since, now) }),
        ...(flags.until === undefined ? {} : { until: parseTimeFlag("--until", flags.until, now) }),
      };
      const storeFlags: StoreFlags = { ...flags, project: location ?? flags.project };
      await withStore(storeFlags, async (store) => {
        if (flags.output === undefined) {
          await exportPredictionLog(store, options, toStdout);
          return;
        }
        const writer = new AtomicFileWriter(flags.output);
        let rows: number;
        try {
          rows = await exportPredictionLog(store, options, (text) => writer.write(text));
          writer.commit();
        } catch (err) {
          writer.abort();
          throw err;
        }
        if (globals.json === true) printJson({ ok: true, rows, output: writer.path, format });
        else print(`${pc.green("✓")} ${rows.toLocaleString("en-US")} predictions → ${shown(flags.output)}`);
      });
    });
}
