// Non-negative quadratic programme  min_{x ≥ 0} ½ xᵀQx + qᵀx  for a symmetric positive (semi-)definite
// T × T matrix Q, by the active-set method of Lawson & Hanson (Solving Least Squares Problems, 1974,
// ch. 23, NNLS) written on Q and q directly (the "fast NNLS" of Bro & De Jong, J. Chemometrics 11,
// 1997): a passive set P whose free subproblem Q_PP z = −q_P is solved by a Cholesky factor updated in
// O(|P|²) per index that enters or leaves (active-cholesky.ts). Finite termination in
// exact arithmetic; certified by the KKT conditions
//     x ≥ 0,   ∇ = Qx + q ≥ 0,   x_i ∇_i = 0.
// UPGrad (project each task gradient on the dual cone) and DualProj (project the mean) are both such
// problems on the Gramian (see ../aggregator/upgrad.ts). A relative ridge (default 1e-12·max Q_ii)
// keeps Q_PP invertible for singular Q; the certificate is measured on the Q given.
//
// Fast path for a guessed passive set (UPGrad solves T problems per step, each warm-started): a few
// steps of the primal-dual active-set method (Hintermüller, Ito & Kunisch, SIAM J. Optim. 13, 2002,
// Alg. 1 with c = 1: P ← {i : x_i − ∇_i > 0}), each one dense Cholesky of Q_PP gathered into a
// contiguous buffer (s³/3 flops in a cache-friendly loop, ~3× faster than growing the factor one
// index at a time). When a step lands on a set whose free solution is positive and whose ∇ ≥ 0 off
// the set, that x is returned (the same KKT certificate as Lawson–Hanson's); when the PDAS sets do not
// settle within `pdasSteps`, Lawson–Hanson takes over from the positive part of the last set, so
// termination and the certificate are those of Lawson–Hanson. Plain PDAS can cycle on non-M-matrices
// (rank-deficient Gramians): the steps carry Júdice & Pires's safeguard (single principal pivots once
// the number of infeasible indices stops falling), and the dual variable is ∇ at the unclipped free
// solution (with ∇ at the clipped one, the pivots flipped one index in and out forever).
// native/nnqp.cc runs the same steps.
import { ShapeError } from '../../errors.ts';
import { maxDiag } from '../core.ts';
import { ActiveCholesky, withRidge } from './active-cholesky.ts';
import { nativeDecomp } from '../../linalg/backend.ts';

/** Below this size the TypeScript factor beats the call into the addon. */
const NATIVE_CHOLESKY_MIN = 24;

export interface NnqpOptions {
  /** Stop when min ∇ ≥ −tol·(‖q‖∞ + max Q_ii·‖x‖∞). Default 1e-13. */
  readonly tol?: number;
  readonly ridge?: number;
  readonly maxIter?: number;
  /** Primal-dual active-set steps tried from a warm-start set before Lawson–Hanson (default 6; 0: off). */
  readonly pdasSteps?: number;
}

export interface NnqpResult {
  readonly x: Float64Array;
  /** ∇ = Qx + q at the solution. */
  readonly grad: Float64Array;
  readonly iterations: number;
  readonly converged: boolean;
  /** 'pdas': certified by the fast path from the warm start; 'lawson-hanson' otherwise. */
  readonly method?: 'pdas' | 'lawson-hanson';
}

/**
 * Dense Cholesky of the s × s row-major matrix M in place (lower triangle), dot-product form (rows
 * of L contiguous). Returns false when a pivot falls to `floor` or below (then the caller falls back).
 */
