// Adapters from the balancing contracts (src/balance/types.ts) to the neural trainer's hooks
// (src/nn/train/hooks.ts): the trainer computes the per-task losses, the Jacobian (or representation
// gradients) and the Gramian, and calls these once per step. Every method of src/balance runs:
//  - GradNorm reads the norms of the raw task gradients of the LAST shared layer (Chen et al. 2018,
//    §3; 'rep' mode: of the representation, as LibMTL's rep_grad) and updates its own weights (α);
//  - ExcessMTL reads the task gradients of all shared parameters (its AdaGrad accumulator lives in
//    parameter space: 'rep' is refused);
//  - FAMO gets the same batch's losses after the optimiser step (afterStep);
//  - GradDrop gets the representation values and the batch size ('rep' mode only).
import { OptionError } from '../errors.ts';
import { Matrix, type FloatArray } from '../linalg/matrix.ts';
import type { GradientAggregator, LossWeighting } from '../nn/train/hooks.ts';
import type { TaskMatrix } from '../nn/mtl.ts';
import { createAggregator, createWeighting, type MethodOptions } from './index.ts';
import type { GradMode } from './types.ts';

export const TRAINER_WEIGHTINGS = ['ew', 'uw', 'dwa', 'gls', 'rlw', 'stch', 'imtl-l', 'gradnorm', 'famo', 'excess-mtl'] as const;
export const TRAINER_AGGREGATORS = ['mean', 'sum', 'mgda', 'mgda-ub', 'pcgrad', 'gradvac', 'cagrad', 'nash-mtl', 'imtl-g', 'aligned-mtl', 'upgrad', 'dualproj', 'fairgrad', 'config', 'db-mtl', 'moco', 'graddrop', 'random'] as const;

function asMatrix(J: TaskMatrix): Matrix<FloatArray> {
  return J.data instanceof Float32Array ? new Matrix(J.rows, J.cols, J.data) : new Matrix(J.rows, J.cols, Float64Array.from(J.data));
}

/** The trainer's LossWeighting for weighting `name`; the run's grad mode is recorded in every call. */
export function trainerWeighting(name: string, options: MethodOptions, mode: GradMode): LossWeighting {
  const w = createWeighting(name, options);
  if (w.needs !== 'losses' && !w.modes.includes(mode)) {
    throw new OptionError('--grad-mode', `weighting ${name} is not defined for grad mode "${mode}" (it supports: ${w.modes.join(', ')})${w.modeNote ? `: ${w.modeNote}` : ''}`);
  }
  const afterStep = w.afterStep;
  return {
    name: w.name,
    needs: w.needs,
    modes: w.modes,
    gradients: name === 'gradnorm' ? 'last-shared-layer' : 'shared',
    init: (T) => w.init(T),
    weights(input, state) {
      const T = input.losses.length;
      const grads = input.jacobian ? { jacobian: asMatrix(input.jacobian), ...(input.gramian ? { gramian: new Matrix(T, T, input.gramian) } : {}) } : {};
      const out = w.weigh({ mode: input.mode ?? mode, losses: input.losses, epoch: input.epoch, ...grads }, state);
      return { weights: out.weights, state: out.state };
    },
    ...(afterStep ? { afterStep: (after: Float64Array, state: unknown) => afterStep.call(w, after, state) } : {}),
  };
}

/** The trainer's GradientAggregator for aggregator `name`. */
export function trainerAggregator(name: string, options: MethodOptions): GradientAggregator {
  const a = createAggregator(name, options);
  return {
    name: a.name,
    needs: a.needs,
    modes: a.modes,
    init: (T) => a.init(T),
    aggregate(input, state) {
      const T = input.T;
      const jacobian = input.jacobian ? asMatrix(input.jacobian) : undefined;
      const rep = input.representation ? { representation: input.representation, batch: input.batch ?? 1 } : {};
      const out = a.aggregate({ mode: input.mode, gramian: new Matrix(T, T, input.gramian), losses: input.losses, ...(jacobian ? { jacobian } : {}), ...rep }, state);
      return out.kind === 'weights' ? { weights: out.weights, state: out.state } : { direction: out.direction, state: out.state };
    },
  };
}
