// FairGrad (Ban & Ji, "Fair Resource Allocation in Multi-Task Learning", ICML 2024, eq. 9): α-fair
// utilities give task weights w > 0 solving
//     K w = w^(−1/α)   (elementwise power; α = 1 is Nash-MTL's condition without its normalisation),
// solved exactly by Newton's method (../solvers/power-equation.ts; the reference code calls scipy's
// least_squares), warm-started from the previous step. Direction Σ_t w_t g_t. When 0 is in the
// convex hull of the gradients (no positive solution) a ridge 1e-4·tr(K)/T is added and reported
// in info.ridge.
import { OptionError } from '../../errors.ts';
import { Matrix } from '../../linalg/matrix.ts';
import { gramianAggregator, type GramianStep, traceOf } from '../core.ts';
import { minNormPoint } from '../solvers/min-norm.ts';
import { solvePowerEquation } from '../solvers/power-equation.ts';

export function fairgrad(opts: { alpha?: number } = {}) {
  const alpha = opts.alpha ?? 1;
  if (!(alpha > 0) || !Number.isFinite(alpha)) throw new OptionError('--fairgrad-alpha', `must be a positive number, got ${alpha}`);
  const p = 1 / alpha;
  return gramianAggregator<{ w: Float64Array | null }>({
    name: 'fairgrad',
    paper: 'Ban & Ji, ICML 2024, eq. 9 (K w = w^(−1/α)), solved exactly by Newton',
    init: () => ({ w: null }),
    weights: (K, _input, state): GramianStep<{ w: Float64Array | null }> => {
      const T = K.rows;
      const tr = traceOf(K.data, T);
      if (!(tr > 0)) return { weights: new Float64Array(T), state, info: { zeroGramian: 1 } };
      // As for Nash-MTL: a positive solution exists iff 0 ∉ conv{g_t} (for α ≥ 1; for α < 1 the
      // objective stays bounded but the solution may run off to infinity) — checked first.
      const x0 = state.w && state.w.length === T ? state.w : undefined;
      if (minNormPoint(K).normSq > 1e-10 * tr) {
        const r = solvePowerEquation(K, p, x0 ? { x0 } : {});
        if (r.converged) return { weights: r.x, state: { w: r.x }, info: { ridge: 0, residual: r.residual, iterations: r.iterations } };
      }
      const ridge = (1e-4 * tr) / T;
      const r = solvePowerEquation(new Matrix(T, T, K.data), p, { ridge, maxIter: 200, ...(x0 ? { x0 } : {}) });
      return { weights: r.x, state: { w: r.x }, info: { ridge, residual: r.residual, iterations: r.iterations } };
    },
  });
}
