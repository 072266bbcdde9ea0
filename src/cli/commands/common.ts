/** Pieces shared by the CLI verbs. */
import { resolve } from "node:path";
import { InvalidArgumentError } from "commander";
import { table } from "../output.js";
import pc from "picocolors";
import type { Command } from "commander";
import { openProjectStore } from "../../pipeline/registry.js";
import { formatScore } from "../../pipeline/train.js";
import { loadProject, type Project } from "../../project/project.js";
import type { GateRecord, Store } from "../../track/types.js";
import { silentProgress, type Progress } from "../../util/progress.js";
import type { GlobalOptions } from "../output.js";
import { TerminalProgress } from "../terminal.js";

/** Progress on stderr for people; nothing with --json. */
export function progressFor(globals: GlobalOptions): Progress {
  return globals.json === true ? silentProgress : new TerminalProgress();
}

/** Load the project named on the command line (a folder or a sluice.yaml; default: here). */
export function projectArg(location: string | undefined): Project {
  return loadProject(location ?? ".");
}

/**
 * A path relative to the working folder when that is shorter: for messages. A URL (a store's
 * `postgres://…`) is shown as given: it is not a path.
 */
export function shown(path: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return path;
  const rel = resolve(path).startsWith(process.cwd() + "/")
    ? resolve(path).slice(process.cwd().length + 1)
    : path;
  return rel.length < path.length ? rel : path;
}

/** `✓ text` / `✗ text` for summaries. */
export function mark(ok: boolean, text: string): string {
  return `${ok ? pc.green("✓") : pc.red("✗")} ${text}`;
}

/** Parse an integer flag ≥ min, or fail as a usage error (exit 2) naming the flag. */
export function intFlag(name: string, min = 1): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`${name} expects an integer ≥ ${min}, got "${value}"`);
    return n;
  };
}

/** The flags of the verbs that read a project's store. */
export interface StoreFlags {
  project: string;
  store?: string;
}

/** Add `--project` and `--store` to a verb that reads the store. */
export function storeOptions(command: Command): Command {
  return command
    .option("-p, --project <dir>", "the project whose store to use", ".")
    .option("--store <url>", "a store URL instead of the project's (postgres://… or a SQLite file)");
}

/** Open the store the flags name, run `work`, close it. */
export async function withStore<T>(flags: StoreFlags, work: (store: Store) => Promise<T>): Promise<T> {
  const store = await openProjectStore(flags.project, flags.store);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/**
 * {@link withStore} for the verbs that read runs and the registry: runs left `running` by a
 * process of this host that is gone (kill -9, a crash) are first marked `killed`, so a list
 * never shows a dead run as running. Cheap: one indexed query for the running runs, and a write
 * only when one of them is dead. A store that cannot be written to is still read.
 */
export function withReadStore<T>(flags: StoreFlags, work: (store: Store) => Promise<T>): Promise<T> {
  return withStore(flags, async (store) => {
    await store.reapOrphanRuns().catch(() => undefined);
    return work(store);
  });
}

/** A metric for people: a count as a whole number (`5,000`), a score as `formatScore` does. */
export function metricText(value: number | undefined): string {
  return value !== undefined && Number.isInteger(value) ? value.toLocaleString("en-US") : formatScore(value);
}

/** The gate table: value, threshold, result and detail of each gate. */
export function gateTable(gates: readonly GateRecord[]): string {
  return table(
    gates.map((g) => [
      g.name,
      g.value === null ? "—" : formatScore(g.value),
      g.threshold === null ? "—" : formatScore(g.threshold),
      g.passed ? pc.green("pass") : pc.red("FAIL"),
      pc.dim(g.detail),
    ]),
    ["gate", "value", "threshold", "result", "detail"],
  );
}
