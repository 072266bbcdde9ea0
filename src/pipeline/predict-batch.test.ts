import {
  createWriteStream,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateExampleCsv } from "../data/examples/index.js";
import { featureMatrix } from "../features/matrix.js";
import { outputNames, transformRecord } from "../features/transform.js";
import { trainChurn, type TrainedChurn } from "../serve/test-utils/model.js";
import { openStore } from "../track/open.js";
import { expectSluiceError } from "../track/store.contract.js";
import { predictFile, type PredictChunkInfo } from "./predict-batch.js";

const root = mkdtempSync(join(tmpdir(), "sluice-predict-"));
let churn: TrainedChurn;

beforeAll(async () => {
  churn = await trainChurn();
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const NUMERIC = new Set(["age", "income", "tenure_months", "monthly_charges", "total_charges"]);

/** A record from CSV fields as a client would send it: numbers for numeric columns, text otherwise. */
function recordOf(row: Record<string, string>): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) record[k] = v === "" ? null : NUMERIC.has(k) ? Number(v) : v;
  return record;
}

function readCsv(path: string): Record<string, string>[] {
  return parse<Record<string, string>>(readFileSync(path, "utf8"), { columns: true });
}

function writeLines(path: string, lines: readonly string[]): void {
  writeFileSync(path, lines.join("\n") + "\n");
}

