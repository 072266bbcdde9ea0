import { parentPort, workerData } from "node:worker_threads";

const input = workerData as { shared: SharedArrayBuffer };
const view = new Float64Array(input.shared);
parentPort?.on("message", (n: number) => {
  for (let i = 0; i < view.length; i++) view[i] = view[i]! * n;
  parentPort?.postMessage("done");
});
