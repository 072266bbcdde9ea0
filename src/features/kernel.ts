/**
 * The kernel: the one piece of code that turns loaded registers into output values, for a
 * training batch and for a single serving request alike. Both paths fill the same registers
 * with the same values (see load.ts), then call {@link computeRegisters} per row and
 * {@link emitOutputs} (a batch over a block of rows, a record over a block of one), so a batch
 * and a record agree bit for bit by construction, not by care.
 *
 * Register layout (one `Float64Array` per row, reused across rows):
 *
 * ```
 * [ inputs … | formulas … | categorical groups … | bin groups … ]
 * ```
 *
 * - a numeric input holds its value (NaN = missing; ±Infinity was turned into NaN on load);
 * - a categorical input holds its code in the input's known-value table (see plan.ts): the
 *   training categories, then strings named in formulas, then the imputation value; -1 for a
 *   value outside that table, NaN for missing;
 * - a formula holds its result (binary formulas: 0, 1 or NaN);
 * - a categorical group holds the frequency rank of the (imputed) category, or the number of
 *   kept categories for the other bucket;
 * - a bin group holds the bin index (missing → the training mode bin).
 *
 * Outputs are a flat list of operations over registers, kept in typed arrays and grouped by
 * kind, so the kernel runs one branch-light loop per kind with no allocation and no dispatch.
 */
import type { Evaluator } from "./formula/index.js";

/** out = ((x missing ? a : x) − b) / c */
export const OP_SCALE = 0;
/** out = x missing ? 1 : 0 */
export const OP_INDICATOR = 1;
/** out = x missing ? a : x */
export const OP_FILL = 2;
/** out = x */
export const OP_COPY = 3;
/** out = x === a ? 1 : 0 */
export const OP_EQ = 4;

/** A raw field as the kernel reads it. */
export interface PlanInput {
  readonly name: string;
  readonly slot: number;
  readonly kind: "numeric" | "categorical";
  readonly dtype: "float" | "integer" | "boolean" | "datetime" | "string";
  /** Categorical only: the known-value table, string → code. */
  readonly known: ReadonlyMap<string, number>;
  /** Categorical only: code → string. */
  readonly knownValues: readonly string[];
}

/** A compiled transformation: everything the kernel needs, in flat arrays. */
export interface Plan {
  readonly nRegisters: number;
  readonly inputs: readonly PlanInput[];
  readonly formulas: readonly Evaluator[];
  readonly formulaSlot: Int32Array;
  /** 1 for a binary formula: its result is turned into 0/1 (missing stays missing). */
  readonly formulaBinary: Uint8Array;
  readonly catSrc: Int32Array;
  readonly catDst: Int32Array;
  /** The group value of a missing category (the imputed category's rank). */
  readonly catFill: Float64Array;
  /** The group value of an unknown category: the number of kept categories. */
  readonly catOther: Float64Array;
  /** Per group: known-value code → rank among kept categories, or the number kept. */
  readonly catRank: readonly Int32Array[];
  readonly binSrc: Int32Array;
  readonly binDst: Int32Array;
  readonly binFill: Float64Array;
  /** Per group: the interior edges (all but the first and last), increasing. */
  readonly binInterior: readonly Float64Array[];
  readonly names: readonly string[];
  /** Operations sorted by kind: ops of kind k are [opEnds[k − 1], opEnds[k]). */
  readonly opKind: Uint8Array;
  readonly opEnds: Int32Array;
  /** The matrix column each operation writes. */
  readonly opOut: Int32Array;
  readonly opSrc: Int32Array;
  readonly opA: Float64Array;
  readonly opB: Float64Array;
  readonly opC: Float64Array;
  /** Registers for one-record calls, reused (the kernel is synchronous, so never shared mid-call). */
  readonly scratch: Float64Array;
}

/**
 * The bin of `x`: the number of interior edges ≤ x. So values below the first edge land in bin
 * 0, values above the last in the last bin, and bin k is [edge k, edge k+1).
 */
