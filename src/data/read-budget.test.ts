import { describe, expect, it } from "vitest";
import { SluiceError } from "../errors.js";
import {
  defaultMaxFrameBytes,
  estimateFrameBytes,
  formatBytes,
  parseByteSize,
  tooLargeError,
} from "./read-budget.js";

const GiB = 1024 ** 3;

describe("memory budget", () => {
  it("parses sizes with and without units", () => {
    expect(parseByteSize("1000000")).toBe(1_000_000);
    expect(parseByteSize("512MB")).toBe(512e6);
    expect(parseByteSize("4 GiB")).toBe(4 * GiB);
    expect(parseByteSize("1.5gb")).toBe(1.5e9);
    expect(parseByteSize("lots")).toBeUndefined();
    expect(parseByteSize("12 parsecs")).toBeUndefined();
    expect(parseByteSize("0")).toBeUndefined();
  });

  it("defaults to the smaller of 4 GiB and a quarter of memory, unless the variable says otherwise", () => {
    expect(defaultMaxFrameBytes({}, 8 * GiB)).toBe(2 * GiB);
    expect(defaultMaxFrameBytes({}, 64 * GiB)).toBe(4 * GiB);
    expect(defaultMaxFrameBytes({ SLUICE_MAX_FRAME_BYTES: "256MiB" }, 64 * GiB)).toBe(256 * 1024 ** 2);
    expect(defaultMaxFrameBytes({ SLUICE_MAX_FRAME_BYTES: " " }, 8 * GiB)).toBe(2 * GiB);
  });

  it("refuses a variable that is not a size, naming it and its value", () => {
    let err: unknown;
    try {
      defaultMaxFrameBytes({ SLUICE_MAX_FRAME_BYTES: "big" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SluiceError);
    expect((err as SluiceError).code).toBe("E_USAGE");
    expect((err as SluiceError).message).toContain(
      'SLUICE_MAX_FRAME_BYTES must be a size such as 2GB or 536870912, got "big"',
    );
  });

  it("estimates 8 bytes per numeric or categorical cell and 48 per text cell", () => {
    expect(estimateFrameBytes(1000, ["numeric", "categorical", "text"])).toBe(1000 * (8 + 8 + 48));
  });

  it("formats byte counts for messages", () => {
    expect(formatBytes(512)).toBe("512 bytes");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(5 * GiB)).toBe("5.0 GiB");
    expect(formatBytes(300 * 1024 ** 2)).toBe("300 MiB");
  });

  it("words the refusal with the file size, the estimate, the budget and the ways out", () => {
    const e = tooLargeError({
      file: "big.csv",
      fileBytes: 3 * GiB,
      rows: 50_000_000,
      columns: 20,
      estimate: 8 * GiB,
      budget: 4 * GiB,
      atLeast: false,
    });
    expect(e.code).toBe("E_DATA_TOO_LARGE");
    expect(e.message).toBe(
      "big.csv (3.0 GiB on disk, 50,000,000 rows × 20 columns) would need about 8.0 GiB in memory, more than the budget of 4.0 GiB",
    );
    expect(e.hint).toContain("data.sample_rows");
    expect(e.hint).toContain("SLUICE_MAX_FRAME_BYTES");
  });
});
