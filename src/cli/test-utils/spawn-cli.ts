/** Start the CLI in a child process (from the sources, through tsx). */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

const ENTRY = join(import.meta.dirname, "child-cli.ts");

export interface ChildRun {
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal) and what it printed. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

export function spawnCli(args: readonly string[], env: Record<string, string> = {}): ChildRun {
  const child = spawn(process.execPath, ["--import", "tsx", ENTRY, ...args], {
    env: { ...process.env, ...env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
  const done = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}
