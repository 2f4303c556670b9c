// The min-norm point of the convex hull of T task gradients, from their Gramian K only:
//     min_{w ∈ Δ} wᵀ K w,   Δ = {w ≥ 0, Σ w = 1}                              (Sener & Koltun 2018, eq. 3)
// by Wolfe's active-set algorithm (P. Wolfe, "Finding the nearest point in a polytope",
// Math. Programming 11, 1976): a corral S of affinely independent points, the affine min-norm point
// of S from K_SS⁻¹1 / (1ᵀK_SS⁻¹1), a minor cycle that drops points whose affine weight turns
// negative, and a major cycle that adds the point most violating optimality. K_SS is kept as an
// Cholesky factor updated in O(s²) per added or dropped point (active-cholesky.ts). We start from
// the corral of all points (Wolfe's minor cycle is valid from any λ > 0 on an affinely independent
// set), which ends after one factorisation when every gradient takes part in the min-norm point. Finite termination in exact arithmetic; the result is certified by the KKT
// conditions of the problem:
//     (K w)_j ≥ wᵀ K w  for every j,  with equality where w_j > 0.
// A tiny ridge (default 1e-10·max K_jj on the diagonal) keeps K_SS positive definite when
// gradients are collinear, zero or more numerous than their dimension; the certificate is always
// measured on the K given (kktGap = wᵀKw − min_j (Kw)_j, ≤ ridge in exact arithmetic).
import { ShapeError } from '../../errors.ts';
import type { Matrix } from '../../linalg/matrix.ts';
import { maxDiag, symv } from '../core.ts';
import { ActiveCholesky, withRidge } from './active-cholesky.ts';
import { nativeDecomp } from '../../linalg/backend.ts';

/** From this many tasks the native NNQP route is tried first (below, Wolfe's corral in TypeScript is as fast). */
const NATIVE_MIN_NORM_MIN = 32;

/**
 * The min-norm point through a non-negative QP, in native code (native/nnqp.cc): when the min-norm
 * point is not 0, x = argmin_{x ≥ 0} ½xᵀKx − 1ᵀx gives it as w = x / 1ᵀx — the NNQP's KKT conditions
 * Kx ≥ 1 (= 1 where x > 0) with xᵀKx = 1ᵀx become (Kw)_j ≥ wᵀKw (equality on the support), the
 * min-norm KKT conditions. Its primal-dual active-set steps drop every negative index at once, where
 * Wolfe's minor cycle drops one per step (real 128-task Gramians: 70+ minor cycles). Returns null
 * without the native kernel; the caller certifies the result (kktGap on K) and otherwise runs Wolfe.
 */
function minNormByNnqp(K: Float64Array, n: number, scale: number, ridge: number, start?: readonly number[]): MinNormResult | null {
  const nat = nativeDecomp();
  if (!nat?.nnqpBatch) return null;
  const q = new Float64Array(n).fill(-scale);
  const x = new Float64Array(n);
  const stats = new Int32Array(2);
  const mask = new Uint8Array(n);
  if (start && start.length > 0) for (const j of start) { if (j >= 0 && j < n) mask[j] = 1; }
  else mask.fill(1);
  nat.nnqpBatch(n, 1, K, q, mask, x, stats, { relTol: 1e-13, ridge, pdasSteps: 8, maxIter: 4 * n });
  let sum = 0;
  for (let j = 0; j < n; j++) sum += x[j]!;
  if (!(sum > 0) || !Number.isFinite(sum)) return null;
  for (let j = 0; j < n; j++) x[j]! /= sum;
  const Kw = symv(K, n, x);
  let normSq = 0;
  let mn = Infinity;
  for (let j = 0; j < n; j++) {
    normSq += x[j]! * Kw[j]!;
    mn = Math.min(mn, Kw[j]!);
  }
  return { weights: x, normSq: Math.max(normSq, 0), kktGap: normSq - mn, iterations: stats[0]!, converged: true };
}

export interface MinNormOptions {
  /** Stop when min_j (Kw)_j ≥ wᵀKw − tol·max_j K_jj. Default 1e-12. */
  readonly tol?: number;
  /** Relative ridge added to K's diagonal inside the solver. Default 1e-10. */
  readonly ridge?: number;
  readonly maxIter?: number;
  /** Starting corral: 'all' (default), 'vertex' (Wolfe's original: the shortest gradient) or indices (warm start). */
  readonly start?: 'all' | 'vertex' | readonly number[];
  /** false: Wolfe's algorithm only, never the native NNQP route (default: tried first from T = 32 with start 'all'). */
  readonly native?: boolean;
  /** The native route's starting passive set (default: all tasks), e.g. a nearby problem's support. */
  readonly nnqpStart?: readonly number[];
}

export interface MinNormResult {
  /** w ∈ Δ: the min-norm point is Σ_t w_t g_t. */
  readonly weights: Float64Array;
  /** ‖Σ w_t g_t‖² = wᵀKw. */
  readonly normSq: number;
  /** wᵀKw − min_j (Kw)_j on the K given: 0 at the exact optimum (can be slightly negative by rounding). */
  readonly kktGap: number;
  /** Major + minor iterations. */
  readonly iterations: number;
  readonly converged: boolean;
}

