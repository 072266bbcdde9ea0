/**
 * The prediction log's writer thread: owns its own connection to the SQLite store and writes
 * each batch it is sent in one transaction, answering with the number of rows written or the
 * error. The connection is opened at start, and again with the next batch after a failure, so a
 * store that cannot be opened is a failed write, kept and retried by the log, not a dead thread.
 */
import { parentPort, workerData } from "node:worker_threads";
import { isSluiceError } from "../errors.js";
import { openSqlitePredictionWriter, type SqlitePredictionWriter } from "../track/prediction-batches.js";
import type { ToWriterThread, FromWriterThread, WriterThreadData } from "./prediction-log-thread.js";

const data = workerData as WriterThreadData;
const port = parentPort!;
const utf8 = new TextDecoder();
let writer: SqlitePredictionWriter | undefined;
try {
  writer = openSqlitePredictionWriter(data.path, { busyTimeoutMs: data.busyTimeoutMs });
} catch {
  // Opened again with the first batch, whose failure is then reported and retried.
}
// Up: what is sent from now on is written without waiting for the thread to start.
port.postMessage({ kind: "ready" } satisfies FromWriterThread);

/** Answer, handing the batch's buffer back for the next batch. */
function post(message: Exclude<FromWriterThread, { kind: "ready" }>): void {
  port.postMessage(message, [message.buffer]);
}

port.on("message", (message: ToWriterThread) => {
  if (message.kind === "close") {
    writer?.close();
    writer = undefined;
    port.close();
    return;
  }
  try {
    writer ??= openSqlitePredictionWriter(data.path, { busyTimeoutMs: data.busyTimeoutMs });
    const batch = utf8.decode(new Uint8Array(message.buffer, 0, message.bytes));
    post({ kind: "written", id: message.id, rows: writer.write(batch), buffer: message.buffer });
  } catch (err) {
    // Start from a fresh connection next time: this one may be what broke.
    try {
      writer?.close();
    } catch {
      // already unusable
    }
    writer = undefined;
    post({
      kind: "failed",
      id: message.id,
      code: isSluiceError(err) ? err.code : "E_STORE",
      message: err instanceof Error ? err.message : String(err),
      buffer: message.buffer,
    });
  }
});
