/**
 * Batch scoring, a block of rows at a time: the model's input columns parsed from the
 * tokenized bytes into typed arrays, and every schema check of the server run column by
 * column over them.
 *
 * The columnar checks are a filter, never a second rule set: a row passes here only when
 * `checkRequestRecord` would find no error in it, and each value put in the arrays is the one
 * `loadRecord` would load. Anything else (a failed check, a quoted number, a `true`, blanks
 * around a number) marks the row for the exact per-record check (predict-record.ts), which
 * writes the reject reason, or clears the row and loads its values. So rejects keep the server's
 * wording, and a file of unusual rows is slower, never scored differently.
 */
import { categoricalColumn, Frame, numericColumn, type Column } from "../data/frame.js";
import { FIELD_ESCAPED, FIELD_NON_ASCII, fieldText, type CsvRowBlock } from "../data/csv-stream.js";
import { parseDecimal, parseDigits } from "../data/csv-stream-number.js";
import { ByteStringTable } from "../data/csv-stream-strings.js";
import type { Plan, PlanInput } from "../features/kernel.js";
import { parseIsoDatetime } from "../features/values.js";
import type { ColumnRule, ServeConfig } from "../project/schema.js";
import { MAX_STRING_LENGTH, type RequestSchema } from "../serve/validate-request.js";
import { converterKind, RecordChecker, type ConverterKind } from "./predict-record.js";

type FieldSpec = RequestSchema["fields"][number];

const DIGITS = /^-?\d+$/;

/** Row states in a block. */
export const ROW_OK = 0;
/** Decided by the exact per-record check. */
export const ROW_CHECK = 1;
/** Rejected: the row has another number of fields than the header. */
export const ROW_WIDTH = 2;
/** Rejected by the exact check; its reason is in `reasons`. */
export const ROW_REJECTED = 3;

/** One column of the file that the schema knows, with what its checks need, compiled. */
interface ColumnPlan {
  /** Position in the header. */
  j: number;
  kind: ConverterKind;
  field: FieldSpec;
  /** The model input this column feeds. */
  input: PlanInput | undefined;
  /** Rule checks (min, max, integer, values, pattern) reject rows (else they only warn). */
  ruleErrors: boolean;
  /** Numeric checks of the rule (not for datetime rules). */
  min: number;
  max: number;
  integer: boolean;
  /** Allowed values, when checked (numbers compare as `String(x)`). */
  values: ReadonlySet<string> | undefined;
  pattern: RegExp | undefined;
  /** Number and datetime columns: the value per row (NaN = missing). */
  numbers: Float64Array;
  /** Text columns: the known strings, each with its frame code and whether it passes the rules. */
  table: ByteStringTable | undefined;
  entryCode: Int32Array;
  entryOk: Uint8Array;
  /** Text columns feeding an input: the frame code per row (-1 = missing). */
  codes: Int32Array;
  /** The frame code of a value the model never saw. */
  unknownCode: number;
  /** The categorical dictionary of the frame: the input's known values, then one unknown. */
  dictionary: readonly string[];
  /** Gathered kept rows (when some rows of a block are rejected). */
  gatheredNumbers: Float64Array;
  gatheredCodes: Int32Array;
}

/** A string that is none of `taken` (the dictionary slot of every category the model never saw). */
function unusedString(taken: readonly string[]): string {
  const set = new Set(taken);
  let s = "\u0000unseen";
  while (set.has(s)) s += "\u0000";
  return s;
}

/**
 * Parses and checks blocks of one file: built once from its header, then run per block.
 */
export class ColumnChecker {
  /** Row state per block row (ROW_*). */
  readonly state: Uint8Array;
  /** Reject reasons of ROW_REJECTED rows, by block row. */
  readonly reasons: (string | undefined)[];
  /** Kept rows of the last block, in order. */
  readonly kept: Int32Array;
  nKept = 0;
  private readonly columns: ColumnPlan[];
  private readonly inputColumns: ColumnPlan[];
  private readonly width: number;
  /** A schema field that must have a value is not in the file: every row needs the exact check. */
  private readonly absentRequired: boolean;
  private readonly exact: RecordChecker;
  private readonly registers: Float64Array;
  private readonly texts: string[];

