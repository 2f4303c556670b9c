// Adapters from the balancing contracts (src/balance/types.ts) to the neural trainer's hooks
// (src/nn/train/hooks.ts): the trainer computes the per-task losses, the Jacobian (or representation
// gradients) and the Gramian, and calls these once per step. Methods that need something the
// trainer's hooks do not provide yet are refused here with the reason:
//  - GradNorm and ExcessMTL read per-task gradients, but the loss-weighting hook only sees losses;
//  - FAMO needs the losses of the same batch after the optimiser step (no such hook yet);
//  - GradDrop needs the representation's values, which the aggregator hook does not pass.
import { OptionError } from '../errors.ts';
import { Matrix } from '../linalg/matrix.ts';
import type { GradientAggregator, LossWeighting } from '../nn/train/hooks.ts';
import { createAggregator, createWeighting, type MethodOptions } from './index.ts';
import type { GradMode } from './types.ts';

export const TRAINER_WEIGHTINGS = ['ew', 'uw', 'dwa', 'gls', 'rlw', 'stch', 'imtl-l'] as const;
export const TRAINER_AGGREGATORS = ['mean', 'sum', 'mgda', 'mgda-ub', 'pcgrad', 'gradvac', 'cagrad', 'nash-mtl', 'imtl-g', 'aligned-mtl', 'upgrad', 'dualproj', 'fairgrad', 'config', 'db-mtl', 'moco', 'random'] as const;

const WHY: Readonly<Record<string, string>> = {
  gradnorm: 'it reads per-task gradient norms, which the trainer\'s loss-weighting hook does not pass yet',
  'excess-mtl': 'it reads per-task gradients, which the trainer\'s loss-weighting hook does not pass yet',
  famo: 'it needs the losses of the same batch after the optimiser step, which the trainer does not report yet',
  graddrop: 'it needs the representation values, which the trainer\'s aggregator hook does not pass yet',
};

/** The trainer's LossWeighting for weighting `name`; the run's grad mode is recorded in every call. */
export function trainerWeighting(name: string, options: MethodOptions, mode: GradMode): LossWeighting {
  if (WHY[name]) throw new OptionError('--weighting', `${name} cannot be used with the neural trainer yet: ${WHY[name]}`);
  const w = createWeighting(name, options);
  return {
    name: w.name,
    init: (T) => w.init(T),
    weights(input, state) {
      const out = w.weigh({ mode, losses: input.losses, epoch: input.epoch }, state);
      return { weights: out.weights, state: out.state };
    },
  };
}

/** The trainer's GradientAggregator for aggregator `name`. */
export function trainerAggregator(name: string, options: MethodOptions): GradientAggregator {
  if (WHY[name]) throw new OptionError('--aggregator', `${name} cannot be used with the neural trainer yet: ${WHY[name]}`);
  const a = createAggregator(name, options);
  return {
    name: a.name,
    needs: a.needs,
    modes: a.modes,
    init: (T) => a.init(T),
    aggregate(input, state) {
      const T = input.T;
      const J = input.jacobian;
      const jacobian = J ? (J.data instanceof Float32Array ? new Matrix(J.rows, J.cols, J.data) : new Matrix(J.rows, J.cols, Float64Array.from(J.data))) : undefined;
      const out = a.aggregate({ mode: input.mode, gramian: new Matrix(T, T, input.gramian), losses: input.losses, ...(jacobian ? { jacobian } : {}) }, state);
      return out.kind === 'weights' ? { weights: out.weights, state: out.state } : { direction: out.direction, state: out.state };
    },
  };
}
