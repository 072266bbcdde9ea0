/**
 * Numbers straight from CSV bytes: the two number grammars of batch scoring (`toNumber` and
 * `toDatetime` in pipeline/predict-record.ts), parsed without making a string, to the same
 * double `Number(text)` gives.
 */
import { latin1 } from "./csv-stream.js";

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22,
];
const DIGIT_0 = 0x30;

/**
 * The number written in ASCII bytes `buf[start, end)` when they are a plain decimal
 * (`[+-]?(digits[.digits]|.digits)([eE][+-]?digits)?`, no blanks), else NaN. Equal to
 * `Number(text)` bit for bit: up to 15 significant digits and a power of ten within ±22 the
 * value is one correctly rounded operation on exact operands (Clinger's fast path); anything
 * else goes through `Number` itself.
 */
export function parseDecimal(buf: Uint8Array, start: number, end: number): number {
  let p = start;
  let negative = false;
  if (p < end && (buf[p] === 0x2d || buf[p] === 0x2b)) {
    negative = buf[p] === 0x2d;
    p++;
  }
  let mantissa = 0;
  let digits = 0; // significant digits in the mantissa (leading zeros do not count)
  let intDigits = 0;
  let fracDigits = 0;
  let b: number;
  while (p < end && (b = buf[p]! - DIGIT_0) >= 0 && b <= 9) {
    if (mantissa !== 0 || b !== 0) {
      mantissa = mantissa * 10 + b;
      digits++;
    }
    intDigits++;
    p++;
  }
  if (p < end && buf[p] === 0x2e) {
    p++;
    while (p < end && (b = buf[p]! - DIGIT_0) >= 0 && b <= 9) {
      if (mantissa !== 0 || b !== 0) {
        mantissa = mantissa * 10 + b;
        digits++;
      }
      fracDigits++;
      p++;
    }
  }
  if (intDigits + fracDigits === 0) return NaN;
  let exponent = 0;
  if (p < end && (buf[p] === 0x65 || buf[p] === 0x45)) {
    p++;
    let expNegative = false;
    if (p < end && (buf[p] === 0x2d || buf[p] === 0x2b)) {
      expNegative = buf[p] === 0x2d;
      p++;
    }
    const expStart = p;
    while (p < end && (b = buf[p]! - DIGIT_0) >= 0 && b <= 9) {
      if (exponent < 100000) exponent = exponent * 10 + b;
      p++;
    }
    if (p === expStart) return NaN;
    if (expNegative) exponent = -exponent;
  }
  if (p !== end) return NaN;
  const e10 = exponent - fracDigits;
  let value: number;
  if (digits <= 15 && e10 >= -22 && e10 <= 22)
    value = e10 >= 0 ? mantissa * POW10[e10]! : mantissa / POW10[-e10]!;
  else return Number(latin1(buf, start, end));
  return negative ? -value : value;
}

/**
 * The integer written in ASCII bytes `buf[start, end)` when they are `-?digits` (no blanks,
 * no `+`), else NaN; equal to `Number(text)`.
 */
export function parseDigits(buf: Uint8Array, start: number, end: number): number {
  let p = start;
  const negative = p < end && buf[p] === 0x2d;
  if (negative) p++;
  if (p === end) return NaN;
  let value = 0;
  for (; p < end; p++) {
    const b = buf[p]! - DIGIT_0;
    if (b < 0 || b > 9) return NaN;
    value = value * 10 + b;
  }
  if (end - start > 15) return Number(latin1(buf, start, end));
  return negative ? -value : value;
}
