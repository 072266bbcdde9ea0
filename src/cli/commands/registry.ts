/** `sluice models list|show|history` and `sluice promote`: the model registry from the terminal. */
import type { Command } from "commander";
import pc from "picocolors";
import { SluiceError } from "../../errors.js";
import { evaluateVersion } from "../../pipeline/evaluate-version.js";
import { actor } from "../../pipeline/tracking.js";
import { loadProject } from "../../project/project.js";
import { parseVersion, projectStoreInfo, promoteVersion } from "../../pipeline/registry.js";
import { STAGES, type ModelVersion, type Stage } from "../../track/types.js";
import { closest } from "../../util/text.js";
import type { CliContext } from "../main.js";
import { print, printJson, table } from "../output.js";
import {
  gateTable,
  metricText,
  progressFor,
  shown,
  storeOptions,
  withReadStore,
  type StoreFlags,
} from "./common.js";

function when(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").slice(0, 19);
}

const STAGE_COLOR: Record<Stage, (s: string) => string> = {
  none: pc.dim,
  staging: pc.yellow,
  production: pc.green,
  archived: pc.dim,
};

function stageText(stage: Stage): string {
  return STAGE_COLOR[stage](stage);
}

function gateText(v: ModelVersion): string {
  if (v.gates.length === 0) return pc.dim("—");
  const failed = v.gates.filter((g) => !g.passed).length;
  return failed === 0
    ? pc.green(`${v.gates.length} passed`)
    : pc.red(`${failed} of ${v.gates.length} failed`);
}

/** The model name: the argument, else the project's `registry.model` (or project name). */
function modelName(name: string | undefined, flags: StoreFlags): string {
  if (name !== undefined) return name;
  const fromProject = projectStoreInfo(flags.project).modelName;
  if (fromProject === undefined)
    throw new SluiceError(
      "E_USAGE",
      "which model? no model name was given and this folder has no sluice.yaml",
      {
        hint: "name a registered model (`sluice models list` shows them), or pass --project DIR",
      },
    );
  return fromProject;
}

/**
 * Refuse a `--to` that is not a stage before the store is opened, suggesting the stage it most
 * likely stands for: a start of one (`prod`, `stag`, `arch`), a longer form (`archive`, `stage`)
 * or a typo (`prodction`). Never guessed silently: moving a version is a decision.
 */
export function checkStageFlag(value: string): void {
  const v = value.trim().toLowerCase();
  if ((STAGES as readonly string[]).includes(v)) return;
  const starts = v.length >= 2 ? STAGES.filter((s) => s.startsWith(v)) : [];
  const longer = v.length >= 4 ? STAGES.filter((s) => v.startsWith(s.slice(0, 4))) : [];
  const suggestion =
    starts.length === 1 ? starts[0] : longer.length === 1 ? longer[0] : closest(value.trim(), STAGES);
  throw new SluiceError(
    "E_REGISTRY",
    `unknown stage "${value}"${suggestion === undefined ? "" : ` (did you mean "${suggestion}"?)`}`,
    {
      details: { stage: value, stages: STAGES },
      hint: `the stages are: ${STAGES.join(", ")}`,
    },
  );
}

