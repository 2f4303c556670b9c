// The seed's relation model: every task's weights are predicted from the other tasks' weights
// through a learned relation matrix R (T × T, zero diagonal):
//
//   min_{W, b, R}  L(W, b) + α·‖W − WR‖²_F + β·‖R‖²_F
//                  + chain·Σ_t ‖w_t − w_{t+1}‖²  (option `chain`, 0 = off) + ridge·‖W‖²_F
//   s.t. diag(R) = 0.
//
// The objective is bi-convex, not jointly convex (WR is bilinear): convex in W for fixed R and in R
// for fixed W. Alternating minimisation (solver/alternating.ts) therefore decreases it monotonically
// and converges to a block-stationary point, which may depend on the start; it is not a certificate
// of global optimality (docs/models/relation.md).
//  - W-step (R fixed): smooth convex, FISTA warm-started from the current W; the coupling term is
//    tr(W K Wᵀ) with K = lambda·(I − R)(I − R)ᵀ.
//  - R-step (W fixed): T ridge regressions in closed form (structure/relation-r-step.ts).
// Start: R = 0 (so the first W-step is ridge-like STL), or the warm start's R.
// --alpha = α, --beta = β (model files of formatVersion 1 stored them as lambda and lambda2).
import { Matrix } from '../../linalg/matrix.ts';
import { matmul } from '../../linalg/ops.ts';
import { createLoss } from '../loss/index.ts';
import type { DataLoss } from '../loss/types.ts';
import { chainPenalty } from '../penalty/laplacian.ts';
import { ridgePenalty } from '../penalty/ridge.ts';
import type { Penalty } from '../penalty/types.ts';
import { linearObjective } from '../solver/composite.ts';
import { fista, proxGradientResidual } from '../solver/fista.ts';
import type { AlternatingProblem, BlockStep } from '../solver/alternating.ts';
import { NumericError, OptionError } from '../../errors.ts';
import type { Problem, SolverHooks } from '../types.ts';
import { getLoss } from '../loss/registry.ts';
import { solveDirect } from '../solver/direct.ts';
import { andersonWeights } from '../solver/anderson.ts';
import { totalTaskMatrix } from '../solver/direct.ts';
import { lbfgs } from '../solver/lbfgs.ts';
import { cholesky, choleskySolve } from '../../linalg/decomp/cholesky.ts';
import type { FitInfo } from '../types.ts';
import { alternateModel, frobenius, linearModel, warmIntercepts, warmMatrix, weight, weightParam } from './common.ts';
import { relationPenaltyValue, relationRStep, relationTaskMatrix } from '../structure/relation-r-step.ts';
import { checkCubicInTasks } from '../structure/task-limit.ts';

export interface RelationWeights {
  readonly alpha: number;
  readonly beta: number;
  readonly chain: number;
  readonly ridge: number;
}

export interface RelationState {
  readonly W: Matrix;
  readonly b: Float64Array;
  readonly R: Matrix;
}

/** lambda·‖W(I − R)‖²_F as a smooth penalty for fixed R (taskMatrix K = lambda·(I − R)(I − R)ᵀ). */
export function relationCouplingPenalty(R: Matrix, alpha: number): Penalty {
  const { IR, K } = relationTaskMatrix(R);
  for (let i = 0; i < K.data.length; i++) K.data[i]! *= alpha;
  // ‖∇‖ Lipschitz constant 2·λ_max(K) ≤ 2·‖K‖_F.
  return {
    name: 'relation',
    lipschitz: 2 * frobenius(K),
    value(W: Matrix): number {
      const E = matmul(W, IR);
      let s = 0;
      for (const v of E.data) s += v * v;
      return alpha * s;
    },
    gradient(W: Matrix, G: Matrix): void {
      const g = matmul(W, K);
      for (let i = 0; i < g.data.length; i++) G.data[i]! += 2 * g.data[i]!;
    },
    taskMatrix: () => K.clone(),
  };
}

/** The smooth penalties of the W-step for fixed R. */
export function wStepPenalties(R: Matrix, w: RelationWeights): Penalty[] {
  const out = [relationCouplingPenalty(R, w.alpha)];
  if (w.chain > 0) out.push(chainPenalty(w.chain, R.rows));
  if (w.ridge > 0) out.push(ridgePenalty(w.ridge));
  return out;
}

export function relationObjective(loss: DataLoss, w: RelationWeights, s: RelationState): number {
  let v = loss.value(s.W, loss.explicitIntercept ? s.b : undefined) + relationPenaltyValue(s.W, s.R, w.alpha, w.beta);
  if (w.chain > 0) v += chainPenalty(w.chain, s.R.rows).value(s.W);
  if (w.ridge > 0) v += ridgePenalty(w.ridge).value(s.W);
  return v;
}

