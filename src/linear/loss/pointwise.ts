// A data loss from any per-sample LossSpec (value, derivative), with the intercepts as an explicit
// unpenalised block:  L(W, b) = Σ_t c_t Σ_i s_ti ℓ(y_ti, x_tiᵀ w_t + b_t).
// The squared and logistic losses have their own tuned classes (Gram caches, stable softplus);
// this one serves every other loss (Poisson) without code of its own.
import { Matrix } from '../../linalg/matrix.ts';
import { gemv, xtv } from '../../linalg/ops.ts';
import { taskScale } from '../problem.ts';
import type { Problem, TaskProblem } from '../types.ts';
import { powerIteration } from './power.ts';
import type { LossSpec } from './registry.ts';
import type { DataLoss, LossEval } from './types.ts';

export interface PointwiseHelpers {
  /** The optimal intercept at W = 0 from the task's weighted mean label. */
  zeroIntercept(mean: number): number;
  /** ℓ'' at that point (a start for the step size when the loss has no global curvature bound). */
  curvatureAtZero(mean: number): number;
}

function weightedMean(task: TaskProblem): number {
  let s = 0;
  let w = 0;
  for (let i = 0; i < task.y.length; i++) {
    const si = task.weights ? task.weights[i]! : 1;
    s += si * task.y[i]!;
    w += si;
  }
  return s / w;
}

export class PointwiseLoss implements DataLoss {
  readonly name: string;
  readonly spec: LossSpec;
  readonly d: number;
  readonly T: number;
  readonly explicitIntercept: boolean;
  private readonly tasks: readonly TaskProblem[];
  private readonly c: Float64Array;
  private lip: number | null = null;

  constructor(problem: Problem, spec: LossSpec, private readonly helpers: PointwiseHelpers) {
    this.name = spec.name;
    this.spec = spec;
    this.d = problem.d;
    this.T = problem.tasks.length;
    this.tasks = problem.tasks;
    this.explicitIntercept = problem.intercept;
    this.c = Float64Array.from(problem.tasks, (_, t) => taskScale(problem, t));
  }

  private run(W: Matrix, b: Float64Array | undefined, wantGrad: boolean): LossEval {
    const { d, T, spec } = this;
    const Wt = W.transpose();
    const Gt = Matrix.zeros(T, d);
    const gb = new Float64Array(T);
    let value = 0;
    for (let t = 0; t < T; t++) {
      const task = this.tasks[t]!;
      const bt = this.explicitIntercept && b ? b[t]! : 0;
      const z = gemv(task.X, Wt.row(t));
      let vt = 0;
      let gbt = 0;
      for (let i = 0; i < z.length; i++) {
        const s = task.weights ? task.weights[i]! : 1;
        const zi = z[i]! + bt;
        vt += s * spec.value(task.y[i]!, zi);
        const r = s * spec.derivative(task.y[i]!, zi);
        z[i] = r;
        gbt += r;
      }
      value += this.c[t]! * vt;
      if (wantGrad) {
        const g = Gt.row(t);
        xtv(task.X, z, g);
        for (let j = 0; j < d; j++) g[j]! *= this.c[t]!;
        if (this.explicitIntercept) gb[t] = this.c[t]! * gbt;
      }
    }
    return { value, G: wantGrad ? Gt.transpose() : Matrix.zeros(d, T), gIntercept: gb };
  }

  evaluate(W: Matrix, b?: Float64Array): LossEval {
    return this.run(W, b, true);
  }

  value(W: Matrix, b?: Float64Array): number {
    return this.run(W, b, false).value;
  }

  intercepts(_W: Matrix, b?: Float64Array): Float64Array {
    return this.explicitIntercept && b ? Float64Array.from(b) : new Float64Array(this.T);
  }

  zeroIntercepts(): Float64Array {
    const out = new Float64Array(this.T);
    if (!this.explicitIntercept) return out;
    this.tasks.forEach((task, t) => {
      out[t] = this.helpers.zeroIntercept(weightedMean(task));
    });
    return out;
  }

  /** max_t c_t κ_t λ_max([X_t 1]ᵀ S_t [X_t 1]), κ_t the curvature bound or, without one, the
   * curvature at W = 0 (an estimate: the solvers backtrack from it). */
  lipschitz(): number {
    if (this.lip !== null) return this.lip;
    let L = 0;
    const d = this.d;
    const dim = this.explicitIntercept ? d + 1 : d;
    this.tasks.forEach((task, t) => {
      const X = task.X;
      const apply = (v: Float64Array, out: Float64Array): void => {
        const z = gemv(X, v.subarray(0, d) as Float64Array);
        const bb = this.explicitIntercept ? v[d]! : 0;
        let sumr = 0;
        for (let i = 0; i < X.rows; i++) {
          z[i] = (task.weights ? task.weights[i]! : 1) * (z[i]! + bb);
          sumr += z[i]!;
        }
        xtv(X, z, out.subarray(0, d) as Float64Array);
        if (this.explicitIntercept) out[d] = sumr;
      };
      const kappa = Number.isFinite(this.spec.curvatureBound) ? this.spec.curvatureBound : this.helpers.curvatureAtZero(weightedMean(task));
      L = Math.max(L, kappa * this.c[t]! * powerIteration(apply, dim));
    });
    this.lip = L;
    return L;
  }
}