export function registerModels(program: Command, ctx: CliContext): void {
  const models = program
    .command("models")
    .description("the model registry: registered models, their versions, stages and history")
    .addHelpText(
      "after",
      `
Stages: none → staging → production → archived (\`sluice promote\` moves a version), plus free
aliases (@champion). A server or loadBundle reads models:/NAME@production, models:/NAME/3 or
models:/NAME@alias.

Examples:
  $ sluice models list -p demo
  $ sluice models show churn_predictor -p demo
  $ sluice models history churn_predictor -p demo
Exit codes: 0 done · 2 bad usage, an unknown model or version, or a store that cannot be opened`,
    );

  storeOptions(
    models
      .command("list")
      .description("registered models with their latest version and aliases")
      .addHelpText(
        "after",
        `
Examples:
  $ sluice models list -p demo
  $ sluice models list --store postgres://sluice@db:5432/mlops --json
Exit codes: 0 listed (also when there are none) · 2 a store that cannot be opened`,
      ),
  ).action(async (flags: StoreFlags, command: Command) => {
    const globals = ctx.globals(command);
    await withReadStore(flags, async (store) => {
      const list = await store.listRegisteredModels();
      if (globals.json === true) return printJson({ ok: true, models: list });
      if (list.length === 0) return print("no registered models yet: `sluice run` registers one");
      print(
        table(
          list.map((m) => [
            pc.bold(m.name),
            String(m.latestVersion),
            Object.entries(m.aliases)
              .map(([a, v]) => `@${a}→${v}`)
              .join(" ") || pc.dim("—"),
            when(m.updatedAt),
          ]),
          ["model", "latest", "aliases", "updated"],
        ),
      );
    });
  });

  storeOptions(
    models
      .command("show")
      .description("a model's versions (stage, metrics, gates), or one version in detail")
      .argument("[name]", "registered model name (default: the project's)")
      .argument("[version]", "a version number, for its detail")
      .addHelpText(
        "after",
        `
Without a version: every version, newest first, with its stage, aliases, test metrics and gate
results. With one: its run, model file, tags, test metrics and the gate table.

Examples:
  $ sluice models show -p demo                      # the project's model (registry.model)
  $ sluice models show churn_predictor 3 -p demo
  $ sluice models show churn_predictor 3 -p demo --json | jq .version.gates
Exit codes: 0 shown · 2 no such model or version, or a store that cannot be opened`,
      ),
  ).action(
    async (name: string | undefined, version: string | undefined, flags: StoreFlags, command: Command) => {
      const globals = ctx.globals(command);
      await withReadStore(flags, async (store) => {
        const model = modelName(name, flags);
        if (version !== undefined) {
          const v = await store.getModelVersion(model, parseVersion(version));
          if (globals.json === true) return printJson({ ok: true, version: v });
          print(
            `${pc.bold(`${v.name} v${v.version}`)}  ${stageText(v.stage)}${v.aliases.map((a) => ` @${a}`).join("")}`,
          );
          print(`  created  ${when(v.createdAt)}`);
          if (v.runId !== null) print(`  run      ${v.runId}`);
          print(`  source   ${v.source}`);
          if (v.description !== "") print(`  about    ${v.description}`);
          for (const [k, t] of Object.entries(v.tags)) print(`  tag      ${k}=${t}`);
          print();
          print(
            table(
              Object.entries(v.metrics).map(([k, x]) => [k, metricText(x)]),
              ["metric", "test"],
            ),
          );
          if (v.gates.length > 0) {
            print();
            print(gateTable(v.gates));
          }
          return;
        }
        const versions = await store.listModelVersions(model);
        if (globals.json === true) return printJson({ ok: true, name: model, versions });
        const keys = [...new Set(versions.flatMap((v) => Object.keys(v.metrics)))].slice(0, 3);
        print(
          table(
            [...versions]
              .reverse()
              .map((v) => [
                `v${v.version}`,
                stageText(v.stage),
                v.aliases.map((a) => `@${a}`).join(" ") || pc.dim("—"),
                ...keys.map((k) => metricText(v.metrics[k])),
                gateText(v),
                when(v.createdAt),
              ]),
            ["version", "stage", "aliases", ...keys, "gates", "created"],
          ),
        );
      });
    },
  );

  storeOptions(
    models
      .command("history")
      .description("every stage and alias change of a model: from, to, when, who and why")
      .argument("[name]", "registered model name (default: the project's)")
      .addHelpText(
        "after",
        `
Examples:
  $ sluice models history -p demo
  $ sluice models history churn_predictor -p demo --json | jq '.history[-1]'
Exit codes: 0 shown · 2 no such model, or a store that cannot be opened`,
      ),
  ).action(async (name: string | undefined, flags: StoreFlags, command: Command) => {
    const globals = ctx.globals(command);
    await withReadStore(flags, async (store) => {
      const model = modelName(name, flags);
      const history = await store.history(model);
      if (globals.json === true) return printJson({ ok: true, name: model, history });
      if (history.length === 0) return print(`${model}: no stage changes yet`);
      print(
        table(
          history.map((t) => [
            when(t.at),
            `v${t.version}`,
            t.kind === "alias" ? `@${t.to ?? t.from ?? ""}` : `${t.from ?? "—"} → ${t.to ?? "—"}`,
            t.by,
            t.reason,
          ]),
          ["when", "version", "change", "by", "why"],
        ),
      );
    });
  });

  storeOptions(
    models
      .command("alias")
      .description("point an alias (such as champion) at a version; models:/NAME@alias loads it")
      .argument("<name>", "registered model name")
      .argument("<alias>", "alias: lower-case letters, digits, _ and -")
      .argument("<version>", "version number")
      .option("--by <who>", "who does it (default: the OS user)")
      .option("--reason <text>", "why")
      .addHelpText(
        "after",
        `
An alias points at one version at a time: setting it again moves it, and the move is recorded
in the history. A server following models:/NAME@alias picks up the new version.

Examples:
  $ sluice models alias churn_predictor champion 3 -p demo
  $ sluice models alias churn_predictor challenger 4 -p demo --reason "shadow test in March"
Exit codes: 0 set · 2 a bad alias name, no such model or version, or a store that cannot be opened`,
      ),
  ).action(
    async (
      name: string,
      alias: string,
      version: string,
      flags: StoreFlags & { by?: string; reason?: string },
      command: Command,
    ) => {
      const globals = ctx.globals(command);
      await withReadStore(flags, async (store) => {
        const v = parseVersion(version);
        await store.setAlias(name, alias, v, {
          by: actor(flags.by),
          reason: flags.reason ?? `alias @${alias}`,
        });
        if (globals.json === true) return printJson({ ok: true, name, alias, version: v });
        print(`${pc.green("✓")} ${name}@${alias} → v${v}`);
      });
    },
  );
}

