// The data-fit part of the objective, evaluated for all tasks in one call:
//   L(W, b) = Σ_t c_t Σ_i s_ti ℓ(y_ti, x_tiᵀ w_t + b_t)          (docs/objective.md)
//
// Exported API (stable; H5's structured models build on it):
//   interface DataLoss (below); create one with createLoss(problem, opts?) from ./index.ts.
//   - evaluate(W, b?) → { value, G, gIntercept }: L and its gradient. W is d × T; G is a new d × T
//     matrix; gIntercept has length T (all zeros when the intercepts are eliminated or absent).
//   - value(W, b?) → L only (cheaper: no Xᵀr products on the data path).
//   - explicitIntercept: true when b must be optimised by the caller as an unpenalised block
//     (logistic loss with intercepts). False for squared loss: there the intercepts are
//     eliminated exactly by weighted per-task centring, so `b` is ignored and L(W) is already
//     minimised over b; recover them with intercepts(W).
//   - intercepts(W, b?) → the intercepts that go with W: the closed form b_t = ȳ_t − x̄_tᵀ w_t
//     for squared loss with intercepts, `b` (or zeros) otherwise.
//   - lipschitz() → an estimate (power iteration) of the Lipschitz constant of ∇L with respect
//     to (W, b) jointly; solvers use it as the first step size and backtrack from there.
//   - zeroIntercepts() → the optimal intercepts at W = 0 (logistic: log-odds per task), for λ_max.
import type { Matrix } from '../../linalg/matrix.ts';
import type { LossName } from '../types.ts';
import type { LossSpec } from './registry.ts';

export interface LossEval {
  readonly value: number;
  /** ∂L/∂W, d × T (a fresh matrix the caller may modify). */
  readonly G: Matrix;
  /** ∂L/∂b, length T (zeros when the intercepts are eliminated or absent). */
  readonly gIntercept: Float64Array;
}

export interface DataLoss {
  readonly name: LossName;
  /** The per-sample loss this data loss sums (link, derivative, curvature bound, label kind). */
  readonly spec: LossSpec;
  readonly d: number;
  readonly T: number;
  readonly explicitIntercept: boolean;
  evaluate(W: Matrix, b?: Float64Array): LossEval;
  value(W: Matrix, b?: Float64Array): number;
  intercepts(W: Matrix, b?: Float64Array): Float64Array;
  lipschitz(): number;
  zeroIntercepts(): Float64Array;
}

export interface LossOptions {
  /**
   * Squared loss only: use the cached per-task Gram matrices X_tᵀS X_t when n_t > d (default
   * true). false gives the textbook O(Σ n_t·d) per evaluation (benchmarks compare the two).
   * 'always': Gram blocks for every task, n_t ≤ d too (tests check the data path against it).
   */
  gram?: boolean | 'always';
  /**
   * Squared loss only: false keeps the per-path batched kernels (Wᵀ gathered, residuals and gradients,
   * G transposed back) even where one dsqGradBatched call would do (default true); the benchmark
   * of issue 15 compares the two in one run.
   */
  fused?: boolean;
}
