// Proximal Newton for the logistic loss with a row penalty (lasso or L21), with or without
// intercepts, as glmnet / newGLMNET do it (Friedman, Hastie & Tibshirani, J. Stat. Softw. 33(1),
// 2010, §3; Yuan, Ho & Lin, "An improved GLMNET for L1-regularized logistic regression", JMLR 13,
// 2012, Alg. 3; convergence with line search: Lee, Sun & Saunders, SIAM J. Optim. 24(3), 2014):
//   1. at (W, b) build the quadratic model of the loss: per task the weighted Gram
//      X_tᵀD_tX_t, D_t = diag(c_t s_ti σ(z_ti)σ(−z_ti)), and the gradient;
//   2. eliminate the unpenalised intercept exactly from the model (Schur complement:
//      Ĥ_t = XᵀDX − (XᵀD1)(1ᵀDX)/(1ᵀD1), ĝ_t = g_w − (XᵀD1) g_b/(1ᵀD1)) and solve it by cyclic BCD
//      over the rows of W (./newton-step.ts; one native call, native/newton_step.cc, where the addon
//      has it), warm-started at W and inexactly: its tolerance follows the outer optimality, an
//      inexact Newton forcing term;
//   3. line search along d = (W⁺ − W, Δb) (Δb the model's optimal intercept step) with the
//      Armijo rule of Tseng & Yun (2009): F(x + αd) ≤ F(x) + σα(∇fᵀd + Ω(W + d_W) − Ω(W)).
// The certificate is the relative minimum-norm subgradient of F over ALL of (W, b), the same
// scale-free measure as FISTA's (docs/solvers.md), so 'fista' and 'newton' stop at the same meaning.
import { ConvergenceError, NumericError } from '../../errors.ts';
import { kernels } from '../../linalg/backend.ts';
import { LOGISTIC_CHUNK } from '../../linalg/kernels/reference.ts';
import { Matrix } from '../../linalg/matrix.ts';
import { createLoss } from '../loss/index.ts';
import { taskScale } from '../problem.ts';
import type { Kernels } from '../../linalg/kernels/types.ts';
import type { FitInfo, Problem, SolverHooks, WarmStart } from '../types.ts';
import { progressTicker } from './hooks.ts';
import { bcd, type RowPenaltyKind } from './bcd.ts';
import type { GramProblem } from './gram-form.ts';
import { proxNewtonStepTs } from './newton-step.ts';
import type { LinearSolution } from './composite.ts';

export interface ProxNewtonOptions {
  readonly penalty: RowPenaltyKind;
  readonly lambda: number;
  readonly ridge?: number;
  readonly tol: number;
  /** Cap on Newton (outer) iterations. */
  readonly maxIter: number;
  readonly requireConvergence?: boolean;
  readonly solverName?: string;
  readonly hooks?: SolverHooks;
}

const TINY = 1e-300;
const SIGMA = 1e-3;
/** Plain cyclic BCD passes of one inner solve (./newton-step.ts) before the working-set BCD takes over. */
const PLAIN_PASSES = 100;

function penaltyValue(kind: RowPenaltyKind, lambda: number, W: Matrix): number {
  let v = 0;
  const T = W.cols;
  if (kind === 'lasso') for (const x of W.data) v += Math.abs(x);
  else {
    for (let j = 0; j < W.rows; j++) {
      let s = 0;
      for (let t = 0; t < T; t++) s += W.data[j * T + t]! ** 2;
      v += Math.sqrt(s);
    }
  }
  return lambda * v;
}

/** ‖minimum-norm subgradient of F‖ over (W, b), for gradient G of the smooth part (loss + ridge) and g_b. */
export function minNormSubgradient(kind: RowPenaltyKind, lambda: number, W: Matrix, G: Matrix, gb: Float64Array | null): number {
  const T = W.cols;
  let s = 0;
  for (let j = 0; j < W.rows; j++) {
    const o = j * T;
    if (kind === 'lasso') {
      for (let t = 0; t < T; t++) {
        const w = W.data[o + t]!;
        const g = G.data[o + t]!;
        s += (w !== 0 ? g + lambda * Math.sign(w) : Math.max(0, Math.abs(g) - lambda)) ** 2;
      }
      continue;
    }
    let nw = 0;
    let ng = 0;
    for (let t = 0; t < T; t++) {
      nw += W.data[o + t]! ** 2;
      ng += G.data[o + t]! ** 2;
    }
    if (nw === 0) s += Math.max(0, Math.sqrt(ng) - lambda) ** 2;
    else {
      nw = Math.sqrt(nw);
      for (let t = 0; t < T; t++) s += (G.data[o + t]! + (lambda * W.data[o + t]!) / nw) ** 2;
    }
  }
  if (gb) for (const g of gb) s += g * g;
  return Math.sqrt(s);
}

