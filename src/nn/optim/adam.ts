// Adam (Kingma & Ba 2015, Algorithm 1) and AdamW (Loshchilov & Hutter 2019, Algorithm 2), in the
// form of PyTorch's implementation:  m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,
// u = m̂/(√v̂ + ε) with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ);  p ← p − lr·u  (AdamW: p ← p − lr·(u + λp)).
import { OptionError } from '../../errors.ts';
import { kernels } from '../../linalg/backend.ts';
import { addDecayedWeights, chain, emptyState, scaleByLearningRate, zerosLike } from './transform.ts';
import type { GradientTransformation, Schedule } from './transform.ts';

export function scaleByAdam(b1 = 0.9, b2 = 0.999, eps = 1e-8): GradientTransformation {
  if (!(b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1)) throw new OptionError('betas', `Adam betas must be in [0, 1), got ${b1}, ${b2}`);
  if (!(eps >= 0)) throw new OptionError('eps', `must be ≥ 0, got ${eps}`);
  return {
    kind: 'scale_by_adam',
    init(params) {
      const s = emptyState('scale_by_adam');
      s.slots.push(zerosLike(params), zerosLike(params));
      return s;
    },
    update(grads, state) {
      const t = state.count + 1;
      const bc1 = 1 - Math.pow(b1, t), bc2 = 1 - Math.pow(b2, t);
      const sbc2 = Math.sqrt(bc2);
      const ms = state.slots[0]!, vs = state.slots[1]!;
      // one kernel call per parameter: the backend's adam, PyTorch's (m/bc1) / (√v/√bc2 + ε) in double
      const k = kernels().nn;
      for (let j = 0; j < grads.length; j++) {
        const g = grads[j]!;
        k.adam(g.length, g, ms[j]!, vs[j]!, b1, b2, bc1, sbc2, eps);
      }
      state.count = t;
    },
  };
}

export interface AdamOptions {
  readonly lr: number | Schedule;
  readonly b1?: number;
  readonly b2?: number;
  readonly eps?: number;
  /** Adam: coupled L2 (added to the gradient, PyTorch Adam `weight_decay`); AdamW: decoupled λ. */
  readonly weightDecay?: number;
}

export function adam(o: AdamOptions): GradientTransformation {
  const parts: GradientTransformation[] = [];
  if (o.weightDecay) parts.push(addDecayedWeights(o.weightDecay));
  parts.push(scaleByAdam(o.b1, o.b2, o.eps), scaleByLearningRate(o.lr));
  return chain(...parts);
}

/** AdamW; weight decay default 0.01 as PyTorch. */
export function adamw(o: AdamOptions): GradientTransformation {
  return chain(scaleByAdam(o.b1, o.b2, o.eps), addDecayedWeights(o.weightDecay ?? 0.01), scaleByLearningRate(o.lr));
}
