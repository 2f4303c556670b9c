// GradNorm (Chen et al., "GradNorm: Gradient Normalization for Adaptive Loss Balancing", ICML 2018,
// eq. 1-2) with LibMTL's parametrisation w = T softmax(s) (weights stay positive and sum to T, the
// paper's renormalisation): with G_t = w_t ‖g_t‖ (g_t: gradient of L_t at the shared parameters the
// trainer chose — the paper uses the last shared layer), L̃_t = L_t / L_t(0), r_t = L̃_t / mean(L̃),
//     L_grad = Σ_t |G_t − mean(G) r_t^α|     (mean(G) r^α held constant, eq. 2),
// ∂L_grad/∂w_t = sign(G_t − target_t) ‖g_t‖, and s takes an Adam step along
// J_{T softmax}(s)ᵀ ∂L_grad/∂w. The network's objective is Σ_t w_t L_t with the current w.
// L(0) are the losses of the first call. Needs ‖g_t‖ only: the diagonal of the Gramian.
import { adamInit, adamStep, gramianOf, lossWeighting, positiveOption, softmax, weightedSum, type AdamState } from '../core.ts';
import { ShapeError } from '../../errors.ts';

export interface GradNormState {
  readonly s: Float64Array;
  readonly adam: AdamState;
  readonly initial: Float64Array | null;
}

/** L_grad and its gradient with respect to the logits s. */
export function gradnormLoss(s: Float64Array, norms: ArrayLike<number>, L: ArrayLike<number>, L0: ArrayLike<number>, alpha: number): { loss: number; grad: Float64Array } {
  const T = s.length;
  const p = softmax(s);
  const w = p.map((v) => T * v);
  const G = w.map((v, t) => v * norms[t]!);
  const Gbar = G.reduce((a, b) => a + b, 0) / T;
  const rel = Float64Array.from({ length: T }, (_, t) => L[t]! / L0[t]!);
  const rbar = rel.reduce((a, b) => a + b, 0) / T;
  let loss = 0;
  const dw = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    const target = Gbar * (rel[t]! / rbar) ** alpha;
    const diff = G[t]! - target;
    loss += Math.abs(diff);
    dw[t] = Math.sign(diff) * norms[t]!;
  }
  // w = T softmax(s): ∂w_t/∂s_k = T p_t (δ_tk − p_k)
  let pd = 0;
  for (let t = 0; t < T; t++) pd += p[t]! * dw[t]!;
  return { loss, grad: p.map((v, k) => T * v * (dw[k]! - pd)) };
}

export function gradnorm(opts: { alpha?: number; lr?: number } = {}) {
  const alpha = positiveOption('gradnorm', 'alpha', opts.alpha ?? 1.5, true);
  const lr = positiveOption('gradnorm', 'lr', opts.lr ?? 1e-3);
  return lossWeighting<GradNormState>({
    name: 'gradnorm',
    paper: 'Chen et al., ICML 2018, eq. 1-2 (gradient normalisation)',
    needs: 'gramian',
    positive: true,
    init: (T) => ({ s: new Float64Array(T), adam: adamInit(T), initial: null }),
    step: (input, state) => {
      const L = input.losses;
      const T = L.length;
      const K = input.gramian ?? (input.jacobian ? gramianOf(input.jacobian) : null);
      if (!K) throw new ShapeError('gradnorm: needs the Gramian (or Jacobian) of the task gradients');
      if (K.rows !== T) throw new ShapeError(`gradnorm: Gramian is ${K.rows}×${K.cols} for ${T} losses`);
      const norms = Float64Array.from({ length: T }, (_, t) => Math.sqrt(Math.max(K.data[t * T + t]!, 0)));
      const w = softmax(state.s).map((v) => T * v);
      const L0 = state.initial ?? Float64Array.from(L);
      const { loss, grad } = gradnormLoss(state.s, norms, L, L0, alpha);
      const u = adamStep(state.s, grad, state.adam, lr);
      return { weights: w, objective: weightedSum(w, L), state: { s: u.x, adam: u.state, initial: L0 }, info: { gradLoss: loss } };
    },
  });
}
