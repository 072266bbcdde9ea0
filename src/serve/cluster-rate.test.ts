import { createRequire } from "node:module";
import { afterEach, describe, expect, it, vi } from "vitest";
import { RateCounts, type RateHit } from "./cluster-rate.js";

interface LocalStore {
  incr(key: string, cb: (err: Error | null, hit: RateHit) => void, timeWindow: number, max: number): void;
}
/** @fastify/rate-limit's own in-process store: the reference for the counting rule. */
const LocalStore = createRequire(import.meta.url)("@fastify/rate-limit/store/LocalStore") as new (
  continueExceeding: boolean,
  exponentialBackoff: boolean,
  cache?: number,
) => LocalStore;

afterEach(() => {
  vi.useRealTimers();
});

describe("RateCounts", () => {
  it("counts a key's requests in its window and opens a new window after it", () => {
    let now = 1_000;
    const counts = new RateCounts(100, () => now);
    expect(counts.hit("a", 500)).toEqual({ current: 1, ttl: 500 });
    now = 1_200;
    expect(counts.hit("a", 500)).toEqual({ current: 2, ttl: 300 });
    expect(counts.hit("b", 500)).toEqual({ current: 1, ttl: 500 });
    now = 1_499;
    expect(counts.hit("a", 500)).toEqual({ current: 3, ttl: 1 });
    now = 1_500;
    expect(counts.hit("a", 500)).toEqual({ current: 1, ttl: 500 });
    expect(counts.hit("b", 500)).toEqual({ current: 2, ttl: 200 });
  });

  it("agrees with @fastify/rate-limit's own store on a random stream of requests", () => {
    vi.useFakeTimers();
    vi.setSystemTime(1_700_000_000_000);
    const ours = new RateCounts(1_000);
    const theirs = new LocalStore(false, false, 1_000);
    let seed = 7;
    const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 20_000; i++) {
      vi.advanceTimersByTime(Math.floor(random() * 40));
      const key = `10.0.0.${Math.floor(random() * 20)}`;
      let expected: RateHit | undefined;
      theirs.incr(key, (_err, hit) => (expected = { current: hit.current, ttl: hit.ttl }), 1_000, 10);
      expect(ours.hit(key, 1_000), `request ${i} of ${key}`).toEqual(expected);
    }
  });

  it("keeps at most maxKeys keys: ended windows go first, then the oldest", () => {
    let now = 0;
    const counts = new RateCounts(3, () => now);
    counts.hit("a", 100);
    now = 50;
    counts.hit("b", 1_000);
    counts.hit("c", 1_000);
    now = 150; // a's window has ended
    counts.hit("d", 1_000);
    expect(counts.size).toBe(3);
    expect(counts.hit("b", 1_000).current).toBe(2);
    counts.hit("e", 1_000); // none ended: the oldest (b) goes
    expect(counts.size).toBe(3);
    expect(counts.hit("b", 1_000).current).toBe(1);
  });
});
