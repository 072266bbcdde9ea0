/**
 * The formula tokenizer: source text → tokens. Hand-written, one pass, no regular expressions
 * over the whole input, so its cost is linear and its failures are precise.
 *
 * Characters that would let a formula reach outside its column environment in a JavaScript
 * expression (`.`, `[`, `]`, `{`, `;`, `=`) are refused here with an explanation, before parsing.
 */
import { FormulaSyntaxError } from "./errors.js";

export type TokenType = "number" | "string" | "name" | "quoted" | "op" | "(" | ")" | "," | "eof";

export interface Token {
  readonly type: TokenType;
  /** The source text of the token (for `string`/`quoted`: the decoded value). */
  readonly text: string;
  /** The value of a number token. */
  readonly value: number;
  readonly start: number;
  readonly end: number;
}

/** Longest formula accepted, in characters. Longer text is almost surely not a hand-written formula. */
export const MAX_SOURCE_LENGTH = 4000;
/** Most tokens accepted; bounds the size of the tree (and so the depth of left-leaning chains). */
export const MAX_TOKENS = 1000;

const TWO_CHAR_OPS = new Set(["==", "!=", "<=", ">=", "&&", "||"]);
const ONE_CHAR_OPS = new Set(["<", ">", "+", "-", "*", "/", "%", "^", "!"]);

const REFUSED: Readonly<Record<string, string>> = {
  ".": "property access (.) is not part of the formula language; name a column, or quote a column name with backticks: `a.b`",
  "[": "indexing ([ ]) is not part of the formula language",
  "]": "indexing ([ ]) is not part of the formula language",
  "{": "braces are not part of the formula language",
  "}": "braces are not part of the formula language",
  ";": "a formula is one expression; remove the ;",
  "=": "use == to compare (a single = is not an operator)",
  "&": "use and (or &&) for a logical and",
  "|": "use or (or ||) for a logical or",
  "?": "use if(condition, a, b) instead of ? :",
  ":": "use if(condition, a, b) instead of ? :",
  $: "$ is not part of the formula language; quote unusual column names with backticks",
  "#": "# is not part of the formula language",
  "@": "@ is not part of the formula language",
  "\\": "a backslash is only allowed inside a quoted string",
};

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isNamePart(c: number): boolean {
  return isNameStart(c) || isDigit(c);
}

/**
 * Split `source` into tokens, ending with one `eof` token.
 *
 * @throws FormulaSyntaxError at the first character that cannot start a token.
 */
