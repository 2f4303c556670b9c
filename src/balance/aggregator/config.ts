// ConFIG (Liu, Chu & Thuerey, "ConFIG: Towards Conflict-free Training of Physics Informed Neural
// Networks", ICLR 2025, eq. 2-3): with unit gradients U = D⁻¹G (D = diag‖g_t‖),
//     g_u = U⁺ 1 / ‖U⁺ 1‖,   d = (Σ_t g_tᵀ g_u) g_u,
// a direction with the same cosine to every task gradient, scaled by the sum of the projections.
// In weight space (U⁺ = Uᵀ(UUᵀ)⁺, UUᵀ = C the cosine matrix): U⁺1 = Gᵀc with c = D⁻¹C⁺1, so
//     weights = (1ᵀKc / cᵀKc) c.
// Tasks with a zero gradient have no direction and get weight 0.
import { Matrix } from '../../linalg/matrix.ts';
import { gramianAggregator, pinvPsd, quad, symv } from '../core.ts';

export function config() {
  return gramianAggregator<null>({
    name: 'config',
    paper: 'Liu, Chu & Thuerey, ICLR 2025, eq. 2-3 (conflict-free direction from the pseudo-inverse of unit gradients)',
    init: () => null,
    weights: (K) => {
      const T = K.rows;
      const idx: number[] = [];
      for (let t = 0; t < T; t++) if (K.data[t * T + t]! > 0) idx.push(t);
      const w = new Float64Array(T);
      if (idx.length === 0) return { weights: w, state: null };
      const m = idx.length;
      const d = idx.map((t) => Math.sqrt(K.data[t * T + t]!));
      const C = Matrix.zeros(m, m);
      for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) C.data[a * m + b] = K.data[idx[a]! * T + idx[b]!]! / (d[a]! * d[b]!);
      const u = symv(pinvPsd(C).data, m, new Float64Array(m).fill(1));
      const c = new Float64Array(T);
      for (let a = 0; a < m; a++) c[idx[a]!] = u[a]! / d[a]!;
      const vv = quad(K.data, T, c);
      if (!(vv > 0)) return { weights: w, state: null };
      const Kc = symv(K.data, T, c);
      let proj = 0;
      for (let t = 0; t < T; t++) proj += Kc[t]!;
      for (let t = 0; t < T; t++) w[t] = (proj / vv) * c[t]!;
      return { weights: w, state: null };
    },
  });
}
