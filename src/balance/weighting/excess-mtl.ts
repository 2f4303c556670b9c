// ExcessMTL (He et al., "Robust Multi-Task Learning with Excess Risks", ICML 2024, Alg. 1, as in the
// authors' LibMTL code): the excess risk of task t is estimated from its gradient with an AdaGrad
// diagonal preconditioner, H_t = √(Σ_steps g_t² + 1e-7) (elementwise), e_t = g_tᵀ diag(H_t)⁻¹ g_t;
// the first call records e(1) and keeps λ = 1; later calls update
//     λ_t ← λ_t exp(η e_t / e_t(1)),   λ ← T λ / Σ λ,
// and the network's objective is Σ_t λ_t L_t. The accumulator lives in the space of the gradients
// (T × P): needs the Jacobian.
import { ShapeError } from '../../errors.ts';
import { lossWeighting, positiveOption, softmax, weightedSum } from '../core.ts';

export interface ExcessState {
  readonly sumSq: Float64Array | null;
  readonly initial: Float64Array | null;
  readonly lambda: Float64Array | null;
}

export function excessMtl(opts: { stepSize?: number } = {}) {
  const eta = positiveOption('excess-mtl', 'stepSize', opts.stepSize ?? 1e-2);
  return lossWeighting<ExcessState>({
    name: 'excess-mtl',
    paper: 'He et al., ICML 2024, Alg. 1 (excess-risk weighting with an AdaGrad preconditioner)',
    needs: 'jacobian',
    modes: ['jacobian', 'backward'],
    modeNote: 'its AdaGrad accumulator estimates each task\'s excess risk in parameter space; representation gradients change meaning with every batch',
    init: () => ({ sumSq: null, initial: null, lambda: null }),
    step: (input, state) => {
      const L = input.losses;
      const T = L.length;
      const G = input.jacobian;
      if (!G) throw new ShapeError('excess-mtl: needs the Jacobian of the task gradients');
      if (G.rows !== T) throw new ShapeError(`excess-mtl: Jacobian has ${G.rows} rows for ${T} losses`);
      const P = G.cols;
      const sumSq = state.sumSq && state.sumSq.length === T * P ? Float64Array.from(state.sumSq) : new Float64Array(T * P);
      const e = new Float64Array(T);
      for (let t = 0; t < T; t++) {
        let s = 0;
        for (let j = 0; j < P; j++) {
          const g = G.data[t * P + j]!;
          const acc = (sumSq[t * P + j]! += g * g);
          s += (g * g) / Math.sqrt(acc + 1e-7);
        }
        e[t] = s;
      }
      let lambda = state.lambda ?? new Float64Array(T).fill(1);
      let initial = state.initial;
      if (!initial) {
        initial = e;
      } else {
        // λ ← λ·exp(η e/e(1)) renormalised, computed as T·softmax(log λ + η e/e(1)) so that a long run
        // cannot overflow.
        const z = lambda.map((v, t) => Math.log(v) + (eta * e[t]!) / (initial![t]! || 1));
        lambda = softmax(z).map((v) => T * v);
      }
      return { weights: Float64Array.from(lambda), objective: weightedSum(lambda, L), state: { sumSq, initial, lambda } };
    },
  });
}
