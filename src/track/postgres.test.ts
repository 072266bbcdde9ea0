import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "./open.js";
import { monitoringContract } from "./monitoring.contract.js";
import { predictionsContract } from "./predictions.contract.js";
import { expectSluiceError, storeContract } from "./store.contract.js";

const BASE = process.env.SLUICE_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";
const prefix = `sluice_test_${process.pid}_${randomBytes(3).toString("hex")}`;
const schemas: string[] = [];

function withSchema(schema: string): string {
  const url = new URL(BASE);
  url.searchParams.set("schema", schema);
  return url.toString();
}

afterAll(async () => {
  const client = new pg.Client({ connectionString: BASE });
  await client.connect();
  try {
    for (const s of schemas) await client.query(`drop schema if exists "${s}" cascade`);
  } finally {
    await client.end();
  }
});

// A fresh schema for each test: the contract expects an empty store every time.
storeContract("PostgreSQL", () => {
  const schema = `${prefix}_${schemas.length + 1}`;
  schemas.push(schema);
  return openStore(withSchema(schema));
});

predictionsContract("PostgreSQL", () => {
  const schema = `${prefix}_p${schemas.length + 1}`;
  schemas.push(schema);
  return openStore(withSchema(schema));
});

monitoringContract("PostgreSQL", () => {
  const schema = `${prefix}_m${schemas.length + 1}`;
  schemas.push(schema);
  return openStore(withSchema(schema));
});

describe("openStore with PostgreSQL", () => {
  it("reports an unreachable server naming the URL without its password", async () => {
    const err = await expectSluiceError(
      openStore("postgres://sluice:s3cret-pw@127.0.0.1:1/test"),
      "E_STORE",
      "postgres://sluice:***@127.0.0.1:1/test",
      "is PostgreSQL running on 127.0.0.1:1?",
      "check the host, port and database",
    );
    expect(`${err.message} ${err.hint ?? ""} ${JSON.stringify(err.details)}`).not.toContain("s3cret-pw");
  });

  it("refuses a schema name that is not an identifier", async () => {
    await expectSluiceError(openStore(withSchema("bad-name; drop")), "E_STORE", "bad schema name");
  });

  it("creates the schema named in the URL and keeps its tables there", async () => {
    const schema = `${prefix}_named`;
    schemas.push(schema);
    const store = await openStore(withSchema(schema));
    try {
      expect(store.dialect).toBe("postgres");
      expect(store.url).toContain(`schema=${schema}`);
      await store.getOrCreateExperiment("x");
      const client = new pg.Client({ connectionString: BASE });
      await client.connect();
      try {
        const { rows } = await client.query<{ n: string }>(
          "select count(*) as n from information_schema.tables where table_schema = $1 and table_name = 'runs'",
          [schema],
        );
        expect(Number(rows[0]!.n)).toBe(1);
      } finally {
        await client.end();
      }
    } finally {
      await store.close();
    }
  });
});
