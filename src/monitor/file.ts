/**
 * Monitoring data from a CSV or Parquet batch (`sluice monitor --current FILE`, or
 * `--reference FILE`), read through DuckDB with the project's column rules, so its cells are
 * typed as the training data's were. Training-side code: never loaded by the server.
 */
import type { Frame } from "../data/frame.js";
import { readFrame } from "../data/read.js";
import { SluiceError } from "../errors.js";
import type { FittedFeatures } from "../features/fitted.js";
import { transform } from "../features/transform.js";
import type { Model } from "../models/types.js";
import type { ColumnRule } from "../project/schema.js";
import { listing } from "../util/text.js";
import type { MonitorColumn, MonitorData } from "./data.js";
import { PREDICTION_COLUMN } from "./reference.js";

export interface FileDataInput {
  path: string;
  features: FittedFeatures;
  /** The model, to predict each row (for prediction drift). */
  model?: Model;
  /** The positive class code of a binary model. */
  positive?: number;
  schema?: Record<string, ColumnRule>;
  /** "current data" or "reference", for messages. */
  role?: string;
}

function column(frame: Frame, name: string, kind: "numeric" | "categorical"): MonitorColumn {
  const c = frame.column(name);
  const n = frame.nRows;
  if (kind === "numeric") {
    const values = new Float64Array(n);
    if (c.kind === "numeric") values.set(c.values);
    else if (c.kind === "categorical")
      for (let i = 0; i < n; i++) values[i] = c.codes[i]! < 0 ? NaN : Number(c.dictionary[c.codes[i]!]);
    else for (let i = 0; i < n; i++) values[i] = c.values[i] === null ? NaN : Number(c.values[i]);
    for (let i = 0; i < n; i++) if (!Number.isFinite(values[i]!)) values[i] = NaN;
    return { name, kind: "numeric", values };
  }
  const values: (string | null)[] = new Array<string | null>(n);
  if (c.kind === "categorical")
    for (let i = 0; i < n; i++) values[i] = c.codes[i]! < 0 ? null : c.dictionary[c.codes[i]!]!;
  else if (c.kind === "numeric")
    for (let i = 0; i < n; i++) values[i] = Number.isFinite(c.values[i]!) ? String(c.values[i]) : null;
  else for (let i = 0; i < n; i++) values[i] = c.values[i] === "" ? null : (c.values[i] ?? null);
  return { name, kind: "categorical", values };
}

/**
 * Read a batch file as monitoring data: the model's inputs, and its predictions when `model`
 * is given.
 *
 * @throws SluiceError E_COLUMN_NOT_FOUND naming every input the file lacks; the reading errors
 *   of {@link readFrame} (E_FILE_NOT_FOUND, E_DATA_UNREADABLE, …)
 */
export async function fileData(input: FileDataInput): Promise<MonitorData> {
  const { features } = input;
  const role = input.role ?? "current data";
  const frame = await readFrame(input.path, input.schema === undefined ? {} : { schema: input.schema });
  const names = features.inputs.map((i) => i.name);
  const lacking = names.filter((n) => !frame.has(n));
  if (lacking.length > 0)
    throw new SluiceError(
      "E_COLUMN_NOT_FOUND",
      `the ${role} ${input.path} lacks the model's input column${lacking.length === 1 ? "" : "s"} ${listing(
        lacking.map((l) => `"${l}"`),
      )}`,
      {
        details: { path: input.path, missing: lacking, columns: frame.names },
        hint: `the file must carry every input the model was trained on: ${names.join(", ")}`,
      },
    );
  const columns = features.inputs.map((i) => column(frame, i.name, i.kind));
  let prediction: MonitorColumn | undefined;
  if (input.model !== undefined) {
    const model = input.model;
    const X = transform(features, frame);
    if (model.task === "regression")
      prediction = { name: PREDICTION_COLUMN, kind: "numeric", values: model.predict(X) };
    else {
      const classes = model.classes ?? [];
      const pos = input.positive ?? (classes.length === 2 ? 1 : -1);
      if (classes.length === 2 && pos >= 0) {
        const proba = model.predictProba(X);
        const values = new Float64Array(X.nRows);
        for (let i = 0; i < X.nRows; i++) values[i] = proba[i * 2 + pos]!;
        prediction = { name: PREDICTION_COLUMN, kind: "numeric", values };
      } else {
        const codes = model.predict(X);
        prediction = {
          name: PREDICTION_COLUMN,
          kind: "categorical",
          values: Array.from(codes, (c) => classes[c] ?? null),
        };
      }
    }
  }
  return {
    source: input.path,
    rows: frame.nRows,
    columns,
    ...(prediction === undefined ? {} : { prediction }),
    absent: [],
    invalid: {},
  };
}
