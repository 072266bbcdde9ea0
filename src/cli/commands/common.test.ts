import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { metricText, shown } from "./common.js";

describe("shown", () => {
  it("shows a store URL as given, not as a path under the working folder", () => {
    expect(shown("postgres://postgres@127.0.0.1:5432/test?schema=s")).toBe(
      "postgres://postgres@127.0.0.1:5432/test?schema=s",
    );
    expect(shown("postgres://sluice:***@db:5432/x (run 20260101-000000-abcd)")).toBe(
      "postgres://sluice:***@db:5432/x (run 20260101-000000-abcd)",
    );
  });

  it("shortens a path under the working folder", () => {
    expect(shown(join(process.cwd(), "demo", "model.json"))).toBe(join("demo", "model.json"));
  });
});

describe("metricText", () => {
  it("prints whole numbers as whole numbers and scores with four decimals", () => {
    expect(metricText(5000)).toBe("5,000");
    expect(metricText(500)).toBe("500");
    expect(metricText(0.87291)).toBe("0.8729");
    expect(metricText(undefined)).toBe("—");
  });
});
