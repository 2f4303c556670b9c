// Row-wise L1/L∞ norm Ω(W) = λ‖W‖_1,∞ = λ Σ_j max_t |W_jt| (the P-part of the dirty model,
// Jalali et al., NIPS 2010). Its prox follows from the Moreau decomposition
//   prox_{τ‖·‖∞}(v) = v − Π_{‖·‖₁ ≤ τ}(v)
// (the dual norm of ‖·‖∞ is ‖·‖₁), applied to each row with τ = step·λ; the projection onto the
// L1 ball is the sort-based algorithm of Duchi, Shalev-Shwartz, Singer & Chandra (ICML 2008, Fig. 1).
import { Matrix } from '../../linalg/matrix.ts';
import { checkWeight, type Penalty } from './types.ts';

/** Euclidean projection of v onto {x : ‖x‖₁ ≤ radius} (radius ≥ 0), as a new array. */
export function projectL1Ball(v: ArrayLike<number>, radius: number): Float64Array {
  const n = v.length;
  const out = Float64Array.from(v);
  let l1 = 0;
  for (let i = 0; i < n; i++) l1 += Math.abs(v[i]!);
  if (l1 <= radius) return out;
  if (radius <= 0) return new Float64Array(n);
  const u = Float64Array.from(v, Math.abs).sort().reverse();
  // θ = (Σ_{i≤ρ} u_i − r)/ρ for the largest ρ with u_ρ > (Σ_{i≤ρ} u_i − r)/ρ.
  let cum = 0;
  let theta = 0;
  for (let i = 0; i < n; i++) {
    cum += u[i]!;
    const th = (cum - radius) / (i + 1);
    if (u[i]! > th) theta = th;
    else break;
  }
  for (let i = 0; i < n; i++) {
    const a = Math.abs(v[i]!) - theta;
    out[i] = a > 0 ? Math.sign(v[i]!) * a : 0;
  }
  return out;
}

export function l1InfPenalty(lambda: number): Penalty {
  checkWeight('l1inf', lambda);
  return {
    name: 'l1inf',
    value(W: Matrix): number {
      let s = 0;
      for (let j = 0; j < W.rows; j++) {
        let m = 0;
        const o = j * W.cols;
        for (let t = 0; t < W.cols; t++) m = Math.max(m, Math.abs(W.data[o + t]!));
        s += m;
      }
      return lambda * s;
    },
    prox(V: Matrix, step: number): Matrix {
      const tau = step * lambda;
      const out = Matrix.zeros(V.rows, V.cols);
      for (let j = 0; j < V.rows; j++) {
        const row = V.row(j);
        const p = projectL1Ball(row, tau);
        const o = j * V.cols;
        for (let t = 0; t < V.cols; t++) out.data[o + t] = row[t]! - p[t]!;
      }
      return out;
    },
  };
}