export function registerPromote(program: Command, ctx: CliContext): void {
  storeOptions(
    program
      .command("promote")
      .description("move a model version to a stage (production is a manual approval with a reason)")
      .argument("<name>", "registered model name")
      .argument("<version>", "version number")
      .requiredOption("--to <stage>", "none | staging | production | archived")
      .option("--reason <text>", "why (required for production); kept in the history")
      .option("--by <who>", "who approves (default: the OS user)")
      .addHelpText(
        "after",
        `
Promoting to production archives the version that was in production; both changes are recorded
with who, when and why (\`sluice models history NAME\`). A server following
models:/NAME@production picks up the new version without a restart.

Examples:
  $ sluice promote churn 3 --to production --reason "AUC +0.02 on October data, reviewed by risk"
  $ sluice promote churn 2 --to production --reason "rollback: v3 over-predicts churn"
  $ sluice promote churn 4 --to archived
Exit codes: 0 moved · 2 an unknown stage or version, production without --reason, or a store
that cannot be opened`,
      ),
  ).action(
    async (
      name: string,
      version: string,
      flags: StoreFlags & { to: string; reason?: string; by?: string },
      command: Command,
    ) => {
      const globals = ctx.globals(command);
      checkStageFlag(flags.to);
      await withReadStore(flags, async (store) => {
        const before = await store
          .resolveModel({ kind: "stage", name, stage: "production" })
          .catch(() => undefined);
        const v = await promoteVersion(store, name, version, {
          to: flags.to,
          ...(flags.reason === undefined ? {} : { reason: flags.reason }),
          ...(flags.by === undefined ? {} : { by: flags.by }),
        });
        const archived =
          v.stage === "production" && before !== undefined && before.version !== v.version
            ? before.version
            : undefined;
        if (globals.json === true)
          return printJson({
            ok: true,
            name,
            version: v.version,
            stage: v.stage,
            archived: archived ?? null,
          });
        print(`${pc.green("✓")} ${name} v${v.version} → ${stageText(v.stage)}`);
        if (archived !== undefined) print(`  v${archived} → ${stageText("archived")}`);
      });
    },
  );
}

export function registerEvaluate(program: Command, ctx: CliContext): void {
  program
    .command("evaluate")
    .description("score a registered version on the project's current test rows, with a report")
    .argument("<name>", "registered model name")
    .argument("<version>", "version number")
    .option("-p, --project <dir>", "the project (its data, split and store)", ".")
    .option("--store <url>", "a store URL instead of the project's")
    .addHelpText(
      "after",
      `
The project's data is validated and split as \`sluice run\` does (same seed); the version's own
fitted features transform the test rows, so a version trained on older data is scored fairly on
today's. The evaluation is recorded as a run, with evaluation.html and evaluation.json.

Examples:
  $ sluice evaluate churn_predictor 3 -p demo
  $ sluice evaluate churn_predictor 2 -p demo --json | jq .metrics.roc_auc
Exit codes: 0 evaluated · 1 the project's data failed validation · 2 bad config, no such version,
unreadable data or a store that cannot be opened`,
    )
    .action(async (name: string, version: string, flags: StoreFlags, command: Command) => {
      const globals = ctx.globals(command);
      const project = loadProject(flags.project);
      const result = await evaluateVersion(project, name, parseVersion(version), {
        progress: progressFor(globals),
        ...(flags.store === undefined ? {} : { store: flags.store }),
      });
      if (globals.json === true)
        return printJson({
          ok: true,
          runId: result.runId,
          name,
          version: result.version.version,
          metrics: result.metrics,
          registered: result.registered,
          report: result.report,
        });
      print(
        table(
          Object.entries(result.metrics).map(([k, v]) => [
            k,
            v === null ? "—" : metricText(v),
            metricText(result.registered[k]),
          ]),
          ["metric", "now", "at registration"],
        ),
      );
      print();
      print(`${pc.bold("report")} ${shown(result.report)}`);
    });
}
