/**
 * Writes the prepared Telco and housing splits (see real-data.ts) as raw little-endian arrays
 * for the Python reference scripts (see writeSplit).
 *
 * Run: npx tsx src/models/linear/test-utils/dump-real-data.ts <dir>
 */
import { prepareHousing, prepareTelco, writeSplit } from "./real-data.js";

const dir = process.argv[2];
if (dir === undefined) {
  console.error("usage: dump-real-data.ts <dir>");
  process.exit(2);
}
writeSplit(dir, "telco", await prepareTelco());
writeSplit(dir, "housing", await prepareHousing());
