/**
 * A histogram thread: claims and runs chunks of the row passes (row-tasks.ts) whenever the
 * fitting thread posts a command, reading everything from shared memory. The protocol is in
 * workers.ts.
 */
import { parentPort, workerData, type MessagePort } from "node:worker_threads";
import type { PackedRows } from "../kernels/rowbins.js";
import { threadContext, workChunks, type ThreadContext } from "./row-tasks.js";
import {
  CMD_EXIT,
  commandTag,
  C_ARGS,
  C_ERROR,
  C_SEQ,
  C_SLEEPERS,
  spinWhile,
  type SharedBuffers,
} from "./workers.js";

interface Data {
  control: Int32Array;
  results: Int32Array;
  errors: MessagePort;
}

/** The fit's data, sent once the fitting thread has binned the matrix. */
interface Attach {
  pack: PackedRows;
  buffers: SharedBuffers;
}

const { control, results, errors } = workerData as Data;

function onError(err: unknown): void {
  Atomics.store(control, C_ERROR, 1);
  errors.postMessage(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
}

function run(ctx: ThreadContext): void {
  let seen = 0;
  for (;;) {
    spinWhile(control, C_SEQ, seen, false);
    if (Atomics.load(control, C_SEQ) === seen) {
      Atomics.add(control, C_SLEEPERS, 1);
      Atomics.wait(control, C_SEQ, seen);
      Atomics.sub(control, C_SLEEPERS, 1);
      continue;
    }
    seen = Atomics.load(control, C_SEQ);
    if (control[C_ARGS] === CMD_EXIT) return;
    workChunks(ctx, commandTag(seen), onError);
  }
}

parentPort?.once("message", (data: Attach) => run(threadContext(data.buffers, data.pack, control, results)));
parentPort?.postMessage("ready");
