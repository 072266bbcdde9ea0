import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { promoteVersion } from "../../pipeline/registry.js";
import { trainChurn, type TrainedChurn } from "../../serve/test-utils/model.js";
import { openStore } from "../../track/open.js";
import { runCli, type CliResult } from "../test-utils/run-cli.js";

/** Run `sluice …` in-process. */
const cli = (args: readonly string[]): Promise<CliResult> => runCli(args);

const root = mkdtempSync(join(tmpdir(), "sluice-predict-cli-"));
let churn: TrainedChurn;
let input: string;

beforeAll(async () => {
  churn = await trainChurn();
  input = join(root, "new.csv");
  const lines = readFileSync(join(churn.dir, "data", "customers.csv"), "utf8")
    .split("\n")
    .slice(0, 101);
  lines.push("C999999,abc,1,F,north,1,50,50,0");
  writeFileSync(input, lines.join("\n") + "\n");
}, 120_000);
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(dirname(churn.dir), { recursive: true, force: true });
});

describe("sluice predict", () => {
  it("scores with the project's production model by default and reports rows, scored and rejected", async () => {
    const before = await cli([
      "predict",
      churn.dir,
      "--input",
      input,
      "--output",
      join(root, "none.csv"),
      "--json",
    ]);
    expect(before.code).toBe(2);
    expect(before.json<{ error: { code: string; message: string } }>().error.message).toContain("production");

    const store = await openStore(undefined, { projectDir: churn.dir });
    try {
      await promoteVersion(store, "churn_predictor", 1, { to: "production", reason: "test", by: "ci" });
    } finally {
      await store.close();
    }
    const output = join(root, "scored.csv");
    const r = await cli(["predict", churn.dir, "--input", input, "--output", output, "--json"]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const result = r.json<{
      rows: number;
      scored: number;
      rejected: number;
      rejects: string;
      model: { version: number };
    }>();
    expect(result.rows).toBe(101);
    expect(result.scored + result.rejected).toBe(101);
    expect(result.model.version).toBe(1);
    expect(result.rejects).toBe(`${output}.rejects.csv`);
    expect(readFileSync(result.rejects, "utf8")).toContain(
      'C999999,abc,1,F,north,1,50,50,0,101,"field ""age"": expected a number, got ""abc"""',
    );
    expect(readFileSync(output, "utf8").split("\n")[0]).toContain(",prediction,probability,confidence,risk");
  });

  it("scores with a model file given by path and writes rejects where asked", async () => {
    const output = join(root, "by-path.csv");
    const rejects = join(root, "bad", "rejects.csv");
    const r = await cli([
      "predict",
      "--model",
      churn.bundle.modelPath,
      "--input",
      input,
      "--output",
      output,
      "--rejects",
      rejects,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("of 101 rows scored");
    expect(r.stdout).toContain("rows rejected");
    expect(existsSync(rejects)).toBe(true);
  });

  it("reads a file with another delimiter and writes comma-separated output", async () => {
    const tsv = join(root, "new.tsv");
    writeFileSync(tsv, readFileSync(input, "utf8").replaceAll(",", "\t"));
    const output = join(root, "from-tsv.csv");
    const r = await cli([
      "predict",
      "--model",
      churn.bundle.modelPath,
      "--input",
      tsv,
      "--output",
      output,
      "--delimiter",
      "\\t",
      "--json",
    ]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.json<{ rows: number; rejected: number }>()).toMatchObject({ rows: 101, rejected: 1 });
    expect(readFileSync(output, "utf8").split("\n")[0]).toBe(
      `${readFileSync(input, "utf8").split("\n")[0]!},prediction,probability,confidence,risk`,
    );
    const bad = await cli([
      "predict",
      "--model",
      churn.bundle.modelPath,
      "--input",
      tsv,
      "--output",
      output,
      "--delimiter",
      ";;",
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr + bad.stdout).toContain("delimiter");
  });

  it("takes the project as -p/--project, as the other verbs do, and refuses two different projects", async () => {
    for (const flag of ["-p", "--project"]) {
      const output = join(root, `by-flag${flag}.csv`);
      const r = await cli(["predict", flag, churn.dir, "--input", input, "--output", output, "--json"]);
      expect(r.code, r.stderr + r.stdout).toBe(0);
      expect(r.json<{ rows: number; model: { version: number } }>()).toMatchObject({
        rows: 101,
        model: { version: 1 },
      });
    }
    const same = await cli([
      "predict",
      churn.dir,
      "-p",
      join(churn.dir, "."),
      "--input",
      input,
      "--output",
      join(root, "same.csv"),
      "--json",
    ]);
    expect(same.code, same.stderr + same.stdout).toBe(0);
    const two = await cli([
      "predict",
      churn.dir,
      "-p",
      root,
      "--input",
      input,
      "--output",
      join(root, "two.csv"),
      "--json",
    ]);
    expect(two.code).toBe(2);
    expect(two.json<{ error: { code: string; message: string } }>().error).toMatchObject({
      code: "E_USAGE",
      message: `two projects given: "${churn.dir}" and --project "${root}"`,
    });
  });

  it("refuses a missing input file with exit code 2", async () => {
    const r = await cli([
      "predict",
      "--model",
      churn.bundle.modelPath,
      "--input",
      join(root, "gone.csv"),
      "--output",
      join(root, "x.csv"),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr + r.stdout).toContain("gone.csv");
  });
});
