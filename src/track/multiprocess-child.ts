/**
 * Test helper run as a separate process by `multiprocess.test.ts`: opens the store at argv[2]
 * and creates argv[3] versions of the model argv[4], printing the numbers as JSON.
 */
import { openStore } from "./open.js";

const [url, count, name] = process.argv.slice(2);
const store = await openStore(url);
try {
  const versions: number[] = [];
  for (let i = 0; i < Number(count); i++)
    versions.push(
      (await store.createModelVersion({ name: name!, source: `file:///m-${process.pid}-${i}.json` })).version,
    );
  process.stdout.write(`${JSON.stringify(versions)}\n`);
} finally {
  await store.close();
}
