/**
 * Drift statistics benchmark: 20 features (12 numeric, 8 categorical), a reference and a
 * current sample of 1,000,000 rows each, built in memory; every feature tested with the
 * default (Evidently's) choice, then each method by name on two features. The same data goes
 * to bench/peers/drift_peer.py, which runs the same computation with NumPy/SciPy/pandas the way
 * Evidently 0.4 does, in the same run, for the time ratio and a check that the scores agree.
 *
 * Run: npx tsx bench/drift.ts [rows] [--no-peer]
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Random } from "../src/data/random.js";
import {
  categoricalSampleFromCodes,
  driftTest,
  numericSample,
  type CategoricalSample,
  type DriftMethodName,
  type DriftTestResult,
  type NumericSample,
} from "../src/monitor/stats/index.js";

const args = process.argv.slice(2);
const ROWS = Number(args.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const PEER = !args.includes("--no-peer");
const REPEATS = 3;

interface NumericFeature {
  kind: "numeric";
  name: string;
  reference: Float64Array;
  current: Float64Array;
}
interface CategoricalFeature {
  kind: "categorical";
  name: string;
  categories: number;
  reference: Int32Array;
  current: Int32Array;
}
type Feature = NumericFeature | CategoricalFeature;

function numeric(
  name: string,
  draw: (rng: Random, current: boolean) => number,
  seed: number,
): NumericFeature {
  const rng = new Random(seed);
  const reference = new Float64Array(ROWS);
  const current = new Float64Array(ROWS);
  for (let i = 0; i < ROWS; i++) reference[i] = draw(rng, false);
  for (let i = 0; i < ROWS; i++) current[i] = draw(rng, true);
  return { kind: "numeric", name, reference, current };
}

/** Zipf-like category weights; `drift` moves weight towards the tail; `extra` categories appear only in current. */
function categorical(
  name: string,
  categories: number,
  drift: number,
  extra: number,
  seed: number,
): CategoricalFeature {
  const rng = new Random(seed);
  const weights = (shift: number, count: number): Float64Array =>
    Float64Array.from({ length: count }, (_, k) => 1 / (k + 1) ** (1.1 - shift));
  const ref = weights(0, categories);
  const cur = weights(drift, categories + extra);
  const draw = (w: Float64Array, out: Int32Array): void => {
    const cdf = new Float64Array(w.length);
    let s = 0;
    for (let k = 0; k < w.length; k++) cdf[k] = s += w[k]!;
    for (let i = 0; i < out.length; i++) {
      if (rng.next() < 0.01) {
        out[i] = -1;
        continue;
      }
      const u = rng.next() * s;
      let lo = 0;
      let hi = w.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cdf[mid]! > u) hi = mid;
        else lo = mid + 1;
      }
      out[i] = lo;
    }
  };
  const reference = new Int32Array(ROWS);
  const current = new Int32Array(ROWS);
  draw(ref, reference);
  draw(cur, current);
  return { kind: "categorical", name, categories: categories + extra, reference, current };
}

function build(): Feature[] {
  const missing = (rng: Random, share: number, v: number): number => (rng.next() < share ? NaN : v);
  return [
    numeric("normal", (r) => r.normal(0, 1), 1),
    numeric("normal_shift_0.2sd", (r, c) => r.normal(c ? 0.2 : 0, 1), 2),
    numeric("normal_shift_0.01sd", (r, c) => r.normal(c ? 0.01 : 0, 1), 3),
    numeric("normal_wider", (r, c) => r.normal(5, c ? 2.6 : 2), 4),
    numeric("lognormal", (r) => Math.exp(r.normal(0, 1)), 5),
    numeric("lognormal_shift", (r, c) => Math.exp(r.normal(c ? 0.1 : 0, 1)), 6),
    numeric("age_integers", (r, c) => 18 + r.int(c ? 75 : 73), 7),
    numeric("rounded_3pct_missing", (r) => missing(r, 0.03, Math.round(r.normal(100, 15) * 10) / 10), 8),
    numeric("binary_0_1", (r, c) => (r.next() < (c ? 0.35 : 0.3) ? 1 : 0), 9),
    numeric("counts_0_to_4", (r) => Math.min(4, Math.floor(-Math.log(1 - r.next()) * 1.2)), 10),
    numeric("uniform", (r) => r.next(), 11),
    numeric("bimodal", (r, c) => (r.next() < (c ? 0.45 : 0.5) ? r.normal(-2, 1) : r.normal(2, 1)), 12),
    categorical("cat_2", 2, 0, 0, 13),
    categorical("cat_3_drift", 3, 0.6, 0, 14),
    categorical("cat_5", 5, 0, 0, 15),
    categorical("cat_10_new_category", 10, 0, 1, 16),
    categorical("cat_20_drift", 20, 0.3, 0, 17),
    categorical("cat_50", 50, 0, 0, 18),
    categorical("cat_200", 200, 0.05, 0, 19),
    categorical("cat_1000", 1000, 0, 0, 20),
  ];
}

