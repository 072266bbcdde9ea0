/**
 * Applying fitted features: a whole frame, or one record. Both run the same row kernel over the
 * same registers, so `transformRecord(f, frame.row(i))` equals row i of `transform(f, frame)`
 * bit for bit.
 */
import type { Frame } from "../data/frame.js";
import { SluiceError } from "../errors.js";
import type { FittedFeatures } from "./fitted.js";
import { runRow } from "./kernel.js";
import { loadRecord, recordIssues, runBatch } from "./load.js";
import { featureMatrix, type FeatureMatrix } from "./matrix.js";
import { planFor } from "./plan.js";
import type { FieldIssue } from "./values.js";

/**
 * Transform every row of `frame` into the feature matrix. The frame needs every column in
 * `fitted.inputs` (others are ignored); values never seen in training are handled as at
 * serving (unknown category → the other bucket or all zeros; missing → imputed).
 *
 * @throws SluiceError E_COLUMN_NOT_FOUND when an input column is absent, E_COLUMN_TYPE when
 *   a numeric input arrives as text.
 * @example
 * const fitted = fitFeatures(config.features, train, { target: "churn", task: "classification" });
 * const X = transform(fitted, test); // X.nRows === test.nRows, X.names === fitted.outputs.map(o => o.name)
 */
export function transform(fitted: FittedFeatures, frame: Frame): FeatureMatrix {
  const plan = planFor(fitted);
  const m = featureMatrix(frame.nRows, plan.names);
  runBatch(plan, frame, m.data);
  return m;
}

/**
 * Transform one record (a plain object keyed by input name) into one row of outputs.
 * Numeric fields take numbers (booleans as 1/0; datetimes as epoch ms or ISO 8601 text),
 * categorical fields take strings (numbers as `String(n)`, booleans as "true"/"false");
 * null, undefined, NaN, ±Infinity and "" are missing and imputed as in training. Fields the
 * features do not use are ignored.
 *
 * @param out where to write (length ≥ number of outputs); allocated when not given.
 * @throws SluiceError E_RECORD naming every field with a wrong type, e.g.
 *   `field "age": expected a number, got "abc"`.
 * @example
 * const row = transformRecord(fitted, { tenure: 12, contract: "Month-to-month", monthly_charges: 70.5 });
 */
export function transformRecord(
  fitted: FittedFeatures,
  record: Readonly<Record<string, unknown>>,
  out?: Float64Array,
): Float64Array {
  const plan = planFor(fitted);
  const m = plan.names.length;
  if (record === null || typeof record !== "object" || Array.isArray(record))
    throw new SluiceError(
      "E_RECORD",
      `a record must be an object of field values, got ${record === null ? "null" : Array.isArray(record) ? "an array" : typeof record}`,
      {
        hint: 'send one object such as {"age": 42, "gender": "F"}',
      },
    );
  const target = out ?? new Float64Array(m);
  if (target.length < m)
    throw new SluiceError(
      "E_INTERNAL",
      `transformRecord: out has ${target.length} slots, the features have ${m} outputs`,
    );
  const r = plan.scratch;
  loadRecord(plan, record, r);
  runRow(plan, r, target);
  return target;
}

/**
 * Every field of `record` whose value has a wrong type for the fitted inputs (empty when the
 * record can be transformed). For servers that report all problems of a request at once.
 */
export function checkRecord(fitted: FittedFeatures, record: Readonly<Record<string, unknown>>): FieldIssue[] {
  return recordIssues(planFor(fitted), record);
}

/** The output column names of `fitted`, in matrix order. */
export function outputNames(fitted: FittedFeatures): readonly string[] {
  return planFor(fitted).names;
}
