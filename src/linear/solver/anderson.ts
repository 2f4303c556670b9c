// Anderson extrapolation of a fixed-point iteration's last iterates (Anderson 1965; as used with an
// objective safeguard for coordinate descent by Bertrand & Massias, AISTATS 2021, and skglm):
// the weights c (Σc = 1) minimising ‖Σ c_k (x_{k+1} − x_k)‖, from the small Gram matrix of the
// differences. Callers accept the extrapolated point only when it lowers their objective.
import { Matrix } from '../../linalg/matrix.ts';
import { eigh } from '../../linalg/decomp/eigh.ts';

const TINY = 1e-300;

/**
 * Anderson extrapolation of the last K+1 iterates x_0..x_K (Bertrand & Massias 2021, eq. (6)):
 * with U = [x_1 − x_0, …, x_K − x_{K−1}], solve (UᵀU) z = 1, c = z/Σz, x̂ = Σ c_k x_{k}. Returns
 * null when the system is singular (then the caller keeps its iterate).
 */
export function andersonWeights(hist: readonly Float64Array[]): Float64Array | null {
  const K = hist.length - 1;
  const n = hist[0]!.length;
  const U: Float64Array[] = [];
  for (let k = 0; k < K; k++) {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = hist[k + 1]![i]! - hist[k]![i]!;
    U.push(v);
  }
  const M = Matrix.zeros(K, K);
  let trace = 0;
  for (let p = 0; p < K; p++) {
    for (let q = p; q < K; q++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += U[p]![i]! * U[q]![i]!;
      M.data[p * K + q] = s;
      M.data[q * K + p] = s;
    }
    trace += M.data[p * K + p]!;
  }
  if (!(trace > 0)) return null;
  // Solve via the eigendecomposition with a tiny relative regularisation (the Gram of differences is
  // often numerically singular near convergence).
  const e = eigh(M);
  const z = new Float64Array(K);
  const reg = 1e-10 * trace;
  for (let k = 0; k < K; k++) {
    let proj = 0;
    for (let i = 0; i < K; i++) proj += e.vectors.data[i * K + k]!;
    const coef = proj / (e.values[k]! + reg);
    for (let i = 0; i < K; i++) z[i]! += coef * e.vectors.data[i * K + k]!;
  }
  let sz = 0;
  for (let k = 0; k < K; k++) sz += z[k]!;
  if (!Number.isFinite(sz) || Math.abs(sz) < TINY) return null;
  const c = new Float64Array(K + 1);
  // The extrapolation combines x_1..x_K (the iterates after each difference).
  for (let k = 0; k < K; k++) c[k + 1] = z[k]! / sz;
  return c;
}

