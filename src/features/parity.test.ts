import { describe, expect, it } from "vitest";
import type { Frame } from "../data/frame.js";
import { Random } from "../data/random.js";
import {
  fitFeatures,
  parseFittedFeatures,
  transform,
  transformRecord,
  type FeatureMatrix,
  type FittedFeatures,
} from "./index.js";
import {
  CHURN_SCHEMA,
  CHURN_SPEC,
  RANDOM_SCHEMA,
  churnLikeFrame,
  randomFrame,
  randomSpec,
  targetOf,
} from "./test-utils/frames.js";
import { naiveTransformRecord } from "./test-utils/naive-transform.js";

const show = (v: number | undefined): string => (Object.is(v, -0) ? "-0" : String(v));

/** Every (row, output) where a single-record transform differs from the batch, bit for bit. */
function parityMismatches(fitted: FittedFeatures, frame: Frame, batch: FeatureMatrix): string[] {
  const bad: string[] = [];
  const out = new Float64Array(batch.nCols);
  for (let i = 0; i < frame.nRows; i++) {
    transformRecord(fitted, frame.row(i), out);
    for (let j = 0; j < batch.nCols; j++) {
      const want = batch.data[j * batch.nRows + i]!;
      if (!Object.is(out[j], want))
        bad.push(`row ${i}, ${batch.names[j]}: record ${show(out[j])}, batch ${show(want)}`);
    }
  }
  return bad;
}

function sameMatrix(a: FeatureMatrix, b: FeatureMatrix): boolean {
  if (a.nRows !== b.nRows || a.nCols !== b.nCols) return false;
  for (let k = 0; k < a.data.length; k++) if (!Object.is(a.data[k], b.data[k])) return false;
  return true;
}

describe("batch and single-record transforms", () => {
  it("agree bit for bit on 40 random frames with missing, extreme and unseen values", () => {
    const rng = new Random(99);
    let cells = 0;
    const kinds = new Set<string>();
    for (let k = 0; k < 40; k++) {
      const train = randomFrame(rng, 150 + rng.int(150), false);
      const test = randomFrame(rng, 80, true);
      const spec = randomSpec(rng);
      const fitted = fitFeatures(spec, train, {
        target: "y",
        task: "classification",
        schema: RANDOM_SCHEMA,
        y: targetOf(train, "y"),
      });
      for (const o of fitted.outputs) kinds.add(o.kind);
      for (const frame of [train, test]) {
        const batch = transform(fitted, frame);
        expect(
          parityMismatches(fitted, frame, batch).slice(0, 5),
          `case ${k}: ${JSON.stringify(spec)}`,
        ).toEqual([]);
        cells += batch.data.length;
      }
    }
    expect(cells).toBeGreaterThan(100_000);
    // Every kind of output took part.
    expect([...kinds].sort()).toEqual([
      "bin",
      "bin_index",
      "binary",
      "category",
      "category_code",
      "category_other",
      "indicator",
      "numeric",
    ]);
  });

  it("agree bit for bit on a churn-like frame, before and after a JSON round trip", () => {
    const frame = churnLikeFrame(3000, 5);
    const train = frame.slice(0, 2400);
    const test = frame.slice(2400);
    const fitted = fitFeatures(CHURN_SPEC, train, {
      target: "churn",
      task: "classification",
      schema: CHURN_SCHEMA,
    });
    const loaded = parseFittedFeatures(JSON.parse(JSON.stringify(fitted)));
    expect(loaded).toEqual(fitted);
    for (const part of [train, test]) {
      const batch = transform(fitted, part);
      expect(parityMismatches(fitted, part, batch)).toEqual([]);
      expect(parityMismatches(loaded, part, batch)).toEqual([]);
      expect(sameMatrix(transform(loaded, part), batch)).toBe(true);
    }
  });

  it("give the same rows whatever the batch size or row order", () => {
    const frame = churnLikeFrame(700, 11);
    const fitted = fitFeatures(CHURN_SPEC, frame, {
      target: "churn",
      task: "classification",
      schema: CHURN_SCHEMA,
    });
    const full = transform(fitted, frame);
    const order = new Random(3).permutation(frame.nRows);
    const shuffled = transform(fitted, frame.take(order));
    for (let i = 0; i < frame.nRows; i++)
      for (let j = 0; j < full.nCols; j++)
        expect(Object.is(shuffled.data[j * frame.nRows + i], full.data[j * frame.nRows + order[i]!])).toBe(
          true,
        );
    const one = transform(fitted, frame.slice(123, 124));
    for (let j = 0; j < full.nCols; j++)
      expect(Object.is(one.data[j], full.data[j * frame.nRows + 123])).toBe(true);
  });
});

describe("transform against a naive reference read straight from the fitted JSON", () => {
  it("agrees on 25 random frames, training and unseen rows", () => {
    const rng = new Random(4242);
    for (let k = 0; k < 25; k++) {
      const train = randomFrame(rng, 200, false);
      const test = randomFrame(rng, 60, true);
      const fitted = fitFeatures(randomSpec(rng), train, {
        target: "y",
        task: "classification",
        schema: RANDOM_SCHEMA,
        y: targetOf(train, "y"),
      });
      for (const frame of [train, test]) {
        const batch = transform(fitted, frame);
        for (let i = 0; i < frame.nRows; i++) {
          const want = naiveTransformRecord(fitted, frame.row(i));
          for (let j = 0; j < batch.nCols; j++) {
            const got = batch.data[j * batch.nRows + i]!;
            // === so that a zero's sign may differ (the naive interpreter does not track it).
            if (!(got === want[j] || (Number.isNaN(got) && Number.isNaN(want[j]!))))
              expect.fail(`case ${k}, row ${i}, ${batch.names[j]}: transform ${got}, naive ${want[j]}`);
          }
        }
      }
    }
  });
});
