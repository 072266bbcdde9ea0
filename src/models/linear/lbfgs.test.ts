import { describe, expect, it } from "vitest";
import { minimize } from "./lbfgs.js";

/** Rosenbrock's banana: minimum 0 at (1, 1, …), with a narrow curved valley. */
function rosenbrock(x: Float64Array, g: Float64Array): number {
  let f = 0;
  g.fill(0);
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1]! - x[i]! * x[i]!;
    const b = 1 - x[i]!;
    f += 100 * a * a + b * b;
    g[i] = g[i]! - 400 * x[i]! * a - 2 * b;
    g[i + 1] = g[i + 1]! + 200 * a;
  }
  return f;
}

describe("minimize", () => {
  it("finds the minimum of Rosenbrock's function", () => {
    const r = minimize(rosenbrock, Float64Array.of(-1.2, 1, -1.2, 1), { maxIter: 500, gtol: 1e-9 });
    expect(r.converged).toBe(true);
    for (const v of r.x) expect(v).toBeCloseTo(1, 6);
  });

  it("solves a lasso problem exactly with OWL-QN, as its soft-threshold closed form", () => {
    // f(x) = ½ Σ (x_i − c_i)² + λ Σ |x_i|  →  x_i = sign(c_i)·max(|c_i| − λ, 0).
    const c = Float64Array.of(3, -0.5, 0.2, -2, 0);
    const lambda = 0.6;
    const r = minimize(
      (x, g) => {
        let f = 0;
        for (let i = 0; i < x.length; i++) {
          g[i] = x[i]! - c[i]!;
          f += 0.5 * (x[i]! - c[i]!) ** 2;
        }
        return f;
      },
      new Float64Array(5),
      { maxIter: 100, gtol: 1e-12, l1: new Float64Array(5).fill(lambda) },
    );
    expect(Array.from(r.x, (v) => Math.round(v * 1e9) / 1e9)).toEqual([2.4, 0, 0, -1.4, 0]);
  });

  it("leaves coordinates with a zero L1 strength unpenalised", () => {
    const r = minimize(
      (x, g) => {
        g[0] = x[0]! - 1;
        g[1] = x[1]! - 1;
        return 0.5 * ((x[0]! - 1) ** 2 + (x[1]! - 1) ** 2);
      },
      new Float64Array(2),
      { maxIter: 100, gtol: 1e-12, l1: Float64Array.of(0.3, 0) },
    );
    expect(r.x[0]).toBeCloseTo(0.7, 10);
    expect(r.x[1]).toBeCloseTo(1, 10);
  });

  it("stops when the callback says so, and at maxIter", () => {
    const seen: number[] = [];
    const r = minimize(rosenbrock, Float64Array.of(-1.2, 1), {
      maxIter: 500,
      gtol: 1e-12,
      onIteration: (i) => {
        seen.push(i);
        return i < 4;
      },
    });
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(r.iterations).toBe(4);
    expect(r.converged).toBe(false);
    expect(minimize(rosenbrock, Float64Array.of(-1.2, 1), { maxIter: 3, gtol: 1e-12 }).iterations).toBe(3);
  });
});
