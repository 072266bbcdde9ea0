/**
 * A streaming CSV tokenizer over bytes, for hot paths that read files far larger than memory
 * (batch scoring). It finds field boundaries in a byte buffer and records them in typed arrays,
 * one block of rows at a time; it makes no string and no object per row or field. Callers parse
 * the fields they need straight from the bytes and decode text only when they must.
 *
 * It reads CSV as csv-parse does with `{ bom: true, relax_column_count: true,
 * skip_empty_lines: true }` (the reader of `sluice predict` before this one), so a file gives the
 * same records under both:
 *
 * - RFC 4180 quoting: a field that starts with `"` runs to the next lone `"`; `""` inside it is
 *   one quote; delimiters and line breaks inside it are text. A quote inside an unquoted field,
 *   a closing quote followed by anything but a delimiter, a line break or the end, and a quote
 *   left open at the end are errors (E_DATA_UNREADABLE). A NUL byte after a closing quote is
 *   taken as text, as csv-parse does.
 * - The record delimiter is the first line break outside quotes: `\r\n`, `\n` or `\r`. Other
 *   line-break bytes are text (so `\r` before `\n` in a `\n` file stays in the last field).
 * - Lines with no bytes are skipped and not counted; a last line without a line break counts.
 * - Rows may have any number of fields; the first `width` are stored, the rest only counted.
 * - One delimiter byte (`,` by default; `;`, tab, `|` …).
 */
import { TextDecoder } from "node:util";
import { SluiceError } from "../errors.js";

/** The field was quoted: start/end bound the text between the quotes. */
export const FIELD_QUOTED = 1;
/** The text needs {@link fieldText} to decode: it holds doubled quotes, or bytes after the closing quote. */
export const FIELD_ESCAPED = 2;
/** The field holds a byte ≥ 0x80 (UTF-8 text beyond ASCII, or invalid bytes). */
export const FIELD_NON_ASCII = 4;
/**
 * Written back as CSV the field would change: it holds a comma, a line break or another control
 * byte, or starts or ends with a space. A field with none of the four flags is plain ASCII that
 * `formatCsvField` writes back byte for byte.
 */
export const FIELD_SPECIAL = 8;

// Byte classes of the scanning loops.
const PLAIN = 0;
const DELIM = 1;
const QUOTE = 2;
const BREAK = 3;
const CONTROL = 4;
const HIGH = 5;

const LF = 0x0a;
const CR = 0x0d;
const QUOTE_BYTE = 0x22;
const COMMA = 0x2c;
const SPACE = 0x20;

// Record delimiters, once discovered.
const RD_UNKNOWN = 0;
const RD_LF = 1;
const RD_CR = 2;
const RD_CRLF = 3;

/**
 * A block of tokenized rows. Field j of row i is bytes `[start[k], end[k])` of the buffer it was
 * tokenized from, with k = j × capacity + i (column-major: a column's fields are contiguous).
 * The offsets stay valid until that buffer is refilled.
 */
export class CsvRowBlock {
  /** Rows held. */
  n = 0;
  readonly start: Int32Array;
  readonly end: Int32Array;
  /** FIELD_* bits per field. */
  readonly flags: Uint8Array;
  /** Fields per row, including any beyond `width`. */
  readonly fields: Int32Array;
  /** The row's bytes, without its record delimiter. */
  readonly rowStart: Int32Array;
  readonly rowEnd: Int32Array;
  /** FIELD_* bits of all the row's fields, or-ed. */
  readonly rowFlags: Uint8Array;

  constructor(
    /** Rows the block can hold. */
    readonly capacity: number,
    /** Fields stored per row. */
    readonly width: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1 || !Number.isInteger(width) || width < 1)
      throw new SluiceError("E_INTERNAL", `CsvRowBlock: bad size ${capacity} rows × ${width} fields`);
    this.start = new Int32Array(capacity * width);
    this.end = new Int32Array(capacity * width);
    this.flags = new Uint8Array(capacity * width);
    this.fields = new Int32Array(capacity);
    this.rowStart = new Int32Array(capacity);
    this.rowEnd = new Int32Array(capacity);
    this.rowFlags = new Uint8Array(capacity);
  }
}

export interface CsvTokenizerOptions {
  /** The field delimiter: one ASCII character other than a quote or a line break. Default ",". */
  delimiter?: string;
  /** The file's name in error messages. */
  source?: string;
}

/**
 * Tokenizes CSV bytes into {@link CsvRowBlock}s. State carried between calls is only what a
 * file fixes once (the record delimiter) and the line count for error messages, so a row cut by
 * the end of the buffer is simply tokenized again, whole, once more bytes are in.
 *
 * @example
 * const t = new CsvTokenizer();
 * const block = new CsvRowBlock(1024, header.length);
 * const next = t.tokenize(buf, pos, end, eof, block); // block.n rows; more from `next` on
 */
