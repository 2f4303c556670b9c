// The one model kit of the linear engine (every model of models/ and the structured pieces of
// structure/ build on it):
//  - the declarations of the options every model accepts (COMMON_PARAMS) and of each model's
//    solvers, and linearModel(), which turns a model definition into a ModelSpec whose fit always
//    sees its options resolved (declared defaults filled in: FitOptions);
//  - one weight(): the resolved value of a declared weight. Values are validated once, against the
//    declarations, when an estimator is constructed (src/estimator/params.ts validateOptions);
//    weight() re-checks finiteness for callers that invoke spec.fit directly (tests, benches);
//  - solver dispatch for the smooth and the one-prox models (names validated by the declaration;
//    only the data-dependent rule "direct needs the squared loss" is checked here, at fit time);
//  - warm starts, smooth penalties from plain functions, alternating schemes, learned read-outs.
import { OptionError } from '../../errors.ts';
import type { Options, ParamDecl } from '../../estimator/contract.ts';
import { checkOption, validateOptions, withDefaults } from '../../estimator/params.ts';
import { Matrix } from '../../linalg/matrix.ts';
import { createLoss, type DataLoss } from '../loss/index.ts';
import { getLoss, lossNames } from '../loss/registry.ts';
import { ridgePenalty } from '../penalty/ridge.ts';
import { rowNorms } from '../penalty/l21.ts';
import { numericalRank } from '../penalty/trace.ts';
import type { Penalty } from '../penalty/types.ts';
import { alternate, type AlternatingProblem } from '../solver/alternating.ts';
import { solveLinear, type LinearSolution } from '../solver/composite.ts';
import { solveDirect } from '../solver/direct.ts';
import { DEFAULT_MAX_ITER, DEFAULT_TOL } from '../solver/fista.ts';
import { gradientDescent } from '../solver/gradient.ts';
import { sgd } from '../solver/sgd.ts';
import type {
  FitInfo, FitOptions, FitResult, LearnedStructure, ModelName, ModelOptions, ModelSpec, Problem, SolverHooks, WarmStart,
} from '../types.ts';

export type { FitOptions } from '../types.ts';

// ---------------------------------------------------------------------------------------------
// Declarations

/** Options every linear model accepts (after the model's own and its `solver`). */
export const COMMON_PARAMS: readonly ParamDecl[] = [
  { name: 'loss', flag: '--loss', type: 'enum', get choices() { return lossNames(); }, help: "data loss ℓ (default: each task kind's loss: squared for regression, logistic for binary, poisson for counts)" },
  { name: 'scale', flag: '--scale', type: 'enum', choices: ['sum', 'mean'], default: 'mean', help: 'per-task loss scaling c_t: sum (1) or mean (1/n_t)' },
  { name: 'intercept', flag: '--no-intercept', type: 'boolean', default: true, help: 'per-task unpenalised intercepts b_t' },
  { name: 'ridge', flag: '--ridge', type: 'number', min: 0, default: 0, help: 'adds ridge·‖W‖²_F' },
  { name: 'tol', flag: '--tol', type: 'number', min: 0, exclusiveMin: true, default: DEFAULT_TOL, help: 'stopping tolerance on the relative optimality measure' },
  { name: 'maxIter', flag: '--max-iter', type: 'integer', min: 1, default: DEFAULT_MAX_ITER, help: 'iteration cap (outer iterations for alternating schemes, epochs for sgd)' },
  { name: 'requireConvergence', flag: '--require-convergence', type: 'boolean', default: false, help: 'fail instead of returning an unconverged fit' },
  { name: 'seed', flag: '--seed', type: 'integer', min: 0, default: 0, help: 'random seed (k-means, sgd order)' },
  { name: 'standardize', flag: '--standardize', type: 'enum', choices: ['none', 'global', 'task'], default: 'none', help: 'feature standardisation, fitted on the training data' },
];

