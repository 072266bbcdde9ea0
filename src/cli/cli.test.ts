import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseFittedFeatures } from "../features/index.js";
import { parseProjectConfig } from "../project/config.js";
import { runCli } from "./test-utils/run-cli.js";

const TELCO = resolve(
  import.meta.dirname,
  "..",
  "..",
  "..",
  "shared",
  "data",
  "WA_Fn-UseC_-Telco-Customer-Churn.csv",
);
const HOUSING = resolve(import.meta.dirname, "..", "..", "..", "shared", "data", "housing.csv");

let root: string;
let churn: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "sluice-cli-"));
  churn = join(root, "churn");
  const r = await runCli(["example", "churn", churn, "--rows", "800", "--json"]);
  expect(r.code).toBe(0);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A copy of the churn project whose sluice.yaml (and optionally data) is changed. */
function variant(name: string, edit: (yaml: string) => string, data?: (csv: string) => string): string {
  const dir = join(root, name);
  rmSync(dir, { recursive: true, force: true });
  cpSync(churn, dir, { recursive: true, filter: (src) => !src.includes(".sluice") });
  const yamlPath = join(dir, "sluice.yaml");
  writeFileSync(yamlPath, edit(readFileSync(yamlPath, "utf8")));
  if (data !== undefined) {
    const csvPath = join(dir, "data", "customers.csv");
    writeFileSync(csvPath, data(readFileSync(csvPath, "utf8")));
  }
  return dir;
}