function blocks(loss: DataLoss, s: RelationState): Matrix[] {
  return loss.explicitIntercept ? [s.W, new Matrix(1, loss.T, Float64Array.from(s.b))] : [s.W];
}

/** W-block: relative gradient norm at (W, b) for the current R; R-block: distance from its closed form. */
export function relationOptimality(loss: DataLoss, w: RelationWeights, s: RelationState): { wResidual: number; rResidual: number } {
  const wResidual = proxGradientResidual(linearObjective(loss, wStepPenalties(s.R, w)), blocks(loss, s), 1);
  const fresh = relationRStep(s.W, w.alpha, w.beta);
  let d = 0;
  for (let i = 0; i < fresh.data.length; i++) d += (fresh.data[i]! - s.R.data[i]!) ** 2;
  return { wResidual, rResidual: Math.sqrt(d) / Math.max(frobenius(fresh), 1e-300) };
}

export function relationSteps(loss: DataLoss, w: RelationWeights, maxIter: number, hooks?: SolverHooks, problem?: Problem): BlockStep<RelationState>[] {
  // For a quadratic loss the W-step (R fixed) is a linear system: the direct solver (PCG with a
  // block preconditioner, solver/direct.ts) solves it to rounding in tens of steps, where FISTA on
  // raw School needed thousands of iterations per W-step (issue 10: 24 minutes). FISTA otherwise.
  const direct = problem !== undefined && getLoss(problem.loss).quadratic;
  const wStep: BlockStep<RelationState> = {
    name: direct ? 'W (direct)' : 'W (FISTA)',
    update(s, innerTol) {
      let next: RelationState;
      let iterations: number;
      let converged: boolean;
      if (direct) {
        const r = solveDirect(problem, wStepPenalties(s.R, w), { tol: innerTol, maxIter, x0: s.W, ...(hooks?.signal ? { hooks: { signal: hooks.signal } } : {}) });
        next = { W: r.W, b: s.b, R: s.R };
        iterations = r.info.iterations;
        converged = r.info.converged;
      } else {
        const r = fista(linearObjective(loss, wStepPenalties(s.R, w)), { x0: blocks(loss, s), tol: innerTol, maxIter, solverName: 'fista (relation W-step)', trace: false, ...(hooks?.signal ? { hooks: { signal: hooks.signal } } : {}) });
        next = { W: r.x[0]!, b: loss.explicitIntercept ? Float64Array.from(r.x[1]!.data) : s.b, R: s.R };
        iterations = r.info.iterations;
        converged = r.info.converged;
      }
      const better = relationObjective(loss, w, next) <= relationObjective(loss, w, s);
      return { state: better ? next : s, iterations, converged };
    },
  };
  const rStep: BlockStep<RelationState> = {
    name: 'R (closed form)',
    update: (s) => ({ state: { ...s, R: relationRStep(s.W, w.alpha, w.beta) }, iterations: 0, converged: true }),
  };
  // Alternating minimisation converges linearly and slowly on raw School (the objective still fell
  // by 3e-4 per outer iteration after 30 of them). Anderson extrapolation of the outer iterates
  // (W, R) every K iterations, kept only when it lowers the objective (the safeguard of skglm;
  // Bertrand & Massias, AISTATS 2021), accelerates it without giving up monotonicity.
  const K = 5;
  const hist: Float64Array[] = [];
  const extrapolate: BlockStep<RelationState> = {
    name: 'Anderson extrapolation (safeguarded)',
    update(s) {
      const nW = s.W.data.length;
      const x = new Float64Array(nW + s.R.data.length);
      x.set(s.W.data);
      x.set(s.R.data, nW);
      hist.push(x);
      if (hist.length < K + 1) return { state: s, iterations: 0, converged: true };
      const c = andersonWeights(hist);
      const xe = new Float64Array(x.length);
      if (c) c.forEach((ck, k) => {
        if (ck !== 0) for (let i = 0; i < xe.length; i++) xe[i]! += ck * hist[k]![i]!;
      });
      hist.length = 0;
      if (!c || !xe.every(Number.isFinite)) return { state: s, iterations: 0, converged: true };
      const cand: RelationState = { W: new Matrix(s.W.rows, s.W.cols, xe.slice(0, nW)), b: s.b, R: new Matrix(s.R.rows, s.R.cols, xe.slice(nW)) };
      const better = relationObjective(loss, w, cand) < relationObjective(loss, w, s);
      return { state: better ? cand : s, iterations: 0, converged: true };
    },
  };
  return [wStep, rStep, extrapolate];
}

