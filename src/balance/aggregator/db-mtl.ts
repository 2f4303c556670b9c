// DB-MTL (Lin et al., "Dual-Balancing for Multi-Task Learning", 2023, §3.1-3.2 / Alg. 1): loss-scale
// balancing takes the gradient of log L_t, i.e. g_t / L_t; gradient-magnitude balancing keeps an EMA
//     ĝ_t ← β_k ĝ_t + (1 − β_k) g_t / L_t,   β_k = β / k^σ  (k = 1, 2, …; LibMTL's DB_beta, DB_beta_sigma)
// and rescales every task to the largest norm: d = Σ_t (max_j ‖ĝ_j‖ / ‖ĝ_t‖) ĝ_t. The EMA lives in
// the space of the shared parameters, so the method needs the Jacobian and parameter gradients.
import { OptionError } from '../../errors.ts';
import { assertMode, inputJacobian, inputLosses } from '../core.ts';
import type { Aggregator } from '../types.ts';

export interface DbMtlState {
  readonly step: number;
  /** T × P EMA of the log-loss gradients (null before the first step). */
  readonly buffer: Float64Array | null;
}

export function dbMtl(opts: { beta?: number; betaSigma?: number } = {}): Aggregator<DbMtlState> {
  const beta = opts.beta ?? 0.9;
  const sigma = opts.betaSigma ?? 0;
  if (!(beta >= 0 && beta <= 1)) throw new OptionError('--db-beta', `must be in [0, 1], got ${beta}`);
  if (!(sigma >= 0)) throw new OptionError('--db-beta-sigma', `must be ≥ 0, got ${sigma}`);
  const agg: Aggregator<DbMtlState> = {
    name: 'db-mtl',
    paper: 'Lin et al. 2023, §3.1-3.2 and Alg. 1 (log-loss gradients, EMA, magnitude balancing)',
    modes: ['jacobian', 'backward'],
    modeNote: 'its gradient EMA is kept in parameter space across steps; representation gradients change with every batch',
    needs: 'jacobian',
    init: () => ({ step: 0, buffer: null }),
    aggregate(input, state) {
      assertMode('aggregator', agg, input.mode);
      const G = inputJacobian('db-mtl', input);
      const T = G.rows;
      const P = G.cols;
      const L = inputLosses('db-mtl', input.losses, T, true);
      const k = state.step + 1;
      const bk = beta / k ** sigma;
      const prev = state.buffer && state.buffer.length === T * P ? state.buffer : new Float64Array(T * P);
      const buf = new Float64Array(T * P);
      const norms = new Float64Array(T);
      for (let t = 0; t < T; t++) {
        let s = 0;
        const inv = 1 / L[t]!;
        for (let j = 0; j < P; j++) {
          const g = G.data[t * P + j]! * inv;
          const v = g + bk * (prev[t * P + j]! - g);
          buf[t * P + j] = v;
          s += v * v;
        }
        norms[t] = Math.sqrt(s);
      }
      let top = 0;
      for (let t = 0; t < T; t++) top = Math.max(top, norms[t]!);
      const d = new Float64Array(P);
      for (let t = 0; t < T; t++) {
        const a = top / (norms[t]! + 1e-8);
        for (let j = 0; j < P; j++) d[j]! += a * buf[t * P + j]!;
      }
      return { kind: 'direction', direction: d, state: { step: k, buffer: buf }, mode: input.mode };
    },
  };
  return agg;
}
