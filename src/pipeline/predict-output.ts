/**
 * Batch scoring output: the prediction columns of each row, formatted straight into a byte
 * buffer; the input lines of a chunk kept while it is scored; and an atomic file writer for
 * bytes (temporary file beside the target, fsync, rename: the output appears complete or not at
 * all).
 *
 * Labels, risk levels and the separators are encoded once; a row's only new string is the
 * shortest round-trip text of each probability (`String(x)`, the same text `formatCsvField`
 * writes).
 */
import { formatCsvField } from "../data/csv-write.js";
import { AtomicFile } from "../util/fs.js";
import type { ModelBundle } from "./bundle.js";

/** A growable byte buffer written at `pos`: callers `reserve` room, then write. */
export class ByteBuffer {
  buf: Buffer;
  pos = 0;

  constructor(bytes = 1 << 16) {
    this.buf = Buffer.allocUnsafe(bytes);
  }

  /** Make room for `n` more bytes at `pos`. */
  reserve(n: number): void {
    if (this.pos + n > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
      this.buf.copy(bigger, 0, 0, this.pos);
      this.buf = bigger;
    }
  }

  /** Append ASCII text (room reserved by the caller). */
  ascii(s: string): void {
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Append any text as UTF-8. */
  text(s: string): void {
    this.reserve(s.length * 3);
    this.pos += this.buf.write(s, this.pos, "utf8");
  }

  /** Append `src[start, end)` (room reserved by the caller). */
  copy(src: Uint8Array, start: number, end: number): void {
    const buf = this.buf;
    let p = this.pos;
    if (end - start > 64) {
      buf.set(src.subarray(start, end), p);
      p += end - start;
    } else for (let i = start; i < end; i++) buf[p++] = src[i]!;
    this.pos = p;
  }
}

/**
 * Bytes to a file, atomically. The buffer goes to the file whenever it holds a block.
 */
export class AtomicByteWriter extends ByteBuffer {
  private readonly file: AtomicFile;

  /** @throws SluiceError E_WRITE when the folder or the temporary file cannot be made */
  constructor(
    readonly path: string,
    private readonly blockBytes = 1 << 20,
  ) {
    super(blockBytes * 2);
    this.file = new AtomicFile(path);
  }

  /** Make room for `n` more bytes at `pos` (writing out a full block first). */
  override reserve(n: number): void {
    if (this.pos >= this.blockBytes) this.flush();
    super.reserve(n);
  }

  private flush(): void {
    this.file.write(this.buf, 0, this.pos);
    this.pos = 0;
  }

  /** Write out the rest, fsync and move the file into place. */
  commit(): void {
    this.flush();
    this.file.commit();
  }

  /** Throw away everything written; the target is left untouched. */
  abort(): void {
    this.file.abort();
  }
}

/**
 * The input part of a chunk's output lines, kept while the chunk is scored (the input buffer
 * moves on meanwhile): line q is `bytes[ends[q - 1], ends[q])`.
 */
export class StagedLines {
  readonly bytes = new ByteBuffer(1 << 20);
  readonly ends: Int32Array;
  n = 0;

  constructor(capacity: number) {
    this.ends = new Int32Array(capacity);
  }

  /** End the line being written. */
  endLine(): void {
    this.ends[this.n++] = this.bytes.pos;
  }

  clear(): void {
    this.n = 0;
    this.bytes.pos = 0;
  }