/**
 * The relation objective with R minimised out: F(W, b) = min_R Φ(W, b, R) = Φ(W, b, R*(W)), where
 * R*(W) is the R-step's closed form (unique: β > 0 makes Φ strictly convex in R). By Danskin's
 * theorem F is differentiable with ∇F(W, b) = ∇_{W,b} Φ(W, b, R) at R = R*(W): the W-step gradient
 * L' + 2α·W(I − R*)(I − R*)ᵀ (+ chain, ridge). So ‖∇F‖ = 0 is exactly the first-order condition of
 * the joint problem (W-block gradient zero at R = R*(W), the R block optimal by construction), and
 * its relative norm is the W residual of relationOptimality with a zero R residual.
 *
 * Evaluated in O(d²T) instead of the R-step's O(T³) (School: d = 28 ≪ T = 139). With c = β/α,
 * A = WᵀW + cI and B = A⁻¹ (structure/relation-r-step.ts): column t of the R-step is a ridge
 * regression whose optimal value is 1/B_tt − c, so α‖W − WR*‖² + β‖R*‖² = α Σ_t (1/B_tt − c);
 * I − R* = B·D⁻¹ (D = diag B), so the coupling gradient is 2α·W B D⁻² B. By Woodbury with the d × d
 * matrix C = cI + WWᵀ: W B = C⁻¹W =: Z (push-through identity), B = (I − WᵀZ)/c, B_tt = (1 − w_tᵀz_t)/c,
 * and W B D⁻² B = (V − (VWᵀ)Z)/c with V = Z D⁻².
 * x packs W (d × T, row-major) and, when the loss has explicit intercepts, b (T).
 */
export function relationReduced(loss: DataLoss, w: RelationWeights): { f: (x: Float64Array, g: Float64Array) => number; lastR: () => Matrix; unpack: (x: Float64Array) => RelationState } {
  const { d, T } = loss;
  const nW = d * T;
  const c = w.beta / w.alpha;
  const extra: Penalty[] = [];
  if (w.chain > 0) extra.push(chainPenalty(w.chain, T));
  if (w.ridge > 0) extra.push(ridgePenalty(w.ridge));
  let lastW = Matrix.zeros(d, T);
  const unpack = (x: Float64Array): RelationState => {
    const W = new Matrix(d, T, x.slice(0, nW));
    return { W, b: loss.explicitIntercept ? x.slice(nW, nW + T) : new Float64Array(T), R: relationRStep(W, w.alpha, w.beta) };
  };
  const f = (x: Float64Array, g: Float64Array): number => {
    const W = new Matrix(d, T, x.slice(0, nW));
    lastW = W;
    const Wd = W.data;
    const b = loss.explicitIntercept ? x.slice(nW, nW + T) : undefined;
    const e = loss.evaluate(W, b);
    let value = e.value;
    for (const p of extra) {
      value += p.value(W);
      p.gradient!(W, e.G);
    }
    // C = cI + WWᵀ and Z = C⁻¹W.
    const C = matmul(W, W, { transB: true });
    for (let i = 0; i < d; i++) C.data[i * d + i]! += c;
    const Z = choleskySolve(cholesky(C), W);
    const Zd = Z.data;
    // B_tt, the penalty α Σ (1/B_tt − c), and V = Z D⁻².
    const V = new Matrix(d, T, new Float64Array(nW));
    let pen = 0;
    for (let t = 0; t < T; t++) {
      let q = 0;
      for (let i = 0; i < d; i++) q += Wd[i * T + t]! * Zd[i * T + t]!;
      const btt = (1 - q) / c;
      if (!(btt > 0)) throw new NumericError(`relation: the R-step became singular (B_tt = ${btt} for task ${t})`);
      pen += 1 / btt - c;
      const s = 1 / (btt * btt);
      for (let i = 0; i < d; i++) V.data[i * T + t] = Zd[i * T + t]! * s;
    }
    value += w.alpha * pen;
    // Coupling gradient 2α (V − (VWᵀ)Z)/c added to the loss gradient.
    const VWt = matmul(V, W, { transB: true });
    const VWtZ = matmul(VWt, Z);
    const G = e.G.data;
    const k = (2 * w.alpha) / c;
    for (let i = 0; i < nW; i++) G[i]! += k * (V.data[i]! - VWtZ.data[i]!);
    g.set(G);
    if (loss.explicitIntercept) g.set(e.gIntercept, nW);
    return value;
  };
  return { f, lastR: () => relationRStep(lastW, w.alpha, w.beta), unpack };
}

