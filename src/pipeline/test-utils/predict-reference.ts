/**
 * The reference batch scorer: csv-parse, one record object per row, text output. It is what
 * `sluice predict` did before the columnar scorer (predict-batch.ts), kept unchanged so tests
 * can show that the fast path writes the same bytes for the same input, file after file, the
 * way a naive kernel is kept beside a fast one. Not used outside tests.
 */
import { createReadStream } from "node:fs";
import { parse } from "csv-parse";
import { formatCsvField } from "../../data/csv-write.js";
import { SluiceError } from "../../errors.js";
import { featureMatrix } from "../../features/matrix.js";
import { outputNames, transformRecord } from "../../features/transform.js";
import { checkRequestRecord, requestSchema, type RequestSchema } from "../../serve/validate-request.js";
import { converterKind, converterOf } from "../predict-record.js";
import type { Store } from "../../track/types.js";
import { AtomicFileWriter } from "../../util/fs.js";
import { silentProgress, type Progress } from "../../util/progress.js";
import { loadBundle, type ModelBundle } from "../bundle.js";
import { scoringFiles } from "../predict-batch.js";

interface ReferenceOptions {
  /** `models:/NAME@production`, `models:/NAME/3`, a model.json path or its folder. */
  model: string;
  /** The store that resolves a `models:/` reference. */
  store?: Store;
  /** The CSV file to score (header line first, comma-separated). */
  input: string;
  /** The input's field delimiter (default ","). */
  delimiter?: string;
  /** Where the scored CSV goes (written atomically). */
  output: string;
  /** Where rejected records go (default `<output>.rejects.csv`); always written, header only when none. */
  rejects?: string;
  /** Out-of-rule values (min, max, allowed values, pattern): reject the record, or score it anyway. Default: the model's `serve.invalid_values`. */
  invalidValues?: "reject" | "warn";
  progress?: Progress;
  /** Records per scored chunk. Default 8192. */
  chunkRows?: number;
}

interface ReferenceResult {
  /** Data rows read. */
  rows: number;
  /** Rows written to the output with predictions. */
  scored: number;
  /** Rows written to the reject file. */
  rejected: number;
  seconds: number;
  output: string;
  rejects: string;
  /** The model that scored: its name and registry version (null for a file). */
  model: { source: string; name: string | null; version: number | null };
}

/** What the prediction columns are and how a row of model outputs fills them. */
interface OutputPlan {
  header: string[];
  /** Model outputs per row (K probabilities, or 1 value). */
  width: number;
  /** The prediction fields of one row (joined, with a leading comma) from its outputs at `out[at .. at + width)`. */
  fields(out: Float64Array, at: number): string;
}

function outputPlan(bundle: ModelBundle): OutputPlan {
  const { model, serving } = bundle;
  if (model.task === "regression")
    return { header: ["prediction"], width: 1, fields: (out, at) => `,${formatCsvField(out[at]!)}` };
  const classes = model.classes ?? serving?.classes ?? [];
  const positiveLabel = serving?.positive ?? classes[1];
  const positive = classes.length === 2 && positiveLabel !== undefined ? classes.indexOf(positiveLabel) : -1;
  const risk = Object.entries(serving?.serve.risk ?? {}).sort((a, b) => b[1] - a[1]);
  const K = classes.length;
  const labels = classes.map((c) => formatCsvField(c));
  const header = [
    "prediction",
    ...(positive >= 0 ? ["probability"] : classes.map((c) => `probability_${c}`)),
    "confidence",
    ...(positive >= 0 && risk.length > 0 ? ["risk"] : []),
  ];
  return {
    header,
    width: K,
    fields(out, at) {
      let best = 0;
      for (let k = 1; k < K; k++) if (out[at + k]! > out[at + best]!) best = k;
      let f = `,${labels[best]!}`;
      if (positive >= 0) f += `,${formatCsvField(out[at + positive]!)}`;
      else for (let k = 0; k < K; k++) f += `,${formatCsvField(out[at + k]!)}`;
      f += `,${formatCsvField(out[at + best]!)}`;
      if (positive >= 0 && risk.length > 0) f += `,${formatCsvField(riskOf(risk, out[at + positive]!))}`;
      return f;
    },
  };
}

