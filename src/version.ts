import { createRequire } from "node:module";

// `../package.json` resolves from both src/ (tsx, tests) and dist/ (the built package).
const pkg = createRequire(import.meta.url)("../package.json") as { version: string };

/** The version of this Sluice package, recorded in every file Sluice persists. */
export const SLUICE_VERSION: string = pkg.version;

/**
 * Order two `MAJOR.MINOR.PATCH` versions (a pre-release such as `1.0.0-rc.1` sorts before
 * `1.0.0`; build metadata is ignored): negative when `a` is older, 0 when equal, positive when
 * newer. Text that is not such a version sorts before every version, so an unknown writer is
 * never taken for a newer one.
 *
 * @example
 * compareVersions("0.10.0", "0.9.1"); // > 0
 * compareVersions("1.0.0-rc.1", "1.0.0"); // < 0
 */
export function compareVersions(a: string, b: string): number {
  const pa = parse(a);
  const pb = parse(b);
  if (pa === undefined || pb === undefined) return (pa === undefined ? 0 : 1) - (pb === undefined ? 0 : 1);
  for (let i = 0; i < 3; i++) if (pa.core[i] !== pb.core[i]) return pa.core[i]! - pb.core[i]!;
  if (pa.pre === pb.pre) return 0;
  if (pa.pre === "") return 1;
  if (pb.pre === "") return -1;
  return comparePre(pa.pre.split("."), pb.pre.split("."));
}

/** Pre-release identifiers in order: numbers numerically and before words, then by length. */
function comparePre(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny) return Number(x) - Number(y);
    if (nx !== ny) return nx ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

/** Whether `text` is a `MAJOR.MINOR.PATCH` version (with an optional pre-release or build). */
export function isVersion(text: string): boolean {
  return parse(text) !== undefined;
}

function parse(version: string): { core: number[]; pre: string } | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(version.trim());
  return m === null ? undefined : { core: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] ?? "" };
}
