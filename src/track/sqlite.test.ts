import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { openStore } from "./open.js";
import { monitoringContract } from "./monitoring.contract.js";
import { predictionsContract } from "./predictions.contract.js";
import { expectSluiceError, storeContract } from "./store.contract.js";
import type { KyselyStore } from "./store.js";

const root = mkdtempSync(join(tmpdir(), "sluice-sqlite-"));
let n = 0;

afterAll(() => rmSync(root, { recursive: true, force: true }));

storeContract("SQLite", () => openStore(join(root, `store-${++n}.db`)));
predictionsContract("SQLite", () => openStore(join(root, `store-${++n}.db`)));
monitoringContract("SQLite", () => openStore(join(root, `store-${++n}.db`)));

describe("openStore with SQLite", () => {
  const saved = process.env.SLUICE_STORE;
  afterEach(() => {
    if (saved === undefined) delete process.env.SLUICE_STORE;
    else process.env.SLUICE_STORE = saved;
  });

  it("opens <projectDir>/.sluice/sluice.db by default, in WAL mode with foreign keys on", async () => {
    delete process.env.SLUICE_STORE;
    const project = join(root, "project");
    const store = await openStore(undefined, { projectDir: project });
    try {
      expect(store.dialect).toBe("sqlite");
      expect(store.url).toBe(`sqlite:${join(project, ".sluice", "sluice.db")}`);
      const { rows } = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(
        (store as KyselyStore).kysely,
      );
      const fk = await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(
        (store as KyselyStore).kysely,
      );
      expect(fk.rows[0]?.foreign_keys).toBe(1);
      expect(rows[0]?.journal_mode).toBe("wal");
    } finally {
      await store.close();
    }
  });

  it("takes an explicit URL first, then SLUICE_STORE, then the project file's store", async () => {
    process.env.SLUICE_STORE = `sqlite:${join(root, "from-env.db")}`;
    const fromEnv = await openStore(undefined, { projectDir: root, configUrl: "from-config.db" });
    const explicit = await openStore("explicit.db", { projectDir: root, configUrl: "from-config.db" });
    delete process.env.SLUICE_STORE;
    const fromConfig = await openStore(undefined, { projectDir: root, configUrl: "from-config.db" });
    try {
      expect(fromEnv.url).toBe(`sqlite:${join(root, "from-env.db")}`);
      expect(explicit.url).toBe(`sqlite:${join(root, "explicit.db")}`);
      expect(fromConfig.url).toBe(`sqlite:${join(root, "from-config.db")}`);
    } finally {
      await Promise.all([fromEnv.close(), explicit.close(), fromConfig.close()]);
    }
  });

  it("refuses an unsupported URL scheme and a file that is not a database", async () => {
    await expectSluiceError(openStore("mysql://db/x"), "E_STORE", "mysql://db/x", "postgres://");
    await expectSluiceError(openStore(root), "E_STORE", root);
  });
});
