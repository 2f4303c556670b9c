// Thin SVD A = U diag(s) Vᵀ (s descending), on Float64Array directly.
// Method: one-sided Jacobi (Hestenes 1958; Demmel & Veselić, SIAM J. Matrix Anal. Appl. 13(4), 1992)
// preconditioned by the eigenvectors of the small Gram matrix. For A m×n with m ≥ n (else work on Aᵀ):
//   1. G = AᵀA = V₀ Λ V₀ᵀ (eigh); B = A V₀ then has nearly orthogonal columns;
//   2. one-sided Jacobi on the columns of B: rotate every pair (p, q) with |b_pᵀb_q| > m·ε‖b_p‖‖b_q‖
//      (the rotation that makes them orthogonal), applying the same rotation to V = V₀ J₁ J₂ ⋯,
//      until a sweep rotates nothing;
//   3. s_k = ‖b_k‖, u_k = b_k / s_k, sorted descending.
// Why this and not the Gram route alone: eigh(AᵀA) squares the condition number, so for κ(A) ≳ 1e8 the
// small singular values and their U columns are wrong; the Jacobi sweeps repair exactly those
// (Gram-preconditioning only saves sweeps: well-separated large singular directions need no rotation).
// A = B Vᵀ holds throughout up to rounding because every rotation is orthogonal, so the reconstruction
// is backward stable whatever κ(A) (test/linalg/decomp.test.ts checks 1e-10 at κ = 1e12).
import { NumericError } from '../../errors.ts';
import { Matrix } from '../matrix.ts';
import { allFinite, gram } from '../ops.ts';
import { eigh } from './eigh.ts';
import { nativeDecomp } from '../backend.ts';

export interface SVD {
  /** m×r, orthonormal columns (r = min(m, n)). */
  readonly U: Matrix;
  /** r singular values, descending. */
  readonly s: Float64Array;
  /** n×r, orthonormal columns. */
  readonly V: Matrix;
}

const EPS = 2.220446049250313e-16;
const MAX_SWEEPS = 60;

function dotRows(a: Float64Array, pa: number, b: Float64Array, pb: number, len: number): number {
  let s = 0;
  for (let i = 0; i < len; i++) s += a[pa + i]! * b[pb + i]!;
  return s;
}

/** [x_p, x_q] ← [c x_p − s x_q, s x_p + c x_q] on rows p and q of a row-major array with rows of `len`. */
function rotateRows(a: Float64Array, p: number, q: number, len: number, c: number, s: number): void {
  const op = p * len;
  const oq = q * len;
  for (let i = 0; i < len; i++) {
    const x = a[op + i]!;
    const y = a[oq + i]!;
    a[op + i] = c * x - s * y;
    a[oq + i] = s * x + c * y;
  }
}

/** ‖x‖₂ of row `k` of a row-major array with rows of `len`, scaled so that it neither underflows nor overflows. */
function rowNorm(a: Float64Array, k: number, len: number): number {
  const o = k * len;
  let big = 0;
  for (let i = 0; i < len; i++) big = Math.max(big, Math.abs(a[o + i]!));
  if (big === 0) return 0;
  // 1/big overflows for subnormal big; an exact power of two does the scaling there.
  const inv = big < 1e-300 ? 2 ** 1000 : 1 / big;
  let s = 0;
  for (let i = 0; i < len; i++) {
    const v = a[o + i]! * inv;
    s += v * v;
  }
  return Math.sqrt(s) / inv;
}

/** cos∠(x_p, x_q) for rows p, q with known norms np, nq > 0, each scaled first so that no product underflows. */
function cosine(a: Float64Array, p: number, q: number, len: number, np: number, nq: number): number {
  const op = p * len;
  const oq = q * len;
  // Fast path when no product of entries can underflow to a loss of precision (the common case).
  if (np > 1e-140 && nq > 1e-140) return dotRows(a, op, a, oq, len) / np / nq;
  const ip = 1 / np;
  const iq = 1 / nq;
  let s = 0;
  for (let i = 0; i < len; i++) s += a[op + i]! * ip * (a[oq + i]! * iq);
  return s;
}

