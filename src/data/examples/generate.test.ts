import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isSluiceError } from "../../errors.js";
import { generateChurnRows } from "./churn.js";
import { CHUNK_ROWS } from "./draw.js";
import { generateFraudRows } from "./fraud.js";
import { generateHousingRows } from "./housing.js";
import { EXAMPLES, generateExampleCsv, type ExampleName } from "./index.js";
import { numbers, parseSimpleCsv } from "./test-utils/csv.js";

function csv(name: ExampleName, rows: number, seed = 42): string {
  return [...generateExampleCsv(name, { rows, seed })].join("");
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

describe.each(EXAMPLES)("%s data", (name) => {
  it("is byte-identical for the same seed", () => {
    expect(sha256(csv(name, 3000, 7))).toBe(sha256(csv(name, 3000, 7)));
  });

  it("differs for another seed", () => {
    const a = parseSimpleCsv(csv(name, 3000, 7));
    const b = parseSimpleCsv(csv(name, 3000, 8));
    // Not just somewhere: most rows of the first value column differ.
    const column = a.header[1]!;
    const av = a.columns.get(column)!;
    const bv = b.columns.get(column)!;
    let same = 0;
    for (let i = 0; i < av.length; i++) if (av[i] === bv[i]) same++;
    expect(same / av.length).toBeLessThan(0.5);
  });

  it.each([1, 17, CHUNK_ROWS, CHUNK_ROWS + 1, 10_000])("writes exactly %i rows after the header", (rows) => {
    const text = csv(name, rows);
    expect(text.split("\n").length - 2).toBe(rows);
    expect(parseSimpleCsv(text).rows).toBe(rows);
  });

  it("streams in chunks of bounded size: the header, then one chunk per few thousand rows", () => {
    const chunks = [...generateExampleCsv(name, { rows: 3 * CHUNK_ROWS + 5 })];
    expect(chunks.length).toBe(1 + 4);
    expect(chunks[0]!.split("\n").length).toBe(2);
    for (const c of chunks.slice(1)) expect(c.length).toBeLessThan(CHUNK_ROWS * 200);
  });

  // Fraud timestamps spread over the whole quarter whatever the row count, so a shorter fraud
  // file is not a prefix of a longer one.
  it.skipIf(name === "fraud")(
    "starts a longer file with the rows of a shorter one (one sequence of draws)",
    () => {
      const small = csv(name, CHUNK_ROWS + 3);
      const large = csv(name, 2 * CHUNK_ROWS);
      expect(large.startsWith(small)).toBe(true);
    },
  );

  it("refuses a bad row count before yielding anything", () => {
    try {
      generateExampleCsv(name, { rows: 0 });
      expect.unreachable();
    } catch (err) {
      expect(isSluiceError(err, "E_USAGE")).toBe(true);
    }
  });
});

describe("generated columns match the written text", () => {
  it("churn: the rows behind the latent probabilities are the rows in the file", () => {
    const file = parseSimpleCsv(csv("churn", 5000, 3));
    const rows = generateChurnRows(5000, 3);
    expect(numbers(file, "tenure_months")).toEqual(rows.tenure);
    expect(numbers(file, "monthly_charges")).toEqual(rows.monthly);
    expect(numbers(file, "income")).toEqual(rows.income);
    expect(Float64Array.from(numbers(file, "churn"))).toEqual(Float64Array.from(rows.churn));
  });

  it("fraud: labels and amounts in the file are the generated ones", () => {
    const file = parseSimpleCsv(csv("fraud", 5000, 3));
    const rows = generateFraudRows(5000, 3);
    expect(numbers(file, "amount")).toEqual(rows.amount);
    expect(Float64Array.from(numbers(file, "is_fraud"))).toEqual(Float64Array.from(rows.fraud));
  });

  it("housing: prices and blank lots in the file are the generated ones", () => {
    const file = parseSimpleCsv(csv("housing", 5000, 3));
    const rows = generateHousingRows(5000, 3);
    expect(numbers(file, "price")).toEqual(rows.price);
    expect(numbers(file, "lot_size")).toEqual(rows.lotSize);
  });
});

describe("fixed text", () => {
  it("keeps the first rows of the default churn data stable across versions", () => {
    // A change here changes every user's example data: do it on purpose, and say so.
    expect(csv("churn", 3).split("\n").slice(0, 4)).toMatchInlineSnapshot(`
      [
        "customer_id,age,income,gender,region,tenure_months,monthly_charges,total_charges,churn",
        "C000001,56,52878,F,west,64,21.12,1374.90,0",
        "C000002,60,34376,M,south,12,97.40,1161.68,0",
        "C000003,68,143310,M,east,34,61.83,2157.34,0",
      ]
    `);
  });

  it("writes fraud timestamps as sorted ISO 8601 UTC seconds over 2026-01-01..2026-03-31", () => {
    const ts = parseSimpleCsv(csv("fraud", 20_000)).columns.get("timestamp")!;
    expect(ts.every((t) => /^2026-0[1-3]-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(t))).toBe(true);
    for (let i = 1; i < ts.length; i++) expect(ts[i]! >= ts[i - 1]!).toBe(true);
    expect(ts[0]!.startsWith("2026-01-01")).toBe(true);
    expect(ts.at(-1)!.startsWith("2026-03-31")).toBe(true);
  });
});
