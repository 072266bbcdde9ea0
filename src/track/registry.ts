/**
 * The model registry: registered models, numbered versions, stages, aliases, gate results and
 * the history of every stage and alias change.
 *
 * Every change runs in one write transaction that first locks the registered model's row
 * (PostgreSQL `SELECT … FOR UPDATE`; SQLite's `BEGIN IMMEDIATE` already holds the write lock),
 * so concurrent version numbering and promotions cannot race.
 */
import type { Kysely } from "kysely";
import { SluiceError } from "../errors.js";
import { type Conn, type Database, num, numOrNull, read, write } from "./db.js";
import {
  STAGES,
  type CreateVersionInput,
  type GateRecord,
  type ModelRef,
  type ModelVersion,
  type RegisteredModel,
  type Stage,
  type Transition,
  type TransitionInput,
} from "./types.js";
import { checkAlias, checkKey, checkModelName, checkStage, checkVersion, tagText } from "./validate.js";

type Tx = Kysely<Database>;

function modelNotFound(name: string, existing: string[]): SluiceError {
  const shown = existing.slice(0, 20);
  return new SluiceError("E_NOT_FOUND", `no registered model "${name}"`, {
    details: { name, models: shown },
    hint:
      existing.length === 0
        ? "no model is registered yet: `sluice run` registers one"
        : `registered models: ${shown.join(", ")}${existing.length > shown.length ? ", …" : ""}`,
  });
}

async function existingModels(db: Tx): Promise<string[]> {
  const rows = await db.selectFrom("registered_models").select("name").orderBy("name").limit(21).execute();
  return rows.map((r) => r.name);
}

/** The registered model row, locked for update on PostgreSQL; E_NOT_FOUND naming the models. */
async function lockModel(conn: Conn, tx: Tx, name: string): Promise<Database["registered_models"]> {
  let q = tx.selectFrom("registered_models").selectAll().where("name", "=", name);
  if (conn.dialect === "postgres") q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (row === undefined) throw modelNotFound(name, await existingModels(tx));
  return row;
}

async function versionSummary(db: Tx, name: string): Promise<string> {
  const rows = await db
    .selectFrom("model_versions")
    .select(["version", "stage"])
    .where("name", "=", name)
    .orderBy("version")
    .execute();
  if (rows.length === 0) return "it has no versions yet";
  const shown = rows.slice(-20).map((r) => `${num(r.version)} (${r.stage})`);
  return `its versions: ${rows.length > 20 ? "…, " : ""}${shown.join(", ")}`;
}

async function requireVersion(db: Tx, name: string, version: number): Promise<Database["model_versions"]> {
  const row = await db
    .selectFrom("model_versions")
    .selectAll()
    .where("name", "=", name)
    .where("version", "=", version)
    .executeTakeFirst();
  if (row === undefined) {
    const summary = await versionSummary(db, name);
    throw new SluiceError("E_NOT_FOUND", `model "${name}" has no version ${version}`, {
      details: { name, version },
      hint: summary,
    });
  }
  return row;
}

async function toRegisteredModels(db: Tx, rows: Database["registered_models"][]): Promise<RegisteredModel[]> {
  if (rows.length === 0) return [];
  const aliases = await db
    .selectFrom("aliases")
    .selectAll()
    .where(
      "name",
      "in",
      rows.map((r) => r.name),
    )
    .orderBy("alias")
    .execute();
  return rows.map((r) => ({
    name: r.name,
    description: r.description,
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
    latestVersion: num(r.latest_version),
    aliases: Object.fromEntries(
      aliases.filter((a) => a.name === r.name).map((a) => [a.alias, num(a.version)]),
    ),
  }));
}

