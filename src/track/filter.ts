/**
 * The run-search language: a filter (`metrics.roc_auc > 0.8 and params.kind = 'gbdt'`) and
 * order keys (`metrics.roc_auc DESC`), parsed by a small hand-written tokenizer and parser
 * into clauses the search turns into bound SQL.
 *
 * Grammar (keywords are case-insensitive):
 *   filter  := clause ("and" clause)*
 *   clause  := name op value | name "in" "(" value ("," value)* ")" | name "not in" (…)
 *            | name "is" ["not"] "null"
 *   name    := entity "." key | entity "." `key with any characters`
 *   entity  := metrics | params | tags | attributes   (singular forms accepted)
 *   op      := = | == | != | <> | < | <= | > | >= | like | ilike | not like | not ilike
 *   value   := 'text' | "text" | number
 *   order   := name ["asc" | "desc"]
 */
import { SluiceError } from "../errors.js";
import { didYouMean } from "../util/text.js";

export type Entity = "metrics" | "params" | "tags" | "attributes";
export type Comparison = "=" | "!=" | "<" | "<=" | ">" | ">=";
export type Op =
  Comparison | "like" | "ilike" | "not like" | "not ilike" | "in" | "not in" | "is null" | "is not null";
export type Value = string | number;

export interface Clause {
  entity: Entity;
  /** The metric/param/tag key, or the attribute's column (`status`, `start_time`, …). */
  key: string;
  op: Op;
  /** A single value, the list of `in`, or null for `is null`. */
  value: Value | Value[] | null;
}

export interface OrderKey {
  entity: Entity;
  key: string;
  desc: boolean;
}

/** Attributes: their column and whether they compare as numbers. */
export const ATTRIBUTES: Record<string, { column: string; numeric: boolean }> = {
  id: { column: "id", numeric: false },
  run_id: { column: "id", numeric: false },
  name: { column: "name", numeric: false },
  run_name: { column: "name", numeric: false },
  status: { column: "status", numeric: false },
  start_time: { column: "start_time", numeric: true },
  end_time: { column: "end_time", numeric: true },
  parent_run_id: { column: "parent_run_id", numeric: false },
  experiment_id: { column: "experiment_id", numeric: false },
};

const ENTITIES: Record<string, Entity> = {
  metrics: "metrics",
  metric: "metrics",
  params: "params",
  param: "params",
  parameters: "params",
  tags: "tags",
  tag: "tags",
  attributes: "attributes",
  attribute: "attributes",
  attr: "attributes",
  run: "attributes",
};

const FORMS =
  "a filter is clauses joined by `and`, each `<entity>.<key> <op> <value>`: entity metrics, params, tags " +
  "or attributes (id, name, status, start_time, end_time, parent_run_id, experiment_id); ops = != < <= > >= " +
  "like ilike, `in ('a', 'b')`, `is null`, `is not null`; text in quotes, metrics compare with numbers; " +
  "keys with odd characters in backticks (metrics.`my key`). Example: metrics.roc_auc > 0.8 and params.kind = 'gbdt'";

const ORDER_FORMS =
  "an order key is `<entity>.<key> [ASC|DESC]`, such as `metrics.roc_auc DESC` or `attributes.start_time`";

type TokenKind = "name" | "word" | "string" | "number" | "op" | "lparen" | "rparen" | "comma" | "end";

interface Token {
  kind: TokenKind;
  text: string;
  /** For `name`: entity and key; for strings: the unquoted text. */
  entity?: string;
  key?: string;
  position: number;
}

/**
 * The token of `source` that starts at `position`, as the user typed it (a quoted string, a
 * name with its backticked key, a number, an operator or one character), cut at 40 characters:
 * an error quotes exactly the bad token, never the text after it.
 */
function tokenAt(source: string, position: number): string {
  const rest = source.slice(position);
  const c = rest[0];
  let token: string;
  if (c === undefined) return "";
  if (c === "'" || c === '"') {
    // As the tokenizer reads it: \x escapes x, a doubled quote is one quote.
    let i = 1;
    for (; i < rest.length; i++) {
      if (rest[i] === "\\") i++;
      else if (rest[i] === c && rest[i + 1] === c) i++;
      else if (rest[i] === c) break;
    }
    token = rest.slice(0, i + 1);
  } else if (
    IDENT_START.test(c) ||
    /[0-9]/.test(c) ||
    ((c === "-" || c === "+" || c === ".") && /[0-9.]/.test(rest[1] ?? ""))
  ) {
    let i = 1;
    while (i < rest.length && IDENT_CHAR.test(rest[i]!)) i++;
    if (rest[i - 1] === "." && rest[i] === "`") {
      const close = rest.indexOf("`", i + 1);
      i = close < 0 ? rest.length : close + 1;
    }
    token = rest.slice(0, i);
  } else if (/[<>=!]/.test(c)) token = /^[<>=!]+/.exec(rest)![0];
  else token = c;
  return token.length > 40 ? `${token.slice(0, 39)}…` : token;
}

