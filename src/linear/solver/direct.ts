// Exact solve for the squared loss with quadratic penalties only (stl, pooled-free models chain,
// graph, mean, and any of them + ridge). With the intercepts eliminated (docs/objective.md) the
// objective is  Σ_t ½ c_t ‖X̂_t w_t − ŷ_t‖² + tr(W M Wᵀ)  with M = Σ_k M_k (each penalty's
// taskMatrix, symmetric PSD), so the optimum solves the linear system (d·T unknowns)
//     c_t H_t w_t + 2 (W M)_:,t = c_t h_t     for every task t,   H_t = X̂_tᵀX̂_t, h_t = X̂_tᵀŷ_t.
// We solve it by preconditioned conjugate gradients on the d·T system (Hestenes & Stiefel 1952;
// Saad, "Iterative methods for sparse linear systems", alg. 9.1). Preconditioner:
// - M tridiagonal (stl, chain, a path graph; + ridge): the system matrix is block tridiagonal with
//   scalar off-diagonal blocks 2M_t,t+1·I, and the preconditioner is its exact block-LU (block
//   Thomas) factorisation, O(T·d³) once — PCG then finishes in one step;
// - M a diagonal plus one constant c off the diagonal (mean, ridge; Penalty.taskStructure): the
//   system matrix is blockdiag(P_t) + 2c·(11ᵀ ⊗ I_d), P_t = c_t H_t + 2(M_tt − c) I, a rank-d update
//   of a block-diagonal matrix, inverted exactly by the Sherman–Morrison–Woodbury identity (Golub &
//   Van Loan, "Matrix computations", 4th ed., §2.1.4) with one d × d capacitance system; W M is
//   applied in O(T·d) without forming M. PCG then finishes in one step, and a fit costs O(T·d³)
//   instead of O(T²·d) per step (the mean model at T = 1 000 tasks: the task-selection bench);
// - otherwise (general graphs): block Jacobi P_t = c_t H_t + 2 M_tt I, one Cholesky per task;
//   PCG then needs tens to hundreds of steps, each O(T·d² + d·nnz(M)).
//
// Exported API: solveDirect(problem, penalties, { tol, maxIter, requireConvergence }) → LinearSolution
import { ConvergenceError, NumericError, OptionError } from '../../errors.ts';
import { Matrix } from '../../linalg/matrix.ts';
import { cholesky, choleskySolve } from '../../linalg/decomp/cholesky.ts';
import { solve } from '../../linalg/decomp/solve.ts';
import { gemv, gram } from '../../linalg/ops.ts';
import { createLoss, SquaredLoss } from '../loss/index.ts';
import type { Penalty, SparseTaskMatrix, TaskStructure } from '../penalty/types.ts';
import type { Problem, SolverHooks } from '../types.ts';
import { progressTicker } from './hooks.ts';
import { getColumn, setColumn } from '../loss/columns.ts';
import { getLoss } from '../loss/registry.ts';
import { fullObjective, type LinearSolution } from './composite.ts';
import { perTask } from '../task-cache.ts';

export interface DirectOptions {
  readonly tol: number;
  readonly maxIter: number;
  readonly requireConvergence?: boolean;
  readonly hooks?: SolverHooks;
  /** Start of PCG (warm start, e.g. the previous W-step of an alternating scheme); default 0. */
  readonly x0?: Matrix;
}

/** Sum of the penalties' task matrices (T × T). */
export function totalTaskMatrix(penalties: readonly Penalty[], T: number): Matrix {
  const M = Matrix.zeros(T, T);
  for (const p of penalties) {
    if (!p.taskMatrix) throw new OptionError('solver', `"direct" needs quadratic penalties; "${p.name}" is not (use solver "fista")`);
    const Mk = p.taskMatrix(T);
    for (let i = 0; i < M.data.length; i++) M.data[i]! += Mk.data[i]!;
  }
  return M;
}

/** The summed taskStructure of the penalties, or null when one of them has none (a dense M). */
export function totalTaskStructure(penalties: readonly Penalty[], T: number): TaskStructure | null {
  if (!penalties.every((p) => p.taskStructure)) return null;
  const diag = new Float64Array(T);
  let offDiagonal = 0;
  for (const p of penalties) {
    const s = p.taskStructure!(T);
    for (let t = 0; t < T; t++) diag[t]! += s.diag[t]!;
    offDiagonal += s.offDiagonal;
  }
  return { diag, offDiagonal };
}

