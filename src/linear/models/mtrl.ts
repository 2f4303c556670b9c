// Multi-task relationship learning (Zhang & Yeung, "A convex formulation for learning task
// relationships in multi-task learning", UAI 2010, problem (4)):
//
//   min_{W, b, Ω}  L(W, b) + (λ1/2)·‖W‖²_F + ridge·‖W‖²_F + (λ2/2)·[tr(W Ω⁻¹ Wᵀ) + ε·tr(Ω⁻¹)]
//   s.t. Ω ≻ 0, tr Ω = 1.
//
// The paper's names: --lambda1 = λ1 on ‖W‖²_F, --lambda2 = λ2 on tr(WΩ⁻¹Wᵀ) (model files of
// formatVersion 1 stored λ2 as lambda and λ1 as lambda2). The ½ factors are the paper's and are
// written out, not hidden. In the code below, MtrlWeights.lambda is λ2 and MtrlWeights.lambda2 is λ1.
// ε·tr(Ω⁻¹) keeps Ω⁻¹ finite when WᵀW is singular (d < T, or a zero column); for fixed W the optimal
// Ω is then Ω_ε = (WᵀW + εI)^½ / tr((WᵀW + εI)^½) (structure/mtrl-omega.ts), and the bracket at Ω_ε
// equals (tr (WᵀW + εI)^½)², i.e. the squared trace norm of [W; √ε I]: the objective we report is
// this ε-objective, within (lambda/2)·(2√ε·T·‖W‖_* + T²ε) of the ε = 0 objective
// (lambda/2)·‖W‖_*² (docs/models/mtrl.md). ε is fixed once per fit from the data (see epsilonFor).
//
// Two solvers (option `solver`):
//  - 'admm' (default for the squared loss, issue 17): the same ε = 0 objective by ADMM with exact
//    per-task steps and the squared trace norm's prox from the small Gram's eigenpairs
//    (solver/spectral-admm.ts), stopped on the relative duality gap.
//  - 'fista' (default otherwise): Ω eliminated exactly. min over Ω of tr(WΩ⁻¹Wᵀ) is ‖W‖_*² (structure/
//    squared-trace.ts), so the ε = 0 objective is L + (lambda2/2 + ridge)‖W‖² + (lambda/2)‖W‖_*²,
//    solved by FISTA with the closed-form prox of the squared trace norm; Ω = (WᵀW)^½/tr(·) at the
//    end. Reported objective: this ε = 0 objective. Converges like the other proximal models.
//  - 'alternating': the paper's scheme below, on the ε-objective. It is kept because it is the
//    published algorithm and the tests compare the two; it converges slowly (sublinearly in
//    practice) whenever the optimal W is low-rank, because Ω then approaches a singular matrix.
// Alternating minimisation (Zhang & Yeung §3.2), solver/alternating.ts:
//  - W-step (Ω fixed; convex and smooth): FISTA in the variable Z = W Ω^-½. In Z the coupling term is
//    (λ/2)‖Z‖² (curvature λ in every direction) and the loss sees W = ZΩ^½ with ‖Ω^½‖ ≤ 1, so the
//    step no longer scales with 1/ω_min as it would in W (Ω⁻¹ has eigenvalues up to ~1/√ε).
//  - Ω-step (W fixed): the closed form above.
// Both steps decrease the (jointly convex) ε-objective, so the scheme converges to its minimum.
// Optimality at the returned point: the Z-gradient ‖∇_W F · Ω^½‖ (with the intercept gradient)
// relative to its value at W = 0, and ‖Ω − Ω_ε(W)‖_F for the Ω-block.
import { Matrix } from '../../linalg/matrix.ts';
import { matmul } from '../../linalg/ops.ts';
import { OptionError } from '../../errors.ts';
import { eigh, fromEigen } from '../../linalg/decomp/eigh.ts';
import { createLoss } from '../loss/index.ts';
import type { DataLoss } from '../loss/types.ts';
import { fista, type CompositeObjective } from '../solver/fista.ts';
import type { AlternatingProblem, BlockStep } from '../solver/alternating.ts';
import { ridgePenalty } from '../penalty/ridge.ts';
import type { Penalty } from '../penalty/types.ts';
import { solveLinear } from '../solver/composite.ts';
import type { FitResult, Problem, SolverHooks, WarmStart } from '../types.ts';
import { squaredTraceProx, squaredTraceValue } from '../structure/squared-trace.ts';
import { alternateModel, frobenius, linearModel, solverBase, warmIntercepts, warmMatrix, weight, weightParam, type FitOptions } from './common.ts';
import { admmGram } from '../solver/admm.ts';
import { checkCubicInTasks } from '../structure/task-limit.ts';
import { gramProblem } from '../solver/gram-form.ts';
import { squaredTraceGramPenalty } from '../solver/spectral-admm.ts';
import { covarianceToCorrelation, mtrlOmegaExact, mtrlOmegaStep, omegaPower, traceWOmegaInvWt } from '../structure/mtrl-omega.ts';

