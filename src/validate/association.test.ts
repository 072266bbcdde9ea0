import { describe, expect, it } from "vitest";
import { Random } from "../data/random.js";
import {
  categoricalOneVsRestAuc,
  categoricalOutOfFoldAuc,
  categoricalOutOfFoldEta,
  correlationRatio,
  foldOf,
  oneVsRestAuc,
  pearson,
} from "./association.js";
import { encodeClasses } from "./leakage.js";
import { categoricalFromStrings } from "../data/frame.js";
import { f64, fixture } from "./test-utils/support.js";

interface LeakageFixture {
  binary: {
    label: number[];
    numeric: Record<string, { values: (number | null)[]; score: number; rows: number }>;
    categorical: Record<string, { values: (string | null)[]; score: number; rows: number }>;
  };
  multiclass: {
    label: string[];
    numeric: { values: (number | null)[]; per_class: Record<string, number>; score: number };
    categorical: { values: (string | null)[]; per_class: Record<string, number>; score: number };
  };
  regression: {
    target: (number | null)[];
    numeric: { values: (number | null)[]; pearson: number; rows: number };
    categorical: { values: (string | null)[]; eta: number; rows: number };
  };
}
const ref = fixture<LeakageFixture>("leakage-reference.json");

/** Probability that a positive outscores a negative, ties counting ½: AUC by its definition, O(n²). */
function naiveAuc(scores: ArrayLike<number>, positive: ArrayLike<boolean>): number {
  let pairs = 0;
  let wins = 0;
  for (let i = 0; i < scores.length; i++) {
    if (!positive[i]) continue;
    for (let j = 0; j < scores.length; j++) {
      if (positive[j]) continue;
      pairs++;
      wins += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

const flip = (a: number): number => Math.max(a, 1 - a);

describe("oneVsRestAuc", () => {
  it("matches scikit-learn's roc_auc_score on continuous, tied, missing, inverted and copied scores", () => {
    const labels = Int32Array.from(ref.binary.label);
    for (const [name, c] of Object.entries(ref.binary.numeric)) {
      const { auc, rows } = oneVsRestAuc(f64(c.values), labels, 2);
      expect(rows, name).toBe(c.rows);
      expect(flip(auc[1]!), name).toBeCloseTo(c.score, 12);
      // The two one-vs-rest AUCs of a binary problem are complements.
      expect(auc[0]! + auc[1]!, name).toBeCloseTo(1, 12);
    }
  });

  it("agrees with the O(n²) pair count on random small inputs with heavy ties", () => {
    const rng = new Random(7);
    for (let trial = 0; trial < 200; trial++) {
      const n = 2 + rng.int(40);
      const levels = 1 + rng.int(6);
      const scores = new Float64Array(n);
      const classes = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        scores[i] = rng.int(levels) - 2;
        classes[i] = rng.int(3);
      }
      const { auc } = oneVsRestAuc(scores, classes, 3);
      for (let c = 0; c < 3; c++) {
        const pos = Array.from(classes, (k) => k === c);
        const hasBoth = pos.some(Boolean) && pos.some((p) => !p);
        if (!hasBoth) expect(auc[c]).toBeNaN();
        else expect(auc[c]).toBeCloseTo(naiveAuc(scores, pos), 12);
      }
    }
  });

  it("gives each class of a multiclass target its own AUC, as scikit-learn one-vs-rest", () => {
    const { classes, labels } = encodeClasses(categoricalFromStrings("y", ref.multiclass.label));
    const { auc } = oneVsRestAuc(f64(ref.multiclass.numeric.values), classes, labels.length);
    labels.forEach((label, k) => expect(auc[k]).toBeCloseTo(ref.multiclass.numeric.per_class[label]!, 12));
  });
});

describe("categoricalOneVsRestAuc", () => {
  it("equals roc_auc_score of each row's in-sample category rate", () => {
    const labels = Int32Array.from(ref.binary.label);
    for (const [name, c] of Object.entries(ref.binary.categorical)) {
      const col = categoricalFromStrings(name, c.values);
      const { auc, rows } = categoricalOneVsRestAuc(col.codes, col.dictionary.length, labels, 2);
      expect(rows, name).toBe(c.rows);
      expect(flip(auc[1]!), name).toBeCloseTo(c.score, 12);
    }
    const y = encodeClasses(categoricalFromStrings("y", ref.multiclass.label));
    const col = categoricalFromStrings("x", ref.multiclass.categorical.values);
    const { auc } = categoricalOneVsRestAuc(col.codes, col.dictionary.length, y.classes, y.labels.length);
    y.labels.forEach((label, k) =>
      expect(auc[k]).toBeCloseTo(ref.multiclass.categorical.per_class[label]!, 12),
    );
  });

  it("agrees with the pair count over per-row rates on random inputs", () => {
    const rng = new Random(11);
    for (let trial = 0; trial < 100; trial++) {
      const n = 5 + rng.int(60);
      const nCat = 1 + rng.int(8);
      const codes = new Int32Array(n);
      const classes = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        codes[i] = rng.int(nCat);
        classes[i] = rng.int(2);
      }
      const { auc } = categoricalOneVsRestAuc(codes, nCat, classes, 2);
      const pos = Array.from(classes, (k) => k === 1);
      if (!pos.some(Boolean) || pos.every(Boolean)) continue;
      const rate = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let p = 0;
        let t = 0;
        for (let j = 0; j < n; j++)
          if (codes[j] === codes[i]) {
            t++;
            p += classes[j]!;
          }
        rate[i] = p / t;
      }
      expect(auc[1]).toBeCloseTo(naiveAuc(rate, pos), 12);
    }
  });
});