/**
 * F's smooth part at one point and the pieces of its quadratic model (per task: XᵀDX, XᵀD1, 1ᵀD1). H and
 * sx are views of the flat Hf (T·d²) and sxf (T·d), so that the batched kernel fills them in one call.
 */
interface Point {
  value: number;
  readonly G: Matrix;
  readonly gb: Float64Array;
  readonly Hf: Float64Array;
  readonly sxf: Float64Array;
  readonly H: Float64Array[];
  readonly sx: Float64Array[];
  readonly S0: Float64Array;
  /** Per-task loss values (the batched kernel's output). */
  readonly f: Float64Array;
}

function newPoint(d: number, T: number): Point {
  const Hf = new Float64Array(T * d * d);
  const sxf = new Float64Array(T * d);
  return {
    value: 0, G: Matrix.zeros(d, T), gb: new Float64Array(T), Hf, sxf,
    H: Array.from({ length: T }, (_, t) => Hf.subarray(t * d * d, (t + 1) * d * d)),
    sx: Array.from({ length: T }, (_, t) => sxf.subarray(t * d, (t + 1) * d)),
    S0: new Float64Array(T), f: new Float64Array(T),
  };
}

/** The tasks stacked for the batched kernel: rows of X, labels, weights (or null) and row offsets. */
interface Stacked {
  readonly offsets: Int32Array;
  /** Row-major, or (packed) in packLogisticRows' layout. */
  readonly X: Float64Array;
  readonly packed: boolean;
  readonly y: Float64Array;
  readonly s: Float64Array | null;
  readonly c: Float64Array;
}

function stackTasks(problem: Problem, pack: Kernels['dpackLogisticRows']): Stacked {
  const packed = pack !== undefined;
  const { d } = problem;
  const T = problem.tasks.length;
  const offsets = new Int32Array(T + 1);
  for (let t = 0; t < T; t++) offsets[t + 1] = offsets[t]! + problem.tasks[t]!.X.rows;
  const n = offsets[T]!;
  const B = LOGISTIC_CHUNK;
  let chunks = 0;
  for (let t = 0; t < T; t++) chunks += Math.ceil(problem.tasks[t]!.X.rows / B);
  // Packed: each task's rows straight into its chunks (one packer call per task: no row-major copy).
  const X = new Float64Array(packed ? chunks * B * d : n * d);
  const y = new Float64Array(n);
  const anyWeights = problem.tasks.some((task) => task.weights !== undefined);
  const s = anyWeights ? new Float64Array(n).fill(1) : null;
  const c = new Float64Array(T);
  const one = new Int32Array(2);
  let chunk = 0;
  for (let t = 0; t < T; t++) {
    const task = problem.tasks[t]!;
    const rows = task.X.rows;
    if (pack) {
      one[1] = rows;
      const len = Math.ceil(rows / B) * B * d;
      pack(1, one, d, task.X.data, X.subarray(chunk * B * d, chunk * B * d + len));
      chunk += Math.ceil(rows / B);
    } else X.set(task.X.data.subarray(0, rows * d), offsets[t]! * d);
    y.set(task.y.subarray(0, rows), offsets[t]!);
    if (s && task.weights) s.set(task.weights.subarray(0, rows), offsets[t]!);
    c[t] = taskScale(problem, t);
  }
  return { offsets, X, packed, y, s, c };
}

/**
 * One task's logistic loss c Σ s_i log(1 + e^(−y_i z_i)), z = Xw + b, its gradient (into g, and the
 * returned object's gb), and its curvature D_i = c s_i σ(z_i)σ(−z_i): XᵀDX into M (full), XᵀD1 into sx,
 * 1ᵀD1. One pass over the rows (Newton's model and the line search's trial point are the same pass:
 * an accepted step's point is the next model's): z = Xw, Xᵀr and XᵀD1 are GEMVs of the backend's
 * kernels, the JS loop forms r_i, D_i and the rows √D_i x_i (scratch Xs), and XᵀDX = (√D X)ᵀ(√D X)
 * is one Gram call (native SIMD when loaded). Zv, Dv: n-long scratch.
 */
