// MGDA (Désidéri 2012; Sener & Koltun, "Multi-Task Learning as Multi-Objective Optimization",
// NeurIPS 2018, eq. 3): the direction is the min-norm point of the convex hull of the task gradients,
//     w = argmin_{w ∈ Δ} ‖Σ_t w_t g_t / n_t‖²,   direction Σ_t w_t g_t / n_t,
// with the gradient normalisers n_t of the paper's code (§A / LibMTL `mgda_gn`): 'none' n_t = 1,
// 'l2' n_t = ‖g_t‖, 'loss' n_t = L_t, 'loss+' n_t = L_t‖g_t‖ (a zero normaliser counts as 1). The
// returned weights are w_t / n_t. MGDA-UB (the paper's upper bound, §3.3) is the same computation on
// gradients of the shared representation: grad mode 'rep'.
// Solver: our exact active-set (Wolfe) solver, certified by KKT; 'frank-wolfe' reproduces the
// paper's solver (a baseline).
import { OptionError } from '../../errors.ts';
import { Matrix } from '../../linalg/matrix.ts';
import { gramianAggregator, inputLosses } from '../core.ts';
import { frankWolfeMinNorm } from '../solvers/frank-wolfe.ts';
import { minNormPoint } from '../solvers/min-norm.ts';
import type { GradMode } from '../types.ts';

export type MgdaNormalisation = 'none' | 'l2' | 'loss' | 'loss+';

export interface MgdaOptions {
  readonly normalisation?: MgdaNormalisation;
  readonly solver?: 'active-set' | 'frank-wolfe';
}

export function mgdaWeights(K: Matrix, n: Float64Array, solver: 'active-set' | 'frank-wolfe'): { weights: Float64Array; normSq: number; kktGap: number; iterations: number } {
  const T = K.rows;
  const Kn = Matrix.zeros(T, T);
  for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) Kn.data[i * T + j] = K.data[i * T + j]! / (n[i]! * n[j]!);
  const r = solver === 'frank-wolfe' ? frankWolfeMinNorm(Kn) : minNormPoint(Kn);
  return { weights: r.weights.map((w, t) => w / n[t]!), normSq: r.normSq, kktGap: r.kktGap, iterations: r.iterations };
}

function make(name: string, modes: readonly GradMode[], opts: MgdaOptions, modeNote?: string) {
  const normalisation = opts.normalisation ?? 'none';
  const solver = opts.solver ?? 'active-set';
  if (!['none', 'l2', 'loss', 'loss+'].includes(normalisation)) throw new OptionError('--mgda-normalisation', `must be none, l2, loss or loss+, got "${normalisation}"`);
  if (!['active-set', 'frank-wolfe'].includes(solver)) throw new OptionError('--mgda-solver', `must be active-set or frank-wolfe, got "${solver}"`);
  return gramianAggregator<null>({
    name,
    paper: 'Sener & Koltun, NeurIPS 2018, eq. 3 (min-norm point of the convex hull); MGDA-UB §3.3 on representation gradients',
    modes,
    ...(modeNote ? { modeNote } : {}),
    init: () => null,
    weights: (K, input) => {
      const T = K.rows;
      const n = new Float64Array(T).fill(1);
      if (normalisation !== 'none') {
        const L = normalisation === 'l2' ? null : inputLosses(name, input.losses, T);
        for (let t = 0; t < T; t++) {
          const g = Math.sqrt(Math.max(K.data[t * T + t]!, 0));
          const v = normalisation === 'l2' ? g : normalisation === 'loss' ? L![t]! : L![t]! * g;
          n[t] = v > 0 && Number.isFinite(v) ? v : 1;
        }
      }
      const r = mgdaWeights(K, n, solver);
      return { weights: r.weights, state: null, info: { normSq: r.normSq, kktGap: r.kktGap, iterations: r.iterations, upperBound: input.mode === 'rep' ? 1 : 0 } };
    },
  });
}

export function mgda(opts: MgdaOptions = {}) {
  return make('mgda', ['jacobian', 'backward', 'rep'], opts);
}

/** MGDA-UB: MGDA on the representation gradients only. */
export function mgdaUb(opts: MgdaOptions = {}) {
  return make('mgda-ub', ['rep'], opts, 'MGDA-UB is MGDA on gradients of the shared representation; use mgda for parameter gradients');
}