describe("categoricalOutOfFoldAuc", () => {
  it("deals rows into balanced folds with no short period", () => {
    const sizes = new Array<number>(5).fill(0);
    for (let i = 0; i < 10_000; i++) sizes[foldOf(i, 5)]!++;
    for (const s of sizes) expect(Math.abs(s - 2000)).toBeLessThan(20);
    // Every residue mod 2..12 meets every fold within the first 1,000 rows.
    for (let period = 2; period <= 12; period++)
      for (let r = 0; r < period; r++) {
        const seen = new Set<number>();
        for (let i = r; i < 1000; i += period) seen.add(foldOf(i, 5));
        expect(seen.size, `period ${period}, residue ${r}`).toBe(5);
      }
  });

  it("scores each row by its category's share in the other folds, or the overall share when unseen there", () => {
    const rng = new Random(13);
    for (let trial = 0; trial < 50; trial++) {
      const n = 10 + rng.int(60);
      const nCat = 1 + rng.int(12);
      const codes = Int32Array.from({ length: n }, () => (rng.bernoulli(0.1) ? -1 : rng.int(nCat)));
      const classes = Int32Array.from({ length: n }, () => rng.int(3));
      const auc = categoricalOutOfFoldAuc(codes, nCat, classes, 3);
      const used = Array.from(codes, (g, i) => g >= 0 && classes[i]! >= 0);
      for (let c = 0; c < 3; c++) {
        const overall = used.filter((u, i) => u && classes[i] === c).length / used.filter(Boolean).length;
        const score: number[] = [];
        const pos: boolean[] = [];
        for (let i = 0; i < n; i++) {
          if (!used[i]) continue;
          let p = 0;
          let t = 0;
          for (let j = 0; j < n; j++)
            if (used[j] && foldOf(j, 5) !== foldOf(i, 5) && codes[j] === codes[i]) {
              t++;
              if (classes[j] === c) p++;
            }
          score.push(t > 0 ? p / t : overall);
          pos.push(classes[i] === c);
        }
        if (!pos.some(Boolean) || pos.every(Boolean)) expect(auc[c]).toBeNaN();
        else expect(auc[c]).toBeCloseTo(naiveAuc(score, pos), 12);
      }
    }
  });

  it("keeps a copy of the target at 1 and brings unique categories back to 0.5", () => {
    const n = 200;
    const y = Int32Array.from({ length: n }, (_, i) => ((i * 7) % 3 === 0 ? 1 : 0));
    expect(categoricalOutOfFoldAuc(y, 2, y, 2)[1]).toBe(1);
    const unique = Int32Array.from({ length: n }, (_, i) => i);
    expect(categoricalOneVsRestAuc(unique, n, y, 2).auc[1]).toBe(1);
    expect(categoricalOutOfFoldAuc(unique, n, y, 2)[1]).toBe(0.5);
  });
});

