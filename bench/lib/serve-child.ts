/**
 * The server under benchmark, in its own process: `sluice serve` as the CLI starts it
 * (startServer: registry source, prediction log, metrics) or, with `--app-only`, the bare app
 * over a fixed model. Prints `listening <url>` when ready; stops on SIGTERM.
 *
 * Usage: tsx bench/lib/serve-child.ts --model SOURCE --project DIR --port N [--app-only] [--no-log]
 *
 * `--no-log` turns the prediction log off (`serve.log_predictions: false`), to show its cost.
 */
import { loadBundle } from "../../src/pipeline/bundle.js";
import { openProjectStore } from "../../src/pipeline/registry.js";
import { buildApp } from "../../src/serve/app.js";
import { startServer } from "../../src/serve/server.js";
import { FixedHolder } from "../../src/serve/test-utils/model.js";

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
};
const model = arg("--model")!;
const projectDir = arg("--project")!;
const port = Number(arg("--port") ?? "0");

if (args.includes("--app-only")) {
  // A registry reference (what bench/serve.ts passes) is read from the project's store once.
  const store = model.startsWith("models:/") ? await openProjectStore(projectDir) : undefined;
  const bundle = await loadBundle(model, store);
  await store?.close();
  const app = await buildApp({
    holder: new FixedHolder([
      { bundle, name: "bench", version: null, stage: null, source: model, loadedAt: Date.now() },
    ]),
  });
  const url = await app.listen({ port, host: "127.0.0.1" });
  console.log(`listening ${url}`);
  process.on("SIGTERM", () => void app.close().then(() => process.exit(0)));
} else {
  const server = await startServer({
    source: model,
    projectDir,
    host: "127.0.0.1",
    port,
    workers: 1,
    handleSignals: true,
    ...(args.includes("--no-log") ? { logPredictions: false } : {}),
    log: (line) => console.error(line),
  });
  console.log(`listening ${server.url}`);
}
