// The "W = P + Q" models (sparse + low rank, dirty, robust MTL, rMTFL):
//   min_{P, Q, b}  L(P + Q, b) + ridge·‖P + Q‖²_F + Ω_P(P) + Ω_Q(Q)
// solved by FISTA (solver/fista.ts) jointly over the blocks [P, Q] (and b, the unpenalised
// intercept row, for the logistic loss with intercepts). The smooth part sees only W = P + Q, so its
// gradient is the same matrix G = ∇_W for both blocks, and the prox is separable per block, exactly
// as in the accelerated gradient schemes of Chen, Zhou & Ye (KDD 2011, §4) and Gong, Ye & Zhang
// (KDD 2012, §3).
// Lipschitz constant: ∇_(P,Q) f = [G; G] with G Lipschitz in W with constant L_W, and
// ‖(ΔP + ΔQ)‖ ≤ √2‖(ΔP, ΔQ)‖, so 2·L_W bounds it (the solver backtracks from there anyway).
import { Matrix } from '../../linalg/matrix.ts';
import { createLoss } from '../loss/index.ts';
import type { DataLoss } from '../loss/types.ts';
import type { Penalty } from '../penalty/types.ts';
import { fista, type CompositeObjective } from '../solver/fista.ts';
import type { FitInfo, LearnedStructure, ModelName, ModelSpec, Problem, SolverHooks, WarmStart } from '../types.ts';
import { OptionError } from '../../errors.ts';
import { bcd } from '../solver/bcd.ts';
import { admmGram } from '../solver/admm.ts';
import { dirtyGramPenalty, dirtySplitLevel } from '../solver/dirty-row.ts';
import { gramProblem } from '../solver/gram-form.ts';
import { linearModel, PROX_SOLVER_HELP, PROX_SOLVERS, warmIntercepts, warmMatrix, weight, weightParam, type FitOptions } from '../models/common.ts';

export interface TwoBlockSpec {
  readonly P: Penalty;
  readonly Q: Penalty;
  /** ρ in ρ‖P + Q‖²_F (0 for none). */
  readonly ridge: number;
}

export interface TwoBlockSolution {
  readonly P: Matrix;
  readonly Q: Matrix;
  readonly W: Matrix;
  readonly intercepts: Float64Array;
  readonly info: FitInfo;
}

function sum(a: Matrix, b: Matrix): Matrix {
  const out = a.clone();
  for (let i = 0; i < out.data.length; i++) out.data[i]! += b.data[i]!;
  return out;
}

/** The composite objective over [P, Q] or [P, Q, b] (exported so tests can check optimality independently). */
export function twoBlockObjective(loss: DataLoss, spec: TwoBlockSpec): CompositeObjective {
  const withB = loss.explicitIntercept;
  const rho = spec.ridge;
  if (!spec.P.prox || !spec.Q.prox) throw new Error(`twoBlockObjective: penalties "${spec.P.name}" and "${spec.Q.name}" need a prox`);
  return {
    smooth(x: readonly Matrix[]) {
      const W = sum(x[0]!, x[1]!);
      const e = loss.evaluate(W, withB ? x[2]!.data : undefined);
      let value = e.value;
      if (rho > 0) {
        let s = 0;
        for (let i = 0; i < W.data.length; i++) {
          s += W.data[i]! * W.data[i]!;
          e.G.data[i]! += 2 * rho * W.data[i]!;
        }
        value += rho * s;
      }
      const grad = [e.G, e.G.clone()];
      if (withB) grad.push(new Matrix(1, loss.T, e.gIntercept));
      return { value, grad };
    },
    prox: withB ? [spec.P.prox.bind(spec.P), spec.Q.prox.bind(spec.Q), undefined] : [spec.P.prox.bind(spec.P), spec.Q.prox.bind(spec.Q)],
    nonsmoothValue(x: readonly Matrix[]) {
      return spec.P.value(x[0]!) + spec.Q.value(x[1]!);
    },
    lipschitz: 2 * (loss.lipschitz() + 2 * rho),
  };
}