/** The summed sparse form of the penalties' task matrices, or null when one of them has none. */
export function totalSparseTaskMatrix(penalties: readonly Penalty[], T: number): SparseTaskMatrix | null {
  if (!penalties.every((p) => p.sparseTaskMatrix)) return null;
  const parts = penalties.map((p) => p.sparseTaskMatrix!(T));
  const diag = new Float64Array(T);
  for (const q of parts) for (let t = 0; t < T; t++) diag[t]! += q.diag[t]!;
  const n = parts.reduce((a, q) => a + q.value.length, 0);
  const row = new Int32Array(n);
  const col = new Int32Array(n);
  const value = new Float64Array(n);
  let o = 0;
  for (const q of parts) {
    row.set(q.row, o);
    col.set(q.col, o);
    value.set(q.value, o);
    o += q.value.length;
  }
  return { diag, row, col, value };
}

/** out += alpha · W M for a sparse M: O(d·(T + entries)) instead of the dense O(d·T²). */
function addWMSparse(W: Matrix, S: SparseTaskMatrix, out: Matrix, alpha: number): void {
  const d = W.rows;
  const T = W.cols;
  const w = W.data;
  const o = out.data;
  for (let j = 0; j < d; j++) {
    const r = j * T;
    for (let t = 0; t < T; t++) o[r + t]! += alpha * S.diag[t]! * w[r + t]!;
  }
  for (let k = 0; k < S.value.length; k++) {
    // (W M)_{j,col} += W_{j,row} · M_{row,col}
    const f = alpha * S.value[k]!;
    const src = S.row[k]!;
    const dst = S.col[k]!;
    for (let j = 0; j < d; j++) o[j * T + dst]! += f * w[j * T + src]!;
  }
}

/** out += alpha · W M for a structured M: (W M)_:,t = c Σ_s w_s + (M_tt − c) w_t, O(T·d). */
function addWMStructured(W: Matrix, S: TaskStructure, out: Matrix, alpha: number): void {
  const d = W.rows;
  const T = W.cols;
  const c = S.offDiagonal;
  for (let j = 0; j < d; j++) {
    const row = j * T;
    let sum = 0;
    for (let t = 0; t < T; t++) sum += W.data[row + t]!;
    for (let t = 0; t < T; t++) out.data[row + t]! += alpha * (c * sum + (S.diag[t]! - c) * W.data[row + t]!);
  }
}

/** Y = W M (d × T) added into out with factor alpha. */
function addWM(W: Matrix, M: Matrix, out: Matrix, alpha: number): void {
  const d = W.rows;
  const T = W.cols;
  for (let s = 0; s < T; s++) {
    for (let t = 0; t < T; t++) {
      const m = M.data[s * T + t]!;
      if (m === 0) continue;
      const f = alpha * m;
      for (let j = 0; j < d; j++) out.data[j * T + t]! += f * W.data[j * T + s]!;
    }
  }
}

