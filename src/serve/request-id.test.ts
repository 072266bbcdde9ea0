import { describe, expect, it } from "vitest";
import { requestIds } from "./request-id.js";

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("requestIds", () => {
  it("makes version-7 UUIDs that start with the time in milliseconds", () => {
    const id = requestIds(() => 1_733_500_000_123)();
    expect(id).toMatch(UUID_V7);
    expect(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(1_733_500_000_123);
  });

  it("makes ids that only increase: within a millisecond, past the counter's limit, and when the clock goes back", () => {
    const times = [
      ...Array.from({ length: 5000 }, () => 1_000),
      ...Array.from({ length: 10 }, (_, i) => 1_001 + i),
      ...Array.from({ length: 10 }, () => 900),
    ];
    let i = 0;
    const next = requestIds(() => times[i++]!);
    const ids = times.map(() => next());
    for (const id of ids) expect(id).toMatch(UUID_V7);
    for (let k = 1; k < ids.length; k++) expect(ids[k]! > ids[k - 1]!).toBe(true);
  });

  it("gives two generators different ids at the same time", () => {
    const a = requestIds(() => 5)();
    const b = requestIds(() => 5)();
    expect(a).not.toBe(b);
    expect(a.slice(0, 18)).toBe(b.slice(0, 18));
  });
});