/** Full version records (tags, aliases, gates) for rows of one model, in the rows' order. */
async function toVersions(db: Tx, name: string, rows: Database["model_versions"][]): Promise<ModelVersion[]> {
  if (rows.length === 0) return [];
  const versions = rows.map((r) => num(r.version));
  const [tags, aliases, gates] = await Promise.all([
    db
      .selectFrom("version_tags")
      .selectAll()
      .where("name", "=", name)
      .where("version", "in", versions)
      .orderBy("key")
      .execute(),
    db
      .selectFrom("aliases")
      .selectAll()
      .where("name", "=", name)
      .where("version", "in", versions)
      .orderBy("alias")
      .execute(),
    db
      .selectFrom("gate_results")
      .selectAll()
      .where("name", "=", name)
      .where("version", "in", versions)
      .orderBy("position")
      .execute(),
  ]);
  return rows.map((r) => {
    const v = num(r.version);
    return {
      name: r.name,
      version: v,
      runId: r.run_id,
      source: r.source,
      stage: r.stage as Stage,
      description: r.description,
      createdAt: num(r.created_at),
      tags: Object.fromEntries(tags.filter((t) => num(t.version) === v).map((t) => [t.key, t.value])),
      aliases: aliases.filter((a) => num(a.version) === v).map((a) => a.alias),
      metrics: JSON.parse(r.metrics) as Record<string, number>,
      gates: gates
        .filter((g) => num(g.version) === v)
        .map((g) => ({
          name: g.gate,
          value: numOrNull(g.value),
          threshold: numOrNull(g.threshold),
          passed: num(g.passed) === 1,
          detail: g.detail,
        })),
    };
  });
}

async function insertModel(tx: Tx, name: string, description: string, now: number): Promise<void> {
  await tx
    .insertInto("registered_models")
    .values({ name, description, created_at: now, updated_at: now, latest_version: 0 })
    .onConflict((oc) => oc.column("name").doNothing())
    .execute();
}

export async function createRegisteredModel(
  conn: Conn,
  name: string,
  description = "",
): Promise<RegisteredModel> {
  checkModelName(name);
  await write(conn, "register a model", async (tx) => {
    const exists = await tx
      .selectFrom("registered_models")
      .select("name")
      .where("name", "=", name)
      .executeTakeFirst();
    if (exists !== undefined)
      throw new SluiceError("E_REGISTRY", `a registered model "${name}" already exists`, {
        details: { name },
        hint: "create a new version of it, or choose another name",
      });
    await insertModel(tx, name, description, Date.now());
  });
  return getRegisteredModel(conn, name);
}

export async function getRegisteredModel(conn: Conn, name: string): Promise<RegisteredModel> {
  return read(conn, "read a registered model", async (db) => {
    const row = await db
      .selectFrom("registered_models")
      .selectAll()
      .where("name", "=", name)
      .executeTakeFirst();
    if (row === undefined) throw modelNotFound(name, await existingModels(db));
    return (await toRegisteredModels(db, [row]))[0]!;
  });
}

export async function listRegisteredModels(conn: Conn): Promise<RegisteredModel[]> {
  return read(conn, "list registered models", async (db) =>
    toRegisteredModels(db, await db.selectFrom("registered_models").selectAll().orderBy("name").execute()),
  );
}

function checkMetrics(metrics: Record<string, number>): string {
  for (const [k, v] of Object.entries(metrics)) {
    checkKey("metric", k);
    if (typeof v !== "number" || !Number.isFinite(v))
      throw new SluiceError("E_USAGE", `version metric "${k}" must be a finite number, got ${String(v)}`, {
        details: { key: k },
        hint: "leave out metrics that could not be measured",
      });
  }
  return JSON.stringify(metrics);
}

/**
 * A new version: `latest_version + 1` of the registered model (created when missing), taken
 * with an `UPDATE … RETURNING` inside the write transaction, so concurrent callers (threads,
 * processes) get distinct consecutive numbers.
 */
