/**
 * The checks one schema rule asks of one column: presence, type, nullability, min/max, allowed
 * values, uniqueness, pattern and the share of missing values.
 *
 * Missing values are only nullability's business (and max_null_fraction's): the value checks
 * (min, max, values, pattern, unique) look at present values only, and `mostly` is a share of
 * those, as in Great Expectations. A cell whose text did not parse is a type failure, not a
 * missing value and not a range failure.
 */
import { type Cell, type Column, type Frame, cellAt } from "../data/frame.js";
import type { ColumnRule } from "../project/schema.js";
import { count, didYouMean } from "../util/text.js";
import { formatCell, rowLevel, type Outcome, RowCollector } from "./outcome.js";
import { sortedPresent, lowerBound } from "./stats.js";
import { allowedNumber, isNumericType, numericView } from "./values.js";

export interface ColumnCheckContext {
  maxExamples: number;
}

/** The cell as a person saw it: the raw text for a cell that did not parse. */
export function rawCell(c: Column, row: number): Cell {
  if (c.kind === "numeric" && c.invalid.size > 0) {
    const raw = c.invalid.get(row);
    if (raw !== undefined) return raw;
  }
  return cellAt(c, row);
}

/** Whether the cell is truly missing (blank), as opposed to present or unparsable. */
function isBlank(c: Column, row: number): boolean {
  if (c.kind === "numeric")
    return c.values[row] !== c.values[row] && !(c.invalid.size > 0 && c.invalid.has(row));
  if (c.kind === "categorical") return c.codes[row]! < 0;
  return c.values[row] === null || c.values[row] === undefined;
}

const TYPE_WORDS: Record<ColumnRule["type"], string> = {
  integer: "integers",
  number: "numbers",
  boolean: "true/false values",
  datetime: "dates",
  category: "categories",
  string: "text",
};

/** Rows whose cell is present but not a value of the declared type. */
function typeFailures(
  c: Column,
  rule: ColumnRule,
  view: Float64Array | undefined,
): { rows: Int32Array; considered: number } {
  const rows = new RowCollector();
  const n = view?.length ?? (c.kind === "categorical" ? c.codes.length : c.values.length);
  let considered = 0;
  if (!isNumericType(rule.type)) {
    // Any text is a valid category or string; numbers are too.
    for (let i = 0; i < n; i++) if (!isBlank(c, i)) considered++;
    return { rows: rows.finish(), considered };
  }
  const v = view!;
  if (c.kind === "numeric") {
    const integer = rule.type === "integer";
    const boolean = rule.type === "boolean";
    for (let i = 0; i < n; i++) {
      const x = v[i]!;
      if (x !== x) {
        if (c.invalid.size > 0 && c.invalid.has(i)) {
          considered++;
          rows.push(i);
        }
        continue;
      }
      considered++;
      if ((integer && !Number.isInteger(x)) || (boolean && x !== 0 && x !== 1)) rows.push(i);
    }
  } else {
    // Text parsed by numericView: a present cell that came out NaN is not of the type.
    for (let i = 0; i < n; i++) {
      if (isBlank(c, i)) continue;
      considered++;
      if (v[i] !== v[i]) rows.push(i);
    }
  }
  return { rows: rows.finish(), considered };
}