  /** Write the lines, each followed by its prediction fields (outputs of line q at `out[q × width]`) and a line end. */
  writeTo(w: AtomicByteWriter, columns: PredictionColumns, out: Float64Array): void {
    const src = this.bytes.buf;
    const ends = this.ends;
    const width = columns.width;
    const room = columns.room + 1;
    let start = 0;
    for (let q = 0; q < this.n; q++) {
      const end = ends[q]!;
      w.reserve(end - start + room);
      w.copy(src, start, end);
      columns.write(w, out, q * width);
      w.buf[w.pos++] = 0x0a;
      start = end;
    }
  }
}

/** The longest text of one formatted number ("-1.2345678901234567e-308"). */
const NUMBER_ROOM = 26;

/** A number as `formatCsvField` writes it: shortest round trip, "-0" kept, NaN empty. */
function writeNumber(out: ByteBuffer, x: number): void {
  if (x !== x) return;
  out.ascii(x === 0 && 1 / x < 0 ? "-0" : String(x));
}

/** What the prediction columns are and how a row of model outputs fills them. */
export class PredictionColumns {
  /** The added column names. */
  readonly header: readonly string[];
  /** Model outputs per row (K probabilities, or 1 value). */
  readonly width: number;
  /** Bytes one row's prediction fields can take at most. */
  readonly room: number;
  private readonly regression: boolean;
  private readonly K: number;
  /** Index of the positive class (binary with a known positive label), else -1. */
  private readonly positive: number;
  /** ",label" per class, UTF-8. */
  private readonly labels: readonly Buffer[];
  /** Risk levels, highest lower bound first, and ",name" of each. */
  private readonly riskBounds: Float64Array;
  private readonly riskNames: readonly Buffer[];

  constructor(bundle: ModelBundle) {
    const { model, serving } = bundle;
    this.regression = model.task === "regression";
    const classes = this.regression ? [] : (model.classes ?? serving?.classes ?? []);
    const positiveLabel = serving?.positive ?? classes[1];
    this.positive = classes.length === 2 && positiveLabel !== undefined ? classes.indexOf(positiveLabel) : -1;
    const risk =
      this.positive >= 0 ? Object.entries(serving?.serve.risk ?? {}).sort((a, b) => b[1] - a[1]) : [];
    this.K = classes.length;
    this.labels = classes.map((c) => Buffer.from(`,${formatCsvField(c)}`, "utf8"));
    this.riskBounds = Float64Array.from(risk.map((r) => r[1]));
    this.riskNames = risk.map((r) => Buffer.from(`,${formatCsvField(r[0])}`, "utf8"));
    if (this.regression) {
      this.header = ["prediction"];
      this.width = 1;
      this.room = NUMBER_ROOM + 2;
    } else {
      this.header = [
        "prediction",
        ...(this.positive >= 0 ? ["probability"] : classes.map((c) => `probability_${c}`)),
        "confidence",
        ...(risk.length > 0 ? ["risk"] : []),
      ];
      this.width = this.K;
      const longest = (list: readonly Buffer[]) => list.reduce((m, b) => Math.max(m, b.length), 0);
      this.room = longest(this.labels) + longest(this.riskNames) + (this.K + 2) * (NUMBER_ROOM + 1) + 2;
    }
  }

  /**
   * Append the prediction fields of one row (each with its leading comma) from its outputs at
   * `out[at, at + width)`. Room for {@link room} bytes must be reserved.
   */
  write(w: ByteBuffer, out: Float64Array, at: number): void {
    if (this.regression) {
      w.buf[w.pos++] = 0x2c;
      writeNumber(w, out[at]!);
      return;
    }
    const K = this.K;
    let best = 0;
    for (let k = 1; k < K; k++) if (out[at + k]! > out[at + best]!) best = k;
    const label = this.labels[best]!;
    w.copy(label, 0, label.length);
    if (this.positive >= 0) {
      w.buf[w.pos++] = 0x2c;
      const from = w.pos;
      writeNumber(w, out[at + this.positive]!);
      const to = w.pos;
      w.buf[w.pos++] = 0x2c;
      // The confidence of a positive prediction is the probability: copy its text.
      if (best === this.positive) w.copy(w.buf, from, to);
      else writeNumber(w, out[at + best]!);
    } else {
      for (let k = 0; k < K; k++) {
        w.buf[w.pos++] = 0x2c;
        writeNumber(w, out[at + k]!);
      }
      w.buf[w.pos++] = 0x2c;
      writeNumber(w, out[at + best]!);
    }
    const bounds = this.riskBounds;
    if (bounds.length > 0) {
      // The highest level whose lower bound is ≤ p; none (an empty field) below every bound.
      const p = out[at + this.positive]!;
      let level = -1;
      for (let r = 0; r < bounds.length; r++)
        if (bounds[r]! <= p) {
          level = r;
          break;
        }
      if (level < 0) w.buf[w.pos++] = 0x2c;
      else {
        const name = this.riskNames[level]!;
        w.copy(name, 0, name.length);
      }
    }
  }
}