export function denseCholesky(M: Float64Array, s: number, floor: number): boolean {
  for (let j = 0; j < s; j++) {
    const rj = j * s;
    let d = M[rj + j]!;
    for (let k = 0; k < j; k++) d -= M[rj + k]! * M[rj + k]!;
    if (!(d > floor)) return false;
    const ljj = Math.sqrt(d);
    M[rj + j] = ljj;
    const inv = 1 / ljj;
    for (let i = j + 1; i < s; i++) {
      const ri = i * s;
      let v = M[ri + j]!;
      let k = 0;
      // 4-way unrolled dot product of rows i and j of L (both contiguous)
      let v1 = 0, v2 = 0, v3 = 0;
      for (; k + 3 < j; k += 4) {
        v -= M[ri + k]! * M[rj + k]!;
        v1 -= M[ri + k + 1]! * M[rj + k + 1]!;
        v2 -= M[ri + k + 2]! * M[rj + k + 2]!;
        v3 -= M[ri + k + 3]! * M[rj + k + 3]!;
      }
      for (; k < j; k++) v -= M[ri + k]! * M[rj + k]!;
      M[ri + j] = (v + v1 + v2 + v3) * inv;
    }
  }
  return true;
}

/** Solves L Lᵀ z = b in place with the factor of denseCholesky. */
export function denseCholeskySolve(L: Float64Array, s: number, b: Float64Array): void {
  for (let i = 0; i < s; i++) {
    let v = b[i]!;
    const ri = i * s;
    for (let k = 0; k < i; k++) v -= L[ri + k]! * b[k]!;
    b[i] = v / L[ri + i]!;
  }
  for (let i = s - 1; i >= 0; i--) {
    let v = b[i]!;
    for (let k = i + 1; k < s; k++) v -= L[k * s + i]! * b[k]!;
    b[i] = v / L[i * s + i]!;
  }
}

/** KKT residual of a candidate: max(−min x, −min ∇, max |x_i ∇_i|) — 0 at the optimum. */
export function nnqpKkt(Q: Float64Array, n: number, q: ArrayLike<number>, x: ArrayLike<number>): { primal: number; dual: number; complementarity: number } {
  let primal = 0;
  let dual = 0;
  let comp = 0;
  for (let i = 0; i < n; i++) {
    let g = q[i]!;
    for (let j = 0; j < n; j++) g += Q[i * n + j]! * x[j]!;
    primal = Math.max(primal, -x[i]!);
    dual = Math.max(dual, -g);
    comp = Math.max(comp, Math.abs(x[i]! * g));
  }
  return { primal, dual, complementarity: comp };
}

/**
 * A reusable solver for many right-hand sides q with the same Q (UPGrad solves T of them per step):
 * the workspace is allocated once.
 */
