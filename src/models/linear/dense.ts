/**
 * Small dense linear algebra for the linear models: a Cholesky factorisation for symmetric
 * positive definite systems (ridge's normal equations, Newton steps), and a symmetric
 * eigendecomposition for the least-norm answer when such a system is singular.
 *
 * Matrices are row-major `n × n` Float64Arrays. Sizes are features (or rows, for ridge's
 * dual form), so O(n³) work is expected to stay in the low thousands.
 */

/**
 * Factor the symmetric matrix `A` = L·Lᵀ in place (L in the lower triangle; the strict upper
 * triangle is left as it was).
 *
 * @param A IN/OUT: row-major n × n; only the lower triangle is read.
 * @returns false when A is not numerically positive definite: a pivot fell to
 *   ≤ `relTol` × the largest diagonal entry (a singular or indefinite system).
 */
export function cholesky(A: Float64Array, n: number, relTol = 1e-12): boolean {
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, Math.abs(A[i * n + i]!));
  const floor = relTol * maxDiag;
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = A[rj + j]!;
    for (let k = 0; k < j; k++) d -= A[rj + k]! * A[rj + k]!;
    if (!(d > floor)) return false;
    const ljj = Math.sqrt(d);
    A[rj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = A[ri + j]!;
      for (let k = 0; k < j; k++) s -= A[ri + k]! * A[rj + k]!;
      A[ri + j] = s / ljj;
    }
  }
  return true;
}

/**
 * Solve L·Lᵀ·x = b with the factor from {@link cholesky}.
 * @param b IN/OUT: the right-hand side, replaced by x.
 */
export function choleskySolve(L: Float64Array, n: number, b: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[ri + k]! * b[k]!;
    b[i] = s / L[ri + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let k = i + 1; k < n; k++) s -= L[k * n + i]! * b[k]!;
    b[i] = s / L[i * n + i]!;
  }
}

/**
 * Eigenvalues and eigenvectors of a symmetric matrix (cyclic Jacobi rotations): slow next to
 * LAPACK, but exact to rounding and short; it only runs on singular systems.
 *
 * @param A IN: row-major n × n, symmetric (not modified).
 * @returns values (unordered) and vectors (column k of the row-major `vectors` is vector k).
 */
export function symmetricEigen(A: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(A);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < n; i++) {
      diag += a[i * n + i]! * a[i * n + i]!;
      for (let j = i + 1; j < n; j++) off += a[i * n + j]! * a[i * n + j]!;
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < n - 1; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (apq === 0) continue;
        const app = a[p * n + p]!;
        const aqq = a[q * n + q]!;
        // The rotation angle that zeroes a[p][q], in the stable form of Numerical Recipes.
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * n + i]!;
  return { values, vectors: v };
}

/**
 * The least-norm solution of the symmetric positive semi-definite system A·x = b: x = A⁺b,
 * treating eigenvalues below `rcond` × the largest as zero (as numpy's lstsq does).
 * @param b IN/OUT: the right-hand side, replaced by x.
 */
export function pseudoSolve(A: Float64Array, n: number, b: Float64Array, rcond = 1e-12): void {
  const { values, vectors } = symmetricEigen(A, n);
  let max = 0;
  for (let k = 0; k < n; k++) max = Math.max(max, Math.abs(values[k]!));
  const proj = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    if (!(Math.abs(values[k]!) > rcond * max)) continue;
    let s = 0;
    for (let i = 0; i < n; i++) s += vectors[i * n + k]! * b[i]!;
    proj[k] = s / values[k]!;
  }
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += vectors[i * n + k]! * proj[k]!;
    b[i] = s;
  }
}
