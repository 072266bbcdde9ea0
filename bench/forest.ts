/**
 * Random forest benchmark: fit time, peak memory and test score of Sluice's random forest
 * against scikit-learn's RandomForest (n_jobs=2) and the npm package ml-random-forest, at equal
 * trees (100) and depth (10), on the same split and features:
 * - IBM Telco churn and California housing (../shared/data, when present),
 * - a generated churn file (`generateExampleCsv("churn")`, --rows, default 100,000).
 *
 * Usage: npx tsx bench/forest.ts [--rows 100000] [--reps 3] [--ml-max-rows 10000] [--tsx]
 *
 * Our side (and ml-random-forest's) runs as JavaScript compiled from the current sources (tsc
 * into a temporary folder), as the published package runs it: no TypeScript loader in the
 * fitting process or in its worker threads (under `tsx` a worker spends about 0.4 s of CPU
 * compiling its modules before it grows a tree, more than a whole forest on Telco takes).
 * `--tsx` runs the sources through tsx instead.
 *
 * Every fit runs in a fresh child process (so its peak RSS is its own), ours and scikit-learn's
 * taking turns so both see the same load; the figures are medians. ml-random-forest grows
 * nested-object trees over every candidate value and takes minutes beyond ~10,000 training
 * rows, so it runs once, and only on datasets up to --ml-max-rows training rows.
 *
 * Targets: fit time ≤ 1.0 × scikit-learn's; ≥ 20 × faster than ml-random-forest.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { RandomForestClassifier, RandomForestRegression } from "ml-random-forest";
import { RandomForestLearner } from "../src/models/forest/learner.js";
import {
  HOUSING,
  TELCO,
  prepareHousing,
  prepareTelco,
  readSplit,
  rocAuc,
  writeSplit,
  type PreparedSplit,
} from "../src/models/linear/test-utils/real-data.js";
import { ModelParams } from "../src/project/schema.js";
import { intOption, median } from "./lib/cli.js";
import { pythonHas, runJsonChild } from "./lib/child.js";
import { compileBenchmark } from "./lib/compile.js";
import { generatedChurn } from "./lib/example-data.js";

const PYTHON = "/usr/bin/python3";
const TREES = 100;
const DEPTH = 10;
const THREADS = 2;

interface Measure {
  seconds: number;
  cpuSeconds: number;
  maxRssMB: number;
  /** ROC AUC (classification) or RMSE (regression) on the test part. */
  score: number;
  /** The 1-minute load average when the fit started. */
  load?: number;
}

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = dirname(benchDir);

function score(
  split: PreparedSplit,
  predict: (X: PreparedSplit["test"]["X"]) => Float64Array | number[],
): number {
  const out = predict(split.test.X);
  const y = split.test.y;
  if (split.task === "classification") return rocAuc(y, out);
  let se = 0;
  for (let i = 0; i < y.length; i++) se += (out[i]! - y[i]!) ** 2;
  return Math.sqrt(se / y.length);
}

/** Rows of a column-major matrix as arrays, as ml-random-forest takes them. */
function rowsOf(X: PreparedSplit["train"]["X"]): number[][] {
  return Array.from({ length: X.nRows }, (_, i) =>
    Array.from({ length: X.nCols }, (_, j) => X.data[j * X.nRows + i]!),
  );
}

