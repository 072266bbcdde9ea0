/**
 * Building the kernel {@link Plan} from {@link FittedFeatures}: compile the formulas against
 * the inputs, lay out registers, and lower every output to one flat operation. Fitted state
 * read from a file goes through here too, so any inconsistency in it (an output naming a
 * feature that does not exist, a formula reading an unknown input) is an E_FORMAT error on
 * load, never a wrong number later.
 */
import { SluiceError } from "../errors.js";
import type { FittedFeatures } from "./fitted.js";
import { compileFormula, type CompiledFormula, type FormulaColumn, type Evaluator } from "./formula/index.js";
import { OP_COPY, OP_EQ, OP_FILL, OP_INDICATOR, OP_SCALE, type Plan, type PlanInput } from "./kernel.js";

function bad(message: string): SluiceError {
  return new SluiceError("E_FORMAT", `fitted features: ${message}`, {
    hint: "the fitted state is inconsistent (damaged or edited by hand); fit the features again",
  });
}

/** Compile the formulas of `fitted` in order, each seeing the inputs and the formulas before it. */
export function compileFormulas(fitted: Pick<FittedFeatures, "inputs" | "formulas">): CompiledFormula[] {
  const env = new Map<string, FormulaColumn>();
  for (const input of fitted.inputs)
    env.set(
      input.name,
      input.kind === "numeric" ? { kind: "numeric", dtype: input.dtype } : { kind: "categorical" },
    );
  return fitted.formulas.map((f) => {
    if (env.has(f.name)) throw bad(`formula "${f.name}" has the name of an input or of an earlier formula`);
    const compiled = compileFormula(f.source, env, { where: `features.${f.kind}.${f.name}` });
    env.set(f.name, { kind: "numeric", dtype: "float" });
    return compiled;
  });
}

/**
 * The plan of `fitted`. Only the parts present are built: fitting uses plans of partial state
 * (inputs and formulas only) to compute derived values with the same code as serving.
 */
