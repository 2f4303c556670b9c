// Symmetric eigendecomposition A = V diag(λ) Vᵀ, eigenvalues ascending.
// ml-matrix's tridiagonal QL (the EISPACK tred2/tql2 pair) is ~20× slower than LAPACK at 200×200
// but the MTL solvers only decompose T×T task matrices and d×d Gram matrices of modest size;
// bench/decomp.bench.ts measures it.
import { EigenvalueDecomposition } from 'ml-matrix';
import { ShapeError, NumericError } from '../../errors.ts';
import { Matrix, shapeOf } from '../matrix.ts';
import { allFinite, symmetrize } from '../ops.ts';
import { fromML, toML } from './mlmatrix.ts';

export interface Eigh {
  /** Eigenvalues in ascending order. */
  readonly values: Float64Array;
  /** Columns are the matching orthonormal eigenvectors. */
  readonly vectors: Matrix;
}

export function eigh(a: Matrix): Eigh {
  if (a.rows !== a.cols) throw new ShapeError(`eigh: matrix ${shapeOf(a)} is not square`);
  if (!allFinite(a.data)) throw new NumericError('eigh: matrix has NaN or infinite entries');
  const n = a.rows;
  if (n === 0) return { values: new Float64Array(0), vectors: Matrix.zeros(0, 0) };
  const e = new EigenvalueDecomposition(toML(symmetrize(a)), { assumeSymmetric: true });
  const vals = e.realEigenvalues;
  const V = fromML(e.eigenvectorMatrix);
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => vals[i]! - vals[j]!);
  const values = new Float64Array(n);
  const vectors = Matrix.zeros(n, n);
  order.forEach((src, k) => {
    values[k] = vals[src]!;
    for (let i = 0; i < n; i++) vectors.data[i * n + k] = V.data[i * n + src]!;
  });
  return { values, vectors };
}

/** V diag(f(λ)) Vᵀ: a spectral function of a symmetric matrix from its decomposition. */
export function spectralApply(e: Eigh, f: (lambda: number) => number): Matrix {
  const n = e.values.length;
  const fv = e.values.map(f);
  const out = Matrix.zeros(n, n);
  const V = e.vectors.data;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += V[i * n + k]! * fv[k]! * V[j * n + k]!;
      out.data[i * n + j] = s;
      out.data[j * n + i] = s;
    }
  }
  return out;
}
