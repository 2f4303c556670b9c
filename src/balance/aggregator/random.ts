// Random weighting of the gradients (Lin et al., "Reasonable Effectiveness of Random Weighting",
// TMLR 2022, the RLW variant applied to gradients; torchjd's Random): w = softmax(z), z ~ N(0, I),
// drawn afresh at every call from Random(seed, call).
import { gramianAggregator, softmax, stepRandom } from '../core.ts';
import type { SeededState } from './pcgrad.ts';

export function randomAggregator(opts: { seed?: number } = {}) {
  return gramianAggregator<SeededState>({
    name: 'random',
    paper: 'Lin et al., TMLR 2022 (random loss/gradient weighting, w = softmax(z), z ~ N(0, I))',
    init: () => ({ seed: opts.seed ?? 0, calls: 0 }),
    weights: (K, _input, state) => {
      const z = stepRandom(state.seed, state.calls).normals(K.rows);
      return { weights: softmax(z), state: { seed: state.seed, calls: state.calls + 1 } };
    },
  });
}