/** Relative size of ε: ε = EPS_REL · s², s = ‖∇L(0)‖_F / L_loss, the size of one gradient step from 0. */
export const EPS_REL = 1e-8;

export interface MtrlWeights {
  /** λ on tr(WΩ⁻¹Wᵀ) (halved in the objective, as in the paper). */
  readonly lambda: number;
  /** The paper's λ1 on ‖W‖²_F (halved). */
  readonly lambda2: number;
  /** ridge·‖W‖²_F (not halved, as for every model). */
  readonly ridge: number;
  readonly epsilon: number;
}

/** Ω with its eigen-decomposition (columns of V, eigenvalues ω > 0). */
export interface OmegaState {
  readonly omega: Matrix;
  readonly vectors: Matrix;
  readonly values: Float64Array;
}

export interface MtrlState {
  readonly W: Matrix;
  readonly b: Float64Array; // explicit intercepts (logistic); zeros otherwise
  readonly Om: OmegaState;
}

export function epsilonFor(loss: DataLoss): number {
  const zero = Matrix.zeros(loss.d, loss.T);
  const g = frobenius(loss.evaluate(zero, loss.explicitIntercept ? loss.zeroIntercepts() : undefined).G);
  const L = loss.lipschitz();
  const s = L > 0 ? g / L : 1;
  return EPS_REL * Math.max(s * s, 1e-300);
}

function omegaFromMatrix(omega: Matrix): OmegaState {
  const e = eigh(omega);
  return { omega, vectors: e.vectors, values: e.values.map((v) => Math.max(v, 1e-300)) };
}

/** The full ε-objective at (W, b, Ω). */
export function mtrlObjective(loss: DataLoss, w: MtrlWeights, s: MtrlState): number {
  let sq = 0;
  for (const v of s.W.data) sq += v * v;
  let invTrace = 0;
  for (const v of s.Om.values) invTrace += 1 / v;
  const coupling = traceWOmegaInvWt(s.W, s.Om) + w.epsilon * invTrace;
  return loss.value(s.W, loss.explicitIntercept ? s.b : undefined) + (w.lambda2 / 2 + w.ridge) * sq + (w.lambda / 2) * coupling;
}

/** ∂F/∂W at fixed Ω: ∇L + (lambda2 + 2·ridge)W + lambda·WΩ⁻¹, and ∂F/∂b. */
function gradW(loss: DataLoss, w: MtrlWeights, W: Matrix, b: Float64Array, OmInv: Matrix): { G: Matrix; gb: Float64Array } {
  const e = loss.evaluate(W, loss.explicitIntercept ? b : undefined);
  const WOi = matmul(W, OmInv);
  const G = e.G;
  const c = w.lambda2 + 2 * w.ridge;
  for (let i = 0; i < G.data.length; i++) G.data[i]! += c * W.data[i]! + w.lambda * WOi.data[i]!;
  return { G, gb: e.gIntercept };
}

