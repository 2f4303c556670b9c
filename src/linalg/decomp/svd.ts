// Thin SVD A = U diag(s) Vᵀ (s descending), by ml-matrix's one-sided Golub–Kahan (JAMA) code.
// The trace-norm prox needs the SVD of a d×T weight matrix every iteration; at the sizes of the
// MTL data sets (d, T in the tens to hundreds) the library is adequate (bench/decomp.bench.ts).
import { SingularValueDecomposition } from 'ml-matrix';
import { NumericError } from '../../errors.ts';
import { Matrix } from '../matrix.ts';
import { allFinite } from '../ops.ts';
import { fromML, toML } from './mlmatrix.ts';

export interface SVD {
  /** m×r, orthonormal columns (r = min(m, n)). */
  readonly U: Matrix;
  /** r singular values, descending. */
  readonly s: Float64Array;
  /** n×r, orthonormal columns. */
  readonly V: Matrix;
}

export function svd(a: Matrix): SVD {
  if (!allFinite(a.data)) throw new NumericError('svd: matrix has NaN or infinite entries');
  const m = a.rows;
  const n = a.cols;
  const r = Math.min(m, n);
  if (r === 0) return { U: Matrix.zeros(m, 0), s: new Float64Array(0), V: Matrix.zeros(n, 0) };
  // JAMA's algorithm wants rows ≥ cols; decompose the transpose otherwise and swap U and V.
  const wide = m < n;
  const src = wide ? a.transpose() : a;
  const d = new SingularValueDecomposition(toML(src), { computeLeftSingularVectors: true, computeRightSingularVectors: true, autoTranspose: false });
  const U = fromML(d.leftSingularVectors);
  const V = fromML(d.rightSingularVectors);
  const s = Float64Array.from(d.diagonal.slice(0, r));
  const Uthin = U.cols === r ? U : new Matrix(U.rows, r, sliceCols(U, r));
  const Vthin = V.cols === r ? V : new Matrix(V.rows, r, sliceCols(V, r));
  return wide ? { U: Vthin, s, V: Uthin } : { U: Uthin, s, V: Vthin };
}

function sliceCols(a: Matrix, r: number): Float64Array {
  const out = new Float64Array(a.rows * r);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < r; j++) out[i * r + j] = a.data[i * a.cols + j]!;
  return out;
}

/** U diag(s) Vᵀ */
export function svdReconstruct(d: SVD): Matrix {
  const m = d.U.rows;
  const n = d.V.rows;
  const r = d.s.length;
  const out = Matrix.zeros(m, n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let v = 0;
      for (let k = 0; k < r; k++) v += d.U.data[i * r + k]! * d.s[k]! * d.V.data[j * r + k]!;
      out.data[i * n + j] = v;
    }
  }
  return out;
}
