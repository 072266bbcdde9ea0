/**
 * Gradient boosting benchmark: our learner against XGBoost (hist) and scikit-learn's
 * HistGradientBoosting on the same rows, the same split and the same feature matrix.
 *
 * Usage: npx tsx bench/gbdt.ts [--rows 100000] [--reps 3] [--no-real] [--no-full] [--tsx]
 *
 * Our side runs as JavaScript compiled from the current sources (tsc into a temporary folder),
 * as the published package runs it: no TypeScript loader in the fitting process or in its
 * threads (under `tsx` each histogram thread spends about 0.4 s of CPU compiling its modules,
 * and the loader adds to the peak RSS). `--tsx` runs the sources through tsx instead.
 *
 * 1. Generates the churn example (`generateExampleCsv("churn", { rows })`) into a temporary
 *    folder, reads it with readFrame, splits it 80/20 (stratified, seed 42), fits the example's
 *    features on the training part and writes both matrices and the split for the peers.
 * 2. Model fit, each in its own child process (so the peak RSS is that side's alone), median of
 *    `reps` (default 3 below 1,000,000 rows, else 1): ours with num_leaves 63 and max_depth 6
 *    vs XGBoost depth 6, and ours with num_leaves 31 vs scikit-learn's 31 leaves; 100 trees,
 *    learning rate 0.1, 255 bins, 2 threads. Test ROC AUC of each.
 * 3. Features + fit from the CSV: ours (readFrame, fitFeatures, transform, fit) against pandas
 *    + scikit-learn preprocessing + fit.
 * 4. Telco and housing from ../shared/data (when present): test ROC AUC / RMSE vs XGBoost.
 * 5. Histogram kernels: the row-wise packed build against one feature at a time.
 *
 * Every figure is printed with the load average: the machines are shared, so compare the
 * ratios measured in the same run.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { exampleProjectYaml } from "../src/data/examples/index.js";
import { readFrame } from "../src/data/read.js";
import { splitRows } from "../src/data/split.js";
import { encodeTarget } from "../src/data/target.js";
import { fitFeatures, transform } from "../src/features/index.js";
import { featureMatrix, type FeatureMatrix } from "../src/features/matrix.js";
import { fitBinMapper } from "../src/models/binning.js";
import { binTrainingData } from "../src/models/gbdt/dataset.js";
import { GradientBoostingLearner } from "../src/models/gbdt/learner.js";
import { histogramAllRows, histogramColumn, HIST_STRIDE } from "../src/models/kernels/histogram.js";
import { rocAuc } from "../src/models/linear/test-utils/real-data.js";
import { parseProjectConfig } from "../src/project/config.js";
import { ModelParams, type GradientBoostingParams } from "../src/project/schema.js";
import { intOption, median } from "./lib/cli.js";
import { pythonHas, runJsonChild } from "./lib/child.js";
import { compileBenchmark } from "./lib/compile.js";
import { writeExampleCsv } from "./lib/example-data.js";

const PYTHON = "/usr/bin/python3";
const benchDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = dirname(benchDir);

/** Our side of each comparison. */
const CONFIGS: Record<string, Partial<GradientBoostingParams>> = {
  // Like XGBoost's depth-6 trees.
  xgboost: { num_leaves: 63, max_depth: 6 },
  // Like scikit-learn's 31 leaves.
  sklearn: { num_leaves: 31 },
  // Matched to XGBoost's defaults for the real datasets (as src/models/gbdt/real.test.ts).
  real: { num_leaves: 63, max_depth: 6, min_data_in_leaf: 1, min_sum_hessian: 1, lambda_l2: 1 },
};

function paramsFor(config: string): GradientBoostingParams {
  return ModelParams.gradient_boosting.parse({
    trees: 100,
    learning_rate: 0.1,
    max_bins: 255,
    threads: 2,
    ...CONFIGS[config],
  });
}

interface Measure {
  fitSeconds?: number;
  seconds?: number;
  auc?: number;
  rmse?: number;
  cpuSeconds: number;
  maxRssMB: number;
}

// ---------------------------------------------------------------------------------------------
// Child processes.

/**
 * A file of doubles, read in place (a copy only when the buffer is not 8-byte aligned), with
 * every page touched once. On these machines the first touch of a freshly read buffer costs
 * about 2 ns a byte (0.3 s for the 1M-row matrix); the peer's harness pays it before its
 * timer (it copies the matrix into row order), and a matrix built by `transform` in a real
 * run has been written already, so ours pays it here too, not inside the fit.
 */
function f64(path: string): Float64Array {
  const b = readFileSync(path);
  const a =
    b.byteOffset % 8 !== 0
      ? new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength))
      : new Float64Array(b.buffer, b.byteOffset, b.byteLength / 8);
  for (let i = 0; i < a.length; i += 512) if (a[i] !== 0) touchedPages++;
  return a;
}

