// IMTL-G (Liu et al., "Towards Impartial Multi-task Learning", ICLR 2021, §3.3, closed form eq. 10):
// find d = Σ α_t g_t, Σ α_t = 1, with equal projections on every unit task gradient u_t = g_t/‖g_t‖:
// dᵀu_t = (Kα)_t/√K_tt is the same for all t, hence K α ∝ √diag(K) and
//     α = K⁺ √diag(K) / (1ᵀ K⁺ √diag(K))
// (torchjd's Gramian form; the paper's formula with D = g₁ − g_t, U = u₁ − u_t is the same solution
// when K is invertible). When 1ᵀK⁺√diag(K) ≤ 0 no such combination with a positive common
// projection exists; we then return zero weights (info.degenerate = 1), as torchjd does.
import { gramianAggregator, pinvPsd, symv } from '../core.ts';

export function imtlG() {
  return gramianAggregator<null>({
    name: 'imtl-g',
    paper: 'Liu et al., ICLR 2021, §3.3 eq. 10 (equal projections on unit gradients)',
    init: () => null,
    weights: (K) => {
      const T = K.rows;
      const d = new Float64Array(T);
      for (let t = 0; t < T; t++) d[t] = Math.sqrt(Math.max(K.data[t * T + t]!, 0));
      const a = symv(pinvPsd(K).data, T, d);
      let s = 0;
      for (let t = 0; t < T; t++) s += a[t]!;
      let scale = 0;
      for (let t = 0; t < T; t++) scale = Math.max(scale, Math.abs(a[t]!));
      if (!(s > 1e-12 * scale) || !(scale > 0)) return { weights: new Float64Array(T), state: null, info: { degenerate: 1 } };
      return { weights: a.map((v) => v / s), state: null, info: { degenerate: 0 } };
    },
  });
}
