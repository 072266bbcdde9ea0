/**
 * The thread that scores chunks for `predictFile` (see predict-scorer.ts): it rebuilds the model
 * from its file form and answers each feature matrix with the model's outputs, in order.
 */
import { parentPort, workerData } from "node:worker_threads";
import { SluiceError } from "../errors.js";
import { featureMatrix } from "../features/matrix.js";
import { modelFromJSON } from "../models/format.js";
import type { ScorerThreadData, ToScorerThread, FromScorerThread } from "./predict-scorer.js";

const data = workerData as ScorerThreadData;
const model = modelFromJSON(data.model, "model to score with");
const port = parentPort!;

port.on("message", (m: ToScorerThread) => {
  let reply: FromScorerThread;
  try {
    const X = featureMatrix(m.nRows, data.names, m.data);
    const out = m.out !== undefined && m.out.length === m.nRows * data.width ? m.out : undefined;
    const result = data.proba ? model.predictProba(X, out) : model.predict(X, out);
    port.postMessage({ id: m.id, result } satisfies FromScorerThread, [result.buffer as ArrayBuffer]);
    return;
  } catch (err) {
    const e = err instanceof SluiceError ? err : undefined;
    reply = {
      id: m.id,
      error: { code: e?.code ?? "E_WORKER", message: err instanceof Error ? err.message : String(err) },
    };
  }
  port.postMessage(reply);
});
