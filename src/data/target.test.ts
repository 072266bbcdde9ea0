import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SluiceError } from "../errors.js";
import { categoricalColumn, categoricalFromStrings, Frame, numericColumn, textColumn } from "./frame.js";
import { readFrame } from "./read.js";
import { encodeTarget } from "./target.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const TELCO = resolve(repoRoot, "..", "shared", "data", "WA_Fn-UseC_-Telco-Customer-Churn.csv");

function thrown(fn: () => unknown): SluiceError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SluiceError) return e;
    throw e;
  }
  throw new Error("expected a SluiceError");
}

describe("encodeTarget for classification", () => {
  it("sorts classes by code point and defaults positive to the minority class", () => {
    const frame = new Frame([categoricalFromStrings("y", ["no", "yes", "no", "no", "yes", "no"])]);
    const t = encodeTarget(frame, "y", "classification");
    if (t.task !== "classification") throw new Error("classification expected");
    expect(t.classes).toEqual(["no", "yes"]);
    expect(Array.from(t.y)).toEqual([0, 1, 0, 0, 1, 0]);
    expect(t.counts).toEqual([4, 2]);
    expect(t.positive).toBe(1);
    const flipped = encodeTarget(
      new Frame([categoricalFromStrings("y", ["b", "a", "a"])]),
      "y",
      "classification",
    );
    expect(flipped.task === "classification" && flipped.positive).toBe(1);
    const minorityFirst = encodeTarget(
      new Frame([categoricalFromStrings("y", ["a", "b", "b"])]),
      "y",
      "classification",
    );
    expect(minorityFirst.task === "classification" && minorityFirst.positive).toBe(0);
  });

  it("renders numeric classes as written, integer-valued floats without .0", () => {
    const frame = new Frame([numericColumn("y", Float64Array.of(1, 0, 2.5, 10, 1, 0))]);
    const t = encodeTarget(frame, "y", "classification");
    if (t.task !== "classification") throw new Error("classification expected");
    expect(t.classes).toEqual(["0", "1", "10", "2.5"]);
    expect(Array.from(t.y)).toEqual([1, 0, 3, 2, 1, 0]);
    expect(t.positive).toBe(-1);
  });

  it("uses only the classes present, ignoring unused dictionary entries", () => {
    const frame = new Frame([categoricalColumn("y", Int32Array.of(2, 0, 2), ["a", "b", "c"])]);
    const t = encodeTarget(frame, "y", "classification");
    expect(t.task === "classification" && t.classes).toEqual(["a", "c"]);
    expect(Array.from(t.y)).toEqual([1, 0, 1]);
  });

  it("takes a given positive class, and refuses one that is not a class, listing the classes", () => {
    const frame = new Frame([textColumn("y", ["Yes", "No", "No"])]);
    const t = encodeTarget(frame, "y", "classification", { positive: "No" });
    expect(t.task === "classification" && t.positive).toBe(0);
    const e = thrown(() => encodeTarget(frame, "y", "classification", { positive: "yes" }));
    expect(e.code).toBe("E_TARGET");
    expect(e.message).toContain('"yes" is not a class');
    expect(e.message).toContain('did you mean "Yes"');
    expect(e.message).toContain('"No" and "Yes"');
  });

  it("refuses missing values, saying how many and the first rows", () => {
    const frame = new Frame([categoricalFromStrings("y", ["a", null, "b", null, "a"])]);
    const e = thrown(() => encodeTarget(frame, "y", "classification"));
    expect(e.code).toBe("E_TARGET");
    expect(e.message).toContain("2 missing values");
    expect(e.message).toContain("data rows 2, 4");
    expect(e.hint).toContain("nullable: false");
    expect(e.details.rows).toEqual([1, 3]);
  });

  it("refuses a single class and an all-missing target", () => {
    const one = thrown(() =>
      encodeTarget(new Frame([categoricalFromStrings("y", ["x", "x"])]), "y", "classification"),
    );
    expect(one.code).toBe("E_TARGET");
    expect(one.message).toContain('single class, "x"');
    const none = thrown(() =>
      encodeTarget(new Frame([numericColumn("y", Float64Array.of(NaN, NaN))]), "y", "classification"),
    );
    expect(none.code).toBe("E_TARGET");
    expect(none.message).toContain("all 2 rows are missing");
  });

  it("names an absent target column with a did-you-mean", () => {
    const frame = new Frame([numericColumn("Churn", Float64Array.of(0, 1))]);
    const e = thrown(() => encodeTarget(frame, "churn_", "classification"));
    expect(e.code).toBe("E_COLUMN_NOT_FOUND");
    expect(e.message).toContain('did you mean "Churn"');
  });

  it.skipIf(!existsSync(TELCO))(
    "encodes Telco's Churn as No/Yes with Yes the minority (needs ../shared/data)",
    async () => {
      const t = encodeTarget(await readFrame(TELCO, { columns: ["Churn"] }), "Churn", "classification");
      if (t.task !== "classification") throw new Error("classification expected");
      expect(t.classes).toEqual(["No", "Yes"]);
      expect(t.counts).toEqual([5174, 1869]);
      expect(t.positive).toBe(1);
    },
  );
});

describe("encodeTarget for regression", () => {
  it("returns a copy of the numbers", () => {
    const values = Float64Array.of(1.5, 2, 3);
    const t = encodeTarget(new Frame([numericColumn("y", values)]), "y", "regression");
    if (t.task !== "regression") throw new Error("regression expected");
    expect(Array.from(t.y)).toEqual([1.5, 2, 3]);
    t.y[0] = 99;
    expect(values[0]).toBe(1.5);
  });

  it("refuses a non-numeric target, showing some of its values", () => {
    const e = thrown(() =>
      encodeTarget(new Frame([categoricalFromStrings("y", ["cheap", "dear"])]), "y", "regression"),
    );
    expect(e.code).toBe("E_TARGET");
    expect(e.message).toContain('categorical values ("cheap", "dear")');
    expect(e.hint).toContain("classification");
  });

  it("refuses missing and infinite values", () => {
    expect(
      thrown(() => encodeTarget(new Frame([numericColumn("y", Float64Array.of(1, NaN))]), "y", "regression"))
        .message,
    ).toContain("1 missing value");
    expect(
      thrown(() =>
        encodeTarget(new Frame([numericColumn("y", Float64Array.of(1, Infinity))]), "y", "regression"),
      ).message,
    ).toContain("infinite value at data row 2");
  });
});