/** The `solver` declaration of a model offering these solvers (the first is the default, except
 * that smooth models default to 'direct' for the squared loss and 'fista' otherwise). */
export function solverParam(solvers: readonly string[], help: string): ParamDecl {
  return { name: 'solver', flag: '--solver', type: 'enum', choices: solvers, help };
}

/** A non-negative weight tuned on a log grid scaled from the data (or from λ_max: 'from-max'). */
export function weightParam(
  name: string,
  help: string,
  dflt: number,
  opts: { positive?: boolean; rule?: 'data-scaled' | 'from-max'; points?: number; decades?: number; tuned?: boolean } = {},
): ParamDecl {
  const rule = opts.rule ?? 'data-scaled';
  return {
    name,
    flag: `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
    type: 'number',
    min: 0,
    ...(opts.positive ? { exclusiveMin: true } : {}),
    default: dflt,
    help,
    ...(opts.tuned === false ? {} : { tune: { scale: 'log' as const, grid: { kind: rule, decades: opts.decades ?? 3, points: opts.points ?? 10 } } }),
  };
}

export interface LinearModelDef {
  readonly name: ModelName;
  readonly summary: string;
  /** The model's own options (weights with the paper's names, structure options). */
  readonly params: readonly ParamDecl[];
  /** The solvers it offers, and what they are. */
  readonly solvers: readonly string[];
  readonly solverHelp: string;
  fit(problem: Problem, o: FitOptions, warm: WarmStart | undefined, hooks: SolverHooks | undefined): FitResult & { readonly warm?: WarmStart };
  paramMax?(param: string, problem: Problem, o: FitOptions): number | undefined;
}

/** Resolves options against declarations: defaults filled in, tol/maxIter always present. */
export function resolveFitOptions(params: readonly ParamDecl[], options: ModelOptions): FitOptions {
  const o = withDefaults(params, options) as ModelOptions;
  return { ...o, tol: o.tol ?? DEFAULT_TOL, maxIter: o.maxIter ?? DEFAULT_MAX_ITER };
}

/** A ModelSpec from a definition: the full declaration list, and fit/paramMax on resolved options. */
export function linearModel(def: LinearModelDef): ModelSpec {
  const params = [...def.params, solverParam(def.solvers, def.solverHelp), ...COMMON_PARAMS];
  const resolve = (options: ModelOptions): FitOptions => {
    // Unknown names fail here too (direct callers of spec.fit skip the estimator's validation).
    validateOptions(params, def.name, options as Options);
    const o = resolveFitOptions(params, options);
    // Direct callers of spec.fit skip the estimator's validation: check the values they set.
    for (const p of params) if (o[p.name as keyof FitOptions] !== undefined && p.type !== 'json') checkOption(p, def.name, o[p.name as keyof FitOptions]);
    return o;
  };
  return {
    name: def.name,
    summary: def.summary,
    params,
    fit: (problem, options, warm, hooks) => def.fit(problem, resolve(options), warm, hooks),
    ...(def.paramMax ? { paramMax: (param: string, problem: Problem, options: ModelOptions) => def.paramMax!(param, problem, resolve(options)) } : {}),
  };
}

type WeightKey = 'lambda' | 'rho1' | 'rho2' | 'alpha' | 'beta' | 'lambda1' | 'lambda2' | 'lambdaP' | 'lambdaQ' | 'theta2' | 'theta3' | 'ridge' | 'chain';

/** The resolved value of a declared weight (finite, ≥ 0). */
export function weight(o: FitOptions, key: WeightKey): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new OptionError(key, `must be a finite number ≥ 0, got ${String(v)}`);
  return v;
}

// ---------------------------------------------------------------------------------------------
// Solvers

/** The solver options every solver shares. */
export function solverBase(o: FitOptions, hooks?: SolverHooks): { tol: number; maxIter: number; requireConvergence: boolean; hooks?: SolverHooks } {
  return { tol: o.tol, maxIter: o.maxIter, requireConvergence: o.requireConvergence ?? false, ...(hooks ? { hooks } : {}) };
}

/** The solver a model runs: the declared choice, or its default. 'direct' needs a quadratic loss,
 * known only with the data, so that one rule is checked here. */
export function chooseSolver(problem: Problem, o: FitOptions, dflt: string): string {
  const s = o.solver ?? dflt;
  if (s === 'direct' && !getLoss(problem.loss).quadratic) throw new OptionError('solver', `"direct" needs the squared loss (the loss is "${problem.loss}"); use --solver fista`);
  return s;
}

/** ρ‖W‖²_F when o.ridge > 0. */
export function ridgeTerms(o: FitOptions): Penalty[] {
  const r = weight(o, 'ridge');
  return r > 0 ? [ridgePenalty(r)] : [];
}

export const SMOOTH_SOLVERS = ['direct', 'fista', 'gd', 'sgd'] as const;
export const SMOOTH_SOLVER_HELP = 'direct (Cholesky/CG, squared loss; the default for it) | fista (default otherwise) | gd (textbook gradient) | sgd (mini-batch)';
export const PROX_SOLVERS = ['fista', 'gd'] as const;
export const PROX_SOLVER_HELP = 'fista (accelerated proximal gradient, default) | gd (textbook proximal gradient)';

/** Smooth models (only quadratic penalties). */
export function fitSmooth(problem: Problem, penalties: readonly Penalty[], o: FitOptions, warm?: WarmStart, hooks?: SolverHooks): LinearSolution {
  const solver = chooseSolver(problem, o, getLoss(problem.loss).quadratic ? 'direct' : 'fista');
  const base = solverBase(o, hooks);
  switch (solver) {
    case 'direct':
      return solveDirect(problem, penalties, base);
    case 'gd':
      return gradientDescent(problem, { smooth: penalties }, base, warm);
    case 'sgd':
      return sgd(problem, penalties, { ...base, seed: o.seed ?? 0 }, warm);
    default:
      return solveLinear(problem, { smooth: penalties }, base, warm);
  }
}

/** Models with one non-smooth penalty. */
export function fitProx(problem: Problem, smooth: readonly Penalty[], prox: Penalty, o: FitOptions, warm?: WarmStart, hooks?: SolverHooks): LinearSolution {
  const solver = chooseSolver(problem, o, 'fista');
  const base = solverBase(o, hooks);
  return solver === 'gd' ? gradientDescent(problem, { smooth, prox }, base, warm) : solveLinear(problem, { smooth, prox }, base, warm);
}

/**
 * Runs a model's alternating scheme (solver/alternating.ts: MTRL, relation) with its tol, maxIter (outer
 * iterations) and requireConvergence, and returns the final state, the run's info and the intercepts
 * that go with the final W (the state's b where the loss keeps explicit intercepts).
 */
export function alternateModel<S extends { readonly W: Matrix; readonly b: Float64Array }>(
  loss: DataLoss,
  alt: AlternatingProblem<S>,
  start: S,
  o: FitOptions,
  solverName: string,
  hooks?: SolverHooks,
): { state: S; info: FitInfo; intercepts: Float64Array } {
  const r = alternate(alt, start, { tol: o.tol, maxOuter: o.maxIter, requireConvergence: o.requireConvergence ?? false, solverName, ...(hooks ? { hooks } : {}) });
  const intercepts = loss.intercepts(r.state.W, loss.explicitIntercept ? r.state.b : undefined);
  return { state: r.state, info: r.info, intercepts };
}

// ---------------------------------------------------------------------------------------------
// Data-dependent scales

/** ∇L at W = 0 with the optimal intercepts for W = 0 (closed form per loss). */
export function gradientAtZero(problem: Problem): Matrix {
  const loss = createLoss(problem);
  const Z = Matrix.zeros(problem.d, problem.tasks.length);
  return loss.evaluate(Z, loss.zeroIntercepts()).G;
}

/** ‖∇_W L(0, b₀)‖ with b₀ the optimal intercepts at W = 0: the scale of the relative optimality measures. */
export function gradNormAtZero(loss: DataLoss): number {
  const zero = Matrix.zeros(loss.d, loss.T);
  const e = loss.evaluate(zero, loss.explicitIntercept ? loss.zeroIntercepts() : undefined);
  let s = 0;
  for (const v of e.G.data) s += v * v;
  return Math.max(Math.sqrt(s), 1e-300);
}

// ---------------------------------------------------------------------------------------------
// Warm starts and penalties from plain functions

/** A warm-start matrix of the right shape, or null (a wrong shape is ignored: it belongs to another problem). */
export function warmMatrix(warm: WarmStart | undefined, key: string, rows: number, cols: number): Matrix | null {
  const m = key === 'W' ? warm?.W : warm?.extra?.[key];
  return m && m.rows === rows && m.cols === cols ? m.clone() : null;
}

export function warmIntercepts(warm: WarmStart | undefined, T: number): Float64Array {
  return warm?.intercepts && warm.intercepts.length === T ? Float64Array.from(warm.intercepts) : new Float64Array(T);
}

/** A smooth penalty from value and gradient functions; caches the last evaluation point, because the
 * composite objective asks for value(W) and gradient(W) at the same W one after the other and both
 * need the same (expensive) decomposition. */
export function smoothPenalty(name: string, lipschitz: number, evaluate: (W: Matrix) => { value: number; gradient: Matrix }): Penalty {
  let lastData: Float64Array | null = null;
  let last: { value: number; gradient: Matrix } | null = null;
  const at = (W: Matrix): { value: number; gradient: Matrix } => {
    if (last && lastData && lastData.length === W.data.length && lastData.every((v, i) => v === W.data[i])) return last;
    last = evaluate(W);
    lastData = W.data.slice();
    return last;
  };
  return {
    name,
    lipschitz,
    value: (W: Matrix) => at(W).value,
    gradient(W: Matrix, G: Matrix): void {
      const g = at(W).gradient.data;
      for (let i = 0; i < g.length; i++) G.data[i]! += g[i]!;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Learned structure read-outs

export function frobenius(m: Matrix): number {
  let s = 0;
  for (const v of m.data) s += v * v;
  return Math.sqrt(s);
}

export function featureName(problem: Problem, j: number): string {
  return problem.featureNames?.[j] ?? `x${j + 1}`;
}

/** Features whose row of W is non-zero. */
export function selectedFeatures(problem: Problem, W: Matrix): string[] {
  const norms = rowNorms(W);
  const out: string[] = [];
  norms.forEach((v, j) => {
    if (v > 0) out.push(featureName(problem, j));
  });
  return out;
}

/** Rows (features) of M with a non-zero entry: exact zeros, as the proximal operators produce them. */
export function nonZeroRows(M: Matrix): number[] {
  const out: number[] = [];
  for (let j = 0; j < M.rows; j++) {
    for (let t = 0; t < M.cols; t++) {
      if (M.data[j * M.cols + t] !== 0) {
        out.push(j);
        break;
      }
    }
  }
  return out;
}

/** Columns (tasks) of M with a non-zero entry. */
export function nonZeroColumns(M: Matrix): number[] {
  const out: number[] = [];
  for (let t = 0; t < M.cols; t++) {
    for (let j = 0; j < M.rows; j++) {
      if (M.data[j * M.cols + t] !== 0) {
        out.push(t);
        break;
      }
    }
  }
  return out;
}

export function result(sol: LinearSolution, learned: LearnedStructure = {}): FitResult & { warm: WarmStart } {
  return { W: sol.W, intercepts: sol.intercepts, info: sol.info, learned, warm: { W: sol.W, intercepts: sol.intercepts } };
}

export { numericalRank };