export function tokenize(source: string): Token[] {
  if (source.length > MAX_SOURCE_LENGTH)
    throw new FormulaSyntaxError(
      `the formula is ${source.length} characters long; the limit is ${MAX_SOURCE_LENGTH}`,
      MAX_SOURCE_LENGTH,
      MAX_SOURCE_LENGTH + 1,
      "split it into several derived features that build on each other",
    );
  const tokens: Token[] = [];
  const push = (type: TokenType, text: string, start: number, end: number, value = NaN): void => {
    if (tokens.length >= MAX_TOKENS)
      throw new FormulaSyntaxError(
        `the formula has more than ${MAX_TOKENS} tokens`,
        start,
        end,
        "split it into several derived features that build on each other",
      );
    tokens.push({ type, text, value, start, end });
  };
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source.charCodeAt(i);
    // Whitespace, including the newlines of YAML block scalars.
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
      continue;
    }
    const start = i;
    if (isDigit(c) || (c === 46 && i + 1 < n && isDigit(source.charCodeAt(i + 1)))) {
      i = scanNumber(source, i);
      const text = source.slice(start, i);
      const value = Number(text);
      if (!Number.isFinite(value))
        throw new FormulaSyntaxError(
          `the number ${text} is too large`,
          start,
          i,
          "use a number below 1.8e308",
        );
      if (i < n && isNameStart(source.charCodeAt(i)))
        throw new FormulaSyntaxError(
          `unexpected "${source[i]}" right after the number ${text}`,
          i,
          i + 1,
          "put an operator between a number and a name, e.g. 2 * x",
        );
      push("number", text, start, i, value);
      continue;
    }
    if (isNameStart(c)) {
      while (i < n && isNamePart(source.charCodeAt(i))) i++;
      push("name", source.slice(start, i), start, i);
      continue;
    }
    if (c === 96 /* ` */) {
      const close = source.indexOf("`", i + 1);
      if (close < 0)
        throw new FormulaSyntaxError(
          "a column name in backticks is not closed",
          start,
          n,
          "add the closing backtick `",
        );
      const name = source.slice(i + 1, close);
      if (name.length === 0)
        throw new FormulaSyntaxError(
          "empty column name ``",
          start,
          close + 1,
          "write the column name between the backticks",
        );
      i = close + 1;
      push("quoted", name, start, i);
      continue;
    }
    if (c === 34 /* " */ || c === 39 /* ' */) {
      const [value, end] = scanString(source, i);
      i = end;
      push("string", value, start, i);
      continue;
    }
    if (c === 40 || c === 41 || c === 44) {
      i++;
      push(source[start] as "(" | ")" | ",", source[start]!, start, i);
      continue;
    }
    const two = source.slice(i, i + 2);
    if (TWO_CHAR_OPS.has(two)) {
      i += 2;
      push("op", two, start, i);
      continue;
    }
    const one = source[i]!;
    if (ONE_CHAR_OPS.has(one)) {
      i++;
      push("op", one, start, i);
      continue;
    }
    const why = REFUSED[one];
    if (why !== undefined) throw new FormulaSyntaxError(`unexpected "${one}"`, start, start + 1, why);
    const cp = source.codePointAt(i)!;
    const shown = String.fromCodePoint(cp);
    throw new FormulaSyntaxError(
      `unexpected character "${shown}"`,
      start,
      start + shown.length,
      /\p{L}/u.test(shown)
        ? "bare column names use A-Z, a-z, 0-9 and _; quote other names with backticks: `Prénom`"
        : "formulas use numbers, quoted strings, column names, operators and the listed functions",
    );
  }
  push("eof", "", n, n);
  return tokens;
}

function scanNumber(source: string, i: number): number {
  const n = source.length;
  while (i < n && isDigit(source.charCodeAt(i))) i++;
  if (i < n && source.charCodeAt(i) === 46) {
    i++;
    while (i < n && isDigit(source.charCodeAt(i))) i++;
  }
  const e = source.charCodeAt(i);
  if (e === 101 || e === 69) {
    let j = i + 1;
    const sign = source.charCodeAt(j);
    if (sign === 43 || sign === 45) j++;
    if (j < n && isDigit(source.charCodeAt(j))) {
      while (j < n && isDigit(source.charCodeAt(j))) j++;
      return j;
    }
    throw new FormulaSyntaxError(
      "an exponent needs digits, as in 1e-3",
      i,
      j,
      "write the number as 1e3 or 1e-3",
    );
  }
  return i;
}

const ESCAPES: Readonly<Record<string, string>> = {
  n: "\n",
  t: "\t",
  r: "\r",
  "\\": "\\",
  '"': '"',
  "'": "'",
};

function scanString(source: string, i: number): [string, number] {
  const quote = source[i]!;
  const start = i;
  let out = "";
  i++;
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === quote) return [out, i + 1];
    if (ch === "\\") {
      const next = source[i + 1];
      const decoded = next === undefined ? undefined : ESCAPES[next];
      if (decoded === undefined)
        throw new FormulaSyntaxError(
          `unknown escape "\\${next ?? ""}" in a string`,
          i,
          i + 2,
          "the escapes are \\\" \\' \\\\ \\n \\t \\r",
        );
      out += decoded;
      i += 2;
      continue;
    }
    out += ch;
    i++;
  }
  throw new FormulaSyntaxError(`a string is not closed`, start, source.length, `add the closing ${quote}`);
}
