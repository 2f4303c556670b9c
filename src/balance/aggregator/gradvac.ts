// Gradient Vaccine (Wang et al., "Gradient Vaccine: Investigating and Improving Multi-task
// Optimization in Massively Multilingual Models", ICLR 2021, eq. 3 and Alg. 1), whole-model
// variant: each pair (i, j) has an EMA target cosine φ̂_ij (init 0). For task i and each j ≠ i in a
// random order, with φ = cos(g̃_i, g_j): if φ < φ̂_ij,
//     g̃_i ← g̃_i + g_j · ‖g̃_i‖ (φ̂_ij √(1−φ²) − φ √(1−φ̂_ij²)) / (‖g_j‖ √(1−φ̂_ij²)),
// which makes cos(g̃_i, g_j) = φ̂_ij exactly (eq. 3); then φ̂_ij ← (1−β)φ̂_ij + βφ for every pair, as
// in the paper's Alg. 1 (LibMTL updates φ̂ only for the pairs it adjusted). Update: Σ_i g̃_i.
// Computed in weight space from K (coefficients c⁽ⁱ⁾, ‖g̃_i‖² = c⁽ⁱ⁾ᵀKc⁽ⁱ⁾). The per-layer and
// per-matrix variants need the parameter layout and are not offered here.
import { OptionError } from '../../errors.ts';
import { gramianAggregator, stepRandom } from '../core.ts';

export interface GradVacState {
  readonly seed: number;
  readonly calls: number;
  /** T × T EMA targets φ̂ (row-major). */
  readonly target: Float64Array;
}

export function gradvac(opts: { beta?: number; seed?: number } = {}) {
  const beta = opts.beta ?? 0.5;
  if (!(beta >= 0 && beta <= 1)) throw new OptionError('--gradvac-beta', `must be in [0, 1], got ${beta}`);
  return gramianAggregator<GradVacState>({
    name: 'gradvac',
    paper: 'Wang et al., ICLR 2021, eq. 3 and Alg. 1 (whole-model target cosines)',
    init: (T) => ({ seed: opts.seed ?? 0, calls: 0, target: new Float64Array(T * T) }),
    weights: (K, _input, state) => {
      const T = K.rows;
      const Kd = K.data;
      if (state.target.length !== T * T) throw new OptionError('gradvac', `state was initialised for ${Math.sqrt(state.target.length)} tasks, got ${T}`);
      const rng = stepRandom(state.seed, state.calls);
      const target = Float64Array.from(state.target);
      const w = new Float64Array(T);
      const c = new Float64Array(T);
      const Kc = new Float64Array(T);
      for (let i = 0; i < T; i++) {
        c.fill(0);
        c[i] = 1;
        for (let k = 0; k < T; k++) Kc[k] = Kd[k * T + i]!;
        let nsq = Kd[i * T + i]!; // ‖g̃_i‖²
        for (const j of rng.permutation(T)) {
          if (j === i) continue;
          const nj = Math.sqrt(Kd[j * T + j]!);
          const ni = Math.sqrt(Math.max(nsq, 0));
          if (!(nj > 0) || !(ni > 0)) continue;
          const phi = Math.max(-1, Math.min(1, Kc[j]! / (ni * nj)));
          const goal = state.target[i * T + j]!;
          if (phi < goal) {
            const a = (ni * (goal * Math.sqrt(1 - phi * phi) - phi * Math.sqrt(1 - goal * goal))) / (nj * Math.sqrt(1 - goal * goal));
            // ‖g̃ + a g_j‖² = ‖g̃‖² + 2a g̃·g_j + a²‖g_j‖²
            nsq += 2 * a * Kc[j]! + a * a * Kd[j * T + j]!;
            c[j]! += a;
            for (let k = 0; k < T; k++) Kc[k]! += a * Kd[k * T + j]!;
          }
          target[i * T + j] = (1 - beta) * goal + beta * phi;
        }
        for (let k = 0; k < T; k++) w[k]! += c[k]!;
      }
      return { weights: w, state: { seed: state.seed, calls: state.calls + 1, target } };
    },
  });
}