/**
 * Block-diagonal preconditioner of the reduced objective: per task t, P_t = H_t + 2·M_tt·I, with H_t
 * the loss Hessian of w_t (exact for the squared loss, a secant at the start otherwise; measured by
 * gradient differences, d + 1 loss evaluations) and M the W-step penalties' task matrix at the
 * current R (coupling α(I − R)(I − R)ᵀ, chain, ridge); the intercepts get their own curvature. The
 * task couplings off the diagonal of M are what the L-BFGS pairs learn.
 */
function relationPreconditioner(loss: DataLoss, w: RelationWeights, x0: Float64Array, lastR: () => Matrix): (v: Float64Array, out: Float64Array, it: number) => void {
  const { d, T } = loss;
  const nW = d * T;
  const eps = loss.spec.quadratic ? 1 : 1e-3;
  const W0 = new Matrix(d, T, x0.slice(0, nW));
  const b0 = loss.explicitIntercept ? x0.slice(nW, nW + T) : undefined;
  const base = loss.evaluate(W0, b0);
  const H = Array.from({ length: T }, () => new Float64Array(d * d));
  for (let j = 0; j < d; j++) {
    const Wj = W0.clone();
    for (let t = 0; t < T; t++) Wj.data[j * T + t]! += eps;
    const G = loss.evaluate(Wj, b0).G;
    for (let t = 0; t < T; t++) for (let i = 0; i < d; i++) H[t]![i * d + j] = (G.data[i * T + t]! - base.G.data[i * T + t]!) / eps;
  }
  const hb = new Float64Array(T);
  if (b0) {
    const bb = b0.map((v) => v + eps);
    const gb = loss.evaluate(W0, bb).gIntercept;
    for (let t = 0; t < T; t++) hb[t] = Math.max((gb[t]! - base.gIntercept[t]!) / eps, 1e-12);
  }
  let factors: Matrix[] = [];
  const refresh = (): void => {
    const M = totalTaskMatrix(wStepPenalties(lastR(), w), T);
    factors = H.map((h, t) => {
      const P = new Matrix(d, d, new Float64Array(d * d));
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) P.data[i * d + j] = 0.5 * (h[i * d + j]! + h[j * d + i]!);
      let shift = 2 * M.data[t * T + t]!;
      for (;;) {
        const A = P.clone();
        for (let i = 0; i < d; i++) A.data[i * d + i]! += shift;
        try {
          return cholesky(A);
        } catch {
          shift = Math.max(2 * shift, 1e-8);
        }
      }
    });
  };
  let refreshedAt = -Infinity;
  return (v, out, it) => {
    if (it - refreshedAt >= 20) {
      refresh();
      refreshedAt = it;
    }
    const z = new Float64Array(d);
    for (let t = 0; t < T; t++) {
      const L = factors[t]!.data;
      // Solve L Lᵀ z = v_t (forward, then backward substitution).
      for (let i = 0; i < d; i++) {
        let s = v[i * T + t]!;
        for (let k = 0; k < i; k++) s -= L[i * d + k]! * z[k]!;
        z[i] = s / L[i * d + i]!;
      }
      for (let i = d - 1; i >= 0; i--) {
        let s = z[i]!;
        for (let k = i + 1; k < d; k++) s -= L[k * d + i]! * z[k]!;
        z[i] = s / L[i * d + i]!;
      }
      for (let i = 0; i < d; i++) out[i * T + t] = z[i]!;
    }
    for (let t = 0; t < v.length - nW; t++) out[nW + t] = v[nW + t]! / hb[t]!;
  };
}

/** The relation model by preconditioned L-BFGS on its reduced objective (relationReduced). */
export function relationLbfgs(loss: DataLoss, w: RelationWeights, start: RelationState, o: { tol: number; maxIter: number; requireConvergence?: boolean }, hooks?: SolverHooks): { state: RelationState; info: FitInfo } {
  const { d, T } = loss;
  const nW = d * T;
  const x0 = new Float64Array(nW + (loss.explicitIntercept ? T : 0));
  x0.set(start.W.data);
  if (loss.explicitIntercept) x0.set(start.b, nW);
  const red = relationReduced(loss, w);
  // The scale of the relative gradient norm: ‖∇‖ at W = 0, b = 0 (the penalties' gradients vanish
  // there), as proxGradientResidual normalises the W residual of relationOptimality.
  const g0 = new Float64Array(x0.length);
  red.f(new Float64Array(x0.length), g0);
  const scale = Math.max(Math.sqrt(g0.reduce((a, v) => a + v * v, 0)), 1e-300);
  red.f(x0, g0); // sets lastR to R*(x0) for the first preconditioner
  const solverName = 'lbfgs (relation: R minimised out in closed form; preconditioned L-BFGS on W)';
  const r = lbfgs(red.f, {
    x0,
    tol: o.tol,
    maxIter: o.maxIter,
    precondition: relationPreconditioner(loss, w, x0, red.lastR),
    optimality: (_x, g) => Math.sqrt(g.reduce((a, v) => a + v * v, 0)) / scale,
    solverName,
    ...(o.requireConvergence ? { requireConvergence: true } : {}),
    ...(hooks ? { hooks } : {}),
  });
  const state = red.unpack(r.x);
  const info: FitInfo = {
    solver: solverName, iterations: r.iterations, converged: r.converged, optimality: r.optimality, objective: r.value,
    objectiveTrace: r.trace, seconds: r.seconds, message: r.message,
  };
  return { state, info };
}