/** 'fista' (default) or 'gd': the textbook proximal gradient (no momentum, no restart, no step
 * increase, no Gram cache), kept as the benchmark baseline. Names are validated by the declaration. */
export function solveTwoBlock(problem: Problem, spec: TwoBlockSpec, options: FitOptions, solverName: string, warm?: WarmStart, hooks?: SolverHooks): TwoBlockSolution {
  const textbook = options.solver === 'gd';
  const loss = createLoss(problem, { gram: !textbook });
  const d = problem.d;
  const T = problem.tasks.length;
  // Warm start: P and Q when given; a bare W goes to P (Q = 0).
  const P0 = warmMatrix(warm, 'P', d, T) ?? warmMatrix(warm, 'W', d, T) ?? Matrix.zeros(d, T);
  const Q0 = warmMatrix(warm, 'Q', d, T) ?? Matrix.zeros(d, T);
  const x0 = [P0, Q0];
  if (loss.explicitIntercept) x0.push(new Matrix(1, T, warmIntercepts(warm, T)));
  const r = fista(twoBlockObjective(loss, spec), {
    x0,
    tol: options.tol,
    maxIter: options.maxIter,
    requireConvergence: options.requireConvergence ?? false,
    accelerate: !textbook,
    stepIncrease: !textbook,
    solverName,
    ...(hooks ? { hooks } : {}),
  });
  const P = r.x[0]!;
  const Q = r.x[1]!;
  const W = sum(P, Q);
  return { P, Q, W, intercepts: loss.intercepts(W, loss.explicitIntercept ? r.x[2]!.data : undefined), info: r.info };
}

/**
 * The dirty model with squared loss as a problem in W = P + Q alone: the infimal convolution
 * λ_P‖·‖_∞ □ λ_Q‖·‖₁ is a row-separable penalty on W (solver/dirty-row.ts), solved by ADMM with exact
 * per-task steps (solver/admm.ts) or working-set BCD over the rows (solver/bcd.ts), either certified
 * by the relative duality gap of that problem on all features; P and Q are then the best split of each row
 * (dirtySplitLevel), which attains the infimum, so (P, Q) minimises the two-block objective with the
 * same value (the joint optimality condition −∇_j ∈ λ_P∂‖P_j‖_∞ ∩ λ_Q∂‖Q_j‖₁ is tested).
 */
export function solveDirtyRows(problem: Problem, spec: { lambdaP: number; lambdaQ: number; ridge: number }, method: 'bcd' | 'admm', options: FitOptions, warm?: WarmStart, hooks?: SolverHooks): TwoBlockSolution {
  const started = performance.now();
  const d = problem.d;
  const T = problem.tasks.length;
  const gp = gramProblem(problem, { ridge: spec.ridge });
  const Pw = warmMatrix(warm, 'P', d, T);
  const Qw = warmMatrix(warm, 'Q', d, T);
  const W0 = Pw && Qw ? sum(Pw, Qw) : warmMatrix(warm, 'W', d, T);
  const common = {
    tol: options.tol,
    maxIter: options.maxIter,
    requireConvergence: options.requireConvergence ?? false,
    solverName: method,
    started,
    ...(W0 ? { W0 } : {}),
    ...(hooks ? { hooks } : {}),
  };
  const r = method === 'bcd'
    ? bcd(gp, { penalty: 'dirty', lambda: spec.lambdaP, lambda2: spec.lambdaQ, ...common })
    : // β₀ the geometric mean of the Grams' spectra and over-relaxation 1.8: on School raw (λ 200/200,
      // tol 1e-3) 40 ADMM iterations (with the proximal-gradient candidate of admmGram's gap check),
      // 50 at relaxation 1.6, 190 with the mean-curvature β₀ and plain ADMM before that candidate.
      admmGram(gp, dirtyGramPenalty(spec.lambdaP, spec.lambdaQ), { ...common, betaRule: 'geometric', relax: 1.8 });
  const W = r.W;
  const P = Matrix.zeros(d, T);
  const Q = Matrix.zeros(d, T);
  for (let j = 0; j < d; j++) {
    const row = W.data.subarray(j * T, (j + 1) * T);
    const m = dirtySplitLevel(row, spec.lambdaP, spec.lambdaQ);
    for (let t = 0; t < T; t++) {
      const w = row[t]!;
      const p = Math.sign(w) * Math.min(Math.abs(w), m);
      P.data[j * T + t] = p;
      Q.data[j * T + t] = w - p;
    }
  }
  return { P, Q, W, intercepts: gp.intercepts(W), info: r.info };
}

