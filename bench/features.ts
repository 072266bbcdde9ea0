/**
 * Feature engineering benchmark: fit and transform 1,000,000 rows (8 numeric + 4 categorical
 * inputs, 2 derived, 1 binary, 1 binned feature), and single-record latency over 100,000 calls.
 * Compares with scikit-learn's ColumnTransformer on the same columns when /usr/bin/python3 has it.
 *
 * Run: npx tsx bench/features.ts [rows]
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Frame, numericColumn, type Column } from "../src/data/frame.js";
import { Random } from "../src/data/random.js";
import { fitFeatures, transform, transformRecord, type FittedFeatures } from "../src/features/index.js";
import { FeatureSpec } from "../src/project/schema.js";

const ROWS = Number(process.argv[2] ?? 1_000_000);
const RECORD_CALLS = 100_000;

function buildFrame(n: number): Frame {
  const rng = new Random(7);
  const cols: Column[] = [];
  const numeric = [
    "age",
    "tenure",
    "monthly_charges",
    "total_charges",
    "balance",
    "calls",
    "visits",
    "score",
  ];
  for (const [k, name] of numeric.entries()) {
    const v = new Float64Array(n);
    const missing = k % 3 === 0 ? 0.03 : 0;
    for (let i = 0; i < n; i++)
      v[i] = rng.next() < missing ? NaN : k === 0 ? 18 + rng.int(70) : rng.normal(50 * (k + 1), 10 * (k + 1));
    cols.push(numericColumn(name, v, k === 0 ? "integer" : "float"));
  }
  const cards: [string, number][] = [
    ["contract", 3],
    ["payment", 5],
    ["region", 10],
    ["plan", 50],
  ];
  for (const [name, card] of cards) {
    const dict = Array.from({ length: card }, (_, i) => `${name}_${i}`);
    const codes = new Int32Array(n);
    for (let i = 0; i < n; i++)
      codes[i] = rng.next() < 0.01 ? -1 : Math.min(card - 1, Math.floor(card * rng.next() * rng.next()));
    cols.push({ kind: "categorical", name, codes, dictionary: dict });
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = rng.int(2);
  cols.push(numericColumn("churn", y));
  return new Frame(cols, n);
}

const spec = FeatureSpec.parse({
  derived: { per_month: "total_charges / (tenure + 1)", log_balance: "log1p(abs(balance))" },
  binary: { is_high_value: 'monthly_charges > 80 and contract != "contract_0"' },
  binned: { age_group: { column: "age", edges: [18, 30, 45, 60, 120], encode: "onehot" } },
  numeric: { impute: "median", scale: "standard" },
  // Every category kept, as OneHotEncoder does, so both sides produce the same columns.
  categorical: { impute: "most_frequent", encode: "onehot", max_categories: 1000 },
});

function ms(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const frame = buildFrame(ROWS);
let t0 = process.hrtime.bigint();
const fitted = fitFeatures(spec, frame, { target: "churn", task: "classification" });
const fitMs = ms(t0);

transform(fitted, frame.slice(0, 1000)); // warm-up
const runs: number[] = [];
for (let k = 0; k < 3; k++) {
  t0 = process.hrtime.bigint();
  transform(fitted, frame);
  runs.push(ms(t0));
}
runs.sort((a, b) => a - b);
const transformMs = runs[1]!;

// Plain numeric + one-hot (the ColumnTransformer equivalent) for the comparison.
const plainSpec = FeatureSpec.parse({ numeric: spec.numeric, categorical: spec.categorical });
const plain: FittedFeatures = fitFeatures(plainSpec, frame, { target: "churn", task: "classification" });
transform(plain, frame.slice(0, 1000));
t0 = process.hrtime.bigint();
transform(plain, frame);
const plainMs = ms(t0);

const records = Array.from({ length: 1000 }, (_, i) => frame.row((i * 7919) % ROWS));
const out = new Float64Array(fitted.outputs.length);
for (let i = 0; i < 20_000; i++) transformRecord(fitted, records[i % records.length]!, out);
const times = new Float64Array(RECORD_CALLS);
for (let i = 0; i < RECORD_CALLS; i++) {
  const s = process.hrtime.bigint();
  transformRecord(fitted, records[i % records.length]!, out);
  times[i] = Number(process.hrtime.bigint() - s) / 1000;
}
times.sort();
const median = quantile(times, 0.5);
const p99 = quantile(times, 0.99);

let sklearn: { fit_s: number; transform_s: number; shape: number[] } | undefined;
let sklearnNote = "";
const dir = mkdtempSync(join(tmpdir(), "sluice-bench-features-"));
try {
  const manifest: { rows: number; numeric: string[]; categorical: Record<string, readonly string[]> } = {
    rows: ROWS,
    numeric: [],
    categorical: {},
  };
  for (const c of frame.columns) {
    if (c.name === "churn") continue;
    if (c.kind === "numeric") {
      writeFileSync(
        join(dir, `${c.name}.f64`),
        Buffer.from(c.values.buffer, c.values.byteOffset, c.values.byteLength),
      );
      manifest.numeric.push(c.name);
    } else if (c.kind === "categorical") {
      writeFileSync(
        join(dir, `${c.name}.i32`),
        Buffer.from(c.codes.buffer, c.codes.byteOffset, c.codes.byteLength),
      );
      manifest.categorical[c.name] = c.dictionary;
    }
  }
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
  const script = join(import.meta.dirname, "..", "scripts", "fixtures", "features_bench_sklearn.py");
  const text = execFileSync("/usr/bin/python3", [script, dir], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  sklearn = JSON.parse(text.trim().split("\n").pop()!) as typeof sklearn;
} catch (err) {
  sklearnNote = `scikit-learn comparison skipped: ${(err as Error).message.split("\n")[0]}`;
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const rows = ROWS.toLocaleString("en-US");
console.log(`features: ${rows} rows, ${fitted.inputs.length} inputs → ${fitted.outputs.length} outputs`);
console.log(`  fit                      ${fitMs.toFixed(0)} ms`);
console.log(`  transform (median of 3)  ${transformMs.toFixed(0)} ms   (target < 2000 ms)`);
console.log(`  transform, numeric+onehot only  ${plainMs.toFixed(0)} ms`);
console.log(
  `  transformRecord          median ${median.toFixed(2)} µs, p99 ${p99.toFixed(2)} µs over ${RECORD_CALLS.toLocaleString("en-US")} calls   (target median < 20 µs)`,
);
if (sklearn !== undefined) {
  console.log(
    `  scikit-learn ColumnTransformer: fit ${(sklearn.fit_s * 1000).toFixed(0)} ms, transform ${(sklearn.transform_s * 1000).toFixed(0)} ms (shape ${sklearn.shape.join("×")})`,
  );
  console.log(
    `  ratio sklearn / sluice transform (same steps): ${((sklearn.transform_s * 1000) / plainMs).toFixed(2)}×`,
  );
} else console.log(`  ${sklearnNote}`);
console.log("");
console.log(
  "| benchmark | rows | transform | transformRecord median | p99 | sklearn transform (same steps) | ratio |",
);
console.log(
  `| features | ${rows} | ${transformMs.toFixed(0)} ms | ${median.toFixed(2)} µs | ${p99.toFixed(2)} µs | ${sklearn === undefined ? "n/a" : `${(sklearn.transform_s * 1000).toFixed(0)} ms vs ${plainMs.toFixed(0)} ms`} | ${sklearn === undefined ? "n/a" : `${((sklearn.transform_s * 1000) / plainMs).toFixed(2)}×`} |`,
);