describe("sluice run", () => {
  it("validates, splits and fits features on the churn example, writing every artifact", async () => {
    const r = await runCli(["run", churn, "--json"]);
    expect(r.code).toBe(0);
    const s = r.json<{
      status: string;
      runDir: string;
      split: { train: number; validation: number; test: number };
      features: { outputs: number; file: string };
      artifacts: Record<string, string>;
    }>();
    expect(s.status).toBe("finished");
    expect(s.split.train + s.split.validation + s.split.test).toBe(800);
    for (const key of [
      "validation_report",
      "validation_json",
      "features",
      "profile",
      "split",
      "summary",
      "model",
      "gates",
      "evaluation_report",
      "evaluation_json",
      "model_card",
      "model_card_html",
    ])
      expect(existsSync(s.artifacts[key]!), key).toBe(true);
    const report = readFileSync(s.artifacts.evaluation_report!, "utf8");
    expect(report).toMatch(/^<!doctype html>/i);
    expect(report.match(/<svg/g)?.length ?? 0).toBeGreaterThanOrEqual(5);
    expect(report).not.toMatch(/https?:\/\//);
    expect(readFileSync(s.artifacts.model_card!, "utf8")).toMatch(/## Limitations/i);
    const fitted = parseFittedFeatures(JSON.parse(readFileSync(s.features.file, "utf8")));
    expect(fitted.outputs).toHaveLength(s.features.outputs);
    expect(fitted.outputs.map((o) => o.name)).toContain("charges_per_month");
    expect(readFileSync(s.artifacts.validation_report!, "utf8")).toMatch(/^<!doctype html>/i);
  });

  it("prints a summary with where the report is for people", async () => {
    const r = await runCli(["run", churn]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/data passed validation/);
    expect(r.stdout).toMatch(/split: train \d+, validation \d+, test \d+ \(stratified\)/);
    expect(r.stdout).toMatch(/validation\s+.*validation\.html/);
    expect(r.stdout).toMatch(/evaluation\s+.*evaluation\.html/);
    expect(r.stdout).toMatch(/gate\s+value\s+threshold\s+result/);
    expect(r.stdout).toMatch(/registered churn_predictor v\d+ → staging/);
  });

  it("stops with exit 1 and names row 5,000 when a numeric column holds text there", async () => {
    const rows = 5_200;
    const big = join(root, "churn5k");
    expect((await runCli(["example", "churn", big, "--rows", String(rows), "--json"])).code).toBe(0);
    const csv = join(big, "data", "customers.csv");
    const lines = readFileSync(csv, "utf8").split("\n");
    const cells = lines[5000]!.split(",");
    cells[1] = "abc"; // age, data row 5,000 (line 5,001 counting the header)
    lines[5000] = cells.join(",");
    writeFileSync(csv, lines.join("\n"));
    const r = await runCli(["run", big]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/age.*row 5,000: "abc"/);

    // With a quarantine file the bad row is set aside and the run goes on.
    const q = join(big, "quarantine.csv");
    const v = await runCli(["validate", big, "--quarantine", q, "--json"]);
    expect(v.code).toBe(0);
    const out = v.json<{ rows: number; kept: number; quarantined: number }>();
    expect(out).toMatchObject({ rows: rows, kept: rows - 1, quarantined: 1 });
    const quarantined = readFileSync(q, "utf8").trim().split("\n");
    expect(quarantined[0]).toMatch(/^_row,customer_id,age,.*,_reason$/);
    expect(quarantined[1]).toMatch(/^5000,C005000,abc,.*age: ""abc"" is not an integer"$/);
  });
});

describe("sluice validate", () => {
  it("exits 1 on an error-level failure and 0 once the failing rows are quarantined", async () => {
    const dir = variant(
      "ages",
      (y) => y,
      (csv) => csv.replace(/\n(C\d+),\d+,/, "\n$1,12,"),
    );
    const failed = await runCli(["validate", dir, "--json"]);
    expect(failed.code).toBe(1);
    expect(failed.json<{ failures: { check: string; column: string }[] }>().failures).toContainEqual(
      expect.objectContaining({ check: "min", column: "age" }),
    );
    const q = join(dir, "q.csv");
    const passed = await runCli(["validate", dir, "--quarantine", q, "--json"]);
    expect(passed.code).toBe(0);
    const j = passed.json<{ rows: number; kept: number; quarantined: number }>();
    expect(j.kept + j.quarantined).toBe(j.rows);
    expect(j.quarantined).toBe(1);
  });

  it("writes the JSON and HTML report", async () => {
    const r = await runCli(["validate", churn, "--report", join(root, "reports"), "--json"]);
    expect(r.code).toBe(0);
    expect(readdirSync(join(root, "reports")).sort()).toEqual(["validation.html", "validation.json"]);
  });
});

describe("bad input: each a clear error with exit 2", () => {
  const cases: [string, () => string, RegExp][] = [
    [
      "a missing data file",
      () => variant("missing", (y) => y.replace("path: data/customers.csv", "path: data/nope.csv")),
      /nope\.csv does not exist/,
    ],
    [
      "an empty file",
      () =>
        variant(
          "empty",
          (y) => y,
          () => "",
        ),
      /customers\.csv is empty/,
    ],
    [
      "a header line only",
      () =>
        variant(
          "header",
          (y) => y,
          (csv) => csv.split("\n")[0]! + "\n",
        ),
      /has a header but no data rows/,
    ],
    [
      "a schema column the file lacks",
      () => variant("schemacol", (y) => y.replace("  gender:", "  gendre:")),
      /schema\.gendre: column "gendre" is not in .* \(did you mean "gender"\?\)/,
    ],
    [
      "a target that does not exist",
      () =>
        variant("target", (y) =>
          y.replace("target: churn", "target: churned").replace(/\n {2}churn: .*\n/, "\n"),
        ),
      /data\.target: column "churned" is not in .*\(did you mean "churn"\?\)/,
    ],
    [
      "a target with one class",
      () =>
        variant(
          "oneclass",
          (y) => y.replace(/values: \[0, 1\]/, "values: [0, 1]"),
          (csv) => csv.replace(/,1\n/g, ",0\n"),
        ),
      /single class, "0"/,
    ],
    ["malformed YAML", () => variant("yaml", (y) => y.replace("split: {", "split: {{")), /not valid YAML/],
    [
      "a formula naming an unknown column",
      () => variant("formula", (y) => y.replace("(tenure_months + 1)", "(tenure + 1)")),
      /features\.derived\.charges_per_month: unknown column "tenure"/,
    ],
    [
      "a parameter of the wrong type",
      () => variant("param", (y) => y.replace("num_leaves: 31", 'num_leaves: "many"')),
      /models\.gbdt\.params\.num_leaves: expected integer ≥ 2, got "many"/,
    ],
  ];
  for (const [what, make, message] of cases) {
    it(`refuses ${what}`, async () => {
      const dir = make();
      const r = await runCli(["run", dir]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace without --verbose
      // A run that started says how it ended; no fitted artifact is left behind by a failed run.
      const runs = join(dir, ".sluice", "runs");
      for (const id of existsSync(runs) ? readdirSync(runs) : []) {
        const summary = JSON.parse(readFileSync(join(runs, id, "run.json"), "utf8")) as { status: string };
        expect(summary.status).toBe("failed");
        expect(existsSync(join(runs, id, "features.json"))).toBe(false);
      }
    });
  }

  for (const formula of [
    "constructor",
    "__proto__",
    "this",
    "process.exit(1)",
    "constructor.constructor('return process')()",
    "import('fs')",
  ]) {
    it(`refuses a formula reaching for code: ${formula}`, async () => {
      const dir = variant("hostile", (y) =>
        y.replace('"total_charges / (tenure_months + 1)"', JSON.stringify(formula)),
      );
      const r = await runCli(["run", dir]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/E_FORMULA/);
    });
  }

  it("refuses a file larger than the memory budget, naming the budget and the way out", async () => {
    const r = await runCli(["run", churn], { SLUICE_MAX_FRAME_BYTES: "4096" });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/E_DATA_TOO_LARGE/);
    expect(r.stderr).toMatch(/sample_rows|SLUICE_MAX_FRAME_BYTES/);
  });

  it("reports --json errors as JSON on stdout", async () => {
    const dir = variant("jsonerr", (y) => y.replace("path: data/customers.csv", "path: data/nope.csv"));
    const r = await runCli(["run", dir, "--json"]);
    expect(r.code).toBe(2);
    expect(r.json<{ ok: boolean; error: { code: string } }>()).toMatchObject({
      ok: false,
      error: { code: "E_FILE_NOT_FOUND" },
    });
  });

  it("refuses unknown commands and flags as usage errors", async () => {
    expect((await runCli(["rnu"])).code).toBe(2);
    expect((await runCli(["run", churn, "--frobnicate"])).code).toBe(2);
    expect((await runCli(["example", "churn", join(root, "x"), "--rows", "ten"])).code).toBe(2);
  });

  it("refuses a folder without a project file, pointing at init and example", async () => {
    const r = await runCli(["run", root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no project file/);
    expect(r.stderr).toMatch(/sluice init|sluice example/);
  });
});

describe("sluice check", () => {
  it("accepts a valid project and lists what it will do", async () => {
    const r = await runCli(["check", churn]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/sluice\.yaml is valid/);
    expect(r.stdout).toMatch(/target "churn" found/);
  });
});

describe("sluice example", () => {
  it("refuses a folder that is not empty, and --force rewrites the same bytes", async () => {
    const first = readFileSync(join(churn, "data", "customers.csv"));
    const again = await runCli(["example", "churn", churn, "--rows", "800"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/E_EXISTS/);
    const forced = await runCli(["example", "churn", churn, "--rows", "800", "--force", "--json"]);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(churn, "data", "customers.csv")).equals(first)).toBe(true);
  });

  it("writes fraud and housing projects that run", async () => {
    // One quick candidate each: training every candidate is covered by the train tests.
    for (const [name, candidate] of [
      ["fraud", "logistic"],
      ["housing", "ridge"],
    ] as const) {
      const dir = join(root, name);
      expect((await runCli(["example", name, dir, "--rows", "3000", "--json"])).code).toBe(0);
      const r = await runCli(["run", dir, "--json", "--candidates", candidate]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
    }
  });
});

describe("sluice init", () => {
  it.skipIf(!existsSync(TELCO))("writes a working project for Telco (needs ../shared/data)", async () => {
    const dir = join(root, "telco");
    const r = await runCli(["init", dir, "--data", TELCO, "--target", "Churn", "--json"]);
    expect(r.code).toBe(0);
    const result = r.json<{ task: string; idColumns: string[] }>();
    expect(result).toMatchObject({ task: "classification", idColumns: ["customerID"] });
    const config = parseProjectConfig(readFileSync(join(dir, "sluice.yaml"), "utf8"));
    expect(config.data.positive).toBe("Yes");
    expect(config.schema.TotalCharges).toMatchObject({ type: "number" });
    const run = await runCli(["run", dir, "--json", "--candidates", "logistic"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json<{ features: { inputs: number } }>().features.inputs).toBe(19);
  });

  it.skipIf(!existsSync(HOUSING))(
    "infers regression for a continuous target (needs ../shared/data)",
    async () => {
      const dir = join(root, "housing-init");
      const r = await runCli(["init", dir, "--data", HOUSING, "--target", "median_house_value", "--json"]);
      expect(r.code).toBe(0);
      expect(r.json<{ task: string }>().task).toBe("regression");
      expect((await runCli(["run", dir, "--json", "--candidates", "ridge"])).code).toBe(0);
    },
  );

  it("works on any CSV: semicolons, a text target, blanks, an id column", async () => {
    const csv = join(root, "any.csv");
    const lines = ["id;colour;size;weight;label"];
    for (let i = 0; i < 300; i++)
      lines.push(
        `r${i};${["red", "green", "blue"][i % 3]};${i % 7 === 0 ? "" : (i % 13) + 0.5};${(i * 37) % 101};${i % 3 === 0 || i % 5 === 0 ? "yes" : "no"}`,
      );
    writeFileSync(csv, lines.join("\n") + "\n");
    const dir = join(root, "any");
    const r = await runCli(["init", dir, "--data", csv, "--target", "label", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json<{ idColumns: string[]; task: string }>()).toMatchObject({
      idColumns: ["id"],
      task: "classification",
    });
    const run = await runCli(["run", dir, "--json"]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
  });

  it("quarantines rows without a target instead of stopping every run", async () => {
    const csv = join(root, "holes.csv");
    const lines = ["x,y,label"];
    for (let i = 0; i < 400; i++)
      lines.push(`${i % 17},${(i * 7) % 23},${i % 50 === 0 ? "" : i % 3 === 0 ? "a" : "b"}`);
    writeFileSync(csv, lines.join("\n") + "\n");
    const dir = join(root, "holes");
    expect((await runCli(["init", dir, "--data", csv, "--target", "label", "--json"])).code).toBe(0);
    const config = parseProjectConfig(readFileSync(join(dir, "sluice.yaml"), "utf8"));
    expect(config.schema.label).toMatchObject({ role: "target", nullable: false });
    expect(config.validation.quarantine).toBe("quarantine.csv");
    const run = await runCli(["run", dir, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json<{ data: { rows: number; quarantined: number } }>().data).toMatchObject({
      rows: 400,
      quarantined: 8,
    });
  });

  it("refuses an unknown target with a did-you-mean", async () => {
    const r = await runCli([
      "init",
      join(root, "t2"),
      "--data",
      join(churn, "data", "customers.csv"),
      "--target",
      "chrun",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/did you mean "churn"/);
    expect(existsSync(join(root, "t2", "sluice.yaml"))).toBe(false);
  });
});

describe("sluice schema infer", () => {
  it("prints a schema block that parses as part of a project file", async () => {
    const r = await runCli(["schema", "infer", join(churn, "data", "customers.csv"), "--target", "churn"]);
    expect(r.code).toBe(0);
    const config = parseProjectConfig(
      `name: x\ndata: { path: d.csv, target: churn, task: classification }\n${r.stdout}`,
    );
    expect(config.schema.customer_id).toMatchObject({ type: "string", role: "id" });
    expect(config.schema.churn).toMatchObject({ role: "target" });
  });
});

describe("--help", () => {
  it("teaches: every verb has a description and examples", async () => {
    const top = await runCli(["--help"]);
    expect(top.code).toBe(0);
    for (const verb of ["run", "validate", "features", "check", "init", "example", "schema"])
      expect(top.stdout).toMatch(verb);
    const run = await runCli(["run", "--help"]);
    expect(run.stdout).toMatch(/Examples:/);
    expect(run.stdout).toMatch(/Exit codes:/);
  });
});
