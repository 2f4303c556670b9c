// CAGrad (Liu et al., "Conflict-Averse Gradient Descent for Multi-task Learning", NeurIPS 2021,
// eq. 4 and Alg. 1): d = argmax_d min_t g_tᵀd  s.t. ‖d − g₀‖ ≤ c‖g₀‖, g₀ = mean gradient. With w*
// the solution of the dual  min_{w∈Δ} g_wᵀg₀ + c‖g₀‖‖g_w‖  (solved exactly: ../solvers/cagrad-dual.ts),
//     d = g₀ + (c‖g₀‖/‖g_w‖) g_w,
// returned as weights 1/T + (c‖g₀‖/‖g_w‖) w*, then divided by 1 + c² (rescale = 1, the reference
// code's default), by 1 + c (rescale = 2) or not at all (rescale = 0). c = 0 gives the mean.
import { OptionError } from '../../errors.ts';
import { filled, gramianAggregator, quad } from '../core.ts';
import { solveCagradDual } from '../solvers/cagrad-dual.ts';

export function cagrad(opts: { c?: number; rescale?: 0 | 1 | 2 } = {}) {
  const c = opts.c ?? 0.5;
  const rescale = opts.rescale ?? 1;
  if (!(c >= 0) || !Number.isFinite(c)) throw new OptionError('--cagrad-c', `must be a finite number ≥ 0, got ${c}`);
  if (![0, 1, 2].includes(rescale)) throw new OptionError('--cagrad-rescale', `must be 0, 1 or 2, got ${rescale}`);
  return gramianAggregator<null>({
    name: 'cagrad',
    paper: 'Liu et al., NeurIPS 2021, eq. 4 and Alg. 1 (conflict-averse direction), dual solved exactly',
    init: () => null,
    weights: (K) => {
      const T = K.rows;
      const pref = filled(T, 1 / T);
      const g0 = Math.sqrt(Math.max(quad(K.data, T, pref), 0));
      const rho = c * g0;
      const w = Float64Array.from(pref);
      let info: Record<string, number> = { rho };
      if (rho > 0) {
        const r = solveCagradDual(K, pref, rho);
        // ‖g_w‖ ≈ 0: the optimum sits where the update is undefined (see the solver); keep g₀.
        const degenerate = !(r.normGw > 1e-8 * g0);
        if (!degenerate) for (let t = 0; t < T; t++) w[t]! += (rho / r.normGw) * r.weights[t]!;
        info = { rho, normGw: r.normGw, dualValue: r.value, kktGap: r.kktGap, iterations: r.iterations, degenerate: degenerate ? 1 : 0 };
      }
      const s = rescale === 1 ? 1 + c * c : rescale === 2 ? 1 + c : 1;
      for (let t = 0; t < T; t++) w[t]! /= s;
      return { weights: w, state: null, info };
    },
  });
}