export async function createModelVersion(conn: Conn, input: CreateVersionInput): Promise<ModelVersion> {
  const name = checkModelName(input.name);
  if (typeof input.source !== "string" || input.source === "")
    throw new SluiceError("E_USAGE", `a model version needs a source (where the model file is)`, {
      details: { name },
    });
  const metrics = checkMetrics(input.metrics ?? {});
  const tags = Object.entries(input.tags ?? {}).map(([k, v]) => [checkKey("tag", k), tagText(k, v)] as const);
  const version = await write(conn, "create a model version", async (tx) => {
    const now = Date.now();
    if (input.runId !== undefined) {
      const run = await tx.selectFrom("runs").select("id").where("id", "=", input.runId).executeTakeFirst();
      if (run === undefined)
        throw new SluiceError("E_NOT_FOUND", `no run with id "${input.runId}" to register a version from`, {
          details: { runId: input.runId, name },
        });
    }
    await insertModel(tx, name, "", now);
    await lockModel(conn, tx, name);
    const { latest_version } = await tx
      .updateTable("registered_models")
      .set((eb) => ({ latest_version: eb("latest_version", "+", 1), updated_at: now }))
      .where("name", "=", name)
      .returning("latest_version")
      .executeTakeFirstOrThrow();
    const v = num(latest_version);
    await tx
      .insertInto("model_versions")
      .values({
        name,
        version: v,
        run_id: input.runId ?? null,
        source: input.source,
        stage: "none",
        description: input.description ?? "",
        created_at: now,
        metrics,
      })
      .execute();
    if (tags.length > 0)
      await tx
        .insertInto("version_tags")
        .values(tags.map(([key, value]) => ({ name, version: v, key, value })))
        .execute();
    await tx
      .insertInto("transitions")
      .values({
        name,
        version: v,
        kind: "stage",
        alias: null,
        from_value: null,
        to_value: "none",
        at: now,
        by: input.by ?? "",
        reason: "registered",
      })
      .execute();
    return v;
  });
  return getModelVersion(conn, name, version);
}

export async function getModelVersion(conn: Conn, name: string, version: number): Promise<ModelVersion> {
  checkVersion(version);
  return read(conn, "read a model version", async (db) => {
    await requireModel(db, name);
    return (await toVersions(db, name, [await requireVersion(db, name, version)]))[0]!;
  });
}

/** Fail with E_NOT_FOUND (naming the registered models) unless `name` is one. */
async function requireModel(db: Tx, name: string): Promise<void> {
  const model = await db
    .selectFrom("registered_models")
    .select("name")
    .where("name", "=", name)
    .executeTakeFirst();
  if (model === undefined) throw modelNotFound(name, await existingModels(db));
}

export async function listModelVersions(conn: Conn, name: string): Promise<ModelVersion[]> {
  return read(conn, "list model versions", async (db) => {
    await requireModel(db, name);
    const rows = await db
      .selectFrom("model_versions")
      .selectAll()
      .where("name", "=", name)
      .orderBy("version")
      .execute();
    return toVersions(db, name, rows);
  });
}

/** The version a reference points at: a number, an alias, or a stage (its highest version). */
export async function resolveModel(conn: Conn, ref: ModelRef): Promise<ModelVersion> {
  if (ref.kind === "version") return getModelVersion(conn, ref.name, checkVersion(ref.version));
  const version = await read(conn, "resolve a model reference", async (db) => {
    const model = await db
      .selectFrom("registered_models")
      .select("name")
      .where("name", "=", ref.name)
      .executeTakeFirst();
    if (model === undefined) throw modelNotFound(ref.name, await existingModels(db));
    if (ref.kind === "alias") {
      const row = await db
        .selectFrom("aliases")
        .select("version")
        .where("name", "=", ref.name)
        .where("alias", "=", ref.alias)
        .executeTakeFirst();
      if (row === undefined) {
        const all = await db
          .selectFrom("aliases")
          .select(["alias", "version"])
          .where("name", "=", ref.name)
          .orderBy("alias")
          .execute();
        throw new SluiceError("E_NOT_FOUND", `model "${ref.name}" has no alias "${ref.alias}"`, {
          details: { name: ref.name, alias: ref.alias, aliases: all.map((a) => a.alias) },
          hint:
            all.length === 0
              ? "it has no aliases: set one with `sluice models alias NAME ALIAS VERSION`"
              : `its aliases: ${all.map((a) => `${a.alias} → ${num(a.version)}`).join(", ")}`,
        });
      }
      return num(row.version);
    }
    const stage = checkStage(ref.stage);
    const row = await db
      .selectFrom("model_versions")
      .select("version")
      .where("name", "=", ref.name)
      .where("stage", "=", stage)
      .orderBy("version", "desc")
      .limit(1)
      .executeTakeFirst();
    if (row === undefined)
      throw new SluiceError("E_NOT_FOUND", `model "${ref.name}" has no version in ${stage}`, {
        details: { name: ref.name, stage },
        hint: `${await versionSummary(db, ref.name)}; promote one with \`sluice promote ${ref.name} VERSION --to ${stage}\``,
      });
    return num(row.version);
  });
  return getModelVersion(conn, ref.name, version);
}

