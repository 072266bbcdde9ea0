import { describe, expect, it } from "vitest";
import { compareVersions, SLUICE_VERSION } from "./version.js";

describe("compareVersions", () => {
  it("orders versions by major, minor and patch as numbers, not as text", () => {
    expect(compareVersions("0.10.0", "0.9.1")).toBeGreaterThan(0);
    expect(compareVersions("0.2.0", "0.2.0")).toBe(0);
    expect(compareVersions("1.0.0", "1.0.1")).toBeLessThan(0);
    expect(compareVersions("v2.0.0", "1.99.99")).toBeGreaterThan(0);
  });

  it("puts a pre-release before its release, with numeric identifiers compared as numbers", () => {
    expect(compareVersions("1.0.0-rc.1", "1.0.0")).toBeLessThan(0);
    expect(compareVersions("1.0.0-rc.10", "1.0.0-rc.2")).toBeGreaterThan(0);
    expect(compareVersions("1.0.0-alpha", "1.0.0-alpha.1")).toBeLessThan(0);
    expect(compareVersions("1.0.0+build.5", "1.0.0")).toBe(0);
  });

  it("never takes text that is not a version for a newer one", () => {
    expect(compareVersions("", "0.1.0")).toBeLessThan(0);
    expect(compareVersions("dev", "0.1.0")).toBeLessThan(0);
    expect(compareVersions("0.1.0", "?")).toBeGreaterThan(0);
  });

  it("reads this package's own version", () => {
    expect(compareVersions(SLUICE_VERSION, "0.0.0")).toBeGreaterThan(0);
  });
});
