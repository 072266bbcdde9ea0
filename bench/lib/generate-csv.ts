/**
 * A synthetic CSV for load benchmarks, generated deterministically from a seed: the same
 * arguments write the same bytes on every machine.
 *
 * Columns (20): `id` (unique text), 12 numeric (`int_0`…`int_3` integers, `num_0`…`num_7`
 * decimals; the first three of each carry about 5% blanks), 6 categorical (`cat_0`…`cat_5`,
 * 3 to 50 levels, about 2% blanks) and a 0/1 `target`.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { Random } from "../../src/data/random.js";

const LEVELS: readonly (readonly string[])[] = [
  ["A", "B", "C"],
  ["red", "green", "blue", "yellow"],
  Array.from({ length: 12 }, (_, i) => `region_${i + 1}`),
  ["Month-to-month", "One year", "Two year"],
  ["Electronic check", "Mailed check", "Bank transfer (automatic)", "Credit card (automatic)"],
  Array.from(
    { length: 50 },
    (_, i) => `product line ${String.fromCharCode(65 + (i % 26))}${Math.floor(i / 26)}`,
  ),
];

/** The column names of the generated file, in order. */
export const GENERATED_COLUMNS: readonly string[] = [
  "id",
  ...Array.from({ length: 4 }, (_, i) => `int_${i}`),
  ...Array.from({ length: 8 }, (_, i) => `num_${i}`),
  ...LEVELS.map((_, i) => `cat_${i}`),
  "target",
];

/** Write `rows` rows to `path`; returns the number of bytes written. */
export function generateCsv(path: string, rows: number, seed = 7): number {
  const rng = new Random(seed);
  const fd = openSync(path, "w");
  let bytes = 0;
  let block = `${GENERATED_COLUMNS.join(",")}\n`;
  try {
    for (let r = 0; r < rows; r++) {
      let line = `C${(r * 2654435761) >>> 0}-${r}`;
      let score = 0;
      for (let j = 0; j < 4; j++) {
        const blank = j < 3 && rng.next() < 0.05;
        const v = rng.int(1000);
        score += j === 0 ? v / 1000 : 0;
        line += blank ? "," : `,${v}`;
      }
      for (let j = 0; j < 8; j++) {
        const blank = j < 3 && rng.next() < 0.05;
        const v = Math.round(rng.normal(50, 20) * 1000) / 1000;
        score += j === 0 ? (v - 50) / 20 : 0;
        line += blank ? "," : `,${v}`;
      }
      for (const levels of LEVELS) line += rng.next() < 0.02 ? "," : `,${levels[rng.int(levels.length)]!}`;
      line += rng.next() < 1 / (1 + Math.exp(-(score - 0.5))) ? ",1\n" : ",0\n";
      block += line;
      if (block.length >= 1 << 20) {
        bytes += writeSync(fd, block);
        block = "";
      }
    }
    bytes += writeSync(fd, block);
  } finally {
    closeSync(fd);
  }
  return bytes;
}