function checkActor(input: TransitionInput): { by: string; reason: string } {
  return { by: String(input?.by ?? ""), reason: String(input?.reason ?? "") };
}

/**
 * Move a version to a stage. Any stage may move to any other (archived → production is a
 * rollback), never to itself. Moving to production archives the version that was there, in
 * the same transaction, and both moves are recorded.
 */
export async function transitionStage(
  conn: Conn,
  name: string,
  version: number,
  to: Stage,
  input: TransitionInput,
): Promise<ModelVersion> {
  const stage = checkStage(to);
  checkVersion(version);
  const { by, reason } = checkActor(input);
  await write(conn, "change a version's stage", async (tx) => {
    const now = Date.now();
    await lockModel(conn, tx, name);
    const row = await requireVersion(tx, name, version);
    if (row.stage === stage)
      throw new SluiceError("E_REGISTRY", `version ${version} of "${name}" is already in ${stage}`, {
        details: { name, version, stage },
        hint: `move it to another stage (${STAGES.filter((s) => s !== stage).join(", ")})`,
      });
    const moves: { version: number; from: string; reason: string }[] = [];
    if (stage === "production") {
      const current = await tx
        .selectFrom("model_versions")
        .select(["version", "stage"])
        .where("name", "=", name)
        .where("stage", "=", "production")
        .where("version", "!=", version)
        .execute();
      for (const c of current)
        moves.push({
          version: num(c.version),
          from: "production",
          reason: `replaced in production by version ${version}`,
        });
    }
    for (const m of moves) {
      await tx
        .updateTable("model_versions")
        .set({ stage: "archived" })
        .where("name", "=", name)
        .where("version", "=", m.version)
        .execute();
      await tx
        .insertInto("transitions")
        .values({
          name,
          version: m.version,
          kind: "stage",
          alias: null,
          from_value: m.from,
          to_value: "archived",
          at: now,
          by,
          reason: reason === "" ? m.reason : `${m.reason}: ${reason}`,
        })
        .execute();
    }
    await tx
      .updateTable("model_versions")
      .set({ stage })
      .where("name", "=", name)
      .where("version", "=", version)
      .execute();
    await tx
      .insertInto("transitions")
      .values({
        name,
        version,
        kind: "stage",
        alias: null,
        from_value: row.stage,
        to_value: stage,
        at: now,
        by,
        reason,
      })
      .execute();
    await tx.updateTable("registered_models").set({ updated_at: now }).where("name", "=", name).execute();
  });
  return getModelVersion(conn, name, version);
}

/** Point an alias at a version (moving it when it pointed elsewhere; recorded). */
export async function setAlias(
  conn: Conn,
  name: string,
  alias: string,
  version: number,
  input: TransitionInput,
): Promise<void> {
  checkAlias(alias);
  checkVersion(version);
  const { by, reason } = checkActor(input);
  await write(conn, "set an alias", async (tx) => {
    const now = Date.now();
    await lockModel(conn, tx, name);
    await requireVersion(tx, name, version);
    const old = await tx
      .selectFrom("aliases")
      .select("version")
      .where("name", "=", name)
      .where("alias", "=", alias)
      .executeTakeFirst();
    if (old !== undefined && num(old.version) === version) return;
    if (old === undefined) await tx.insertInto("aliases").values({ name, alias, version }).execute();
    else
      await tx
        .updateTable("aliases")
        .set({ version })
        .where("name", "=", name)
        .where("alias", "=", alias)
        .execute();
    await tx
      .insertInto("transitions")
      .values({
        name,
        version,
        kind: "alias",
        alias,
        from_value: old === undefined ? null : String(num(old.version)),
        to_value: String(version),
        at: now,
        by,
        reason,
      })
      .execute();
    await tx.updateTable("registered_models").set({ updated_at: now }).where("name", "=", name).execute();
  });
}