  constructor(
    header: readonly string[],
    schema: RequestSchema,
    config: Pick<ServeConfig, "unknown_fields" | "invalid_values">,
    rules: Readonly<Record<string, ColumnRule>>,
    private readonly plan: Plan,
    capacity: number,
  ) {
    this.width = header.length;
    this.state = new Uint8Array(capacity);
    this.reasons = new Array<string | undefined>(capacity).fill(undefined);
    this.kept = new Int32Array(capacity);
    this.exact = new RecordChecker(header, schema, config, rules);
    this.registers = new Float64Array(plan.nRegisters);
    this.texts = new Array<string>(header.length).fill("");
    const features = schema.features;
    const inputs = new Map(plan.inputs.map((i) => [i.name, i]));
    const present = new Set(header);
    this.absentRequired = schema.fields.some((f) => f.required && !present.has(f.name));
    this.columns = this.exact.known.map((j) => {
      const name = header[j]!;
      const field = schema.byName.get(name)!;
      const rule = field.rule;
      const kind = converterKind(name, features, Object.hasOwn(rules, name) ? rules[name] : undefined);
      const input = inputs.get(name);
      const ruleErrors = rule !== undefined && config.invalid_values === "reject" && rule.severity !== "warn";
      const numericRule = ruleErrors && rule.type !== "datetime";
      const dictionary = input?.kind === "categorical" ? [...input.knownValues] : [];
      dictionary.push(unusedString(dictionary));
      const column: ColumnPlan = {
        j,
        kind,
        field,
        input,
        ruleErrors,
        min: numericRule && rule.min !== undefined ? rule.min : -Infinity,
        max: numericRule && rule.max !== undefined ? rule.max : Infinity,
        integer: numericRule && rule.type === "integer",
        values: ruleErrors ? field.values : undefined,
        pattern: ruleErrors ? field.pattern : undefined,
        numbers: new Float64Array(kind === "text" ? 0 : capacity),
        table: undefined,
        entryCode: new Int32Array(0),
        entryOk: new Uint8Array(0),
        codes: new Int32Array(kind === "text" ? capacity : 0),
        unknownCode: dictionary.length - 1,
        dictionary,
        gatheredNumbers: new Float64Array(input !== undefined && kind !== "text" ? capacity : 0),
        gatheredCodes: new Int32Array(input !== undefined && kind === "text" ? capacity : 0),
      };
      if (kind === "text") {
        // The strings worth knowing by their bytes: the model's categories and the allowed values.
        const strings = [...new Set([...dictionary.slice(0, -1), ...(column.values ?? [])])];
        column.table = new ByteStringTable(strings);
        column.entryCode = Int32Array.from(strings, (s) => {
          const k = dictionary.indexOf(s);
          return k < 0 || k === column.unknownCode ? column.unknownCode : k;
        });
        column.entryOk = Uint8Array.from(strings, (s) =>
          s.length > MAX_STRING_LENGTH ||
          (column.values !== undefined && !column.values.has(s)) ||
          (column.pattern !== undefined && !column.pattern.test(s))
            ? 0
            : 1,
        );
      }
      return column;
    });
    this.inputColumns = plan.inputs.map((i) => this.columns.find((c) => c.input === i)!);
  }

  /**
   * Parse and check the rows of `block` (tokenized from `buf`): afterwards `state` says which
   * rows are kept (ROW_OK, listed in `kept`) and which are rejected, with their reasons.
   */
  run(block: CsvRowBlock, buf: Uint8Array): void {
    const n = block.n;
    const state = this.state;
    const fields = block.fields;
    const width = this.width;
    const first = this.absentRequired ? ROW_CHECK : ROW_OK;
    for (let i = 0; i < n; i++) state[i] = fields[i] === width ? first : ROW_WIDTH;
    for (const c of this.columns) {
      if (c.kind === "text") this.textColumn(c, block, buf);
      else this.numberColumn(c, block, buf);
    }
    let kept = 0;
    for (let i = 0; i < n; i++) {
      if (state[i] === ROW_CHECK) this.checkExactly(i, block, buf);
      if (state[i] === ROW_OK) this.kept[kept++] = i;
    }
    this.nKept = kept;
  }

  /** The kept rows' model inputs as a frame (columns named as the inputs). */
  frame(n: number): Frame {
    const kept = this.kept;
    const nKept = this.nKept;
    const all = nKept === n;
    const columns: Column[] = this.inputColumns.map((c) => {
      const input = c.input!;
      if (c.kind === "text") {
        let codes = c.codes.subarray(0, n);
        if (!all) {
          const g = c.gatheredCodes;
          for (let q = 0; q < nKept; q++) g[q] = codes[kept[q]!]!;
          codes = g.subarray(0, nKept);
        }
        return categoricalColumn(input.name, codes, c.dictionary);
      }
      let values = c.numbers.subarray(0, n);
      if (!all) {
        const g = c.gatheredNumbers;
        for (let q = 0; q < nKept; q++) g[q] = values[kept[q]!]!;
        values = g.subarray(0, nKept);
      }
      return numericColumn(input.name, values);
    });
    return new Frame(columns, nKept);
  }

