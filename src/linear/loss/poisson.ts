// Poisson loss for count targets, log link (McCullagh & Nelder, Generalized Linear Models, §6.2):
//   ℓ(y, z) = e^z − y·z,   z = xᵀw + b,  μ = e^z the predicted rate,
// the negative log-likelihood of y ~ Poisson(μ) without the constant log y!. ∂ℓ/∂z = μ − y and
// ∂²ℓ/∂z² = μ, which is unbounded: there is no global curvature bound, so the gradient solvers start
// from the curvature at W = 0 (the task's mean count) and backtrack (solver/fista.ts).
// This file plus its line in registry.ts and test/linear/loss/poisson.test.ts is all a new loss needs.
import { PointwiseLoss } from './pointwise.ts';
import type { LossSpec } from './registry.ts';

export const poissonLoss: LossSpec = {
  name: 'poisson',
  link: 'exp',
  labelKind: 'count',
  defaultMetric: 'poisson_deviance',
  quadratic: false,
  curvatureBound: Number.POSITIVE_INFINITY,
  value: (y, z) => Math.exp(z) - y * z,
  derivative: (y, z) => Math.exp(z) - y,
  response: (z) => Math.exp(z),
  checkLabel: (y) => (Number.isFinite(y) && y >= 0 ? null : `Poisson loss needs counts ≥ 0, got ${y}`),
  create: (problem) =>
    new PointwiseLoss(problem, poissonLoss, {
      // At W = 0 the optimal b_t solves Σ s_i (e^b − y_i) = 0: b = log(weighted mean count), capped
      // at −30 for a task with only zero counts (no finite optimum).
      zeroIntercept: (mean) => (mean > 0 ? Math.max(-30, Math.log(mean)) : -30),
      // The curvature e^b at that point.
      curvatureAtZero: (mean) => Math.max(mean, 1e-3),
    }),
};
