import { availableParallelism } from "node:os";

/** The number of threads `threads` asks for: 0 means one per core. */
export function resolveThreads(threads: number): number {
  return threads > 0 ? Math.floor(threads) : Math.max(1, availableParallelism());
}
