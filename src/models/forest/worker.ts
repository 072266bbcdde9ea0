/**
 * A worker thread that grows forest trees. It starts before the data is ready, receives the
 * shared training data once in a first message (the binned matrix, labels and weights live in
 * SharedArrayBuffers, so nothing is copied), then grows each tree index it is sent and posts
 * the tree's arrays back (transferred, not copied).
 */
import { parentPort } from "node:worker_threads";
import { TreeGrower, type ForestData, type GrowSettings } from "./grow.js";

/** The worker's first message. */
export interface ForestWorkerData {
  data: ForestData;
  settings: GrowSettings;
}

let grower: TreeGrower | undefined;

// First the data (shared arrays: nothing is copied but small tables), then tree indices.
parentPort!.on("message", (msg: number | ForestWorkerData) => {
  if (typeof msg !== "number") {
    grower = new TreeGrower(msg.data, msg.settings);
    return;
  }
  const t = msg;
  try {
    const tree = grower!.grow(t);
    // The tree's arrays are views of one buffer of their own (toTree): hand it over instead
    // of copying.
    parentPort!.postMessage({ t, tree }, [tree.feature.buffer as ArrayBuffer]);
  } catch (err) {
    parentPort!.postMessage({ t, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
});
