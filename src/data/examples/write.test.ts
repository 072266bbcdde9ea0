import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isSluiceError } from "../../errors.js";
import { parseProjectConfig } from "../../project/config.js";
import { exampleProjectYaml, generateExampleCsv, writeExample } from "./index.js";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "sluice-example-"));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}

/** Every file under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe("writeExample", () => {
  it("writes sluice.yaml, the data and a README into a new folder", async () => {
    const dir = join(root, "nested", "churn");
    const result = await writeExample("churn", dir, { rows: 500, seed: 9 });
    expect(result).toEqual({
      dir,
      projectFile: join(dir, "sluice.yaml"),
      dataFile: join(dir, "data", "customers.csv"),
      readmeFile: join(dir, "README.md"),
      rows: 500,
    });
    expect(tree(dir)).toEqual(["README.md", "data/customers.csv", "sluice.yaml"]);
    expect(readFileSync(result.projectFile, "utf8")).toBe(exampleProjectYaml("churn"));
    expect(parseProjectConfig(readFileSync(result.projectFile, "utf8")).data.path).toBe("data/customers.csv");
    expect(readFileSync(result.dataFile, "utf8")).toBe(
      [...generateExampleCsv("churn", { rows: 500, seed: 9 })].join(""),
    );
  });

  it("writes a README that explains the data and lists the commands to try", async () => {
    for (const name of ["churn", "fraud", "housing"] as const) {
      const { readmeFile } = await writeExample(name, join(root, name), { rows: 200, seed: 3 });
      const readme = readFileSync(readmeFile, "utf8");
      expect(readme).toContain("## How the signal was built");
      for (const command of ["sluice check", "sluice validate", "sluice features", "sluice run"])
        expect(readme).toContain(command);
      expect(readme).toContain(`sluice example ${name} ${name}-copy --rows 200 --seed 3`);
      expect(readme).not.toMatch(/undefined|NaN|\[object/);
    }
  });

  it("uses the default rows and seed of each example", async () => {
    const { rows, dataFile } = await writeExample("housing", join(root, "h"));
    expect(rows).toBe(8000);
    expect(readFileSync(dataFile, "utf8")).toBe([...generateExampleCsv("housing", { seed: 42 })].join(""));
  });

  it("writes into an empty existing folder", async () => {
    await writeExample("fraud", root, { rows: 100 });
    expect(tree(root)).toEqual(["README.md", "data/transactions.csv", "sluice.yaml"]);
  });

  it("refuses a folder that is not empty (E_EXISTS) and writes nothing there", async () => {
    writeFileSync(join(root, "notes.txt"), "mine");
    const err = await rejection(writeExample("churn", root, { rows: 100 }));
    expect(isSluiceError(err, "E_EXISTS")).toBe(true);
    expect((err as Error).message).toContain("is not empty");
    expect((err as { hint: string }).hint).toContain("--force");
    expect(tree(root)).toEqual(["notes.txt"]);
    expect(readdirSync(root)).toEqual(["notes.txt"]);
  });

  it("refuses a path that is a file (E_EXISTS)", async () => {
    const file = join(root, "taken");
    writeFileSync(file, "x");
    expect(isSluiceError(await rejection(writeExample("churn", file)), "E_EXISTS")).toBe(true);
    expect(readFileSync(file, "utf8")).toBe("x");
  });

  it("overwrites the example's files with force and leaves other files alone", async () => {
    await writeExample("churn", root, { rows: 100, seed: 1 });
    writeFileSync(join(root, "notes.txt"), "mine");
    writeFileSync(join(root, "sluice.yaml"), "edited");
    const result = await writeExample("churn", root, { rows: 300, seed: 2, force: true });
    expect(readFileSync(result.projectFile, "utf8")).toBe(exampleProjectYaml("churn"));
    expect(readFileSync(result.dataFile, "utf8").split("\n").length - 2).toBe(300);
    expect(readFileSync(join(root, "notes.txt"), "utf8")).toBe("mine");
    expect(tree(root)).toEqual(["README.md", "data/customers.csv", "notes.txt", "sluice.yaml"]);
  });

  it("reports progress per chunk up to the total", async () => {
    const calls: [number, number][] = [];
    await writeExample("fraud", join(root, "f"), {
      rows: 10_000,
      onProgress: (done, total) => calls.push([done, total]),
    });
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(calls.at(-1)).toEqual([10_000, 10_000]);
    for (let i = 1; i < calls.length; i++) expect(calls[i]![0]).toBeGreaterThan(calls[i - 1]![0]);
  });

  it("leaves nothing behind when writing fails half-way", async () => {
    const dir = join(root, "new", "project");
    const err = await rejection(
      writeExample("churn", dir, {
        rows: 20_000,
        onProgress: (done) => {
          if (done > 5000) throw new Error("interrupted");
        },
      }),
    );
    expect((err as Error).message).toBe("interrupted");
    expect(existsSync(join(root, "new"))).toBe(false);
    expect(readdirSync(root)).toEqual([]);
  });

  it("keeps the previous files when a forced rewrite fails half-way", async () => {
    await writeExample("churn", root, { rows: 100 });
    const before = readFileSync(join(root, "data", "customers.csv"), "utf8");
    await rejection(
      writeExample("churn", root, {
        rows: 20_000,
        force: true,
        onProgress: () => {
          throw new Error("interrupted");
        },
      }),
    );
    expect(readFileSync(join(root, "data", "customers.csv"), "utf8")).toBe(before);
    expect(tree(root)).toEqual(["README.md", "data/customers.csv", "sluice.yaml"]);
  });

  it("refuses an unknown example before touching the disk", async () => {
    const dir = join(root, "x");
    const err = await rejection(writeExample("fruad" as "fraud", dir));
    expect(isSluiceError(err, "E_USAGE")).toBe(true);
    expect((err as Error).message).toContain('did you mean "fraud"');
    expect(existsSync(dir)).toBe(false);
  });

  it("refuses bad rows before touching the disk", async () => {
    mkdirSync(join(root, "y"));
    expect(
      isSluiceError(await rejection(writeExample("churn", join(root, "y"), { rows: -1 })), "E_USAGE"),
    ).toBe(true);
    expect(readdirSync(join(root, "y"))).toEqual([]);
  });
});
