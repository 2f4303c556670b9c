// Hyper-parameter grids for cross-validation (docs/evaluation.md).
//
// A λ grid runs from a top value down, log-spaced, so that a path of fits can warm-start each
// λ from the previous (larger) one (Friedman, Hastie & Tibshirani 2010, §2.5 — the glmnet path).
// The top is the model's λ_max where one exists (L1, L21: the smallest λ with W = 0, so the path
// starts at the empty model); otherwise a data-scaled default (defaultLambdaTop).
import { OptionError } from '../errors.ts';
import type { MultiTaskDataset } from '../data/dataset.ts';

/** `points` values from `top` down to top·10^(−decades), log-spaced, descending. */
export function logGrid(top: number, points: number, decades: number): number[] {
  if (!(top > 0) || !Number.isFinite(top)) throw new OptionError('lambda grid', `top must be a finite number > 0, got ${top}`);
  if (!Number.isInteger(points) || points < 1) throw new OptionError('lambda grid', `points must be an integer ≥ 1, got ${points}`);
  if (!(decades > 0)) throw new OptionError('lambda grid', `decades must be > 0, got ${decades}`);
  if (points === 1) return [top];
  return Array.from({ length: points }, (_, i) => top * 10 ** (-(decades * i) / (points - 1)));
}

/**
 * A generic data-scaled top for models whose engine gives no top of its own (ModelDecl.paramMax):
 * two natural scales of a loss at zero weights, per task t with c_t = 1/n_t ('mean') or 1 ('sum') and
 * κ = 1 for regression or count tasks, ¼ for binary tasks (the curvature bound of the logistic loss):
 *  - curvature h = max_t κ c_t ‖X_t‖²_F / d, the mean eigenvalue of the task's Hessian (a ridge
 *    weight λ ≈ h shrinks the fit by about half);
 *  - gradient g = max_t c_t ‖X_tᵀ r_t‖₂ with r = y − ȳ (regression, counts) or y/2 (binary ±1 labels),
 *    which is the λ_max of a norm penalty on one column.
 * The top is max(10·h, g), so that the top of the grid over-regularises for both penalty types;
 * with 3–4 decades below it the grid reaches a nearly unregularised fit. (The linear engine computes
 * the same scales from its loss objects: src/linear/scale.ts.)
 */
export function defaultLambdaTop(ds: MultiTaskDataset, scale: 'sum' | 'mean' = 'mean'): number {
  const d = ds.featureNames.length;
  let h = 0;
  let g = 0;
  ds.tasks.forEach((t) => {
    const binary = (t.kind ?? ds.kind) === 'binary';
    const kappa = binary ? 0.25 : 1;
    const n = t.y.length;
    const c = scale === 'mean' ? 1 / n : 1;
    let fro = 0;
    for (const v of t.X.data) fro += v * v;
    h = Math.max(h, (kappa * c * fro) / d);
    let ybar = 0;
    if (!binary) {
      for (const v of t.y) ybar += v;
      ybar /= n;
    }
    const grad = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      const r = binary ? t.y[i]! / 2 : t.y[i]! - ybar;
      const row = t.X.row(i);
      for (let j = 0; j < d; j++) grad[j]! += r * row[j]!;
    }
    let gn = 0;
    for (const v of grad) gn += v * v;
    g = Math.max(g, c * Math.sqrt(gn));
  });
  const top = Math.max(10 * h, g);
  return top > 0 ? top : 1;
}
