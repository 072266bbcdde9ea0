import { describe, expect, it } from "vitest";
import { startWorker } from "./worker.js";

describe("startWorker", () => {
  it("runs a TypeScript worker that shares memory with its caller", async () => {
    const shared = new SharedArrayBuffer(8 * 4);
    const view = new Float64Array(shared);
    view.set([1, 2, 3, 4]);
    const w = startWorker(import.meta.url, "./worker-echo", { workerData: { shared } });
    try {
      await new Promise<void>((resolve, reject) => {
        w.once("message", () => resolve());
        w.once("error", reject);
        w.postMessage(3);
      });
      expect([...view]).toEqual([3, 6, 9, 12]);
    } finally {
      await w.terminate();
    }
  });
});