/**
 * tan θ of the Jacobi rotation that orthogonalises two columns with norms np, nq and cosine c
 * (Golub & Van Loan Alg. 8.5.1 on the 2×2 Gram block [[np², c·np·nq], [c·np·nq, nq²]], the smaller
 * angle), written in the ratio r = nq/np so that nothing is squared: ζ = (r − 1/r)/(2c). For very
 * different norms ζ is huge and t = sign(ζ)/(|ζ| + √(1+ζ²)) = 1/(2ζ) + O(ζ⁻³), which is evaluated in the
 * small ratio directly so that neither ζ nor 1/r overflows.
 */
function rotationTangent(np: number, nq: number, c: number): number {
  if (np >= nq) {
    const r = nq / np;
    if (r < 1e-8) return (-c * r) / (1 - r * r);
    const zeta = (r - 1 / r) / (2 * c);
    return (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
  }
  const r = np / nq;
  if (r < 1e-8) return (c * r) / (1 - r * r);
  const zeta = (1 / r - r) / (2 * c);
  return (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
}

/** Columns whose norm is below this (the input is scaled to max |entry| = 1) are rounding noise far under ε‖A‖: set to 0. */
const NEGLIGIBLE = 1e-280;

/**
 * One-sided Jacobi on the columns of B, stored transposed (Bt: n rows of length m), with the
 * rotations accumulated into Vt (n rows of length n). Returns true when a sweep rotated nothing.
 * Robust to graded columns (norms spanning 1 … 1e-280, issue 9: a 42×19 set stalled for 60 sweeps):
 * the test and the angle use norms and a cosine of pre-scaled columns, never the products
 * ‖b_p‖²‖b_q‖² that underflowed before, and both norms are recomputed after every rotation instead
 * of being updated by a formula that cancels for nearly parallel columns (as LAPACK's dgesvj does,
 * Drmač & Veselić, SIAM J. Matrix Anal. Appl. 29(4), 2008).
 */
function jacobiSweeps(Bt: Float64Array, Vt: Float64Array, m: number, n: number, maxSweeps: number): boolean {
  const tol = Math.max(m, 1) * EPS;
  const norms = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    norms[k] = rowNorm(Bt, k, m);
    if (norms[k]! < NEGLIGIBLE) {
      Bt.fill(0, k * m, (k + 1) * m);
      norms[k] = 0;
    }
  }
  for (let sweep = 1; sweep <= maxSweeps; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const np = norms[p]!;
        const nq = norms[q]!;
        if (np === 0 || nq === 0) continue;
        const c = cosine(Bt, p, q, m, np, nq);
        if (!(Math.abs(c) > tol)) continue;
        rotated = true;
        const t = rotationTangent(np, nq, c);
        const cs = 1 / Math.sqrt(1 + t * t);
        const sn = cs * t;
        rotateRows(Bt, p, q, m, cs, sn);
        rotateRows(Vt, p, q, n, cs, sn);
        for (const k of [p, q]) {
          norms[k] = rowNorm(Bt, k, m);
          if (norms[k]! < NEGLIGIBLE) {
            Bt.fill(0, k * m, (k + 1) * m);
            norms[k] = 0;
          }
        }
      }
    }
    if (!rotated) return true;
  }
  return false;
}

/**
 * Completes columns of U whose singular value is exactly 0 to an orthonormal set: the standard basis
 * vector with the largest residual against the columns already set, orthogonalised twice.
 */
function completeBasis(Ut: Float64Array, m: number, r: number, missing: readonly number[]): void {
  const have = Array.from({ length: r }, (_, k) => k).filter((k) => !missing.includes(k));
  for (const k of missing) {
    let best = -1;
    let bestRes = -1;
    let bestVec = new Float64Array(m);
    for (let i = 0; i < m && bestRes < 0.5; i++) {
      const v = new Float64Array(m);
      v[i] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (const h of have) {
          const c = dotRows(Ut, h * m, v, 0, m);
          for (let j = 0; j < m; j++) v[j]! -= c * Ut[h * m + j]!;
        }
      }
      const res = Math.sqrt(dotRows(v, 0, v, 0, m));
      if (res > bestRes) {
        best = i;
        bestRes = res;
        bestVec = v;
      }
    }
    if (best < 0 || bestRes <= 0) throw new NumericError('svd: could not complete an orthonormal basis');
    for (let j = 0; j < m; j++) Ut[k * m + j] = bestVec[j]! / bestRes;
    have.push(k);
  }
}

