// UPGrad (Quinton & Rey, "Jacobian Descent for Multi-Objective Optimization", 2024, Def. 4 / eq. 5
// and Prop. 1): project every task gradient onto the dual cone C = {d : Gd ≥ 0} of the rows of G and
// combine the projections with preference weights p (default 1/T). The projection of Gᵀu onto C is
// Gᵀv with v = argmin_{v ≥ u} vᵀKv (the paper's Prop. 1), so with u = p_i e_i and v = u + x:
//     x⁽ⁱ⁾ = argmin_{x ≥ 0} ½ xᵀKx + (K p_i e_i)ᵀx,   weights = Σ_i (p_i e_i + x⁽ⁱ⁾),
// T non-negative QPs sharing K. By default they are solved together (../solvers/nnqp-batch.ts: batched
// accelerated projected gradient, ADMM with one shared factorisation for ill-conditioned K, exact
// active-set finish; every projection KKT-certified), the previous call's active sets (state) serving
// as warm starts; `method: 'active-set'` solves them one by one with our Lawson–Hanson solver
// (../solvers/nnqp.ts), warm-started from the previous active set or from the tasks that conflict with
// task i. As in torchjd,
// K is first divided by its trace (zero weights when the trace is below normEps) and regularised by
// regEps·I, so the direction lies in the dual cone of the regularised Gramian: (K + εI)w ≥ 0, hence
// g_tᵀd ≥ −ε‖w‖∞ tr(K) for every task.
import { OptionError } from '../../errors.ts';
import type { Matrix } from '../../linalg/matrix.ts';
import { checkPref, gramianAggregator, type GramianStep, traceOf } from '../core.ts';
import { makeNnqpSolver } from '../solvers/nnqp.ts';
import { batchNnqp, type BatchNnqpOptions } from '../solvers/nnqp-batch.ts';

export interface DualConeOptions {
  readonly normEps?: number;
  readonly regEps?: number;
  readonly pref?: readonly number[];
}

/** K/tr(K) + εI, or null when tr(K) < normEps. */
export function regularisedGramian(K: Matrix, normEps: number, regEps: number): Float64Array | null {
  const T = K.rows;
  const tr = traceOf(K.data, T);
  if (!(tr >= normEps) || !(tr > 0)) return null;
  const A = K.data.map((v) => v / tr);
  for (let i = 0; i < T; i++) A[i * T + i]! += regEps;
  return A;
}

export function checkEps(method: string, normEps: number, regEps: number): void {
  if (!(normEps >= 0)) throw new OptionError(`--${method}-norm-eps`, `must be ≥ 0, got ${normEps}`);
  if (!(regEps >= 0)) throw new OptionError(`--${method}-reg-eps`, `must be ≥ 0, got ${regEps}`);
}

/**
 * Weights of the projections of Gᵀ(p_i e_i), i = 1..T, onto the dual cone, summed. `warm[i]` is a
 * guess of projection i's active constraints (e.g. the previous step's, returned in `sets`); without
 * it, the tasks that conflict with task i.
 */
export function upgradWeights(A: Float64Array, T: number, p: Float64Array, warm?: readonly (readonly number[])[] | null, method: 'batch' | 'active-set' = 'batch'): { weights: Float64Array; iterations: number; converged: boolean; sets: number[][] } {
  if (method === 'batch') return upgradWeightsBatch(A, T, p, warm);
  const solve = makeNnqpSolver(A, T);
  const w = Float64Array.from(p);
  const q = new Float64Array(T);
  let iterations = 0;
  let converged = true;
  const sets: number[][] = [];
  for (let i = 0; i < T; i++) {
    sets.push([]);
    if (p[i] === 0) continue;
    const start: number[] = [];
    let conflict = false;
    for (let j = 0; j < T; j++) {
      q[j] = p[i]! * A[j * T + i]!;
      if (q[j]! < 0) conflict = true;
    }
    if (!conflict) continue; // g_i is in the dual cone already
    if (warm && warm[i]) start.push(...warm[i]!);
    else for (let j = 0; j < T; j++) if (q[j]! < 0) start.push(j);
    const r = solve(q, start);
    iterations += r.iterations;
    converged &&= r.converged;
    for (let j = 0; j < T; j++) {
      w[j]! += r.x[j]!;
      if (r.x[j]! > 0) sets[i]!.push(j);
    }
  }
  return { weights: w, iterations, converged, sets };
}

