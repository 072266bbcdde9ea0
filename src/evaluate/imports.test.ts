import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const src = resolve(here, "..");

/** Packages reachable from `file` through static imports (dynamic `import()` is not followed). */
function staticPackages(file: string, seen = new Set<string>(), packages = new Set<string>()): Set<string> {
  if (seen.has(file)) return packages;
  seen.add(file);
  const text = readFileSync(file, "utf8");
  for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s+"([^"]+)"/gms)) {
    const spec = m[1]!;
    if (/^import\s+type\s/.test(m[0]) || /^export\s+type\s/.test(m[0])) continue;
    if (spec.startsWith("."))
      staticPackages(join(dirname(file), spec.replace(/\.js$/, ".ts")), seen, packages);
    else packages.add(spec);
  }
  return packages;
}

describe("module boundaries", () => {
  it("loading the evaluate index, gates, evaluation or card never loads Vega", () => {
    for (const file of ["index.ts", "gates.ts", "evaluation.ts", "card.ts"]) {
      const packages = [...staticPackages(join(here, file))];
      expect(
        packages.filter((p) => p.startsWith("vega")),
        relative(src, join(here, file)),
      ).toEqual([]);
    }
  });

  it("the report does load it (the check above can fail)", () => {
    expect([...staticPackages(join(here, "report.ts"))]).toContain("vega");
  });
});