export function makeNnqpSolver(Q: Float64Array, n: number, opts: NnqpOptions = {}): (q: ArrayLike<number>, start?: readonly number[]) => NnqpResult {
  if (Q.length !== n * n) throw new ShapeError(`nnqp: Q has ${Q.length} entries, expected ${n}×${n}`);
  const scale = maxDiag(Q, n);
  const ridge = (opts.ridge ?? 1e-12) * (scale > 0 ? scale : 1);
  const relTol = opts.tol ?? 1e-13;
  const maxIter = opts.maxIter ?? 10 * n + 50;
  const pdasSteps = opts.pdasSteps ?? 6;
  const A = withRidge(Q, n, ridge);
  const ch = new ActiveCholesky(A, n, ridge * 1e-6);
  const z = new Float64Array(n);
  const M = new Float64Array(n * n);
  const Lbuf = new Float64Array(n * n);
  const native = nativeDecomp();
  const idx = new Int32Array(n);
  const inSet = new Uint8Array(n);
  const FAILS_OFF = 3;
  let pdasFails = 0;

  /**
   * The PDAS fast path from `start`: returns the certified solution, or the positive part of the
   * last set tried (a warm start for Lawson–Hanson) in `fallback`.
   */
  const pdas = (q: ArrayLike<number>, qInf: number, start: readonly number[], fallback: number[]): NnqpResult | null => {
    inSet.fill(0);
    for (const j of start) if (j >= 0 && j < n) inSet[j] = 1;
    const x = new Float64Array(n);
    const grad = new Float64Array(n);
    let best = n + 1, budget = 3;
    for (let step = 0; step < pdasSteps; step++) {
      let s = 0;
      for (let i = 0; i < n; i++) if (inSet[i]) idx[s++] = i;
      let L = M;
      if (native && s >= NATIVE_CHOLESKY_MIN) {
        // the addon's Cholesky (same algorithm, compiled): reads the full symmetric block
        for (let a = 0; a < s; a++) {
          const ra = idx[a]! * n;
          for (let b = 0; b < s; b++) M[a * s + b] = A[ra + idx[b]!]!;
        }
        const fail = native.cholesky(s, M.subarray(0, s * s), Lbuf.subarray(0, s * s));
        if (fail) return null;
        L = Lbuf;
        for (let a = 0; a < s; a++) if (!(L[a * s + a]! > Math.sqrt(ridge * 1e-6))) return null;
      } else {
        for (let a = 0; a < s; a++) {
          const ra = idx[a]! * n;
          for (let b = 0; b <= a; b++) M[a * s + b] = A[ra + idx[b]!]!;
        }
        if (!denseCholesky(M, s, ridge * 1e-6)) return null;
      }
      for (let a = 0; a < s; a++) z[a] = -q[idx[a]!]!;
      denseCholeskySolve(L, s, z);
      x.fill(0);
      let positive = true;
      let xInf = 0;
      for (let a = 0; a < s; a++) {
        const v = z[a]!;
        if (v > 0) { x[idx[a]!] = v; xInf = Math.max(xInf, v); } else positive = false;
      }
      // ∇ = q + Q z at the free solution z of the set, negative entries included (the complementary
      // variable of the LCP, which the pivoting rules below need; = q + Qx when z > 0), on the Q given
      for (let i = 0; i < n; i++) grad[i] = q[i]!;
      for (let a = 0; a < s; a++) {
        const j = idx[a]!, xj = z[a]!;
        if (xj === 0) continue;
        const row = j * n;
        for (let i = 0; i < n; i++) grad[i]! += xj * Q[row + i]!;
      }
      const tol = relTol * (qInf + scale * xInf);
      let dualOk = true;
      for (let i = 0; i < n; i++) if (!inSet[i] && grad[i]! < -tol) { dualOk = false; break; }
      if (positive && dualOk) return { x, grad, iterations: step + 1, converged: true, method: 'pdas' };
      // The infeasible indices V: in the set with z ≤ 0, or outside it with ∇ < −tol.
      let nInf = 0, last = -1;
      for (let a = 0; a < s; a++) if (!(z[a]! > 0)) { nInf++; last = Math.max(last, idx[a]!); }
      for (let i = 0; i < n; i++) if (!inSet[i] && grad[i]! < -tol) { nInf++; last = Math.max(last, i); }
      if (nInf === 0) break;
      // Júdice & Pires's safeguard (Comput. Oper. Res. 21, 1994; Kim & Park, SIAM J. Sci. Comput. 33,
      // 2011, Alg. 2): exchange all of V (the PDAS step P = {i : z_i − ∇_i > 0}) while |V| decreases,
      // allow 3 full exchanges that do not, then exchange only the largest index of V (Murty's single
      // principal pivot, finite on a positive definite Q) until |V| beats its best — plain PDAS cycles
      // on rank-deficient Gramians.
      if (nInf < best) { best = nInf; budget = 3; }
      else if (budget > 0) budget--;
      else { inSet[last] = inSet[last] ? 0 : 1; continue; }
      for (let a = 0; a < s; a++) if (!(z[a]! > 0)) inSet[idx[a]!] = 0;
      for (let i = 0; i < n; i++) if (!inSet[i] && x[i] === 0 && grad[i]! < -tol) inSet[i] = 1;
    }
    fallback.length = 0;
    for (let i = 0; i < n; i++) if (x[i]! > 0) fallback.push(i);
    return null;
  };

  /**
   * `start`: an initial guess of the passive set (x starts at 0, so any guess is safe: the first
   * inner step drops every index whose free solution is not positive).
   */
  return (q: ArrayLike<number>, start?: readonly number[]): NnqpResult => {
    if (q.length !== n) throw new ShapeError(`nnqp: q has length ${q.length}, Q is ${n}×${n}`);
    let qInf = 0;
    for (let i = 0; i < n; i++) qInf = Math.max(qInf, Math.abs(q[i]!));
    // Adaptive: once the fast path has failed FAILS_OFF times in a row on this Q (it cycles on
    // strongly non-M-matrix problems such as rank-deficient Gramians), later calls go straight to
    // Lawson–Hanson from their own warm start.
    if (start && start.length > 0 && pdasSteps > 0 && pdasFails < FAILS_OFF) {
      const fb: number[] = [];
      const r = pdas(q, qInf, start, fb);
      if (r) { pdasFails = 0; return r; }
      pdasFails++;
      if (fb.length > 0) start = fb;
    }
    const x = new Float64Array(n);
    const grad = new Float64Array(n);
    ch.clear();
    let it = 0;
    let converged = false;

    // Inner loop: solve the free problem on P, step back to feasibility while some z_i ≤ 0.
    const inner = (): void => {
      while (ch.size > 0) {
        const p = ch.size;
        for (let r = 0; r < p; r++) z[r] = -q[ch.set[r]!]!;
        ch.solve(z);
        let feasible = true;
        for (let r = 0; r < p; r++) if (!(z[r]! > 0)) feasible = false;
        if (feasible) {
          for (let r = 0; r < p; r++) x[ch.set[r]!] = z[r]!;
          return;
        }
        it++;
        // A warm-start set entered with x = 0: keep x = 0 (feasible) and drop every index whose free
        // solution is not positive; the free solution on the rest is a feasible point with a lower
        // objective than 0, so this stays a descent method.
        let fresh = true;
        for (let r = 0; r < p; r++) if (x[ch.set[r]!]! !== 0) fresh = false;
        if (fresh) {
          for (let r = p - 1; r >= 0; r--) if (!(z[r]! > 0)) ch.removeAt(r);
          if (it >= maxIter) return;
          continue;
        }
        let alpha = 1;
        let drop = -1;
        for (let r = 0; r < p; r++) {
          if (!(z[r]! > 0)) {
            const xi = x[ch.set[r]!]!;
            const th = xi - z[r]! > 0 ? xi / (xi - z[r]!) : 0;
            if (drop < 0 || th < alpha) {
              alpha = th;
              drop = r;
            }
          }
        }
        for (let r = 0; r < p; r++) {
          const i = ch.set[r]!;
          x[i] = r === drop ? 0 : Math.max(x[i]! + alpha * (z[r]! - x[i]!), 0);
        }
        for (let r = p - 1; r >= 0; r--) if (!(x[ch.set[r]!]! > 0)) ch.removeAt(r);
        if (it >= maxIter) return;
      }
    };

    if (start && start.length > 0) {
      for (const j of start) if (j >= 0 && j < n && !ch.member[j]) ch.add(j);
      inner();
    }
    while (it < maxIter) {
      // ∇ = q + Σ_{j∈P} x_j Q_j· (rows of the symmetric Q, contiguous).
      for (let i = 0; i < n; i++) grad[i] = q[i]!;
      let xInf = 0;
      for (let r = 0; r < ch.size; r++) {
        const j = ch.set[r]!;
        const xj = x[j]!;
        xInf = Math.max(xInf, xj);
        const row = j * n;
        for (let i = 0; i < n; i++) grad[i]! += xj * Q[row + i]!;
      }
      const tol = relTol * (qInf + scale * xInf);
      let jStar = -1;
      let most = -tol;
      for (let i = 0; i < n; i++) {
        if (!ch.member[i] && grad[i]! < most) {
          most = grad[i]!;
          jStar = i;
        }
      }
      if (jStar < 0) {
        converged = true;
        break;
      }
      it++;
      ch.add(jStar);
      inner();
    }
    // Final gradient on the Q given (already computed by the last check when converged).
    if (!converged) {
      for (let i = 0; i < n; i++) {
        let g = q[i]!;
        for (let j = 0; j < n; j++) g += Q[i * n + j]! * x[j]!;
        grad[i] = g;
      }
    }
    return { x, grad, iterations: it, converged, method: 'lawson-hanson' };
  };
}

export function nnqp(Q: Float64Array, n: number, q: ArrayLike<number>, opts: NnqpOptions = {}): NnqpResult {
  return makeNnqpSolver(Q, n, opts)(q);
}
