import { describe, expect, it } from "vitest";
import { Random } from "../../data/random.js";
import {
  logisticGradients,
  logisticGradientsUnweighted,
  logisticLoss,
  softmaxGradients,
  softmaxGradientsUnweighted,
  softmaxLoss,
  squaredErrorGradients,
  squaredErrorGradientsUnweighted,
  squaredErrorLoss,
} from "./loss.js";

/** Central difference of f at x. */
function derivative(f: (x: number) => number, x: number, h = 1e-5): number {
  return (f(x + h) - f(x - h)) / (2 * h);
}

describe("boosting losses", () => {
  it("give the log loss gradient and hessian of each row, times its weight", () => {
    const rng = new Random(1);
    for (let t = 0; t < 50; t++) {
      const z = rng.normal() * 3;
      const y = rng.int(2);
      const w = 0.5 + rng.next();
      const loss = (v: number): number =>
        w * logisticLoss(Float64Array.of(v), Int32Array.of(y), undefined, 1);
      const g = new Float32Array(1);
      const h = new Float32Array(1);
      logisticGradients(Float64Array.of(z), Int32Array.of(y), Float64Array.of(w), g, h, 1);
      expect(g[0]).toBeCloseTo(derivative(loss, z), 5);
      expect(h[0]).toBeCloseTo(
        derivative((v) => derivative(loss, v), z, 1e-3),
        3,
      );
    }
  });

  it("give each class's softmax gradient and diagonal hessian", () => {
    const rng = new Random(2);
    const K = 4;
    const n = 3;
    const raw = Float64Array.from({ length: K * n }, () => rng.normal() * 2);
    const y = Int32Array.of(0, 3, 2);
    const w = Float64Array.of(1, 2, 0.5);
    const g = new Float32Array(K * n);
    const h = new Float32Array(K * n);
    softmaxGradients(raw, y, w, K, g, h, n, new Float64Array(K));
    for (let i = 0; i < n; i++)
      for (let k = 0; k < K; k++) {
        // Row-major copy of row i's scores, with class k moved to v.
        const lossAt = (v: number): number => {
          const row = Float64Array.from({ length: K }, (_, c) => (c === k ? v : raw[c * n + i]!));
          return w[i]! * softmaxLoss(row, Int32Array.of(y[i]!), undefined, K, 1);
        };
        expect(g[k * n + i]).toBeCloseTo(derivative(lossAt, raw[k * n + i]!), 5);
        expect(h[k * n + i]).toBeCloseTo(
          derivative((v) => derivative(lossAt, v), raw[k * n + i]!, 1e-3),
          3,
        );
      }
  });

  it("give squared error gradients, with and without weights", () => {
    const raw = Float64Array.of(1, 2, 3);
    const y = Float64Array.of(0.5, 2, 5);
    const g = new Float32Array(3);
    const h = new Float32Array(3);
    squaredErrorGradients(raw, y, Float64Array.of(2, 1, 1), g, h, 3);
    expect([...g]).toEqual([1, 0, -2]);
    expect([...h]).toEqual([2, 1, 1]);
    squaredErrorGradientsUnweighted(raw, y, g, 3);
    expect([...g]).toEqual([0.5, 0, -2]);
    expect(squaredErrorLoss(raw, y, undefined, 3)).toBeCloseTo((0.25 + 0 + 4) / 3, 12);
    expect(squaredErrorLoss(raw, y, Float64Array.of(2, 0, 2), 3)).toBeCloseTo((0.5 + 8) / 4, 12);
  });

  it("write the gradients of the rows in range only", () => {
    const n = 7;
    const raw = Float64Array.from({ length: 3 * n }, (_, i) => Math.sin(i));
    const y = Int32Array.from({ length: n }, (_, i) => i % 3);
    const w = Float64Array.from({ length: n }, (_, i) => 1 + i / 10);
    const full = [new Float32Array(3 * n), new Float32Array(3 * n)] as const;
    const part = [new Float32Array(3 * n).fill(9), new Float32Array(3 * n).fill(9)] as const;
    softmaxGradients(raw, y, w, 3, full[0], full[1], n, new Float64Array(3));
    softmaxGradients(raw, y, w, 3, part[0], part[1], n, new Float64Array(3), 2, 5);
    logisticGradients(
      raw,
      y.map((v) => v & 1),
      w,
      full[0],
      full[1],
      n,
    );
    logisticGradients(
      raw,
      y.map((v) => v & 1),
      w,
      part[0],
      part[1],
      5,
      2,
    );
    for (let k = 0; k < 3; k++)
      for (let i = 0; i < n; i++) {
        const inRange = i >= 2 && i < 5;
        expect(part[0][k * n + i]).toBe(inRange ? full[0][k * n + i] : 9);
        expect(part[1][k * n + i]).toBe(inRange ? full[1][k * n + i] : 9);
      }
  });

  it("stay finite for extreme scores", () => {
    const raw = Float64Array.of(1000, -1000, 800);
    expect(Number.isFinite(logisticLoss(raw, Int32Array.of(0, 1, 1), undefined, 3))).toBe(true);
    expect(logisticLoss(raw, Int32Array.of(0, 1, 1), undefined, 3)).toBeCloseTo(2000 / 3, 6);
    expect(Number.isFinite(softmaxLoss(raw, Int32Array.of(1), undefined, 3, 1))).toBe(true);
    const g = new Float32Array(3);
    const h = new Float32Array(3);
    softmaxGradients(raw, Int32Array.of(0), Float64Array.of(1), 3, g, h, 1, new Float64Array(3));
    expect([...g].every(Number.isFinite)).toBe(true);
  });

  it("give without weights exactly what weights of 1 give", () => {
    const n = 50;
    const raw = Float64Array.from({ length: 3 * n }, (_, i) => 3 * Math.sin(i * 1.7));
    const y = Int32Array.from({ length: n }, (_, i) => (i * 7) % 3);
    const ones = new Float64Array(n).fill(1);
    const weighted = [new Float32Array(3 * n), new Float32Array(3 * n)] as const;
    const plain = [new Float32Array(3 * n), new Float32Array(3 * n)] as const;
    softmaxGradients(raw, y, ones, 3, weighted[0], weighted[1], n, new Float64Array(3), 3, 40);
    softmaxGradientsUnweighted(raw, y, 3, plain[0], plain[1], n, new Float64Array(3), 3, 40);
    expect(plain).toEqual(weighted);
    const binary = y.map((v) => v & 1);
    logisticGradients(raw, binary, ones, weighted[0], weighted[1], 45, 2);
    logisticGradientsUnweighted(raw, binary, plain[0], plain[1], 45, 2);
    expect(plain).toEqual(weighted);
  });
});
