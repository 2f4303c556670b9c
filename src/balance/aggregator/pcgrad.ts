// PCGrad (Yu et al., "Gradient Surgery for Multi-Task Learning", NeurIPS 2020, Alg. 1): for each task
// i, g̃_i starts at g_i and, for every task j in a random order, if g̃_i·g_j < 0 it is projected on
// the normal plane of g_j:  g̃_i ← g̃_i − (g̃_i·g_j / ‖g_j‖²) g_j.  The update is Σ_i g̃_i.
// Computed in weight space from K (as torchjd does): g̃_i = c⁽ⁱ⁾ᵀG, so g̃_i·g_j = (K c⁽ⁱ⁾)_j and a
// projection changes one coefficient, c⁽ⁱ⁾_j −= (Kc⁽ⁱ⁾)_j / K_jj. O(T³) instead of O(T²P) and no
// Python double loop. The order includes j = i, as in the reference code: after projections on other
// tasks g̃_i·g_i can turn negative, and then g̃_i is projected on g_i too. Orders are drawn from
// Random(seed, call) so that a run is reproducible.
import { gramianAggregator, stepRandom } from '../core.ts';

export interface SeededState {
  readonly seed: number;
  readonly calls: number;
}

/** The T × T coefficient matrix C (row i: g̃_i = Σ_j C_ij g_j) for one PCGrad step. */
export function pcgradCoefficients(K: Float64Array, T: number, seed: number, call: number): Float64Array {
  const rng = stepRandom(seed, call);
  const C = new Float64Array(T * T);
  const Kc = new Float64Array(T);
  for (let i = 0; i < T; i++) {
    const c = C.subarray(i * T, i * T + T);
    c[i] = 1;
    for (let k = 0; k < T; k++) Kc[k] = K[k * T + i]!;
    const order = rng.permutation(T);
    for (const j of order) {
      const ip = Kc[j]!;
      const kjj = K[j * T + j]!;
      if (ip < 0 && kjj > 0) {
        const a = ip / kjj;
        c[j]! -= a;
        for (let k = 0; k < T; k++) Kc[k]! -= a * K[k * T + j]!;
      }
    }
  }
  return C;
}

export function pcgrad(opts: { seed?: number } = {}) {
  return gramianAggregator<SeededState>({
    name: 'pcgrad',
    paper: 'Yu et al., NeurIPS 2020, Alg. 1 (projecting conflicting gradients), in weight space',
    init: () => ({ seed: opts.seed ?? 0, calls: 0 }),
    weights: (K, _input, state) => {
      const T = K.rows;
      const C = pcgradCoefficients(K.data, T, state.seed, state.calls);
      const w = new Float64Array(T);
      for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) w[j]! += C[i * T + j]!;
      return { weights: w, state: { seed: state.seed, calls: state.calls + 1 } };
    },
  });
}