export function minNormPoint(K: Matrix, opts: MinNormOptions = {}): MinNormResult {
  const n = K.rows;
  if (K.cols !== n) throw new ShapeError(`minNormPoint: Gramian must be square, got ${K.rows}×${K.cols}`);
  if (n === 0) throw new ShapeError('minNormPoint: no tasks');
  const Kd = K.data;
  const scale = maxDiag(Kd, n);
  if (!(scale > 0)) {
    // Every gradient is zero: every point of Δ is a minimiser; take the centre.
    return { weights: new Float64Array(n).fill(1 / n), normSq: 0, kktGap: 0, iterations: 0, converged: true };
  }
  const ridge = (opts.ridge ?? 1e-10) * scale;
  const tol = (opts.tol ?? 1e-12) * scale;
  let start = opts.start ?? 'all';
  if (start === 'all' && n >= NATIVE_MIN_NORM_MIN && opts.native !== false) {
    const r = minNormByNnqp(Kd, n, scale, opts.ridge ?? 1e-10, opts.nnqpStart);
    if (r && r.kktGap <= tol) return r;
    // not certified (e.g. 0 in the hull, where the NNQP is unbounded): Wolfe from its support
    if (r) start = Array.from(r.weights, (w, j) => (w > 0 ? j : -1)).filter((j) => j >= 0);
  }
  const maxIter = opts.maxIter ?? 20 * n + 100;
  const A = withRidge(Kd, n, ridge);
  const ch = new ActiveCholesky(A, n, ridge * 1e-6);
  const lam = new Float64Array(n);
  const y = new Float64Array(n);
  const u = new Float64Array(n);

  // Start corral: all points (one factorisation; optimal at once when every gradient takes part,
  // the common case for many tasks in high dimension), a single vertex, or a warm start.
  if (start === 'vertex') {
    let i0 = 0;
    for (let i = 1; i < n; i++) if (Kd[i * n + i]! < Kd[i0 * n + i0]!) i0 = i;
    ch.add(i0);
  } else if (start === 'all') {
    for (let j = 0; j < n; j++) ch.add(j);
  } else {
    for (const j of start as readonly number[]) if (j >= 0 && j < n && !ch.member[j]) ch.add(j);
    if (ch.size === 0) ch.add(0);
  }
  for (let p = 0; p < ch.size; p++) lam[ch.set[p]!] = 1 / ch.size;

  let it = 0;
  // Minor cycle: from λ > 0 on the corral towards its affine min-norm point, dropping points whose
  // weight reaches zero, until the affine minimiser has positive weights.
  const minor = (): void => {
    while (it < maxIter) {
      const s = ch.size;
      u.fill(1, 0, s);
      ch.solve(u);
      let sum = 0;
      for (let p = 0; p < s; p++) sum += u[p]!;
      let allPos = true;
      for (let p = 0; p < s; p++) {
        u[p]! /= sum;
        if (!(u[p]! > 0)) allPos = false;
      }
      if (allPos) {
        for (let p = 0; p < s; p++) lam[ch.set[p]!] = u[p]!;
        return;
      }
      it++;
      let theta = 1;
      let drop = -1;
      for (let p = 0; p < s; p++) {
        const lp = lam[ch.set[p]!]!;
        const ap = u[p]!;
        if (ap <= 0) {
          const th = lp - ap > 0 ? lp / (lp - ap) : 0;
          if (drop < 0 || th < theta) {
            theta = th;
            drop = p;
          }
        }
      }
      for (let p = 0; p < s; p++) {
        const i = ch.set[p]!;
        lam[i] = p === drop ? 0 : Math.max(lam[i]! + theta * (u[p]! - lam[i]!), 0);
      }
      for (let p = s - 1; p >= 0; p--) if (!(lam[ch.set[p]!]! > 0)) ch.removeAt(p);
      let tot = 0;
      for (let p = 0; p < ch.size; p++) tot += lam[ch.set[p]!]!;
      for (let p = 0; p < ch.size; p++) lam[ch.set[p]!]! /= tot;
    }
  };
  minor();
  let converged = false;
  while (it < maxIter) {
    it++;
    // y = A λ, by rows of A (contiguous; A is symmetric).
    y.fill(0);
    let xx = 0;
    for (let p = 0; p < ch.size; p++) {
      const i = ch.set[p]!;
      const li = lam[i]!;
      const r = i * n;
      for (let j = 0; j < n; j++) y[j]! += li * A[r + j]!;
    }
    for (let p = 0; p < ch.size; p++) xx += lam[ch.set[p]!]! * y[ch.set[p]!]!;
    let jStar = -1;
    let best = xx - tol;
    for (let j = 0; j < n; j++) {
      if (!ch.member[j] && y[j]! < best) {
        best = y[j]!;
        jStar = j;
      }
    }
    if (jStar < 0) {
      converged = true;
      break;
    }
    ch.add(jStar);
    lam[jStar] = 0;
    minor();
  }
  const weights = lam;
  const Kw = symv(Kd, n, weights);
  let normSq = 0;
  let mn = Infinity;
  for (let j = 0; j < n; j++) {
    normSq += weights[j]! * Kw[j]!;
    mn = Math.min(mn, Kw[j]!);
  }
  return { weights, normSq: Math.max(normSq, 0), kktGap: normSq - mn, iterations: it, converged };
}

/** The same certificate for any w ∈ Δ (used by tests and by the Frank-Wolfe baseline). */
export function minNormKktGap(K: Matrix, w: Float64Array): number {
  const Kw = symv(K.data, K.rows, w);
  let q = 0;
  let mn = Infinity;
  for (let j = 0; j < K.rows; j++) {
    q += w[j]! * Kw[j]!;
    mn = Math.min(mn, Kw[j]!);
  }
  return q - mn;
}