/** The W-step objective in Z = WΩ^-½ over [Z] or [Z, b] (constant terms dropped). */
export function zObjective(loss: DataLoss, w: MtrlWeights, Om: OmegaState): CompositeObjective {
  const S = fromEigen(Om.vectors, Om.values.map(Math.sqrt)); // Ω^½
  const withB = loss.explicitIntercept;
  const c = w.lambda2 + 2 * w.ridge;
  const omegaMax = Om.values.reduce((a, v) => Math.max(a, v), 0);
  return {
    smooth(x: readonly Matrix[]) {
      const Z = x[0]!;
      const W = matmul(Z, S);
      const e = loss.evaluate(W, withB ? x[1]!.data : undefined);
      let wsq = 0;
      let zsq = 0;
      for (let i = 0; i < W.data.length; i++) {
        wsq += W.data[i]! * W.data[i]!;
        zsq += Z.data[i]! * Z.data[i]!;
        e.G.data[i]! += c * W.data[i]!;
      }
      const gZ = matmul(e.G, S);
      for (let i = 0; i < gZ.data.length; i++) gZ.data[i]! += w.lambda * Z.data[i]!;
      const value = e.value + (c / 2) * wsq + (w.lambda / 2) * zsq;
      return { value, grad: withB ? [gZ, new Matrix(1, loss.T, e.gIntercept)] : [gZ] };
    },
    prox: withB ? [undefined, undefined] : [undefined],
    nonsmoothValue: () => 0,
    lipschitz: (loss.lipschitz() + c) * omegaMax + w.lambda,
  };
}

/** Block optimality at (W, b, Ω): Z-metric gradient relative to its value at W = 0, and Ω's distance from Ω_ε(W). */
export function mtrlOptimality(loss: DataLoss, w: MtrlWeights, s: MtrlState): { wResidual: number; omegaResidual: number } {
  const S = fromEigen(s.Om.vectors, s.Om.values.map(Math.sqrt));
  const OmInv = omegaPower(s.Om, -1);
  const at = gradW(loss, w, s.W, s.b, OmInv);
  const at0 = gradW(loss, w, Matrix.zeros(s.W.rows, s.W.cols), new Float64Array(s.b.length), OmInv);
  const norm = (G: Matrix, gb: Float64Array): number => {
    const gs = frobenius(matmul(G, S));
    let bb = 0;
    if (loss.explicitIntercept) for (const v of gb) bb += v * v;
    return Math.sqrt(gs * gs + bb);
  };
  const wResidual = norm(at.G, at.gb) / Math.max(norm(at0.G, at0.gb), 1e-300);
  const fresh = mtrlOmegaStep(s.W, w.epsilon).omega;
  let diff = 0;
  for (let i = 0; i < fresh.data.length; i++) diff += (fresh.data[i]! - s.Om.omega.data[i]!) ** 2;
  return { wResidual, omegaResidual: Math.sqrt(diff) / Math.max(frobenius(fresh), 1e-300) };
}

export function mtrlSteps(loss: DataLoss, w: MtrlWeights, maxIter: number, hooks?: SolverHooks): BlockStep<MtrlState>[] {
  const wStep: BlockStep<MtrlState> = {
    name: 'W (FISTA in Z = WΩ^-½)',
    update(s, innerTol) {
      const Sinv = fromEigen(s.Om.vectors, s.Om.values.map((v) => 1 / Math.sqrt(v)));
      const S = fromEigen(s.Om.vectors, s.Om.values.map(Math.sqrt));
      const x0 = [matmul(s.W, Sinv)];
      if (loss.explicitIntercept) x0.push(new Matrix(1, loss.T, Float64Array.from(s.b)));
      // The caller's hooks go to the inner solve too: a long W-step keeps reporting progress (a bar
      // that froze for the whole inner solve looked hung) and stops at its next iteration on abort.
      const r = fista(zObjective(loss, w, s.Om), { x0, tol: innerTol, maxIter, solverName: 'fista (mtrl W-step)', trace: false, ...(hooks ? { hooks } : {}) });
      const next: MtrlState = { W: matmul(r.x[0]!, S), b: loss.explicitIntercept ? Float64Array.from(r.x[1]!.data) : s.b, Om: s.Om };
      // Never increase the objective (FISTA is not monotone; keep the start if it was better).
      const better = mtrlObjective(loss, w, next) <= mtrlObjective(loss, w, s);
      return { state: better ? next : s, iterations: r.info.iterations, converged: r.info.converged };
    },
  };
  const omegaStep: BlockStep<MtrlState> = {
    name: 'Ω (closed form)',
    update(s) {
      const o = mtrlOmegaStep(s.W, w.epsilon);
      return { state: { ...s, Om: { omega: o.omega, vectors: o.vectors, values: o.values } }, iterations: 0, converged: true };
    },
  };
  return [wStep, omegaStep];
}

