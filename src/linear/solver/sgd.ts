// Mini-batch stochastic gradient descent for the smooth models (loss + smooth penalties), the
// seed's other optimiser (issue 4), meant for data too large for full-gradient passes later.
// Each epoch visits every (task, sample) pair once in a seeded random order (src/linalg/random.ts);
// a mini-batch B gives the unbiased estimate (N/|B|) Σ_{(t,i)∈B} c_t s_ti ∇ℓ_ti + ∇Ω(W) of the full
// gradient (N = Σ_t n_t). Step size η_e = η₀ / (1 + e) per epoch e (Robbins–Monro), η₀ = 1/(N·L_max/|B|)
// bounded by 1/L of the full objective. Intercepts are an explicit block here for both losses; at
// the end the squared-loss intercepts are replaced by their exact optimum for the returned W.
//
// Convergence is measured exactly as for the other solvers — the relative norm of the full
// gradient, evaluated once per epoch — and SGD seldom reaches a tight tol: it then says so
// (converged: false) rather than pretending.
//
// Exported API: sgd(problem, smooth, { tol, maxIter (epochs), requireConvergence, seed, batchSize }, warm?) → LinearSolution
import { ConvergenceError, NumericError } from '../../errors.ts';
import { Matrix } from '../../linalg/matrix.ts';
import { Random } from '../../linalg/random.ts';
import { createLoss } from '../loss/index.ts';
import type { Penalty } from '../penalty/types.ts';
import { taskScale } from '../problem.ts';
import type { Problem, SolverHooks, WarmStart } from '../types.ts';
import { progressTicker } from './hooks.ts';
import { fullObjective, type LinearSolution } from './composite.ts';

export interface SgdOptions {
  readonly tol: number;
  /** Number of epochs. */
  readonly maxIter: number;
  readonly requireConvergence?: boolean;
  readonly seed?: number;
  readonly batchSize?: number;
  readonly hooks?: SolverHooks;
}

