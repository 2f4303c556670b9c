// The data-scaled top of a linear model's CV grid, for penalties without a λ_max (docs/evaluation.md).
// Two natural scales of the loss at W = 0, per task t with c_t = 1/n_t ('mean') or 1 ('sum') and κ
// the loss's curvature bound (squared 1, logistic ¼; without a bound, Poisson, the curvature at the
// mean count):
//  - curvature h = max_t κ c_t ‖X_t‖²_F / d, the mean eigenvalue of the task's Hessian (a ridge
//    weight λ ≈ h shrinks the fit by about half);
//  - gradient g = max_t c_t ‖X_tᵀ r_t‖₂ with r_ti = ℓ'(y_ti, z₀), z₀ the task's mean target for a
//    quadratic loss (intercepts eliminated) and 0 otherwise (logistic: r = −y/2), which is the λ_max
//    of a norm penalty on one column.
// The top is max(10·h, g), so that the top of the grid over-regularises for both penalty types;
// with 3–4 decades below it the grid reaches a nearly unregularised fit.
import type { MultiTaskDataset } from '../data/dataset.ts';
import { getLoss } from './loss/registry.ts';
import { defaultLoss } from './problem.ts';
import type { LossName, Scaling } from './types.ts';

export function dataScaledTop(ds: MultiTaskDataset, scale: Scaling = 'mean', lossName: LossName = defaultLoss(ds)): number {
  const loss = getLoss(lossName);
  const d = ds.featureNames.length;
  let h = 0;
  let g = 0;
  for (const t of ds.tasks) {
    const n = t.y.length;
    const c = scale === 'mean' ? 1 / n : 1;
    let fro = 0;
    for (const v of t.X.data) fro += v * v;
    let ybar = 0;
    for (const v of t.y) ybar += v;
    ybar /= n;
    const kappa = Number.isFinite(loss.curvatureBound) ? loss.curvatureBound : Math.max(ybar, 1e-3);
    h = Math.max(h, (kappa * c * fro) / d);
    const z0 = loss.quadratic ? ybar : 0;
    const grad = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      const r = loss.derivative(t.y[i]!, z0);
      const row = t.X.row(i);
      for (let j = 0; j < d; j++) grad[j]! += r * row[j]!;
    }
    let gn = 0;
    for (const v of grad) gn += v * v;
    g = Math.max(g, c * Math.sqrt(gn));
  }
  const top = Math.max(10 * h, g);
  return top > 0 ? top : 1;
}
