// Equal weighting: objective Σ_t L_t ('sum', LibMTL's EW — weight 1 per task, although its docstring
// says 1/T) or (1/T) Σ_t L_t ('mean'). The two differ only by the learning-rate scale T.
import { OptionError } from '../../errors.ts';
import { filled, lossWeighting, weightedSum } from '../core.ts';

export function ew(opts: { reduction?: 'sum' | 'mean' } = {}) {
  const reduction = opts.reduction ?? 'sum';
  if (reduction !== 'sum' && reduction !== 'mean') throw new OptionError('--ew-reduction', `must be sum or mean, got "${reduction}"`);
  return lossWeighting<null>({
    name: 'ew',
    paper: `equal weights, objective ${reduction === 'sum' ? 'Σ_t L_t' : '(1/T) Σ_t L_t'}`,
    init: () => null,
    step: (input) => {
      const w = filled(input.losses.length, reduction === 'sum' ? 1 : 1 / input.losses.length);
      return { weights: w, objective: weightedSum(w, input.losses), state: null };
    },
  });
}
