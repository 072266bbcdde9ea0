/**
 * Batch scoring benchmark: `predictFile` on a generated 1,000,000-row churn CSV with a gradient
 * boosting model trained on a 20,000-row churn example, against the target (< 10 s).
 *
 * Usage: npx tsx bench/predict.ts [--rows 1000000] [--runs 3] [--worker]
 *
 * Each run scores in a fresh child process, so its peak RSS is that of the scoring alone; the
 * median of the runs is reported, with each run's CPU time and the load average around it (the
 * machine may be shared: a wall time means little without them). `--worker` scores on a worker
 * thread. The project and the CSV files are written to a temporary folder and removed afterwards.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeExample } from "../src/data/examples/index.js";
import { loadBundle } from "../src/pipeline/bundle.js";
import { predictFile } from "../src/pipeline/predict-batch.js";
import { runProject } from "../src/pipeline/run.js";
import { loadProject } from "../src/project/project.js";
import { openStore } from "../src/track/index.js";
import { intOption, median } from "./lib/cli.js";
import { writeExampleCsv } from "./lib/example-data.js";

const TARGET_SECONDS = 10;
const TRAIN_ROWS = 20_000;

/** Child mode: score `input` with `model` into `output`, print the measures as JSON. */
async function child(model: string, input: string, output: string, worker: boolean): Promise<void> {
  const cpu = process.cpuUsage();
  const r = await predictFile({ model, input, output, worker });
  const used = process.cpuUsage(cpu);
  const maxRssMB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(
    `${JSON.stringify({ ...r, cpuSeconds: (used.user + used.system) / 1e6, maxRssMB })}\n`,
  );
}

interface Measure {
  rows: number;
  scored: number;
  rejected: number;
  seconds: number;
  cpuSeconds: number;
  maxRssMB: number;
  load: string;
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");

async function main(): Promise<void> {
  const rows = intOption("rows", 1_000_000);
  const runs = intOption("runs", 3);
  const worker = process.argv.includes("--worker");
  const dir = mkdtempSync(join(tmpdir(), "sluice-bench-predict-"));
  try {
    const project = join(dir, "churn");
    await writeExample("churn", project, { rows: TRAIN_ROWS });
    // The fixed gradient boosting parameters of the example, without its search (a quicker setup).
    const yamlPath = join(project, "sluice.yaml");
    writeFileSync(yamlPath, readFileSync(yamlPath, "utf8").replace(/\n {4}search:\n(?: {6}.*\n)+/, "\n"));
    let t = performance.now();
    await runProject(loadProject(project), { candidates: ["gbdt"], threads: 1 });
    const store = await openStore(undefined, { projectDir: project });
    const { modelPath, model } = await loadBundle("models:/churn_predictor/1", store);
    await store.close();
    console.error(
      `trained ${model.kind} (${model.iterations} trees) on ${TRAIN_ROWS} rows in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );

    const input = join(dir, "score.csv");
    t = performance.now();
    await writeExampleCsv(input, "churn", { rows, seed: 7 });
    console.error(
      `wrote ${rows.toLocaleString("en-US")} rows (${(statSync(input).size / 1e6).toFixed(0)} MB) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );

    const script = fileURLToPath(import.meta.url);
    const measures: Measure[] = [];
    for (let run = 0; run < runs; run++) {
      const before = load();
      const args = ["--import", "tsx", script, "--child", modelPath, input, join(dir, "scored.csv")];
      const r = spawnSync(process.execPath, worker ? [...args, "--worker"] : args, {
        encoding: "utf8",
        maxBuffer: 1 << 20,
      });
      if (r.status !== 0) throw new Error(`scoring failed (exit ${r.status}):\n${r.stderr}`);
      const m = JSON.parse(r.stdout.trim().split("\n").pop()!) as Omit<Measure, "load">;
      measures.push({ ...m, load: `${before} → ${load()}` });
      console.error(
        `run ${run + 1}: ${m.seconds.toFixed(2)} s, CPU ${m.cpuSeconds.toFixed(2)} s, ${m.maxRssMB.toFixed(0)} MB, load average ${before} → ${load()}`,
      );
    }
    const m = measures[0]!;
    const seconds = median(measures.map((x) => x.seconds));
    console.log(
      `sluice predict, ${m.rows.toLocaleString("en-US")} churn rows, gradient boosting (${model.iterations} trees), ${cpus().length} cores${worker ? ", scoring on a worker thread" : ""}`,
    );
    console.log(
      `  seconds     ${seconds.toFixed(2)}   (median of ${runs}; target < ${TARGET_SECONDS} s: ${seconds < TARGET_SECONDS ? "met" : "NOT met"})`,
    );
    console.log(`  CPU seconds ${median(measures.map((x) => x.cpuSeconds)).toFixed(2)}   (median)`);
    console.log(`  rows/s      ${Math.round(m.rows / seconds).toLocaleString("en-US")}`);
    console.log(
      `  scored      ${m.scored.toLocaleString("en-US")}, rejected ${m.rejected.toLocaleString("en-US")}`,
    );
    console.log(
      `  peak RSS    ${Math.max(...measures.map((x) => x.maxRssMB)).toFixed(0)} MB   (largest run)`,
    );
    console.log(
      `  runs        ${measures.map((x) => `${x.seconds.toFixed(2)} s (load ${x.load})`).join("; ")}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const at = process.argv.indexOf("--child");
if (at >= 0)
  await child(
    process.argv[at + 1]!,
    process.argv[at + 2]!,
    process.argv[at + 3]!,
    process.argv.includes("--worker"),
  );
else await main();
