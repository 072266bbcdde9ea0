import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const src = resolve(here, "..");

/**
 * Every source file and package reachable from `file` through value imports, static and
 * dynamic (`import("…")` with a literal is followed too: it would load on the serving path).
 */
function reachable(file: string, files = new Set<string>(), packages = new Set<string>()) {
  if (files.has(file)) return { files, packages };
  files.add(file);
  const text = readFileSync(file, "utf8");
  const specs: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s+"([^"]+)"/gms))
    if (!/^(?:import|export)\s+type\s/.test(m[0])) specs.push(m[1]!);
  for (const m of text.matchAll(/^import\s+"([^"]+)"/gm)) specs.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)) specs.push(m[1]!);
  for (const spec of specs)
    if (spec.startsWith(".")) reachable(join(dirname(file), spec.replace(/\.js$/, ".ts")), files, packages);
    else packages.add(spec);
  return { files, packages };
}

const servingFiles = readdirSync(here)
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
  .map((f) => join(here, f));

describe("the serving path", () => {
  it("loads no DuckDB, data readers, search, plots or Vega from any serve module", () => {
    const files = new Set<string>();
    const packages = new Set<string>();
    for (const f of servingFiles) reachable(f, files, packages);
    const paths = [...files].map((f) => relative(src, f));
    expect(paths.filter((p) => /^data\/read|^tune\/|^evaluate\/plots/.test(p))).toEqual([]);
    expect([...packages].filter((p) => p.startsWith("@duckdb") || p.startsWith("vega"))).toEqual([]);
    expect(paths).toContain("serve/app.ts");
    expect(packages).toContain("fastify");
  });

  it("the walk finds DuckDB from the data readers (the check above can fail)", () => {
    const { packages } = reachable(join(src, "data", "read.ts"));
    expect([...packages].some((p) => p.startsWith("@duckdb"))).toBe(true);
  });
});
