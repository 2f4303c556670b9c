// Optimisers as optax-style gradient transformations (Babuschkin et al., "The DeepMind JAX
// Ecosystem", 2020): init(params) → state; update(grads, state, params) turns gradients into
// updates; applyUpdates adds them to the parameters. Composition by `chain`, not by subclassing.
//
// Why in place: on small networks the per-step overhead decides speed, so `update` overwrites the
// gradient buffers with the updates and advances the state's own buffers, allocating nothing.
// The state is explicit and plain (counts and typed arrays), so checkpoints serialise it exactly.
import type { Data, Param } from '../tensor.ts';

export interface OptState {
  /** Name of the transformation that owns this state (checked on resume). */
  readonly kind: string;
  /** Number of updates applied so far (bias correction, schedules). */
  count: number;
  /** Per-slot buffers, each one Data per parameter (e.g. Adam: [m, v]). */
  readonly slots: Data[][];
  /** States of chained transformations. */
  readonly children: OptState[];
}

export interface GradientTransformation {
  readonly kind: string;
  init(params: readonly Param[]): OptState;
  /** Overwrite `grads` (one buffer per parameter) with the updates; advance `state`. */
  update(grads: Data[], state: OptState, params: readonly Param[]): void;
}

export function emptyState(kind: string): OptState {
  return { kind, count: 0, slots: [], children: [] };
}

export function zerosLike(params: readonly Param[]): Data[] {
  return params.map((p) => (p.dtype === 'float32' ? new Float32Array(p.size) : new Float64Array(p.size)));
}

/** Apply transformations in order (the output of one is the input of the next). */
export function chain(...ts: readonly GradientTransformation[]): GradientTransformation {
  return {
    kind: `chain(${ts.map((t) => t.kind).join(',')})`,
    init(params) {
      return { kind: this.kind, count: 0, slots: [], children: ts.map((t) => t.init(params)) };
    },
    update(grads, state, params) {
      for (let i = 0; i < ts.length; i++) ts[i]!.update(grads, state.children[i]!, params);
      state.count++;
    },
  };
}

/** p ← p + u for every parameter. */
export function applyUpdates(params: readonly Param[], updates: readonly Data[]): void {
  for (let j = 0; j < params.length; j++) {
    const p = params[j]!.data, u = updates[j]!;
    for (let i = 0; i < p.length; i++) p[i] += u[i]!;
  }
}

/** A learning rate: a constant or a schedule of the step count (0-based). */
export type Schedule = (step: number) => number;

/** u ← −lr(step)·u (optax scale_by_learning_rate). */
export function scaleByLearningRate(lr: number | Schedule): GradientTransformation {
  const f: Schedule = typeof lr === 'number' ? () => lr : lr;
  return {
    kind: 'scale_by_lr',
    init: () => emptyState('scale_by_lr'),
    update(grads, state) {
      const s = -f(state.count);
      for (const g of grads) for (let i = 0; i < g.length; i++) g[i]! *= s;
      state.count++;
    },
  };
}

/**
 * Decoupled weight decay (Loshchilov & Hutter 2019, AdamW, Alg. 2 line 12): u ← u + wd·p, placed
 * before the learning-rate scaling. Placed before Adam it is coupled L2 regularisation (PyTorch
 * Adam/SGD `weight_decay`). `mask(p)` false skips a parameter (e.g. biases).
 */
export function addDecayedWeights(wd: number, mask?: (p: Param) => boolean): GradientTransformation {
  return {
    kind: 'add_decayed_weights',
    init: () => emptyState('add_decayed_weights'),
    update(grads, state, params) {
      if (wd !== 0) {
        for (let j = 0; j < params.length; j++) {
          const p = params[j]!;
          if (mask && !mask(p)) continue;
          const g = grads[j]!, d = p.data;
          for (let i = 0; i < g.length; i++) g[i] += wd * d[i]!;
        }
      }
      state.count++;
    },
  };
}

/** Global gradient-norm clipping (Pascanu et al. 2013, §3.2): u ← u·min(1, c/‖u‖₂) over all parameters. */
export function clipByGlobalNorm(maxNorm: number): GradientTransformation {
  return {
    kind: 'clip_by_global_norm',
    init: () => emptyState('clip_by_global_norm'),
    update(grads, state) {
      let s = 0;
      for (const g of grads) for (let i = 0; i < g.length; i++) s += g[i]! * g[i]!;
      const n = Math.sqrt(s);
      if (n > maxNorm) {
        const f = maxNorm / n;
        for (const g of grads) for (let i = 0; i < g.length; i++) g[i]! *= f;
      }
      state.count++;
    },
  };
}
