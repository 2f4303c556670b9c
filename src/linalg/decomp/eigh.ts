// Symmetric eigendecomposition A = V diag(λ) Vᵀ, eigenvalues ascending, on Float64Array directly.
// Two classical steps (Golub & Van Loan, Matrix Computations, 4th ed.):
//   1. Householder tridiagonalisation A = Q T Qᵀ (Algorithm 8.3.1), with Q accumulated backwards;
//   2. the implicit symmetric QR step with Wilkinson shift on T (Algorithm 8.3.2 and §8.3.5),
//      deflating negligible off-diagonals, each Givens rotation also applied to the eigenvectors.
// Why our own: the MTL solvers (CMTL, MTRL) decompose a T×T matrix every iteration; ml-matrix's
// version of the same method pays for its object layout (bench/decomp.bench.ts measures the ratio).
// Eigenvectors are kept transposed (row k = vector k) so that every rotation touches two contiguous rows.
import { ShapeError, NumericError } from '../../errors.ts';
import { Matrix, shapeOf } from '../matrix.ts';
import { allFinite } from '../ops.ts';
import { nativeDecomp } from '../backend.ts';

export interface Eigh {
  /** Eigenvalues in ascending order. */
  readonly values: Float64Array;
  /** Columns are the matching orthonormal eigenvectors. */
  readonly vectors: Matrix;
}

const EPS = 2.220446049250313e-16;
/** Below this an entry of the matrix scaled to max |entry| = 1 is far under ε‖A‖ (LAPACK's safmin floor). */
const TINY = 1e-290;

/**
 * Reduces the symmetric n×n `a` (row-major, overwritten) to tridiagonal form: diagonal `d`,
 * off-diagonal `e` (e[k] = T[k][k+1]); returns Q (row-major) with A = Q T Qᵀ.
 * Step k reflects x = A[k+1.., k] onto α·e₁ with H = I − τ v vᵀ, v₀ = 1 (LAPACK dlarfg convention), and
 * updates the trailing block as A ← A − v qᵀ − q vᵀ with p = τ A v, q = p − (τ/2)(vᵀp) v.
 */
function tridiagonalize(a: Float64Array, n: number, d: Float64Array, e: Float64Array): Float64Array {
  const taus = new Float64Array(n);
  const vs: Float64Array[] = [];
  const p = new Float64Array(n);
  for (let k = 0; k + 2 < n; k++) {
    const m = n - k - 1; // length of x
    const x0 = a[k * n + k + 1]!;
    // Row k beyond the diagonal equals column k below it (symmetry) and is contiguous.
    let scale = 0;
    for (let i = k + 2; i < n; i++) scale = Math.max(scale, Math.abs(a[k * n + i]!));
    const v = new Float64Array(m);
    vs.push(v);
    if (scale < TINY) {
      // x is already a multiple of e₁ (up to entries far below ε‖A‖, whose reflector would divide by a
      // subnormal and overflow): no reflection needed.
      e[k] = x0;
      taus[k] = 0;
      continue;
    }
    scale = Math.max(scale, Math.abs(x0));
    let ss = 0;
    for (let i = k + 1; i < n; i++) {
      const t = a[k * n + i]! / scale;
      ss += t * t;
    }
    const alpha = -(x0 >= 0 ? 1 : -1) * scale * Math.sqrt(ss);
    const tau = (alpha - x0) / alpha;
    const inv = 1 / (x0 - alpha);
    v[0] = 1;
    for (let i = 1; i < m; i++) v[i] = a[k * n + k + 1 + i]! * inv;
    e[k] = alpha;
    taus[k] = tau;
    // p = τ A₂₂ v over the trailing block (indices k+1..n-1), reading only its upper triangle
    // (the symmetric update below keeps only that triangle current, which halves the work).
    p.fill(0, 0, m);
    for (let i = 0; i < m; i++) {
      const row = (k + 1 + i) * n + k + 1;
      const vi = v[i]!;
      let s = a[row + i]! * vi;
      for (let j = i + 1; j < m; j++) {
        const aij = a[row + j]!;
        s += aij * v[j]!;
        p[j]! += aij * vi;
      }
      p[i]! += s;
    }
    let vp = 0;
    for (let i = 0; i < m; i++) {
      p[i]! *= tau;
      vp += v[i]! * p[i]!;
    }
    const K = 0.5 * tau * vp;
    for (let i = 0; i < m; i++) p[i]! -= K * v[i]!; // p now holds q
    for (let i = 0; i < m; i++) {
      const row = (k + 1 + i) * n + k + 1;
      const vi = v[i]!;
      const qi = p[i]!;
      for (let j = i; j < m; j++) a[row + j]! -= vi * p[j]! + qi * v[j]!;
    }
  }
  for (let i = 0; i < n; i++) d[i] = a[i * n + i]!;
  if (n >= 2) e[n - 2] = a[(n - 2) * n + n - 1]!;

  // Q = H₀ H₁ ⋯ H_{n−3}, accumulated backwards: H_k only touches rows and columns k+1.. of what is
  // still the identity there (Golub & Van Loan §5.1.6).
  const Q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) Q[i * n + i] = 1;
  const w = new Float64Array(n);
  for (let k = vs.length - 1; k >= 0; k--) {
    const tau = taus[k]!;
    if (tau === 0) continue;
    const v = vs[k]!;
    const m = v.length;
    const c0 = k + 1;
    w.fill(0, 0, m);
    for (let i = 0; i < m; i++) {
      const row = (c0 + i) * n + c0;
      const vi = v[i]!;
      for (let j = 0; j < m; j++) w[j]! += vi * Q[row + j]!;
    }
    for (let i = 0; i < m; i++) {
      const row = (c0 + i) * n + c0;
      const f = tau * v[i]!;
      for (let j = 0; j < m; j++) Q[row + j]! -= f * w[j]!;
    }
  }
  return Q;
}