/** The risk level of `p`: the highest level whose lower bound is ≤ p (levels sorted by bound, highest first). */
function riskOf(levels: readonly (readonly [string, number])[], p: number): string {
  for (const [name, bound] of levels) if (bound <= p) return name;
  return "";
}

function csvLine(fields: readonly string[]): string {
  return fields.join(",") + "\n";
}

/** The raw CSV fields of an input row, re-quoted for output, as one line (without its end). */
function rawLine(fields: readonly string[], width: number): string {
  let line = width > 0 ? formatCsvField(fields[0] ?? "") : "";
  for (let j = 1; j < width; j++) line += `,${formatCsvField(fields[j] ?? "")}`;
  return line;
}

/** Valid records of the current chunk, waiting to be scored together. */
class Chunk {
  readonly data: Float64Array;
  readonly row: Float64Array;
  /** The input fields of each row, as CSV text. */
  readonly lines: string[] = [];
  n = 0;

  constructor(
    readonly capacity: number,
    readonly names: readonly string[],
  ) {
    this.data = new Float64Array(capacity * names.length);
    this.row = new Float64Array(names.length);
  }

  /** Add one transformed row (in `this.row`) in column-major order. */
  add(line: string): void {
    const { data, row, capacity, n } = this;
    for (let j = 0; j < row.length; j++) data[j * capacity + n] = row[j]!;
    this.lines.push(line);
    this.n++;
  }

  /** The chunk's feature matrix (copied out when the chunk is not full). */
  matrix(): ReturnType<typeof featureMatrix> {
    const { n, capacity, names } = this;
    if (n === capacity) return featureMatrix(n, names, this.data);
    const m = names.length;
    const data = new Float64Array(n * m);
    for (let j = 0; j < m; j++) data.set(this.data.subarray(j * capacity, j * capacity + n), j * n);
    return featureMatrix(n, names, data);
  }

  clear(): void {
    this.n = 0;
    this.lines.length = 0;
  }
}

function checkHeader(header: string[], schema: RequestSchema, input: string): void {
  const have = new Set(header);
  const missing = schema.features.inputs.map((i) => i.name).filter((n) => !have.has(n));
  if (missing.length > 0)
    throw new SluiceError(
      "E_COLUMN_NOT_FOUND",
      `${input} has no column ${missing.map((m) => `"${m}"`).join(", ")}, which the model reads`,
      {
        details: { missing, columns: header },
        hint: `the file's header must name every model input (it has: ${header.join(", ")})`,
      },
    );
  const seen = new Set<string>();
  for (const name of header) {
    if (seen.has(name))
      throw new SluiceError("E_FORMAT", `${input}: column "${name}" appears twice in the header`, {
        details: { column: name },
        hint: "give every column a distinct name",
      });
    seen.add(name);
  }
}

/**
 * Score a CSV file as `predictFile` does, the slow and obvious way (the reference for tests).
 *
 * @example
 * await predictFileReference({ model: modelPath, input: "in.csv", output: "expected.csv" });
 */
