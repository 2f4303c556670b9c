// General linear solve (LU with partial pivoting, ml-matrix), pseudo-inverse (from our SVD) and the
// square root of a PSD matrix (from eigh).
import { LuDecomposition } from 'ml-matrix';
import { NumericError, ShapeError } from '../../errors.ts';
import { Matrix, shapeOf } from '../matrix.ts';
import { eigh, spectralApply } from './eigh.ts';
import { svd } from './svd.ts';
import { fromML, toML } from './mlmatrix.ts';

/** X with A X = B (A square, non-singular). */
export function solve(a: Matrix, b: Matrix): Matrix {
  if (a.rows !== a.cols) throw new ShapeError(`solve: matrix ${shapeOf(a)} is not square`);
  if (b.rows !== a.rows) throw new ShapeError(`solve: A is ${shapeOf(a)}, B is ${shapeOf(b)}`);
  const lu = new LuDecomposition(toML(a));
  if (lu.isSingular()) throw new NumericError(`solve: matrix ${shapeOf(a)} is singular`);
  return fromML(lu.solve(toML(b)));
}

/** Moore–Penrose pseudo-inverse; singular values below rcond·s_max count as zero. */
export function pinv(a: Matrix, rcond = 1e-12): Matrix {
  const { U, s, V } = svd(a);
  const r = s.length;
  const cut = rcond * (r > 0 ? s[0]! : 0);
  const out = Matrix.zeros(a.cols, a.rows);
  for (let i = 0; i < a.cols; i++) {
    for (let j = 0; j < a.rows; j++) {
      let v = 0;
      for (let k = 0; k < r; k++) if (s[k]! > cut) v += (V.data[i * r + k]! * U.data[j * r + k]!) / s[k]!;
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