export function solveDirect(problem: Problem, penalties: readonly Penalty[], opts: DirectOptions): LinearSolution {
  const started = performance.now();
  if (!getLoss(problem.loss).quadratic) throw new OptionError('solver', `"direct" needs the squared loss (the loss is "${problem.loss}"; use solver "fista")`);
  // The factorisations are not interruptible; a signal that has already fired stops before them.
  progressTicker(opts.hooks, 'direct');
  const loss = createLoss(problem) as SquaredLoss;
  const d = problem.d;
  const T = problem.tasks.length;
  const structure = totalTaskStructure(penalties, T);
  // Graph Laplacians (chain, graph) and ridges stay sparse (issue 15); only a penalty without a sparse
  // form (relation's (I − R)(I − R)ᵀ) forms the dense T × T matrix.
  const sparse = structure ? null : totalSparseTaskMatrix(penalties, T);
  const M = structure || sparse ? null : totalTaskMatrix(penalties, T);
  const sys = Array.from({ length: T }, (_, t) => loss.normalEquations(t));

  // A(W) = [c_t H_t w_t] + 2 W M
  const applyA = (W: Matrix): Matrix => {
    const out = Matrix.zeros(d, T);
    const w = new Float64Array(d);
    const g = new Float64Array(d);
    for (let t = 0; t < T; t++) {
      gemv(sys[t]!.H, getColumn(W, t, w), { out: g });
      setColumn(out, t, g, sys[t]!.c);
    }
    if (structure) addWMStructured(W, structure, out, 2);
    else if (sparse) addWMSparse(W, sparse, out, 2);
    else addWM(W, M!, out, 2);
    return out;
  };
  const B = Matrix.zeros(d, T);
  for (let t = 0; t < T; t++) setColumn(B, t, sys[t]!.h, sys[t]!.c);

  const applyPinv = structure ? woodburyPreconditioner(problem, sys, structure, d, T) : makePreconditioner(sys, sparse ? sparseView(sparse) : denseView(M!), d, T);
  const dotM = (a: Matrix, b: Matrix): number => {
    let s = 0;
    for (let i = 0; i < a.data.length; i++) s += a.data[i]! * b.data[i]!;
    return s;
  };

  const bNorm = Math.sqrt(dotM(B, B));
  const scale = Math.max(bNorm, 1e-300); // ‖∇F(0)‖ = ‖B‖
  // Exact solve: iterate to the rounding level, or the caller's tol when tighter.
  const tol = Math.min(opts.tol, 1e-10);
  const warm = opts.x0 && opts.x0.rows === d && opts.x0.cols === T ? opts.x0 : undefined;
  const W = warm ? warm.clone() : Matrix.zeros(d, T);
  let R = B.clone(); // R = B − A W
  if (warm) {
    const AW0 = applyA(W);
    for (let i = 0; i < R.data.length; i++) R.data[i]! -= AW0.data[i]!;
  }
  let Z = applyPinv(R);
  let Pd = Z.clone();
  let rz = dotM(R, Z);
  let optimality = Math.sqrt(dotM(R, R)) / scale;
  let iterations = 0;
  const trace: number[] = [];
  const maxIter = Math.min(opts.maxIter, 10 * d * T + 10);
  const tick = progressTicker(opts.hooks, 'direct (PCG)');
  while (optimality > tol && iterations < maxIter) {
    iterations++;
    tick(iterations, optimality);
    const AP = applyA(Pd);
    const pap = dotM(Pd, AP);
    if (!(pap > 0)) break; // direction of zero curvature: the residual is already in the null space
    const alpha = rz / pap;
    for (let i = 0; i < W.data.length; i++) {
      W.data[i]! += alpha * Pd.data[i]!;
      R.data[i]! -= alpha * AP.data[i]!;
    }
    // Recompute the true residual now and then so that rounding does not drift.
    if (iterations % 50 === 0) {
      const AW = applyA(W);
      R = B.clone();
      for (let i = 0; i < R.data.length; i++) R.data[i]! -= AW.data[i]!;
    }
    optimality = Math.sqrt(dotM(R, R)) / scale;
    Z = applyPinv(R);
    const rzNew = dotM(R, Z);
    const beta = rzNew / rz;
    rz = rzNew;
    for (let i = 0; i < Pd.data.length; i++) Pd.data[i] = Z.data[i]! + beta * Pd.data[i]!;
  }
  // Final optimality from the true residual (the gradient of the objective at W, relative to ‖∇F(0)‖).
  const AW = applyA(W);
  let r2 = 0;
  for (let i = 0; i < AW.data.length; i++) r2 += (B.data[i]! - AW.data[i]!) ** 2;
  optimality = Math.sqrt(r2) / scale;
  if (!W.data.every(Number.isFinite)) throw new NumericError('direct: the solution has non-finite entries');
  const objective = fullObjective(loss, penalties, W);
  trace.push(objective);
  const converged = optimality <= opts.tol;
  const message = converged
    ? `solved: PCG reached relative gradient norm ${optimality.toExponential(2)} in ${iterations} iterations`
    : `NOT converged: PCG stopped at relative gradient norm ${optimality.toExponential(2)} > tol ${opts.tol} after ${iterations} iterations (the system may be singular: add a ridge term)`;
  if (!converged && opts.requireConvergence) throw new ConvergenceError(`direct: ${message}`);
  return {
    W,
    intercepts: loss.intercepts(W),
    info: { solver: 'direct', iterations, converged, optimality, objective, objectiveTrace: trace, seconds: (performance.now() - started) / 1000, message },
    lipschitz: NaN,
  };
}

type NormalEq = { H: Matrix; h: Float64Array; c: number };

/**
 * (L Lᵀ)⁻¹ from the Cholesky factor L (d × d): L⁻¹ by forward substitution (d³/3 flops), then
 * L⁻ᵀL⁻¹ by the backend's Gram kernel (exactly symmetric). Issue 15: choleskySolve(L, I) is 2d³ scalar
 * flops and, once per task in the block preconditioners, was ~70 % of a chain/graph/stl fit at T = 10 000.
 */
