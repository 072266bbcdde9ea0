/**
 * The columns drift is measured on, whatever they came from: the reference file, a window of
 * the prediction log, or a batch file. Numbers are `Float64Array` (NaN = missing), categories
 * are text (null = missing). Values are read with the same rules the features use for a
 * request (src/features/values.ts), so "1" in a log and 1 in a file mean what they meant at
 * serving.
 */
import { numberToCategory, numericField } from "../features/values.js";
import type { StoredPrediction } from "../track/types.js";
import { PREDICTION_COLUMN, type MonitorReference } from "./reference.js";

/** One column of monitoring data. */
export type MonitorColumn =
  | { readonly name: string; readonly kind: "numeric"; readonly values: Float64Array }
  | { readonly name: string; readonly kind: "categorical"; readonly values: readonly (string | null)[] };

/** Monitoring data: the model's input columns and, when known, its prediction. */
export interface MonitorData {
  /** Where it came from, in words (`prediction log: last 1,000 predictions of churn v3`). */
  readonly source: string;
  readonly rows: number;
  /** One per reference input, in the reference's order. */
  readonly columns: readonly MonitorColumn[];
  /** The model's prediction (see the reference's `prediction`). */
  readonly prediction?: MonitorColumn;
  /** Inputs that no row carries at all (absent, not merely missing). */
  readonly absent: readonly string[];
  /** Values of a wrong type, by input (they count as missing). */
  readonly invalid: Readonly<Record<string, number>>;
}

/** The reference as monitoring data. */
export function referenceData(ref: MonitorReference): MonitorData {
  const columns = ref.columns.map((c): MonitorColumn =>
    c.kind === "numeric"
      ? { name: c.name, kind: "numeric", values: Float64Array.from(c.values, (v) => (v === null ? NaN : v)) }
      : { name: c.name, kind: "categorical", values: c.values },
  );
  const p = ref.prediction;
  const prediction: MonitorColumn =
    p.kind === "numeric"
      ? {
          name: PREDICTION_COLUMN,
          kind: "numeric",
          values: Float64Array.from(p.values, (v) => (typeof v === "number" ? v : NaN)),
        }
      : {
          name: PREDICTION_COLUMN,
          kind: "categorical",
          values: p.values.map((v) => (v === null ? null : String(v))),
        };
  return {
    source: `reference: ${ref.rows} training rows`,
    rows: ref.rows,
    columns,
    prediction,
    absent: [],
    invalid: {},
  };
}

/** A categorical value as the features read it: text, numbers as `String(n)`, "" missing. */
function categoryOf(value: unknown): string | null {
  if (typeof value === "string") return value === "" ? null : value;
  if (typeof value === "number") return numberToCategory(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  return null;
}

/** A number as the features read it (datetimes as epoch ms or ISO text); NaN when missing or wrong. */
function numberOf(name: string, value: unknown): { value: number; invalid: boolean } {
  const v = numericField(name, "datetime", value);
  return typeof v === "number" ? { value: v, invalid: false } : { value: NaN, invalid: true };
}

/** What a window must look like: the reference's columns and where its prediction is. */
export interface WindowShape {
  readonly columns: readonly { readonly name: string; readonly kind: "numeric" | "categorical" }[];
  readonly prediction: {
    readonly kind: "numeric" | "categorical";
    readonly field: "probability" | "prediction";
  };
}

/**
 * A window of logged predictions as monitoring data, typed like the reference (a stored
 * {@link MonitorReference} is a shape). An input that no logged record carries is listed in
 * `absent`; values of a wrong type count as missing and are counted in `invalid`.
 */
export function windowData(ref: WindowShape, rows: readonly StoredPrediction[], source: string): MonitorData {
  const n = rows.length;
  const absent: string[] = [];
  const invalid: Record<string, number> = {};
  const columns = ref.columns.map((c): MonitorColumn => {
    let present = 0;
    let bad = 0;
    if (c.kind === "numeric") {
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const input = rows[i]!.input;
        if (!Object.hasOwn(input, c.name)) {
          values[i] = NaN;
          continue;
        }
        present++;
        const r = numberOf(c.name, input[c.name]);
        values[i] = r.value;
        if (r.invalid) bad++;
      }
      if (present === 0 && n > 0) absent.push(c.name);
      if (bad > 0) invalid[c.name] = bad;
      return { name: c.name, kind: "numeric", values };
    }
    const values: (string | null)[] = new Array<string | null>(n);
    for (let i = 0; i < n; i++) {
      const input = rows[i]!.input;
      if (!Object.hasOwn(input, c.name)) {
        values[i] = null;
        continue;
      }
      present++;
      const raw = input[c.name];
      if (raw !== null && raw !== undefined && typeof raw === "object") bad++;
      values[i] = categoryOf(raw);
    }
    if (present === 0 && n > 0) absent.push(c.name);
    if (bad > 0) invalid[c.name] = bad;
    return { name: c.name, kind: "categorical", values };
  });

  const field = ref.prediction.field;
  let prediction: MonitorColumn;
  if (ref.prediction.kind === "numeric") {
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = rows[i]!.output[field];
      values[i] = typeof v === "number" && Number.isFinite(v) ? v : NaN;
    }
    prediction = { name: PREDICTION_COLUMN, kind: "numeric", values };
  } else {
    prediction = {
      name: PREDICTION_COLUMN,
      kind: "categorical",
      values: rows.map((r) => categoryOf(r.output[field])),
    };
  }
  return { source, rows: n, columns, prediction, absent, invalid };
}
