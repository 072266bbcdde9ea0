/**
 * Logistic regression benchmark: fit time, peak memory and test ROC AUC of Sluice's logistic
 * regression (defaults: lbfgs, C = 1) against scikit-learn's LogisticRegression(max_iter=1000)
 * and the npm package ml-logistic-regression, on the same split and features:
 * - IBM Telco churn (../shared/data, when present),
 * - a generated churn file (`generateExampleCsv("churn")`, --rows, default 100,000).
 *
 * Usage: npx tsx bench/linear.ts [--rows 100000] [--reps 3] [--ml-steps 2000] [--ml-max-rows 10000]
 *
 * ml-logistic-regression is another algorithm — fixed-step gradient descent without an
 * intercept (a column of ones is added so it can fit one), one-vs-rest — and its default
 * 50,000 steps take minutes even on Telco: it runs --ml-steps steps, only on datasets up to
 * --ml-max-rows training rows, and its AUC is reported next to its time.
 *
 * Target: test AUC within 0.002 of scikit-learn's.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Matrix } from "ml-matrix";
import { LogisticRegressionLearner } from "../src/models/linear/logistic.js";
import {
  TELCO,
  prepareTelco,
  readSplit,
  rocAuc,
  writeSplit,
  type PreparedSplit,
} from "../src/models/linear/test-utils/real-data.js";
import { ModelParams } from "../src/project/schema.js";
import { pythonHas, runJsonChild } from "./lib/child.js";
import { intOption, median } from "./lib/cli.js";
import { generatedChurn } from "./lib/example-data.js";

const PYTHON = "/usr/bin/python3";
const AUC_TOLERANCE = 0.002;

interface Measure {
  seconds: number;
  cpuSeconds: number;
  maxRssMB: number;
  score: number;
  iterations?: number;
  load?: number;
}

/** The part of ml-logistic-regression used here (it ships no types). */
interface MlLogisticRegression {
  train(X: Matrix, y: Matrix): void;
  classifiers: { testScores(X: Matrix): number[] }[];
}
type MlLogisticRegressionClass = new (options: {
  numSteps: number;
  learningRate?: number;
}) => MlLogisticRegression;

const benchDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = dirname(benchDir);

/** Rows with a trailing 1 (the intercept's column), as an ml-matrix Matrix. */
function withOnes(X: PreparedSplit["train"]["X"]): Matrix {
  return new Matrix(
    Array.from({ length: X.nRows }, (_, i) => [
      ...Array.from({ length: X.nCols }, (_, j) => X.data[j * X.nRows + i]!),
      1,
    ]),
  );
}

