/**
 * `Frame`: a columnar table, one typed array per column. It is what every part of Sluice
 * reads data as: the loader produces it, validation checks it, features transform it.
 *
 * Memory layout:
 * - numeric columns (`float`, `integer`, `boolean` as 0/1, `datetime` as epoch milliseconds)
 *   are one `Float64Array`, with NaN for a missing value;
 * - categorical columns are `Int32Array` codes into a sorted dictionary, with -1 for missing;
 * - text columns (ids, free text) are plain strings, with null for missing.
 *
 * A frame is immutable: every operation returns a new frame (sharing column arrays where it can).
 */
import { SluiceError } from "../errors.js";
import { didYouMean } from "../util/text.js";

/** The logical type of a numeric column. */
export type NumericDType = "float" | "integer" | "boolean" | "datetime";

export interface NumericColumn {
  readonly kind: "numeric";
  readonly name: string;
  readonly dtype: NumericDType;
  /** One value per row; NaN marks a missing value. */
  readonly values: Float64Array;
  /**
   * Cells whose text could not be read as this column's type, by row index (0-based) → the
   * raw text. Their value is NaN. Validation reports them as type failures; nothing else
   * has to look at this map. Empty when every cell parsed.
   */
  readonly invalid: ReadonlyMap<number, string>;
}

export interface CategoricalColumn {
  readonly kind: "categorical";
  readonly name: string;
  /** One code per row: an index into `dictionary`, or -1 for a missing value. */
  readonly codes: Int32Array;
  /** The distinct values, sorted by code point (so codes do not depend on row order). */
  readonly dictionary: readonly string[];
}

export interface TextColumn {
  readonly kind: "text";
  readonly name: string;
  /** One value per row; null marks a missing value. */
  readonly values: readonly (string | null)[];
}

export type Column = NumericColumn | CategoricalColumn | TextColumn;
export type ColumnKind = Column["kind"];

/** A cell as a plain JavaScript value: a number, a string, or null when missing. */
export type Cell = number | string | null;
/** One row as a plain object, keyed by column name. */
export type Row = Record<string, Cell>;

const EMPTY_INVALID: ReadonlyMap<number, string> = new Map();

/** Build a numeric column. `invalid` defaults to none. */
export function numericColumn(
  name: string,
  values: Float64Array,
  dtype: NumericDType = "float",
  invalid: ReadonlyMap<number, string> = EMPTY_INVALID,
): NumericColumn {
  return { kind: "numeric", name, dtype, values, invalid };
}

/** Build a categorical column from codes and a dictionary (sorted by code point). */
export function categoricalColumn(
  name: string,
  codes: Int32Array,
  dictionary: readonly string[],
): CategoricalColumn {
  return { kind: "categorical", name, codes, dictionary };
}

/**
 * Build a categorical column from raw strings (null or "" = missing). The dictionary is
 * sorted by code point, so the same values give the same codes whatever their order.
 */
export function categoricalFromStrings(
  name: string,
  values: readonly (string | null | undefined)[],
): CategoricalColumn {
  const distinct = new Set<string>();
  for (const v of values) if (v !== null && v !== undefined && v !== "") distinct.add(v);
  const dictionary = [...distinct].sort(compareCodePoints);
  const index = new Map<string, number>();
  dictionary.forEach((v, i) => index.set(v, i));
  const codes = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    codes[i] = v === null || v === undefined || v === "" ? -1 : index.get(v)!;
  }
  return { kind: "categorical", name, codes, dictionary };
}

/** Build a text column. */
export function textColumn(name: string, values: readonly (string | null)[]): TextColumn {
  return { kind: "text", name, values };
}

/** Code-point order, the order of categorical dictionaries (independent of locale). */
export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function columnLength(c: Column): number {
  return c.kind === "numeric" ? c.values.length : c.kind === "categorical" ? c.codes.length : c.values.length;
}