export function binIndex(interior: Float64Array, x: number): number {
  let lo = 0;
  let hi = interior.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (interior[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Compute a row's formulas and groups from its loaded inputs.
 *
 * @param r IN/OUT: one row's registers; the inputs must be loaded, the rest is overwritten.
 */
export function computeRegisters(p: Plan, r: Float64Array): void {
  const formulas = p.formulas;
  const fSlot = p.formulaSlot;
  const fBinary = p.formulaBinary;
  for (let f = 0; f < formulas.length; f++) {
    let v = formulas[f]!(r);
    if (fBinary[f] === 1 && v === v) v = v !== 0 ? 1 : 0;
    r[fSlot[f]!] = v;
  }

  const catSrc = p.catSrc;
  for (let g = 0; g < catSrc.length; g++) {
    const x = r[catSrc[g]!]!;
    r[p.catDst[g]!] = x !== x ? p.catFill[g]! : x < 0 ? p.catOther[g]! : p.catRank[g]![x]!;
  }

  const binSrc = p.binSrc;
  for (let g = 0; g < binSrc.length; g++) {
    const x = r[binSrc[g]!]!;
    r[p.binDst[g]!] = x !== x ? p.binFill[g]! : binIndex(p.binInterior[g]!, x);
  }
}

/**
 * Write the outputs of `rows` consecutive rows whose registers are computed.
 *
 * @param regs IN: the rows' registers, row-major (row k at k * nRegisters).
 * @param out OUT: output j of row k goes to `out[base + j * colStride + k]`. A batch matrix is
 *   column-major (base = first row, colStride = rows in the matrix); a single record is one
 *   row with base 0 and colStride 1.
 */
export function emitOutputs(
  p: Plan,
  regs: Float64Array,
  rows: number,
  out: Float64Array,
  base: number,
  colStride: number,
): void {
  // One loop per operation kind (ops are grouped by kind at plan time; opOut says which matrix
  // column each writes), and within it one tight loop over the rows: the operation's
  // parameters are read once and its column is written contiguously.
  const nReg = p.nRegisters;
  const src = p.opSrc;
  const dst = p.opOut;
  const a = p.opA;
  const b = p.opB;
  const c = p.opC;
  const ends = p.opEnds;
  let j = 0;
  for (const end = ends[OP_SCALE]!; j < end; j++) {
    const fill = a[j]!;
    const center = b[j]!;
    const scale = c[j]!;
    const col = base + dst[j]! * colStride;
    for (let k = 0, at = src[j]!; k < rows; k++, at += nReg) {
      const x = regs[at]!;
      out[col + k] = ((x !== x ? fill : x) - center) / scale;
    }
  }
  for (const end = ends[OP_INDICATOR]!; j < end; j++) {
    const col = base + dst[j]! * colStride;
    for (let k = 0, at = src[j]!; k < rows; k++, at += nReg) {
      const x = regs[at]!;
      out[col + k] = x !== x ? 1 : 0;
    }
  }
  for (const end = ends[OP_FILL]!; j < end; j++) {
    const fill = a[j]!;
    const col = base + dst[j]! * colStride;
    for (let k = 0, at = src[j]!; k < rows; k++, at += nReg) {
      const x = regs[at]!;
      out[col + k] = x !== x ? fill : x;
    }
  }
  for (const end = ends[OP_COPY]!; j < end; j++) {
    const col = base + dst[j]! * colStride;
    for (let k = 0, at = src[j]!; k < rows; k++, at += nReg) out[col + k] = regs[at]!;
  }
  for (const end = ends[OP_EQ]!; j < end; j++) {
    const value = a[j]!;
    const col = base + dst[j]! * colStride;
    for (let k = 0, at = src[j]!; k < rows; k++, at += nReg) out[col + k] = regs[at] === value ? 1 : 0;
  }
}

/** One row, start to end: registers, then outputs into `out[0 … outputs − 1]`. */
export function runRow(p: Plan, r: Float64Array, out: Float64Array): void {
  computeRegisters(p, r);
  emitOutputs(p, r, 1, out, 0, 1);
}