/** The child side: one fit, one JSON line. */
async function child(kind: string, dir: string, name: string, mlSteps: number): Promise<void> {
  const split = readSplit(dir, name);
  const { X, y } = split.train;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let scores: (T: PreparedSplit["test"]["X"]) => ArrayLike<number>;
  let iterations: number | undefined;
  if (kind === "ours") {
    const model = await new LogisticRegressionLearner(ModelParams.logistic_regression.parse({}), {
      task: "classification",
      classes: split.classes!,
    }).fit(X, y);
    iterations = model.iterations;
    scores = (T) => {
      const p = model.predictProba(T);
      return Float64Array.from({ length: T.nRows }, (_, i) => p[2 * i + 1]!);
    };
  } else {
    const Ml = createRequire(import.meta.url)("ml-logistic-regression") as MlLogisticRegressionClass;
    const m = new Ml({ numSteps: mlSteps });
    m.train(withOnes(X), Matrix.columnVector(Array.from(y)));
    iterations = mlSteps;
    // Its one-vs-rest labels class 0 as 0 and the rest as 1: classifier 0 scores class 1.
    scores = (T) => m.classifiers[0]!.testScores(withOnes(T));
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const measure: Measure = {
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    score: rocAuc(split.test.y, scores(split.test.X)),
    ...(iterations === undefined ? {} : { iterations }),
  };
  console.log(JSON.stringify(measure));
}

function run(command: string, args: readonly string[]): Measure {
  const load = loadavg()[0]!;
  return { ...runJsonChild<Measure>(command, args, { cwd: repoRoot }), load };
}

async function main(): Promise<void> {
  const rows = intOption("rows", 100_000);
  const reps = intOption("reps", 3);
  const mlSteps = intOption("ml-steps", 2000);
  const mlMaxRows = intOption("ml-max-rows", 10_000);
  const dir = mkdtempSync(join(tmpdir(), "sluice-bench-linear-"));
  const self = fileURLToPath(import.meta.url);
  const haveSklearn = pythonHas(PYTHON, "sklearn");
  console.log(
    `logistic regression; ${cpus().length} cores, load average ${loadavg()[0]!.toFixed(2)}, Node ${process.version}`,
  );
  let failed = false;
  try {
    const datasets: { name: string; split: PreparedSplit }[] = [];
    if (TELCO.exists) datasets.push({ name: "telco", split: await prepareTelco() });
    else console.log(`telco: skipped, ${TELCO.path} is absent`);
    datasets.push({ name: `churn-${rows}`, split: await generatedChurn(dir, rows) });

    const table: string[] = [];
    for (const { name, split } of datasets) {
      writeSplit(dir, name, split);
      const shape = `${split.train.X.nRows.toLocaleString("en-US")} × ${split.train.X.nCols}`;
      const ours: Measure[] = [];
      const theirs: Measure[] = [];
      for (let r = 0; r < reps; r++) {
        ours.push(run(process.execPath, ["--import", "tsx", self, "--child", "ours", dir, name]));
        if (haveSklearn)
          theirs.push(
            run(PYTHON, [join(repoRoot, "scripts", "fixtures", "models_linear_bench.py"), dir, name]),
          );
      }
      const loads = [...ours, ...theirs].map((m) => m.load!.toFixed(1)).join("/");
      const o = { s: median(ours.map((m) => m.seconds)), rss: median(ours.map((m) => m.maxRssMB)) };
      const auc = ours[0]!.score;
      console.log(
        `\n${name} (${shape} train, ${split.test.X.nRows.toLocaleString("en-US")} test), load averages ${loads}`,
      );
      console.log(
        `  sluice        fit ${o.s.toFixed(3)} s, peak RSS ${o.rss.toFixed(0)} MB, AUC ${auc.toFixed(4)}, ${ours[0]!.iterations} iterations`,
      );
      let sk = "n/a";
      let diff = "n/a";
      let ratio = "n/a";
      if (theirs.length > 0) {
        const t = { s: median(theirs.map((m) => m.seconds)), rss: median(theirs.map((m) => m.maxRssMB)) };
        const d = Math.abs(auc - theirs[0]!.score);
        const r = median(ours.map((m, i) => m.seconds / theirs[i]!.seconds));
        console.log(
          `  scikit-learn  fit ${t.s.toFixed(3)} s, peak RSS ${t.rss.toFixed(0)} MB, AUC ${theirs[0]!.score.toFixed(4)}, ${theirs[0]!.iterations} iterations`,
        );
        console.log(
          `  AUC difference ${d.toFixed(4)} (target ≤ ${AUC_TOLERANCE}: ${d <= AUC_TOLERANCE ? "PASS" : "FAIL"}); time ratio sluice / scikit-learn ${r.toFixed(2)}×`,
        );
        if (d > AUC_TOLERANCE) failed = true;
        sk = `${t.s.toFixed(3)} s / ${t.rss.toFixed(0)} MB / AUC ${theirs[0]!.score.toFixed(4)}`;
        diff = d.toFixed(4);
        ratio = `${r.toFixed(2)}×`;
      }
      let ml = "not run (too slow at this size)";
      if (split.train.X.nRows <= mlMaxRows) {
        const m = run(process.execPath, [
          "--import",
          "tsx",
          self,
          "--child",
          "ml",
          dir,
          name,
          "--ml-steps",
          String(mlSteps),
        ]);
        console.log(
          `  ml-logistic-regression (${mlSteps} gradient steps) fit ${m.seconds.toFixed(2)} s, peak RSS ${m.maxRssMB.toFixed(0)} MB, AUC ${m.score.toFixed(4)}`,
        );
        ml = `${m.seconds.toFixed(2)} s / AUC ${m.score.toFixed(4)} (${mlSteps} steps)`;
      }
      table.push(
        `| ${new Date().toISOString().slice(0, 10)} | ${loads} | ${name} | ${shape} | ${o.s.toFixed(3)} s / ${o.rss.toFixed(0)} MB / AUC ${auc.toFixed(4)} | ${sk} | ${diff} | ${ratio} | ${ml} |`,
      );
    }
    console.log("\nrows for bench/RESULTS.md:");
    console.log(
      "| date | load averages | data | train rows × features | sluice fit / peak RSS / AUC | scikit-learn LogisticRegression(max_iter=1000) | AUC difference (target ≤ 0.002) | time ratio | ml-logistic-regression |",
    );
    console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (const row of table) console.log(row);
    if (failed) process.exitCode = 1;
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
    intOption("ml-steps", 2000),
  );
else await main();
