/**
 * Test helper run as a separate process by `prediction-log.test.ts`: opens the SQLite store at
 * argv[2] and logs predictions continuously (written by the log's writer thread) until it is
 * killed, printing "logging" once the first batch is written.
 */
import { openStore } from "../track/open.js";
import { createPredictionLog } from "./prediction-log.js";

const store = await openStore(process.argv[2]);
const log = createPredictionLog(store, { flushMs: 10 });
let n = 0;
let told = false;
function burst(): void {
  for (let i = 0; i < 200; i++, n++)
    log.push({
      requestId: `r-${n}`,
      at: Date.now(),
      model: "churn",
      version: 1,
      input: { age: n % 90, region: "north", note: "x".repeat(n % 300) },
      output: { prediction: "1", probability: (n % 1000) / 1000 },
      latencyMs: 0.1,
    });
  if (!told && n > 1000) {
    void log.flush().then(() => {
      if (!told) process.stdout.write("logging\n");
      told = true;
    });
  }
  setImmediate(burst);
}
burst();
