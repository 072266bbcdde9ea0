import { describe, expect, it } from "vitest";
import { SluiceError } from "../errors.js";
import { Random } from "./random.js";
import { kFolds, splitRows, type SplitIndices } from "./split.js";
import reference from "./fixtures/split-reference.json" with { type: "json" };

function thrown(fn: () => unknown): SluiceError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SluiceError) return e;
    throw e;
  }
  throw new Error("expected a SluiceError");
}

function isSorted(a: Int32Array): boolean {
  for (let i = 1; i < a.length; i++) if (a[i - 1]! >= a[i]!) return false;
  return true;
}

/** Every row 0..n-1 in exactly one part, each part sorted. */
function expectPartition(parts: Int32Array[], n: number): void {
  const seen = new Uint8Array(n);
  for (const p of parts) {
    expect(isSorted(p)).toBe(true);
    for (const r of p) {
      expect(r >= 0 && r < n).toBe(true);
      seen[r]!++;
    }
  }
  expect(seen.every((s) => s === 1)).toBe(true);
}

function classCounts(rows: Int32Array, codes: Int32Array, k: number): number[] {
  const out = new Array<number>(k).fill(0);
  for (const r of rows) out[codes[r]!]!++;
  return out;
}

function codesFor(sizes: readonly number[], seed: number): Int32Array {
  const codes = new Int32Array(sizes.reduce((a, b) => a + b, 0));
  let i = 0;
  for (const [c, s] of sizes.entries()) for (let j = 0; j < s; j++) codes[i++] = c;
  return new Random(seed).shuffle(codes);
}

const same = (a: SplitIndices, b: SplitIndices): boolean =>
  a.train.join() === b.train.join() &&
  a.validation.join() === b.validation.join() &&
  a.test.join() === b.test.join();

describe("splitRows", () => {
  it("partitions every row into sorted, disjoint parts of the requested sizes, for many sizes and seeds", () => {
    const rng = new Random(1);
    for (let trial = 0; trial < 300; trial++) {
      const n = 3 + rng.int(400);
      const test = Math.round(rng.uniform(0.05, 0.4) * 100) / 100;
      const validation = rng.bernoulli(0.3) ? 0 : Math.round(rng.uniform(0.05, 0.3) * 100) / 100;
      const seed = rng.int(1_000_000);
      const s = splitRows(n, { test, validation, seed });
      expectPartition([s.train, s.validation, s.test], n);
      expect(s.test.length).toBe(Math.ceil(test * n - 1e-9));
      expect(s.validation.length).toBe(validation === 0 ? 0 : Math.ceil(validation * n - 1e-9));
      expect(same(s, splitRows(n, { test, validation, seed }))).toBe(true);
      if (n >= 20) expect(same(s, splitRows(n, { test, validation, seed: seed + 1 }))).toBe(false);
    }
  });

  it("keeps every class's share in each part within one row, for many class mixes", () => {
    const rng = new Random(2);
    for (let trial = 0; trial < 200; trial++) {
      const k = 2 + rng.int(5);
      const sizes = Array.from({ length: k }, () => 3 + rng.int(rng.bernoulli(0.3) ? 10 : 300));
      const n = sizes.reduce((a, b) => a + b, 0);
      const codes = codesFor(sizes, trial);
      const test = Math.round(rng.uniform(0.1, 0.35) * 100) / 100;
      const validation = Math.round(rng.uniform(0, 0.2) * 100) / 100;
      const s = splitRows(n, { test, validation, seed: trial, stratify: codes });
      expectPartition([s.train, s.validation, s.test], n);
      for (const part of [s.test, s.validation, s.train]) {
        const counts = classCounts(part, codes, k);
        for (let c = 0; c < k; c++)
          expect(Math.abs(counts[c]! - (sizes[c]! * part.length) / n)).toBeLessThan(1);
      }
      expect(same(s, splitRows(n, { test, validation, seed: trial, stratify: codes }))).toBe(true);
    }
  });

  it("matches scikit-learn's StratifiedShuffleSplit class counts within one row, with the same totals", () => {
    for (const ref of reference) {
      const codes = codesFor(ref.sizes, 5);
      const s = splitRows(codes.length, { test: ref.test, validation: 0, seed: 42, stratify: codes });
      const counts = classCounts(s.test, codes, ref.sizes.length);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(ref.testCounts.reduce((a, b) => a + b, 0));
      for (const [c, n] of counts.entries()) expect(Math.abs(n - ref.testCounts[c]!)).toBeLessThanOrEqual(1);
    }
  });

  it("refuses too few rows, naming the counts", () => {
    const e = thrown(() => splitRows(2, { test: 0.2, validation: 0.1, seed: 1 }));
    expect(e.code).toBe("E_SPLIT");
    expect(e.message).toContain("cannot split 2 rows");
    expect(e.message).toContain("train (0)");
    expect(thrown(() => splitRows(10, { test: 0.6, validation: 0.5, seed: 1 })).code).toBe("E_SPLIT");
  });

  it("refuses a class too rare to appear in every part, naming it and its count", () => {
    const codes = codesFor([40, 2], 3);
    const e = thrown(() =>
      splitRows(42, {
        test: 0.2,
        validation: 0.1,
        seed: 1,
        stratify: codes,
        classNames: ["common", "ISLAND"],
      }),
    );
    expect(e.code).toBe("E_SPLIT");
    expect(e.message).toContain('class "ISLAND" has only 2 rows');
    expect(e.hint).toContain("stratify: false");
  });
});

