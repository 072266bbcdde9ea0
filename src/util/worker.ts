/**
 * Starting worker threads from TypeScript sources and from the built package alike. A worker
 * module is named by its URL next to the caller; when the caller runs from `.ts` sources
 * (tests, `tsx`), the worker first registers the `tsx` loader and then imports the `.ts`
 * module; from the built package it is the `.js` module itself.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker, type WorkerOptions } from "node:worker_threads";

/**
 * Start the worker module `name` (relative, without extension) that sits beside `callerUrl`.
 *
 * @example
 * const w = startWorker(import.meta.url, "./histogram-worker", { workerData });
 */
export function startWorker(callerUrl: string, name: string, options: WorkerOptions = {}): Worker {
  if (!callerUrl.endsWith(".ts")) return new Worker(new URL(`${name}.js`, callerUrl), options);
  const target = new URL(`${name}.ts`, callerUrl).href;
  // tsx's ESM API (dist/esm/api/index.mjs beside its loader entry) imports a .ts module with
  // the TypeScript hooks scoped to that import.
  const loader = createRequire(callerUrl).resolve("tsx");
  const api = pathToFileURL(join(dirname(loader), "esm", "api", "index.mjs")).href;
  const boot = `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(target)}, ${JSON.stringify(callerUrl)}))`;
  return new Worker(boot, { ...options, eval: true });
}
