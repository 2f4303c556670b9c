// Uncertainty weighting (Kendall, Gal & Cipolla, "Multi-Task Learning Using Uncertainty to Weigh
// Losses", CVPR 2018, eq. 7 in the log-variance form of LibMTL): learnable s_t = log σ_t²,
//     objective = Σ_t L_t / (2 e^{s_t}) + s_t / 2,   w_t = ∂/∂L_t = e^{−s_t} / 2,
//     ∂/∂s_t = −L_t e^{−s_t} / 2 + 1/2,
// s initialised at −0.5 (LibMTL) and updated after each step by Adam with learning rate `lr` (in
// LibMTL s shares the network's optimiser). The weights returned are those at the current s.
import { adamInit, adamStep, lossWeighting, positiveOption, type AdamState } from '../core.ts';

export interface LogScaleState {
  readonly s: Float64Array;
  readonly adam: AdamState;
}

export function uwObjective(L: ArrayLike<number>, s: ArrayLike<number>): number {
  let o = 0;
  for (let t = 0; t < L.length; t++) o += L[t]! / (2 * Math.exp(s[t]!)) + s[t]! / 2;
  return o;
}

export function uw(opts: { lr?: number; init?: number } = {}) {
  const lr = positiveOption('uw', 'lr', opts.lr ?? 1e-3);
  const s0 = opts.init ?? -0.5;
  return lossWeighting<LogScaleState>({
    name: 'uw',
    paper: 'Kendall, Gal & Cipolla, CVPR 2018, eq. 7 (homoscedastic uncertainty, s = log σ²)',
    init: (T) => ({ s: new Float64Array(T).fill(s0), adam: adamInit(T) }),
    step: (input, state) => {
      const L = input.losses;
      const T = L.length;
      const w = new Float64Array(T);
      const gs = new Float64Array(T);
      for (let t = 0; t < T; t++) {
        w[t] = Math.exp(-state.s[t]!) / 2;
        gs[t] = -L[t]! * w[t]! + 0.5;
      }
      const objective = uwObjective(L, state.s);
      const u = adamStep(state.s, gs, state.adam, lr);
      return { weights: w, objective, state: { s: u.x, adam: u.state } };
    },
  });
}