/** Rows whose present value repeats, every occurrence (as Great Expectations counts them). */
function repeatedRows(c: Column): { rows: Int32Array; considered: number; repeatedValues: number } {
  const rows = new RowCollector();
  if (c.kind === "numeric") {
    const sorted = sortedPresent(c.values);
    const dups: number[] = [];
    for (let i = 1; i < sorted.length; i++)
      if (sorted[i] === sorted[i - 1] && (dups.length === 0 || dups[dups.length - 1] !== sorted[i]))
        dups.push(sorted[i]!);
    if (dups.length > 0) {
      const d = Float64Array.from(dups);
      for (let i = 0; i < c.values.length; i++) {
        const x = c.values[i]!;
        if (x !== x) continue;
        const k = lowerBound(d, x === 0 ? 0 : x);
        if (k < d.length && d[k] === x) rows.push(i);
      }
    }
    return { rows: rows.finish(), considered: sorted.length, repeatedValues: dups.length };
  }
  if (c.kind === "categorical") {
    const counts = new Int32Array(c.dictionary.length);
    let considered = 0;
    for (let i = 0; i < c.codes.length; i++) {
      const g = c.codes[i]!;
      if (g >= 0) {
        counts[g]!++;
        considered++;
      }
    }
    let repeatedValues = 0;
    for (let g = 0; g < counts.length; g++) if (counts[g]! > 1) repeatedValues++;
    for (let i = 0; i < c.codes.length; i++) {
      const g = c.codes[i]!;
      if (g >= 0 && counts[g]! > 1) rows.push(i);
    }
    return { rows: rows.finish(), considered, repeatedValues };
  }
  const seen = new Map<string, number>();
  let considered = 0;
  for (const v of c.values) {
    if (v === null || v === undefined) continue;
    considered++;
    seen.set(v, (seen.get(v) ?? 0) + 1);
  }
  let repeatedValues = 0;
  for (const k of seen.values()) if (k > 1) repeatedValues++;
  if (repeatedValues > 0)
    for (let i = 0; i < c.values.length; i++) {
      const v = c.values[i];
      if (v !== null && v !== undefined && seen.get(v)! > 1) rows.push(i);
    }
  return { rows: rows.finish(), considered, repeatedValues };
}

/** Rows whose present value is not allowed; numbers are compared as numbers. */
function disallowedRows(
  c: Column,
  allowed: readonly string[],
  view: Float64Array | undefined,
): { rows: Int32Array; considered: number } {
  const rows = new RowCollector();
  let considered = 0;
  if (view !== undefined) {
    const ok = Float64Array.from(allowed.map(allowedNumber).filter((x) => !Number.isNaN(x))).sort();
    for (let i = 0; i < view.length; i++) {
      const x = view[i]!;
      if (x !== x) continue;
      considered++;
      const k = lowerBound(ok, x);
      if (!(k < ok.length && ok[k] === x)) rows.push(i);
    }
  } else if (c.kind === "categorical") {
    const set = new Set(allowed);
    const okCode = new Uint8Array(c.dictionary.length);
    for (let g = 0; g < okCode.length; g++) okCode[g] = set.has(c.dictionary[g]!) ? 1 : 0;
    for (let i = 0; i < c.codes.length; i++) {
      const g = c.codes[i]!;
      if (g < 0) continue;
      considered++;
      if (okCode[g] === 0) rows.push(i);
    }
  } else if (c.kind === "text") {
    const set = new Set(allowed);
    for (let i = 0; i < c.values.length; i++) {
      const v = c.values[i];
      if (v === null || v === undefined) continue;
      considered++;
      if (!set.has(v)) rows.push(i);
    }
  }
  return { rows: rows.finish(), considered };
}

/** Rows whose present value does not match `re` as a whole; each distinct value is tested once. */
function unmatchedRows(c: Column, re: RegExp): { rows: Int32Array; considered: number } {
  const rows = new RowCollector();
  let considered = 0;
  if (c.kind === "categorical") {
    const ok = new Uint8Array(c.dictionary.length);
    for (let g = 0; g < ok.length; g++) ok[g] = re.test(c.dictionary[g]!) ? 1 : 0;
    for (let i = 0; i < c.codes.length; i++) {
      const g = c.codes[i]!;
      if (g < 0) continue;
      considered++;
      if (ok[g] === 0) rows.push(i);
    }
  } else if (c.kind === "text") {
    for (let i = 0; i < c.values.length; i++) {
      const v = c.values[i];
      if (v === null || v === undefined) continue;
      considered++;
      if (!re.test(v)) rows.push(i);
    }
  } else {
    const memo = new Map<number, boolean>();
    for (let i = 0; i < c.values.length; i++) {
      const x = c.values[i]!;
      if (x !== x) continue;
      considered++;
      let ok = memo.get(x);
      if (ok === undefined) {
        ok = re.test(String(x));
        memo.set(x, ok);
      }
      if (!ok) rows.push(i);
    }
  }
  return { rows: rows.finish(), considered };
}

