// Squared loss  L(W) = Σ_t c_t Σ_i s_ti ½(y_ti − x_tiᵀ w_t − b_t)²  with the intercepts eliminated.
//
// Intercept elimination (docs/objective.md): for fixed w_t the optimal b_t is the weighted mean
// residual, b_t = ȳ_t − x̄_tᵀ w_t with x̄_t = Σ_i s_ti x_ti / Σ_i s_ti (and ȳ_t likewise).
// Substituting it back gives the same loss on weighted-centred data, so every solver works on W
// alone and L(W) = min_b L(W, b) exactly. We store X̂_t = √S_t (X_t − 1x̄_tᵀ) and ŷ_t likewise,
// so that L_t(w) = ½ c_t ‖X̂_t w − ŷ_t‖².
//
// Gram cache (issue 4): when n_t > d we keep H_t = X̂_tᵀX̂_t (d × d), h_t = X̂_tᵀŷ_t and ŷ_tᵀŷ_t,
// and evaluate L_t(w) = ½ c_t (wᵀH_t w − 2 wᵀh_t + ŷᵀŷ), ∇L_t = c_t (H_t w − h_t) in O(d²)
// instead of O(n_t·d). Otherwise we keep X̂_t and use residuals.
import { Matrix } from '../../linalg/matrix.ts';
import { dot, gemv, gram, xtv } from '../../linalg/ops.ts';
import { taskScale } from '../problem.ts';
import type { Problem, TaskProblem } from '../types.ts';
import { getColumn } from './columns.ts';
import { powerIteration } from './power.ts';
import type { LossSpec } from './registry.ts';
import type { DataLoss, LossEval, LossOptions } from './types.ts';

/** ℓ(y, z) = ½(y − z)², identity link, for regression targets. */
export const squaredLoss: LossSpec = {
  name: 'squared',
  link: 'identity',
  labelKind: 'regression',
  defaultMetric: 'mse',
  quadratic: true,
  curvatureBound: 1,
  value: (y, z) => 0.5 * (y - z) ** 2,
  derivative: (y, z) => z - y,
  response: (z) => z,
  checkLabel: (y) => (Number.isFinite(y) ? null : `target ${y} is not finite`),
  create: (problem, opts) => new SquaredLoss(problem, opts),
};

interface SquaredTask {
  readonly c: number;
  readonly xbar: Float64Array; // weighted feature means (zeros without intercept)
  readonly ybar: number;
  readonly Xh: Matrix | null; // √S (X − 1x̄ᵀ), kept on the data path
  readonly yh: Float64Array | null;
  readonly H: Matrix | null; // Gram path
  readonly h: Float64Array | null;
  readonly yy: number; // ŷᵀŷ
}

/** Weighted means of the columns of X and of y (Σ s_i x_i / Σ s_i). */
function weightedMeans(task: TaskProblem): { xbar: Float64Array; ybar: number } {
  const { X, y, weights } = task;
  const n = X.rows;
  const d = X.cols;
  const xbar = new Float64Array(d);
  let sw = 0;
  let ybar = 0;
  for (let i = 0; i < n; i++) {
    const s = weights ? weights[i]! : 1;
    sw += s;
    ybar += s * y[i]!;
    const o = i * d;
    for (let j = 0; j < d; j++) xbar[j]! += s * X.data[o + j]!;
  }
  for (let j = 0; j < d; j++) xbar[j]! /= sw;
  return { xbar, ybar: ybar / sw };
}

function prepareTask(problem: Problem, t: number, useGram: boolean): SquaredTask {
  const task = problem.tasks[t]!;
  const { X, y, weights } = task;
  const n = X.rows;
  const d = X.cols;
  const { xbar, ybar } = problem.intercept ? weightedMeans(task) : { xbar: new Float64Array(d), ybar: 0 };
  const Xh = Matrix.zeros(n, d);
  const yh = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = weights ? Math.sqrt(weights[i]!) : 1;
    const o = i * d;
    for (let j = 0; j < d; j++) Xh.data[o + j] = r * (X.data[o + j]! - xbar[j]!);
    yh[i] = r * (y[i]! - ybar);
  }
  const yy = dot(yh, yh);
  const c = taskScale(problem, t);
  if (useGram && n > d) return { c, xbar, ybar, Xh: null, yh: null, H: gram(Xh), h: xtv(Xh, yh), yy };
  return { c, xbar, ybar, Xh, yh, H: null, h: null, yy };
}

