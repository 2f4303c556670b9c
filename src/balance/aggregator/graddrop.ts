// GradDrop (Chen et al., "Just Pick a Sign: Optimizing Deep Multitask Models with Gradient Sign
// Dropout", NeurIPS 2020, eq. 1-3 / Alg. 1), on representation gradients only. With the
// representation A (batch × features) and per-task gradients ∇_t = ∂L_t/∂A:
//     S_t = Σ_batch sign(A) ∘ ∇_t                         (sign-corrected, summed over the batch)
//     P = ½ (1 + Σ_t S_t / (Σ_t |S_t| + 1e-7))             (gradient positive sign purity, eq. 1)
//     M_t = 1[P > U] 1[S_t > 0] + 1[P < U] 1[S_t < 0],  U ~ Uniform(0, 1) per feature (eq. 2)
//     output = Σ_t (ℓ_t + (1 − ℓ_t) M_t) ∘ ∇_t            (leak ℓ, eq. 3; mask shared over the batch)
// so at each feature only tasks whose summed gradient has the drawn sign pass. U is drawn from
// Random(seed, call).
import { OptionError, ShapeError } from '../../errors.ts';
import { assertMode, inputJacobian, stepRandom } from '../core.ts';
import type { Aggregator } from '../types.ts';
import type { SeededState } from './pcgrad.ts';

export function graddrop(opts: { leak?: number | readonly number[]; seed?: number } = {}): Aggregator<SeededState> {
  const agg: Aggregator<SeededState> = {
    name: 'graddrop',
    paper: 'Chen et al., NeurIPS 2020, eq. 1-3 (gradient sign dropout on the shared representation)',
    modes: ['rep'],
    modeNote: 'GradDrop masks gradients of the shared representation by the sign of the activations; run with --grad-mode rep',
    needs: 'jacobian',
    init: () => ({ seed: opts.seed ?? 0, calls: 0 }),
    aggregate(input, state) {
      assertMode('aggregator', agg, input.mode);
      const G = inputJacobian('graddrop', input);
      const T = G.rows;
      const N = G.cols;
      const A = input.representation;
      if (!A || A.length !== N) throw new ShapeError(`graddrop: needs the representation values (length ${N}, like a Jacobian row), got ${A ? A.length : 'none'}`);
      const B = input.batch ?? 1;
      if (!Number.isInteger(B) || B < 1 || N % B !== 0) throw new ShapeError(`graddrop: batch ${B} does not divide the representation size ${N}`);
      const leak = typeof opts.leak === 'number' || opts.leak === undefined ? new Float64Array(T).fill(opts.leak ?? 0) : Float64Array.from(opts.leak);
      if (leak.length !== T || leak.some((v) => !(v >= 0 && v <= 1))) throw new OptionError('--graddrop-leak', `must be ${T} numbers (or one) in [0, 1]`);
      const D = N / B;
      const S = new Float64Array(T * D);
      for (let t = 0; t < T; t++) {
        for (let b = 0; b < B; b++) {
          for (let f = 0; f < D; f++) {
            const a = A[b * D + f]!;
            const sg = a > 0 ? 1 : a < 0 ? -1 : 0;
            S[t * D + f]! += sg * G.data[t * N + b * D + f]!;
          }
        }
      }
      const rng = stepRandom(state.seed, state.calls);
      const out = new Float64Array(N);
      const keep = new Float64Array(T);
      for (let f = 0; f < D; f++) {
        let s = 0;
        let sa = 0;
        for (let t = 0; t < T; t++) {
          s += S[t * D + f]!;
          sa += Math.abs(S[t * D + f]!);
        }
        const purity = 0.5 * (1 + s / (sa + 1e-7));
        const u = rng.uniform();
        for (let t = 0; t < T; t++) {
          const st = S[t * D + f]!;
          const m = (purity > u && st > 0) || (purity < u && st < 0) ? 1 : 0;
          keep[t] = leak[t]! + (1 - leak[t]!) * m;
        }
        for (let b = 0; b < B; b++) {
          let v = 0;
          for (let t = 0; t < T; t++) v += keep[t]! * G.data[t * N + b * D + f]!;
          out[b * D + f] = v;
        }
      }
      return { kind: 'direction', direction: out, state: { seed: state.seed, calls: state.calls + 1 }, mode: input.mode };
    },
  };
  return agg;
}