  private numberColumn(c: ColumnPlan, block: CsvRowBlock, buf: Uint8Array): void {
    const n = block.n;
    const state = this.state;
    const base = c.j * block.capacity;
    const start = block.start;
    const end = block.end;
    const flags = block.flags;
    const out = c.numbers;
    const required = c.field.required;
    const digitsOnly = c.kind === "datetime";
    const { min, max, integer, values } = c;
    const checkRange = min !== -Infinity || max !== Infinity || integer;
    for (let i = 0; i < n; i++) {
      if (state[i] !== ROW_OK) continue;
      const k = base + i;
      const s = start[k]!;
      const e = end[k]!;
      if ((flags[k]! & (FIELD_ESCAPED | FIELD_NON_ASCII)) !== 0) {
        state[i] = ROW_CHECK;
        continue;
      }
      if (s === e) {
        out[i] = NaN;
        if (required) state[i] = ROW_CHECK;
        continue;
      }
      const x = digitsOnly ? parseDigits(buf, s, e) : parseDecimal(buf, s, e);
      if (x - x !== 0) {
        // Not a plain number (or not finite): ISO datetimes are read here, the rest checked exactly.
        if (digitsOnly && x !== x) this.datetimeText(c, i, buf, s, e, flags[k]!);
        else state[i] = ROW_CHECK;
        continue;
      }
      out[i] = x;
      if (checkRange && (x < min || x > max || (integer && !Number.isInteger(x)))) state[i] = ROW_CHECK;
      else if (values !== undefined && !values.has(String(x))) state[i] = ROW_CHECK;
    }
  }

  /** A datetime field that is not all digits: ISO 8601 text (a string value, so no range checks). */
  private datetimeText(c: ColumnPlan, i: number, buf: Uint8Array, s: number, e: number, fl: number): void {
    const t = fieldText(buf, s, e, fl).trim();
    if (t === "") {
      c.numbers[i] = NaN;
      if (c.field.required) this.state[i] = ROW_CHECK;
      return;
    }
    // Digits with blanks around them are a number to the record path: leave those to it.
    if (DIGITS.test(t)) {
      this.state[i] = ROW_CHECK;
      return;
    }
    const ms = parseIsoDatetime(t);
    if (
      (ms === undefined && c.input !== undefined) ||
      t.length > MAX_STRING_LENGTH ||
      (c.values !== undefined && !c.values.has(t)) ||
      (c.pattern !== undefined && !c.pattern.test(t))
    ) {
      this.state[i] = ROW_CHECK;
      return;
    }
    c.numbers[i] = ms ?? NaN;
  }

  private textColumn(c: ColumnPlan, block: CsvRowBlock, buf: Uint8Array): void {
    const n = block.n;
    const state = this.state;
    const base = c.j * block.capacity;
    const start = block.start;
    const end = block.end;
    const flags = block.flags;
    const codes = c.codes;
    const required = c.field.required;
    const table = c.table!;
    const hasTable = table.strings.length > 0;
    const { entryCode, entryOk, values, pattern, unknownCode } = c;
    for (let i = 0; i < n; i++) {
      if (state[i] !== ROW_OK) continue;
      const k = base + i;
      const s = start[k]!;
      const e = end[k]!;
      if (s === e) {
        codes[i] = -1;
        if (required) state[i] = ROW_CHECK;
        continue;
      }
      // Byte length bounds the string length from above: short fields are never too long.
      if (e - s > MAX_STRING_LENGTH) {
        state[i] = ROW_CHECK;
        continue;
      }
      const fl = flags[k]!;
      const decode = (fl & (FIELD_ESCAPED | FIELD_NON_ASCII)) !== 0;
      let text: string | undefined = decode ? fieldText(buf, s, e, fl) : undefined;
      const entry = !hasTable ? -1 : text === undefined ? table.find(buf, s, e) : table.findString(text);
      if (entry >= 0) {
        if (entryOk[entry] === 0) state[i] = ROW_CHECK;
        codes[i] = entryCode[entry]!;
        continue;
      }
      // Not a known string: out of the allowed values, or matched against the pattern itself.
      if (values !== undefined) {
        state[i] = ROW_CHECK;
        continue;
      }
      if (pattern !== undefined) {
        text ??= fieldText(buf, s, e, fl);
        if (!pattern.test(text)) {
          state[i] = ROW_CHECK;
          continue;
        }
      }
      codes[i] = unknownCode;
    }
  }

  /** Run the exact check on block row `i`: reject it with the server's reason, or load its values. */
  private checkExactly(i: number, block: CsvRowBlock, buf: Uint8Array): void {
    const texts = this.texts;
    const cap = block.capacity;
    for (let j = 0; j < this.width; j++) {
      const k = j * cap + i;
      texts[j] = fieldText(buf, block.start[k]!, block.end[k]!, block.flags[k]!);
    }
    const regs = this.registers;
    const verdict = this.exact.check(texts, this.plan, regs);
    if (!verdict.ok) {
      this.state[i] = ROW_REJECTED;
      this.reasons[i] = verdict.reason;
      return;
    }
    this.state[i] = ROW_OK;
    for (const c of this.inputColumns) {
      const r = regs[c.input!.slot]!;
      if (c.kind !== "text") c.numbers[i] = r;
      else c.codes[i] = r !== r ? -1 : r < 0 ? c.unknownCode : r;
    }
  }
}
