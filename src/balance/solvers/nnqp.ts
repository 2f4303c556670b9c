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
import { ShapeError } from '../../errors.ts';
import { maxDiag } from '../core.ts';
import { ActiveCholesky, withRidge } from './active-cholesky.ts';

export interface NnqpOptions {
  /** Stop when min ∇ ≥ −tol·(‖q‖∞ + max Q_ii·‖x‖∞). Default 1e-13. */
  readonly tol?: number;
  readonly ridge?: number;
  readonly maxIter?: number;
}

export interface NnqpResult {
  readonly x: Float64Array;
  /** ∇ = Qx + q at the solution. */
  readonly grad: Float64Array;
  readonly iterations: number;
  readonly converged: boolean;
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
  const A = withRidge(Q, n, ridge);
  const ch = new ActiveCholesky(A, n, ridge * 1e-6);
  const z = new Float64Array(n);

  /**
   * `start`: an initial guess of the passive set (x starts at 0, so any guess is safe: the first
   * inner step drops every index whose free solution is not positive).
   */
  return (q: ArrayLike<number>, start?: readonly number[]): NnqpResult => {
    if (q.length !== n) throw new ShapeError(`nnqp: q has length ${q.length}, Q is ${n}×${n}`);
    let qInf = 0;
    for (let i = 0; i < n; i++) qInf = Math.max(qInf, Math.abs(q[i]!));
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
    // Final gradient on the Q given.
    for (let i = 0; i < n; i++) {
      let g = q[i]!;
      for (let j = 0; j < n; j++) g += Q[i * n + j]! * x[j]!;
      grad[i] = g;
    }
    return { x, grad, iterations: it, converged };
  };
}

export function nnqp(Q: Float64Array, n: number, q: ArrayLike<number>, opts: NnqpOptions = {}): NnqpResult {
  return makeNnqpSolver(Q, n, opts)(q);
}