/** Rows where `view` is present and beyond `bound` (below for min, above for max). */
function outOfRange(
  view: Float64Array,
  bound: number,
  side: "min" | "max",
): { rows: Int32Array; considered: number } {
  const rows = new RowCollector();
  let considered = 0;
  for (let i = 0; i < view.length; i++) {
    const x = view[i]!;
    if (x !== x) continue;
    considered++;
    if (side === "min" ? x < bound : x > bound) rows.push(i);
  }
  return { rows: rows.finish(), considered };
}

/**
 * Every check the rule asks of column `name`, in a fixed order. A missing column gives one
 * failed presence check and nothing else.
 */
export function checkColumn(
  frame: Frame,
  name: string,
  rule: ColumnRule,
  ctx: ColumnCheckContext,
): Outcome[] {
  const level = rule.severity;
  const c = frame.get(name);
  if (c === undefined)
    return [
      {
        result: {
          check: "presence",
          column: name,
          level,
          passed: false,
          failingRows: 0,
          fraction: 0,
          message: `column "${name}" is not in the data${didYouMean(name, frame.names)}; the schema requires it — fix its name in the schema or the file, or remove its rule`,
          examples: [],
        },
      },
    ];
  const out: Outcome[] = [
    {
      result: {
        check: "presence",
        column: name,
        level,
        passed: true,
        failingRows: 0,
        fraction: 0,
        message: `column "${name}" is present`,
        examples: [],
      },
    },
  ];
  const mostly = rule.mostly;
  const cell = (row: number): Cell => rawCell(c, row);
  const common = {
    column: name,
    level,
    cell,
    maxExamples: ctx.maxExamples,
    ...(mostly === undefined ? {} : { mostly }),
  };
  const numeric = c.kind === "numeric" || isNumericType(rule.type);
  const view = numeric ? numericView(c, rule.type) : undefined;

  // type
  const typed = typeFailures(c, rule, view);
  const stored = c.kind === "categorical" ? "categories" : "text";
  out.push(
    rowLevel({
      ...common,
      check: "type",
      rows: typed.rows,
      considered: typed.considered,
      failing: `are not ${TYPE_WORDS[rule.type]} as the schema declares${c.kind === "numeric" ? "" : ` (type: ${rule.type}, but the column holds ${stored})`}`,
      ok: `every value is of type ${rule.type}`,
      remedy: "fix those cells, or change the column's type in the schema",
      reason: (row) =>
        `${name}: ${formatCell(rawCell(c, row))} is not ${rule.type === "integer" ? "an integer" : `of type ${rule.type}`}`,
    }),
  );

  // nullable
  if (!rule.nullable) {
    const rows = new RowCollector();
    const n = frame.nRows;
    for (let i = 0; i < n; i++) if (isBlank(c, i)) rows.push(i);
    out.push(
      rowLevel({
        ...common,
        check: "nullable",
        rows: rows.finish(),
        considered: n,
        failing: "are missing, and the schema says nullable: false",
        ok: "no value is missing",
        remedy: "fill them in the source, or allow them with nullable: true",
        reason: () => `${name}: missing, not nullable`,
      }),
    );
  }

  // min, max
  for (const side of ["min", "max"] as const) {
    const bound = rule[side];
    if (bound === undefined || view === undefined) continue;
    const r = outOfRange(view, bound, side);
    const word = side === "min" ? "below the minimum" : "above the maximum";
    out.push(
      rowLevel({
        ...common,
        check: side,
        rows: r.rows,
        considered: r.considered,
        threshold: bound,
        failing: `are ${word} ${bound}`,
        ok: `every value is ${side === "min" ? "≥" : "≤"} ${bound}`,
        remedy: `fix those values, or change ${side} in the schema`,
        reason: (row) => `${name}: ${formatCell(cellAt(c, row) ?? view[row]!)} is ${word} ${bound}`,
      }),
    );
  }

  // values
  if (rule.values !== undefined) {
    const allowed = rule.values;
    const r = disallowedRows(c, allowed, c.kind === "numeric" || isNumericType(rule.type) ? view : undefined);
    const shown =
      allowed.length > 10
        ? `${allowed.slice(0, 10).join(", ")}, … (${allowed.length} values)`
        : allowed.join(", ");
    out.push(
      rowLevel({
        ...common,
        check: "values",
        rows: r.rows,
        considered: r.considered,
        failing: `are not among the allowed values (${shown})`,
        ok: "every value is allowed",
        remedy: "fix those values, or add them to values in the schema",
        reason: (row) => `${name}: ${formatCell(cellAt(c, row))} is not an allowed value`,
      }),
    );
  }

  // unique
  if (rule.unique) {
    const r = repeatedRows(c);
    out.push(
      rowLevel({
        ...common,
        check: "unique",
        rows: r.rows,
        considered: r.considered,
        failing: `repeat another row's value (${count(r.repeatedValues)} distinct value${r.repeatedValues === 1 ? " occurs" : "s occur"} more than once), and the schema says unique: true`,
        ok: "every value is unique",
        remedy: "remove the repeated rows, or drop unique: true",
        reason: (row) => `${name}: ${formatCell(cellAt(c, row))} is repeated`,
      }),
    );
  }

  // pattern
  if (rule.pattern !== undefined) {
    const re = new RegExp(`^(?:${rule.pattern})$`, "u");
    const r = unmatchedRows(c, re);
    out.push(
      rowLevel({
        ...common,
        check: "pattern",
        rows: r.rows,
        considered: r.considered,
        failing: `do not match the pattern /${rule.pattern}/ (whole value)`,
        ok: `every value matches /${rule.pattern}/`,
        remedy: "fix those values, or widen the pattern",
        reason: (row) => `${name}: ${formatCell(cellAt(c, row))} does not match /${rule.pattern}/`,
      }),
    );
  }

  // max_null_fraction
  if (rule.max_null_fraction !== undefined) {
    const rows = new RowCollector();
    const n = frame.nRows;
    for (let i = 0; i < n; i++) if (isBlank(c, i)) rows.push(i);
    const missing = rows.length;
    const observed = n === 0 ? 0 : missing / n;
    const limit = rule.max_null_fraction;
    const passed = observed <= limit;
    const all = rows.finish();
    const examples = [];
    for (let i = 0; i < all.length && i < ctx.maxExamples; i++)
      examples.push({ row: all[i]! + 1, value: null });
    out.push({
      result: {
        check: "max_null_fraction",
        column: name,
        level,
        passed,
        failingRows: missing,
        fraction: observed,
        threshold: limit,
        observed,
        message: passed
          ? `"${name}": ${count(missing)} of ${count(n)} values missing (${pct(observed)}), within max_null_fraction ${limit}`
          : `"${name}": ${count(missing)} of ${count(n)} values missing (${pct(observed)}), more than max_null_fraction ${limit} allows; find out why values went missing, or raise max_null_fraction`,
        examples,
      },
    });
  }
  return out;
}

