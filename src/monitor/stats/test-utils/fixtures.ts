/**
 * Reading the SciPy reference fixtures written by scripts/fixtures/monitor_stats.py, and the
 * seeded data generator both sides share.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Random } from "../../../data/random.js";

/** JSON has no NaN or Infinity: the fixtures write them as strings. */
export type FixtureNumber = number | "NaN" | "Infinity" | "-Infinity";

export function fixtureNumber(x: FixtureNumber | null): number {
  if (x === null || x === "NaN") return NaN;
  if (x === "Infinity") return Infinity;
  if (x === "-Infinity") return -Infinity;
  return x;
}

export function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", name), "utf8")) as T;
}

/** A generated sample: loc + scale·(u₁ + u₂ + u₃ + u₄ − 2), optionally floored to a step, some NaN. */
export interface GeneratorSpec {
  seed: number;
  n: number;
  loc: number;
  scale: number;
  step?: number;
  missing?: number;
}

/** The same values as generate() in scripts/fixtures/monitor_stats.py (IEEE-exact operations only). */
export function generate(spec: GeneratorSpec): Float64Array {
  const rng = new Random(spec.seed);
  const out = new Float64Array(spec.n);
  const missing = spec.missing ?? 0;
  for (let i = 0; i < spec.n; i++) {
    if (missing > 0 && rng.next() < missing) {
      out[i] = NaN;
      continue;
    }
    const u = rng.next() + rng.next() + rng.next() + rng.next();
    let x = spec.loc + spec.scale * (u - 2);
    if (spec.step !== undefined) x = Math.floor(x / spec.step) * spec.step;
    out[i] = x;
  }
  return out;
}

/** |actual − expected| / |expected|, with 0 for two zeros and Infinity for a zero against a non-zero. */
export function relativeError(actual: number, expected: number): number {
  if (actual === expected) return 0;
  if (Number.isNaN(actual) && Number.isNaN(expected)) return 0;
  return Math.abs(actual - expected) / Math.abs(expected);
}