function filterError(source: string, position: number, message: string, forms = FORMS): SluiceError {
  const at = position >= source.length ? "at the end" : `at position ${position + 1}`;
  const near = tokenAt(source, position);
  return new SluiceError(
    "E_FILTER",
    `bad ${forms === FORMS ? "filter" : "order"} ${at}${near === "" ? "" : ` ("${near}")`}: ${message}`,
    {
      details: { filter: source, position: position + 1 },
      hint: forms,
    },
  );
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_CHAR = /[A-Za-z0-9_.\-/:]/;

function tokenize(source: string, forms: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'" || c === '"') {
      let text = "";
      i++;
      for (;;) {
        if (i >= source.length)
          throw filterError(source, start, `the string starting here is not closed with ${c}`, forms);
        const ch = source[i]!;
        if (ch === "\\" && i + 1 < source.length) {
          text += source[i + 1];
          i += 2;
        } else if (ch === c && source[i + 1] === c) {
          text += c;
          i += 2;
        } else if (ch === c) {
          i++;
          break;
        } else {
          text += ch;
          i++;
        }
      }
      tokens.push({ kind: "string", text, position: start });
      continue;
    }
    if (/[0-9]/.test(c) || ((c === "-" || c === "+" || c === ".") && /[0-9.]/.test(source[i + 1] ?? ""))) {
      const m = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(source.slice(i));
      if (m === null || !Number.isFinite(Number(m[0])))
        throw filterError(source, start, "expected a number", forms);
      i += m[0].length;
      if (i < source.length && IDENT_CHAR.test(source[i]!))
        throw filterError(
          source,
          start,
          `"${source.slice(start, i + 1)}…" is not a number; quote text values`,
          forms,
        );
      tokens.push({ kind: "number", text: m[0], position: start });
      continue;
    }
    if (IDENT_START.test(c) || c === "`") {
      let word = "";
      if (c === "`")
        throw filterError(
          source,
          start,
          "a backticked key needs its entity first, as in metrics.`my key`",
          forms,
        );
      while (i < source.length && IDENT_CHAR.test(source[i]!)) word += source[i++];
      const dot = word.indexOf(".");
      if (dot < 0) {
        tokens.push({ kind: "word", text: word, position: start });
        continue;
      }
      const entity = word.slice(0, dot);
      let key = word.slice(dot + 1);
      if (key === "" && source[i] === "`") {
        const close = source.indexOf("`", i + 1);
        if (close < 0) throw filterError(source, i, "the backticked key is not closed with `", forms);
        key = source.slice(i + 1, close);
        i = close + 1;
      }
      if (key === "") throw filterError(source, start, `"${word}" has no key after the dot`, forms);
      tokens.push({ kind: "name", text: source.slice(start, i), entity, key, position: start });
      continue;
    }
    const two = source.slice(i, i + 2);
    if (["<=", ">=", "!=", "<>", "=="].includes(two)) {
      tokens.push({ kind: "op", text: two === "<>" ? "!=" : two === "==" ? "=" : two, position: start });
      i += 2;
      continue;
    }
    if (c === "=" || c === "<" || c === ">") {
      tokens.push({ kind: "op", text: c, position: start });
      i++;
      continue;
    }
    if (c === "(" || c === ")" || c === ",") {
      tokens.push({ kind: c === "(" ? "lparen" : c === ")" ? "rparen" : "comma", text: c, position: start });
      i++;
      continue;
    }
    throw filterError(source, start, `unexpected character "${c}"`, forms);
  }
  tokens.push({ kind: "end", text: "", position: source.length });
  return tokens;
}

function describe(t: Token): string {
  return t.kind === "end" ? "the end of the filter" : t.kind === "string" ? `'${t.text}'` : `"${t.text}"`;
}

function resolveName(source: string, t: Token, forms: string): { entity: Entity; key: string } {
  if (t.kind !== "name")
    throw filterError(
      source,
      t.position,
      `expected <entity>.<key> (such as metrics.roc_auc), got ${describe(t)}`,
      forms,
    );
  const entity = ENTITIES[t.entity!.toLowerCase()];
  if (entity === undefined)
    throw filterError(
      source,
      t.position,
      `unknown entity "${t.entity}"${didYouMean(t.entity!, ["metrics", "params", "tags", "attributes"])}; use metrics, params, tags or attributes`,
      forms,
    );
  let key = t.key!;
  if (entity === "attributes") {
    const attr = ATTRIBUTES[key.toLowerCase()];
    if (attr === undefined)
      throw filterError(
        source,
        t.position,
        `unknown attribute "${key}"${didYouMean(key, Object.keys(ATTRIBUTES))}; the attributes are ${Object.keys(ATTRIBUTES).join(", ")}`,
        forms,
      );
    key = key.toLowerCase();
  }
  return { entity, key };
}

function numericEntity(entity: Entity, key: string): boolean {
  return entity === "metrics" || (entity === "attributes" && ATTRIBUTES[key]!.numeric);
}