/** Remove an alias (recorded); E_NOT_FOUND naming the aliases when it does not exist. */
export async function deleteAlias(
  conn: Conn,
  name: string,
  alias: string,
  input: TransitionInput,
): Promise<void> {
  const { by, reason } = checkActor(input);
  await write(conn, "delete an alias", async (tx) => {
    const now = Date.now();
    await lockModel(conn, tx, name);
    const all = await tx
      .selectFrom("aliases")
      .select(["alias", "version"])
      .where("name", "=", name)
      .orderBy("alias")
      .execute();
    const old = all.find((a) => a.alias === alias);
    if (old === undefined)
      throw new SluiceError("E_NOT_FOUND", `model "${name}" has no alias "${alias}"`, {
        details: { name, alias, aliases: all.map((a) => a.alias) },
        hint:
          all.length === 0
            ? "it has no aliases"
            : `its aliases: ${all.map((a) => `${a.alias} → ${num(a.version)}`).join(", ")}`,
      });
    await tx.deleteFrom("aliases").where("name", "=", name).where("alias", "=", alias).execute();
    await tx
      .insertInto("transitions")
      .values({
        name,
        version: num(old.version),
        kind: "alias",
        alias,
        from_value: String(num(old.version)),
        to_value: null,
        at: now,
        by,
        reason,
      })
      .execute();
    await tx.updateTable("registered_models").set({ updated_at: now }).where("name", "=", name).execute();
  });
}

export async function setVersionTag(
  conn: Conn,
  name: string,
  version: number,
  key: string,
  value: string,
): Promise<void> {
  checkVersion(version);
  checkKey("tag", key);
  tagText(key, value);
  await write(conn, "set a version tag", async (tx) => {
    await lockModel(conn, tx, name);
    await requireVersion(tx, name, version);
    await tx
      .insertInto("version_tags")
      .values({ name, version, key, value })
      .onConflict((oc) =>
        oc.columns(["name", "version", "key"]).doUpdateSet((eb) => ({ value: eb.ref("excluded.value") })),
      )
      .execute();
  });
}

export async function setVersionDescription(
  conn: Conn,
  name: string,
  version: number,
  description: string,
): Promise<void> {
  checkVersion(version);
  await write(conn, "set a version description", async (tx) => {
    await lockModel(conn, tx, name);
    await requireVersion(tx, name, version);
    await tx
      .updateTable("model_versions")
      .set({ description: String(description) })
      .where("name", "=", name)
      .where("version", "=", version)
      .execute();
  });
}

/** Replace the gate results of a version. */
export async function recordGates(
  conn: Conn,
  name: string,
  version: number,
  gates: GateRecord[],
): Promise<void> {
  checkVersion(version);
  for (const g of gates) {
    if (typeof g.name !== "string" || g.name === "")
      throw new SluiceError("E_USAGE", "a gate result needs a name", { details: { name, version } });
    for (const [field, v] of [
      ["value", g.value],
      ["threshold", g.threshold],
    ] as const)
      if (v !== null && (typeof v !== "number" || !Number.isFinite(v)))
        throw new SluiceError(
          "E_USAGE",
          `gate "${g.name}": ${field} must be a finite number or null, got ${String(v)}`,
          {
            details: { name, version, gate: g.name },
            hint: "record null when the value could not be measured",
          },
        );
  }
  await write(conn, "record gate results", async (tx) => {
    await lockModel(conn, tx, name);
    await requireVersion(tx, name, version);
    await tx.deleteFrom("gate_results").where("name", "=", name).where("version", "=", version).execute();
    if (gates.length > 0)
      await tx
        .insertInto("gate_results")
        .values(
          gates.map((g, position) => ({
            name,
            version,
            position,
            gate: g.name,
            value: g.value,
            threshold: g.threshold,
            passed: g.passed ? 1 : 0,
            detail: String(g.detail ?? ""),
          })),
        )
        .execute();
  });
}

/** Every stage and alias change of a model, oldest first. */
export async function history(conn: Conn, name: string): Promise<Transition[]> {
  return read(conn, "read a model's history", async (db) => {
    await requireModel(db, name);
    const rows = await db
      .selectFrom("transitions")
      .selectAll()
      .where("name", "=", name)
      .orderBy("seq")
      .execute();
    return rows.map((r) => ({
      name: r.name,
      version: num(r.version),
      kind: r.kind as Transition["kind"],
      ...(r.alias === null ? {} : { alias: r.alias }),
      from: r.from_value,
      to: r.to_value,
      at: num(r.at),
      by: r.by,
      reason: r.reason,
    }));
  });
}
