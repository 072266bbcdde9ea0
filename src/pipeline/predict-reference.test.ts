import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Random } from "../data/random.js";
import { SluiceError } from "../errors.js";
import { trainExample, type TrainedChurn } from "../serve/test-utils/model.js";
import { predictFile } from "./predict-batch.js";
import { predictFileReference } from "./test-utils/predict-reference.js";

const root = mkdtempSync(join(tmpdir(), "sluice-predict-ref-"));
let churn: TrainedChurn;
let fraud: TrainedChurn;
let housing: TrainedChurn;

beforeAll(async () => {
  churn = await trainExample("churn", 1500);
  fraud = await trainExample("fraud", 1500);
  housing = await trainExample("housing", 1500);
}, 300_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

let files = 0;

/**
 * Score `content` with the fast scorer and with the reference, and expect the same outputs,
 * byte for byte, and the same counts (or the same refusal of a broken file).
 */
async function expectSameAsReference(
  model: TrainedChurn,
  content: string | Uint8Array,
  options: {
    chunkRows?: number;
    invalidValues?: "reject" | "warn";
    worker?: boolean;
    delimiter?: string;
  } = {},
): Promise<{ rows: number; scored: number; rejected: number }> {
  const dir = join(root, `case${files++}`);
  const input = join(`${dir}.csv`);
  writeFileSync(input, content);
  type Score = (paths: { model: string; input: string; output: string; rejects: string }) => Promise<{
    rows: number;
    scored: number;
    rejected: number;
  }>;
  const run = async (score: Score, name: string) => {
    const output = join(dir, `${name}.csv`);
    const rejects = join(dir, `${name}.rejects.csv`);
    try {
      const r = await score({ model: model.bundle.modelPath, input, output, rejects });
      return {
        counts: { rows: r.rows, scored: r.scored, rejected: r.rejected },
        output: readFileSync(output),
        rejects: readFileSync(rejects),
      };
    } catch (err) {
      if (err instanceof SluiceError) return { error: err.code };
      throw err;
    }
  };
  // The reference has one way of scoring; `worker` is the fast scorer's own choice.
  const { worker: _worker, ...shared } = options;
  const expected = await run((paths) => predictFileReference({ ...paths, ...shared }), "expected");
  const actual = await run((paths) => predictFile({ ...paths, ...options }), "actual");
  if ("error" in expected) {
    expect(actual).toEqual(expected);
    return { rows: 0, scored: 0, rejected: 0 };
  }
  if ("error" in actual)
    throw new Error(`the reference scored the file, predictFile refused it: ${actual.error}`);
  expect(actual.counts).toEqual(expected.counts);
  expect(actual.output.toString("utf8")).toBe(expected.output.toString("utf8"));
  expect(actual.output.equals(expected.output)).toBe(true);
  expect(actual.rejects.toString("utf8")).toBe(expected.rejects.toString("utf8"));
  expect(actual.counts.scored + actual.counts.rejected).toBe(actual.counts.rows);
  return actual.counts;
}

/** A CSV field holding `value`: quoted when it must be, or at random. */
function field(value: string, random: Random, quoteChance: number): string {
  const must = /[",\r\n]/.test(value);
  return must || random.next() < quoteChance ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Odd values a cell may be swapped for: valid in some columns, wrong in others, or odd CSV. */
const ODD = [
  "",
  " ",
  "abc",
  "1e999",
  "-1e999",
  "true",
  "FALSE",
  " 34",
  "34 ",
  "-0",
  "+5",
  "5.",
  ".5e2",
  "34.0",
  "34.5",
  "0x1F",
  "Infinity",
  "٣",
  "Zoë",
  "nörth",
  "north ",
  "x,y",
  'say "hi"',
  "two\nlines",
  "cr\rin",
  "\ttab",
  "9".repeat(25),
  "0.1234567890123456789",
  "C123",
  "C0000001",
  "2026-01-13T18:57:23Z",
  "2026-01-13",
  "1767000000000",
  " 2026-01-13T18:57:23Z ",
  "\u00a0",
];

/** The example's own rows with cells swapped for odd values, fields quoted at random, rows cut or lengthened. */
function mutated(model: TrainedChurn, file: string, seed: number, rows: number): string {
  const random = new Random(seed);
  const lines = readFileSync(join(model.dir, "data", file), "utf8")
    .trimEnd()
    .split("\n");
  const header = lines[0]!.split(",");
  const eol = random.next() < 0.5 ? "\r\n" : "\n";
  const quoteChance = random.next() < 0.5 ? 0 : 0.2;
  const out = [header.join(",")];
  for (let r = 0; r < rows; r++) {
    const cells = lines[1 + random.int(lines.length - 1)]!.split(",");
    for (let j = 0; j < cells.length; j++) if (random.next() < 0.06) cells[j] = ODD[random.int(ODD.length)]!;
    if (random.next() < 0.02) cells.pop();
    if (random.next() < 0.02) cells.push("extra");
    out.push(cells.map((c) => field(c, random, quoteChance)).join(","));
    if (random.next() < 0.01) out.push("");
  }
  return (random.next() < 0.2 ? "\ufeff" : "") + out.join(eol) + (random.next() < 0.8 ? eol : "");
}

describe("predictFile writes the bytes of the per-record reference scorer", () => {
  it("on churn rows with quoting, blanks, CRLF, wrong field counts and out-of-rule values", async () => {
    const header = "customer_id,age,income,gender,region,tenure_months,monthly_charges,total_charges,note";
    const rows = [
      "C000001,34,41000,F,south,3,94.5,280.1,plain",
      '"C000002","34","41000","F","south","3","94.5","280.1","quoted, with a comma"',
      'C000003,34,41000,F,south,3,94.5,280.1,"multi\nline ""note"""',
      "C000004, 34,41000,F,south,3,94.5,280.1,blank before a number",
      "C000005,34,,F,south,3,94.5,,empty nullable numbers",
      "C000006,34,41000,F,south,3,94.5",
      "C000007,34,41000,F,south,3,94.5,280.1,x,too many",
      "C000008,abc,41000,F,south,3,94.5,280.1,",
      "C000009,5,41000,F,nörth,3,94.5,280.1,two errors",
      "C000010,34.5,41000,F,south,3,1e2,280.1,not an integer",
      "C000011,34,1e999,F,south,3,94.5,280.1,infinite",
      "X12,34,41000,F,south,3,94.5,280.1,bad id pattern",
      ",34,41000,F,south,3,94.5,280.1,missing id",
      "C000013,34,41000,F,south,3,94.5,280.1,Zoë — ünïcode",
      "C000014,34,41000, F,south,3,94.5,280.1,blank category",
      "C000015,34,41000,F,south,3,94.5,280.1, edge blanks ",
      "C000016,-0,41000,F,south,3,94.5,280.1,minus zero",
      "",
      "C000017,34,41000,F,south,3,94.5,280.1,after an empty line",
    ];
    for (const eol of ["\n", "\r\n"])
      for (const chunkRows of [1, 3, 8192]) {
        const counts = await expectSameAsReference(churn, [header, ...rows].join(eol) + eol, { chunkRows });
        expect(counts.rows).toBe(18);
        expect(counts.rejected).toBeGreaterThanOrEqual(8);
      }
  });

  it("on random churn rows: every odd value, in every column, quoted or not", async () => {
    for (let seed = 1; seed <= 8; seed++) {
      const counts = await expectSameAsReference(churn, mutated(churn, "customers.csv", seed, 400), {
        chunkRows: 1 + seed * 13,
      });
      expect(counts.rejected).toBeGreaterThan(0);
      expect(counts.scored).toBeGreaterThan(0);
    }
  });

  it("scoring on a worker thread, in small chunks and in whole ones", async () => {
    for (const chunkRows of [7, 8192])
      await expectSameAsReference(churn, mutated(churn, "customers.csv", 10, 500), {
        chunkRows,
        worker: true,
      });
    await expectSameAsReference(housing, mutated(housing, "houses.csv", 11, 300), {
      chunkRows: 40,
      worker: true,
    });
  });

  it("on files separated by semicolons or tabs (the output stays comma-separated)", async () => {
    for (const [seed, delimiter] of [
      [60, ";"],
      [61, "\t"],
    ] as const) {
      const text = mutated(churn, "customers.csv", seed, 300);
      // Swap the delimiter outside quotes only: quoted text keeps its commas.
      const swapped = text
        .split('"')
        .map((part, k) => (k % 2 === 0 ? part.replaceAll(",", delimiter) : part))
        .join('"');
      const counts = await expectSameAsReference(churn, swapped, { delimiter, chunkRows: 50 });
      expect(counts.scored).toBeGreaterThan(100);
    }
  });

  it("with out-of-rule values only warned about", async () => {
    for (let seed = 20; seed <= 22; seed++)
      await expectSameAsReference(churn, mutated(churn, "customers.csv", seed, 300), {
        invalidValues: "warn",
      });
  });

  it("on fraud rows: ISO 8601 and epoch datetimes, a nullable category with a fill value", async () => {
    for (let seed = 30; seed <= 33; seed++)
      await expectSameAsReference(fraud, mutated(fraud, "transactions.csv", seed, 400), { chunkRows: 64 });
  });

  it("on housing rows: regression", async () => {
    for (let seed = 40; seed <= 42; seed++)
      await expectSameAsReference(housing, mutated(housing, "houses.csv", seed, 400), { chunkRows: 50 });
  });

  it("on a file larger than the read buffer, with quoted multi-line fields cut by its refills", async () => {
    const random = new Random(50);
    const lines = readFileSync(join(churn.dir, "data", "customers.csv"), "utf8")
      .trimEnd()
      .split("\n");
    const out = [`${lines[0]!},note`];
    let bytes = 0;
    while (bytes < 6 << 20) {
      const line = `${lines[1 + random.int(lines.length - 1)]!},"${'n, ""q""\r\n'.repeat(1 + random.int(12))}"`;
      out.push(line);
      bytes += line.length + 2;
    }
    const counts = await expectSameAsReference(churn, out.join("\r\n") + "\r\n");
    expect(counts.rows).toBe(out.length - 1);
  }, 120_000);

  it("refuses the files the reference refuses, and reads empty and UTF-16 files as it does", async () => {
    const header = "customer_id,age,income,gender,region,tenure_months,monthly_charges,total_charges";
    for (const bad of ['C1,3"4,1,F,north,1,50,50', 'C1,"34"x,1,F,north,1,50,50', 'C1,"34,1,F,north,1,50,50'])
      await expectSameAsReference(churn, `${header}\nC000001,34,41000,F,south,3,94.5,280.1\n${bad}\n`);
    await expectSameAsReference(churn, "");
    expect(await expectSameAsReference(churn, `${header}\r\n`)).toEqual({ rows: 0, scored: 0, rejected: 0 });
    const utf16 = `${header}\r\nC000001,34,41000,F,"south",3,94.5,280.1\r\nC000002,34,41000,F,sö,3,94.5,280.1\r\n`;
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(utf16, "utf16le")]);
    expect(await expectSameAsReference(churn, bytes)).toEqual({ rows: 2, scored: 1, rejected: 1 });
    await expectSameAsReference(churn, "customer_id,income\nC1,1\n");
  });
});
