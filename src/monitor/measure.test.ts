import { describe, expect, it } from "vitest";
import { Random } from "../data/random.js";
import { DRIFT_TEST_CHOICES, MonitorConfig } from "../project/schema.js";
import { DRIFT_METHOD_NAMES } from "./stats/index.js";
import type { MonitorColumn, MonitorData } from "./data.js";
import { measureColumn, measureDrift } from "./measure.js";

const config = (extra: Record<string, unknown> = {}) => MonitorConfig.parse(extra);

function normal(n: number, mean: number, sd: number, seed: number): Float64Array {
  const rng = new Random(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = mean + sd * rng.normal();
  return out;
}

function categories(n: number, shares: Record<string, number>, seed: number): string[] {
  const rng = new Random(seed);
  const entries = Object.entries(shares);
  return Array.from({ length: n }, () => {
    let u = rng.next();
    for (const [k, p] of entries) {
      if (u < p) return k;
      u -= p;
    }
    return entries.at(-1)![0];
  });
}

function data(
  rows: number,
  columns: MonitorColumn[],
  prediction?: MonitorColumn,
  absent: string[] = [],
): MonitorData {
  return {
    source: "test",
    rows,
    columns,
    ...(prediction === undefined ? {} : { prediction }),
    absent,
    invalid: {},
  };
}

const num = (name: string, values: Float64Array): MonitorColumn => ({ name, kind: "numeric", values });
const cat = (name: string, values: (string | null)[]): MonitorColumn => ({
  name,
  kind: "categorical",
  values,
});

describe("measureDrift", () => {
  const N = 3000;
  const reference = data(
    N,
    [
      num("income", normal(N, 50_000, 12_000, 1)),
      num("tenure", normal(N, 30, 10, 2)),
      num("age", normal(N, 45, 12, 3)),
      cat("region", categories(N, { north: 0.4, south: 0.35, east: 0.25 }, 4)),
    ],
    num("prediction", normal(N, 0.3, 0.1, 5)),
  );
  const importance = { income: 0.2, tenure: 0.4, age: 0.1, region: 0.3 };

  it("finds drift on exactly the shifted features, with Evidently's default tests for a large reference", () => {
    const M = 2000;
    const current = data(
      M,
      [
        num("income", normal(M, 65_000, 12_000, 11)),
        num("tenure", normal(M, 45, 10, 12)),
        num("age", normal(M, 45, 12, 13)),
        cat("region", categories(M, { north: 0.4, south: 0.35, east: 0.25 }, 14)),
      ],
      num("prediction", normal(M, 0.3, 0.1, 15)),
    );
    const r = measureDrift(reference, current, { config: config({ drift_share: 0.5 }), importance });
    expect(r.drifted).toEqual(["income", "tenure"]);
    expect(r.features.map((f) => f.method)).toEqual([
      "wasserstein",
      "wasserstein",
      "wasserstein",
      "jensenshannon",
    ]);
    expect(r.features.every((f) => f.status === "tested")).toBe(true);
    expect(r.driftShare).toBe(0.5);
    expect(r.datasetDrift).toBe(true);
    expect(r.driftedImportance).toBeCloseTo(0.6, 12);
    expect(r.severity).toBe("critical");
    const income = r.features[0]!;
    // The shift is 15,000 on a standard deviation of 12,000: the normalised distance is about 1.25.
    expect(income.score!).toBeGreaterThan(1);
    expect(income.plot?.type).toBe("histogram");
    expect(r.prediction?.drifted).toBe(false);
  });

  it("finds no drift on a fresh sample of the same distributions", () => {
    const M = 2000;
    const current = data(
      M,
      [
        num("income", normal(M, 50_000, 12_000, 21)),
        num("tenure", normal(M, 30, 10, 22)),
        num("age", normal(M, 45, 12, 23)),
        cat("region", categories(M, { north: 0.4, south: 0.35, east: 0.25 }, 24)),
      ],
      num("prediction", normal(M, 0.3, 0.1, 25)),
    );
    const r = measureDrift(reference, current, { config: config(), importance });
    expect(r.drifted).toEqual([]);
    expect(r.severity).toBe("none");
    expect(r.datasetDrift).toBe(false);
  });

  it("uses p-value tests for a reference of at most 1,000 rows", () => {
    const columns = [
      num("income", normal(500, 0, 1, 31)),
      cat("region", categories(500, { a: 0.5, b: 0.3, c: 0.2 }, 32)),
      cat("flag", categories(500, { y: 0.5, n: 0.5 }, 33)),
    ];
    const small = data(500, columns);
    const same = measureDrift(small, data(500, columns), { config: config(), importance: {} });
    expect(same.features.map((f) => [f.method, f.scoreKind, f.pValue])).toEqual([
      ["ks", "p_value", 1],
      ["chisquare", "p_value", 1],
      ["z", "p_value", 1],
    ]);
    const shifted = data(400, [
      num("income", normal(400, 0.5, 1, 41)),
      cat("region", categories(400, { a: 0.2, b: 0.3, c: 0.5 }, 42)),
      cat("flag", categories(400, { y: 0.2, n: 0.8 }, 43)),
    ]);
    const r = measureDrift(small, shifted, { config: config(), importance: {} });
    expect(r.features.every((f) => f.pValue! < 1e-6 && f.drifted)).toBe(true);
  });

  it("uses the test sluice.yaml names for a feature, with its threshold", () => {
    const M = 2000;
    const current = data(M, [num("income", normal(M, 51_000, 12_000, 51))]);
    const ref = data(N, [reference.columns[0]!]);
    const r = measureDrift(ref, current, {
      config: config({ tests: { income: { method: "psi", threshold: 0.001 } } }),
      importance,
    });
    expect(r.features[0]).toMatchObject({ method: "psi", threshold: 0.001, drifted: true });
    const byName = measureDrift(ref, current, { config: config({ tests: { income: "ks" } }), importance });
    expect(byName.features[0]).toMatchObject({ method: "ks", scoreKind: "p_value", threshold: 0.05 });
  });

  it("names categories the reference never had, and counts them as drift", () => {
    const M = 1500;
    const current = data(M, [
      cat("region", categories(M, { north: 0.3, south: 0.3, east: 0.1, mars: 0.3 }, 61)),
    ]);
    const r = measureDrift(data(N, [reference.columns[3]!]), current, { config: config(), importance });
    const f = r.features[0]!;
    expect(f.drifted).toBe(true);
    expect(f.newCategories?.[0]?.value).toBe("mars");
    expect(f.plot).toMatchObject({ type: "categories" });
    expect((f.plot as { labels: string[] }).labels).toContain("mars");
  });

  it("reports a feature the current data lacks, one that is all missing, and one with too few values, without verdicts", () => {
    const M = 100;
    const sparse = new Float64Array(M).fill(NaN);
    for (let i = 0; i < 10; i++) sparse[i] = 30 + i;
    const current = data(
      M,
      [
        num("income", normal(M, 50_000, 12_000, 71)),
        num("tenure", sparse),
        num("age", new Float64Array(M).fill(NaN)),
        cat("region", new Array<string | null>(M).fill(null)),
      ],
      undefined,
      ["region"],
    );
    const r = measureDrift(reference, current, { config: config({ min_rows: 30 }), importance });
    expect(r.features.map((f) => f.status)).toEqual(["tested", "not_enough_data", "all_missing", "absent"]);
    expect(r.features[1]!.message).toMatch(/"tenure" has 10 current values; a drift test needs at least 30/);
    expect(r.features[2]!.message).toMatch(/all 100 current values of "age" are missing/);
    expect(r.features[3]!.message).toMatch(
      /"region" is missing from the current data: none of its 100 rows carries it/,
    );
    expect(r.tested).toBe(1);
    expect(r.untested).toEqual(["tenure", "age", "region"]);
    for (const f of r.features.slice(1)) {
      expect(f.drifted).toBe(false);
      expect(f.method).toBeUndefined();
    }
  });
});

describe("measureColumn", () => {
  it("turns a drift test it cannot run into a reported error, not an exception", () => {
    const f = measureColumn(cat("region", ["a", "b", "a"]), cat("region", ["a", "b", "a", "b"]), {
      config: MonitorConfig.parse({ tests: { region: "wasserstein" }, min_rows: 1 }),
      importance: 0.5,
      absent: false,
      rows: 4,
    });
    expect(f.status).toBe("error");
    expect(f.message).toMatch(/wasserstein test takes numeric features only/);
  });
});

describe("monitor.tests in sluice.yaml", () => {
  it("offers exactly the drift tests the statistics implement", () => {
    expect([...DRIFT_TEST_CHOICES].sort()).toEqual([...DRIFT_METHOD_NAMES].sort());
  });

  it("refuses an unknown test name, naming the choices", () => {
    const r = MonitorConfig.safeParse({ tests: { income: "wasserstien" } });
    expect(r.success).toBe(false);
  });
});
