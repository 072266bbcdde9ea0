import { describe, expect, it } from "vitest";
import { parseProjectConfig } from "../../project/config.js";
import { EXAMPLES, exampleProjectYaml, generateExampleCsv } from "./index.js";

const FORMULA_WORDS = new Set(["and", "or", "not", "in", "true", "false"]);

/** Column names a formula reads: identifiers outside strings that are not calls or keywords. */
function formulaNames(formula: string): string[] {
  const names: string[] = [];
  const withoutStrings = formula.replace(/"[^"]*"|'[^']*'/g, " ");
  for (const m of withoutStrings.matchAll(/`([^`]+)`|([A-Za-z_][A-Za-z0-9_]*)(\s*\()?/g)) {
    if (m[1] !== undefined) names.push(m[1]);
    else if (m[3] === undefined && !FORMULA_WORDS.has(m[2]!)) names.push(m[2]!);
  }
  return names;
}

function header(name: (typeof EXAMPLES)[number]): string[] {
  const first = generateExampleCsv(name, { rows: 1 }).next();
  if (first.done === true) throw new Error("no header");
  return first.value.trimEnd().split(",");
}

describe.each(EXAMPLES)("the %s project file", (name) => {
  const config = parseProjectConfig(exampleProjectYaml(name), `${name}/sluice.yaml`);
  const columns = header(name);

  it("parses as a project file", () => {
    expect(config.name).toBe(name);
    expect(config.description).toBeTruthy();
    expect(config.models.length).toBeGreaterThanOrEqual(3);
  });

  it("has a schema rule for exactly the columns of the data, in file order", () => {
    expect(Object.keys(config.schema)).toEqual(columns);
  });

  it("names the target among the columns, with role target", () => {
    expect(columns).toContain(config.data.target);
    expect(config.schema[config.data.target]!.role).toBe("target");
  });

  it("gives id columns a pattern and keeps them out of the features", () => {
    const ids = Object.entries(config.schema).filter(([, r]) => r.role === "id");
    expect(ids.length).toBeGreaterThanOrEqual(1);
    for (const [, rule] of ids) {
      expect(rule.pattern).toBeDefined();
      expect(rule.nullable).toBe(false);
    }
    expect(ids.some(([, r]) => r.unique)).toBe(true);
  });

  it("reads only columns of the data, or features defined above, in its formulas", () => {
    const known = new Set(columns);
    const unknown: string[] = [];
    for (const section of [config.features.derived, config.features.binary]) {
      for (const [feature, formula] of Object.entries(section)) {
        for (const n of formulaNames(formula)) if (!known.has(n)) unknown.push(`${feature}: ${n}`);
        known.add(feature);
      }
    }
    for (const [feature, b] of Object.entries(config.features.binned))
      if (!columns.includes(b.column)) unknown.push(`${feature}: ${b.column}`);
    for (const c of [
      ...config.features.drop,
      ...config.features.numeric.exclude,
      ...config.features.categorical.exclude,
    ])
      if (!columns.includes(c)) unknown.push(`drop/exclude: ${c}`);
    expect(unknown).toEqual([]);
    expect(
      Object.keys(config.features.derived).length + Object.keys(config.features.binary).length,
    ).toBeGreaterThanOrEqual(4);
    expect(Object.keys(config.features.binned).length).toBeGreaterThanOrEqual(1);
  });

  it("sets gates, a registry name, cross-validation and monitoring", () => {
    expect(Object.keys(config.gates.minimum).length).toBeGreaterThanOrEqual(1);
    expect(config.registry.model).not.toBe(name);
    expect(config.cv.folds).toBe(5);
    expect(config.monitor.window).toBeGreaterThan(0);
  });
});

describe("what each project file shows", () => {
  it("churn carries the features of the design example and a search space", () => {
    const c = parseProjectConfig(exampleProjectYaml("churn"));
    expect(c.features.derived.charges_per_month).toBe("total_charges / (tenure_months + 1)");
    expect(c.features.binary.is_high_value).toBe("monthly_charges > 80");
    expect(c.features.binned.age_group).toMatchObject({ column: "age", edges: [18, 30, 45, 60, 120] });
    expect(c.schema.age).toMatchObject({ type: "integer", min: 18, max: 120 });
    expect(c.models.find((m) => m.kind === "gradient_boosting")?.search?.space).toHaveProperty("num_leaves");
    expect(c.registry).toEqual({ model: "churn_predictor", on_pass: "staging" });
    expect(c.data.positive).toBe("1");
    expect(c.serve.risk).toBeDefined();
  });

  it("fraud derives time features and keeps the raw timestamp and user out", () => {
    const c = parseProjectConfig(exampleProjectYaml("fraud"));
    expect(c.features.derived).toMatchObject({ hour: "hour(timestamp)", log_amount: "log1p(amount)" });
    expect(c.features.binary.is_night).toBe("hour(timestamp) < 6");
    expect(c.features.drop).toContain("timestamp");
    expect(c.schema.user_id!.role).toBe("id");
    expect(c.schema.timestamp!.type).toBe("datetime");
    expect(c.serve.risk).toBeDefined();
  });

  it("housing is a regression with ridge and an r2 gate", () => {
    const c = parseProjectConfig(exampleProjectYaml("housing"));
    expect(c.data.task).toBe("regression");
    expect(c.models.map((m) => m.kind)).toContain("ridge");
    expect(c.gates.minimum.r2).toBe(0.7);
  });

  it("the formula scan in this test finds every name, so an unknown one would be caught", () => {
    expect(formulaNames("if(a > 1, `Monthly Charges`, b_2) and c in (\"x\", 'y') or not hour(t)")).toEqual([
      "a",
      "Monthly Charges",
      "b_2",
      "c",
      "t",
    ]);
  });
});
