// Aligned-MTL (Senushkin et al., "Independent Component Alignment for Multi-Task Learning", CVPR
// 2023, Alg. 1 / eq. 9): make the task gradients orthogonal with equal norms before combining them.
// With K = VΛVᵀ (eigenvalues below λ_max·T·ε dropped, as in the reference code),
//     B = σ V Λ^(−1/2) Vᵀ,  σ = √λ_min (scale 'min'; torchjd's 'median' / 'rmse' use the median /
//     root-mean-square of √λ),  weights = B p  (p = 1/T: the mean of the aligned gradients BG).
// Aligned gradients BG satisfy (BG)(BG)ᵀ = σ² I on the range of K: the defining property.
import { OptionError } from '../../errors.ts';
import { eigh } from '../../linalg/decomp/eigh.ts';
import { checkPref, gramianAggregator, type GramianStep } from '../core.ts';

export function alignedMtl(opts: { scale?: 'min' | 'median' | 'rmse'; pref?: readonly number[] } = {}) {
  const scaleMode = opts.scale ?? 'min';
  if (!['min', 'median', 'rmse'].includes(scaleMode)) throw new OptionError('--aligned-scale', `must be min, median or rmse, got "${scaleMode}"`);
  return gramianAggregator<null>({
    name: 'aligned-mtl',
    paper: 'Senushkin et al., CVPR 2023, Alg. 1 / eq. 9 (gradient alignment by the Gramian\'s eigendecomposition)',
    init: () => null,
    weights: (K): GramianStep<null> => {
      const T = K.rows;
      const p = checkPref('aligned-mtl', opts.pref, T);
      const e = eigh(K);
      const top = Math.max(e.values[T - 1]!, 0);
      const tol = top * T * 2.220446049250313e-16;
      const keep: number[] = [];
      for (let k = 0; k < T; k++) if (e.values[k]! > tol) keep.push(k);
      if (keep.length === 0) return { weights: new Float64Array(T), state: null, info: { rank: 0 } };
      const roots = keep.map((k) => Math.sqrt(e.values[k]!)).sort((a, b) => a - b);
      const sigma =
        scaleMode === 'min'
          ? roots[0]!
          : scaleMode === 'median'
            ? roots.length % 2 ? roots[roots.length >> 1]! : 0.5 * (roots[(roots.length >> 1) - 1]! + roots[roots.length >> 1]!)
            : Math.sqrt(roots.reduce((s, r) => s + r * r, 0) / roots.length);
      // weights = σ V_k Λ_k^(−1/2) V_kᵀ p
      const V = e.vectors.data;
      const w = new Float64Array(T);
      for (const k of keep) {
        let proj = 0;
        for (let i = 0; i < T; i++) proj += V[i * T + k]! * p[i]!;
        const f = (sigma * proj) / Math.sqrt(e.values[k]!);
        for (let i = 0; i < T; i++) w[i]! += f * V[i * T + k]!;
      }
      return { weights: w, state: null, info: { rank: keep.length, sigma } };
    },
  });
}