export class CsvTokenizer {
  /** Set by {@link tokenize}: it stopped at a row that the buffer does not hold whole. */
  needMore = false;
  /** The 1-based line the next row starts on (for error messages). */
  line = 1;
  private readonly cls = new Uint8Array(256);
  private readonly delimiter: number;
  /** The delimiter is a comma or a control byte: text holding it is quoted when written back. */
  private readonly quoteDelimiter: boolean;
  private readonly source: string;
  private rd = RD_UNKNOWN;

  constructor(options: CsvTokenizerOptions = {}) {
    const d = options.delimiter ?? ",";
    const code = d.charCodeAt(0);
    if (d.length !== 1 || code >= 0x80 || code === QUOTE_BYTE || code === LF || code === CR)
      throw new SluiceError(
        "E_USAGE",
        `a CSV delimiter must be one ASCII character, got ${JSON.stringify(d)}`,
        {
          hint: 'use "," (the default), ";", "|" or a tab; not a quote or a line break',
        },
      );
    this.delimiter = code;
    this.quoteDelimiter = code === COMMA || code < 0x20;
    this.source = options.source ?? "the CSV data";
    const cls = this.cls;
    for (let b = 0; b < 0x20; b++) cls[b] = CONTROL;
    for (let b = 0x80; b < 0x100; b++) cls[b] = HIGH;
    // A comma is text here, but must be quoted when written back as (comma-separated) CSV.
    cls[COMMA] = CONTROL;
    cls[LF] = BREAK;
    cls[CR] = BREAK;
    cls[QUOTE_BYTE] = QUOTE;
    cls[code] = DELIM;
  }

  /**
   * Tokenize whole rows of `buf[pos, end)` into `block` (from `block.n` on, until it is full).
   *
   * @param eof whether `end` is the end of the data (else a row running into `end` waits for more)
   * @returns the offset after the last row taken (and skipped empty lines): where to go on from
   * @throws SluiceError E_DATA_UNREADABLE on broken quoting, naming the line
   */
  tokenize(buf: Uint8Array, pos: number, end: number, eof: boolean, block: CsvRowBlock): number {
    const cls = this.cls;
    const delimiter = this.delimiter;
    const cap = block.capacity;
    const width = block.width;
    const fStart = block.start;
    const fEnd = block.end;
    const fFlags = block.flags;
    const quoteDelimiter = this.quoteDelimiter;
    let n = block.n;
    rows: while (n < cap) {
      if (pos >= end) break;
      const rowStart = pos;
      let p = pos;
      let j = 0;
      let rowFlags = 0;
      // One iteration per field; `rowEndAt` ≥ 0 once the record ends (at its delimiter or the end).
      let rowEndAt = -1;
      let next = -1;
      for (;;) {
        let s = p;
        let e = -1;
        let fl = 0;
        let fieldDone = false;
        if (p < end && buf[p] === QUOTE_BYTE) {
          fl = FIELD_QUOTED;
          p++;
          s = p;
          for (;;) {
            if (p >= end) {
              if (!eof) break rows;
              throw this.error(
                buf,
                rowStart,
                s - 1,
                "a quoted field that opens here is not closed before the end of the file",
              );
            }
            const b = buf[p]!;
            const c = cls[b]!;
            if (c === PLAIN) {
              p++;
            } else if (c === QUOTE) {
              if (p + 1 < end) {
                if (buf[p + 1] === QUOTE_BYTE) {
                  fl |= FIELD_ESCAPED;
                  p += 2;
                  continue;
                }
              } else if (!eof) break rows;
              break;
            } else if (c === HIGH) {
              fl |= FIELD_NON_ASCII;
              p++;
            } else {
              // A delimiter, comma, line break or control byte inside quotes is text.
              if (c !== DELIM || quoteDelimiter) fl |= FIELD_SPECIAL;
              p++;
            }
          }
          // p is at the closing quote.
          e = p;
          p++;
          if (p >= end) {
            if (!eof) break rows;
            rowEndAt = p;
            next = p;
            fieldDone = true;
          } else {
            const b = buf[p]!;
            if (b === delimiter) {
              p++;
              fieldDone = true;
            } else if (b === LF || b === CR) {
              const len = this.recordDelimiter(buf, p, end, eof);
              if (len < 0) break rows;
              if (len === 0) throw this.badClosingQuote(buf, rowStart, p);
              rowEndAt = p;
              next = p + len;
              fieldDone = true;
            } else if (b === 0) {
              // csv-parse ends the quote on a NUL and keeps the NUL and what follows as text.
              fl |= FIELD_ESCAPED;
            } else throw this.badClosingQuote(buf, rowStart, p);
          }
        }
        if (!fieldDone) {
          for (;;) {
            if (p >= end) {
              if (!eof) break rows;
              e = p;
              rowEndAt = p;
              next = p;
              break;
            }
            const b = buf[p]!;
            const c = cls[b]!;
            if (c === PLAIN) {
              p++;
            } else if (c === DELIM) {
              e = p;
              p++;
              break;
            } else if (c === BREAK) {
              const len = this.recordDelimiter(buf, p, end, eof);
              if (len < 0) break rows;
              if (len > 0) {
                e = p;
                rowEndAt = p;
                next = p + len;
                break;
              }
              fl |= FIELD_SPECIAL;
              p++;
            } else if (c === QUOTE) {
              throw this.error(
                buf,
                rowStart,
                p,
                "a quote inside an unquoted field (quote the whole field and double the quotes in it)",
              );
            } else {
              fl |= c === HIGH ? FIELD_NON_ASCII : FIELD_SPECIAL;
              p++;
            }
          }
        }
        // An empty line: no record, no row number (skip_empty_lines).
        if (j === 0 && rowEndAt >= 0 && e === rowStart && fl === 0) {
          pos = next;
          this.line++;
          continue rows;
        }
        if (e > s && (buf[s] === SPACE || buf[e - 1] === SPACE)) fl |= FIELD_SPECIAL;
        if (j < width) {
          const k = j * cap + n;
          fStart[k] = s;
          fEnd[k] = e;
          fFlags[k] = fl;
        }
        rowFlags |= fl;
        j++;
        if (rowEndAt >= 0) break;
      }
      block.fields[n] = j;
      block.rowStart[n] = rowStart;
      block.rowEnd[n] = rowEndAt;
      block.rowFlags[n] = rowFlags;
      n++;
      this.line += 1 + (rowFlags & FIELD_SPECIAL ? lineBreaks(buf, rowStart, rowEndAt) : 0);
      pos = next;
    }
    // Short of a full block before the end of the data: the next row is not whole in `buf`.
    this.needMore = n < cap && !eof;
    block.n = n;
    return pos;
  }