/**
 * The same T projections solved together (../solvers/nnqp-batch.ts): accelerated projected gradient
 * on all of them at once (one T × T × T product per iteration), ADMM with one shared factorisation to
 * find the active sets where Q is ill-conditioned, then the exact active-set solver for the rest; each
 * projection KKT-certified. Row i of the batch is the problem of task i: q⁽ⁱ⁾ = p_i·A e_i.
 * `iterations` counts the batched matrix products plus the exact solver's active-set steps.
 */
export function upgradWeightsBatch(A: Float64Array, T: number, p: Float64Array, warm?: readonly (readonly number[])[] | null, x0?: Float64Array | null, opts: BatchNnqpOptions = {}): { weights: Float64Array; iterations: number; converged: boolean; sets: number[][]; projections: Float64Array; batched: number } {
  const Qrhs = new Float64Array(T * T);
  for (let i = 0; i < T; i++) {
    const pi = p[i]!;
    if (pi === 0) continue; // q = 0: x = 0
    for (let j = 0; j < T; j++) Qrhs[i * T + j] = pi * A[i * T + j]!; // A symmetric: row i = column i
  }
  const r = batchNnqp(A, T, Qrhs, T, opts, warm, x0);
  const w = Float64Array.from(p);
  const sets: number[][] = [];
  for (let i = 0; i < T; i++) {
    const set: number[] = [];
    for (let j = 0; j < T; j++) {
      const x = r.X[i * T + j]!;
      if (x > 0) { w[j]! += x; set.push(j); }
    }
    sets.push(set);
  }
  return { weights: w, iterations: r.iterations + r.admmIterations + r.exactSteps, converged: r.converged, sets, projections: r.X, batched: r.batched };
}

export interface UpgradState {
  /** Active constraints of each projection at the previous call (warm start; null at first). */
  readonly sets: number[][] | null;
  /** The T × T projections x⁽ⁱ⁾ (rows) at the previous call: the batched solver's starting point. */
  readonly projections?: Float64Array | null;
  /** How many projections FISTA certified at the previous call: when none (ill-conditioned K), the
   * next call goes straight to the warm-started exact solver. */
  readonly batched?: number;
}

export function upgrad(opts: DualConeOptions = {}) {
  const normEps = opts.normEps ?? 1e-4;
  const regEps = opts.regEps ?? 1e-4;
  checkEps('upgrad', normEps, regEps);
  return gramianAggregator<UpgradState>({
    name: 'upgrad',
    paper: 'Quinton & Rey 2024, Def. 4 and Prop. 1 (projection of each gradient onto the dual cone, averaged)',
    init: () => ({ sets: null }),
    weights: (K, _input, state): GramianStep<UpgradState> => {
      const T = K.rows;
      const p = checkPref('upgrad', opts.pref, T);
      const A = regularisedGramian(K, normEps, regEps);
      if (!A) return { weights: new Float64Array(T), state: { sets: null }, info: { zeroGramian: 1 } };
      // The active sets change little between training steps: start from the previous ones.
      const warm = state?.sets && state.sets.length === T ? state.sets : null;
      const x0 = warm && state.projections && state.projections.length === T * T ? state.projections : null;
      const r = upgradWeightsBatch(A, T, p, warm, x0, warm && state.batched === 0 ? { maxIter: 0 } : {});
      return { weights: r.weights, state: { sets: r.sets, projections: r.projections, batched: r.batched }, info: { iterations: r.iterations, converged: r.converged ? 1 : 0 } };
    },
  });
}
