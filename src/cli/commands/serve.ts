/** `sluice serve`: the prediction server, following the registry. */
import cluster from "node:cluster";
import { InvalidArgumentError, type Command } from "commander";
import pc from "picocolors";
import { SluiceError, isSluiceError } from "../../errors.js";
import { projectStoreInfo } from "../../pipeline/registry.js";
import { parseDuration } from "../../project/duration.js";
import { startServer } from "../../serve/server.js";
import type { CliContext } from "../main.js";
import { print, printJson } from "../output.js";
import { intFlag } from "./common.js";

interface ServeFlags {
  model?: string;
  host?: string;
  port?: number;
  workers?: number;
  store?: string;
  pollMs?: number;
  rateLimit?: RateLimitFlag;
}

/** `--rate-limit`: a limit, or `false` for `off`. */
export type RateLimitFlag = { max: number; window: number } | false;

/**
 * Parse `--rate-limit N/WINDOW`: at most N requests per WINDOW (a duration such as `1s`, `1m`,
 * `1h`; a bare unit means one of it: `100/s`, `6000/m`), or `off`.
 *
 * @example
 * parseRateLimit("100/1m"); // { max: 100, window: 60000 }
 * parseRateLimit("20/s");   // { max: 20, window: 1000 }
 * parseRateLimit("off");    // false
 */
export function parseRateLimit(value: string): RateLimitFlag {
  const text = value.trim();
  if (text === "off") return false;
  const m = /^(\d+)\s*\/\s*(\S+)$/.exec(text);
  const max = m === null ? NaN : Number(m[1]);
  const window = m === null ? undefined : (parseDuration(m[2]!) ?? parseDuration(`1${m[2]!}`));
  if (!Number.isInteger(max) || max < 1 || window === undefined || window <= 0)
    throw new InvalidArgumentError(
      `--rate-limit expects N/WINDOW such as 100/1m or 20/s (N ≥ 1, WINDOW a duration), or off; got "${value}"`,
    );
  return { max, window };
}