  /**
   * The length of the record delimiter at `p` (a CR or LF byte outside quotes): 1 or 2, 0 when
   * the byte is text, -1 when the bytes after `p` are needed to tell. The first line break
   * outside quotes fixes the delimiter for the whole file.
   */
  private recordDelimiter(buf: Uint8Array, p: number, end: number, eof: boolean): number {
    const b = buf[p];
    let rd = this.rd;
    if (rd === RD_UNKNOWN) {
      if (b === LF) rd = RD_LF;
      else if (p + 1 < end) rd = buf[p + 1] === LF ? RD_CRLF : RD_CR;
      else if (eof) rd = RD_CR;
      else return -1;
      this.rd = rd;
    }
    if (rd === RD_LF) return b === LF ? 1 : 0;
    if (rd === RD_CR) return b === CR ? 1 : 0;
    if (b !== CR) return 0;
    if (p + 1 < end) return buf[p + 1] === LF ? 2 : 0;
    return eof ? 0 : -1;
  }

  private badClosingQuote(buf: Uint8Array, rowStart: number, p: number): SluiceError {
    const got = buf[p]!;
    const shown = got >= 0x20 && got < 0x7f ? `"${String.fromCharCode(got)}"` : `byte 0x${got.toString(16)}`;
    return this.error(
      buf,
      rowStart,
      p,
      `a closing quote is followed by ${shown} instead of a delimiter or a line break`,
    );
  }

  private error(buf: Uint8Array, rowStart: number, p: number, what: string): SluiceError {
    const line = this.line + lineBreaks(buf, rowStart, p);
    return new SluiceError("E_DATA_UNREADABLE", `cannot read ${this.source} as CSV: line ${line}: ${what}`, {
      details: { line },
      hint: "check the quoting on that line: a field with a delimiter, quote or line break is quoted whole, and quotes in it are doubled",
    });
  }
}

/** Line breaks (LF, CRLF or a lone CR) in `buf[from, to)`. */
function lineBreaks(buf: Uint8Array, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) {
    const b = buf[i];
    if (b === LF || (b === CR && buf[i + 1] !== LF)) count++;
  }
  return count;
}

const decoder = new TextDecoder("utf-8");

/**
 * The text of one field, as csv-parse gives it: quotes removed, doubled quotes made single,
 * UTF-8 decoded (invalid bytes become U+FFFD).
 */
export function fieldText(buf: Uint8Array, start: number, end: number, flags: number): string {
  if ((flags & FIELD_ESCAPED) === 0) {
    if ((flags & FIELD_NON_ASCII) === 0) return latin1(buf, start, end);
    return decoder.decode(buf.subarray(start, end));
  }
  // Doubled quotes become one; a single quote is the closing one (only NUL-led text follows it).
  const out = new Uint8Array(end - start);
  let n = 0;
  for (let i = start; i < end; i++) {
    const b = buf[i]!;
    if (b === QUOTE_BYTE) {
      if (buf[i + 1] === QUOTE_BYTE && i + 1 < end) {
        out[n++] = QUOTE_BYTE;
        i++;
      }
      continue;
    }
    out[n++] = b;
  }
  return decoder.decode(out.subarray(0, n));
}

/** ASCII bytes as a string (short fields: a loop beats a native call). */
export function latin1(buf: Uint8Array, start: number, end: number): string {
  const len = end - start;
  if (len > 32) return Buffer.from(buf.buffer, buf.byteOffset + start, len).toString("latin1");
  let s = "";
  for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]!);
  return s;
}
