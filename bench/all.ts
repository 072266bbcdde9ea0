/**
 * Every benchmark, one after the other, each in its own child process: a failing one is
 * reported and the next one still runs; a summary (name, result, time) ends the run.
 *
 * Usage: npx tsx bench/all.ts [name ...] [-- args for each chosen benchmark]
 *        npm run bench                       # all of them (takes a long time)
 *        npm run bench -- gbdt forest        # only these, in the order given
 *        npm run bench -- store -- --runs 5000 --reps 5
 *        npm run bench -- --list
 *
 * Names are the files in bench/ without `.ts`. Arguments after `--` are passed to every chosen
 * benchmark, so pick one benchmark when passing flags: their flags differ. Exit code: 0 when
 * every chosen benchmark finished with 0, 1 when one failed, 2 for an unknown name, 130 when
 * interrupted (Ctrl+C).
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

/** The benchmarks `npm run bench` runs, quick ones first; bench/RESULTS.md has their figures. */
const BENCHMARKS = [
  "load",
  "features",
  "store",
  "linear",
  "forest",
  "gbdt",
  "predict",
  "serve",
  "drift",
] as const;

/** Other scripts in bench/ that are not run by default, and why. */
const NOT_BY_DEFAULT: Record<string, string> = {
  all: "this runner",
  "drift-loop": "an end-to-end demonstration of the monitoring loop, not a timed figure",
};

function usage(): string {
  return `Usage: npx tsx bench/all.ts [name ...] [-- args for each chosen benchmark]

Runs each chosen benchmark in turn, continues past a failing one, and prints a summary.
Default: ${BENCHMARKS.join(", ")}. Names are bench/<name>.ts; arguments after -- go to every
chosen benchmark (their flags differ, so pick one when passing flags).

Examples:
  $ npm run bench                                  # every benchmark (takes a long time)
  $ npm run bench -- gbdt forest
  $ npm run bench -- store -- --runs 5000 --reps 5
  $ npm run bench -- --list
Exit codes: 0 every chosen benchmark passed · 1 one or more failed · 2 an unknown name ·
130 interrupted (Ctrl+C)`;
}

/** Scripts in bench/ (names without `.ts`). */
function available(): string[] {
  return readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))
    .map((f) => f.slice(0, -3))
    .sort();
}

interface Outcome {
  name: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  seconds: number;
}

function runOne(name: string, args: readonly string[]): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    // The same Node with tsx, as `tsx bench/<name>.ts` would run it.
    const child = spawn(process.execPath, ["--import", "tsx", join(BENCH_DIR, `${name}.ts`), ...args], {
      cwd: join(BENCH_DIR, ".."),
      stdio: "inherit",
    });
    const done = (code: number | null, signal: NodeJS.Signals | null): void =>
      resolve({ name, code, signal, seconds: (performance.now() - started) / 1000 });
    child.on("error", (err) => {
      console.error(`bench/all: cannot start ${name}: ${err.message}`);
      done(127, null);
    });
    child.on("exit", done);
  });
}

function duration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

async function main(argv: readonly string[]): Promise<number> {
  const dash = argv.indexOf("--");
  const own = dash < 0 ? argv : argv.slice(0, dash);
  const passed = dash < 0 ? [] : argv.slice(dash + 1);
  if (own.includes("--help") || own.includes("-h")) {
    console.log(usage());
    return 0;
  }
  const present = available();
  const unlisted = present.filter(
    (n) => !(BENCHMARKS as readonly string[]).includes(n) && NOT_BY_DEFAULT[n] === undefined,
  );
  if (own.includes("--list")) {
    for (const n of BENCHMARKS) console.log(n);
    for (const n of present.filter((p) => NOT_BY_DEFAULT[p] !== undefined && p !== "all"))
      console.log(`${n}  (not by default: ${NOT_BY_DEFAULT[n]})`);
    for (const n of unlisted) console.log(`${n}  (not by default: not in bench/all.ts's list yet)`);
    return 0;
  }
  const flags = own.filter((a) => a.startsWith("-"));
  if (flags.length > 0) {
    console.error(`bench/all: unknown option ${flags[0]}; flags for a benchmark go after --\n\n${usage()}`);
    return 2;
  }
  const chosen =
    own.length === 0 ? [...BENCHMARKS] : own.map((n) => n.replace(/^bench\//, "").replace(/\.ts$/, ""));
  const unknown = chosen.filter((n) => n === "all" || !existsSync(join(BENCH_DIR, `${n}.ts`)));
  if (unknown.length > 0) {
    console.error(
      `bench/all: no benchmark named ${unknown.map((n) => `"${n}"`).join(", ")}; the benchmarks are ${BENCHMARKS.join(", ")}`,
    );
    return 2;
  }
  if (own.length === 0 && unlisted.length > 0)
    console.error(
      `bench/all: not run by default (add to BENCHMARKS in bench/all.ts): ${unlisted.join(", ")}`,
    );

  // Ctrl+C reaches the running benchmark too (same process group): let it end, skip the rest.
  let interrupted = false;
  process.on("SIGINT", () => {
    interrupted = true;
  });

  const outcomes: Outcome[] = [];
  for (const [i, name] of chosen.entries()) {
    if (interrupted) break;
    console.log(`\n=== [${i + 1}/${chosen.length}] bench/${name}.ts ${passed.join(" ")}`.trimEnd());
    outcomes.push(await runOne(name, passed));
  }

  console.log("\n=== summary");
  const width = Math.max(...chosen.map((n) => n.length));
  for (const o of outcomes) {
    const result =
      o.code === 0 ? "ok" : o.signal !== null ? `FAILED (signal ${o.signal})` : `FAILED (exit ${o.code})`;
    console.log(`${o.name.padEnd(width)}  ${result.padEnd(18)}  ${duration(o.seconds)}`);
  }
  for (const name of chosen.slice(outcomes.length))
    console.log(`${name.padEnd(width)}  skipped (interrupted)`);
  const failed = outcomes.filter((o) => o.code !== 0).length;
  console.log(
    failed === 0 && outcomes.length === chosen.length
      ? `all ${chosen.length} passed`
      : `${failed} of ${chosen.length} failed${outcomes.length < chosen.length ? `, ${chosen.length - outcomes.length} skipped` : ""}`,
  );
  return failed > 0 ? 1 : interrupted ? 130 : 0;
}

process.exitCode = await main(process.argv.slice(2));