/** SVD of a tall (m ≥ n ≥ 1), finite, non-zero A scaled to max |entry| = 1. */
function svdTall(a: Matrix): SVD {
  const { rows: m, cols: n } = a;
  const G = eigh(gram(a));
  // B = A V₀, stored transposed; V₀ columns ordered by descending eigenvalue so that the sweeps start
  // near the final order.
  const Vt = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const src = n - 1 - k;
    for (let i = 0; i < n; i++) Vt[k * n + i] = G.vectors.data[i * n + src]!;
  }
  const Bt = new Float64Array(n * m);
  for (let i = 0; i < m; i++) {
    const ai = i * n;
    for (let k = 0; k < n; k++) Bt[k * m + i] = dotRows(a.data, ai, Vt, k * n, n);
  }
  if (!jacobiSweeps(Bt, Vt, m, n, MAX_SWEEPS)) {
    throw new NumericError(`svd: one-sided Jacobi did not converge in ${MAX_SWEEPS} sweeps (${m}×${n}); please report this matrix`);
  }
  const sig = Float64Array.from({ length: n }, (_, k) => rowNorm(Bt, k, m));
  const order = Array.from({ length: n }, (_, k) => k).sort((p, q) => sig[q]! - sig[p]!);
  const s = Float64Array.from(order, (k) => sig[k]!);
  const Ut = new Float64Array(n * m);
  const missing: number[] = [];
  order.forEach((src, k) => {
    const sk = sig[src]!;
    if (sk === 0) missing.push(k);
    else for (let i = 0; i < m; i++) Ut[k * m + i] = Bt[src * m + i]! / sk;
  });
  if (missing.length > 0) completeBasis(Ut, m, n, missing);
  const U = Matrix.zeros(m, n);
  const V = Matrix.zeros(n, n);
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < m; i++) U.data[i * n + k] = Ut[k * m + i]!;
    const src = order[k]! * n;
    for (let i = 0; i < n; i++) V.data[i * n + k] = Vt[src + i]!;
  }
  return { U, s, V };
}

export function svd(a: Matrix): SVD {
  const m = a.rows;
  const n = a.cols;
  const r = Math.min(m, n);
  const native = nativeDecomp();
  if (native && r > 0 && a.data instanceof Float64Array) {
    // The same steps in native code (native/decomp.cc ptSvd). Non-finite or zero A, an exactly zero
    // singular value (completeBasis) or an inner failure come back as codes and take the TypeScript path.
    const U = Matrix.zeros(m, r);
    const V = Matrix.zeros(n, r);
    const s = new Float64Array(r);
    const code = native.svd(m, n, a.data, U.data as Float64Array, s, V.data as Float64Array);
    if (code > 0) return { U, s, V };
    if (code === -1) throw new NumericError(`svd: one-sided Jacobi did not converge in ${MAX_SWEEPS} sweeps (${Math.max(m, n)}×${r})`);
  }
  if (!allFinite(a.data)) throw new NumericError('svd: matrix has NaN or infinite entries');
  if (r === 0) return { U: Matrix.zeros(m, 0), s: new Float64Array(0), V: Matrix.zeros(n, 0) };
  let top = 0;
  for (const v of a.data) top = Math.max(top, Math.abs(v));
  if (top === 0) {
    // The zero matrix: s = 0 and any orthonormal U, V; the leading identity columns.
    const U = Matrix.zeros(m, r);
    const V = Matrix.zeros(n, r);
    for (let k = 0; k < r; k++) {
      U.data[k * r + k] = 1;
      V.data[k * r + k] = 1;
    }
    return { U, s: new Float64Array(r), V };
  }
  // Scale to max |entry| = 1 so that AᵀA neither overflows nor underflows, and scale s back.
  const wide = m < n;
  const src = wide ? a.transpose() : a.clone();
  for (let i = 0; i < src.data.length; i++) src.data[i]! /= top;
  const d = svdTall(src);
  for (let k = 0; k < r; k++) d.s[k]! *= top;
  return wide ? { U: d.V, s: d.s, V: d.U } : d;
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