/** Pages touched holding a non-zero value (reported, so that the touching loop stays). */
let touchedPages = 0;

function loadSplit(dir: string, name: string) {
  const meta = JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8")) as {
    nTrain: number;
    nTest: number;
    names: string[];
    task: "classification" | "regression";
  };
  return {
    task: meta.task,
    Xtr: featureMatrix(meta.nTrain, meta.names, f64(join(dir, `${name}.X_train.f64`))),
    Xte: featureMatrix(meta.nTest, meta.names, f64(join(dir, `${name}.X_test.f64`))),
    ytr: f64(join(dir, `${name}.y_train.f64`)),
    yte: f64(join(dir, `${name}.y_test.f64`)),
  };
}

async function fitAndScore(
  task: "classification" | "regression",
  config: string,
  Xtr: FeatureMatrix,
  ytr: Float64Array,
  Xte: FeatureMatrix,
  yte: ArrayLike<number>,
): Promise<{ fitSeconds: number; auc?: number; rmse?: number }> {
  const target = task === "classification" ? { task, classes: ["0", "1"] } : { task };
  const y = task === "classification" ? Int32Array.from(ytr) : ytr;
  const start = performance.now();
  const model = await new GradientBoostingLearner(paramsFor(config), target).fit(Xtr, y);
  const fitSeconds = (performance.now() - start) / 1000;
  if (task === "classification") {
    const p = model.predictProba(Xte);
    return {
      fitSeconds,
      auc: rocAuc(
        yte,
        Float64Array.from({ length: Xte.nRows }, (_, i) => p[2 * i + 1]!),
      ),
    };
  }
  const pred = model.predict(Xte);
  let sse = 0;
  for (let i = 0; i < pred.length; i++) sse += (pred[i]! - yte[i]!) ** 2;
  return { fitSeconds, rmse: Math.sqrt(sse / pred.length) };
}

async function prepareChurn(csv: string) {
  const frame = await readFrame(csv);
  const config = parseProjectConfig(exampleProjectYaml("churn"));
  const target = encodeTarget(frame, config.data.target, "classification", { positive: "1" });
  const split = splitRows(frame.nRows, {
    test: 0.2,
    validation: 0,
    seed: 42,
    stratify: target.y as Int32Array,
  });
  const train = frame.take(split.train);
  const test = frame.take(split.test);
  const fitted = fitFeatures(config.features, train, {
    target: config.data.target,
    task: "classification",
    schema: config.schema,
  });
  const y = target.y as Int32Array;
  return {
    split,
    Xtr: transform(fitted, train),
    Xte: transform(fitted, test),
    ytr: Float64Array.from(split.train, (r) => y[r]!),
    yte: Float64Array.from(split.test, (r) => y[r]!),
  };
}

function usage(): Measure & { touchedPages: number } {
  const cpu = process.cpuUsage();
  return {
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    touchedPages,
  };
}

async function child(args: string[]): Promise<void> {
  const [mode, dir] = args;
  if (mode === "fit") {
    const [, , name, config] = args;
    const s = loadSplit(dir!, name!);
    const r = await fitAndScore(s.task, config!, s.Xtr, s.ytr, s.Xte, s.yte);
    console.log(JSON.stringify({ ...r, ...usage() }));
  } else {
    const [, , config] = args;
    const start = performance.now();
    const s = await prepareChurn(join(dir!, "churn.csv"));
    const r = await fitAndScore("classification", config!, s.Xtr, s.ytr, s.Xte, s.yte);
    console.log(JSON.stringify({ seconds: (performance.now() - start) / 1000, auc: r.auc, ...usage() }));
  }
}

// ---------------------------------------------------------------------------------------------
// The benchmark.

function load(): string {
  return loadavg()[0]!.toFixed(2);
}

function run(command: string, args: readonly string[]): Measure {
  return runJsonChild<Measure>(command, args, {
    cwd: repoRoot,
    maxBuffer: 1 << 24,
    env: { ...process.env, OMP_NUM_THREADS: "2" },
  });
}

/** The compiled benchmark (see {@link compileBenchmark}), or undefined to run the sources through tsx. */
let compiled: string | undefined;