/** Whether the cell at `row` is missing. */
export function isMissing(c: Column, row: number): boolean {
  if (c.kind === "numeric") return Number.isNaN(c.values[row]!);
  if (c.kind === "categorical") return c.codes[row]! < 0;
  return c.values[row] === null;
}

/** The cell at `row` as a plain value (categorical → its string, missing → null). */
export function cellAt(c: Column, row: number): Cell {
  if (c.kind === "numeric") {
    const v = c.values[row]!;
    return Number.isNaN(v) ? null : v;
  }
  if (c.kind === "categorical") {
    const code = c.codes[row]!;
    return code < 0 ? null : c.dictionary[code]!;
  }
  return c.values[row] ?? null;
}

/** Gather `rows` of one column into a new column. */
export function takeColumn(c: Column, rows: ArrayLike<number>): Column {
  const n = rows.length;
  if (c.kind === "numeric") {
    const values = new Float64Array(n);
    const src = c.values;
    for (let i = 0; i < n; i++) values[i] = src[rows[i]!]!;
    let invalid: ReadonlyMap<number, string> = EMPTY_INVALID;
    if (c.invalid.size > 0) {
      const m = new Map<number, string>();
      for (let i = 0; i < n; i++) {
        const raw = c.invalid.get(rows[i]!);
        if (raw !== undefined) m.set(i, raw);
      }
      invalid = m;
    }
    return { kind: "numeric", name: c.name, dtype: c.dtype, values, invalid };
  }
  if (c.kind === "categorical") {
    const codes = new Int32Array(n);
    const src = c.codes;
    for (let i = 0; i < n; i++) codes[i] = src[rows[i]!]!;
    return { kind: "categorical", name: c.name, codes, dictionary: c.dictionary };
  }
  const values = new Array<string | null>(n);
  for (let i = 0; i < n; i++) values[i] = c.values[rows[i]!] ?? null;
  return { kind: "text", name: c.name, values };
}

/** A columnar table. Immutable; operations return new frames. */
export class Frame {
  readonly columns: readonly Column[];
  readonly nRows: number;
  private readonly byName: ReadonlyMap<string, Column>;

  /** @throws SluiceError E_INTERNAL when columns differ in length or names repeat. */
  constructor(columns: readonly Column[], nRows?: number) {
    const byName = new Map<string, Column>();
    const n = nRows ?? (columns.length > 0 ? columnLength(columns[0]!) : 0);
    for (const c of columns) {
      if (byName.has(c.name)) throw new SluiceError("E_INTERNAL", `frame: column "${c.name}" appears twice`);
      if (columnLength(c) !== n)
        throw new SluiceError(
          "E_INTERNAL",
          `frame: column "${c.name}" has ${columnLength(c)} rows, expected ${n}`,
        );
      byName.set(c.name, c);
    }
    this.columns = columns;
    this.nRows = n;
    this.byName = byName;
  }

  /** Column names, in order. */
  get names(): string[] {
    return this.columns.map((c) => c.name);
  }