/** The child side: one fit, one JSON line. */
async function child(kind: string, dir: string, name: string): Promise<void> {
  const split = readSplit(dir, name);
  const { X, y } = split.train;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let predict: (X: PreparedSplit["test"]["X"]) => Float64Array | number[];
  if (kind === "ours") {
    const params = ModelParams.random_forest.parse({ trees: TREES, max_depth: DEPTH, threads: THREADS });
    const target =
      split.task === "classification"
        ? { task: "classification" as const, classes: split.classes! }
        : { task: "regression" as const };
    const model = await new RandomForestLearner(params, target).fit(X, y, { seed: 42 });
    predict =
      split.task === "classification"
        ? (T) => {
            const p = model.predictProba(T);
            return Float64Array.from({ length: T.nRows }, (_, i) => p[2 * i + 1]!);
          }
        : (T) => model.predict(T);
  } else {
    const rows = rowsOf(X);
    const options = {
      nEstimators: TREES,
      // Features per tree (ml-random-forest samples them per tree, not per split): √p as
      // scikit-learn's per-split default for classification, all for regression.
      maxFeatures: split.task === "classification" ? Math.floor(Math.sqrt(X.nCols)) : X.nCols,
      treeOptions: { maxDepth: DEPTH },
      useSampleBagging: true,
      replacement: false,
      noOOB: true,
      seed: 42,
    };
    if (split.task === "classification") {
      const m = new RandomForestClassifier(options);
      m.train(rows, Array.from(y));
      predict = (T) => m.predictProbability(rowsOf(T), 1);
    } else {
      const m = new RandomForestRegression(options);
      m.train(rows, Array.from(y));
      predict = (T) => m.predict(rowsOf(T));
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const measure: Measure = {
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    score: score(split, predict),
  };
  console.log(JSON.stringify(measure));
}

function run(command: string, args: readonly string[]): Measure {
  const load = loadavg()[0]!;
  return { ...runJsonChild<Measure>(command, args, { cwd: repoRoot }), load };
}

function fmtScore(task: string, v: number): string {
  return task === "classification" ? `AUC ${v.toFixed(4)}` : `RMSE ${v.toFixed(0)}`;
}

async function main(): Promise<void> {
  const rows = intOption("rows", 100_000);
  const reps = intOption("reps", 3);
  const mlMaxRows = intOption("ml-max-rows", 10_000);
  const dir = mkdtempSync(join(tmpdir(), "sluice-bench-forest-"));
  const compiled = process.argv.includes("--tsx")
    ? undefined
    : compileBenchmark(fileURLToPath(import.meta.url), dir);
  // Our children: the compiled benchmark, or the sources through tsx.
  const child =
    compiled === undefined
      ? ["--import", "tsx", fileURLToPath(import.meta.url), "--child"]
      : [join(compiled, "bench", "forest.js"), "--child"];
  const haveSklearn = pythonHas(PYTHON, "sklearn");
  console.log(
    `random forest: ${TREES} trees, max_depth ${DEPTH}, ${THREADS} threads; ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(2)}, Node ${process.version}`,
  );
  console.log(
    compiled === undefined
      ? "ours: TypeScript sources through tsx"
      : "ours: compiled JavaScript (as the published package runs)",
  );
  try {
    const datasets: { name: string; split: PreparedSplit }[] = [];
    if (TELCO.exists) datasets.push({ name: "telco", split: await prepareTelco() });
    else console.log(`telco: skipped, ${TELCO.path} is absent`);
    if (HOUSING.exists) datasets.push({ name: "housing", split: await prepareHousing() });
    else console.log(`housing: skipped, ${HOUSING.path} is absent`);
    datasets.push({ name: `churn-${rows}`, split: await generatedChurn(dir, rows) });

    const table: string[] = [];
    for (const { name, split } of datasets) {
      writeSplit(dir, name, split);
      const shape = `${split.train.X.nRows.toLocaleString("en-US")} × ${split.train.X.nCols}`;
      const ours: Measure[] = [];
      const theirs: Measure[] = [];
      for (let r = 0; r < reps; r++) {
        ours.push(run(process.execPath, [...child, "ours", dir, name]));
        if (haveSklearn)
          theirs.push(
            run(PYTHON, [join(repoRoot, "scripts", "fixtures", "models_forest_bench.py"), dir, name]),
          );
      }
      const o = {
        s: median(ours.map((m) => m.seconds)),
        cpu: median(ours.map((m) => m.cpuSeconds)),
        rss: median(ours.map((m) => m.maxRssMB)),
      };
      const loads = [...ours, ...theirs].map((m) => m.load!.toFixed(1)).join("/");
      console.log(
        `\n${name} (${shape} train, ${split.test.X.nRows.toLocaleString("en-US")} test), load averages ${loads}`,
      );
      console.log(
        `  sluice        fit ${o.s.toFixed(2)} s (CPU ${o.cpu.toFixed(2)} s), peak RSS ${o.rss.toFixed(0)} MB, ${fmtScore(split.task, ours[0]!.score)}   runs: ${ours.map((m) => m.seconds.toFixed(2)).join(", ")} s`,
      );
      let sk = "n/a";
      let ratio = "n/a";
      if (theirs.length > 0) {
        const t = {
          s: median(theirs.map((m) => m.seconds)),
          cpu: median(theirs.map((m) => m.cpuSeconds)),
          rss: median(theirs.map((m) => m.maxRssMB)),
        };
        const ratios = ours.map((m, i) => m.seconds / theirs[i]!.seconds);
        console.log(
          `  scikit-learn  fit ${t.s.toFixed(2)} s (CPU ${t.cpu.toFixed(2)} s), peak RSS ${t.rss.toFixed(0)} MB, ${fmtScore(split.task, theirs[0]!.score)}   runs: ${theirs.map((m) => m.seconds.toFixed(2)).join(", ")} s`,
        );
        const r = median(ratios);
        console.log(
          `  ratio sluice / scikit-learn: ${r.toFixed(2)}× (median of paired runs; target ≤ 1.0: ${r <= 1 ? "PASS" : "FAIL"})`,
        );
        sk = `${t.s.toFixed(2)} s / ${t.rss.toFixed(0)} MB / ${fmtScore(split.task, theirs[0]!.score)}`;
        ratio = `${r.toFixed(2)}×`;
      }
      let ml = "not run (too slow at this size)";
      let mlRatio = "n/a";
      if (split.train.X.nRows <= mlMaxRows) {
        const m = run(process.execPath, [...child, "ml", dir, name]);
        const speedup = m.seconds / o.s;
        console.log(
          `  ml-random-forest fit ${m.seconds.toFixed(2)} s, peak RSS ${m.maxRssMB.toFixed(0)} MB, ${fmtScore(split.task, m.score)}; sluice is ${speedup.toFixed(1)}× faster (target ≥ 20: ${speedup >= 20 ? "PASS" : "FAIL"})`,
        );
        ml = `${m.seconds.toFixed(1)} s / ${fmtScore(split.task, m.score)}`;
        mlRatio = `${speedup.toFixed(0)}×`;
      }
      table.push(
        `| ${new Date().toISOString().slice(0, 10)} | ${loads} | ${name} | ${shape} | ${o.s.toFixed(2)} s / ${o.rss.toFixed(0)} MB / ${fmtScore(split.task, ours[0]!.score)} | ${sk} | ${ratio} | ${ml} | ${mlRatio} |`,
      );
    }
    console.log("\nrows for bench/RESULTS.md:");
    console.log(
      "| date | load averages | data | train rows × features | sluice fit / peak RSS / score | scikit-learn (n_jobs=2) | time ratio (target ≤ 1.0) | ml-random-forest | sluice speed-up (target ≥ 20) |",
    );
    console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (const row of table) console.log(row);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const at = process.argv.indexOf("--child");
if (at >= 0) await child(process.argv[at + 1]!, process.argv[at + 2]!, process.argv[at + 3]!);
else await main();
