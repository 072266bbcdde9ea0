import { describe, expect, it } from "vitest";
import { Random } from "../../data/random.js";
import { cholesky, choleskySolve, pseudoSolve, symmetricEigen } from "./dense.js";

function randomSpd(n: number, rank: number, seed: number): Float64Array {
  const rng = new Random(seed);
  const B = Float64Array.from({ length: n * rank }, () => rng.normal());
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < rank; k++) s += B[i * rank + k]! * B[j * rank + k]!;
      A[i * n + j] = s;
    }
  return A;
}

function multiply(A: Float64Array, n: number, x: Float64Array): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i] = out[i]! + A[i * n + j]! * x[j]!;
  return out;
}

describe("dense solvers", () => {
  it("solves a positive definite system with Cholesky", () => {
    const n = 8;
    const A = randomSpd(n, 12, 1);
    const b = Float64Array.from({ length: n }, (_, i) => i - 3);
    const L = A.slice();
    expect(cholesky(L, n)).toBe(true);
    const x = b.slice();
    choleskySolve(L, n, x);
    const back = multiply(A, n, x);
    for (let i = 0; i < n; i++) expect(back[i]).toBeCloseTo(b[i]!, 9);
  });

  it("reports a singular system instead of dividing by a rounding error", () => {
    expect(cholesky(randomSpd(6, 3, 2), 6)).toBe(false);
  });

  it("decomposes a symmetric matrix into eigenpairs", () => {
    const n = 6;
    const A = randomSpd(n, 6, 3);
    const { values, vectors } = symmetricEigen(A, n);
    for (let k = 0; k < n; k++) {
      const v = Float64Array.from({ length: n }, (_, i) => vectors[i * n + k]!);
      const Av = multiply(A, n, v);
      for (let i = 0; i < n; i++) expect(Av[i]).toBeCloseTo(values[k]! * v[i]!, 9);
    }
  });

  it("gives the least-norm solution of a singular consistent system", () => {
    // x + y = 2 (twice): least norm is (1, 1).
    const A = Float64Array.of(1, 1, 1, 1);
    const b = Float64Array.of(2, 2);
    pseudoSolve(A, 2, b);
    expect(b[0]).toBeCloseTo(1, 12);
    expect(b[1]).toBeCloseTo(1, 12);
  });
});
