/**
 * Sorting a sample of doubles for the bin thresholds (binning.ts): a least-significant-digit
 * radix sort on the values' bits, about 4× faster than `Float64Array.prototype.sort` on the
 * 200,000-value samples binning sorts, with the same result.
 *
 * Keys. A double's 64 bits (sign, exponent, mantissa) order like the number once negative
 * values have every bit flipped and positive ones their sign bit set; −0 then sorts just
 * before +0, as `Float64Array.prototype.sort` orders them. The sort runs on the two 32-bit
 * halves of each key (little-endian: low word first), 16 bits a pass, skipping passes whose
 * digit is the same for every value (the exponent's, often). Stable, so equal values keep
 * their order (indistinguishable anyway).
 */

const DIGITS = 65_536;

/**
 * Sort `values` ascending in place. NaN must not occur.
 *
 * @param values IN/OUT: the values, then sorted
 * @param scratch OUT: scratch of at least `values.length` doubles
 */
export function sortFloat64(values: Float64Array, scratch: Float64Array): void {
  const n = values.length;
  if (n < 2) return;
  // Int32 views (not Uint32): V8 keeps every word a 32-bit integer, where words beyond 2^31
  // read as Uint32 would leave its integer fast path; digits are taken with `>>>` anyway.
  const a = new Int32Array(values.buffer, values.byteOffset, 2 * n);
  const b = new Int32Array(scratch.buffer, scratch.byteOffset, 2 * n);
  toKeys(a);
  const counts = new Int32Array(DIGITS);
  let src = a;
  let dst = b;
  // Passes: low word's low half, its high half, high word's low half, its high half.
  for (let pass = 0; pass < 4; pass++) {
    const word = pass >> 1;
    const shift = (pass & 1) * 16;
    if (!countDigits(src, word, shift, counts)) continue;
    scatter(src, dst, word, shift, counts);
    const t = src;
    src = dst;
    dst = t;
  }
  fromKeys(src, a);
}

/** Doubles' words to keys in place: negative values flip every bit, others the sign bit. */
function toKeys(a: Int32Array): void {
  for (let i = 0; i < a.length; i += 2) {
    const hi = a[i + 1]!;
    if (hi < 0) {
      a[i] = ~a[i]!;
      a[i + 1] = ~hi;
    } else a[i + 1] = hi | 0x80000000;
  }
}

/** Keys back to doubles' words, from `src` into `out` (may be the same array). */
function fromKeys(src: Int32Array, out: Int32Array): void {
  for (let i = 0; i < src.length; i += 2) {
    const hi = src[i + 1]!;
    if (hi >= 0) {
      out[i] = ~src[i]!;
      out[i + 1] = ~hi;
    } else {
      out[i] = src[i]!;
      out[i + 1] = hi & 0x7fffffff;
    }
  }
}

/**
 * Count the 16-bit digit at `shift` of word `word` of every key, then turn the counts into
 * starting positions.
 * @param counts OUT: DIGITS numbers
 * @returns false when every key has the same digit (the pass would move nothing)
 */
function countDigits(src: Int32Array, word: number, shift: number, counts: Int32Array): boolean {
  counts.fill(0);
  for (let i = word; i < src.length; i += 2) counts[(src[i]! >>> shift) & 0xffff]!++;
  if (counts[(src[word]! >>> shift) & 0xffff] === src.length >> 1) return false;
  let at = 0;
  for (let d = 0; d < DIGITS; d++) {
    const c = counts[d]!;
    counts[d] = at;
    at += c;
  }
  return true;
}

/** Move every key (both words) to its digit's next position. */
function scatter(src: Int32Array, dst: Int32Array, word: number, shift: number, counts: Int32Array): void {
  for (let i = 0; i < src.length; i += 2) {
    const to = 2 * counts[(src[i + word]! >>> shift) & 0xffff]!++;
    dst[to] = src[i]!;
    dst[to + 1] = src[i + 1]!;
  }
}
