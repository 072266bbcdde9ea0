import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SluiceError } from "../errors.js";
import { ColumnRule } from "../project/schema.js";
import { formatCsvField, frameToCsv, writeFrameCsv } from "./csv-write.js";
import { categoricalFromStrings, Frame, numericColumn, textColumn } from "./frame.js";
import { Random } from "./random.js";
import { readFrame } from "./read.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sluice-csv-write-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("formatCsvField", () => {
  it("quotes text holding a delimiter, a quote, a line break or edge blanks, doubling quotes", () => {
    expect(formatCsvField("plain")).toBe("plain");
    expect(formatCsvField("a,b")).toBe('"a,b"');
    expect(formatCsvField('say "hi"')).toBe('"say ""hi"""');
    expect(formatCsvField("two\nlines")).toBe('"two\nlines"');
    expect(formatCsvField("cr\rhere")).toBe('"cr\rhere"');
    expect(formatCsvField(" padded")).toBe('" padded"');
  });

  it("writes numbers in their shortest round-trip form and missing as empty", () => {
    expect(formatCsvField(0.1)).toBe("0.1");
    expect(formatCsvField(1e21)).toBe("1e+21");
    expect(formatCsvField(-0)).toBe("-0");
    expect(formatCsvField(5e-324)).toBe("5e-324");
    expect(formatCsvField(NaN)).toBe("");
    expect(formatCsvField(null)).toBe("");
    expect(Number(formatCsvField(0.1 + 0.2))).toBe(0.1 + 0.2);
  });
});

function sampleFrame(n: number, seed: number): Frame {
  const rng = new Random(seed);
  const x = new Float64Array(n);
  const k = new Array<string | null>(n);
  const t = new Array<string | null>(n);
  const words = ["alpha", "beta, gamma", 'quote "q"', "line\nbreak", "δέλτα", " edge "];
  for (let i = 0; i < n; i++) {
    // Awkward doubles: tiny, huge, many digits, negative zero, missing.
    const r = rng.next();
    x[i] =
      r < 0.05
        ? NaN
        : r < 0.1
          ? -0
          : r < 0.2
            ? rng.normal() * 1e-300
            : r < 0.3
              ? rng.normal() * 1e300
              : rng.normal() / 3;
    k[i] = rng.next() < 0.1 ? null : words[rng.int(words.length)]!;
    t[i] = rng.next() < 0.1 ? null : `id-${i}-${words[rng.int(words.length)]!}`;
  }
  return new Frame([numericColumn("x", x), categoricalFromStrings("k", k), textColumn("t", t)]);
}

describe("writeFrameCsv", () => {
  it("round-trips through readFrame with bit-identical numbers, the same categories and text, and missing kept", async () => {
    const frame = sampleFrame(500, 11);
    const path = join(dir, "round.csv");
    writeFrameCsv(path, frame);
    const back = await readFrame(path, {
      schema: { k: ColumnRule.parse({ type: "category" }), t: ColumnRule.parse({ type: "string" }) },
    });
    expect(back.names).toEqual(["x", "k", "t"]);
    const x = frame.numeric("x").values;
    const bx = back.numeric("x").values;
    for (let i = 0; i < x.length; i++)
      expect(Object.is(bx[i], x[i]), `row ${i}: ${bx[i]} vs ${x[i]}`).toBe(true);
    expect([...back.rows()].map((r) => [r.k, r.t])).toEqual([...frame.rows()].map((r) => [r.k, r.t]));
  });

  it("writes chosen rows in the given order with extra columns", () => {
    const frame = new Frame([
      numericColumn("a", Float64Array.of(1, 2, 3)),
      textColumn("b", ["x", null, "z,z"]),
    ]);
    const path = join(dir, "rows.csv");
    writeFrameCsv(path, frame, {
      rows: [2, 0],
      extraColumns: [{ name: "_reason", values: (row) => `row ${row}: "bad"` }],
    });
    expect(readFileSync(path, "utf8")).toBe('a,b,_reason\n3,"z,z","row 2: ""bad"""\n1,x,"row 0: ""bad"""\n');
  });

  it("streams large frames in blocks that join to the whole text", () => {
    const frame = sampleFrame(10_000, 3);
    const blocks = [...frameToCsv(frame)];
    expect(blocks.length).toBeGreaterThan(2);
    expect(blocks.join("").split("\n").length).toBeGreaterThan(10_000);
  });

  it("leaves no file and no temporary behind when writing fails", () => {
    const frame = sampleFrame(10, 1);
    const path = join(dir, "fails", "out.csv");
    expect(() =>
      writeFrameCsv(path, frame, {
        extraColumns: [
          {
            name: "boom",
            values: (row) => {
              if (row === 5) throw new SluiceError("E_INTERNAL", "boom");
              return "";
            },
          },
        ],
      }),
    ).toThrow("boom");
    expect(existsSync(path)).toBe(false);
    expect(readdirSync(join(dir, "fails"))).toEqual([]);
  });
});