function startState(problem: Problem, loss: DataLoss, warm: WarmStart | undefined): MtrlState {
  const d = problem.d;
  const T = problem.tasks.length;
  const W = warmMatrix(warm, 'W', d, T) ?? Matrix.zeros(d, T);
  const warmOmega = warmMatrix(warm, 'omega', T, T);
  // Zhang & Yeung initialise Ω = I/T (no relationship known).
  const Om = warmOmega ? omegaFromMatrix(warmOmega) : { omega: Matrix.diag(new Float64Array(T).fill(1 / T)), vectors: Matrix.identity(T), values: new Float64Array(T).fill(1 / T) };
  return { W, b: loss.explicitIntercept ? warmIntercepts(warm, T) : new Float64Array(T), Om };
}

export const mtrlSpec = linearModel({
  name: 'mtrl',
  summary: 'multi-task relationship learning (Zhang & Yeung 2010): (λ1/2)·‖W‖² + (λ2/2)·tr(WΩ⁻¹Wᵀ); learned task covariance Ω and correlation',
  // λ2 first: CV runs its warm-started path along the first tuned parameter.
  params: [
    weightParam('lambda2', 'λ2, the weight of the task-relationship term tr(WΩ⁻¹Wᵀ) (halved)', 1, { positive: true, points: 6, decades: 4 }),
    weightParam('lambda1', 'λ1, the weight of ‖W‖²_F (halved)', 0.1, { points: 5, decades: 4 }),
  ],
  solvers: ['admm', 'fista', 'alternating'],
  solverHelp: "admm (Ω eliminated, exact per-task steps, squared-trace prox, duality gap; squared loss, the default for it) | fista (Ω eliminated exactly, squared-trace prox; the default otherwise) | alternating (the paper's W/Ω scheme)",
  fit(problem, o, warm, hooks) {
    const solver = o.solver ?? (problem.loss === 'squared' ? 'admm' : 'fista');
    if (solver === 'alternating') {
      // The Ω-step decomposes the T × T matrix WᵀW + εI (eigh, ~9T³ flops) at every outer iteration.
      checkCubicInTasks('mtrl --solver alternating', problem.tasks.length, 'its Ω-step takes the eigendecomposition of the T × T matrix WᵀW + εI at every outer iteration (use --solver admm, the default, or fista: linear in T)', 9);
      return fitAlternating(problem, o, warm, hooks);
    }
    return solver === 'admm' ? fitAdmm(problem, o, warm, hooks) : fitProx(problem, o, warm, hooks);
  },
});

/** (λ/2)·‖W‖_*² as a prox penalty. */
export function squaredTracePenalty(lambda: number): Penalty {
  return {
    name: 'squared-trace',
    value: (W: Matrix) => squaredTraceValue(W, lambda),
    prox: (V: Matrix, step: number) => squaredTraceProx(V, step, lambda),
  };
}

function positiveLambda2(o: FitOptions): number {
  const v = weight(o, 'lambda2');
  if (!(v > 0)) throw new OptionError('lambda2', 'mtrl needs λ2 > 0 (--lambda2)');
  return v;
}

