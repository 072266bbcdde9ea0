/**
 * A naive reference of `transform` for tests: reads the fitted JSON directly for every output
 * of every record, with plain objects and linear scans, and evaluates formulas with the naive
 * interpreter. It shares no code with the plan or the kernel.
 */
import type { FittedFeatures } from "../fitted.js";
import { parse } from "../formula/parser.js";
import { naiveEvaluate } from "./naive-formula.js";

type Cell = number | string | null;

function numeric(v: unknown): number | null {
  if (typeof v === "boolean") return v ? 1 : 0;
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function category(v: unknown): string | null {
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : null;
  if (typeof v === "boolean") return String(v);
  return typeof v === "string" && v !== "" ? v : null;
}

/** The output row of one record, by the book. */
export function naiveTransformRecord(
  fitted: FittedFeatures,
  record: Readonly<Record<string, unknown>>,
): number[] {
  const values: Record<string, Cell> = {};
  for (const input of fitted.inputs)
    values[input.name] =
      input.kind === "numeric" ? numeric(record[input.name]) : category(record[input.name]);
  for (const f of fitted.formulas) {
    const v = naiveEvaluate(parse(f.source), values);
    values[f.name] = Number.isNaN(v) ? null : f.kind === "binary" ? (v !== 0 ? 1 : 0) : v;
  }
  return fitted.outputs.map((o) => {
    switch (o.kind) {
      case "numeric": {
        const s = fitted.numeric.features.find((f) => f.name === o.feature)!;
        const x = (values[o.feature] as number | null) ?? s.fill;
        return (x - s.center) / s.scale;
      }
      case "indicator":
        return values[o.feature] === null ? 1 : 0;
      case "binary":
        return (values[o.feature] as number | null) ?? fitted.binary.find((b) => b.name === o.feature)!.fill;
      case "bin_index":
      case "bin": {
        const b = fitted.binned.find((x) => x.name === o.feature)!;
        const x = values[b.column] as number | null;
        let bin = b.fill;
        if (x !== null) {
          bin = 0;
          for (let k = 1; k < b.edges.length - 1; k++) if (x >= b.edges[k]!) bin = k;
        }
        return o.kind === "bin_index" ? bin : bin === o.bin ? 1 : 0;
      }
      default: {
        const c = fitted.categorical.features.find((x) => x.name === o.feature)!;
        const v = (values[o.feature] as string | null) ?? c.fill;
        const rank = c.kept.findIndex((k) => k.value === v);
        if (o.kind === "category") return v === o.category ? 1 : 0;
        if (o.kind === "category_other") return rank < 0 ? 1 : 0;
        return rank < 0 ? c.kept.length : rank;
      }
    }
  });
}
