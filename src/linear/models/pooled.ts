// Shared-parameter model: one θ for all tasks (w_t = θ), per-task intercepts kept,
//   F(θ, b) = Σ_t c_t Σ_i s_ti ℓ(y_ti, x_tiᵀθ + b_t) + λ‖θ‖² + ρ‖θ1ᵀ‖²_F
// (the common `ridge` option ρ penalises W = θ1ᵀ, i.e. adds Tρ‖θ‖²). Squared loss: the exact
// solution of (Σ_t c_t H_t + 2(λ + Tρ) I) θ = Σ_t c_t h_t by Cholesky (H_t, h_t from the
// centred data, docs/objective.md); otherwise FISTA over [θ] or [θ, b].
import { Matrix } from '../../linalg/matrix.ts';
import { cholesky, choleskySolve } from '../../linalg/decomp/cholesky.ts';
import { createLoss, SquaredLoss, type DataLoss } from '../loss/index.ts';
import { fista, type CompositeObjective } from '../solver/fista.ts';
import { OptionError } from '../../errors.ts';
import type { FitInfo, Problem, SolverHooks } from '../types.ts';
import { chooseSolver, linearModel, weight, weightParam, type FitOptions } from './common.ts';

/** θ (d × 1) → W = θ1ᵀ (d × T). */
function broadcast(theta: Matrix, T: number): Matrix {
  const W = Matrix.zeros(theta.rows, T);
  for (let j = 0; j < theta.rows; j++) W.data.fill(theta.data[j]!, j * T, (j + 1) * T);
  return W;
}

export function pooledObjective(loss: DataLoss, T: number, mu: number): CompositeObjective {
  const withB = loss.explicitIntercept;
  return {
    smooth(x) {
      const theta = x[0]!;
      const e = loss.evaluate(broadcast(theta, T), withB ? x[1]!.data : undefined);
      const g = Matrix.zeros(theta.rows, 1);
      let value = e.value;
      for (let j = 0; j < theta.rows; j++) {
        let s = 0;
        for (let t = 0; t < T; t++) s += e.G.data[j * T + t]!;
        g.data[j] = s + 2 * mu * theta.data[j]!;
        value += mu * theta.data[j]! ** 2;
      }
      return { value, grad: withB ? [g, new Matrix(1, T, e.gIntercept)] : [g] };
    },
    prox: withB ? [undefined, undefined] : [undefined],
    nonsmoothValue: () => 0,
    lipschitz: T * loss.lipschitz() + 2 * mu,
    quadratic: loss.spec.quadratic,
  };
}

function solvePooledDirect(loss: SquaredLoss, d: number, T: number, mu: number): Matrix {
  const A = Matrix.zeros(d, d);
  const rhs = Matrix.zeros(d, 1);
  for (let t = 0; t < T; t++) {
    const { H, h, c } = loss.normalEquations(t);
    for (let i = 0; i < A.data.length; i++) A.data[i]! += c * H.data[i]!;
    for (let j = 0; j < d; j++) rhs.data[j]! += c * h[j]!;
  }
  for (let j = 0; j < d; j++) A.data[j * d + j]! += 2 * mu;
  let Lf: Matrix;
  try {
    Lf = cholesky(A);
  } catch {
    throw new OptionError('lambda', 'the pooled system is singular (collinear features and λ = 0); use a positive lambda or ridge');
  }
  return choleskySolve(Lf, rhs);
}

export function fitPooled(problem: Problem, opts: FitOptions, warmTheta?: Matrix, hooks?: SolverHooks): { theta: Matrix; b: Float64Array; info: FitInfo } {
  const d = problem.d;
  const T = problem.tasks.length;
  const mu = weight(opts, 'lambda') + T * weight(opts, 'ridge');
  const solver = chooseSolver(problem, opts, createLoss(problem).spec.quadratic ? 'direct' : 'fista');
  // 'gd' is the textbook method: no momentum and no Gram cache (solver/gradient.ts).
  const loss = createLoss(problem, { gram: solver !== 'gd' });
  const obj = pooledObjective(loss, T, mu);
  if (solver === 'direct') {
    if (!(loss instanceof SquaredLoss)) throw new OptionError('solver', '"direct" needs the squared loss');
    const started = performance.now();
    const theta = solvePooledDirect(loss, d, T, mu);
    const { value, grad } = obj.smooth([theta]);
    let g2 = 0;
    for (const v of grad[0]!.data) g2 += v * v;
    const z = obj.smooth([Matrix.zeros(d, 1)]).grad[0]!.data;
    let z2 = 0;
    for (const v of z) z2 += v * v;
    const optimality = Math.sqrt(g2) / Math.max(Math.sqrt(z2), 1e-300);
    const converged = optimality <= opts.tol;
    return {
      theta,
      b: loss.intercepts(broadcast(theta, T)),
      info: { solver: 'direct', iterations: 1, converged, optimality, objective: value, objectiveTrace: [value], seconds: (performance.now() - started) / 1000, message: converged ? 'solved by Cholesky' : `Cholesky solution has relative gradient ${optimality.toExponential(2)} > tol ${opts.tol} (ill-conditioned; add ridge)` },
    };
  }
  const x0 = [warmTheta && warmTheta.rows === d ? warmTheta.clone() : Matrix.zeros(d, 1)];
  if (loss.explicitIntercept) x0.push(new Matrix(1, T, new Float64Array(T)));
  const gd = solver === 'gd';
  const r = fista(obj, { x0, tol: opts.tol, maxIter: opts.maxIter, requireConvergence: opts.requireConvergence ?? false, accelerate: !gd, stepIncrease: !gd, ...(gd && { solverName: 'gd' }), ...(hooks ? { hooks } : {}) });
  const theta = r.x[0]!;
  return { theta, b: loss.intercepts(broadcast(theta, T), loss.explicitIntercept ? r.x[1]!.data : undefined), info: r.info };
}

export const pooledSpec = linearModel({
  name: 'pooled',
  summary: 'shared-parameter model: one θ for all tasks (w_t = θ) + λ‖θ‖², per-task intercepts',
  params: [weightParam('lambda', 'λ, the ridge weight on the shared θ', 0.1)],
  solvers: ['direct', 'fista', 'gd'],
  solverHelp: 'direct (Cholesky, squared loss; its default) | fista (default otherwise) | gd (textbook gradient)',
  fit(problem, o, warm, hooks) {
    const T = problem.tasks.length;
    const warmTheta = warm?.W ? new Matrix(warm.W.rows, 1, Float64Array.from({ length: warm.W.rows }, (_, j) => warm.W!.data[j * warm.W!.cols]!)) : undefined;
    const { theta, b, info } = fitPooled(problem, o, warmTheta, hooks);
    const W = broadcast(theta, T);
    return { W, intercepts: b, info, learned: {}, warm: { W, intercepts: b } };
  },
});
