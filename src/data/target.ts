/**
 * The target column as learners need it: class indices (classification) or numbers
 * (regression), with the checks that stop a run that could not learn anything useful.
 */
import { SluiceError } from "../errors.js";
import type { Task } from "../project/metric-names.js";
import { didYouMean, listing } from "../util/text.js";
import { compareCodePoints, type Column, type Frame } from "./frame.js";

/** An encoded target. */
export type EncodedTarget =
  | {
      task: "classification";
      column: string;
      /** Class labels, sorted by code point; numbers as written (`0`, `1`, `2.5`). */
      classes: string[];
      /** Index into `classes` per row. */
      y: Int32Array;
      /** Index of the positive class of a binary target; -1 when there are more than 2 classes. */
      positive: number;
      /** Rows per class, by class index. */
      counts: number[];
    }
  | { task: "regression"; column: string; y: Float64Array };

/** Options for {@link encodeTarget}. */
export interface EncodeTargetOptions {
  /** The positive class of a binary target (default: the minority class). */
  positive?: string;
}

const SHOWN_ROWS = 5;

/** Rows where the target is missing (0-based), with their count. */
function missingRows(c: Column): { count: number; first: number[] } {
  const first: number[] = [];
  let count = 0;
  const n =
    c.kind === "numeric" ? c.values.length : c.kind === "categorical" ? c.codes.length : c.values.length;
  for (let i = 0; i < n; i++) {
    const missing =
      c.kind === "numeric"
        ? Number.isNaN(c.values[i]!)
        : c.kind === "categorical"
          ? c.codes[i]! < 0
          : c.values[i] === null;
    if (missing) {
      if (first.length < SHOWN_ROWS) first.push(i);
      count++;
    }
  }
  return { count, first };
}

function checkNoMissing(c: Column, nRows: number): void {
  const { count, first } = missingRows(c);
  if (count === 0) return;
  if (count === nRows)
    throw new SluiceError(
      "E_TARGET",
      `target column "${c.name}" has no values: all ${nRows.toLocaleString("en-US")} rows are missing`,
      {
        details: { column: c.name, missing: count, rows: nRows },
        hint: "check that data.target names the right column and that the file holds its values",
      },
    );
  const shown = first.map((r) => r + 1).join(", ");
  throw new SluiceError(
    "E_TARGET",
    `target column "${c.name}" has ${count.toLocaleString("en-US")} missing value${count === 1 ? "" : "s"} ` +
      `(data row${count === 1 ? "" : "s"} ${shown}${count > first.length ? ", …" : ""}, counting from 1)`,
    {
      details: { column: c.name, missing: count, rows: first },
      hint: `quarantine them by setting nullable: false on "${c.name}" in the schema, or remove those rows from the data`,
    },
  );
}

function numberLabel(x: number): string {
  return Object.is(x, -0) ? "0" : String(x);
}

/** Per-row labels as indices into a sorted label list, for any column kind. */
function labelsOf(c: Column): { labels: string[]; index: Int32Array } {
  const n = c.kind === "categorical" ? c.codes.length : c.values.length;
  const index = new Int32Array(n);
  const seen = new Map<string, number>();
  const raw: string[] = [];
  // Map each row to a provisional label id; ids are renumbered after sorting.
  if (c.kind === "categorical") {
    const local = new Int32Array(c.dictionary.length).fill(-1);
    for (let i = 0; i < n; i++) {
      const code = c.codes[i]!;
      if (local[code]! < 0) {
        local[code] = raw.length;
        raw.push(c.dictionary[code]!);
      }
      index[i] = local[code]!;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const label = c.kind === "numeric" ? numberLabel(c.values[i]!) : c.values[i]!;
      let id = seen.get(label);
      if (id === undefined) {
        id = raw.length;
        seen.set(label, id);
        raw.push(label);
      }
      index[i] = id;
    }
  }
  const labels = raw.slice().sort(compareCodePoints);
  const rank = new Int32Array(raw.length);
  const position = new Map<string, number>();
  labels.forEach((l, i) => position.set(l, i));
  raw.forEach((l, i) => (rank[i] = position.get(l)!));
  for (let i = 0; i < n; i++) index[i] = rank[index[i]!]!;
  return { labels, index };
}

/**
 * Encode the target column for `task`.
 *
 * @throws SluiceError E_COLUMN_NOT_FOUND (with a "did you mean") when the column is absent;
 *   E_TARGET when it has missing values, no values, a single class, a `positive` that is not
 *   a class, or is not numeric for regression.
 * @example
 * const target = encodeTarget(frame, "Churn", "classification", { positive: "Yes" });
 * target.classes; // ["No", "Yes"]
 * target.positive; // 1
 */
export function encodeTarget(
  frame: Frame,
  column: string,
  task: Task,
  options: EncodeTargetOptions = {},
): EncodedTarget {
  const c = frame.get(column);
  if (c === undefined)
    throw new SluiceError(
      "E_COLUMN_NOT_FOUND",
      `target column "${column}" is not in the data${didYouMean(column, frame.names)}`,
      {
        details: { column, available: frame.names },
        hint: `set data.target to one of: ${frame.names.slice(0, 12).join(", ")}${frame.nColumns > 12 ? ", …" : ""}`,
      },
    );

  if (task === "regression") {
    if (c.kind !== "numeric") {
      const examples =
        c.kind === "categorical" ? c.dictionary.slice(0, 3) : c.values.filter((v) => v !== null).slice(0, 3);
      throw new SluiceError(
        "E_TARGET",
        `target column "${column}" holds ${c.kind} values (${examples.map((e) => JSON.stringify(e)).join(", ")}), but the task is regression, which needs numbers`,
        {
          details: { column, kind: c.kind },
          hint: `set data.task: classification, or declare "${column}" as type number in the schema if its text holds numbers`,
        },
      );
    }
    checkNoMissing(c, frame.nRows);
    for (let i = 0; i < c.values.length; i++)
      if (!Number.isFinite(c.values[i]!))
        throw new SluiceError(
          "E_TARGET",
          `target column "${column}" holds an infinite value at data row ${i + 1}`,
          {
            details: { column, row: i },
            hint: "remove or correct the rows with infinite targets",
          },
        );
    return { task, column, y: c.values.slice() };
  }

  checkNoMissing(c, frame.nRows);
  const { labels, index } = labelsOf(c);
  const counts = new Array<number>(labels.length).fill(0);
  for (let i = 0; i < index.length; i++) counts[index[i]!]!++;
  if (labels.length < 2)
    throw new SluiceError(
      "E_TARGET",
      `target column "${column}" has a single class, "${labels[0]!}", in all ${frame.nRows.toLocaleString("en-US")} rows: there is nothing to learn`,
      {
        details: { column, classes: labels, counts },
        hint: "check data.target and the file; a classification target needs at least two classes",
      },
    );

  let positive = -1;
  if (options.positive !== undefined) {
    const p = labels.indexOf(options.positive);
    if (p < 0)
      throw new SluiceError(
        "E_TARGET",
        `data.positive "${options.positive}" is not a class of "${column}"${didYouMean(options.positive, labels)}; its classes are ${listing(labels.map((l) => `"${l}"`))}`,
        {
          details: { column, positive: options.positive, classes: labels },
          hint: "set data.positive to one of the classes",
        },
      );
    if (labels.length === 2) positive = p;
  } else if (labels.length === 2) positive = counts[1]! <= counts[0]! ? 1 : 0;
  return { task, column, classes: labels, y: index, positive, counts };
}
