import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SluiceError, type ErrorCode } from "../errors.js";
import { ColumnRule } from "../project/schema.js";
import { readFrame, readHeader } from "./read.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sluice-read-errors-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** The SluiceError a promise rejects with, checked for its code and message parts. */
async function failure(
  promise: Promise<unknown>,
  code: ErrorCode,
  ...parts: (string | RegExp)[]
): Promise<SluiceError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SluiceError);
  const e = err as SluiceError;
  expect(e.code, e.message).toBe(code);
  for (const p of parts) expect(e.message).toMatch(p);
  return e;
}

describe("readFrame refuses bad input with errors that name the file", () => {
  it("says a missing file does not exist, with a did-you-mean over its folder", async () => {
    write("customers.csv", "a\n1\n");
    const path = join(dir, "custmers.csv");
    const e = await failure(readFrame(path), "E_FILE_NOT_FOUND", path, 'did you mean "customers.csv"');
    expect(e.hint).toMatch(/data\.path/);
  });

  it("says so when the file's folder does not exist either", async () => {
    await failure(
      readFrame(join(dir, "nowhere", "x.csv")),
      "E_FILE_NOT_FOUND",
      "nowhere",
      /folder .* does not exist/,
    );
  });

  it("refuses a folder, pointing at the data files inside it", async () => {
    const folder = join(dir, "folder.csv");
    mkdirSync(folder);
    writeFileSync(join(folder, "part-1.csv"), "a\n1\n");
    const e = await failure(readFrame(folder), "E_DATA_UNREADABLE", folder, "is a folder");
    expect(e.hint).toMatch(/part-1\.csv/);
  });

  it("refuses an empty file", async () => {
    const path = write("empty.csv", "");
    await failure(readFrame(path), "E_DATA_UNREADABLE", path, "is empty");
  });

  it("refuses a file of blank lines as empty", async () => {
    const path = write("blank.csv", "\n\n  \n");
    await failure(readFrame(path), "E_DATA_UNREADABLE", path, "is empty");
  });

  it("refuses a header without data rows, naming the columns", async () => {
    const path = write("header-only.csv", "id,age,income\n");
    await failure(
      readFrame(path),
      "E_DATA_UNREADABLE",
      path,
      "has a header but no data rows",
      "id, age, income",
    );
  });

  it("turns a row with too many fields into a message with its line number", async () => {
    const path = write("ragged.csv", "a,b\n1,2\n3,4,5,6\n5,6\n");
    const e = await failure(readFrame(path), "E_DATA_UNREADABLE", path, "is not valid CSV", "line 3");
    expect(e.hint).toMatch(/delimiter/);
    expect(e.hint).toMatch(/data\.delimiter/);
  });

  it("finds a broken row far past the sniffing sample", async () => {
    const lines = ["a,b"];
    for (let i = 0; i < 30000; i++) lines.push(`${i},${i % 7}`);
    lines.push("1,2,3", "4,5");
    const path = write("late-ragged.csv", lines.join("\n") + "\n");
    await failure(readFrame(path), "E_DATA_UNREADABLE", path, "line 30002");
  });

  it("reports an unterminated quote with its line", async () => {
    const lines = ["a,b"];
    for (let i = 0; i < 100; i++) lines.push(`${i},"q${i}"`);
    lines.push('7,"x"y', "8,z");
    const path = write("quote.csv", lines.join("\n") + "\n");
    await failure(readFrame(path), "E_DATA_UNREADABLE", path, "line 102", /quote/);
  });

  it("refuses a corrupt Parquet file", async () => {
    const path = write("corrupt.parquet", "PAR1 this is not really parquet at all");
    const e = await failure(readFrame(path), "E_DATA_UNREADABLE", path, "is not a readable Parquet file");
    expect(e.hint).toMatch(/truncated/);
    await failure(readHeader(path), "E_DATA_UNREADABLE", path);
  });

  it("refuses an unknown extension whose content is neither CSV nor Parquet", async () => {
    const path = write("book.xlsx", new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 8, 0, 0]));
    const e = await failure(readFrame(path), "E_DATA_UNREADABLE", path, '".xlsx"');
    expect(e.hint).toMatch(/save the sheet as CSV/);
  });

  it("reads an unknown extension holding CSV text as CSV", async () => {
    const frame = await readFrame(write("export.dat", "a,b\n1,x\n2,y\n"));
    expect(frame.names).toEqual(["a", "b"]);
  });

  it("refuses text that is not UTF-8", async () => {
    const path = write(
      "latin1.csv",
      Buffer.concat([Buffer.from("name,n\n"), Buffer.from([0x63, 0x61, 0x66, 0xe9]), Buffer.from(",1\n")]),
    );
    const e = await failure(readFrame(path), "E_DATA_UNREADABLE", path, "is not UTF-8");
    expect(e.hint).toMatch(/UTF-8/);
  });

  it("names a column asked for that the file does not have, with a did-you-mean", async () => {
    const path = write("cols.csv", "income,age\n1,2\n");
    const e = await failure(
      readFrame(path, { columns: ["age", "incme"] }),
      "E_COLUMN_NOT_FOUND",
      '"incme"',
      path,
      'did you mean "income"',
    );
    expect(e.details.available).toEqual(["income", "age"]);
  });

  it("refuses a strftime format DuckDB cannot use as a schema mistake", async () => {
    const path = write("dates.csv", "d\n2024-01-01\n");
    await failure(
      readFrame(path, { schema: { d: ColumnRule.parse({ type: "datetime", format: "%Q" }) } }),
      "E_CONFIG",
      "schema.d.format",
    );
  });

  it("refuses a bad sampleRows", async () => {
    await failure(readFrame(write("s.csv", "a\n1\n"), { sampleRows: 0 }), "E_USAGE", "sampleRows");
  });
});

