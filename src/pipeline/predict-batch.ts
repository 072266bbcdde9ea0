/**
 * Batch scoring (`sluice predict`): a CSV file of any size → the same rows with prediction
 * columns, streamed in chunks (constant memory), with every row that fails the server's checks
 * in a reject file with its row number and reason, never dropped silently.
 *
 * The hot path works on bytes and columns, not on records: a tokenizer finds the fields of a
 * chunk of rows in the input buffer (data/csv-stream.ts); the model's input columns are parsed
 * from those bytes into typed arrays and checked column by column (predict-columns.ts); the
 * kept rows are transformed with the batch `transform` (bit-identical to `transformRecord`) and
 * scored with one `predictProba` call; each output line is the input line's bytes plus the
 * prediction fields (predict-output.ts). Rows the columnar checks cannot pass go through the
 * exact per-record check of the server (predict-record.ts). The output is byte for byte what
 * the per-record scorer writes (test-utils/predict-reference.ts, kept for the tests that show it).
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";
import {
  CsvRowBlock,
  CsvTokenizer,
  FIELD_ESCAPED,
  FIELD_NON_ASCII,
  FIELD_QUOTED,
  FIELD_SPECIAL,
  fieldText,
} from "../data/csv-stream.js";
import { CsvFileReader } from "../data/csv-stream-reader.js";
import { formatCsvField } from "../data/csv-write.js";
import { SluiceError } from "../errors.js";
import { planFor } from "../features/plan.js";
import { transform } from "../features/transform.js";
import { requestSchema, type RequestSchema } from "../serve/validate-request.js";
import type { Store } from "../track/types.js";
import { silentProgress, type Progress } from "../util/progress.js";
import { loadBundle } from "./bundle.js";
import { ColumnChecker, ROW_OK, ROW_WIDTH } from "./predict-columns.js";
import { AtomicByteWriter, PredictionColumns, StagedLines, type ByteBuffer } from "./predict-output.js";
import { InlineScorer, ThreadScorer, type ChunkScorer } from "./predict-scorer.js";

export interface PredictFileOptions {
  /** `models:/NAME@production`, `models:/NAME/3`, a model.json path or its folder. */
  model: string;
  /** The store that resolves a `models:/` reference. */
  store?: Store;
  /** The CSV file to score (header line first). */
  input: string;
  /** The input's field delimiter: one ASCII character, `,` by default (`;`, `|`, a tab). The output is comma-separated. */
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
  /**
   * Score chunks on a worker thread while the next chunk is read and checked. Default false.
   * The output is the same either way.
   */
  worker?: boolean;
  /**
   * Called after each chunk is written, with its rows and the bytes the reader's buffer holds:
   * for progress displays, and for tests of the memory bound.
   */
  onChunk?: (chunk: PredictChunkInfo) => void;
}

/** One scored chunk, as {@link PredictFileOptions.onChunk} reports it. */
export interface PredictChunkInfo {
  /** Rows of the chunk (scored and rejected). */
  rows: number;
  /** The size of the input buffer (it grows only for a row larger than itself). */
  bufferBytes: number;
}