export class SquaredLoss implements DataLoss {
  readonly name = squaredLoss.name;
  readonly spec = squaredLoss;
  readonly d: number;
  readonly T: number;
  readonly explicitIntercept = false;
  private readonly tasks: SquaredTask[];
  private readonly hasIntercept: boolean;
  private lip: number | null = null;

  constructor(problem: Problem, opts: LossOptions = {}) {
    if (problem.loss !== squaredLoss.name) throw new Error(`SquaredLoss: problem has loss "${problem.loss}"`);
    this.d = problem.d;
    this.T = problem.tasks.length;
    this.hasIntercept = problem.intercept;
    const useGram = opts.gram ?? true;
    this.tasks = problem.tasks.map((_, t) => prepareTask(problem, t, useGram));
  }

  /** Per-task cached quantities for the direct solver: H_t = X̂ᵀX̂ and h_t = X̂ᵀŷ (computed when absent). */
  normalEquations(t: number): { H: Matrix; h: Float64Array; c: number; yy: number } {
    const k = this.tasks[t]!;
    if (k.H && k.h) return { H: k.H, h: k.h, c: k.c, yy: k.yy };
    return { H: gram(k.Xh!), h: xtv(k.Xh!, k.yh!), c: k.c, yy: k.yy };
  }

  private run(W: Matrix, wantGrad: boolean): LossEval {
    const { d, T } = this;
    // Work on Wᵀ (T × d) so that each task's w_t and gradient row are contiguous: strided column
    // access of a large d × T matrix misses the cache once per entry (bench: T = 10 000).
    const Wt = W.transpose();
    const Gt = Matrix.zeros(T, d);
    let value = 0;
    for (let t = 0; t < T; t++) {
      const k = this.tasks[t]!;
      const w = Wt.row(t);
      const g = Gt.row(t);
      if (k.H && k.h) {
        gemv(k.H, w, { out: g }); // g = H w
        const wHw = dot(w, g);
        const wh = dot(w, k.h);
        value += 0.5 * k.c * (wHw - 2 * wh + k.yy);
        if (wantGrad) for (let j = 0; j < d; j++) g[j] = k.c * (g[j]! - k.h[j]!);
      } else {
        const r = gemv(k.Xh!, w);
        for (let i = 0; i < r.length; i++) r[i]! -= k.yh![i]!;
        value += 0.5 * k.c * dot(r, r);
        if (wantGrad) {
          xtv(k.Xh!, r, g);
          for (let j = 0; j < d; j++) g[j]! *= k.c;
        }
      }
    }
    return { value, G: wantGrad ? Gt.transpose() : Matrix.zeros(d, T), gIntercept: new Float64Array(T) };
  }

  evaluate(W: Matrix, _b?: Float64Array): LossEval {
    return this.run(W, true);
  }

  value(W: Matrix, _b?: Float64Array): number {
    return this.run(W, false).value;
  }

  intercepts(W: Matrix, _b?: Float64Array): Float64Array {
    const out = new Float64Array(this.T);
    if (!this.hasIntercept) return out;
    const w = new Float64Array(this.d);
    for (let t = 0; t < this.T; t++) {
      const k = this.tasks[t]!;
      out[t] = k.ybar - dot(k.xbar, getColumn(W, t, w));
    }
    return out;
  }

  zeroIntercepts(): Float64Array {
    return this.intercepts(Matrix.zeros(this.d, this.T));
  }

  /** max_t c_t λ_max(X̂_tᵀX̂_t): the Hessian is block diagonal over tasks. */
  lipschitz(): number {
    if (this.lip !== null) return this.lip;
    let L = 0;
    const d = this.d;
    for (const k of this.tasks) {
      const apply = k.H
        ? (v: Float64Array, out: Float64Array) => void gemv(k.H!, v, { out })
        : (v: Float64Array, out: Float64Array) => void xtv(k.Xh!, gemv(k.Xh!, v), out);
      L = Math.max(L, k.c * powerIteration(apply, d));
    }
    this.lip = L;
    return L;
  }
}
