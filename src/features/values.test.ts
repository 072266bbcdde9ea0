import { describe, expect, it } from "vitest";
import {
  categoricalField,
  cleanNumber,
  numberToCategory,
  numericField,
  ownField,
  parseIsoDatetime,
} from "./values.js";

describe("input values", () => {
  it("turns non-finite numbers into missing and keeps the sign of zero", () => {
    expect([cleanNumber(Infinity), cleanNumber(-Infinity), cleanNumber(NaN)].every(Number.isNaN)).toBe(true);
    expect(Object.is(cleanNumber(-0), -0)).toBe(true);
    expect(cleanNumber(1e300)).toBe(1e300);
  });

  it("writes numbers as category text with String(n), non-finite ones as missing", () => {
    expect([
      numberToCategory(1),
      numberToCategory(-0),
      numberToCategory(2.5),
      numberToCategory(NaN),
      numberToCategory(Infinity),
    ]).toEqual(["1", "0", "2.5", null, null]);
  });

  it("reads numeric fields", () => {
    expect(numericField("a", "float", 3)).toBe(3);
    expect(numericField("a", "boolean", true)).toBe(1);
    expect(numericField("a", "float", null)).toBeNaN();
    expect(numericField("a", "float", undefined)).toBeNaN();
    expect(numericField("a", "float", "3")).toMatchObject({
      field: "a",
      expected: "a number",
      got: '"3"',
      message: 'field "a": expected a number, got "3"',
    });
    expect(numericField("t", "datetime", "2024-01-02T03:04:05.678Z")).toBe(
      Date.UTC(2024, 0, 2, 3, 4, 5, 678),
    );
    expect(numericField("t", "datetime", "yesterday")).toMatchObject({
      expected: "a datetime (epoch milliseconds or ISO 8601 text)",
    });
  });

  it("reads categorical fields", () => {
    expect(categoricalField("g", "x")).toBe("x");
    expect(categoricalField("g", "")).toBeNull();
    expect(categoricalField("g", 7)).toBe("7");
    expect(categoricalField("g", false)).toBe("false");
    expect(categoricalField("g", [1])).toMatchObject({ message: 'field "g": expected a string, got [1]' });
  });

  it("parses ISO 8601 dates as UTC unless an offset is given", () => {
    expect(parseIsoDatetime("2024-03-10")).toBe(Date.UTC(2024, 2, 10));
    expect(parseIsoDatetime("2024-03-10 12:00")).toBe(Date.UTC(2024, 2, 10, 12));
    expect(parseIsoDatetime("2024-03-10T12:00:00-05:00")).toBe(Date.UTC(2024, 2, 10, 17));
    expect(parseIsoDatetime("2024-13-10")).toBeUndefined();
    expect(parseIsoDatetime("10/03/2024")).toBeUndefined();
  });

  it("reads only own fields of a record", () => {
    expect(ownField({}, "constructor")).toBeUndefined();
    expect(ownField({}, "__proto__")).toBeUndefined();
    expect(ownField(JSON.parse('{"__proto__": 5}') as Record<string, unknown>, "__proto__")).toBe(5);
  });
});
