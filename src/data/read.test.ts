import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ColumnRule, type DatasetSchema } from "../project/schema.js";
import { cellAt, type Frame } from "./frame.js";
import { readFrame, readHeader } from "./read.js";
import { sampleSql } from "./read-source.js";
import reference from "./fixtures/read-reference.json" with { type: "json" };

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const dataFile = (name: string): string => resolve(repoRoot, "..", "shared", "data", name);
const TELCO = dataFile("WA_Fn-UseC_-Telco-Customer-Churn.csv");
const HOUSING = dataFile("housing.csv");

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "sluice-read-test-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function duckdb(sql: string): Promise<void> {
  const instance = await DuckDBInstance.create(":memory:");
  const conn = await instance.connect();
  try {
    await conn.run(sql);
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

function schemaOf(rules: Record<string, unknown>): DatasetSchema {
  return Object.fromEntries(Object.entries(rules).map(([k, v]) => [k, ColumnRule.parse(v)]));
}

function column(frame: Frame, name: string): (string | number | null)[] {
  const c = frame.column(name);
  return Array.from({ length: frame.nRows }, (_, i) => cellAt(c, i));
}

type Ref = {
  rows: number;
  columns: Record<
    string,
    {
      kind: string;
      missing: number;
      integer?: boolean;
      sum?: number;
      min?: number;
      max?: number;
      distinct?: number;
      counts?: Record<string, number>;
    }
  >;
};

function checkAgainstPandas(frame: Frame, ref: Ref): void {
  expect(frame.nRows).toBe(ref.rows);
  expect(frame.names).toEqual(
    Object.keys(ref.columns).sort((a, b) => frame.names.indexOf(a) - frame.names.indexOf(b)),
  );
  for (const [name, r] of Object.entries(ref.columns)) {
    const c = frame.column(name);
    if (r.kind === "numeric") {
      if (c.kind !== "numeric") throw new Error(`${name} should be numeric, is ${c.kind}`);
      let missing = 0;
      let sum = 0;
      let min = Infinity;
      let max = -Infinity;
      for (const v of c.values)
        if (Number.isNaN(v)) missing++;
        else {
          sum += v;
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
      expect(missing, name).toBe(r.missing);
      expect(sum, name).toBeCloseTo(r.sum!, Math.max(0, 10 - Math.ceil(Math.log10(Math.abs(r.sum!) + 1))));
      expect(min, name).toBe(r.min);
      expect(max, name).toBe(r.max);
      expect(c.dtype === "integer", name).toBe(r.integer);
    } else if (r.counts !== undefined) {
      if (c.kind !== "categorical") throw new Error(`${name} should be categorical, is ${c.kind}`);
      expect(c.dictionary, name).toEqual(Object.keys(r.counts));
      const counts = new Array<number>(c.dictionary.length).fill(0);
      for (const code of c.codes) if (code >= 0) counts[code]!++;
      expect(Object.fromEntries(c.dictionary.map((d, i) => [d, counts[i]])), name).toEqual(r.counts);
    } else {
      expect(c.kind, name).toBe("text");
      if (c.kind === "text") expect(new Set(c.values).size, name).toBe(r.distinct);
    }
  }
}

describe("readFrame on the real datasets", () => {
  it.skipIf(!existsSync(TELCO))(
    "reads Telco churn as pandas does, with TotalCharges numeric and its 11 blanks missing (needs ../shared/data)",
    async () => {
      const frame = await readFrame(TELCO);
      checkAgainstPandas(frame, reference.telco);
      const total = frame.numeric("TotalCharges");
      expect(total.values.filter(Number.isNaN).length).toBe(11);
      expect(total.invalid.size).toBe(0);
      expect(frame.column("customerID").kind).toBe("text");
      expect(frame.categorical("Churn").dictionary).toEqual(["No", "Yes"]);
      expect(frame.numeric("SeniorCitizen").dtype).toBe("integer");
      expect(frame.row(0)).toMatchObject({
        customerID: "7590-VHVEG",
        gender: "Female",
        tenure: 1,
        TotalCharges: 29.85,
        Churn: "No",
      });
    },
  );

  it.skipIf(!existsSync(HOUSING))(
    "reads California housing with 207 missing bedrooms and 5 ocean_proximity values (needs ../shared/data)",
    async () => {
      const frame = await readFrame(HOUSING);
      checkAgainstPandas(frame, reference.housing);
      expect(frame.numeric("total_bedrooms").values.filter(Number.isNaN).length).toBe(207);
      expect(frame.categorical("ocean_proximity").dictionary).toHaveLength(5);
    },
  );

  it.skipIf(!existsSync(TELCO))(
    "reads only the named columns, in the order asked (needs ../shared/data)",
    async () => {
      const frame = await readFrame(TELCO, { columns: ["Churn", "tenure"] });
      expect(frame.names).toEqual(["Churn", "tenure"]);
      expect(frame.nRows).toBe(7043);
    },
  );

  it.skipIf(!existsSync(TELCO))(
    "reports the header with the sniffed dialect and DuckDB's types (needs ../shared/data)",
    async () => {
      const header = await readHeader(TELCO);
      expect(header).toMatchObject({ format: "csv", delimiter: ",", header: true });
      expect(header.columns).toHaveLength(21);
      expect(header.columns[0]).toEqual({ name: "customerID", sourceType: "VARCHAR" });
      expect(header.columns.find((c) => c.name === "tenure")?.sourceType).toBe("BIGINT");
    },
  );
});

describe("readFrame dialects", () => {
  it("sniffs a semicolon delimiter", async () => {
    const frame = await readFrame(write("semi.csv", "a;b;c\n1;2,5;x\n3;4;y\n"));
    expect(frame.names).toEqual(["a", "b", "c"]);
    expect(column(frame, "a")).toEqual([1, 3]);
    expect(column(frame, "b")).toEqual(["2,5", "4"]);
  });

  it("sniffs a tab delimiter in a .tsv file", async () => {
    const frame = await readFrame(write("tabs.tsv", "x\ty\tname\n1.5\t2\tone\n2.5\t3\ttwo\n3.5\t\tthree\n"));
    expect(column(frame, "x")).toEqual([1.5, 2.5, 3.5]);
    expect(column(frame, "y")).toEqual([2, 3, null]);
    expect(column(frame, "name")).toEqual(["one", "two", "three"]);
  });

  it("reads quoted fields holding commas, line breaks and doubled quotes", async () => {
    const text = 'id,text,n\n1,"hello, world",3\n2,"line1\nline2",4\n3,"say ""hi""",5\n4,plain,6\n';
    const frame = await readFrame(write("quoted.csv", text), {
      schema: schemaOf({ text: { type: "string" } }),
    });
    expect(column(frame, "text")).toEqual(["hello, world", "line1\nline2", 'say "hi"', "plain"]);
    expect(column(frame, "n")).toEqual([3, 4, 5, 6]);
  });

  it("names the columns of a file without a header column_1, column_2, …", async () => {
    const frame = await readFrame(write("nohdr.csv", "1,2,x\n3,4,y\n5,6,z\n"), { header: false });
    expect(frame.names).toEqual(["column_1", "column_2", "column_3"]);
    expect(column(frame, "column_1")).toEqual([1, 3, 5]);
    expect(column(frame, "column_3")).toEqual(["x", "y", "z"]);
  });

  it("reads a one-column file whose values hold commas as one column, dropping no line", async () => {
    const frame = await readFrame(write("onecol.csv", "name\nSmith, John\nDoe, Jane\n"));
    expect(frame.names).toEqual(["name"]);
    expect(column(frame, "name")).toEqual(["Smith, John", "Doe, Jane"]);
  });

  it("takes a given delimiter over the sniffed one", async () => {
    const frame = await readFrame(write("pipe.txt", "a|b\n1,5|x\n2,5|y\n"), { delimiter: "|" });
    expect(frame.names).toEqual(["a", "b"]);
    expect(column(frame, "a")).toEqual(["1,5", "2,5"]);
  });
});

describe("readFrame typing", () => {
  it("reads Parquet with its own types, BIGINT and DECIMAL as plain numbers", async () => {
    const path = join(dir, "typed.parquet");
    await duckdb(
      `COPY (SELECT i AS id, i * 1.5 AS x, (i % 3)::VARCHAR || 'k' AS kind, i % 2 = 0 AS even,
                    (DATE '2024-01-01' + i::INTEGER) AS day, CAST(i AS DECIMAL(10, 2)) AS price, 9007199254740993 + i AS big
             FROM range(5) t(i)) TO '${path}' (FORMAT parquet)`,
    );
    const frame = await readFrame(path);
    expect(frame.numeric("id").dtype).toBe("integer");
    expect(column(frame, "x")).toEqual([0, 1.5, 3, 4.5, 6]);
    expect(column(frame, "kind")).toEqual(["0k", "1k", "2k", "0k", "1k"]);
    expect(frame.numeric("even").dtype).toBe("boolean");
    expect(column(frame, "even")).toEqual([1, 0, 1, 0, 1]);
    expect(frame.numeric("day").dtype).toBe("datetime");
    expect(column(frame, "day")[0]).toBe(Date.UTC(2024, 0, 1));
    expect(column(frame, "price")).toEqual([0, 1, 2, 3, 4]);
    const big = column(frame, "big");
    expect(typeof big[0]).toBe("number");
    expect(big[0]).toBe(2 ** 53); // 2^53 + 1 rounds to the nearest double
    const header = await readHeader(path);
    expect(header.format).toBe("parquet");
    expect(header.columns.find((c) => c.name === "big")?.sourceType).toBe("BIGINT");
  });

  it("returns BIGINT values beyond 2^53 in a CSV as numbers", async () => {
    const frame = await readFrame(write("big.csv", "a,b\n9007199254740993,1\n-9223372036854775807,2\n"));
    const a = frame.numeric("a");
    expect(a.dtype).toBe("integer");
    expect(Array.from(a.values)).toEqual([2 ** 53, -(2 ** 63)]);
  });

  it("keeps a numeric-looking column categorical when the schema says category", async () => {
    const path = write("codes.csv", "zip,n\n02134,1\n10001,2\n02134,3\n,4\n");
    const frame = await readFrame(path, { schema: schemaOf({ zip: { type: "category" } }) });
    const zip = frame.categorical("zip");
    expect(zip.dictionary).toEqual(["02134", "10001"]);
    expect(Array.from(zip.codes)).toEqual([0, 1, 0, -1]);
    expect((await readFrame(path)).numeric("zip").dtype).toBe("integer");
  });

  it("marks text at row 5,000 of a numeric column NaN and keeps its raw text in invalid", async () => {
    const lines = ["id,amount"];
    for (let i = 0; i < 6000; i++) lines.push(`${i},${i === 4999 ? "abc" : (i * 0.5).toString()}`);
    const path = write("late-text.csv", lines.join("\n") + "\n");
    const frame = await readFrame(path, { schema: schemaOf({ amount: { type: "number" } }) });
    const amount = frame.numeric("amount");
    expect(amount.values[4998]).toBe(2499);
    expect(amount.values[4999]).toBeNaN();
    expect(amount.values[5000]).toBe(2500);
    expect([...amount.invalid]).toEqual([[4999, "abc"]]);
    // Without a rule the same column is still numeric (99.98% numbers), the text still recorded.
    const inferred = (await readFrame(path)).numeric("amount");
    expect([...inferred.invalid]).toEqual([[4999, "abc"]]);
  });

  it("treats blanks and NA tokens as missing and records only real garbage as invalid", async () => {
    const values = [
      "1",
      " ",
      "NA",
      "N/A",
      "NaN",
      "nan",
      "null",
      "NULL",
      "None",
      "-",
      "",
      "  2.5 ",
      "x1",
      "4",
    ];
    const path = write("na.csv", "v,k\n" + values.map((v, i) => `${v},${i}`).join("\n") + "\n");
    const v = (await readFrame(path, { schema: schemaOf({ v: { type: "number" } }) })).numeric("v");
    expect(Array.from(v.values).map((x) => (Number.isNaN(x) ? null : x))).toEqual([
      1,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      2.5,
      null,
      4,
    ]);
    expect([...v.invalid]).toEqual([[12, "x1"]]);
  });

  it("keeps non-integers of an integer column as they are, for validation to flag", async () => {
    const frame = await readFrame(write("ints.csv", "n\n1\n2.5\n3\n"), {
      schema: schemaOf({ n: { type: "integer" } }),
    });
    expect(frame.numeric("n").dtype).toBe("integer");
    expect(column(frame, "n")).toEqual([1, 2.5, 3]);
  });

  it("parses booleans and datetimes by the schema, recording what does not parse", async () => {
    const text =
      "flag,when,day\nyes,2024-03-01T10:00:00Z,01/02/2024\nN,2024-03-01 12:30:00,31/12/2023\nmaybe,soon,2024-01-01\nTRUE,,\n";
    const frame = await readFrame(write("typed.csv", text), {
      schema: schemaOf({
        flag: { type: "boolean" },
        when: { type: "datetime" },
        day: { type: "datetime", format: "%d/%m/%Y" },
      }),
    });
    const flag = frame.numeric("flag");
    expect(flag.dtype).toBe("boolean");
    expect(Array.from(flag.values).map((x) => (Number.isNaN(x) ? null : x))).toEqual([1, 0, null, 1]);
    expect([...flag.invalid]).toEqual([[2, "maybe"]]);
    const when = frame.numeric("when");
    expect(when.dtype).toBe("datetime");
    expect(when.values[0]).toBe(Date.UTC(2024, 2, 1, 10));
    expect(when.values[1]).toBe(Date.UTC(2024, 2, 1, 12, 30));
    expect([...when.invalid]).toEqual([[2, "soon"]]);
    expect(when.values[3]).toBeNaN();
    const day = frame.numeric("day");
    expect(day.values[0]).toBe(Date.UTC(2024, 1, 1));
    expect(day.values[1]).toBe(Date.UTC(2023, 11, 31));
    expect([...day.invalid]).toEqual([[2, "2024-01-01"]]);
  });

  it("reads Yes/No as categories and true/false as booleans without a schema", async () => {
    const frame = await readFrame(write("bools.csv", "yn,tf\nYes,true\nNo,FALSE\nYes,true\n"));
    expect(frame.categorical("yn").dictionary).toEqual(["No", "Yes"]);
    expect(frame.numeric("tf").dtype).toBe("boolean");
    expect(column(frame, "tf")).toEqual([1, 0, 1]);
  });

  it("makes a column of many distinct strings text and one of few categorical", async () => {
    const lines = ["id,group"];
    for (let i = 0; i < 3000; i++) lines.push(`user-${i},g${i % 7}`);
    const frame = await readFrame(write("ids.csv", lines.join("\n") + "\n"));
    expect(frame.column("id").kind).toBe("text");
    expect(frame.categorical("group").dictionary).toEqual(["g0", "g1", "g2", "g3", "g4", "g5", "g6"]);
  });

  it("sorts dictionaries by code point, whatever the row order", async () => {
    const frame = await readFrame(write("order.csv", "c,n\nb,1\nB,2\na,3\né,4\nZ,5\n"));
    const c = frame.categorical("c");
    expect(c.dictionary).toEqual(["B", "Z", "a", "b", "é"]);
    expect(column(frame, "c")).toEqual(["b", "B", "a", "é", "Z"]);
  });

  it("reads a column past DuckDB's sniffing sample that turns to text there", async () => {
    const lines = ["n,k"];
    for (let i = 0; i < 30000; i++) lines.push(`${i},k`);
    lines.push("n/a-ish,k", "7,k");
    const n = (await readFrame(write("late-sniff.csv", lines.join("\n") + "\n"))).numeric("n");
    expect(n.values[29999]).toBe(29999);
    expect(n.values[30000]).toBeNaN();
    expect([...n.invalid]).toEqual([[30000, "n/a-ish"]]);
    expect(n.values[30001]).toBe(7);
  });

  it("draws the same uniform sample for the same seed, in file order, and another for another seed", async () => {
    const lines = ["i,sq"];
    for (let i = 0; i < 2000; i++) lines.push(`${i},${i * i}`);
    const path = write("sample.csv", lines.join("\n") + "\n");
    const a = await readFrame(path, { sampleRows: 100, seed: 3 });
    const b = await readFrame(path, { sampleRows: 100, seed: 3 });
    const c = await readFrame(path, { sampleRows: 100, seed: 4 });
    const ia = column(a, "i") as number[];
    expect(a.nRows).toBe(100);
    expect(ia).toEqual(column(b, "i"));
    expect(ia).not.toEqual(column(c, "i"));
    expect(ia).toEqual([...ia].sort((x, y) => x - y));
    expect(new Set(ia).size).toBe(100);
    expect(column(a, "sq")).toEqual(ia.map((i) => i * i));
    // A sample as large as the file is the file.
    expect((await readFrame(path, { sampleRows: 5000 })).nRows).toBe(2000);
    // Parquet samples the same rows as the CSV with the same seed.
    const pq = join(dir, "sample.parquet");
    await duckdb(`COPY (SELECT * FROM read_csv('${path}')) TO '${pq}' (FORMAT parquet)`);
    expect(column(await readFrame(pq, { sampleRows: 100, seed: 3 }), "i")).toEqual(ia);
  });

  it("draws the same sample whatever DuckDB's thread count", async () => {
    // Many small row groups: a scan DuckDB spreads over its threads.
    const pq = join(dir, "threads.parquet");
    await duckdb(
      `COPY (SELECT range AS i FROM range(200000)) TO '${pq}' (FORMAT parquet, ROW_GROUP_SIZE 5000)`,
    );
    const draw = async (threads: string): Promise<number[]> => {
      const instance = await DuckDBInstance.create(":memory:", { threads, preserve_insertion_order: "true" });
      const conn = await instance.connect();
      try {
        const sql = sampleSql("i", `read_parquet('${pq}')`, { rows: 1000, seed: 11 });
        return (await conn.runAndReadAll(sql)).getRowsJS().map((r) => Number(r[0]));
      } finally {
        conn.closeSync();
        instance.closeSync();
      }
    };
    const one = await draw("1");
    expect(one).toHaveLength(1000);
    expect(one).toEqual([...one].sort((a, b) => a - b));
    expect(await draw("4")).toEqual(one);
    // And readFrame draws those rows.
    expect(column(await readFrame(pq, { sampleRows: 1000, seed: 11 }), "i")).toEqual(one);
  });

  it("takes any seed a project file allows, beyond DuckDB's 2^31, each drawing its own rows", async () => {
    const lines = ["i"];
    for (let i = 0; i < 3000; i++) lines.push(String(i));
    const path = write("big-seed.csv", lines.join("\n") + "\n");
    const a = column(await readFrame(path, { sampleRows: 50, seed: 2 ** 40 }), "i");
    const b = column(await readFrame(path, { sampleRows: 50, seed: 2 ** 40 + 1 }), "i");
    expect(a).toHaveLength(50);
    expect(a).not.toEqual(b);
    expect(column(await readFrame(path, { sampleRows: 50, seed: 2 ** 40 }), "i")).toEqual(a);
  });

  it("samples a file whose column turns to text past DuckDB's sniffing sample", async () => {
    const lines = ["n,k"];
    for (let i = 0; i < 30000; i++) lines.push(`${i},k`);
    lines.push("n/a-ish,k", "7,k");
    const frame = await readFrame(write("late-sniff-sample.csv", lines.join("\n") + "\n"), {
      sampleRows: 30001,
      seed: 5,
    });
    expect(frame.nRows).toBe(30001);
    const n = frame.numeric("n");
    expect(n.invalid.size).toBeLessThanOrEqual(1);
    expect([...n.invalid.values()].every((v) => v === "n/a-ish")).toBe(true);
  });
});
