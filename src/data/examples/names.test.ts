import { describe, expect, it } from "vitest";
import { isSluiceError } from "../../errors.js";
import { DEFAULT_ROWS, EXAMPLES, parseExampleName, resolveOptions } from "./names.js";

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected a throw");
}

describe("example names and options", () => {
  it("accepts each example by name", () => {
    for (const name of EXAMPLES) expect(parseExampleName(name)).toBe(name);
  });

  it("refuses an unknown example with E_USAGE, a did-you-mean and the list of examples", () => {
    const err = thrown(() => parseExampleName("chrun"));
    expect(isSluiceError(err, "E_USAGE")).toBe(true);
    expect((err as Error).message).toBe('unknown example "chrun" (did you mean "churn"?)');
    expect((err as { hint: string }).hint).toContain("churn, fraud and housing");
  });

  it.each([
    ["Churn", "churn"],
    ["frud", "fraud"],
    ["hous", "housing"],
    ["housng", "housing"],
  ])("suggests the example meant by %s", (input, meant) => {
    expect((thrown(() => parseExampleName(input)) as Error).message).toContain(`(did you mean "${meant}"?)`);
  });

  it("offers no suggestion for a name far from every example", () => {
    expect((thrown(() => parseExampleName("titanic")) as Error).message).toBe('unknown example "titanic"');
  });

  it("fills in the documented defaults", () => {
    expect(DEFAULT_ROWS).toEqual({ churn: 5000, fraud: 20000, housing: 8000 });
    expect(resolveOptions("fraud")).toEqual({ rows: 20000, seed: 42 });
    expect(resolveOptions("housing", { rows: 10, seed: 0 })).toEqual({ rows: 10, seed: 0 });
  });

  it.each([0, -5, 2.5, NaN, Infinity])("refuses %s rows with E_USAGE naming the value", (rows) => {
    const err = thrown(() => resolveOptions("churn", { rows }));
    expect(isSluiceError(err, "E_USAGE")).toBe(true);
    expect((err as Error).message).toContain(`got ${String(rows)}`);
  });

  it("refuses a seed that is not a whole number", () => {
    expect(
      isSluiceError(
        thrown(() => resolveOptions("churn", { seed: 1.5 })),
        "E_USAGE",
      ),
    ).toBe(true);
  });
});
