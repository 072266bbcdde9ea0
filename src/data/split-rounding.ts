/**
 * Rounding a class × part table of exact shares to whole rows.
 *
 * Class c (with `sizes[c]` rows) should put `sizes[c] * parts[p] / n` rows in part p. Rounding
 * each cell down or up independently can break the totals; this finds a rounding where every
 * cell is its exact share rounded down or up, every class keeps its size, and every part gets
 * exactly its size. One always exists: the fractional parts form a fractional flow in the
 * bipartite graph class → part, and an integral flow of the same value exists beside it.
 */

/**
 * Round the table. `parts` must sum to the sum of `sizes`.
 *
 * @returns counts[c][p]: rows of class c in part p.
 */
export function roundShares(sizes: readonly number[], parts: readonly number[]): Int32Array[] {
  const n = sizes.reduce((a, b) => a + b, 0);
  const k = sizes.length;
  const m = parts.length;
  const counts = sizes.map(() => new Int32Array(m));
  // Remainders as exact integers (numerator of the fraction over n): no floating-point ties.
  const remainder = sizes.map(() => new Float64Array(m));
  const classNeed = new Float64Array(k);
  const partNeed = Float64Array.from(parts);
  for (let c = 0; c < k; c++) {
    classNeed[c] = sizes[c]!;
    for (let p = 0; p < m; p++) {
      const num = sizes[c]! * parts[p]!;
      const q = n === 0 ? 0 : Math.floor(num / n);
      counts[c]![p] = q;
      remainder[c]![p] = num - q * n;
      classNeed[c]! -= q;
      partNeed[p]! -= q;
    }
  }

  // Largest remainders first, as far as both sides still need a row.
  const cells: [number, number][] = [];
  for (let c = 0; c < k; c++) for (let p = 0; p < m; p++) if (remainder[c]![p]! > 0) cells.push([c, p]);
  cells.sort((a, b) => remainder[b[0]]![b[1]]! - remainder[a[0]]![a[1]]! || a[0] - b[0] || a[1] - b[1]);
  const raised = sizes.map(() => new Uint8Array(m));
  for (const [c, p] of cells)
    if (classNeed[c]! > 0 && partNeed[p]! > 0) {
      raised[c]![p] = 1;
      classNeed[c]!--;
      partNeed[p]!--;
    }

  // What greed left: augmenting paths class → part (not raised) → class (raised) → … → part in need.
  for (let c0 = 0; c0 < k; c0++)
    while (classNeed[c0]! > 0) {
      const path = augmentingPath(c0, remainder, raised, partNeed);
      if (path === undefined)
        throw new Error(`roundShares: no rounding for sizes ${sizes.join(",")} and parts ${parts.join(",")}`);
      for (let i = 0; i < path.length; i += 2) raised[path[i]!]![path[i + 1]!] = 1;
      for (let i = 1; i + 1 < path.length; i += 2) raised[path[i + 1]!]![path[i]!] = 0;
      classNeed[c0]!--;
      partNeed[path[path.length - 1]!]!--;
    }

  for (let c = 0; c < k; c++) for (let p = 0; p < m; p++) counts[c]![p]! += raised[c]![p]!;
  return counts;
}

/** Breadth-first search for c0, p1, c1, p2, …, pj (alternating): returns the flat list or undefined. */
function augmentingPath(
  c0: number,
  remainder: readonly Float64Array[],
  raised: readonly Uint8Array[],
  partNeed: Float64Array,
): number[] | undefined {
  const k = remainder.length;
  const m = partNeed.length;
  const fromClass = new Int32Array(m).fill(-1);
  const fromPart = new Int32Array(k).fill(-1);
  const visitedClass = new Uint8Array(k);
  visitedClass[c0] = 1;
  let frontier = [c0];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const c of frontier)
      for (let p = 0; p < m; p++) {
        if (remainder[c]![p]! <= 0 || raised[c]![p] === 1 || fromClass[p] !== -1) continue;
        fromClass[p] = c;
        if (partNeed[p]! > 0) {
          const path: number[] = [p];
          let cls = c;
          for (;;) {
            path.unshift(cls);
            if (cls === c0) return path;
            const prevPart = fromPart[cls]!;
            path.unshift(prevPart);
            cls = fromClass[prevPart]!;
          }
        }
        for (let c2 = 0; c2 < k; c2++)
          if (raised[c2]![p] === 1 && visitedClass[c2] === 0) {
            visitedClass[c2] = 1;
            fromPart[c2] = p;
            next.push(c2);
          }
      }
    frontier = next;
  }
  return undefined;
}