describe("kFolds", () => {
  it("puts every row in exactly one validation fold, with fold sizes within one, for many sizes and seeds", () => {
    const rng = new Random(3);
    for (let trial = 0; trial < 200; trial++) {
      const n = 5 + rng.int(300);
      const k = 2 + rng.int(Math.min(9, n - 1));
      // Fold a subset of a larger frame, in shuffled order, to check rows are ids, not positions.
      const rows = new Random(trial).permutation(n + 50).slice(0, n);
      const folds = kFolds(rows, k, { seed: trial });
      expect(folds).toHaveLength(k);
      const sizes = folds.map((f) => f.valid.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      const all = new Set<number>();
      for (const f of folds) {
        expect(isSorted(f.valid) && isSorted(f.train)).toBe(true);
        expect(f.train.length + f.valid.length).toBe(n);
        const valid = new Set(f.valid);
        for (const r of f.train) expect(valid.has(r)).toBe(false);
        for (const r of f.valid) {
          expect(all.has(r)).toBe(false);
          all.add(r);
        }
      }
      expect([...all].sort((a, b) => a - b)).toEqual([...rows].sort((a, b) => a - b));
      expect(kFolds(rows, k, { seed: trial }).map((f) => f.valid.join())).toEqual(
        folds.map((f) => f.valid.join()),
      );
      if (n >= 30)
        expect(kFolds(rows, k, { seed: trial + 1 }).map((f) => f.valid.join())).not.toEqual(
          folds.map((f) => f.valid.join()),
        );
    }
  });

  it("keeps class counts within one across folds when stratified, and totals within one too", () => {
    const rng = new Random(4);
    for (let trial = 0; trial < 150; trial++) {
      const k = 2 + rng.int(6);
      const sizes = Array.from({ length: 2 + rng.int(4) }, () => k + rng.int(100));
      const codes = codesFor(sizes, trial);
      const rows = Int32Array.from(codes.keys());
      const folds = kFolds(rows, k, { seed: trial, stratify: codes });
      const perFold = folds.map((f) => classCounts(f.valid, codes, sizes.length));
      for (let c = 0; c < sizes.length; c++) {
        const counts = perFold.map((p) => p[c]!);
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      }
      const totals = folds.map((f) => f.valid.length);
      expect(Math.max(...totals) - Math.min(...totals)).toBeLessThanOrEqual(1);
    }
  });

  it("gives each class the same fold sizes as scikit-learn's StratifiedKFold", () => {
    for (const ref of reference) {
      if (ref.foldCounts === null) continue;
      const codes = codesFor(ref.sizes, 9);
      const folds = kFolds(Int32Array.from(codes.keys()), 5, { seed: 42, stratify: codes });
      const ours = folds.map((f) => classCounts(f.valid, codes, ref.sizes.length));
      for (let c = 0; c < ref.sizes.length; c++) {
        const a = ours.map((p) => p[c]!).sort((x, y) => x - y);
        const b = ref.foldCounts.map((p) => p[c]!).sort((x, y) => x - y);
        expect(a).toEqual(b);
      }
    }
  });

  it("refuses fewer rows than folds, a class with fewer rows than folds, and repeated rows", () => {
    expect(thrown(() => kFolds(Int32Array.of(0, 1), 3, { seed: 1 })).message).toContain(
      "cannot make 3 folds from 2 rows",
    );
    expect(thrown(() => kFolds(Int32Array.of(0, 1, 2), 1, { seed: 1 })).code).toBe("E_SPLIT");
    const codes = Int32Array.of(0, 0, 0, 0, 0, 1, 1);
    const e = thrown(() =>
      kFolds(Int32Array.from(codes.keys()), 3, { seed: 1, stratify: codes, classNames: ["no", "yes"] }),
    );
    expect(e.code).toBe("E_SPLIT");
    expect(e.message).toContain('class "yes" has only 2 rows, fewer than the 3 folds');
    expect(thrown(() => kFolds(Int32Array.of(1, 1, 2), 2, { seed: 1 })).code).toBe("E_SPLIT");
  });
});
