/**
 * The streaming driver shared by the generators: rows are drawn into one reused batch of typed
 * arrays and turned into CSV text a chunk at a time, so a file of any length is written in
 * constant memory.
 */
import { CHUNK_ROWS } from "./draw.js";

/** One example's rows, drawn batch by batch in a fixed order. */
export interface BatchSource<B> {
  /** A batch able to hold `capacity` rows. */
  alloc(capacity: number): B;
  /** Draw the next `count` rows into the first `count` slots of `batch`. */
  fill(batch: B, count: number): void;
  /** The CSV lines of the first `count` rows of `batch`; `firstRow` is the 0-based index of the first. */
  format(batch: B, count: number, firstRow: number): string;
}

/** The header line, then the rows in chunks of {@link CHUNK_ROWS}. */
export function* csvChunks<B>(
  columns: readonly string[],
  source: BatchSource<B>,
  rows: number,
): Generator<string> {
  yield `${columns.join(",")}\n`;
  const batch = source.alloc(Math.min(rows, CHUNK_ROWS));
  for (let done = 0; done < rows;) {
    const count = Math.min(CHUNK_ROWS, rows - done);
    source.fill(batch, count);
    yield source.format(batch, count, done);
    done += count;
  }
}

/** All `rows` rows in one batch (for tests and checks of the signal; allocates per row count). */
export function drawAll<B>(source: BatchSource<B>, rows: number): B {
  const batch = source.alloc(rows);
  source.fill(batch, rows);
  return batch;
}
