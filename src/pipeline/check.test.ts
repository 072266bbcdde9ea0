import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SluiceError } from "../errors.js";
import { loadProject, type Project } from "../project/project.js";
import { checkProject } from "./check.js";

const root = mkdtempSync(join(tmpdir(), "sluice-check-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let made = 0;

/**
 * A project over `rows` rows of id, age (integer), income (number), region (text), note (text
 * holding numbers, and one word) and label; `yaml` is appended to a minimal sluice.yaml.
 */
function project(
  yaml: string,
  label: (i: number) => string = (i) => (i % 4 === 0 ? "yes" : "no"),
  rows = 200,
): Project {
  const dir = join(root, `p${made++}`);
  mkdirSync(dir, { recursive: true });
  const lines = ["id,age,income,region,note,label"];
  for (let i = 0; i < rows; i++)
    lines.push(
      `c${i},${20 + (i % 50)},${1000 + i * 7.5},${["north", "south", "east"][i % 3]},${i === 7 ? "unknown" : i % 9},${label(i)}`,
    );
  writeFileSync(join(dir, "data.csv"), lines.join("\n") + "\n");
  writeFileSync(
    join(dir, "sluice.yaml"),
    `name: t
data: { path: data.csv, target: label, task: classification }
schema:
  id: { type: string, role: id }
  age: { type: integer }
${yaml}`,
  );
  return loadProject(dir);
}

async function problem(p: Project): Promise<SluiceError> {
  const err = await checkProject(p).catch((e: unknown) => e);
  if (!(err instanceof SluiceError)) throw new Error(`expected a SluiceError, got ${String(err)}`);
  return err;
}

describe("checkProject: formulas against the header", () => {
  it("compiles every formula against the file's columns and counts them", async () => {
    const p = project(`features:
  derived: { per_year: "income / (age + 1)" }
  binary: { is_north: 'region == "north"', big: "per_year > 10" }
  binned: { age_band: { column: age, edges: [20, 40, 70] } }
`);
    const r = await checkProject(p);
    expect(r.formulas).toBe(3);
    expect(r.target).toMatchObject({
      column: "label",
      rows: 200,
      missing: 0,
      classes: [
        { name: "no", rows: 150 },
        { name: "yes", rows: 50 },
      ],
    });
  });

  it("reports every formula naming an unknown column at once, each with a caret and a did-you-mean", async () => {
    const p = project(`features:
  derived: { per_year: "incme / (age + 1)" }
  binary: { old: "agee > 60", north: 'regon == "north"' }
`);
    const err = await problem(p);
    expect(err.code).toBe("E_FORMULA");
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatchInlineSnapshot(`
      "3 problems in features:
        features.derived.per_year: unknown column "incme" (did you mean "income"?)
          incme / (age + 1)
          ^^^^^
        features.binary.old: unknown column "agee" (did you mean "age"?)
          agee > 60
          ^^^^
        features.binary.north: unknown column "regon" (did you mean "region"?)
          regon == "north"
          ^^^^^"
    `);
    expect(err.hint).toMatch(/formulas can read the columns age, income, region, note/);
  });

  it("says why a formula cannot read the target or an id column", async () => {
    const err = await problem(
      project(`features: { derived: { leak: "if(label == \\"yes\\", 1, 0) + 0" } }\n`),
    );
    expect(err.message).toMatch(/column "label" cannot be used: it is the target/);
    const id = await problem(project(`features: { binary: { first: 'id == "c0"' } }\n`));
    expect(id.message).toMatch(/column "id" cannot be used: its schema role is id/);
  });

  it("treats a name reaching for code as an unknown column", async () => {
    const err = await problem(project(`features: { derived: { x: "constructor + 1" } }\n`));
    expect(err.code).toBe("E_FORMULA");
    expect(err.message).toMatch(/unknown column "constructor"/);
  });

  it("accepts a text column without a rule as numbers or categories, whichever the formula needs", async () => {
    // region and note have no rule: only their values decide their kind.
    const p = project(`features:
  derived: { twice: "note * 2" }
  binary: { south: 'region == "south"' }
`);
    expect((await checkProject(p)).formulas).toBe(2);
  });

  it("refuses a formula whose types are wrong for sure: arithmetic on a column the schema makes a category", async () => {
    const err = await problem(
      project(`  region: { type: category }\nfeatures: { derived: { r: "region + 1" } }\n`),
    );
    expect(err.code).toBe("E_FORMULA");
    expect(err.message).toMatch(/^features\.derived\.r: /);
  });

  it("refuses a binned column the file lacks and a new feature named like a data column", async () => {
    const err = await problem(
      project(`features:
  derived: { income: "age * 2" }
  binned: { band: { column: aeg, edges: [20, 40] } }
`),
    );
    expect(err.message).toMatch(/features\.derived\.income: "income" is already a column of the data/);
    expect(err.message).toMatch(
      /features\.binned\.band\.column: column "aeg" is not in .*data\.csv \(did you mean "age"\?\)/,
    );
  });
});

describe("checkProject: the target column", () => {
  it("refuses a target with one class, naming it", async () => {
    const err = await problem(project("", () => "yes"));
    expect(err.code).toBe("E_TARGET");
    expect(err.message).toMatch(/target column "label" has a single class, "yes", in all 200 rows/);
  });

  it("refuses a target with no values", async () => {
    const err = await problem(project("", () => ""));
    expect(err.code).toBe("E_TARGET");
    expect(err.message).toMatch(/target column "label" has no values: all 200 rows are missing/);
  });

  it("counts rows without a target, which the run quarantines, and checks the rest", async () => {
    const r = await checkProject(project("", (i) => (i % 10 === 0 ? "" : i % 2 === 0 ? "a" : "b")));
    expect(r.target).toMatchObject({ rows: 200, missing: 20 });
  });

  it("refuses folds a rare class cannot fill, with the cv.folds that works", async () => {
    const err = await problem(project("", (i) => (i < 5 ? "rare" : i % 2 === 0 ? "a" : "b")));
    expect(err.code).toBe("E_SPLIT");
    expect(err.message).toMatch(/class "rare" of target "label" has only 4 rows in train \+ validation/);
    expect(err.hint).toMatch(/cv\.folds: 4/);
  });

  it("refuses a regression target that holds text", async () => {
    const p = project("", () => "high");
    const text = readFileSync(p.file, "utf8").replace("task: classification", "task: regression");
    writeFileSync(p.file, text);
    const err = await problem(loadProject(p.dir));
    expect(err.code).toBe("E_TARGET");
    expect(err.message).toMatch(/the task is regression, which needs numbers/);
  });
});
