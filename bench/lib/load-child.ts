/**
 * One load, in its own process, so that the peak RSS it reports is the load's alone.
 * Usage: node --import tsx bench/lib/load-child.ts <file>
 * Prints one JSON line: { seconds, cpuSeconds, maxRssMB, rows, columns }. `cpuSeconds` (user +
 * system, all threads) does not depend on what else the machine runs, unlike `seconds`.
 */
import { readFrame } from "../../src/data/read.js";

const file = process.argv[2];
if (file === undefined) {
  console.error("usage: load-child.ts <file>");
  process.exit(2);
}
const start = performance.now();
const cpuStart = process.cpuUsage();
const frame = await readFrame(file);
const seconds = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpuStart);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
// maxRSS is in kilobytes.
const maxRssMB = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify({ seconds, cpuSeconds, maxRssMB, rows: frame.nRows, columns: frame.nColumns }));
