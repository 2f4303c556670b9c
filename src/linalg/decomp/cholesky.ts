// Cholesky A = L Lᵀ (own code: twenty lines, and we need a precise error on a matrix that is not
// positive definite, naming the failing pivot, which ml-matrix does not give).
import { NumericError, ShapeError } from '../../errors.ts';
import { Matrix, shapeOf } from '../matrix.ts';
import { allFinite } from '../ops.ts';
import { nativeDecomp } from '../backend.ts';

/**
 * Lower-triangular L with A = L Lᵀ (Golub & Van Loan Alg. 4.2.1, reading only the lower triangle of A).
 * Throws NumericError naming the first pivot that is not positive when A is not positive definite.
 */
export function cholesky(a: Matrix): Matrix {
  if (a.rows !== a.cols) throw new ShapeError(`cholesky: matrix ${shapeOf(a)} is not square`);
  if (!allFinite(a.data)) throw new NumericError('cholesky: matrix has NaN or infinite entries');
  const n = a.rows;
  const L = Matrix.zeros(n, n);
  const native = nativeDecomp();
  if (native && a.data instanceof Float64Array) {
    // Same algorithm in native code (native/decomp.cc ptCholesky), same failing pivot.
    const bad = native.cholesky(n, a.data, L.data as Float64Array);
    if (bad) throw new NumericError(`cholesky: matrix is not positive definite (pivot ${bad.index + 1} of ${n} is ${bad.value})`);
    return L;
  }
  const l = L.data;
  const A = a.data;
  for (let j = 0; j < n; j++) {
    let s = A[j * n + j]!;
    for (let k = 0; k < j; k++) s -= l[j * n + k]! * l[j * n + k]!;
    if (!(s > 0) || !Number.isFinite(s)) {
      throw new NumericError(`cholesky: matrix is not positive definite (pivot ${j + 1} of ${n} is ${s})`);
    }
    const ljj = Math.sqrt(s);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let t = A[i * n + j]!;
      for (let k = 0; k < j; k++) t -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = t / ljj;
    }
  }
  return L;
}

/** Solves (L Lᵀ) X = B for X, B n×m (columns are right-hand sides). */
export function choleskySolve(L: Matrix, b: Matrix): Matrix {
  const n = L.rows;
  if (L.cols !== n) throw new ShapeError(`choleskySolve: factor ${shapeOf(L)} is not square`);
  if (b.rows !== n) throw new ShapeError(`choleskySolve: factor ${shapeOf(L)} and right-hand side ${shapeOf(b)}`);
  const m = b.cols;
  const x = b.clone();
  const X = x.data;
  const l = L.data;
  // Forward: L Z = B
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) {
      const lik = l[i * n + k]!;
      if (lik !== 0) for (let c = 0; c < m; c++) X[i * m + c]! -= lik * X[k * m + c]!;
    }
    const d = l[i * n + i]!;
    for (let c = 0; c < m; c++) X[i * m + c]! /= d;
  }
  // Backward: Lᵀ X = Z
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) {
      const lki = l[k * n + i]!;
      if (lki !== 0) for (let c = 0; c < m; c++) X[i * m + c]! -= lki * X[k * m + c]!;
    }
    const d = l[i * n + i]!;
    for (let c = 0; c < m; c++) X[i * m + c]! /= d;
  }
  return x;
}