function fitProx(problem: Problem, o: FitOptions, warm: WarmStart | undefined, hooks?: SolverHooks): FitResult & { readonly warm?: WarmStart } {
  const lambda = positiveLambda2(o);
  const quad = weight(o, 'lambda1') / 2 + weight(o, 'ridge');
  const smooth: Penalty[] = quad > 0 ? [ridgePenalty(quad)] : [];
  const sol = solveLinear(
    problem,
    { smooth, prox: squaredTracePenalty(lambda) },
    { tol: o.tol, maxIter: o.maxIter, requireConvergence: o.requireConvergence ?? false, solverName: 'fista (mtrl: Ω eliminated, squared trace norm prox)', ...(hooks ? { hooks } : {}) },
    warm,
  );
  const omega = mtrlOmegaExact(sol.W);
  return {
    W: sol.W,
    intercepts: sol.intercepts,
    info: sol.info,
    learned: { taskCovariance: omega, taskCorrelation: covarianceToCorrelation(omega) },
    warm: { W: sol.W, intercepts: sol.intercepts, extra: { omega } },
  };
}

/**
 * The ε = 0 objective of fitProx by ADMM (solver/admm.ts, issue 17): exact per-task W-steps, the
 * squared trace norm's prox from the small Gram's eigenpairs (solver/spectral-admm.ts), stopped on the
 * relative duality gap with Ω*(G) = ‖G‖₂²/(2λ2).
 */
function fitAdmm(problem: Problem, o: FitOptions, warm: WarmStart | undefined, hooks?: SolverHooks): FitResult & { readonly warm?: WarmStart } {
  if (problem.loss !== 'squared') throw new OptionError('solver', `"admm" needs the squared loss (the loss is "${problem.loss}"); use --solver fista`);
  const started = performance.now();
  const lambda = positiveLambda2(o);
  const gp = gramProblem(problem, { ridge: weight(o, 'lambda1') / 2 + weight(o, 'ridge') });
  const T = problem.tasks.length;
  const W0 = warm?.W && warm.W.rows === problem.d && warm.W.cols === T ? warm.W : undefined;
  const r = admmGram(gp, squaredTraceGramPenalty(lambda), { ...solverBase(o, hooks), started, solverName: 'admm (mtrl: Ω eliminated, squared trace norm prox)', ...(W0 ? { W0 } : {}) });
  const omega = mtrlOmegaExact(r.W);
  const intercepts = gp.intercepts(r.W);
  return {
    W: r.W,
    intercepts,
    info: r.info,
    learned: { taskCovariance: omega, taskCorrelation: covarianceToCorrelation(omega) },
    warm: { W: r.W, intercepts, extra: { omega } },
  };
}

function fitAlternating(problem: Problem, o: FitOptions, warm: WarmStart | undefined, hooks?: SolverHooks): FitResult & { readonly warm?: WarmStart } {
  const loss = createLoss(problem);
  const w: MtrlWeights = {
    lambda: positiveLambda2(o),
    lambda2: weight(o, 'lambda1'),
    ridge: weight(o, 'ridge'),
    epsilon: epsilonFor(loss),
  };
  const alt: AlternatingProblem<MtrlState> = {
    objective: (s) => mtrlObjective(loss, w, s),
    steps: mtrlSteps(loss, w, o.maxIter, hooks),
    optimality: (s) => {
      const r = mtrlOptimality(loss, w, s);
      return Math.max(r.wResidual, r.omegaResidual);
    },
  };
  const r = alternateModel(loss, alt, startState(problem, loss, warm), o, 'alternating (mtrl: W by FISTA, Ω closed form)', hooks);
  const s = r.state;
  const intercepts = r.intercepts;
  const info = { ...r.info, message: `${r.info.message}; ε = ${w.epsilon.toExponential(2)} (objective includes (λ2/2)·ε·tr Ω⁻¹)` };
  return {
    W: s.W,
    intercepts,
    info,
    learned: { taskCovariance: s.Om.omega, taskCorrelation: covarianceToCorrelation(s.Om.omega) },
    warm: { W: s.W, intercepts, extra: { omega: s.Om.omega } },
  };
}
