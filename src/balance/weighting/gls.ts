// Geometric loss strategy (Chennupati et al., "MultiNet++", CVPR Workshops 2019, eq. 2):
//     objective = (Π_t L_t)^{1/T},   w_t = ∂/∂L_t = objective / (T L_t).
// Computed through logarithms; the losses must be positive.
import { lossWeighting } from '../core.ts';

export function glsObjective(L: ArrayLike<number>): number {
  let s = 0;
  for (let t = 0; t < L.length; t++) s += Math.log(L[t]!);
  return Math.exp(s / L.length);
}

export function gls() {
  return lossWeighting<null>({
    name: 'gls',
    paper: 'Chennupati et al., CVPR-W 2019, eq. 2 (geometric mean of the losses)',
    positive: true,
    init: () => null,
    step: (input) => {
      const L = input.losses;
      const T = L.length;
      const o = glsObjective(L);
      return { weights: Float64Array.from(L, (l) => o / (T * l)), objective: o, state: null };
    },
  });
}