function ms(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface Prepared {
  reference: NumericSample | CategoricalSample;
  current: NumericSample | CategoricalSample;
}

function prepare(f: Feature): Prepared {
  return f.kind === "numeric"
    ? { reference: numericSample(f.reference), current: numericSample(f.current) }
    : {
        reference: categoricalSampleFromCodes(f.reference, f.categories),
        current: categoricalSampleFromCodes(f.current, f.categories),
      };
}

function run(method: DriftMethodName | "auto", p: Prepared): DriftTestResult {
  return p.reference.kind === "numeric"
    ? driftTest(method, p.reference, p.current as NumericSample)
    : driftTest(method, p.reference, p.current as CategoricalSample);
}

const load0 = loadavg()[0]!;
const t0 = process.hrtime.bigint();
const features = build();
console.log(
  `drift: ${features.length} features × ${ROWS.toLocaleString("en-US")} rows (reference and current), built in ${ms(t0).toFixed(0)} ms`,
);

// Warm-up on a slice, so the timings are not of the compiler.
for (const f of features.slice(0, 3)) {
  const small =
    f.kind === "numeric"
      ? { ...f, reference: f.reference.subarray(0, 20000), current: f.current.subarray(0, 20000) }
      : f;
  run("auto", prepare(small));
}

interface Row {
  name: string;
  method: string;
  score: number;
  drifted: boolean;
  prepareMs: number;
  testMs: number;
}
const totals: number[] = [];
const perFeature = new Map<string, { prepare: number[]; test: number[]; result: DriftTestResult }>();
for (let rep = 0; rep < REPEATS; rep++) {
  const tAll = process.hrtime.bigint();
  for (const f of features) {
    let t = process.hrtime.bigint();
    const p = prepare(f);
    const prepareMs = ms(t);
    t = process.hrtime.bigint();
    const result = run("auto", p);
    const testMs = ms(t);
    const entry = perFeature.get(f.name) ?? { prepare: [], test: [], result };
    entry.prepare.push(prepareMs);
    entry.test.push(testMs);
    perFeature.set(f.name, entry);
  }
  totals.push(ms(tAll));
}
const rows: Row[] = features.map((f) => {
  const e = perFeature.get(f.name)!;
  return {
    name: f.name,
    method: e.result.method,
    score: e.result.score,
    drifted: e.result.drifted,
    prepareMs: median(e.prepare),
    testMs: median(e.test),
  };
});

// Each method by name, on samples prepared once (the reference of a monitor is prepared once).
const byNameFeatures = ["normal_shift_0.01sd", "cat_50"];
const byName: { feature: string; method: DriftMethodName; ms: number; score: number }[] = [];
for (const name of byNameFeatures) {
  const f = features.find((x) => x.name === name)!;
  const p = prepare(f);
  const methods: DriftMethodName[] =
    f.kind === "numeric"
      ? ["ks", "wasserstein", "jensenshannon", "psi", "hellinger", "chisquare", "z"]
      : ["chisquare", "z", "jensenshannon", "psi", "hellinger"];
  for (const m of methods) {
    const times: number[] = [];
    let score = NaN;
    for (let rep = 0; rep < REPEATS; rep++) {
      const t = process.hrtime.bigint();
      score = run(m, p).score;
      times.push(ms(t));
    }
    byName.push({ feature: name, method: m, ms: median(times), score });
  }
}

interface PeerResult {
  total_s: number;
  features: { name: string; method: string; score: number; seconds: number }[];
  by_name: { feature: string; method: string; score: number; seconds: number }[];
}
let peer: PeerResult | undefined;
let peerNote = "";
if (PEER) {
  const dir = mkdtempSync(join(tmpdir(), "sluice-bench-drift-"));
  try {
    const manifest: {
      rows: number;
      features: { name: string; kind: string }[];
      by_name: string[];
      repeats: number;
    } = {
      rows: ROWS,
      features: [],
      by_name: byNameFeatures,
      repeats: REPEATS,
    };
    for (const f of features) {
      const ext = f.kind === "numeric" ? "f64" : "i32";
      writeFileSync(
        join(dir, `${f.name}.reference.${ext}`),
        Buffer.from(f.reference.buffer, 0, f.reference.byteLength),
      );
      writeFileSync(
        join(dir, `${f.name}.current.${ext}`),
        Buffer.from(f.current.buffer, 0, f.current.byteLength),
      );
      manifest.features.push({ name: f.name, kind: f.kind });
    }
    writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
    const script = join(import.meta.dirname, "peers", "drift_peer.py");
    const text = execFileSync("/usr/bin/python3", [script, dir], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 16 * 1024 * 1024,
    });
    peer = JSON.parse(text.trim().split("\n").pop()!) as PeerResult;
  } catch (err) {
    peerNote = `SciPy comparison skipped: ${(err as Error).message.split("\n")[0]}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const load1 = loadavg()[0]!;

const relDiff = (a: number, b: number): number =>
  a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(b), Number.MIN_VALUE);
const fmt = (x: number): string => (Math.abs(x) >= 1e-3 || x === 0 ? x.toFixed(4) : x.toExponential(2));

console.log(
  `load average ${load0.toFixed(1)} at start, ${load1.toFixed(1)} at end; times are medians of ${REPEATS}`,
);
console.log("");
console.log(
  "| feature | test (auto) | score | drift | prepare both samples ms | test ms | SciPy s | same test | score rel. diff |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
let worstDiff = 0;
for (const r of rows) {
  const p = peer?.features.find((x) => x.name === r.name);
  const diff = p === undefined ? NaN : relDiff(r.score, p.score);
  if (p !== undefined && p.method === r.method) worstDiff = Math.max(worstDiff, diff);
  console.log(
    `| ${r.name} | ${r.method} | ${fmt(r.score)} | ${r.drifted ? "yes" : "no"} | ${r.prepareMs.toFixed(0)} | ${r.testMs.toFixed(1)} | ${p === undefined ? "n/a" : p.seconds.toFixed(3)} | ${p === undefined ? "n/a" : p.method === r.method ? "yes" : `no (${p.method})`} | ${p === undefined ? "n/a" : diff.toExponential(1)} |`,
  );
}
const total = median(totals);
console.log("");
console.log(
  `total, ${features.length} features × ${ROWS.toLocaleString("en-US")} rows, both samples prepared: ${(total / 1000).toFixed(2)} s (target < 5 s)` +
    (peer === undefined
      ? `; ${peerNote}`
      : `; SciPy/pandas (Evidently's way) ${peer.total_s.toFixed(2)} s; ratio SciPy / ours ${(peer.total_s / (total / 1000)).toFixed(2)}×`),
);
const testOnly = rows.reduce((s, r) => s + r.testMs, 0);
console.log(
  `  of which the tests on prepared samples: ${(testOnly / 1000).toFixed(2)} s (a monitor prepares its reference once)`,
);
if (peer !== undefined)
  console.log(`  largest relative difference of a score from SciPy's: ${worstDiff.toExponential(2)}`);
console.log("");
console.log("| feature | method by name | ours ms | SciPy ms | score | score rel. diff |");
console.log("| --- | --- | --- | --- | --- | --- |");
for (const b of byName) {
  const p = peer?.by_name.find((x) => x.feature === b.feature && x.method === b.method);
  console.log(
    `| ${b.feature} | ${b.method} | ${b.ms.toFixed(1)} | ${p === undefined ? "n/a" : (p.seconds * 1000).toFixed(1)} | ${fmt(b.score)} | ${p === undefined ? "n/a" : relDiff(b.score, p.score).toExponential(1)} |`,
  );
}
