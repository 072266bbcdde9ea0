/** The generated example data the learner and scoring benchmarks run on. */
import { createWriteStream, rmSync } from "node:fs";
import { join } from "node:path";
import { finished } from "node:stream/promises";
import { generateExampleCsv, type ExampleName } from "../../src/data/examples/index.js";
import { prepareCsv, type PreparedSplit } from "../../src/models/linear/test-utils/real-data.js";

/** Write the `name` example's generated CSV (`rows` rows, `seed`) to `path`. */
export async function writeExampleCsv(
  path: string,
  name: ExampleName,
  options: { rows: number; seed?: number },
): Promise<void> {
  const out = createWriteStream(path);
  for (const chunk of generateExampleCsv(name, options))
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
  out.end();
  await finished(out);
}

/** The churn example with `rows` rows, prepared and split as the learner benchmarks use it. */
export async function generatedChurn(dir: string, rows: number): Promise<PreparedSplit> {
  const file = join(dir, "churn.csv");
  await writeExampleCsv(file, "churn", { rows });
  try {
    return await prepareCsv(file, {
      target: "churn",
      task: "classification",
      positive: "1",
      drop: ["customer_id"],
    });
  } finally {
    rmSync(file, { force: true });
  }
}