function evalTask(X: Float64Array, y: Float64Array, n: number, d: number, w: Float64Array, b: number, c: number, weights: Float64Array | undefined,
  Xs: Float64Array, Zv: Float64Array, Dv: Float64Array, g: Float64Array, M: Float64Array, sx: Float64Array, model: boolean): { value: number; gb: number; S0: number } {
  const k = kernels();
  k.dgemv(false, n, d, 1, X, d, w, 0, Zv);
  let value = 0;
  let gb = 0;
  let S0 = 0;
  for (let i = 0; i < n; i++) {
    const z = Zv[i]! + b;
    const s = weights ? weights[i]! : 1;
    // Stable: e = e^(−|z|), σ(z) from it, log(1 + e^(−yz)) = max(−yz, 0) + log1p(e).
    const e = Math.exp(-Math.abs(z));
    const p = z >= 0 ? 1 / (1 + e) : e / (1 + e);
    const yi = y[i]!;
    value += s * (Math.max(-yi * z, 0) + Math.log1p(e));
    const r = s * (yi > 0 ? p - 1 : p);
    Zv[i] = r;
    gb += r;
    if (!model) continue;
    const Di = s * p * (1 - p);
    Dv[i] = Di;
    S0 += Di;
    const q = Math.sqrt(c * Di);
    const o = i * d;
    for (let j = 0; j < d; j++) Xs[o + j] = q * X[o + j]!;
  }
  k.dgemv(true, n, d, c, X, d, Zv, 0, g);
  if (!model) return { value: c * value, gb: c * gb, S0: 0 };
  k.dgemv(true, n, d, c, X, d, Dv, 0, sx);
  k.dgram(n, d, 1, Xs, d, 0, M, d);
  for (let j = 0; j < d; j++) for (let q = 0; q < j; q++) M[j * d + q] = M[q * d + j]!;
  return { value: c * value, gb: c * gb, S0: c * S0 };
}

/**
 * The model of ./newton-step.ts (Ĥ in cur.H after its Schur step), finished from U by the working-set BCD
 * of ./bcd.ts: the Gram form ½uᵀĤ_tu − h_tᵀu with h_t = Ĥ_tw_t − ĝ_t, ĝ_t = g_t − sx_t g_b,t/s0_t (g_t the
 * loss part of G), ridge ρ, stopping at the model's minimum-norm subgradient ≤ tolAbs.
 */
function finishModel(cur: Point, W: Matrix, U: Matrix, withB: boolean, rho: number, tolAbs: number, g0: number, kind: RowPenaltyKind, lambda: number, signal?: AbortSignal): { U: Matrix; passes: number } {
  const d = W.rows;
  const T = W.cols;
  const h = new Float64Array(T * d);
  for (let t = 0; t < T; t++) {
    const M = cur.H[t]!;
    const S0 = cur.S0[t]!;
    const sx = cur.sx[t]!;
    for (let j = 0; j < d; j++) {
      let v = -(cur.G.data[j * T + t]! - 2 * rho * W.data[j * T + t]!);
      if (withB && S0 > 0) v += (sx[j]! * cur.gb[t]!) / S0;
      for (let k = 0; k < d; k++) v += M[j * d + k]! * W.data[k * T + t]!;
      h[t * d + j] = v;
    }
  }
  const gp: GramProblem = {
    d, T, H: cur.H, h, c: new Float64Array(T).fill(1), yy: new Float64Array(T), ridge: rho, chain: 0, shared: false,
    intercepts: () => new Float64Array(T),
  };
  const r = bcd(gp, { penalty: kind, lambda, W0: U, certificate: 'subgradient', scale: g0, tol: tolAbs / g0, maxIter: 10000, ...(signal ? { hooks: { signal } } : {}) });
  return { U: r.W, passes: r.info.iterations };
}

/** Δb_t = −(g_b,t + sx_tᵀ(u_t − w_t))/s0_t (0 without intercepts or with s0_t ≤ 0), as ./newton-step.ts. */
function interceptStep(cur: Point, W: Matrix, U: Matrix, withB: boolean, db: Float64Array): void {
  const d = W.rows;
  const T = W.cols;
  for (let t = 0; t < T; t++) {
    const S0 = cur.S0[t]!;
    if (!withB || !(S0 > 0)) {
      db[t] = 0;
      continue;
    }
    let v = cur.gb[t]!;
    for (let j = 0; j < d; j++) v += cur.sx[t]![j]! * (U.data[j * T + t]! - W.data[j * T + t]!);
    db[t] = -v / S0;
  }
}

