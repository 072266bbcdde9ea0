import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../test-utils/run-cli.js";

const root = mkdtempSync(join(tmpdir(), "sluice-check-cli-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let churn: string;
beforeAll(async () => {
  churn = join(root, "churn");
  const r = await runCli(["example", "churn", churn, "--rows", "600", "--json"]);
  expect(r.code).toBe(0);
});

/** The churn project with its sluice.yaml edited, in a new folder sharing the data. */
function variant(name: string, edit: (yaml: string) => string): string {
  const yaml = readFileSync(join(churn, "sluice.yaml"), "utf8");
  const edited = edit(yaml);
  expect(edited).not.toBe(yaml);
  const file = join(churn, `${name}.yaml`);
  writeFileSync(file, edited);
  return file;
}

describe("sluice check", () => {
  it("passes a valid project, showing the target's classes and the formulas compiled", async () => {
    const r = await runCli(["check", churn]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/2 classes: 0 \([\d,]+\), 1 \([\d,]+\)/);
    expect(r.stdout).toMatch(/6 formulas compiled against the header/);
    const json = await runCli(["check", churn, "--json"]);
    expect(json.json<{ ok: boolean; formulas: number; target: { classes: unknown[] } }>()).toMatchObject({
      ok: true,
      formulas: 6,
      target: { classes: [{ name: "0" }, { name: "1" }] },
    });
  });

  it("exits 2 on a formula naming an unknown column, before any training, naming it and the near name", async () => {
    const file = variant("typo", (y) =>
      y.replace('"total_charges / (tenure_months + 1)"', '"total_charges / (tenure_month + 1)"'),
    );
    const r = await runCli(["check", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/E_FORMULA/);
    expect(r.stderr).toMatch(/unknown column "tenure_month" \(did you mean "tenure_months"\?\)/);
  });

  it("exits 2 on a target with one class, naming the class", async () => {
    const data = join(churn, "one-class.csv");
    const lines = readFileSync(join(churn, "data", "customers.csv"), "utf8")
      .trimEnd()
      .split("\n");
    writeFileSync(
      data,
      [lines[0]!, ...lines.slice(1).map((l) => l.replace(/,[01]$/, ",0"))].join("\n") + "\n",
    );
    const file = variant("one-class", (y) => y.replace("path: data/customers.csv", "path: one-class.csv"));
    const r = await runCli(["check", file, "--json"]);
    expect(r.code).toBe(2);
    const out = r.json<{ ok: boolean; error: { code: string; message: string } }>();
    expect(out).toMatchObject({ ok: false, error: { code: "E_TARGET" } });
    expect(out.error.message).toMatch(/a single class, "0"/);
  });
});
