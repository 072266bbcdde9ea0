import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, describe, expect, it } from "vitest";
import { SluiceError } from "../errors.js";
import { CsvFileReader } from "./csv-stream-reader.js";
import {
  CsvRowBlock,
  CsvTokenizer,
  FIELD_ESCAPED,
  FIELD_NON_ASCII,
  FIELD_QUOTED,
  FIELD_SPECIAL,
  fieldText,
} from "./csv-stream.js";
import { parseDecimal, parseDigits } from "./csv-stream-number.js";
import { ByteStringTable } from "./csv-stream-strings.js";
import { Random } from "./random.js";

const root = mkdtempSync(join(tmpdir(), "sluice-csv-stream-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let files = 0;
function file(content: string | Uint8Array): string {
  const path = join(root, `f${files++}.csv`);
  writeFileSync(path, content);
  return path;
}

interface Tokenized {
  records: string[][];
  /** Per record: the FIELD_* bits of its fields, or-ed. */
  rowFlags: number[];
  /** The largest buffer the reader used. */
  bufferBytes: number;
}

/**
 * Read a file the way `predictFile` does: refill when less than half the buffer is left or the
 * tokenizer needs more, take blocks of `rows` rows.
 */
function tokenizeFile(
  path: string,
  options: { bufferBytes?: number; rows?: number; width?: number; delimiter?: string } = {},
): Tokenized {
  const reader = new CsvFileReader(path, { bufferBytes: options.bufferBytes ?? 16 });
  const tokenizer = new CsvTokenizer({ delimiter: options.delimiter ?? ",", source: path });
  const width = options.width ?? 64;
  const block = new CsvRowBlock(options.rows ?? 3, width);
  const records: string[][] = [];
  const rowFlags: number[] = [];
  let bufferBytes = 0;
  try {
    for (;;) {
      if (!reader.eof && reader.end - reader.start < reader.buf.length >>> 1) reader.fill();
      reader.start = tokenizer.tokenize(reader.buf, reader.start, reader.end, reader.eof, block);
      for (let i = 0; i < block.n; i++) {
        const count = Math.min(block.fields[i]!, width);
        const record: string[] = [];
        for (let j = 0; j < count; j++) {
          const k = j * block.capacity + i;
          record.push(fieldText(reader.buf, block.start[k]!, block.end[k]!, block.flags[k]!));
        }
        records.push(record);
        rowFlags.push(block.rowFlags[i]!);
      }
      block.n = 0;
      bufferBytes = Math.max(bufferBytes, reader.buf.length);
      if (tokenizer.needMore) reader.fill();
      else if (reader.eof && reader.start >= reader.end) break;
    }
  } finally {
    reader.close();
  }
  return { records, rowFlags, bufferBytes };
}

/** What csv-parse makes of the same bytes: the records, or "error". */
function csvParse(content: string | Uint8Array, delimiter = ","): string[][] | "error" {
  try {
    const records: string[][] = parse(Buffer.from(content), {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      delimiter,
    });
    return records;
  } catch {
    return "error";
  }
}

function tokenizeOrError(path: string, options: Parameters<typeof tokenizeFile>[1]): string[][] | "error" {
  try {
    return tokenizeFile(path, options).records;
  } catch (err) {
    if (err instanceof SluiceError && err.code === "E_DATA_UNREADABLE") return "error";
    throw err;
  }
}

describe("CsvTokenizer", () => {
  it("reads the same records as csv-parse from random text full of quotes, delimiters and line breaks, whatever the buffer size", () => {
    const pieces = [
      "a",
      "bc",
      "7",
      "-1.5",
      ",",
      ",",
      '"',
      '""',
      "\n",
      "\r\n",
      "\r",
      " ",
      "é",
      "€",
      "\u0000",
      ";",
      "\t",
      "",
    ];
    const rng = new Random(11);
    const random = () => rng.next();
    let errors = 0;
    for (let trial = 0; trial < 600; trial++) {
      let text = "";
      const len = 1 + Math.floor(random() * 40);
      for (let i = 0; i < len; i++) text += pieces[Math.floor(random() * pieces.length)]!;
      // Mostly well-formed quoting: quote whole fields, so most trials compare records, not errors.
      if (random() < 0.6) text = text.replaceAll('"', "");
      if (random() < 0.5)
        text = text
          .split(",")
          .map((f) => (random() < 0.3 ? `"${f.replaceAll('"', '""')}"` : f))
          .join(",");
      if (random() < 0.1) text = `\ufeff${text}`;
      const delimiter = random() < 0.2 ? ";" : ",";
      const expected = csvParse(text, delimiter);
      if (expected === "error") errors++;
      const path = file(text);
      for (const bufferBytes of [16, 17, 64, 4096])
        expect(
          tokenizeOrError(path, { bufferBytes, rows: 1 + (trial % 4), delimiter }),
          `${JSON.stringify(text)} with a ${bufferBytes}-byte buffer`,
        ).toEqual(expected);
    }
    // Both outcomes are exercised.
    expect(errors).toBeGreaterThan(20);
    expect(errors).toBeLessThan(400);
  });

  it("reads quoted fields with commas, doubled quotes and line breaks that span buffer refills", () => {
    const long = "x".repeat(50);
    const text = `id,note\n1,"${long}, with ""quotes"" and\na line break"\n2,"short"\n3,plain\n`;
    const { records, bufferBytes } = tokenizeFile(file(text), { bufferBytes: 16 });
    expect(records).toEqual([
      ["id", "note"],
      ["1", `${long}, with "quotes" and\na line break`],
      ["2", "short"],
      ["3", "plain"],
    ]);
    // The buffer grew to hold the long row, and no further.
    expect(bufferBytes).toBeLessThanOrEqual(128);
  });

  it("takes the first line break as the record delimiter: CRLF, LF or CR", () => {
    expect(tokenizeFile(file("a,b\r\n1,2\r\n3,4")).records).toEqual([
      ["a", "b"],
      ["1", "2"],
      ["3", "4"],
    ]);
    expect(tokenizeFile(file("a,b\r1,2\r")).records).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
    // In an LF file, a CR before the LF stays in the last field (as csv-parse reads it).
    expect(tokenizeFile(file("a,b\n1,2\r\n")).records).toEqual([
      ["a", "b"],
      ["1", "2\r"],
    ]);
    // A CRLF split across two reads is one delimiter.
    const text = "ab,c\r\n" + "1234567,8\r\n9,10\r\n";
    for (const bufferBytes of [16, 17, 18, 19]) {
      expect(tokenizeFile(file(text), { bufferBytes }).records).toEqual([
        ["ab", "c"],
        ["1234567", "8"],
        ["9", "10"],
      ]);
    }
  });

  it("skips empty lines without counting them and keeps a last line without a line break", () => {
    expect(tokenizeFile(file("a,b\n\n1,2\n\r\n\n3,4")).records).toEqual([
      ["a", "b"],
      ["1", "2"],
      ["\r"],
      ["3", "4"],
    ]);
    expect(tokenizeFile(file('a\n""\n')).records).toEqual([["a"], [""]]);
    expect(tokenizeFile(file("")).records).toEqual([]);
  });

  it("skips a UTF-8 byte order mark and reads a UTF-16LE file as text", () => {
    expect(tokenizeFile(file("\ufeffname,x\nZoë,1\n")).records).toEqual([
      ["name", "x"],
      ["Zoë", "1"],
    ]);
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('name,x\r\n"Zoë, 🙂",1\r\n', "utf16le"),
    ]);
    const expected = csvParse(utf16);
    expect(expected).toEqual([
      ["name", "x"],
      ["Zoë, 🙂", "1"],
    ]);
    expect(tokenizeFile(file(utf16), { bufferBytes: 16 }).records).toEqual(expected);
  });

  it("flags fields whose bytes are not their CSV text as written back", () => {
    const { rowFlags } = tokenizeFile(
      file('a,b\nplain,1\n"quoted",1\n"a ""q""",1\nZoë,1\n" x",1\n"a,b",1\n'),
    );
    expect(rowFlags).toEqual([
      0,
      0,
      FIELD_QUOTED,
      FIELD_QUOTED | FIELD_ESCAPED,
      FIELD_NON_ASCII,
      FIELD_QUOTED | FIELD_SPECIAL,
      FIELD_QUOTED | FIELD_SPECIAL,
    ]);
  });

  it("stores the first fields of a long row and counts the rest", () => {
    const reader = new CsvFileReader(file("a,b,c,d\n"));
    const block = new CsvRowBlock(4, 2);
    reader.fill();
    new CsvTokenizer().tokenize(reader.buf, reader.start, reader.end, reader.eof, block);
    reader.close();
    expect([block.n, block.fields[0]]).toEqual([1, 4]);
    expect(fieldText(reader.buf, block.start[block.capacity]!, block.end[block.capacity]!, 0)).toBe("b");
  });

  it("refuses broken quoting with E_DATA_UNREADABLE naming the line", () => {
    const cases: [string, string][] = [
      ['a,b\n1,2\n3,x"y\n', "line 3: a quote inside an unquoted field"],
      ['a,b\n"1"x,2\n', 'line 2: a closing quote is followed by "x"'],
      ['a,b\n"multi\nline",2\n5,"open\n', "line 4: a quoted field that opens here is not closed"],
    ];
    for (const [text, message] of cases) {
      expect(csvParse(text)).toBe("error");
      let caught: unknown;
      try {
        tokenizeFile(file(text));
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(SluiceError);
      expect((caught as SluiceError).code).toBe("E_DATA_UNREADABLE");
      expect((caught as SluiceError).message).toContain(message);
    }
  });

  it("refuses a delimiter that is not one ASCII character", () => {
    for (const d of ['"', "\n", ";;", "é"])
      expect(() => new CsvTokenizer({ delimiter: d })).toThrow(/delimiter/);
  });
});

describe("parseDecimal and parseDigits", () => {
  const bytes = (s: string) => Buffer.from(s, "latin1");
  const decimal = (s: string) => parseDecimal(bytes(s), 0, s.length);
  const NUMBER_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

  it("equal Number(text) bit for bit on plain decimals, and NaN on anything else", () => {
    const rng = new Random(5);
    const random = () => rng.next();
    const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join("");
    const samples = [
      "0",
      "-0",
      "+0",
      "1.",
      ".5",
      "-.5e-3",
      "1e22",
      "1e23",
      "9007199254740993",
      "123456789012345678",
    ];
    samples.push(
      "0.1",
      "0.30000000000000004",
      "1e-400",
      "1e400",
      "-0.000",
      "00012.50",
      "4.9e-324",
      "1.7976931348623157e308",
    );
    for (let i = 0; i < 20000; i++) {
      let s = random() < 0.3 ? "-" : "";
      s += digits(Math.floor(random() * 12));
      if (random() < 0.7) s += "." + digits(Math.floor(random() * 12));
      if (random() < 0.2) s += "e" + (random() < 0.5 ? "-" : "") + digits(1 + Math.floor(random() * 2));
      samples.push(s);
    }
    for (const s of samples) {
      const want = NUMBER_TEXT.test(s) ? Number(s) : NaN;
      expect(Object.is(decimal(s), want), s).toBe(true);
    }
    for (const s of [
      "",
      ".",
      "-",
      "e5",
      "1e",
      "1e+",
      " 1",
      "1 ",
      "0x10",
      "1_000",
      "Infinity",
      "NaN",
      "1..2",
      "--1",
    ])
      expect(decimal(s), s).toBeNaN();
  });

  it("parseDigits reads -?digits as Number does", () => {
    for (const s of ["0", "-0", "007", "1700000000000", "-1700000000000", "12345678901234567890"])
      expect(Object.is(parseDigits(bytes(s), 0, s.length), Number(s)), s).toBe(true);
    for (const s of ["", "-", "+1", "1.5", "1e3", " 1"])
      expect(parseDigits(bytes(s), 0, s.length), s).toBeNaN();
  });
});

describe("ByteStringTable", () => {
  it("finds every string from its bytes, and nothing else, among many that share hash slots", () => {
    const strings = Array.from({ length: 300 }, (_, i) => `v${i}`).concat(["", "Zoë", "a,b", "north"]);
    const table = new ByteStringTable(strings);
    const bytes = Buffer.from(`xx${strings.join("|")}|north |nort|v300|zoë`, "utf8");
    let at = 2;
    for (const [i, s] of strings.entries()) {
      const len = Buffer.byteLength(s);
      expect(table.find(bytes, at, at + len), s).toBe(i);
      expect(table.findString(s)).toBe(i);
      at += len + 1;
    }
    for (const miss of ["north ", "nort", "v300", "zoë"]) {
      const len = Buffer.byteLength(miss);
      expect(table.find(bytes, at, at + len), miss).toBe(-1);
      expect(table.findString(miss)).toBe(-1);
      at += len + 1;
    }
  });
});
