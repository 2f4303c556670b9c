// SGD with momentum and Nesterov momentum, as PyTorch's torch.optim.SGD (dampening 0):
// b ← μ·b + g; u = g + μ·b (Nesterov, Sutskever et al. 2013) or u = b; p ← p − lr·u.
import { OptionError } from '../../errors.ts';
import { addDecayedWeights, chain, emptyState, scaleByLearningRate, zerosLike } from './transform.ts';
import type { GradientTransformation, Schedule } from './transform.ts';

/** optax `trace`: the momentum buffer. */
export function trace(momentum: number, nesterov = false): GradientTransformation {
  if (!(momentum >= 0 && momentum < 1)) throw new OptionError('momentum', `must be in [0, 1), got ${momentum}`);
  return {
    kind: 'trace',
    init(params) {
      const s = emptyState('trace');
      s.slots.push(zerosLike(params));
      return s;
    },
    update(grads, state) {
      const bufs = state.slots[0]!;
      const first = state.count === 0;
      for (let j = 0; j < grads.length; j++) {
        const g = grads[j]!, b = bufs[j]!;
        for (let i = 0; i < g.length; i++) {
          // PyTorch initialises the buffer with the first gradient (b₁ = g₁), same as μ·0 + g₁
          const bi = first ? g[i]! : momentum * b[i]! + g[i]!;
          b[i] = bi;
          g[i] = nesterov ? g[i]! + momentum * bi : bi;
        }
      }
      state.count++;
    },
  };
}

export interface SgdOptions {
  readonly lr: number | Schedule;
  readonly momentum?: number;
  readonly nesterov?: boolean;
  /** Coupled L2 weight decay (added to the gradient before momentum), as PyTorch. */
  readonly weightDecay?: number;
}

export function sgd(o: SgdOptions): GradientTransformation {
  const parts: GradientTransformation[] = [];
  if (o.weightDecay) parts.push(addDecayedWeights(o.weightDecay));
  if (o.momentum) parts.push(trace(o.momentum, o.nesterov ?? false));
  else if (o.nesterov) throw new OptionError('nesterov', 'Nesterov momentum needs a momentum > 0');
  parts.push(scaleByLearningRate(o.lr));
  return chain(...parts);
}
