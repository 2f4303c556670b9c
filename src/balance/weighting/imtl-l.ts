// IMTL-L (Liu et al., "Towards Impartial Multi-task Learning", ICLR 2021, §3.2, eq. 4): learnable
// log-scales s_t, objective Σ_t e^{s_t} L_t − s_t, so that the scaled losses are driven to 1
// (∂/∂s_t = e^{s_t} L_t − 1 = 0); w_t = e^{s_t}. s starts at 0 and is updated by Adam (`lr`).
import { adamInit, adamStep, lossWeighting, positiveOption } from '../core.ts';
import type { LogScaleState } from './uw.ts';

export function imtlLObjective(L: ArrayLike<number>, s: ArrayLike<number>): number {
  let o = 0;
  for (let t = 0; t < L.length; t++) o += Math.exp(s[t]!) * L[t]! - s[t]!;
  return o;
}

export function imtlL(opts: { lr?: number } = {}) {
  const lr = positiveOption('imtl-l', 'lr', opts.lr ?? 1e-3);
  return lossWeighting<LogScaleState>({
    name: 'imtl-l',
    paper: 'Liu et al., ICLR 2021, §3.2 eq. 4 (scale-invariant loss balancing)',
    init: (T) => ({ s: new Float64Array(T), adam: adamInit(T) }),
    step: (input, state) => {
      const L = input.losses;
      const T = L.length;
      const w = new Float64Array(T);
      const gs = new Float64Array(T);
      for (let t = 0; t < T; t++) {
        w[t] = Math.exp(state.s[t]!);
        gs[t] = w[t]! * L[t]! - 1;
      }
      const objective = imtlLObjective(L, state.s);
      const u = adamStep(state.s, gs, state.adam, lr);
      return { weights: w, objective, state: { s: u.x, adam: u.state } };
    },
  });
}