export function sgd(problem: Problem, smooth: readonly Penalty[], opts: SgdOptions, warm?: WarmStart): LinearSolution {
  const started = performance.now();
  for (const p of smooth) if (!p.gradient) throw new Error(`sgd: penalty "${p.name}" is not smooth`);
  const rng = new Random(opts.seed ?? 0);
  const loss = createLoss(problem);
  const spec = loss.spec;
  const d = problem.d;
  const T = problem.tasks.length;
  const batch = Math.max(1, Math.floor(opts.batchSize ?? 64));
  const W = warm?.W && warm.W.rows === d && warm.W.cols === T ? warm.W.clone() : Matrix.zeros(d, T);
  const b = problem.intercept ? (warm?.intercepts?.length === T ? Float64Array.from(warm.intercepts) : loss.zeroIntercepts()) : new Float64Array(T);
  // Index of every (task, sample) pair.
  const pairsT: number[] = [];
  const pairsI: number[] = [];
  problem.tasks.forEach((task, t) => {
    for (let i = 0; i < task.y.length; i++) {
      pairsT.push(t);
      pairsI.push(i);
    }
  });
  const N = pairsT.length;
  const c = Float64Array.from(problem.tasks, (_, t) => taskScale(problem, t));
  let Lfull = loss.lipschitz();
  for (const p of smooth) Lfull += p.lipschitz ?? 0;
  // Per-sample curvature bound: c_t s ‖x‖² (·¼ for logistic); the stochastic estimate scales it by N/|B|.
  let Lsample = 0;
  // The loss's curvature bound; without one (Poisson) the curvature at the start, as loss.lipschitz() does.
  const curvature = Number.isFinite(loss.spec.curvatureBound) ? loss.spec.curvatureBound : loss.lipschitz() / Math.max(1e-300, maxRowGram(problem, c));
  problem.tasks.forEach((task, t) => {
    for (let i = 0; i < task.y.length; i++) {
      let xx = 1;
      for (let j = 0; j < d; j++) xx += task.X.data[i * d + j]! ** 2;
      const s = task.weights ? task.weights[i]! : 1;
      Lsample = Math.max(Lsample, c[t]! * s * xx * curvature);
    }
  });
  const eta0 = 1 / Math.max(Lfull, (N / batch) * Lsample, 1e-300);
  const gradNorm = (): number => {
    const e = loss.evaluate(W, b);
    for (const p of smooth) p.gradient!(W, e.G);
    let s = 0;
    for (const v of e.G.data) s += v * v;
    for (const v of e.gIntercept) s += v * v;
    return Math.sqrt(s);
  };
  const zeroScale = (() => {
    const Z = Matrix.zeros(d, T);
    const e = loss.evaluate(Z, new Float64Array(T));
    let s = 0;
    for (const v of e.G.data) s += v * v;
    for (const v of e.gIntercept) s += v * v;
    return Math.max(Math.sqrt(s), 1e-300);
  })();

  const order = new Int32Array(N);
  const G = Matrix.zeros(d, T);
  const gb = new Float64Array(T);
  const trace: number[] = [];
  let optimality = Infinity;
  let epochs = 0;
  const tick = progressTicker(opts.hooks, 'sgd', 1);
  for (let e = 0; e < opts.maxIter; e++) {
    epochs = e + 1;
    const eta = eta0 / (1 + e);
    for (let k = 0; k < N; k++) order[k] = k;
    rng.shuffle(order);
    for (let start = 0; start < N; start += batch) {
      const end = Math.min(N, start + batch);
      const f = N / (end - start);
      G.data.fill(0);
      gb.fill(0);
      for (let k = start; k < end; k++) {
        const t = pairsT[order[k]!]!;
        const i = pairsI[order[k]!]!;
        const task = problem.tasks[t]!;
        let z = b[t]!;
        for (let j = 0; j < d; j++) z += task.X.data[i * d + j]! * W.data[j * T + t]!;
        const y = task.y[i]!;
        const s = task.weights ? task.weights[i]! : 1;
        const r = f * c[t]! * s * spec.derivative(y, z);
        for (let j = 0; j < d; j++) G.data[j * T + t]! += r * task.X.data[i * d + j]!;
        gb[t]! += r;
      }
      for (const p of smooth) p.gradient!(W, G);
      for (let q = 0; q < W.data.length; q++) W.data[q]! -= eta * G.data[q]!;
      if (problem.intercept) for (let t = 0; t < T; t++) b[t]! -= eta * gb[t]!;
    }
    if (!W.data.every(Number.isFinite)) throw new NumericError(`sgd: non-finite weights in epoch ${epochs}`);
    if (!loss.explicitIntercept && problem.intercept) b.set(loss.intercepts(W));
    trace.push(fullObjective(loss, smooth, W, b));
    optimality = gradNorm() / zeroScale;
    tick(epochs, optimality);
    if (optimality <= opts.tol) break;
  }
  const converged = optimality <= opts.tol;
  const message = converged
    ? `converged: relative gradient norm ${optimality.toExponential(2)} after ${epochs} epochs`
    : `NOT converged: relative gradient norm ${optimality.toExponential(2)} > tol ${opts.tol} after ${epochs} epochs (SGD rarely reaches tight tolerances; use solver "fista" or "direct")`;
  if (!converged && opts.requireConvergence) throw new ConvergenceError(`sgd: ${message}`);
  const intercepts = loss.intercepts(W, b);
  return {
    W,
    intercepts,
    info: { solver: 'sgd', iterations: epochs, converged, optimality, objective: fullObjective(loss, smooth, W, intercepts), objectiveTrace: trace, seconds: (performance.now() - started) / 1000, message },
    lipschitz: Lfull,
  };
}

/** max_t c_t ‖X_t‖²_F / n_t: a crude per-sample scale, used only to turn a loss's Lipschitz
 * estimate into a curvature estimate when the loss has no curvature bound. */
function maxRowGram(problem: Problem, c: Float64Array): number {
  let m = 0;
  problem.tasks.forEach((task, t) => {
    let s = 0;
    for (const v of task.X.data) s += v * v;
    m = Math.max(m, (c[t]! * (s + task.y.length)) / Math.max(1, task.y.length));
  });
  return m;
}