/**
 * Deflation test of G&VL eq. 8.3.6 with an absolute floor: without it an off-diagonal among
 * subnormal diagonals (graded Gram matrices whose small entries underflow) is never "small relative
 * to its neighbours" and the iteration ran out of steps (issue 9).
 */
function negligible(e: number, d0: number, d1: number): boolean {
  const a = Math.abs(e);
  return a <= EPS * (Math.abs(d0) + Math.abs(d1)) || a < TINY;
}

/**
 * Diagonalises the symmetric tridiagonal (d, e) in place by implicit QR steps with Wilkinson shift;
 * rotations are applied to the rows of Zt (row k = current vector k). On return d holds the eigenvalues.
 */
function tridiagonalQR(d: Float64Array, e: Float64Array, Zt: Float64Array, n: number): void {
  const maxSteps = 50 * Math.max(n, 1);
  let steps = 0;
  let hi = n - 1;
  while (hi > 0) {
    // Deflate: an off-diagonal below rounding of its neighbours is set to zero (G&VL eq. 8.3.6).
    if (negligible(e[hi - 1]!, d[hi - 1]!, d[hi]!)) {
      e[hi - 1] = 0;
      hi--;
      continue;
    }
    let lo = hi - 1;
    while (lo > 0 && !negligible(e[lo - 1]!, d[lo - 1]!, d[lo]!)) lo--;
    if (lo > 0) e[lo - 1] = 0;
    if (++steps > maxSteps) throw new NumericError(`eigh: the tridiagonal QR iteration did not converge in ${maxSteps} steps (n = ${n})`);
    // Wilkinson shift: the eigenvalue of the trailing 2×2 block closer to d[hi].
    const delta = 0.5 * (d[hi - 1]! - d[hi]!);
    const eh = e[hi - 1]!;
    // eh·(eh/…) rather than eh²/…: the square underflows for tiny (graded) blocks and the shift is lost.
    const mu = d[hi]! - eh * (eh / (delta + (delta >= 0 ? 1 : -1) * Math.hypot(delta, eh)));
    let x = d[lo]! - mu;
    let z = e[lo]!;
    for (let k = lo; k < hi; k++) {
      const r = Math.hypot(x, z);
      const c = r === 0 ? 1 : x / r;
      const s = r === 0 ? 0 : z / r;
      if (k > lo) e[k - 1] = r;
      // Jᵀ B J on the 2×2 block B = [[d_k, e_k], [e_k, d_{k+1}]] with J = [[c, −s], [s, c]].
      const a0 = d[k]!;
      const b0 = e[k]!;
      const a1 = d[k + 1]!;
      d[k] = c * c * a0 + 2 * c * s * b0 + s * s * a1;
      d[k + 1] = s * s * a0 - 2 * c * s * b0 + c * c * a1;
      e[k] = c * s * (a1 - a0) + (c * c - s * s) * b0;
      if (k + 1 < hi) {
        // The rotation pushes a bulge to (k, k+2); the next rotation chases it down.
        z = s * e[k + 1]!;
        e[k + 1] = c * e[k + 1]!;
        x = e[k]!;
      }
      const rk = k * n;
      const rk1 = rk + n;
      for (let i = 0; i < n; i++) {
        const u = Zt[rk + i]!;
        const t = Zt[rk1 + i]!;
        Zt[rk + i] = c * u + s * t;
        Zt[rk1 + i] = c * t - s * u;
      }
    }
  }
}

