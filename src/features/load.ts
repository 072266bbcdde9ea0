/**
 * Loading input registers: from a frame (a whole batch) or from one record. The two loaders
 * differ in where values come from, never in what they mean: both go through the rules of
 * values.ts, so each register holds the same float64 for the same cell.
 */
import { columnNotFound, type Column, type Frame } from "../data/frame.js";
import { SluiceError } from "../errors.js";
import { computeRegisters, emitOutputs, type Plan, type PlanInput } from "./kernel.js";
import {
  categoricalField,
  cleanNumber,
  numberToCategory,
  numericField,
  ownField,
  recordError,
  type FieldIssue,
} from "./values.js";

/** The register code of a category text (null = missing). */
export function categoryCode(input: PlanInput, value: string | null): number {
  return value === null ? NaN : (input.known.get(value) ?? -1);
}

interface BatchSources {
  /** Inputs read straight from a Float64Array (numeric values, or precomputed category codes). */
  directSlot: Int32Array;
  direct: Float64Array[];
  /** Categorical inputs read through a frame dictionary: register = map[code], NaN for code < 0. */
  codedSlot: Int32Array;
  coded: Int32Array[];
  codedMap: Float64Array[];
}

function wrongKind(input: PlanInput, col: Column): SluiceError {
  const expected = input.kind === "numeric" ? "numeric" : "categorical (or numeric, read as text)";
  return new SluiceError(
    "E_COLUMN_TYPE",
    `column "${input.name}" is ${col.kind} in the data, but the features were fitted with it as ${expected}`,
    {
      details: { column: input.name, kind: col.kind, expected: input.kind },
      hint: "read the data with the same schema as the training data",
    },
  );
}

/** Per-row category codes of a numeric or text column (values converted as in records). */
function precomputedCodes(input: PlanInput, col: Column, n: number): Float64Array {
  const codes = new Float64Array(n);
  if (col.kind === "numeric") {
    // Few distinct numbers in a categorical column: cache their codes to avoid String() per row.
    const cache = new Map<number, number>();
    const v = col.values;
    for (let i = 0; i < n; i++) {
      const x = v[i]!;
      let code = cache.get(x);
      if (code === undefined) {
        code = categoryCode(input, numberToCategory(x));
        cache.set(x, code);
      }
      codes[i] = code;
    }
  } else if (col.kind === "text") {
    for (let i = 0; i < n; i++) {
      const s = col.values[i] ?? null;
      codes[i] = categoryCode(input, s === "" ? null : s);
    }
  }
  return codes;
}

function batchSources(plan: Plan, frame: Frame): BatchSources {
  const directSlot: number[] = [];
  const direct: Float64Array[] = [];
  const codedSlot: number[] = [];
  const coded: Int32Array[] = [];
  const codedMap: Float64Array[] = [];
  for (const input of plan.inputs) {
    const col = frame.get(input.name);
    if (col === undefined) throw columnNotFound(input.name, frame.names, "the data to transform");
    if (input.kind === "numeric") {
      if (col.kind !== "numeric") throw wrongKind(input, col);
      directSlot.push(input.slot);
      direct.push(col.values);
    } else if (col.kind === "categorical") {
      const map = new Float64Array(col.dictionary.length);
      col.dictionary.forEach((s, k) => (map[k] = categoryCode(input, s === "" ? null : s)));
      codedSlot.push(input.slot);
      coded.push(col.codes);
      codedMap.push(map);
    } else {
      directSlot.push(input.slot);
      direct.push(precomputedCodes(input, col, frame.nRows));
    }
  }
  return {
    directSlot: Int32Array.from(directSlot),
    direct,
    codedSlot: Int32Array.from(codedSlot),
    coded,
    codedMap,
  };
}

/** Load row `i` of the batch into registers `r`. */
function loadBatchRow(s: BatchSources, i: number, r: Float64Array): void {
  const { directSlot, direct, codedSlot, coded, codedMap } = s;
  for (let k = 0; k < directSlot.length; k++) r[directSlot[k]!] = cleanNumber(direct[k]![i]!);
  for (let k = 0; k < codedSlot.length; k++) {
    const code = coded[k]![i]!;
    r[codedSlot[k]!] = code < 0 ? NaN : codedMap[k]![code]!;
  }
}

/** Rows per block in {@link runBatch}: a block's registers stay in the CPU cache. */
const BLOCK = 256;

/**
 * Run the plan over every row of `frame`, writing output j of row i to `out[j * n + i]`.
 *
 * Rows are loaded and their registers computed one at a time, then kept in a block; each block
 * is emitted output by output, so every matrix column is written in contiguous runs.
 *
 * @param capture optional registers to copy out per row (fitting reads derived values this way).
 */
export function runBatch(
  plan: Plan,
  frame: Frame,
  out: Float64Array,
  capture?: { slots: readonly number[]; into: Float64Array[] },
): void {
  const sources = batchSources(plan, frame);
  const n = frame.nRows;
  const nReg = plan.nRegisters;
  const r = new Float64Array(nReg);
  const block = new Float64Array(BLOCK * nReg);
  const capSlots = capture === undefined ? new Int32Array(0) : Int32Array.from(capture.slots);
  const capInto = capture?.into ?? [];
  for (let start = 0; start < n; start += BLOCK) {
    const rows = Math.min(BLOCK, n - start);
    for (let k = 0; k < rows; k++) {
      const i = start + k;
      loadBatchRow(sources, i, r);
      computeRegisters(plan, r);
      for (let s = 0, at = k * nReg; s < nReg; s++, at++) block[at] = r[s]!;
      for (let c = 0; c < capSlots.length; c++) capInto[c]![i] = r[capSlots[c]!]!;
    }
    emitOutputs(plan, block, rows, out, start, n);
  }
}

/** Every wrong field of `record` (empty when it can be transformed). */
export function recordIssues(plan: Plan, record: Readonly<Record<string, unknown>>): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const input of plan.inputs) {
    const raw = ownField(record, input.name);
    const v =
      input.kind === "numeric"
        ? numericField(input.name, input.dtype === "string" ? "float" : input.dtype, raw)
        : categoricalField(input.name, raw);
    if (v !== null && typeof v === "object") issues.push(v);
  }
  return issues;
}

/**
 * Load one record into registers `r`.
 *
 * @throws SluiceError E_RECORD listing every field with a wrong type.
 */
export function loadRecord(plan: Plan, record: Readonly<Record<string, unknown>>, r: Float64Array): void {
  const inputs = plan.inputs;
  for (let k = 0; k < inputs.length; k++) {
    const input = inputs[k]!;
    const raw = ownField(record, input.name);
    if (input.kind === "numeric") {
      const v = numericField(input.name, input.dtype === "string" ? "float" : input.dtype, raw);
      if (typeof v !== "number") throw recordError(recordIssues(plan, record));
      r[input.slot] = v;
    } else {
      const v = categoricalField(input.name, raw);
      if (v !== null && typeof v === "object") throw recordError(recordIssues(plan, record));
      r[input.slot] = categoryCode(input, v);
    }
  }
}
