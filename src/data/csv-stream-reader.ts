/**
 * Reading a file in blocks for {@link CsvTokenizer}: one buffer, refilled in place, so memory
 * stays the same whatever the file's size. Bytes not yet taken (a row cut by the end of the
 * buffer) move to its front before the next read; the buffer grows only when one row is larger
 * than it.
 *
 * A UTF-8 byte order mark is skipped. A file starting with the UTF-16LE mark is converted to
 * UTF-8 as it is read, so the tokenizer always sees UTF-8 (csv-parse reads such a file as UTF-16
 * text too).
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { TextDecoder } from "node:util";
import { SluiceError } from "../errors.js";

export interface CsvFileReaderOptions {
  /** The buffer's starting size in bytes. Default 4 MiB. */
  bufferBytes?: number;
}

/**
 * A file's bytes, a buffer at a time.
 *
 * @example
 * const reader = new CsvFileReader("big.csv");
 * try {
 *   for (reader.fill(); ; reader.fill()) {
 *     reader.start = tokenizer.tokenize(reader.buf, reader.start, reader.end, reader.eof, block);
 *     // … use block, then block.n = 0
 *     if (reader.eof && reader.start >= reader.end) break;
 *   }
 * } finally {
 *   reader.close();
 * }
 */
export class CsvFileReader {
  /** The bytes: `buf[start, end)` are read and not yet taken. Replaced when it grows. */
  buf: Buffer;
  start = 0;
  end = 0;
  /** Whether `end` is the end of the file. */
  eof = false;
  /** The file's size in bytes. */
  readonly size: number;
  /** How many times the buffer grew (a row larger than it). */
  grown = 0;
  private fd: number | undefined;
  /** The next byte of the file to read. */
  private filePos = 0;
  private utf16: TextDecoder | undefined;
  private raw: Buffer | undefined;

  /** @throws SluiceError E_FILE_NOT_FOUND when the file cannot be opened */
  constructor(
    readonly path: string,
    options: CsvFileReaderOptions = {},
  ) {
    const bytes = options.bufferBytes ?? 1 << 22;
    if (!Number.isInteger(bytes) || bytes < 16)
      throw new SluiceError("E_INTERNAL", `CsvFileReader: bufferBytes must be an integer ≥ 16, got ${bytes}`);
    try {
      this.fd = openSync(path, "r");
      this.size = fstatSync(this.fd).size;
    } catch (err) {
      if (this.fd !== undefined) closeSync(this.fd);
      throw new SluiceError("E_FILE_NOT_FOUND", `cannot open ${path}`, {
        cause: err,
        details: { path },
        hint: "check the path and that the file is readable",
      });
    }
    this.buf = Buffer.allocUnsafe(bytes);
    // The byte order mark is looked for only in a file of 3 bytes or more, as csv-parse does.
    const head = Buffer.alloc(3);
    const got = readSync(this.fd, head, 0, 3, 0);
    if (got === 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) this.filePos = 3;
    else if (got === 3 && head[0] === 0xff && head[1] === 0xfe) {
      this.filePos = 2;
      this.utf16 = new TextDecoder("utf-16le");
    }
  }

  /** Bytes of the file read so far (for progress). */
  get bytesRead(): number {
    return this.filePos;
  }

  /**
   * Move the bytes not yet taken to the front and read as many more as fit (none at the end of
   * the file). When the untaken bytes fill the whole buffer (one row larger than it), the buffer
   * doubles first.
   */
  fill(): void {
    if (this.fd === undefined) throw new SluiceError("E_INTERNAL", `read from ${this.path} after close`);
    const keep = this.end - this.start;
    if (this.start > 0) this.buf.copyWithin(0, this.start, this.end);
    this.start = 0;
    this.end = keep;
    if (this.eof) return;
    if (keep === this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, keep);
      this.buf = bigger;
      this.grown++;
    }
    if (this.utf16 === undefined) this.readBytes();
    else this.readUtf16(this.utf16);
  }

  private readBytes(): void {
    const buf = this.buf;
    while (this.end < buf.length) {
      const got = readSync(this.fd!, buf, this.end, buf.length - this.end, this.filePos);
      if (got === 0) {
        this.eof = true;
        return;
      }
      this.end += got;
      this.filePos += got;
    }
  }

  /** Two bytes of UTF-16 become at most three of UTF-8: read half the free space, convert. */
  private readUtf16(decoder: TextDecoder): void {
    const room = this.buf.length - this.end;
    const want = Math.max(2, Math.floor((room - 4) / 2) & ~1);
    if (this.raw === undefined || this.raw.length < want) this.raw = Buffer.allocUnsafe(want);
    const got = readSync(this.fd!, this.raw, 0, want, this.filePos);
    this.filePos += got;
    const text = got === 0 ? decoder.decode() : decoder.decode(this.raw.subarray(0, got), { stream: true });
    if (got === 0) this.eof = true;
    const bytes = Buffer.from(text, "utf8");
    if (this.end + bytes.length > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.end + bytes.length));
      this.buf.copy(bigger, 0, 0, this.end);
      this.buf = bigger;
    }
    bytes.copy(this.buf, this.end);
    this.end += bytes.length;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