export function spdInverseFromFactor(L: Matrix): Matrix {
  const n = L.rows;
  const l = L.data;
  const Li = Matrix.zeros(n, n);
  const x = Li.data;
  for (let j = 0; j < n; j++) {
    x[j * n + j] = 1 / l[j * n + j]!;
    for (let i = j + 1; i < n; i++) {
      let acc = 0;
      for (let k = j; k < i; k++) acc += l[i * n + k]! * x[k * n + j]!;
      x[i * n + j] = -acc / l[i * n + i]!;
    }
  }
  return gram(Li);
}

/** What the preconditioners read of M: its diagonal, whether it is tridiagonal, and then M_t,t+1. */
interface TaskMatrixView {
  readonly diag: (t: number) => number;
  readonly tridiagonal: boolean;
  readonly superDiag: (t: number) => number;
}

function denseView(M: Matrix): TaskMatrixView {
  const T = M.rows;
  let tridiagonal = true;
  for (let s = 0; s < T && tridiagonal; s++) for (let t = 0; t < T; t++) if (Math.abs(s - t) > 1 && M.data[s * T + t] !== 0) {
    tridiagonal = false;
    break;
  }
  return { diag: (t) => M.data[t * T + t]!, tridiagonal, superDiag: (t) => M.data[t * T + t + 1]! };
}

function sparseView(S: SparseTaskMatrix): TaskMatrixView {
  const T = S.diag.length;
  const sup = new Float64Array(Math.max(0, T - 1));
  let tridiagonal = true;
  for (let k = 0; k < S.value.length; k++) {
    const r = S.row[k]!;
    const c = S.col[k]!;
    if (S.value[k] === 0) continue;
    if (Math.abs(r - c) > 1) tridiagonal = false;
    else if (c === r + 1) sup[r]! += S.value[k]!;
  }
  return { diag: (t) => S.diag[t]!, tridiagonal, superDiag: (t) => sup[t]! };
}

/** c_t H_t + 2 M_tt I */
function diagonalBlock(sys: NormalEq, Mtt: number, d: number): Matrix {
  const P = sys.H.clone();
  for (let i = 0; i < P.data.length; i++) P.data[i]! *= sys.c;
  for (let j = 0; j < d; j++) P.data[j * d + j]! += 2 * Mtt;
  return P;
}

function choleskyWithJitter(P: Matrix): Matrix {
  try {
    return cholesky(P);
  } catch {
    // Singular block (n_t < d and no ridge): a tiny relative jitter keeps the preconditioner usable;
    // PCG still solves the original system.
    const d = P.rows;
    let tr = 0;
    for (let j = 0; j < d; j++) tr += P.data[j * d + j]!;
    const Q = P.clone();
    for (let j = 0; j < d; j++) Q.data[j * d + j]! += Math.max(tr / d, 1) * 1e-10;
    return cholesky(Q);
  }
}

function makePreconditioner(sys: readonly NormalEq[], M: TaskMatrixView, d: number, T: number): (R: Matrix) => Matrix {
  if (T > 1 && M.tridiagonal) {
    const bt = blockThomas(sys, M, d, T);
    if (bt) return bt;
  }
  const factors = sys.map((s, t) => choleskyWithJitter(diagonalBlock(s, M.diag(t), d)));
  return (R: Matrix): Matrix => {
    const Rt = R.transpose(); // T × d: row t is task t's residual
    const Zt = Matrix.zeros(T, d);
    for (let t = 0; t < T; t++) Zt.row(t).set(choleskySolve(factors[t]!, new Matrix(d, 1, Rt.row(t).slice())).data);
    return Zt.transpose();
  };
}

/**
 * Exact inverse of blockdiag(P_t) + 2c·UUᵀ, U = 1 ⊗ I_d (a structured M, totalTaskStructure), by
 * Sherman–Morrison–Woodbury: with x the solution of A x = r and z = 2c Uᵀx (a d-vector),
 *   P x = r − U z   and   (I + 2c Σ_t P_t⁻¹) z = 2c Σ_t P_t⁻¹ r_t,
 * so one solve with the d × d capacitance matrix and two block-diagonal solves per application.
 * c = 0 (ridge alone) is plain block Jacobi, exact too. When the capacitance system is singular to
 * working precision (it is not for a positive definite system) the preconditioner falls back to
 * block Jacobi and PCG iterates as before.
 */