/** Parse a filter; an empty or blank filter is no clauses. @throws SluiceError E_FILTER */
export function parseFilter(source: string | undefined): Clause[] {
  if (source === undefined || source.trim() === "") return [];
  const tokens = tokenize(source, FORMS);
  let p = 0;
  const peek = (): Token => tokens[p]!;
  const next = (): Token => tokens[p++]!;
  const isWord = (t: Token, w: string): boolean => t.kind === "word" && t.text.toLowerCase() === w;

  const clauses: Clause[] = [];
  for (;;) {
    const nameToken = next();
    const { entity, key } = resolveName(source, nameToken, FORMS);
    const numeric = numericEntity(entity, key);
    const label = `${entity}.${key}`;
    const opToken = next();
    let op: Op;
    if (opToken.kind === "op") op = opToken.text as Comparison;
    else if (isWord(opToken, "like") || isWord(opToken, "ilike")) op = opToken.text.toLowerCase() as Op;
    else if (isWord(opToken, "in")) op = "in";
    else if (isWord(opToken, "not")) {
      const t = next();
      if (isWord(t, "in")) op = "not in";
      else if (isWord(t, "like")) op = "not like";
      else if (isWord(t, "ilike")) op = "not ilike";
      else
        throw filterError(source, t.position, `expected in, like or ilike after "not", got ${describe(t)}`);
    } else if (isWord(opToken, "is")) {
      let t = next();
      op = "is null";
      if (isWord(t, "not")) {
        op = "is not null";
        t = next();
      }
      if (!isWord(t, "null"))
        throw filterError(source, t.position, `expected null after "is", got ${describe(t)}`);
    } else
      throw filterError(
        source,
        opToken.position,
        `expected an operator after ${label} (= != < <= > >= like ilike in is), got ${describe(opToken)}`,
      );

    if ((op === "like" || op === "ilike" || op === "not like" || op === "not ilike") && numeric)
      throw filterError(source, opToken.position, `${op} compares text; ${label} is a number (use = < > …)`);

    const readValue = (): Value => {
      const t = next();
      if (t.kind === "number") {
        if (!numeric)
          throw filterError(
            source,
            t.position,
            `${label} is compared as text: quote the value ('${t.text}')`,
          );
        return Number(t.text);
      }
      if (t.kind === "string") {
        if (numeric) {
          const n = Number(t.text);
          if (t.text.trim() !== "" && Number.isFinite(n)) return n;
          throw filterError(source, t.position, `${label} is a number; got the text '${t.text}'`);
        }
        return t.text;
      }
      throw filterError(
        source,
        t.position,
        `expected a value for ${label} (a quoted string or a number), got ${describe(t)}`,
      );
    };

    let value: Clause["value"] = null;
    if (op === "in" || op === "not in") {
      const open = next();
      if (open.kind !== "lparen")
        throw filterError(source, open.position, `expected "(" after ${op}, got ${describe(open)}`);
      const list: Value[] = [readValue()];
      for (;;) {
        const t = next();
        if (t.kind === "rparen") break;
        if (t.kind !== "comma")
          throw filterError(source, t.position, `expected "," or ")" in the list, got ${describe(t)}`);
        list.push(readValue());
      }
      value = list;
    } else if (op !== "is null" && op !== "is not null") value = readValue();

    if (entity === "attributes" && key === "status" && value !== null) {
      const statuses = ["running", "finished", "failed", "killed"];
      for (const v of Array.isArray(value) ? value : [value])
        if ((op === "=" || op === "!=" || op === "in" || op === "not in") && !statuses.includes(String(v)))
          throw filterError(
            source,
            nameToken.position,
            `unknown status '${String(v)}'; the statuses are ${statuses.join(", ")}`,
          );
    }
    clauses.push({ entity, key, op, value });

    const t = next();
    if (t.kind === "end") break;
    if (!isWord(t, "and"))
      throw filterError(
        source,
        t.position,
        isWord(t, "or")
          ? `"or" is not supported; run one search per alternative, or use in ('a', 'b')`
          : `expected "and" or the end of the filter, got ${describe(t)}`,
      );
    if (peek().kind === "end") throw filterError(source, peek().position, `expected a clause after "and"`);
  }
  return clauses;
}

/** Parse one order key (`metrics.roc_auc DESC`). @throws SluiceError E_FILTER */
export function parseOrderKey(source: string): OrderKey {
  const tokens = tokenize(source, ORDER_FORMS);
  // A bare attribute name is accepted too (`start_time DESC`).
  const first = tokens[0]!;
  if (first.kind === "word" && ATTRIBUTES[first.text.toLowerCase()] !== undefined) {
    first.kind = "name";
    first.entity = "attributes";
    first.key = first.text;
  }
  const { entity, key } = resolveName(source, first, ORDER_FORMS);
  let desc = false;
  let p = 1;
  const dir = tokens[p]!;
  if (dir.kind === "word" && /^(asc|desc)$/i.test(dir.text)) {
    desc = dir.text.toLowerCase() === "desc";
    p++;
  }
  const end = tokens[p]!;
  if (end.kind !== "end")
    throw filterError(
      source,
      end.position,
      `expected ASC, DESC or the end, got ${describe(end)}`,
      ORDER_FORMS,
    );
  return { entity, key, desc };
}