// ---- the model declaration shared by the four P + Q models ----

export interface TwoBlockModel {
  readonly name: ModelName;
  readonly summary: string;
  /** Help for --lambda-p and --lambda-q, naming the paper's symbols. */
  readonly helpP: string;
  readonly helpQ: string;
  /** Ω_P with weight lambdaP, Ω_Q with weight lambdaQ. */
  penaltyP(lambdaP: number): Penalty;
  penaltyQ(lambdaQ: number): Penalty;
  /** What the model exposes besides P and Q. */
  learned(problem: Problem, s: TwoBlockSolution): LearnedStructure;
  /** The dirty model: offers the row BCD for the squared loss (solveDirtyBcd). */
  readonly dirtyBcd?: boolean;
}

export const DIRTY_SOLVERS = ['admm', 'bcd', 'fista', 'gd'] as const;
export const DIRTY_SOLVER_HELP =
  'admm (exact per-task steps on W = P + Q, duality gap; squared loss with both weights > 0, the default there) | bcd (working-set block coordinate descent over the rows of W, same conditions) | fista (accelerated proximal gradient over [P, Q]; the default otherwise) | gd (textbook proximal gradient)';

export function twoBlockSpec(m: TwoBlockModel): ModelSpec {
  return linearModel({
    name: m.name,
    summary: m.summary,
    // Model files of formatVersion 1 stored lambdaP as lambda and lambdaQ as lambda2.
    params: [weightParam('lambdaP', m.helpP, 0.1, { points: 6, decades: 4 }), weightParam('lambdaQ', m.helpQ, 0.1, { points: 5, decades: 4 })],
    solvers: m.dirtyBcd ? DIRTY_SOLVERS : PROX_SOLVERS,
    solverHelp: m.dirtyBcd ? DIRTY_SOLVER_HELP : PROX_SOLVER_HELP,
    fit(problem, o, warm, hooks) {
      const lambdaP = weight(o, 'lambdaP');
      const lambdaQ = weight(o, 'lambdaQ');
      const spec: TwoBlockSpec = {
        P: m.penaltyP(lambdaP),
        Q: m.penaltyQ(lambdaQ),
        ridge: weight(o, 'ridge'),
      };
      const bcdApplies = problem.loss === 'squared' && lambdaP > 0 && lambdaQ > 0;
      const solver = o.solver ?? (m.dirtyBcd && bcdApplies ? 'admm' : 'fista');
      const rows = solver === 'bcd' || solver === 'admm';
      if (rows && !bcdApplies) {
        throw new OptionError('solver', problem.loss !== 'squared'
          ? `"${solver}" needs the squared loss (the loss is "${problem.loss}"); use --solver fista`
          : `"${solver}" needs --lambda-p > 0 and --lambda-q > 0; use --solver fista`);
      }
      const s = rows ? solveDirtyRows(problem, { lambdaP, lambdaQ, ridge: spec.ridge }, solver, o, warm, hooks) : solveTwoBlock(problem, spec, o, `${o.solver === 'gd' ? 'ista' : 'fista'} (${m.name}: blocks P, Q${createLoss(problem).explicitIntercept ? ', b' : ''})`, warm, hooks);
      return {
        W: s.W,
        intercepts: s.intercepts,
        info: s.info,
        learned: { P: s.P, Q: s.Q, ...m.learned(problem, s) },
        warm: { W: s.W, intercepts: s.intercepts, extra: { P: s.P, Q: s.Q } },
      };
    },
  });
}
