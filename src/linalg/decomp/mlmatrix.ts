// Conversions to and from ml-matrix, and the ml-matrix decompositions the project used before it had
// its own (eighML, svdML). They stay as independent oracles for the tests and as the baseline that
// bench/decomp.bench.ts measures our routines against.
import { Matrix as MLMatrix, EigenvalueDecomposition, SingularValueDecomposition } from 'ml-matrix';
import { Matrix } from '../matrix.ts';

export function toML(a: Matrix): MLMatrix {
  const m = new MLMatrix(a.rows, a.cols);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.cols; j++) m.set(i, j, a.data[i * a.cols + j]!);
  return m;
}

export function fromML(m: MLMatrix): Matrix {
  const out = Matrix.zeros(m.rows, m.columns);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.columns; j++) out.data[i * m.columns + j] = m.get(i, j);
  return out;
}

/** ml-matrix's EISPACK tred2/tql2: eigenvalues ascending, eigenvectors as columns. */
export function eighML(a: Matrix): { values: Float64Array; vectors: Matrix } {
  const n = a.rows;
  const e = new EigenvalueDecomposition(toML(a), { assumeSymmetric: true });
  const vals = e.realEigenvalues;
  const V = fromML(e.eigenvectorMatrix);
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => vals[i]! - vals[j]!);
  const values = Float64Array.from(order, (k) => vals[k]!);
  const vectors = Matrix.zeros(n, n);
  order.forEach((src, k) => {
    for (let i = 0; i < n; i++) vectors.data[i * n + k] = V.data[i * n + src]!;
  });
  return { values, vectors };
}

/** ml-matrix's JAMA Golub–Kahan SVD, thin (U m×r, s, V n×r with r = min(m, n)); needs m ≥ n. */
export function svdML(a: Matrix): { U: Matrix; s: Float64Array; V: Matrix } {
  const r = Math.min(a.rows, a.cols);
  const d = new SingularValueDecomposition(toML(a), { computeLeftSingularVectors: true, computeRightSingularVectors: true, autoTranspose: false });
  const U = fromML(d.leftSingularVectors);
  const V = fromML(d.rightSingularVectors);
  const thin = (M: Matrix): Matrix => {
    if (M.cols === r) return M;
    const out = Matrix.zeros(M.rows, r);
    for (let i = 0; i < M.rows; i++) for (let j = 0; j < r; j++) out.data[i * r + j] = M.data[i * M.cols + j]!;
    return out;
  };
  return { U: thin(U), s: Float64Array.from(d.diagonal.slice(0, r)), V: thin(V) };
}
