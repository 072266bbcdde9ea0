/**
 * The worker side of {@link FitPool}: receives fit jobs over the shared rows it was started
 * with, runs each with {@link runFitJob}, and posts back the result (or the error, with its
 * code). Progress (iterations done) is posted as it happens.
 */
import { parentPort, workerData } from "node:worker_threads";
import { SluiceError } from "../errors.js";
import { runFitJob, type FitData, type FitJob } from "./fit-worker-job.js";
import type { ToPool, ToWorker } from "./fit-worker-pool.js";

const data = workerData as FitData;
const port = parentPort!;

function post(message: ToPool): void {
  const transfer: ArrayBuffer[] = [];
  if (message.type === "result") {
    transfer.push(message.result.curve.buffer as ArrayBuffer);
    if (message.result.predictions !== undefined)
      transfer.push(message.result.predictions.buffer as ArrayBuffer);
  }
  port.postMessage(message, transfer);
}

async function run(id: number, job: FitJob): Promise<void> {
  try {
    const { result } = await runFitJob(data, job, {
      progress: {
        update: (done, total) =>
          post({ type: "progress", id, done, ...(total === undefined ? {} : { total }) }),
        done() {},
        fail() {},
      },
    });
    post({ type: "result", id, result });
  } catch (err) {
    post({
      type: "error",
      id,
      error:
        err instanceof SluiceError
          ? {
              code: err.code,
              message: err.message,
              details: err.details,
              ...(err.hint === undefined ? {} : { hint: err.hint }),
            }
          : {
              code: "E_WORKER",
              message: `a fit failed in a worker thread: ${err instanceof Error ? err.message : String(err)}`,
              details: {},
              ...(err instanceof Error && err.stack !== undefined ? { stack: err.stack } : {}),
            },
    });
  }
}

port.on("message", (message: ToWorker) => {
  void run(message.id, message.job);
});
