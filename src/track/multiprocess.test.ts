import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "./open.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = mkdtempSync(join(tmpdir(), "sluice-multi-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function child(url: string, count: number, name: string): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      ["--import", "tsx", join(here, "multiprocess-child.ts"), url, String(count), name],
      {
        cwd: join(here, "..", ".."),
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    let err = "";
    proc.stdout.on("data", (d: Buffer) => (out += d.toString()));
    proc.stderr.on("data", (d: Buffer) => (err += d.toString()));
    proc.on("error", reject);
    proc.on("exit", (code) => {
      if (code !== 0) reject(new Error(`child exited with ${code}: ${err}`));
      else resolve(JSON.parse(out.trim().split("\n").pop()!) as number[]);
    });
  });
}

describe("two processes on one SQLite store", () => {
  it("gives the 20 versions two processes create at once the distinct numbers 1 to 20", async () => {
    const url = `sqlite:${join(root, "shared.db")}`;
    // Both children open a new file: they race on creating the schema, then on the versions.
    const [a, b] = await Promise.all([child(url, 10, "shared"), child(url, 10, "shared")]);
    expect(a).toHaveLength(10);
    expect(b).toHaveLength(10);
    expect([...a, ...b].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const store = await openStore(url);
    try {
      expect((await store.getRegisteredModel("shared")).latestVersion).toBe(20);
      expect((await store.listModelVersions("shared")).map((v) => v.version)).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
    } finally {
      await store.close();
    }
  });
});
