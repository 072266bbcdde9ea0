/**
 * Load benchmark: how long `readFrame` takes on a generated 1,000,000 × 20 CSV, and its peak
 * memory, against the target (< 3 s wall, < 1 GB peak RSS) and against pandas.read_csv.
 *
 * Usage: npx tsx bench/load.ts [--rows 1000000] [--reps 3]
 *
 * Each repetition runs in a fresh child process, so the peak RSS is that of one load. The CSV
 * is written to a temporary folder (never inside the repository) and removed afterwards.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateCsv, GENERATED_COLUMNS } from "./lib/generate-csv.js";
import { pythonHas, runJsonChild } from "./lib/child.js";
import { intOption, median } from "./lib/cli.js";

const TARGET_SECONDS = 3;
const TARGET_RSS_MB = 1024;
const PYTHON = "/usr/bin/python3";

interface Measure {
  seconds: number;
  cpuSeconds: number;
  maxRssMB: number;
  rows: number;
  columns: number;
}

function run(command: string, args: readonly string[], cwd: string): Measure {
  return runJsonChild<Measure>(command, args, { cwd });
}

function summarize(label: string, ms: readonly Measure[]): { seconds: number; cpu: number; rss: number } {
  const seconds = median(ms.map((m) => m.seconds));
  const cpu = median(ms.map((m) => m.cpuSeconds));
  const rss = median(ms.map((m) => m.maxRssMB));
  const each = ms.map((m) => `${m.seconds.toFixed(2)} s / ${m.maxRssMB.toFixed(0)} MB`).join(", ");
  console.log(
    `${label.padEnd(8)} median ${seconds.toFixed(2)} s wall, ${cpu.toFixed(2)} s CPU, peak RSS ${rss.toFixed(0)} MB   (${each})`,
  );
  return { seconds, cpu, rss };
}

function main(): void {
  const rows = intOption("rows", 1_000_000);
  const reps = intOption("reps", 3);
  const benchDir = dirname(fileURLToPath(import.meta.url));
  const repoRoot = dirname(benchDir);
  const dir = mkdtempSync(join(tmpdir(), "sluice-bench-load-"));
  try {
    const file = join(dir, "load.csv");
    const t0 = performance.now();
    const bytes = generateCsv(file, rows);
    const mb = bytes / 1e6;
    console.log(
      `generated ${rows.toLocaleString("en-US")} × ${GENERATED_COLUMNS.length} CSV (${mb.toFixed(0)} MB) in ${((performance.now() - t0) / 1000).toFixed(1)} s; ` +
        `${cpus().length} cores (load average ${loadavg()[0]!.toFixed(2)}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`,
    );

    const ours: Measure[] = [];
    for (let i = 0; i < reps; i++)
      ours.push(
        run(process.execPath, ["--import", "tsx", join(benchDir, "lib", "load-child.ts"), file], repoRoot),
      );
    const first = ours[0]!;
    if (first.rows !== rows || first.columns !== GENERATED_COLUMNS.length)
      throw new Error(
        `readFrame returned ${first.rows} × ${first.columns}, expected ${rows} × ${GENERATED_COLUMNS.length}`,
      );
    const s = summarize("sluice", ours);
    const pass = s.seconds < TARGET_SECONDS && s.rss < TARGET_RSS_MB;
    console.log(`target   < ${TARGET_SECONDS} s and < ${TARGET_RSS_MB} MB: ${pass ? "PASS" : "FAIL"}`);

    let pandasCells = "| n/a | n/a | n/a |";
    if (pythonHas(PYTHON, "pandas")) {
      const theirs: Measure[] = [];
      for (let i = 0; i < reps; i++)
        theirs.push(run(PYTHON, [join(benchDir, "lib", "pandas-load.py"), file], repoRoot));
      const p = summarize("pandas", theirs);
      console.log(
        `ratio    sluice/pandas: time ${(s.seconds / p.seconds).toFixed(2)}×, peak RSS ${(s.rss / p.rss).toFixed(2)}×`,
      );
      pandasCells = `| ${p.seconds.toFixed(2)} s | ${p.rss.toFixed(0)} MB | ${(s.seconds / p.seconds).toFixed(2)}× |`;
    } else console.log(`pandas   not available (${PYTHON} cannot import pandas): skipped`);

    console.log("\nrow for bench/RESULTS.md:");
    console.log(
      "| date | rows × cols | file | sluice time | sluice peak RSS | pandas time | pandas peak RSS | time ratio | target |",
    );
    console.log(
      `| ${new Date().toISOString().slice(0, 10)} | ${rows.toLocaleString("en-US")} × ${GENERATED_COLUMNS.length} | ${mb.toFixed(0)} MB ` +
        `| ${s.seconds.toFixed(2)} s | ${s.rss.toFixed(0)} MB ${pandasCells} ${pass ? "PASS" : "FAIL"} |`,
    );
    if (!pass) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
