// General linear solve (own LU with partial pivoting), pseudo-inverse (from our SVD) and the square
// root of a PSD matrix (from eigh).
// Why not ml-matrix's LU: its isSingular() only flags a pivot that is exactly 0, so a numerically
// singular matrix (say a 10×10 product of rank 9) "solves" to entries of 1e14. Here a pivot below
// n·ε·max|A| is singular (the backward-error bound of Gaussian elimination, Higham, Accuracy and
// Stability of Numerical Algorithms, 2nd ed., Thm 9.5, makes smaller pivots indistinguishable from 0).
import { NumericError, ShapeError } from '../../errors.ts';
import { Matrix, shapeOf } from '../matrix.ts';
import { allFinite } from '../ops.ts';
import { eigh, spectralApply } from './eigh.ts';
import { svd } from './svd.ts';

const EPS = 2.220446049250313e-16;

interface LU {
  readonly n: number;
  /** L (unit, below the diagonal) and U (on and above), row-major, of P A. */
  readonly lu: Float64Array;
  /** Row perm[i] of A is row i of P A. */
  readonly perm: Int32Array;
}

/** P A = L U with partial pivoting (Golub & Van Loan Alg. 3.4.1); null pivot → NumericError. */
function luFactor(a: Matrix, top: number): LU {
  const n = a.rows;
  const lu = a.data.slice();
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  const tiny = n * EPS * top;
  for (let k = 0; k < n; k++) {
    let piv = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(lu[i * n + k]!) > Math.abs(lu[piv * n + k]!)) piv = i;
    const p = lu[piv * n + k]!;
    if (!(Math.abs(p) > tiny)) throw new NumericError(`solve: matrix ${shapeOf(a)} is singular to working precision (pivot ${k + 1} of ${n} is ${p}, max |A| is ${top})`);
    if (piv !== k) {
      for (let j = 0; j < n; j++) [lu[k * n + j], lu[piv * n + j]] = [lu[piv * n + j]!, lu[k * n + j]!];
      [perm[k], perm[piv]] = [perm[piv]!, perm[k]!];
    }
    for (let i = k + 1; i < n; i++) {
      const f = lu[i * n + k]! / p;
      lu[i * n + k] = f;
      if (f !== 0) for (let j = k + 1; j < n; j++) lu[i * n + j]! -= f * lu[k * n + j]!;
    }
  }
  return { n, lu, perm };
}

/** Solves A X = B (B n×m row-major) with the factors. */
function luSolve(f: LU, b: Float64Array, m: number): Float64Array {
  const { n, lu, perm } = f;
  const x = new Float64Array(n * m);
  for (let i = 0; i < n; i++) x.set(b.subarray(perm[i]! * m, perm[i]! * m + m), i * m);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) {
      const l = lu[i * n + k]!;
      if (l !== 0) for (let j = 0; j < m; j++) x[i * m + j]! -= l * x[k * m + j]!;
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) {
      const u = lu[i * n + k]!;
      if (u !== 0) for (let j = 0; j < m; j++) x[i * m + j]! -= u * x[k * m + j]!;
    }
    const d = lu[i * n + i]!;
    for (let j = 0; j < m; j++) x[i * m + j]! /= d;
  }
  return x;
}

/** Solves Aᵀ z = c for one vector: Aᵀ = Uᵀ Lᵀ P, so Uᵀ w = c, Lᵀ v = w, z = Pᵀ v. */
function luSolveTransposed(f: LU, c: Float64Array): Float64Array {
  const { n, lu, perm } = f;
  const w = c.slice();
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) w[i]! -= lu[k * n + i]! * w[k]!;
    w[i]! /= lu[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) for (let k = i + 1; k < n; k++) w[i]! -= lu[k * n + i]! * w[k]!;
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) z[perm[i]!] = w[i]!;
  return z;
}

/**
 * ‖A⁻¹‖₁ estimated by Hager's method (Hager, SIAM J. Sci. Stat. Comput. 5(2), 1984; Higham, ACM TOMS
 * 14(4), 1988, Alg. 2.1): a few solves with A and Aᵀ, usually exact and never an overestimate.
 */
