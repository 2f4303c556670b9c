// FAMO (Liu et al., "FAMO: Fast Adaptive Multitask Optimization", NeurIPS 2023, Alg. 1, as in the
// authors' code and LibMTL): logits ξ (init 0), z = softmax(ξ), D_t = L_t − L_t^min + 1e-8 (L^min = 0),
//     objective = Σ_t z_t log D_t / c,  c = Σ_t z_t / D_t (c held constant),  w_t = z_t / (c D_t);
// after the optimiser step the trainer evaluates the same batch again and calls afterStep(L'): with
// δ_t = log D_t − log D'_t, the logits take an Adam step (lr 0.025, weight decay 1e-3) along the
// gradient J_softmax(ξ)ᵀ δ = z ∘ (δ − zᵀδ).
import { adamInit, adamStep, lossWeighting, positiveOption, softmax, type AdamState } from '../core.ts';

export interface FamoState {
  readonly xi: Float64Array;
  readonly adam: AdamState;
  readonly prev: Float64Array | null;
}

export function famoLogitGradient(xi: Float64Array, prev: ArrayLike<number>, next: ArrayLike<number>): Float64Array {
  const z = softmax(xi);
  const T = xi.length;
  const delta = Float64Array.from({ length: T }, (_, t) => Math.log(prev[t]! + 1e-8) - Math.log(next[t]! + 1e-8));
  let zd = 0;
  for (let t = 0; t < T; t++) zd += z[t]! * delta[t]!;
  return z.map((v, t) => v * (delta[t]! - zd));
}

export function famo(opts: { lr?: number; weightDecay?: number } = {}) {
  const lr = positiveOption('famo', 'lr', opts.lr ?? 0.025);
  const wd = positiveOption('famo', 'weightDecay', opts.weightDecay ?? 1e-3, true);
  return lossWeighting<FamoState>({
    name: 'famo',
    paper: 'Liu et al., NeurIPS 2023, Alg. 1 (fast adaptive multitask optimisation)',
    init: (T) => ({ xi: new Float64Array(T), adam: adamInit(T), prev: null }),
    step: (input, state) => {
      const L = input.losses;
      for (let t = 0; t < L.length; t++) if (!(L[t]! >= 0)) throw new RangeError(`famo: loss of task ${t} is ${L[t]}; FAMO needs losses ≥ 0 (above their minimum 0)`);
      const z = softmax(state.xi);
      const D = Float64Array.from(L, (l) => l + 1e-8);
      let c = 0;
      for (let t = 0; t < L.length; t++) c += z[t]! / D[t]!;
      let o = 0;
      for (let t = 0; t < L.length; t++) o += (z[t]! * Math.log(D[t]!)) / c;
      return { weights: z.map((v, t) => v / (c * D[t]!)), objective: o, state: { ...state, prev: Float64Array.from(L) } };
    },
    afterStep: (after, state) => {
      if (!state.prev) throw new RangeError('famo: afterStep called before weigh');
      if (after.length !== state.prev.length) throw new RangeError(`famo: ${after.length} losses after the step for ${state.prev.length} tasks`);
      const g = famoLogitGradient(state.xi, state.prev, after);
      const u = adamStep(state.xi, g, state.adam, lr, wd);
      return { xi: u.x, adam: u.state, prev: null };
    },
  });
}
