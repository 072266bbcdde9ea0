/**
 * Small helpers shared by the example generators: the logistic link, bounded draws and
 * deterministic text for numbers. Everything here is pure arithmetic on the values given, so
 * the same seed writes the same bytes on every machine.
 */
import type { Random } from "../random.js";

/** Rows generated and formatted per chunk: large enough to amortise the loop, small enough to stream. */
export const CHUNK_ROWS = 4096;

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/**
 * A normal draw redrawn until it falls in [lo, hi]. Redrawing (not clamping) keeps a smooth
 * density without a spike of values at the bounds.
 */
export function truncatedNormal(rng: Random, mean: number, sd: number, lo: number, hi: number): number {
  for (;;) {
    const x = rng.normal(mean, sd);
    if (x >= lo && x <= hi) return x;
  }
}

/** An exponential draw with the given mean. */
export function exponential(rng: Random, mean: number): number {
  return -mean * Math.log(1 - rng.next());
}

/**
 * A 32-bit hash of an integer key and a seed (splitmix-style finaliser). Gives per-entity
 * attributes (a user's home city) without storing a table that would grow with the data.
 */
export function hash32(key: number, seed: number): number {
  let z = (Math.imul(key | 0, 0x9e3779b1) ^ Math.imul(seed | 0, 0x85ebca77)) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** `prefix` + zero-padded number: `code("C", 7, 6)` → "C000007". Longer numbers keep all their digits. */
export function code(prefix: string, n: number, width: number): string {
  return prefix + String(n).padStart(width, "0");
}

/**
 * Fixed-decimal text of a finite number, or "" for NaN (a blank CSV cell). `toFixed` is
 * specified digit for digit by ECMAScript and ignores the locale, unlike `toLocaleString`.
 */
export function fixed(x: number, decimals: number): string {
  if (Number.isNaN(x)) return "";
  const s = x.toFixed(decimals);
  // -0.004 would print as "-0.00"; a reader would see a negative zero that the data never had.
  return s.charCodeAt(0) === 45 && Number(s) === 0 ? s.slice(1) : s;
}

/** An integer's text, or "" for NaN. */
export function integer(x: number): string {
  return Number.isNaN(x) ? "" : String(Math.round(x));
}