export function proxNewtonLogistic(problem: Problem, opts: ProxNewtonOptions, warm?: WarmStart): LinearSolution {
  const started = performance.now();
  if (problem.loss !== 'logistic') throw new Error(`proxNewtonLogistic: needs the logistic loss, got "${problem.loss}"`);
  const solver = opts.solverName ?? 'newton';
  const { d } = problem;
  const T = problem.tasks.length;
  const rho = opts.ridge ?? 0;
  const { penalty: kind, lambda, tol, maxIter } = opts;
  const loss = createLoss(problem);
  const withB = loss.explicitIntercept;
  let W = warm?.W && warm.W.rows === d && warm.W.cols === T ? warm.W.clone() : Matrix.zeros(d, T);
  let b = withB ? (warm?.intercepts && warm.intercepts.length === T ? Float64Array.from(warm.intercepts) : new Float64Array(T)) : new Float64Array(T);

  // The per-point pass: one call of the backend's batched kernel for all tasks where it has one (native:
  // native/logistic_model.cc, each row read once; ts: its reference), else per task with GEMV/Gram
  // calls (wasm). Both fill the same Point.
  const batchedPass = kernels().dlogisticModelBatched;
  // The native pass reads X packed (transposed 64-row chunks, built once here by the addon's packer:
  // addons that have it know the layout).
  const stacked = batchedPass ? stackTasks(problem, kernels().dpackLogisticRows) : null;
  const nMax = stacked ? 0 : problem.tasks.reduce((m, task) => Math.max(m, task.X.rows), 0);
  const Xs = new Float64Array(nMax * d);
  const Zv = new Float64Array(nMax);
  const Dv = new Float64Array(nMax);
  const w = new Float64Array(d);
  const gt = new Float64Array(d);
  const bZero = new Float64Array(T);
  /** Fills `out` at (Wx, bx): the smooth part (loss + ridge), its gradient and (model) the model's pieces. */
  const evalAt = (Wx: Matrix, bx: Float64Array, out: Point, model = true): Point => {
    let value = 0;
    if (batchedPass && stacked) {
      batchedPass(T, stacked.offsets, d, stacked.X, stacked.y, stacked.s, Wx.data, withB ? bx : bZero, stacked.c, model,
        out.G.data, out.gb, out.Hf, out.sxf, out.S0, out.f, stacked.packed);
      for (let t = 0; t < T; t++) {
        value += out.f[t]!;
        if (!withB) out.gb[t] = 0;
        if (!model) out.S0[t] = 0;
      }
    } else {
      for (let t = 0; t < T; t++) {
        const task = problem.tasks[t]!;
        for (let j = 0; j < d; j++) w[j] = Wx.data[j * T + t]!;
        const r = evalTask(task.X.data, task.y, task.X.rows, d, w, withB ? bx[t]! : 0, taskScale(problem, t), task.weights, Xs, Zv, Dv, gt, out.H[t]!, out.sx[t]!, model);
        value += r.value;
        for (let j = 0; j < d; j++) out.G.data[j * T + t] = gt[j]!;
        out.gb[t] = withB ? r.gb : 0;
        out.S0[t] = r.S0;
      }
    }
    if (rho > 0) {
      for (let i = 0; i < Wx.data.length; i++) {
        value += rho * Wx.data[i]! ** 2;
        out.G.data[i]! += 2 * rho * Wx.data[i]!;
      }
    }
    out.value = value;
    return out;
  };
  let cur = newPoint(d, T);
  let spare = newPoint(d, T);
  evalAt(W, b, cur);
  // The gradient at 0 (the certificate's scale; no curvature): the starting point's own when the fit
  // starts there (no warm start), saving a pass.
  const atZero = W.data.every((v) => v === 0) && b.every((v) => v === 0);
  const zero = atZero ? cur : evalAt(Matrix.zeros(d, T), new Float64Array(T), spare, false);
  let g0 = 0;
  for (const v of zero.G.data) g0 += v * v;
  if (withB) for (const v of zero.gb) g0 += v * v;
  g0 = Math.max(Math.sqrt(g0), TINY);
  let F = cur.value + penaltyValue(kind, lambda, W);
  if (!Number.isFinite(F)) throw new NumericError(`${solver}: objective is not finite at the starting point`);
  let optimality = minNormSubgradient(kind, lambda, W, cur.G, withB ? cur.gb : null) / g0;
  const trace = [F];
  let iterations = 0;
  let passes = 0;
  let converged = optimality <= tol;
  let message = '';

  const tick = progressTicker(opts.hooks, solver, 1);
  const step = kernels().proxNewtonStep ?? proxNewtonStepTs;
  const stepOut = new Float64Array(2);
  while (!converged && iterations < maxIter) {
    iterations++;
    tick(iterations, optimality);
    // 1–2. The quadratic model with the intercepts eliminated, solved inexactly by BCD over the rows
    // (./newton-step.ts; native/newton_step.cc where the addon has it): U, and the intercept step db.
    // The inner tolerance follows the outer optimality (an inexact Newton forcing term). cur.Hf is
    // overwritten by the Schur-reduced model.
    let U = Matrix.zeros(d, T);
    const db = new Float64Array(T);
    const innerTol = Math.max(0.1 * tol, Math.min(0.1, 0.01 * optimality));
    step(kind === 'lasso' ? 0 : 1, d, T, cur.Hf, cur.sxf, cur.S0, cur.G.data, cur.gb, withB, rho, lambda, W.data, U.data, db, innerTol * g0, PLAIN_PASSES, stepOut);
    passes += stepOut[0]!;
    if (stepOut[1]! > innerTol * g0) {
      // Not there after PLAIN_PASSES plain sweeps (strongly correlated or duplicated features, where
      // cyclic BCD crawls): the working-set BCD of ./bcd.ts with Anderson extrapolation and MM steps
      // on the support finishes the same model from U (cur.Hf holds Ĥ now). It runs in TypeScript on
      // every backend, so native and TypeScript fits still take the same iterates.
      const inner = finishModel(cur, W, U, withB, rho, innerTol * g0, g0, kind, lambda, opts.hooks?.signal);
      passes += inner.passes;
      U = inner.U;
      interceptStep(cur, W, U, withB, db);
    }
    const dW = U.clone();
    for (let i = 0; i < dW.data.length; i++) dW.data[i]! -= W.data[i]!;
    // 3. Armijo line search (Tseng & Yun 2009, eq. (9)).
    let slope = penaltyValue(kind, lambda, U) - penaltyValue(kind, lambda, W);
    for (let i = 0; i < dW.data.length; i++) slope += cur.G.data[i]! * dW.data[i]!;
    if (withB) for (let t = 0; t < T; t++) slope += cur.gb[t]! * db[t]!;
    const floor = 1e-15 * Math.max(Math.abs(F), TINY);
    let accepted = false;
    if (slope > -floor) {
      // At the rounding level of F the Armijo test cannot resolve a decrease; take the full step
      // when it lowers the optimality measure (the certificate), as a Newton method should there.
      const Wn = U.clone();
      const bn = Float64Array.from(b, (v, t) => v + db[t]!);
      const next = evalAt(Wn, bn, spare);
      const opt = minNormSubgradient(kind, lambda, Wn, next.G, withB ? next.gb : null) / g0;
      if (opt < optimality && Number.isFinite(next.value)) {
        W = Wn;
        b = bn;
        spare = cur;
        cur = next;
        F = next.value + penaltyValue(kind, lambda, Wn);
        accepted = true;
      } else {
        message = `the Newton step no longer improves the optimality at the rounding level of the objective (slope ${slope.toExponential(2)})`;
        break;
      }
    }
    let alpha = 1;
    for (let ls = 0; ls < 50 && !accepted; ls++) {
      const Wn = W.clone();
      for (let i = 0; i < Wn.data.length; i++) Wn.data[i]! += alpha * dW.data[i]!;
      const bn = Float64Array.from(b, (v, t) => v + alpha * db[t]!);
      const next = evalAt(Wn, bn, spare);
      const Fn = next.value + penaltyValue(kind, lambda, Wn);
      if (Fn <= F + SIGMA * alpha * slope) {
        W = Wn;
        b = bn;
        spare = cur;
        cur = next;
        F = Fn;
        accepted = true;
        break;
      }
      alpha *= 0.5;
    }
    if (!accepted) {
      message = 'the line search found no decrease: rounding floor reached';
      break;
    }
    trace.push(F);
    optimality = minNormSubgradient(kind, lambda, W, cur.G, withB ? cur.gb : null) / g0;
    converged = optimality <= tol;
  }
  const seconds = (performance.now() - started) / 1000;
  const tail = `${iterations} Newton iterations, ${passes} inner BCD passes`;
  message = converged
    ? `converged: relative optimality (minimum-norm subgradient) ${optimality.toExponential(2)} ≤ tol ${tol} (${tail})`
    : `NOT converged: ${message || `stopped at the iteration cap maxIter = ${maxIter} Newton iterations`} with relative optimality ${optimality.toExponential(2)} > tol ${tol} (${tail}); raise maxIter or loosen tol`;
  if (!converged && opts.requireConvergence) throw new ConvergenceError(`${solver}: ${message}`);
  const info: FitInfo = { solver, iterations, converged, optimality, objective: F, objectiveTrace: trace, seconds, message };
  return { W, intercepts: loss.intercepts(W, withB ? b : undefined), info, lipschitz: NaN };
}