function ours(...args: string[]): Measure {
  if (compiled === undefined)
    return run(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--child", ...args]);
  return run(process.execPath, [join(compiled, "bench", "gbdt.js"), "--child", ...args]);
}

function peer(...args: string[]): Measure {
  return run(PYTHON, [join(benchDir, "peers", "gbdt_peer.py"), ...args]);
}

interface Summary {
  seconds: number;
  rss: number;
  score: number;
  each: string;
  load: string;
}

function repeat(reps: number, measure: () => Measure, seconds: (m: Measure) => number): Summary {
  const ms: Measure[] = [];
  const loads: string[] = [];
  for (let i = 0; i < reps; i++) {
    loads.push(load());
    ms.push(measure());
  }
  return {
    seconds: median(ms.map(seconds)),
    rss: Math.max(...ms.map((m) => m.maxRssMB)),
    score: ms[0]!.auc ?? ms[0]!.rmse ?? NaN,
    each: ms.map((m) => seconds(m).toFixed(2)).join(", "),
    load: loads.join("/"),
  };
}

function writeSplitFiles(
  dir: string,
  name: string,
  s: { Xtr: FeatureMatrix; Xte: FeatureMatrix; ytr: Float64Array; yte: Float64Array },
): void {
  const buf = (a: Float64Array | Int32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  writeFileSync(join(dir, `${name}.X_train.f64`), buf(s.Xtr.data));
  writeFileSync(join(dir, `${name}.X_test.f64`), buf(s.Xte.data));
  writeFileSync(join(dir, `${name}.y_train.f64`), buf(s.ytr));
  writeFileSync(join(dir, `${name}.y_test.f64`), buf(s.yte));
  writeFileSync(
    join(dir, `${name}.json`),
    JSON.stringify({ nTrain: s.Xtr.nRows, nTest: s.Xte.nRows, names: s.Xtr.names, task: "classification" }),
  );
}

/** Root histogram of the churn matrix, row-wise packed vs column by column, in ns per cell. */
function kernelComparison(X: FeatureMatrix): string {
  const data = binTrainingData(X, fitBinMapper(X, { maxBins: 255 }), 1, false);
  const n = X.nRows;
  const g = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
  const h = Float32Array.from({ length: n }, (_, i) => 0.1 + 0.05 * Math.cos(i));
  const rows = Int32Array.from({ length: n }, (_, i) => i);
  const hist = new Float64Array(data.totalBins * HIST_STRIDE);
  const pack = data.packs[0]!;
  const time = (fn: () => void): number => {
    fn();
    const t = performance.now();
    for (let r = 0; r < 5; r++) fn();
    return (performance.now() - t) / 5;
  };
  const rowWise = time(() => {
    hist.fill(0);
    histogramAllRows(pack.rowStart, pack.entries, n, g, h, 0, hist, 0);
  });
  const colWise = time(() => {
    hist.fill(0);
    for (let f = 0; f < X.nCols; f++)
      histogramColumn(data.bins, f * n, rows, 0, n, g, h, 0, hist, data.binOffset[f]! * HIST_STRIDE);
  });
  const cells = n * X.nCols;
  return (
    `histogram of all ${n.toLocaleString("en-US")} rows × ${X.nCols} features (load ${load()}): ` +
    `row-wise packed ${rowWise.toFixed(1)} ms (${((rowWise * 1e6) / cells).toFixed(2)} ns/cell, ` +
    `${data.entriesPerRow.toFixed(1)} of ${X.nCols} cells per row stored), ` +
    `column-wise ${colWise.toFixed(1)} ms (${((colWise * 1e6) / cells).toFixed(2)} ns/cell): ${(colWise / rowWise).toFixed(2)}× slower`
  );
}

async function main(): Promise<void> {
  const rows = intOption("rows", 100_000);
  const reps = intOption("reps", rows >= 1_000_000 ? 1 : 3);
  const dir = mkdtempSync(join(tmpdir(), "sluice-bench-gbdt-"));
  const date = new Date().toISOString().slice(0, 10);
  const md: string[] = [];
  try {
    console.log(
      `${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}; load average ${load()}`,
    );
    if (!process.argv.includes("--tsx")) {
      compiled = compileBenchmark(fileURLToPath(import.meta.url), dir);
      console.log("ours: compiled JavaScript (as the published package runs)");
    } else console.log("ours: TypeScript sources through tsx");
    const csv = join(dir, "churn.csv");
    await writeExampleCsv(csv, "churn", { rows });
    const prepared = await prepareChurn(csv);
    writeSplitFiles(dir, "churn", prepared);
    const i32 = (a: Int32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    writeFileSync(join(dir, "split.train.i32"), i32(prepared.split.train));
    writeFileSync(join(dir, "split.test.i32"), i32(prepared.split.test));
    console.log(
      `churn: ${rows.toLocaleString("en-US")} rows → train ${prepared.Xtr.nRows.toLocaleString("en-US")} × ${prepared.Xtr.nCols} features, test ${prepared.Xte.nRows.toLocaleString("en-US")}`,
    );
    const peers = pythonHas(PYTHON, "xgboost, sklearn");
    if (!peers) console.log(`${PYTHON} cannot import xgboost and sklearn: peers skipped`);

    md.push(
      "| date | rows | learner | load | fit s (ours / peer) | ratio | AUC (ours / peer) | peak RSS MB (ours / peer) |",
    );
    md.push("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for (const [config, label] of [
      ["xgboost", "num_leaves 63, max_depth 6 vs XGBoost hist depth 6"],
      ["sklearn", "num_leaves 31 vs scikit-learn HistGradientBoosting 31 leaves"],
    ] as const) {
      const a = repeat(
        reps,
        () => ours("fit", dir, "churn", config),
        (m) => m.fitSeconds!,
      );
      console.log(
        `\n${label}\n  ours  fit ${a.seconds.toFixed(2)} s (${a.each}; load ${a.load}), AUC ${a.score.toFixed(5)}, peak RSS ${a.rss.toFixed(0)} MB`,
      );
      if (!peers) continue;
      const b = repeat(
        reps,
        () => peer("fit", dir, "churn", config),
        (m) => m.fitSeconds!,
      );
      console.log(
        `  peer  fit ${b.seconds.toFixed(2)} s (${b.each}; load ${b.load}), AUC ${b.score.toFixed(5)}, peak RSS ${b.rss.toFixed(0)} MB`,
      );
      console.log(
        `  ours/peer: fit ${(a.seconds / b.seconds).toFixed(2)}×, AUC ${(a.score - b.score >= 0 ? "+" : "") + (a.score - b.score).toFixed(5)}, peak RSS ${(a.rss / b.rss).toFixed(2)}×`,
      );
      md.push(
        `| ${date} | ${rows.toLocaleString("en-US")} | ${config === "xgboost" ? "XGBoost 1.7 hist, depth 6" : "sklearn HGB, 31 leaves"} | ${a.load} / ${b.load} ` +
          `| ${a.seconds.toFixed(2)} / ${b.seconds.toFixed(2)} | ${(a.seconds / b.seconds).toFixed(2)}× | ${a.score.toFixed(4)} / ${b.score.toFixed(4)} | ${a.rss.toFixed(0)} / ${b.rss.toFixed(0)} |`,
      );
      if (!process.argv.includes("--no-full")) {
        const c = ours("full", dir, config);
        const d = peer("full", dir, config);
        console.log(
          `  from the CSV (features + fit): ours ${c.seconds!.toFixed(2)} s (AUC ${c.auc!.toFixed(5)}, ${c.maxRssMB.toFixed(0)} MB), ` +
            `pandas + scikit-learn + peer ${d.seconds!.toFixed(2)} s (AUC ${d.auc!.toFixed(5)}, ${d.maxRssMB.toFixed(0)} MB): ${(c.seconds! / d.seconds!).toFixed(2)}× (load ${load()})`,
        );
      }
    }

    if (!process.argv.includes("--no-real")) {
      const shared = resolve(repoRoot, "..", "shared", "data");
      if (
        existsSync(join(shared, "housing.csv")) &&
        existsSync(join(shared, "WA_Fn-UseC_-Telco-Customer-Churn.csv"))
      ) {
        const dump = spawnSync(
          process.execPath,
          [
            "--import",
            "tsx",
            join(repoRoot, "src", "models", "linear", "test-utils", "dump-real-data.ts"),
            dir,
          ],
          { cwd: repoRoot, encoding: "utf8" },
        );
        if (dump.status !== 0) throw new Error(`dumping the real datasets failed:\n${dump.stderr}`);
        console.log("\nreal data (same split and features both sides; ours matched to XGBoost's defaults)");
        md.push(
          "",
          "| date | dataset | load | ours | XGBoost hist depth 6 | fit s (ours / XGBoost) |",
          "| --- | --- | --- | --- | --- | --- |",
        );
        for (const name of ["telco", "housing"]) {
          const l = load();
          const a = ours("fit", dir, name, "real");
          const b = peers ? peer("fit", dir, name, "xgboost") : undefined;
          const what = name === "telco" ? "ROC AUC" : "RMSE";
          const fmt = (m: Measure | undefined): string =>
            m === undefined ? "n/a" : name === "telco" ? m.auc!.toFixed(4) : m.rmse!.toFixed(0);
          console.log(
            `  ${name}: ${what} ours ${fmt(a)}, XGBoost ${fmt(b)}; fit ${a.fitSeconds!.toFixed(2)} s vs ${b?.fitSeconds?.toFixed(2) ?? "n/a"} s (load ${l})`,
          );
          md.push(
            `| ${date} | ${name} | ${l} | ${what} ${fmt(a)} | ${fmt(b)} | ${a.fitSeconds!.toFixed(2)} / ${b?.fitSeconds?.toFixed(2) ?? "n/a"} |`,
          );
        }
      } else console.log("\nreal data: ../shared/data is absent, skipped");
    }

    console.log(`\n${kernelComparison(prepared.Xtr)}`);
    console.log("\nrows for bench/RESULTS.md:\n" + md.join("\n"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const at = process.argv.indexOf("--child");
if (at >= 0) await child(process.argv.slice(at + 1));
else await main();