export function buildPlan(fitted: FittedFeatures): Plan {
  const compiled = compileFormulas(fitted);
  const nIn = fitted.inputs.length;
  const slotOf = new Map<string, number>();
  const inputByName = new Map<string, FittedFeatures["inputs"][number]>();
  fitted.inputs.forEach((input, i) => {
    if (slotOf.has(input.name)) throw bad(`input "${input.name}" appears twice`);
    slotOf.set(input.name, i);
    inputByName.set(input.name, input);
  });

  // Known-value tables: training categories, then formula literals, then imputation values.
  const knownValues = new Map<string, string[]>();
  for (const input of fitted.inputs)
    if (input.kind === "categorical") knownValues.set(input.name, [...input.categories]);
  const addKnown = (column: string, value: string): void => {
    const list = knownValues.get(column);
    if (list !== undefined && !list.includes(value)) list.push(value);
  };
  for (const f of compiled)
    for (const [column, literals] of f.literals) for (const lit of literals) addKnown(column, lit);
  for (const c of fitted.categorical.features) addKnown(c.name, c.fill);
  const known = new Map<string, Map<string, number>>();
  for (const [column, values] of knownValues) known.set(column, new Map(values.map((v, i) => [v, i])));

  const inputs: PlanInput[] = fitted.inputs.map((input, i) => ({
    name: input.name,
    slot: i,
    kind: input.kind,
    dtype: input.dtype,
    known: known.get(input.name) ?? new Map(),
    knownValues: knownValues.get(input.name) ?? [],
  }));

  // Formulas.
  const formulaSlot = new Int32Array(compiled.length);
  const formulaBinary = new Uint8Array(compiled.length);
  const formulaKind = new Map<string, "derived" | "binary">();
  const binding = {
    slot: (column: string) => slotOf.get(column)!,
    code: (column: string, literal: string) => known.get(column)!.get(literal)!,
  };
  const evaluators: Evaluator[] = compiled.map((f, k) => {
    const ev = f.bind(binding);
    const meta = fitted.formulas[k]!;
    const slot = nIn + k;
    slotOf.set(meta.name, slot);
    formulaKind.set(meta.name, meta.kind);
    formulaSlot[k] = slot;
    formulaBinary[k] = meta.kind === "binary" ? 1 : 0;
    return ev;
  });
  let nRegisters = nIn + compiled.length;

  // Categorical groups.
  const cats = fitted.categorical.features;
  const catIndex = new Map<string, number>();
  const catSrc = new Int32Array(cats.length);
  const catDst = new Int32Array(cats.length);
  const catFill = new Float64Array(cats.length);
  const catOther = new Float64Array(cats.length);
  const catRank: Int32Array[] = [];
  const catKeptRank: Map<string, number>[] = [];
  cats.forEach((c, g) => {
    const input = inputByName.get(c.name);
    if (input?.kind !== "categorical")
      throw bad(`categorical feature "${c.name}" is not a categorical input`);
    const K = c.kept.length;
    const rankOfValue = new Map(c.kept.map((k, i) => [k.value, i]));
    if (rankOfValue.size !== K) throw bad(`categorical feature "${c.name}" keeps a category twice`);
    const table = knownValues.get(c.name)!;
    const ranks = new Int32Array(table.length);
    table.forEach((v, code) => (ranks[code] = rankOfValue.get(v) ?? K));
    catIndex.set(c.name, g);
    catSrc[g] = slotOf.get(c.name)!;
    catDst[g] = nRegisters++;
    catFill[g] = rankOfValue.get(c.fill) ?? K;
    catOther[g] = K;
    catRank.push(ranks);
    catKeptRank.push(rankOfValue);
  });

  // Bin groups.
  const bins = fitted.binned;
  const binIndexOf = new Map<string, number>();
  const binSrc = new Int32Array(bins.length);
  const binDst = new Int32Array(bins.length);
  const binFill = new Float64Array(bins.length);
  const binInterior: Float64Array[] = [];
  bins.forEach((b, g) => {
    const s = slotOf.get(b.column);
    const input = inputByName.get(b.column);
    if (s === undefined || (input !== undefined && input.kind !== "numeric"))
      throw bad(`binned feature "${b.name}" reads "${b.column}", which is not a numeric input or a formula`);
    for (let i = 1; i < b.edges.length; i++)
      if (!(b.edges[i]! > b.edges[i - 1]!))
        throw bad(`binned feature "${b.name}" has edges that do not increase`);
    const nBins = Math.max(1, b.edges.length - 1);
    if (b.labels.length !== nBins || b.fill >= nBins)
      throw bad(
        `binned feature "${b.name}" has ${nBins} bins but ${b.labels.length} labels or fill bin ${b.fill}`,
      );
    binIndexOf.set(b.name, g);
    binSrc[g] = s;
    binDst[g] = nRegisters++;
    binFill[g] = b.fill;
    binInterior.push(Float64Array.from(b.edges.slice(1, -1)));
  });

  // Outputs.
  const numericByName = new Map(fitted.numeric.features.map((f) => [f.name, f]));
  const binaryByName = new Map(fitted.binary.map((f) => [f.name, f]));
  const m = fitted.outputs.length;
  const opKind = new Uint8Array(m);
  const opSrc = new Int32Array(m);
  const opA = new Float64Array(m);
  const opB = new Float64Array(m);
  const opC = new Float64Array(m);
  const names: string[] = [];
  const seen = new Set<string>();
  fitted.outputs.forEach((o, j) => {
    if (seen.has(o.name)) throw bad(`output "${o.name}" appears twice`);
    seen.add(o.name);
    names.push(o.name);
    const missing = (what: string): SluiceError =>
      bad(`output ${j} ("${o.name}") refers to ${what} "${o.feature}", which is not in the fitted state`);
    switch (o.kind) {
      case "numeric":
      case "indicator": {
        const f = numericByName.get(o.feature);
        const s = slotOf.get(o.feature);
        if (f === undefined || s === undefined) throw missing("the numeric feature");
        if (
          f.from === "derived"
            ? formulaKind.get(o.feature) !== "derived"
            : inputByName.get(o.feature)?.kind !== "numeric"
        )
          throw bad(
            `numeric feature "${o.feature}" is not a ${f.from === "derived" ? "derived formula" : "numeric input"}`,
          );
        opSrc[j] = s;
        if (o.kind === "indicator") opKind[j] = OP_INDICATOR;
        else {
          opKind[j] = OP_SCALE;
          opA[j] = f.fill;
          opB[j] = f.center;
          opC[j] = f.scale;
        }
        break;
      }
      case "binary": {
        const f = binaryByName.get(o.feature);
        if (f === undefined || formulaKind.get(o.feature) !== "binary") throw missing("the binary feature");
        opKind[j] = OP_FILL;
        opSrc[j] = slotOf.get(o.feature)!;
        opA[j] = f.fill;
        break;
      }
      case "bin_index":
      case "bin": {
        const g = binIndexOf.get(o.feature);
        if (g === undefined) throw missing("the binned feature");
        opSrc[j] = binDst[g]!;
        if (o.kind === "bin_index") opKind[j] = OP_COPY;
        else {
          if (o.bin >= bins[g]!.labels.length)
            throw bad(
              `output "${o.name}" names bin ${o.bin} of "${o.feature}", which has ${bins[g]!.labels.length}`,
            );
          opKind[j] = OP_EQ;
          opA[j] = o.bin;
        }
        break;
      }
      case "category":
      case "category_other":
      case "category_code": {
        const g = catIndex.get(o.feature);
        if (g === undefined) throw missing("the categorical feature");
        opSrc[j] = catDst[g]!;
        if (o.kind === "category_code") opKind[j] = OP_COPY;
        else {
          opKind[j] = OP_EQ;
          if (o.kind === "category_other") {
            if (cats[g]!.other === null)
              throw bad(`output "${o.name}" is the other bucket of "${o.feature}", which has none`);
            opA[j] = catOther[g]!;
          } else {
            const rank = catKeptRank[g]!.get(o.category);
            if (rank === undefined)
              throw bad(
                `output "${o.name}" names category "${o.category}", which "${o.feature}" does not keep`,
              );
            opA[j] = rank;
          }
        }
        break;
      }
    }
  });

  // Group the operations by kind so the kernel runs one branch-free loop per kind.
  const order = Array.from({ length: m }, (_, j) => j).sort((x, y) => opKind[x]! - opKind[y]! || x - y);
  const opEnds = new Int32Array(5);
  for (let j = 0; j < m; j++) for (let k = opKind[j]!; k < 5; k++) opEnds[k]!++;
  const permute = <T extends Float64Array | Int32Array | Uint8Array>(arr: T): T => {
    const copy = arr.slice() as T;
    order.forEach((from, to) => (copy[to] = arr[from]!));
    return copy;
  };

  return {
    nRegisters,
    inputs,
    formulas: evaluators,
    formulaSlot,
    formulaBinary,
    catSrc,
    catDst,
    catFill,
    catOther,
    catRank,
    binSrc,
    binDst,
    binFill,
    binInterior,
    names,
    opKind: permute(opKind),
    opEnds,
    opOut: Int32Array.from(order),
    opSrc: permute(opSrc),
    opA: permute(opA),
    opB: permute(opB),
    opC: permute(opC),
    scratch: new Float64Array(nRegisters),
  };
}

const plans = new WeakMap<FittedFeatures, Plan>();

/** The plan of `fitted`, built once per fitted object (fitted state is frozen, so it cannot go stale). */
export function planFor(fitted: FittedFeatures): Plan {
  let plan = plans.get(fitted);
  if (plan === undefined) {
    plan = buildPlan(fitted);
    plans.set(fitted, plan);
  }
  return plan;
}
