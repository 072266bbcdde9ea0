/**
 * Finding fully repeated rows without building a string per row. Each row gets a 52-bit hash,
 * accumulated column by column over typed arrays; only rows whose hash occurs more than once are
 * compared cell by cell, so a hash collision can never report a false duplicate.
 */
import type { Column, Frame } from "../data/frame.js";
import { RowCollector } from "./outcome.js";

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** One murmur3 mixing round of `x` into `h`. */
function mix(h: number, x: number): number {
  let k = Math.imul(x, 0xcc9e2d51);
  k = rotl(k, 15);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = rotl(h, 13);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** An independent second hash (FNV-1a style, with a final avalanche at the end). */
function mix2(h: number, x: number): number {
  return Math.imul(h ^ x, 0x01000193) ^ (x >>> 16);
}

const MISSING_CODE = 0x5bd1e995;

/** Fold column `c` into the per-row hashes h1, h2. IN: c. IN/OUT: h1, h2. */
function hashColumn(c: Column, h1: Int32Array, h2: Int32Array): void {
  const n = h1.length;
  if (c.kind === "numeric") {
    const v = c.values;
    for (let i = 0; i < n; i++) {
      const x = v[i]!;
      // One bit pattern for every NaN and for ±0: equal cells must hash equal.
      f64[0] = x !== x ? NaN : x === 0 ? 0 : x;
      h1[i] = mix(mix(h1[i]!, u32[0]!), u32[1]!);
      h2[i] = mix2(mix2(h2[i]!, u32[1]!), u32[0]!);
    }
  } else if (c.kind === "categorical") {
    const codes = c.codes;
    for (let i = 0; i < n; i++) {
      const g = codes[i]!;
      h1[i] = mix(h1[i]!, g);
      h2[i] = mix2(h2[i]!, g);
    }
  } else {
    const vals = c.values;
    for (let i = 0; i < n; i++) {
      const s = vals[i];
      let a = h1[i]!;
      let b = h2[i]!;
      if (s === null || s === undefined) {
        a = mix(a, MISSING_CODE);
        b = mix2(b, MISSING_CODE);
      } else {
        for (let j = 0; j < s.length; j++) {
          const ch = s.charCodeAt(j);
          a = mix(a, ch);
          b = mix2(b, ch);
        }
        a = mix(a, s.length);
        b = mix2(b, s.length);
      }
      h1[i] = a;
      h2[i] = b;
    }
  }
}

function cellsEqual(c: Column, a: number, b: number): boolean {
  if (c.kind === "numeric") {
    const x = c.values[a]!;
    const y = c.values[b]!;
    return x === y || (x !== x && y !== y);
  }
  if (c.kind === "categorical") return c.codes[a] === c.codes[b];
  return (c.values[a] ?? null) === (c.values[b] ?? null);
}

function rowsEqual(columns: readonly Column[], a: number, b: number): boolean {
  for (const c of columns) if (!cellsEqual(c, a, b)) return false;
  return true;
}

/**
 * Rows that repeat an earlier row in every column, as pandas' `duplicated(keep="first")`.
 *
 * OUT: rows — the repeating rows, ascending; firstOf — for each, the row it repeats (same order).
 */
export function duplicateRows(frame: Frame): { rows: Int32Array; firstOf: Int32Array } {
  const n = frame.nRows;
  const h1 = new Int32Array(n);
  const h2 = new Int32Array(n).fill(0x811c9dc5 | 0);
  for (const c of frame.columns) hashColumn(c, h1, h2);
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let b = h2[i]!;
    b ^= b >>> 15;
    b = Math.imul(b, 0x85ebca6b);
    b ^= b >>> 13;
    keys[i] = (h1[i]! >>> 0) * 1048576 + ((b >>> 12) & 0xfffff);
  }
  const sorted = keys.slice().sort();
  const repeated = new Set<number>();
  for (let i = 1; i < n; i++) if (sorted[i] === sorted[i - 1]) repeated.add(sorted[i]!);
  const rows = new RowCollector();
  const first = new RowCollector();
  if (repeated.size === 0) return { rows: rows.finish(), firstOf: first.finish() };
  // Rows sharing a key, grouped by their distinct content (more than one group only on a collision).
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const key = keys[i]!;
    if (!repeated.has(key)) continue;
    const reps = groups.get(key);
    if (reps === undefined) {
      groups.set(key, [i]);
      continue;
    }
    let match = -1;
    for (const r of reps)
      if (rowsEqual(frame.columns, r, i)) {
        match = r;
        break;
      }
    if (match < 0) reps.push(i);
    else {
      rows.push(i);
      first.push(match);
    }
  }
  return { rows: rows.finish(), firstOf: first.finish() };
}