export interface PredictFileResult {
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

/** Header fields stored before the header's width is known (a wider header is read again). */
const HEADER_FIELDS = 1024;

/** The header row's field texts, or undefined for a file with no row at all. */
function readHeader(
  reader: CsvFileReader,
  source: string,
  delimiter: string,
): { header: string[]; tokenizer: CsvTokenizer } | undefined {
  for (let width = HEADER_FIELDS; ;) {
    const tokenizer = new CsvTokenizer({ source, delimiter });
    const block = new CsvRowBlock(1, width);
    reader.fill();
    let pos = tokenizer.tokenize(reader.buf, reader.start, reader.end, reader.eof, block);
    while (block.n === 0 && tokenizer.needMore) {
      reader.fill();
      pos = tokenizer.tokenize(reader.buf, reader.start, reader.end, reader.eof, block);
    }
    if (block.n === 0) return undefined;
    const count = block.fields[0]!;
    if (count > width) {
      // Read the header again with room for every name (the reader still holds its bytes).
      width = count;
      continue;
    }
    const header: string[] = [];
    for (let j = 0; j < count; j++)
      header.push(fieldText(reader.buf, block.start[j]!, block.end[j]!, block.flags[j]!));
    reader.start = pos;
    return { header, tokenizer };
  }
}

/** Field bits that make a field's bytes differ from its CSV text as written back. */
const REWRITE = FIELD_ESCAPED | FIELD_NON_ASCII | FIELD_SPECIAL;
/** Row bits that make a line's bytes differ from the line as written back. */
const REWRITE_LINE = REWRITE | FIELD_QUOTED;

/**
 * Write the input fields of block row `i` as CSV (without the line end): the line's own bytes
 * when writing it back changes nothing (a comma-separated line of plain fields), else field by
 * field.
 */
function writeInputLine(
  out: ByteBuffer,
  block: CsvRowBlock,
  i: number,
  buf: Uint8Array,
  width: number,
  commaSeparated: boolean,
): void {
  const rowStart = block.rowStart[i]!;
  const rowEnd = block.rowEnd[i]!;
  if (commaSeparated && (block.rowFlags[i]! & REWRITE_LINE) === 0) {
    out.reserve(rowEnd - rowStart);
    out.copy(buf, rowStart, rowEnd);
    return;
  }
  const cap = block.capacity;
  for (let j = 0; j < width; j++) {
    const k = j * cap + i;
    const s = block.start[k]!;
    const e = block.end[k]!;
    const fl = block.flags[k]!;
    out.reserve(e - s + 1);
    if (j > 0) out.buf[out.pos++] = 0x2c;
    if ((fl & REWRITE) === 0) out.copy(buf, s, e);
    else out.text(formatCsvField(fieldText(buf, s, e, fl)));
  }
}

/** A rejected row as the reject file holds it: the input fields (the header's count of them), `_row`, `_reason`. */
function rejectLine(
  block: CsvRowBlock,
  i: number,
  buf: Uint8Array,
  width: number,
  row: number,
  reason: string,
): string {
  const cap = block.capacity;
  const stored = Math.min(block.fields[i]!, width);
  let line = "";
  for (let j = 0; j < width; j++) {
    const k = j * cap + i;
    const text = j < stored ? fieldText(buf, block.start[k]!, block.end[k]!, block.flags[k]!) : "";
    line += j === 0 ? formatCsvField(text) : `,${formatCsvField(text)}`;
  }
  return `${line},${row},${formatCsvField(reason)}\n`;
}

/** The files and chunk size of a batch-scoring call, resolved and checked. */
export interface ScoringFiles {
  input: string;
  output: string;
  rejectsPath: string;
  chunkRows: number;
  /** The input's size in bytes (for progress). */
  size: number;
}

/**
 * Resolve and check the files of a {@link predictFile} call before anything is loaded or
 * written: a whole chunk size, three different paths, an input that exists.
 *
 * @throws SluiceError E_USAGE (chunk size, paths that coincide), E_FILE_NOT_FOUND (input)
 */
export function scoringFiles(
  options: Pick<PredictFileOptions, "input" | "output" | "rejects" | "chunkRows">,
): ScoringFiles {
  const input = resolve(options.input);
  const output = resolve(options.output);
  const rejectsPath = resolve(options.rejects ?? `${options.output}.rejects.csv`);
  const chunkRows = options.chunkRows ?? 8192;
  if (!Number.isInteger(chunkRows) || chunkRows < 1)
    throw new SluiceError("E_USAGE", `chunkRows must be an integer ≥ 1, got ${String(chunkRows)}`);
  if (rejectsPath === output || input === output || input === rejectsPath)
    throw new SluiceError(
      "E_USAGE",
      `the input, output and rejects files must differ (${input}, ${output}, ${rejectsPath})`,
      {
        hint: "choose another --output or --rejects path",
      },
    );
  let size: number;
  try {
    size = statSync(input).size;
  } catch (err) {
    throw new SluiceError("E_FILE_NOT_FOUND", `input file not found: ${input}`, {
      cause: err,
      details: { path: input },
      hint: "check the --input path",
    });
  }
  return { input, output, rejectsPath, chunkRows, size };
}

/**
 * Score a CSV file with a model and write the scored rows and the rejected rows.
 *
 * @throws SluiceError E_FILE_NOT_FOUND, E_COLUMN_NOT_FOUND (a model input missing from the
 *   header), E_DATA_UNREADABLE (broken CSV), E_WRITE; the outputs are left untouched on error.
 * @example
 * const r = await predictFile({ model: "models:/churn_predictor@production", store, input: "new.csv", output: "scored.csv" });
 * r.scored + r.rejected === r.rows; // always
 */
export async function predictFile(options: PredictFileOptions): Promise<PredictFileResult> {
  const started = performance.now();
  const delimiter = options.delimiter ?? ",";
  // A bad delimiter is a usage error, found before anything is loaded or written.
  new CsvTokenizer({ delimiter });
  const { input, output, rejectsPath, chunkRows, size } = scoringFiles(options);

  const bundle = await loadBundle(options.model, options.store);
  const schema = requestSchema(bundle);
  const config = {
    unknown_fields: "ignore" as const,
    invalid_values: options.invalidValues ?? bundle.serving?.serve.invalid_values ?? "reject",
  };
  const { model, features } = bundle;
  const plan = planFor(features);
  const predictions = new PredictionColumns(bundle);
  const rules = bundle.serving?.schema ?? {};

  const progress = options.progress ?? silentProgress;
  const step = progress.step(`scoring ${input}`, size);
  let out: AtomicByteWriter | undefined;
  let rej: AtomicByteWriter | undefined;
  let reader: CsvFileReader | undefined;
  let scorer: ChunkScorer | undefined;
  let rows = 0;
  let scored = 0;
  let rejected = 0;
  try {
    out = new AtomicByteWriter(output);
    rej = new AtomicByteWriter(rejectsPath);
    reader = new CsvFileReader(input);
    const start = readHeader(reader, input, delimiter);
    if (start === undefined)
      throw new SluiceError("E_DATA_UNREADABLE", `${input} is empty: it has no header line`, {
        details: { path: input },
        hint: "give a CSV file whose first line names the columns",
      });
    const { header, tokenizer } = start;
    checkHeader(header, schema, input);
    const width = header.length;
    const names = header.map((h) => formatCsvField(h)).join(",");
    out.text(`${names},${predictions.header.map((h) => formatCsvField(h)).join(",")}\n`);
    rej.text(`${names},_row,_reason\n`);

    const block = new CsvRowBlock(chunkRows, width);
    const checker = new ColumnChecker(header, schema, config, rules, plan, chunkRows);
    scorer = options.worker === true ? new ThreadScorer(model, plan.names) : new InlineScorer(model);
    // Two stages: one chunk is scored (on the worker) while the next one is read into the other.
    const stages = [new StagedLines(chunkRows), new StagedLines(chunkRows)];
    let inFlight: { stage: StagedLines; result: Promise<Float64Array> } | undefined;
    let spare: Float64Array | undefined;
    const writeScored = async (): Promise<void> => {
      if (inFlight === undefined) return;
      const { stage, result } = inFlight;
      inFlight = undefined;
      const probs = await result;
      stage.writeTo(out!, predictions, probs);
      stage.clear();
      spare = probs;
    };
    for (;;) {
      // Keep the buffer at least half full, so that chunks are whole (the block's offsets are
      // used up before the buffer moves).
      if (!reader.eof && reader.end - reader.start < reader.buf.length >>> 1) reader.fill();
      const buf = reader.buf;
      reader.start = tokenizer.tokenize(buf, reader.start, reader.end, reader.eof, block);
      const n = block.n;
      if (n > 0) {
        checker.run(block, buf);
        const state = checker.state;
        for (let i = 0; i < n; i++) {
          const st = state[i]!;
          if (st === ROW_OK) continue;
          const reason =
            st === ROW_WIDTH
              ? `the row has ${block.fields[i]!} fields, the header has ${width}`
              : checker.reasons[i]!;
          rej.text(rejectLine(block, i, buf, width, rows + i + 1, reason));
        }
        const nKept = checker.nKept;
        if (nKept > 0) {
          const stage = stages[0] === inFlight?.stage ? stages[1]! : stages[0]!;
          const kept = checker.kept;
          for (let q = 0; q < nKept; q++) {
            writeInputLine(stage.bytes, block, kept[q]!, buf, width, delimiter === ",");
            stage.endLine();
          }
          const result = scorer.score(transform(features, checker.frame(n)), spare);
          // If an error ends the run while this chunk is in flight, its rejection is dropped here
          // instead of surfacing as an unhandled one.
          result.catch(() => undefined);
          spare = undefined;
          await writeScored();
          inFlight = { stage, result };
        }
        rows += n;
        scored += nKept;
        rejected += n - nKept;
        block.n = 0;
        step.update(reader.bytesRead, size);
        options.onChunk?.({ rows: n, bufferBytes: reader.buf.length });
      }
      if (tokenizer.needMore) reader.fill();
      else if (reader.eof && reader.start >= reader.end) break;
    }
    await writeScored();
    reader.close();
    await scorer.close();
    out.commit();
    rej.commit();
  } catch (err) {
    reader?.close();
    await scorer?.close();
    out?.abort();
    rej?.abort();
    step.fail();
    if (err instanceof SluiceError) throw err;
    const e = err as Error & { code?: string };
    throw new SluiceError("E_DATA_UNREADABLE", `cannot read ${input} as CSV: ${e.message}`, {
      cause: err,
      details: { path: input, ...(e.code === undefined ? {} : { code: e.code }) },
      hint: "check that the file is CSV with a header line (quotes closed), and --delimiter if it is not comma-separated",
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