export const relationSpec = linearModel({
  name: 'relation',
  summary: 'learned task relation R (zero diagonal): α·‖W − WR‖² + β·‖R‖² (+ chain term); bi-convex, alternating in W and R',
  params: [
    weightParam('alpha', 'α, the weight of ‖W − WR‖²_F (tasks predicted from the others)', 1, { positive: true, points: 6, decades: 4 }),
    weightParam('beta', 'β, the weight of ‖R‖²_F', 0.1, { positive: true, points: 5, decades: 4 }),
    weightParam('chain', 'also add chain·Σ_t ‖w_t − w_{t+1}‖² (0 = off)', 0, { tuned: false }),
  ],
  solvers: ['lbfgs', 'alternating'],
  solverHelp: 'lbfgs (default: R minimised out in closed form, preconditioned L-BFGS on W; docs/models/relation.md) or alternating (W by the direct solver for the squared loss, FISTA otherwise; R in closed form; Anderson-extrapolated)',
  fit(problem, o, warm, hooks) {
    const loss = createLoss(problem);
    const T = problem.tasks.length;
    const w: RelationWeights = {
      alpha: weight(o, 'alpha'),
      beta: weight(o, 'beta'),
      chain: weight(o, 'chain'),
      ridge: weight(o, 'ridge'),
    };
    if (!(w.alpha > 0) || !(w.beta > 0)) throw new OptionError(w.alpha > 0 ? 'beta' : 'alpha', 'relation needs α > 0 and β > 0 (--alpha, --beta)');
    // R is dense T × T; every R-step (alternating) or objective evaluation (lbfgs, R eliminated) factorises
    // and inverts WᵀW + (β/α)I: ~T³/3 + 2T³ flops (structure/relation-r-step.ts).
    checkCubicInTasks('relation', T, 'its relation matrix R is dense T × T and every iteration inverts the T × T matrix WᵀW + (β/α)I', 7 / 3);
    const start: RelationState = {
      W: warmMatrix(warm, 'W', problem.d, T) ?? Matrix.zeros(problem.d, T),
      b: loss.explicitIntercept ? warmIntercepts(warm, T) : new Float64Array(T),
      R: warmMatrix(warm, 'R', T, T) ?? Matrix.zeros(T, T),
    };
    if ((o.solver ?? 'lbfgs') === 'lbfgs') {
      const r = relationLbfgs(loss, w, start, o, hooks);
      const s = r.state;
      const intercepts = loss.intercepts(s.W, loss.explicitIntercept ? s.b : undefined);
      const info = { ...r.info, message: `${r.info.message}; the objective is bi-convex: this is a stationary point` };
      return { W: s.W, intercepts, info, learned: { relation: s.R }, warm: { W: s.W, intercepts, extra: { R: s.R } } };
    }
    const alt: AlternatingProblem<RelationState> = {
      objective: (s) => relationObjective(loss, w, s),
      steps: relationSteps(loss, w, o.maxIter, hooks, problem),
      optimality: (s) => {
        const r = relationOptimality(loss, w, s);
        return Math.max(r.wResidual, r.rResidual);
      },
    };
    const r = alternateModel(loss, alt, start, o, `alternating (relation: W by ${getLoss(problem.loss).quadratic ? 'direct PCG' : 'FISTA'}, R closed form, Anderson; bi-convex)`, hooks);
    const s = r.state;
    const intercepts = r.intercepts;
    const info = { ...r.info, message: `${r.info.message}; the objective is bi-convex: this is a block-stationary point` };
    return {
      W: s.W,
      intercepts,
      info,
      learned: { relation: s.R },
      warm: { W: s.W, intercepts, extra: { R: s.R } },
    };
  },
});
