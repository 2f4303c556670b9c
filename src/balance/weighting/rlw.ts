// Random loss weighting (Lin et al., "Reasonable Effectiveness of Random Weighting: A Litmus Test
// for Multi-Task Learning", TMLR 2022, §3): w = softmax(z), z ~ N(0, I) drawn every step (LibMTL's
// default distribution), from Random(seed, call).
import { lossWeighting, softmax, stepRandom, weightedSum } from '../core.ts';
import type { SeededState } from '../aggregator/pcgrad.ts';

export function rlw(opts: { seed?: number } = {}) {
  return lossWeighting<SeededState>({
    name: 'rlw',
    paper: 'Lin et al., TMLR 2022, §3 (random loss weights, softmax of standard normals)',
    init: () => ({ seed: opts.seed ?? 0, calls: 0 }),
    step: (input, state) => {
      const w = softmax(stepRandom(state.seed, state.calls).normals(input.losses.length));
      return { weights: w, objective: weightedSum(w, input.losses), state: { seed: state.seed, calls: state.calls + 1 } };
    },
  });
}