export async function predictFileReference(options: ReferenceOptions): Promise<ReferenceResult> {
  const started = performance.now();
  // The files are checked as predictFile checks them: the reference is for the scoring.
  const { input, output, rejectsPath, chunkRows, size } = scoringFiles(options);

  const bundle = await loadBundle(options.model, options.store);
  const schema = requestSchema(bundle);
  const config = {
    unknown_fields: "ignore" as const,
    invalid_values: options.invalidValues ?? bundle.serving?.serve.invalid_values ?? "reject",
  };
  const { model, features } = bundle;
  const plan = outputPlan(bundle);
  const names = outputNames(features);
  const chunk = new Chunk(chunkRows, names);
  const rules = bundle.serving?.schema ?? {};

  const progress = options.progress ?? silentProgress;
  const step = progress.step(`scoring ${input}`, size);
  const out = new AtomicFileWriter(output);
  let rej: AtomicFileWriter | undefined;
  let stream: ReturnType<typeof createReadStream> | undefined;
  let rows = 0;
  let scored = 0;
  let rejected = 0;
  try {
    rej = new AtomicFileWriter(rejectsPath);
    const rejects = rej;
    stream = createReadStream(input, { highWaterMark: 1 << 20 });
    let bytes = 0;
    stream.on("data", (b) => {
      bytes += b.length;
    });
    const parser = stream.pipe(
      parse({
        bom: true,
        relax_column_count: true,
        skip_empty_lines: true,
        delimiter: options.delimiter ?? ",",
      }),
    );
    stream.on("error", (err) => parser.destroy(err));

    let header: string[] | undefined;
    let convert: ((text: string) => unknown)[] = [];
    let width = 0;
    // The columns the model's schema knows (others pass through unread), and one record object
    // reused for every row: checks and transforms read it at once and keep nothing.
    let known: number[] = [];
    const record: Record<string, unknown> = {};
    let probs: Float64Array = new Float64Array(0);

    const flush = (): void => {
      if (chunk.n === 0) return;
      const X = chunk.matrix();
      probs =
        model.task === "classification"
          ? model.predictProba(X, probs.length === X.nRows * plan.width ? probs : undefined)
          : model.predict(X);
      let text = "";
      for (let i = 0; i < chunk.n; i++) {
        text += `${chunk.lines[i]!}${plan.fields(probs, i * plan.width)}\n`;
        if (text.length > 1 << 16) {
          out.write(text);
          text = "";
        }
      }
      out.write(text);
      scored += chunk.n;
      chunk.clear();
      step.update(bytes, size);
    };

    for await (const fields of parser as AsyncIterable<string[]>) {
      if (header === undefined) {
        header = fields;
        checkHeader(header, schema, input);
        width = header.length;
        convert = header.map((name) =>
          converterOf(converterKind(name, features, Object.hasOwn(rules, name) ? rules[name] : undefined)),
        );
        known = header.flatMap((name, j) => (schema.byName.has(name) ? [j] : []));
        for (const j of known) record[header[j]!] = null;
        out.write(csvLine([...header.map((h) => formatCsvField(h)), ...plan.header]));
        rejects.write(csvLine([...header.map((h) => formatCsvField(h)), "_row", "_reason"]));
        continue;
      }
      rows++;
      let reason: string | undefined;
      if (fields.length !== width) {
        reason = `the row has ${fields.length} fields, the header has ${width}`;
      } else {
        for (const j of known) record[header[j]!] = convert[j]!(fields[j]!);
        const check = checkRequestRecord(schema, record, config);
        if (check.errors.length > 0) reason = check.errors.map((e) => e.message).join("; ");
        else transformRecord(features, check.record, chunk.row);
      }
      if (reason !== undefined) {
        rejects.write(`${rawLine(fields, width)},${rows},${formatCsvField(reason)}\n`);
        rejected++;
        continue;
      }
      chunk.add(rawLine(fields, width));
      if (chunk.n === chunkRows) flush();
    }
    if (header === undefined)
      throw new SluiceError("E_DATA_UNREADABLE", `${input} is empty: it has no header line`, {
        details: { path: input },
        hint: "give a CSV file whose first line names the columns",
      });
    flush();
    out.commit();
    rejects.commit();
  } catch (err) {
    out.abort();
    rej?.abort();
    stream?.destroy();
    step.fail();
    if (err instanceof SluiceError) throw err;
    const e = err as Error & { code?: string; lines?: number };
    throw new SluiceError("E_DATA_UNREADABLE", `cannot read ${input} as CSV: ${e.message}`, {
      cause: err,
      details: { path: input, ...(e.code === undefined ? {} : { code: e.code }) },
      hint: "check that the file is comma-separated CSV with a header line (quotes closed)",
    });
  }
  step.done(
    `${rows.toLocaleString("en-US")} rows: ${scored.toLocaleString("en-US")} scored, ${rejected.toLocaleString("en-US")} rejected`,
  );
  return {
    rows,
    scored,
    rejected,
    seconds: (performance.now() - started) / 1000,
    output,
    rejects: rejectsPath,
    model: {
      source: options.model,
      name: bundle.version?.name ?? null,
      version: bundle.version?.version ?? null,
    },
  };
}
