import { describe, expect, it } from "vitest";
import { compareVersions, isVersion, SLUICE_VERSION } from "../version.js";
import { MIGRATIONS, SCHEMA_VERSION, versionAhead } from "./migrations.js";

const conn = { url: "sqlite:/data/sluice.db" };

describe("migrations", () => {
  it("ship only in a Sluice version this package has reached (bump the version with a new migration)", () => {
    for (const [i, m] of MIGRATIONS.entries()) {
      expect(isVersion(m.since), `migration ${i + 1} since "${m.since}"`).toBe(true);
      expect(
        compareVersions(SLUICE_VERSION, m.since),
        `migration ${i + 1} (${m.intent}) ships in sluice ${m.since}, but package.json says ${SLUICE_VERSION}: ` +
          `run npm version ${m.since} --no-git-tag-version`,
      ).toBeGreaterThanOrEqual(0);
    }
  });

  it("are listed in the order of the releases that introduced them", () => {
    for (let i = 1; i < MIGRATIONS.length; i++)
      expect(compareVersions(MIGRATIONS[i]!.since, MIGRATIONS[i - 1]!.since)).toBeGreaterThanOrEqual(0);
  });

  it("each have an intent and SQL on both dialects", () => {
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
    for (const m of MIGRATIONS) {
      expect(m.intent).not.toBe("");
      expect(m.statements("sqlite").length).toBeGreaterThan(0);
      expect(m.statements("postgres")).toHaveLength(m.statements("sqlite").length);
    }
  });
});

describe("a store ahead of this code", () => {
  it("asks for the newer release that wrote it, naming both schema and both sluice versions", () => {
    const err = versionAhead(conn, SCHEMA_VERSION + 1, "99.0.0");
    expect(err.code).toBe("E_STORE_VERSION");
    expect(err.message).toBe(
      `the tracking store sqlite:/data/sluice.db has schema version ${SCHEMA_VERSION + 1} (written by sluice 99.0.0), ` +
        `but this sluice (${SLUICE_VERSION}) knows schema versions up to ${SCHEMA_VERSION}`,
    );
    expect(err.hint).toBe("upgrade sluice to 99.0.0 or later, or use another store");
  });

  it("says a writer no newer than this one was a development build, without asking to upgrade to it", () => {
    for (const writer of [SLUICE_VERSION, "0.0.1"]) {
      const err = versionAhead(conn, SCHEMA_VERSION + 1, writer);
      expect(err.code).toBe("E_STORE_VERSION");
      expect(err.message).toBe(
        `the tracking store sqlite:/data/sluice.db has schema version ${SCHEMA_VERSION + 1}, written by a development ` +
          `build of sluice ${writer} with a newer schema than this sluice (${SLUICE_VERSION}), which knows schema ` +
          `versions up to ${SCHEMA_VERSION}`,
      );
      expect(err.hint).not.toMatch(/upgrade sluice to/);
      expect(err.hint).toContain(`knows schema version ${SCHEMA_VERSION + 1}`);
      expect(err.details).toMatchObject({
        storeVersion: SCHEMA_VERSION + 1,
        storeSluiceVersion: writer,
        supportedVersion: SCHEMA_VERSION,
        sluiceVersion: SLUICE_VERSION,
      });
    }
  });

  it("does not take an unreadable writer version for a newer release", () => {
    const err = versionAhead(conn, SCHEMA_VERSION + 2, "");
    expect(err.message).toContain("written by a sluice of unknown version");
    expect(err.hint).toBe("upgrade sluice to the version that wrote the store, or use another store");
  });
});