/**
 * Text cells in numeric columns that have no schema rule. Such a column is numeric because at
 * least 95% of its cells are numbers; the other cells became missing values, with their text
 * kept in `invalid`. Nothing may go missing silently, so each such column gets a warn-level type
 * check naming the cells and their text (with a rule, the rule's own type check reports them).
 */
export function checkInferredNumbers(
  frame: Frame,
  schema: Readonly<Record<string, ColumnRule>>,
  ctx: ColumnCheckContext,
): Outcome[] {
  const out: Outcome[] = [];
  for (const name of frame.names) {
    if (Object.hasOwn(schema, name)) continue;
    const c = frame.column(name);
    if (c.kind !== "numeric" || c.invalid.size === 0) continue;
    const rows = Int32Array.from(c.invalid.keys()).sort();
    let considered = 0;
    for (let i = 0; i < c.values.length; i++) if (!isBlank(c, i)) considered++;
    const words = c.dtype === "integer" ? "integers" : "numbers";
    out.push(
      rowLevel({
        check: "type",
        column: name,
        level: "warn",
        rows,
        considered,
        cell: (row) => rawCell(c, row),
        maxExamples: ctx.maxExamples,
        failing: `are text in a column read as ${words} (it has no schema rule, and the rest of its values are ${words}), so they count as missing values`,
        ok: `every value is a number`,
        remedy: `fix those cells, or give "${name}" a rule in the schema: type: ${c.dtype === "integer" ? "integer" : "number"} makes them errors (quarantinable), type: category keeps the text`,
        reason: (row) => `${name}: ${formatCell(rawCell(c, row))} is not a number`,
      }),
    );
  }
  return out;
}

function pct(f: number): string {
  return `${Number((f * 100).toFixed(2))}%`;
}