/** The reference served when --model is not given: the project's model in production. */
function defaultModel(location: string): { source: string; name: string } {
  const name = projectStoreInfo(location).modelName;
  if (name === undefined)
    throw new SluiceError("E_USAGE", `which model? ${location} has no sluice.yaml and no --model was given`, {
      hint: "pass --model models:/NAME@production (or a model.json path), or the project folder",
    });
  return { source: `models:/${name}@production`, name };
}

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command("serve")
    .description("serve a model over HTTP: predictions, OpenAPI docs, metrics; follows the registry")
    .argument("[project]", "project folder or sluice.yaml (its store and serve: settings)", ".")
    .option(
      "--model <source>",
      "models:/NAME@production (default: the project's model), models:/NAME@ALIAS, models:/NAME/3, or a model.json path",
    )
    .option("--host <host>", "address to listen on (default: serve.host, else 127.0.0.1)")
    .option(
      "--port <n>",
      "port to listen on; 0 picks a free one (default: serve.port, else 8000)",
      intFlag("--port", 0),
    )
    .option(
      "--workers <n>",
      "processes sharing the port (default: serve.workers, else 1)",
      intFlag("--workers"),
    )
    .option(
      "--store <url>",
      "tracking store: postgres://… or a SQLite file (default: sluice.yaml's store:, else .sluice/sluice.db)",
    )
    .option(
      "--poll-ms <ms>",
      "how often to check the registry for a new version (default 2000)",
      intFlag("--poll-ms", 50),
    )
    .option(
      "--rate-limit <n/window>",
      "at most N prediction requests per client address per WINDOW, e.g. 100/1m or 20/s; off to lift serve.rate_limit (default: serve.rate_limit, else no limit)",
      parseRateLimit,
    )
    .addHelpText(
      "after",
      `
The server loads the model with its fitted features and checks it. A registry reference
(models:/NAME@production, models:/NAME@champion) is followed: when the stage or alias moves
(sluice promote), the new version is loaded and checked in the background and swapped in;
requests in flight finish on the old one, and a broken version is refused (the old one keeps
serving; see /model-info and /metrics). POST /admin/reload checks at once: 200 when it swapped
or nothing changed, 409 naming why when it refused the new version.

API keys: SLUICE_API_KEYS="admin:KEY1,KEY2;predict:KEY3" (a plain list means admin keys).
Admin keys open /admin/*; predict keys, when set, are needed for predictions.
Rate limit (--rate-limit or serve.rate_limit: { max, window }): counted per client address over
/predict, /v2/models/NAME/infer and /feedback together; beyond it 429 with retry-after.
/health, /ready, /metrics, /docs and /admin/* are not limited. Under --workers N the
processes share one budget (the primary process counts).
SIGTERM or Ctrl+C: stop accepting, finish requests in flight, flush the prediction log, exit 0.

Examples:
  $ sluice serve demo                                  # demo's model in production, port 8000
  $ sluice serve demo --model models:/churn_predictor@staging --port 8080
  $ sluice serve --model demo/.sluice/artifacts/RUN_ID/model.json
  $ sluice serve demo --workers 4                      # 4 processes on one port
  $ sluice serve demo --rate-limit 100/1m              # 100 prediction requests a minute per client
  $ curl -s localhost:8000/sample > record.json
  $ curl -s localhost:8000/predict -H 'content-type: application/json' -d @record.json
  $ curl -s 'localhost:8000/predict?explain=true' -H 'content-type: application/json' \\
      -d '{"instances": [{"age": 34, "tenure_months": 3, "monthly_charges": 94.5}]}'
  $ curl -s -X POST localhost:8000/admin/reload -H "authorization: Bearer $KEY"
  $ curl -s localhost:8000/metrics
Docs: http://127.0.0.1:8000/docs (OpenAPI from the model's feature schema).
Exit codes: 0 stopped cleanly (SIGTERM, Ctrl+C) · 2 bad usage, a model that cannot be loaded or
fails its checks, a port in use, or a store that cannot be opened`,
    )
    .action(async (location: string, flags: ServeFlags, command: Command) => {
      const globals = ctx.globals(command);
      const chosen = flags.model === undefined ? defaultModel(location) : undefined;
      const source = flags.model ?? chosen!.source;
      let server;
      try {
        server = await startServer({
          source,
          projectDir: projectStoreInfo(location).projectDir,
          handleSignals: true,
          ...(flags.store === undefined ? {} : { storeUrl: flags.store }),
          ...(flags.host === undefined ? {} : { host: flags.host }),
          ...(flags.port === undefined ? {} : { port: flags.port }),
          ...(flags.workers === undefined ? {} : { workers: flags.workers }),
          ...(flags.pollMs === undefined ? {} : { pollMs: flags.pollMs }),
          ...(flags.rateLimit === undefined ? {} : { rateLimit: flags.rateLimit }),
        });
      } catch (err) {
        if (chosen !== undefined && isSluiceError(err) && err.code === "E_NOT_FOUND")
          throw new SluiceError("E_NOT_FOUND", `no version of ${chosen.name} is in production`, {
            cause: err,
            details: { name: chosen.name },
            hint: `promote one (sluice promote ${chosen.name} N --to production --reason "…"), or serve another stage: sluice serve --model models:/${chosen.name}@staging`,
          });
        throw err;
      }
      // A cluster worker runs this same command: its primary speaks for it.
      if (cluster.isWorker) return;
      const model = server.model();
      const docs = `${server.url}/docs`;
      if (globals.json === true)
        printJson({
          ok: true,
          url: server.url,
          docs,
          source,
          model: model?.name ?? null,
          version: model?.version ?? null,
          stage: model?.stage ?? null,
          workers: server.workers(),
        });
      else {
        const what =
          model === undefined
            ? source
            : `${model.name}${model.version === null ? "" : ` version ${model.version}`}${model.stage === null ? "" : ` (${model.stage})`}`;
        print(`${pc.green("serving")} ${pc.bold(what)} at ${pc.bold(server.url)}`);
        if (server.workers().length > 0)
          print(`  ${server.workers().length} workers: ${server.workers().join(", ")}`);
        print(`  docs    ${docs}`);
        print(
          `  predict curl -s ${server.url}/predict -H 'content-type: application/json' -d "$(curl -s ${server.url}/sample)"`,
        );
        if (parseSourceFollows(source))
          print(pc.dim(`  following ${source}: promotions are picked up without a restart`));
        print(pc.dim("  Ctrl+C to stop"));
      }
      // The server keeps the process alive; SIGTERM / SIGINT shut it down (exit 0).
    });
}

function parseSourceFollows(source: string): boolean {
  return source.startsWith("models:/") && source.includes("@");
}