  get nColumns(): number {
    return this.columns.length;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The column called `name`, or undefined. */
  get(name: string): Column | undefined {
    return this.byName.get(name);
  }

  /** The column called `name`. @throws SluiceError E_COLUMN_NOT_FOUND, with a "did you mean". */
  column(name: string): Column {
    const c = this.byName.get(name);
    if (c === undefined) throw columnNotFound(name, this.names);
    return c;
  }

  /** The numeric column called `name`. @throws SluiceError E_COLUMN_TYPE when it is not numeric. */
  numeric(name: string): NumericColumn {
    const c = this.column(name);
    if (c.kind !== "numeric")
      throw new SluiceError("E_COLUMN_TYPE", `column "${name}" is ${c.kind}, not numeric`, {
        details: { column: name, kind: c.kind },
      });
    return c;
  }

  /** The categorical column called `name`. @throws SluiceError E_COLUMN_TYPE when it is not categorical. */
  categorical(name: string): CategoricalColumn {
    const c = this.column(name);
    if (c.kind !== "categorical")
      throw new SluiceError("E_COLUMN_TYPE", `column "${name}" is ${c.kind}, not categorical`, {
        details: { column: name, kind: c.kind },
      });
    return c;
  }

  /** A frame with only `names`, in that order. */
  select(names: readonly string[]): Frame {
    return new Frame(
      names.map((n) => this.column(n)),
      this.nRows,
    );
  }

  /** A frame without `names` (names not present are ignored). */
  drop(names: readonly string[]): Frame {
    const gone = new Set(names);
    return new Frame(
      this.columns.filter((c) => !gone.has(c.name)),
      this.nRows,
    );
  }

  /** A frame with `column` added, or replacing the column of the same name. */
  withColumn(column: Column): Frame {
    const cols = this.columns.slice();
    const i = cols.findIndex((c) => c.name === column.name);
    if (i >= 0) cols[i] = column;
    else cols.push(column);
    return new Frame(cols, this.nRows);
  }

  /** The rows at `rows` (0-based indices, any order, repeats allowed) as a new frame. */
  take(rows: ArrayLike<number>): Frame {
    return new Frame(
      this.columns.map((c) => takeColumn(c, rows)),
      rows.length,
    );
  }

  /** The rows [start, end) as a new frame. */
  slice(start: number, end = this.nRows): Frame {
    const s = Math.max(0, Math.min(start, this.nRows));
    const e = Math.max(s, Math.min(end, this.nRows));
    const idx = new Int32Array(e - s);
    for (let i = 0; i < idx.length; i++) idx[i] = s + i;
    return this.take(idx);
  }

  /** Row `i` as a plain object (categorical → string, missing → null). Allocates: not for hot loops. */
  row(i: number): Row {
    const out: Row = {};
    for (const c of this.columns) out[c.name] = cellAt(c, i);
    return out;
  }

  /** Rows as plain objects. Allocates one object per row: for tests, examples and small outputs. */
  *rows(): IterableIterator<Row> {
    for (let i = 0; i < this.nRows; i++) yield this.row(i);
  }

  /**
   * Build a frame from plain records. Each column's kind is taken from `kinds` when given;
   * otherwise a column whose non-null values are all numbers is numeric, else categorical.
   */
  static fromRecords(records: readonly Row[], kinds: Readonly<Record<string, ColumnKind>> = {}): Frame {
    const names: string[] = [];
    const seen = new Set<string>();
    for (const r of records)
      for (const k of Object.keys(r))
        if (!seen.has(k)) {
          seen.add(k);
          names.push(k);
        }
    for (const k of Object.keys(kinds))
      if (!seen.has(k)) {
        seen.add(k);
        names.push(k);
      }
    const columns: Column[] = names.map((name) => {
      const cells = records.map((r) => r[name] ?? null);
      const kind =
        kinds[name] ?? (cells.every((v) => v === null || typeof v === "number") ? "numeric" : "categorical");
      if (kind === "numeric") {
        const values = new Float64Array(cells.length);
        const invalid = new Map<number, string>();
        cells.forEach((v, i) => {
          if (v === null) values[i] = NaN;
          else if (typeof v === "number") values[i] = v;
          else {
            const t = v.trim();
            const x = t === "" ? NaN : Number(t);
            values[i] = x;
            if (t !== "" && Number.isNaN(x)) invalid.set(i, v);
          }
        });
        return numericColumn(name, values, "float", invalid);
      }
      const strings = cells.map((v) => (v === null ? null : String(v)));
      return kind === "categorical" ? categoricalFromStrings(name, strings) : textColumn(name, strings);
    });
    return new Frame(columns, records.length);
  }
}

/** The error for a column name that is not in the data, with a "did you mean". */
export function columnNotFound(name: string, available: readonly string[], where = "the data"): SluiceError {
  const shown = available.length > 12 ? [...available.slice(0, 12), "…"] : available;
  return new SluiceError(
    "E_COLUMN_NOT_FOUND",
    `column "${name}" is not in ${where}${didYouMean(name, available)}; columns are: ${shown.join(", ")}`,
    { details: { column: name, available } },
  );
}