describe("readFrame memory budget", () => {
  it("refuses a file whose rows cannot fit, before loading them, naming size, estimate and budget", async () => {
    const lines = ["a,b,c"];
    for (let i = 0; i < 1000; i++) lines.push(`${i},${i * 2},${i * 3}`);
    const path = write("budget.csv", lines.join("\n") + "\n");
    const e = await failure(
      readFrame(path, { maxFrameBytes: 1000 }),
      "E_DATA_TOO_LARGE",
      path,
      /on disk/,
      "1,000 rows",
      "at least 23.4 KiB",
      "budget of 1000 bytes",
    );
    expect(e.hint).toMatch(/data\.sample_rows/);
    expect(e.hint).toMatch(/SLUICE_MAX_FRAME_BYTES/);
    expect(e.details).toMatchObject({ rows: 1000, columns: 3, estimate: 24000, budget: 1000 });
    // A sample small enough fits the same budget.
    expect((await readFrame(path, { maxFrameBytes: 1000, sampleRows: 20 })).nRows).toBe(20);
  });

  it("reads the whole file when a sample asks for more rows than the budget holds but the file has fewer", async () => {
    const lines = ["a,b"];
    for (let i = 0; i < 100; i++) lines.push(`${i},${i * 2}`);
    const path = write("small-for-sample.csv", lines.join("\n") + "\n");
    // 1,000,000 rows × 16 bytes would not fit 4,000 bytes; the file's 100 rows (1,600 bytes) do.
    const frame = await readFrame(path, { maxFrameBytes: 4000, sampleRows: 1_000_000 });
    expect(frame.nRows).toBe(100);
  });

  it("refuses a sample the budget cannot hold when the file has that many rows, naming the rows", async () => {
    const lines = ["a,b,c"];
    for (let i = 0; i < 1000; i++) lines.push(`${i},${i * 2},${i * 3}`);
    const path = write("sample-budget.csv", lines.join("\n") + "\n");
    const e = await failure(
      readFrame(path, { maxFrameBytes: 1000, sampleRows: 500 }),
      "E_DATA_TOO_LARGE",
      "500 rows",
    );
    expect(e.details).toMatchObject({ rows: 500, budget: 1000 });
  });

  it("refuses once text columns turn out to need more than the budget", async () => {
    const lines = ["id"];
    for (let i = 0; i < 2000; i++) lines.push(`user-${i}`);
    const path = write("text-budget.csv", lines.join("\n") + "\n");
    // 2,000 rows: at least 16,000 bytes as codes, about 96,000 as text.
    const e = await failure(
      readFrame(path, { maxFrameBytes: 50_000 }),
      "E_DATA_TOO_LARGE",
      path,
      "about 93.8 KiB",
    );
    expect(e.details).toMatchObject({ estimate: 96000, atLeast: false });
    expect((await readFrame(path, { maxFrameBytes: 100_000 })).nRows).toBe(2000);
  });

  it("leaves no DuckDB spill folder behind after a refusal", async () => {
    const before = readdirSync(tmpdir()).filter((n) => n.startsWith("sluice-duckdb-")).length;
    await failure(readFrame(write("b2.csv", "a\n1\n2\n3\n"), { maxFrameBytes: 8 }), "E_DATA_TOO_LARGE");
    const after = readdirSync(tmpdir()).filter((n) => n.startsWith("sluice-duckdb-")).length;
    expect(after).toBeLessThanOrEqual(before);
  });
});