function inverseNorm1Estimate(f: LU): number {
  const n = f.n;
  let x = new Float64Array(n).fill(1 / n);
  let est = 0;
  for (let iter = 0; iter < 5; iter++) {
    const y = luSolve(f, x, 1);
    est = y.reduce((s, v) => s + Math.abs(v), 0);
    const z = luSolveTransposed(f, y.map((v) => (v >= 0 ? 1 : -1)));
    let j = 0;
    for (let i = 1; i < n; i++) if (Math.abs(z[i]!) > Math.abs(z[j]!)) j = i;
    const ztx = z.reduce((s, v, i) => s + v * x[i]!, 0);
    if (Math.abs(z[j]!) <= ztx) break;
    x = new Float64Array(n);
    x[j] = 1;
  }
  return est;
}

function norm1Matrix(a: Matrix): number {
  const colSum = new Float64Array(a.cols);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) colSum[j]! += Math.abs(a.data[i * a.cols + j]!);
  return colSum.reduce((m, v) => Math.max(m, v), 0);
}

/**
 * X with A X = B (A square, non-singular). Throws NumericError when A is singular to working
 * precision: a null pivot, or an estimated 1-norm condition number κ₁ ≥ 1/(n·ε) (then not even
 * the leading digit of X is reliable, since the forward error is bounded by about κ·n·ε).
 */
export function solve(a: Matrix, b: Matrix): Matrix {
  if (a.rows !== a.cols) throw new ShapeError(`solve: matrix ${shapeOf(a)} is not square`);
  if (b.rows !== a.rows) throw new ShapeError(`solve: A is ${shapeOf(a)}, B is ${shapeOf(b)}`);
  if (!allFinite(a.data) || !allFinite(b.data)) throw new NumericError('solve: A or B has NaN or infinite entries');
  const n = a.rows;
  if (n === 0) return Matrix.zeros(0, b.cols);
  let top = 0;
  for (const v of a.data) top = Math.max(top, Math.abs(v));
  const f = luFactor(a, top);
  const kappa = norm1Matrix(a) * inverseNorm1Estimate(f);
  if (!(kappa * n * EPS < 1)) throw new NumericError(`solve: matrix ${shapeOf(a)} is singular to working precision (estimated condition number ${kappa.toExponential(2)})`);
  return new Matrix(n, b.cols, luSolve(f, b.data, b.cols));
}

/** Moore–Penrose pseudo-inverse; singular values at or below rcond·s_max count as zero. */
export function pinv(a: Matrix, rcond = 1e-12): Matrix {
  const { U, s, V } = svd(a);
  const r = s.length;
  const cut = rcond * (r > 0 ? s[0]! : 0);
  const out = Matrix.zeros(a.cols, a.rows);
  const inv = s.map((v) => (v > cut ? 1 / v : 0));
  for (let i = 0; i < a.cols; i++) {
    for (let j = 0; j < a.rows; j++) {
      let v = 0;
      for (let k = 0; k < r; k++) if (inv[k] !== 0) v += V.data[i * r + k]! * inv[k]! * U.data[j * r + k]!;
      out.data[i * a.rows + j] = v;
    }
  }
  return out;
}

/** The PSD square root A^½; eigenvalues below −tol·λ_max are an error, small negatives are clipped. */
export function sqrtmPsd(a: Matrix, tol = 1e-10): Matrix {
  const e = eigh(a);
  const n = e.values.length;
  const top = n > 0 ? Math.max(Math.abs(e.values[0]!), Math.abs(e.values[n - 1]!)) : 0;
  if (n > 0 && e.values[0]! < -tol * Math.max(top, 1e-300)) {
    throw new NumericError(`sqrtmPsd: matrix is not positive semi-definite (smallest eigenvalue ${e.values[0]})`);
  }
  return spectralApply(e, (l) => Math.sqrt(Math.max(l, 0)));
}
