// Logistic loss  L(W, b) = Σ_t c_t Σ_i s_ti log(1 + exp(−y_ti (x_tiᵀ w_t + b_t))),  y ∈ {−1, +1}.
// With intercepts, b is an explicit unpenalised block that the solver optimises together with W
// (explicitIntercept = true); there is no closed-form elimination as for the squared loss.
//
// Numerical stability: log(1 + e^(−m)) = max(−m, 0) + log1p(e^(−|m|)) never overflows, and
// σ(−m) = 1/(1 + e^m) is computed from e^(−|m|) on the side that cannot overflow.
import { Matrix } from '../../linalg/matrix.ts';
import { gemv, xtv } from '../../linalg/ops.ts';
import { taskScale } from '../problem.ts';
import type { Problem, TaskProblem } from '../types.ts';
import { powerIteration } from './power.ts';
import type { LossSpec } from './registry.ts';
import type { DataLoss, LossEval } from './types.ts';

/** log(1 + e^(−m)), stable for every m. */
export function softplusNeg(m: number): number {
  return m >= 0 ? Math.log1p(Math.exp(-m)) : -m + Math.log1p(Math.exp(m));
}

/** σ(−m) = 1 / (1 + e^m), stable for every m. */
export function sigmoidNeg(m: number): number {
  if (m >= 0) {
    const e = Math.exp(-m);
    return e / (1 + e);
  }
  return 1 / (1 + Math.exp(m));
}

/** ℓ(y, z) = log(1 + e^(−yz)), sigmoid link, for ±1 labels. */
export const logisticLoss: LossSpec = {
  name: 'logistic',
  link: 'sigmoid',
  labelKind: 'binary',
  defaultMetric: 'logloss',
  quadratic: false,
  curvatureBound: 0.25,
  value: (y, z) => softplusNeg(y * z),
  derivative: (y, z) => -y * sigmoidNeg(y * z),
  response: (z) => sigmoidNeg(-z),
  checkLabel: (y) => (y === 1 || y === -1 ? null : `logistic loss needs labels −1/+1, got ${y}`),
  create: (problem) => new LogisticLoss(problem),
};

export class LogisticLoss implements DataLoss {
  readonly name = logisticLoss.name;
  readonly spec = logisticLoss;
  readonly d: number;
  readonly T: number;
  readonly explicitIntercept: boolean;
  private readonly tasks: readonly TaskProblem[];
  private readonly c: Float64Array;
  private lip: number | null = null;

  constructor(problem: Problem) {
    if (problem.loss !== logisticLoss.name) throw new Error(`LogisticLoss: problem has loss "${problem.loss}"`);
    this.d = problem.d;
    this.T = problem.tasks.length;
    this.tasks = problem.tasks;
    this.explicitIntercept = problem.intercept;
    this.c = Float64Array.from(problem.tasks, (_, t) => taskScale(problem, t));
  }

  private run(W: Matrix, b: Float64Array | undefined, wantGrad: boolean): LossEval {
    const { d, T } = this;
    // Wᵀ (T × d): contiguous per-task rows (see squared.ts).
    const Wt = W.transpose();
    const Gt = Matrix.zeros(T, d);
    const gb = new Float64Array(T);
    let value = 0;
    for (let t = 0; t < T; t++) {
      const task = this.tasks[t]!;
      const c = this.c[t]!;
      const bt = this.explicitIntercept && b ? b[t]! : 0;
      const z = gemv(task.X, Wt.row(t));
      let vt = 0;
      let gbt = 0;
      for (let i = 0; i < z.length; i++) {
        const y = task.y[i]!;
        const s = task.weights ? task.weights[i]! : 1;
        const m = y * (z[i]! + bt);
        vt += s * softplusNeg(m);
        // dℓ/dz = −y σ(−m); z is reused to hold the residual-like vector r.
        const r = -s * y * sigmoidNeg(m);
        z[i] = r;
        gbt += r;
      }
      value += c * vt;
      if (wantGrad) {
        const g = Gt.row(t);
        xtv(task.X, z, g);
        for (let j = 0; j < d; j++) g[j]! *= c;
        if (this.explicitIntercept) gb[t] = c * gbt;
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

  /** At W = 0 the optimal b_t solves Σ s_i y_i σ(−y_i b) = 0: the weighted log-odds log(p/(1−p)).
   * A task with only one class has no finite optimum; we cap the log-odds at ±30 (σ(30) ≈ 1−1e-13). */
  zeroIntercepts(): Float64Array {
    const out = new Float64Array(this.T);
    if (!this.explicitIntercept) return out;
    for (let t = 0; t < this.T; t++) {
      const task = this.tasks[t]!;
      let pos = 0;
      let all = 0;
      for (let i = 0; i < task.y.length; i++) {
        const s = task.weights ? task.weights[i]! : 1;
        all += s;
        if (task.y[i]! > 0) pos += s;
      }
      const p = pos / all;
      out[t] = p <= 0 ? -30 : p >= 1 ? 30 : Math.max(-30, Math.min(30, Math.log(p / (1 - p))));
    }
    return out;
  }

  /** ∇²L ⪯ max_t (c_t/4) λ_max([X_t 1]ᵀ S_t [X_t 1]) (logistic curvature is at most ¼). */
  lipschitz(): number {
    if (this.lip !== null) return this.lip;
    let L = 0;
    const d = this.d;
    const dim = this.explicitIntercept ? d + 1 : d;
    for (let t = 0; t < this.T; t++) {
      const task = this.tasks[t]!;
      const X = task.X;
      const n = X.rows;
      const apply = (v: Float64Array, out: Float64Array): void => {
        const z = gemv(X, v.subarray(0, d) as Float64Array);
        const b = this.explicitIntercept ? v[d]! : 0;
        let sumr = 0;
        for (let i = 0; i < n; i++) {
          const s = task.weights ? task.weights[i]! : 1;
          z[i] = s * (z[i]! + b);
          sumr += z[i]!;
        }
        xtv(X, z, out.subarray(0, d) as Float64Array);
        if (this.explicitIntercept) out[d] = sumr;
      };
      L = Math.max(L, logisticLoss.curvatureBound * this.c[t]! * powerIteration(apply, dim));
    }
    this.lip = L;
    return L;
  }
}