export function eigh(a: Matrix): Eigh {
  if (a.rows !== a.cols) throw new ShapeError(`eigh: matrix ${shapeOf(a)} is not square`);
  const n = a.rows;
  const native = nativeDecomp();
  if (native && n > 0 && a.data instanceof Float64Array) {
    // The same steps in native code (native/decomp.cc ptEigh); a non-finite or zero matrix comes
    // back as a code and takes the checks below.
    const values = new Float64Array(n);
    const vectors = Matrix.zeros(n, n);
    const code = native.eigh(n, a.data, values, vectors.data as Float64Array);
    if (code === 0) return { values, vectors };
    if (code === -1) throw new NumericError(`eigh: the tridiagonal QR iteration did not converge in ${50 * n} steps (n = ${n})`);
  }
  if (!allFinite(a.data)) throw new NumericError('eigh: matrix has NaN or infinite entries');
  if (n === 0) return { values: new Float64Array(0), vectors: Matrix.zeros(0, 0) };
  // Work on (A + Aᵀ)/2, scaled to max |entry| = 1 so that no square in the reflectors overflows.
  let top = 0;
  for (const v of a.data) top = Math.max(top, Math.abs(v));
  if (top === 0) return { values: new Float64Array(n), vectors: Matrix.identity(n) };
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) w[i * n + j] = (0.5 * (a.data[i * n + j]! + a.data[j * n + i]!)) / top;
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(n - 1, 0));
  const Q = tridiagonalize(w, n, d, e);
  // Zt = Qᵀ: row k is column k of Q.
  const Zt = new Matrix(n, n, Q).transpose().data;
  tridiagonalQR(d, e, Zt, n);
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[i]! - d[j]!);
  const values = Float64Array.from(order, (k) => d[k]! * top);
  const vectors = Matrix.zeros(n, n);
  for (let k = 0; k < n; k++) {
    const src = order[k]! * n;
    for (let i = 0; i < n; i++) vectors.data[i * n + k] = Zt[src + i]!;
  }
  return { values, vectors };
}

/**
 * V diag(g) Vᵀ for V with orthonormal columns (n × m) and g of length m: rebuilds a symmetric matrix
 * from (some of) its eigenpairs with new eigenvalues g. Shared by spectralApply and the structure
 * steps of CMTL and MTRL, which change the eigenvalues and keep the eigenvectors.
 */
export function fromEigen(V: Matrix, g: ArrayLike<number>): Matrix {
  const n = V.rows;
  const m = V.cols;
  const out = Matrix.zeros(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let q = 0; q < m; q++) s += V.data[i * m + q]! * g[q]! * V.data[j * m + q]!;
      out.data[i * n + j] = s;
      out.data[j * n + i] = s;
    }
  }
  return out;
}

/** V diag(f(λ)) Vᵀ: a spectral function of a symmetric matrix from its decomposition. */
export function spectralApply(e: Eigh, f: (lambda: number) => number): Matrix {
  return fromEigen(e.vectors, e.values.map(f));
}
