import { describe, expect, it } from "vitest";
import { parseProjectConfig } from "../../project/config.js";
import { EXAMPLES, exampleProjectYaml, generateExampleCsv } from "./index.js";
import { schemaViolations } from "./test-utils/conformance.js";
import { parseSimpleCsv } from "./test-utils/csv.js";

describe.each(EXAMPLES)("%s data against its own schema", (name) => {
  const { schema } = parseProjectConfig(exampleProjectYaml(name));

  it.each([42, 1, 20260301])("conforms for seed %i (20,000 rows)", (seed) => {
    const data = parseSimpleCsv([...generateExampleCsv(name, { rows: 20_000, seed })].join(""));
    expect(schemaViolations(data, schema)).toEqual([]);
  });

  it("has blank cells in every column that allows them, and in no other", () => {
    const data = parseSimpleCsv([...generateExampleCsv(name, { rows: 20_000 })].join(""));
    for (const [column, rule] of Object.entries(schema)) {
      const blanks = data.columns.get(column)!.filter((v) => v === "").length;
      if (rule.max_null_fraction !== undefined) expect(blanks, column).toBeGreaterThan(0);
      else expect(blanks, column).toBe(0);
    }
  });
});

describe("the schema check used above", () => {
  it("reports each kind of broken rule, so a conforming result means something", () => {
    const { schema } = parseProjectConfig(exampleProjectYaml("churn"));
    const data = parseSimpleCsv(
      "customer_id,age,income,gender,region,tenure_months,monthly_charges,total_charges,churn\n" +
        "C000001,17,,X,north,3.5,20.00,,2\n" +
        "C000001,121,-1,F,mars,,130.00,1.00,1\n" +
        "X1,40,1000,M,east,5,50.00,,0\n",
    );
    const problems = schemaViolations(data, schema).join("\n");
    for (const expected of [
      "customer_id: 1 values not matching",
      "customer_id: 1 repeated values",
      "age: 1 values below 18",
      "age: 1 values above 120",
      "income: 1 values below 0",
      "income: blank share",
      "gender: 1 values not allowed",
      "region: 1 values not allowed",
      "tenure_months: 1 blank cells in a non-nullable column",
      "tenure_months: 1 values not of type integer",
      "monthly_charges: 1 values above 120",
      "total_charges: blank share",
      "churn: 1 values not allowed",
    ])
      expect(problems).toContain(expected);
  });

  it("refuses impossible datetimes", () => {
    const { schema } = parseProjectConfig(exampleProjectYaml("fraud"));
    const data = parseSimpleCsv(
      "transaction_id,user_id,timestamp,amount,merchant_category,location,device,is_fraud\n" +
        "T00000001,U000001,2026-02-30T10:00:00Z,1.00,fuel,salem,mobile,0\n" +
        "T00000002,U000001,2026-02-03 10:00:00,1.00,fuel,salem,mobile,0\n",
    );
    expect(schemaViolations(data, schema)).toEqual([
      'timestamp: 2 values not of type datetime, e.g. ["2026-02-30T10:00:00Z","2026-02-03 10:00:00"]',
    ]);
  });
});
