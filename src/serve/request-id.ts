/**
 * Request ids: UUIDs of version 7 (RFC 9562), which start with the time in milliseconds and, here,
 * go on with a counter, so that the ids one process makes only ever increase. The prediction log
 * indexes its rows by request id; ids in increasing order go to the right edge of that index,
 * where random (version 4) ids would each touch another page of it, making every logged
 * prediction several times dearer to write. The last 62 bits are random, drawn once per process,
 * so that processes (cluster workers, servers) do not make the same ids.
 */
import { randomBytes } from "node:crypto";

/** Ids made in one millisecond before the clock is borrowed from the next one (12 bits). */
const COUNTER_LIMIT = 0x1000;

/**
 * A generator of increasing UUIDv7 request ids.
 *
 * @example
 * const nextId = requestIds();
 * nextId(); // "0193a0c5-7e21-7000-9f3c-5b1e2a9d04c7"
 * nextId(); // "0193a0c5-7e21-7001-9f3c-5b1e2a9d04c7"
 */
export function requestIds(now: () => number = Date.now): () => string {
  const node = randomBytes(8);
  // The variant bits (10) over the first random byte.
  node[0] = (node[0]! & 0x3f) | 0x80;
  const hex = node.toString("hex");
  const tail = `-${hex.slice(0, 4)}-${hex.slice(4)}`;
  let ms = 0;
  let counter = 0;
  let prefix = "";
  return () => {
    const t = now();
    if (t > ms) {
      ms = t;
      counter = 0;
      prefix = "";
    } else if (++counter === COUNTER_LIMIT) {
      // More ids in one millisecond than the counter holds, or the clock went back: go on
      // from the next millisecond rather than repeat an id.
      ms++;
      counter = 0;
      prefix = "";
    }
    if (prefix === "") {
      const time = ms.toString(16).padStart(12, "0");
      prefix = `${time.slice(0, 8)}-${time.slice(8)}-7`;
    }
    return prefix + counter.toString(16).padStart(3, "0") + tail;
  };
}
