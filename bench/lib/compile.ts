/**
 * Benchmarks time the compiled JavaScript, as the published package runs, not the sources
 * through tsx: this compiles one benchmark and everything it imports.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

/** Modules started as threads: not imported, so tsc must be named them. */
const THREAD_MODULES = ["src/models/gbdt/histogram-worker.ts", "src/models/forest/worker.ts"];

/**
 * Compile `entry` (a benchmark's own file) and everything it imports to JavaScript under
 * `dir` (no type check: `npm run typecheck` does that), with the package's node_modules and
 * package.json beside it.
 *
 * @returns the folder holding bench/ and src/
 */
export function compileBenchmark(entry: string, dir: string): string {
  const out = join(dir, "build");
  const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
  const files = [entry, ...THREAD_MODULES.map((m) => join(repoRoot, m))];
  const r = spawnSync(
    process.execPath,
    [
      tsc,
      "--ignoreConfig",
      ...files,
      ...["--outDir", out, "--rootDir", repoRoot, "--module", "nodenext", "--moduleResolution", "nodenext"],
      ...["--target", "es2022", "--lib", "es2023", "--types", "node", "--skipLibCheck", "--esModuleInterop"],
      ...["--resolveJsonModule", "--noCheck"],
    ],
    { cwd: repoRoot, encoding: "utf8" },
  );
  if (r.status !== 0)
    throw new Error(`compiling the benchmark failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  symlinkSync(join(repoRoot, "node_modules"), join(out, "node_modules"));
  copyFileSync(join(repoRoot, "package.json"), join(out, "package.json"));
  return out;
}