function woodburyPreconditioner(problem: Problem, sys: readonly NormalEq[], S: TaskStructure, d: number, T: number): (R: Matrix) => Matrix {
  const c = S.offDiagonal;
  const eye = Matrix.identity(d);
  // P_t⁻¹ explicitly (d × d, symmetric): applying it is one small product per task and no
  // allocation; a task shared across fits (task-cache.ts) keeps it for the same block.
  const inv = sys.map((s, t) => {
    const shift = S.diag[t]! - c;
    return perTask(problem.tasks[t]!, `direct-inv|${problem.intercept}|${problem.scale}|${s.c}|${shift}`, () => spdInverseFromFactor(choleskyWithJitter(diagonalBlock(s, shift, d))).data);
  });
  const blockSolve = (R: Matrix, out: Matrix): Matrix => {
    const r = R.data;
    const o = out.data;
    const v = new Float64Array(d);
    for (let t = 0; t < T; t++) {
      for (let j = 0; j < d; j++) v[j] = r[j * T + t]!;
      const A = inv[t]!;
      for (let i = 0; i < d; i++) {
        let acc = 0;
        for (let j = 0; j < d; j++) acc += A[i * d + j]! * v[j]!;
        o[i * T + t] = acc;
      }
    }
    return out;
  };
  if (c === 0) return (R) => blockSolve(R, Matrix.zeros(d, T));
  // Capacitance I + 2c Σ_t P_t⁻¹ (d × d), formed once.
  const cap = Matrix.identity(d);
  for (let t = 0; t < T; t++) for (let k = 0; k < d * d; k++) cap.data[k]! += 2 * c * inv[t]![k]!;
  try {
    solve(cap, eye); // checks that the capacitance is non-singular to working precision
  } catch {
    return (R) => blockSolve(R, Matrix.zeros(d, T));
  }
  return (R: Matrix): Matrix => {
    const Y = blockSolve(R, Matrix.zeros(d, T)); // P⁻¹ r
    const rhs = new Matrix(d, 1, new Float64Array(d));
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let t = 0; t < T; t++) s += Y.data[j * T + t]!;
      rhs.data[j] = 2 * c * s;
    }
    const z = solve(cap, rhs).data;
    const Rz = R.clone();
    for (let j = 0; j < d; j++) for (let t = 0; t < T; t++) Rz.data[j * T + t]! -= z[j]!;
    return blockSolve(Rz, Y);
  };
}

/**
 * Exact inverse of the block-tridiagonal system (diagonal blocks A_t = c_t H_t + 2M_tt I,
 * off-diagonal blocks β_t I with β_t = 2M_t,t+1) by block LU: S_0 = A_0,
 * S_t = A_t − β_{t−1}² S_{t−1}⁻¹; forward z_t = r_t − β_{t−1} S_{t−1}⁻¹ z_{t−1};
 * back x_t = S_t⁻¹ (z_t − β_t x_{t+1}). Returns null when a Schur complement cannot be factored
 * even with jitter, so that the caller falls back to block Jacobi.
 */
function blockThomas(sys: readonly NormalEq[], M: TaskMatrixView, d: number, T: number): ((R: Matrix) => Matrix) | null {
  const beta = Float64Array.from({ length: T - 1 }, (_, t) => 2 * M.superDiag(t));
  const factors: Matrix[] = [];
  let Sinv: Matrix | null = null;
  try {
    for (let t = 0; t < T; t++) {
      const S = diagonalBlock(sys[t]!, M.diag(t), d);
      if (Sinv) {
        const b2 = beta[t - 1]! ** 2;
        for (let i = 0; i < S.data.length; i++) S.data[i]! -= b2 * Sinv.data[i]!;
      }
      // A singular Schur complement (a direction the data never see, e.g. features constant
      // within every task, and no ridge) gets the same tiny jitter as in block Jacobi.
      const L = choleskyWithJitter(S);
      factors.push(L);
      Sinv = spdInverseFromFactor(L);
    }
  } catch {
    return null;
  }
  const solve = (t: number, v: Float64Array): Float64Array => choleskySolve(factors[t]!, new Matrix(d, 1, v)).data;
  return (R: Matrix): Matrix => {
    const Rt = R.transpose();
    const z: Float64Array[] = [];
    for (let t = 0; t < T; t++) {
      const zt = Rt.row(t).slice();
      if (t > 0) {
        const prev = solve(t - 1, z[t - 1]!.slice());
        for (let j = 0; j < d; j++) zt[j]! -= beta[t - 1]! * prev[j]!;
      }
      z.push(zt);
    }
    const Xt = Matrix.zeros(T, d);
    for (let t = T - 1; t >= 0; t--) {
      const rhs = z[t]!.slice();
      if (t < T - 1) {
        const next = Xt.row(t + 1);
        for (let j = 0; j < d; j++) rhs[j]! -= beta[t]! * next[j]!;
      }
      Xt.row(t).set(solve(t, rhs));
    }
    return Xt.transpose();
  };
}
