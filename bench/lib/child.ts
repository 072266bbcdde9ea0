/** Benchmark child processes: each measured run is a process of its own that prints one JSON line. */
import { spawnSync } from "node:child_process";

export interface ChildOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Largest stdout + stderr kept, in bytes (default 1 MiB). */
  maxBuffer?: number;
}

/**
 * Run `command args` to the end and parse the last line it printed as JSON; throws with its
 * stderr when it fails.
 */
export function runJsonChild<T>(command: string, args: readonly string[], options: ChildOptions): T {
  const r = spawnSync(command, args, {
    cwd: options.cwd,
    encoding: "utf8",
    maxBuffer: options.maxBuffer ?? 1 << 20,
    ...(options.env === undefined ? {} : { env: options.env }),
  });
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (exit ${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop() ?? "") as T;
}

/** Whether Debian's Python can import `modules` (the peers' libraries). */
export function pythonHas(python: string, modules: string): boolean {
  return spawnSync(python, ["-c", `import ${modules}`], { encoding: "utf8" }).status === 0;
}
