/**
 * A fixed set of strings, found from a field's UTF-8 bytes without decoding them: FNV-1a hash,
 * open addressing, byte compare. For the known values of a column (categories, allowed values),
 * looked up once per row.
 *
 * @example
 * const table = new ByteStringTable(["north", "south"]);
 * table.find(buf, start, end); // 0, 1, or -1
 */
export class ByteStringTable {
  readonly strings: readonly string[];
  private readonly slots: Int32Array;
  private readonly mask: number;
  private readonly bytes: Uint8Array;
  private readonly offset: Int32Array;
  private readonly byString: ReadonlyMap<string, number>;

  constructor(strings: readonly string[]) {
    this.strings = strings;
    this.byString = new Map(strings.map((s, i) => [s, i]));
    const encoded = strings.map((s) => Buffer.from(s, "utf8"));
    this.offset = new Int32Array(strings.length + 1);
    encoded.forEach((b, i) => (this.offset[i + 1] = this.offset[i]! + b.length));
    this.bytes = new Uint8Array(this.offset[strings.length] ?? 0);
    encoded.forEach((b, i) => this.bytes.set(b, this.offset[i]));
    let size = 8;
    while (size < strings.length * 2) size *= 2;
    this.mask = size - 1;
    this.slots = new Int32Array(size).fill(-1);
    encoded.forEach((b, i) => {
      let h = hashBytes(b, 0, b.length) & this.mask;
      while (this.slots[h] !== -1) h = (h + 1) & this.mask;
      this.slots[h] = i;
    });
  }

  /** The entry whose UTF-8 bytes are `buf[start, end)`, or -1. */
  find(buf: Uint8Array, start: number, end: number): number {
    const len = end - start;
    const { slots, mask, bytes, offset } = this;
    for (let h = hashBytes(buf, start, end) & mask; ; h = (h + 1) & mask) {
      const e = slots[h]!;
      if (e < 0) return -1;
      const o = offset[e]!;
      if (offset[e + 1]! - o !== len) continue;
      let k = 0;
      while (k < len && bytes[o + k] === buf[start + k]) k++;
      if (k === len) return e;
    }
  }

  /** The entry of a decoded string, or -1. */
  findString(s: string): number {
    return this.byString.get(s) ?? -1;
  }
}

function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  return h >>> 0;
}