describe("pearson and correlationRatio", () => {
  it("pearson matches scipy.stats.pearsonr over the rows where both are present", () => {
    const { r, rows } = pearson(f64(ref.regression.numeric.values), f64(ref.regression.target));
    expect(rows).toBe(ref.regression.numeric.rows);
    expect(r).toBeCloseTo(ref.regression.numeric.pearson, 12);
  });

  it("correlationRatio matches η from pandas group means", () => {
    const col = categoricalFromStrings("c", ref.regression.categorical.values);
    const { eta, rows } = correlationRatio(col.codes, col.dictionary.length, f64(ref.regression.target));
    expect(rows).toBe(ref.regression.categorical.rows);
    expect(eta).toBeCloseTo(ref.regression.categorical.eta, 12);
  });

  it("categoricalOutOfFoldEta predicts each row from the other folds' category mean", () => {
    const rng = new Random(17);
    for (let trial = 0; trial < 30; trial++) {
      const n = 10 + rng.int(50);
      const nCat = 1 + rng.int(10);
      const codes = Int32Array.from({ length: n }, () => (rng.bernoulli(0.1) ? -1 : rng.int(nCat)));
      const y = Float64Array.from({ length: n }, () =>
        rng.bernoulli(0.1) ? NaN : rng.normal(codes.length % 3, 1),
      );
      const used = Array.from(codes, (g, i) => g >= 0 && !Number.isNaN(y[i]!));
      const ys = Array.from(y).filter((_, i) => used[i]);
      const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
      let ssRes = 0;
      let ssTot = 0;
      for (let i = 0; i < n; i++) {
        if (!used[i]) continue;
        let s = 0;
        let t = 0;
        for (let j = 0; j < n; j++)
          if (used[j] && foldOf(j, 5) !== foldOf(i, 5) && codes[j] === codes[i]) {
            s += y[j]!;
            t++;
          }
        const pred = t > 0 ? s / t : mean;
        ssRes += (y[i]! - pred) ** 2;
        ssTot += (y[i]! - mean) ** 2;
      }
      expect(categoricalOutOfFoldEta(codes, nCat, y)).toBeCloseTo(
        Math.sqrt(Math.max(0, 1 - ssRes / ssTot)),
        10,
      );
    }
    // A category that fixes y keeps 1; one category per row drops to 0 although η in sample is 1.
    const grp = Int32Array.from({ length: 100 }, (_, i) => i % 4);
    expect(
      categoricalOutOfFoldEta(
        grp,
        4,
        Float64Array.from(grp, (g) => g * 10),
      ),
    ).toBeCloseTo(1, 12);
    const unique = Int32Array.from({ length: 100 }, (_, i) => i);
    const yy = Float64Array.from({ length: 100 }, () => rng.normal());
    expect(correlationRatio(unique, 100, yy).eta).toBeCloseTo(1, 12);
    expect(categoricalOutOfFoldEta(unique, 100, yy)).toBe(0);
  });

  it("returns NaN for a constant feature or target instead of dividing by zero", () => {
    expect(pearson(f64([1, 1, 1]), f64([1, 2, 3])).r).toBeNaN();
    expect(correlationRatio(Int32Array.from([0, 1, 0]), 2, f64([5, 5, 5])).eta).toBeNaN();
    expect(pearson(f64([1, 2, 3, 4]), f64([2, 4, 6, 8])).r).toBe(1);
  });
});
