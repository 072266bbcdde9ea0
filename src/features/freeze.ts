/** Deep freezing of plain JSON state, so fitted objects cannot change under a cached plan. */

/** Freeze `value` and everything reachable from it; returns it. */
export function freezeDeep<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) freezeDeep(v);
  }
  return value;
}
