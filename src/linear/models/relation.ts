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
import { OptionError } from '../../errors.ts';
import type { Problem, SolverHooks } from '../types.ts';
import { getLoss } from '../loss/registry.ts';
import { solveDirect } from '../solver/direct.ts';
import { andersonWeights } from '../solver/anderson.ts';
import { alternateModel, frobenius, linearModel, warmIntercepts, warmMatrix, weight, weightParam } from './common.ts';
import { relationPenaltyValue, relationRStep, relationTaskMatrix } from '../structure/relation-r-step.ts';

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

export const relationSpec = linearModel({
  name: 'relation',
  summary: 'learned task relation R (zero diagonal): α·‖W − WR‖² + β·‖R‖² (+ chain term); bi-convex, alternating in W and R',
  params: [
    weightParam('alpha', 'α, the weight of ‖W − WR‖²_F (tasks predicted from the others)', 1, { positive: true, points: 6, decades: 4 }),
    weightParam('beta', 'β, the weight of ‖R‖²_F', 0.1, { positive: true, points: 5, decades: 4 }),
    weightParam('chain', 'also add chain·Σ_t ‖w_t − w_{t+1}‖² (0 = off)', 0, { tuned: false }),
  ],
  solvers: ['alternating'],
  solverHelp: 'alternating (W by FISTA, R in closed form)',
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
    const start: RelationState = {
      W: warmMatrix(warm, 'W', problem.d, T) ?? Matrix.zeros(problem.d, T),
      b: loss.explicitIntercept ? warmIntercepts(warm, T) : new Float64Array(T),
      R: warmMatrix(warm, 'R', T, T) ?? Matrix.zeros(T, T),
    };
    const alt: AlternatingProblem<RelationState> = {
      objective: (s) => relationObjective(loss, w, s),
      steps: relationSteps(loss, w, o.maxIter, hooks, problem),
      optimality: (s) => {
        const r = relationOptimality(loss, w, s);
        return Math.max(r.wResidual, r.rResidual);
      },
    };
    const r = alternateModel(loss, alt, start, o, 'alternating (relation: W by FISTA, R closed form; bi-convex)', hooks);
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
