import { describe, expect, it } from "vitest";
import { Random } from "../../data/random.js";
import { sortFloat64 } from "./sort.js";

function sorted(values: Float64Array): Float64Array {
  const out = values.slice();
  sortFloat64(out, new Float64Array(out.length));
  return out;
}

/** Same bits, position by position (toEqual does not tell −0 from +0). */
function expectSameBits(a: Float64Array, b: Float64Array): void {
  expect(new Uint32Array(a.buffer)).toEqual(new Uint32Array(b.buffer));
}

describe("radix sort of doubles", () => {
  it("sorts as Float64Array.prototype.sort does, over signs, magnitudes, ties and zeros", () => {
    const rng = new Random(5);
    for (const n of [0, 1, 2, 17, 5000]) {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const kind = rng.int(8);
        values[i] =
          kind === 0
            ? 0
            : kind === 1
              ? -0
              : kind === 2
                ? (rng.next() < 0.5 ? -1 : 1) * Infinity
                : kind === 3
                  ? Math.round(rng.normal() * 3)
                  : kind === 4
                    ? rng.normal() * 1e-310
                    : kind === 5
                      ? rng.normal() * 1e300
                      : rng.normal();
      }
      expectSameBits(sorted(values), values.slice().sort());
    }
  });

  it("sorts values that share their exponent, and a constant sample", () => {
    const rng = new Random(6);
    const close = Float64Array.from({ length: 3000 }, () => 1 + rng.next());
    expectSameBits(sorted(close), close.slice().sort());
    const constant = new Float64Array(100).fill(-2.5);
    expectSameBits(sorted(constant), constant);
  });

  it("sorts a view inside a larger buffer without touching the rest", () => {
    const all = Float64Array.from({ length: 10 }, (_, i) => 10 - i);
    const view = all.subarray(2, 8);
    sortFloat64(view, new Float64Array(6));
    expect([...all]).toEqual([10, 9, 3, 4, 5, 6, 7, 8, 2, 1]);
  });
});