describe("predictFile", () => {
  it("scores every valid row with the bits of transformRecord + predictOne and of predictProba on the same rows", async () => {
    const data = readFileSync(join(churn.dir, "data", "customers.csv"), "utf8")
      .split("\n")
      .slice(0, 601);
    const input = join(root, "in.csv");
    writeLines(input, data);
    const output = join(root, "scored.csv");
    const result = await predictFile({ model: churn.bundle.modelPath, input, output, chunkRows: 64 });
    expect(result.rows).toBe(600);
    expect(result.scored + result.rejected).toBe(600);
    expect(result.scored).toBeGreaterThan(500);
    expect(result.model.version).toBeNull();

    const scored = readCsv(output);
    expect(scored).toHaveLength(result.scored);
    expect(Object.keys(scored[0]!)).toEqual([
      ...data[0]!.split(","),
      "prediction",
      "probability",
      "confidence",
      "risk",
    ]);
    const { model, features } = churn.bundle;
    const positive = model.classes!.indexOf("1");
    const names = outputNames(features);
    const X = featureMatrix(scored.length, names);
    const row = new Float64Array(names.length);
    scored.forEach((s, i) => {
      transformRecord(features, recordOf(s), row);
      names.forEach((_, j) => (X.data[j * scored.length + i] = row[j]!));
      const p = model.predictOne(row);
      expect(Object.is(Number(s.probability), p[positive]!), `row ${i}`).toBe(true);
      expect(Number(s.confidence)).toBe(Math.max(p[0]!, p[1]!));
      expect(s.prediction).toBe(model.classes![p[1]! > p[0]! ? 1 : 0]);
      const prob = p[positive]!;
      expect(s.risk).toBe(prob >= 0.6 ? "high" : prob >= 0.3 ? "medium" : "low");
    });
    const batch = model.predictProba(X);
    scored.forEach((s, i) => expect(Object.is(Number(s.probability), batch[i * 2 + positive]!)).toBe(true));
    // The default reject file is written beside the output, with the header and its two columns.
    expect(readFileSync(`${output}.rejects.csv`, "utf8").split("\n")[0]).toBe(`${data[0]!},_row,_reason`);
  });

  it("sends rows that fail validation to the reject file with their row number and reason", async () => {
    const input = join(root, "bad.csv");
    const header = "customer_id,age,income,gender,region,tenure_months,monthly_charges,total_charges";
    writeLines(input, [
      header,
      "C000001,34,41000,F,south,3,94.5,280.1",
      "C000002,abc,41000,F,south,3,94.5,280.1",
      "C000003,5,41000,F,south,3,94.5,280.1",
      "C000004,34,41000,F,mars,3,94.5,280.1",
      "C000005,34,41000",
      'C000006,34,41000,M,"north",10,50,500',
      "C000007,,41000,M,north,10,50,500",
    ]);
    const output = join(root, "bad-scored.csv");
    const rejects = join(root, "bad-rejects.csv");
    const result = await predictFile({ model: churn.bundle.modelPath, input, output, rejects });
    expect(result).toMatchObject({ rows: 7, scored: 2, rejected: 5 });
    expect(readCsv(output).map((r) => r.customer_id)).toEqual(["C000001", "C000006"]);
    const bad = readCsv(rejects);
    expect(bad.map((r) => [r.customer_id, r._row])).toEqual([
      ["C000002", "2"],
      ["C000003", "3"],
      ["C000004", "4"],
      ["C000005", "5"],
      ["C000007", "7"],
    ]);
    expect(bad[0]!._reason).toContain('field "age": expected a number, got "abc"');
    expect(bad[1]!._reason).toContain("≥ 18");
    expect(bad[2]!._reason).toContain("region");
    expect(bad[3]!._reason).toBe("the row has 3 fields, the header has 8");
    expect(bad[4]!._reason).toContain('"age" is missing');

    const lenient = await predictFile({
      model: churn.bundle.modelPath,
      input,
      output,
      rejects,
      invalidValues: "warn",
    });
    expect(lenient).toMatchObject({ rows: 7, scored: 4, rejected: 3 });
  });

  it("resolves a registry reference through the store and reports the version", async () => {
    const store = await openStore(undefined, { projectDir: churn.dir });
    try {
      const input = join(root, "ref.csv");
      writeLines(
        input,
        readFileSync(join(churn.dir, "data", "customers.csv"), "utf8")
          .split("\n")
          .slice(0, 11),
      );
      const result = await predictFile({
        model: "models:/churn_predictor/1",
        store,
        input,
        output: join(root, "ref-out.csv"),
      });
      expect(result.model).toEqual({
        source: "models:/churn_predictor/1",
        name: "churn_predictor",
        version: 1,
      });
      expect(result.rows).toBe(10);
    } finally {
      await store.close();
    }
  });

  it("refuses a file without a model input column and leaves no output behind", async () => {
    const input = join(root, "noage.csv");
    writeLines(input, [
      "customer_id,income,gender,region,tenure_months,monthly_charges,total_charges",
      "C1,1,F,north,1,50,50",
    ]);
    const output = join(root, "noage-out.csv");
    await expectSluiceError(
      predictFile({ model: churn.bundle.modelPath, input, output }),
      "E_COLUMN_NOT_FOUND",
      '"age"',
    );
    expect(existsSync(output)).toBe(false);
    expect(existsSync(`${output}.rejects.csv`)).toBe(false);
    await expectSluiceError(
      predictFile({ model: churn.bundle.modelPath, input: join(root, "nope.csv"), output }),
      "E_FILE_NOT_FOUND",
      "nope.csv",
    );
  });

  it("reads quoted fields with commas, quotes and line breaks across chunk boundaries, with CRLF line ends", async () => {
    const input = join(root, "quoted.csv");
    const header = "customer_id,age,income,gender,region,tenure_months,monthly_charges,total_charges,note";
    const rows = Array.from({ length: 20 }, (_, i) => {
      const id = `C${String(i + 1).padStart(6, "0")}`;
      const note = `"row ${i}, says ""hi""\r\nand goes on"`;
      return i % 2 === 0
        ? `"${id}",34,"41000",F,"south",3,94.5,280.1,${note}`
        : `${id},50,52000,M,north,12,60,700,${note}`;
    });
    writeFileSync(input, [header, ...rows].join("\r\n") + "\r\n");
    const output = join(root, "quoted-out.csv");
    const result = await predictFile({ model: churn.bundle.modelPath, input, output, chunkRows: 3 });
    expect(result).toMatchObject({ rows: 20, scored: 20, rejected: 0 });
    const scored = readCsv(output);
    expect(scored.map((r) => r.note)).toEqual(rows.map((_, i) => `row ${i}, says "hi"\r\nand goes on`));
    // Quoting is written as formatCsvField writes it: only where a field needs it.
    const text = readFileSync(output, "utf8");
    expect(text).toContain('\nC000001,34,41000,F,south,3,94.5,280.1,"row 0, says ""hi""\r\nand goes on",');
    // The same rows in one chunk give the same bytes.
    const whole = join(root, "quoted-whole.csv");
    await predictFile({ model: churn.bundle.modelPath, input, output: whole });
    expect(readFileSync(whole, "utf8")).toBe(text);
  });

  it("sends a row with too few or too many fields to the reject file with its reason, padded or cut to the header", async () => {
    const input = join(root, "width.csv");
    writeLines(input, [
      "customer_id,age,income,gender,region,tenure_months,monthly_charges,total_charges",
      "C000001,34,41000,F,south,3,94.5,280.1",
      "C000002,34,41000",
      "C000003,34,41000,F,south,3,94.5,280.1,extra,fields",
      "C000004,34,41000,F,south,3,94.5,280.1",
    ]);
    const output = join(root, "width-out.csv");
    const rejects = join(root, "width-rejects.csv");
    const result = await predictFile({ model: churn.bundle.modelPath, input, output, rejects, chunkRows: 2 });
    expect(result).toMatchObject({ rows: 4, scored: 2, rejected: 2 });
    expect(readFileSync(rejects, "utf8").split("\n").slice(1)).toEqual([
      'C000002,34,41000,,,,,,2,"the row has 3 fields, the header has 8"',
      'C000003,34,41000,F,south,3,94.5,280.1,3,"the row has 10 fields, the header has 8"',
      "",
    ]);
  });

  it("streams a file larger than its read buffer in bounded chunks, accounting for every row", async () => {
    const input = join(root, "big.csv");
    const stream = createWriteStream(input);
    for (const chunk of generateExampleCsv("churn", { rows: 100_000, seed: 7 })) stream.write(chunk);
    await new Promise<void>((resolve, reject) =>
      stream.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
    const output = join(root, "big-out.csv");
    const chunks: PredictChunkInfo[] = [];
    const result = await predictFile({
      model: churn.bundle.modelPath,
      input,
      output,
      chunkRows: 5000,
      onChunk: (c) => chunks.push(c),
    });
    expect(result.rows).toBe(100_000);
    expect(result.scored + result.rejected).toBe(100_000);
    const lines = (path: string) => readFileSync(path, "utf8").split("\n").length - 2;
    expect(lines(output)).toBe(result.scored);
    expect(lines(result.rejects)).toBe(result.rejected);
    // Memory is bounded by the chunk and the buffer, not the file: no chunk holds more rows than
    // asked, and the buffer keeps its size while the file is larger than it.
    expect(chunks.reduce((sum, c) => sum + c.rows, 0)).toBe(100_000);
    expect(Math.max(...chunks.map((c) => c.rows))).toBe(5000);
    const buffers = new Set(chunks.map((c) => c.bufferBytes));
    expect(buffers.size).toBe(1);
    expect(statSync(input).size).toBeGreaterThan([...buffers][0]!);
  }, 120_000);
});
