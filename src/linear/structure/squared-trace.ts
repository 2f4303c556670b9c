// The squared trace norm h(W) = (μ/2)·‖W‖_*² and its closed-form proximal operator.
//
// Why MTRL needs it: for fixed W, min_{Ω ≻ 0, tr Ω = 1} tr(W Ω⁻¹ Wᵀ) = (tr (WᵀW)^½)² = ‖W‖_*²
// (Zhang & Yeung, UAI 2010, the Ω-step; the infimum is attained at Ω = (WᵀW)^½/‖W‖_* when WᵀW is
// non-singular, and approached otherwise). So the MTRL objective minimised over Ω is
//   L(W, b) + (λ1/2)‖W‖²_F + (λ/2)‖W‖_*²,
// a convex composite problem that FISTA solves with the prox below, without the εI that the
// alternating scheme needs to keep Ω⁻¹ finite (see models/mtrl.ts).
//
// prox_{s·h}(V) = U diag(x) Vᵀ with V = U diag(σ) Vᵀ and x = argmin_{x ≥ 0} ½‖x − σ‖² + (a/2)(Σx)²,
// a = s·μ (the squared norm is a function of the singular values, and von Neumann's trace inequality
// makes the minimiser share V's singular vectors). KKT: x_i = max(σ_i − a·S, 0) with S = Σ_i x_i; on
// the active set A = {i : σ_i > aS} (the m largest σ), S = Σ_{i≤m} σ_i / (1 + a·m).
import { Matrix } from '../../linalg/matrix.ts';
import { svd } from '../../linalg/decomp/svd.ts';

/** argmin_{x ≥ 0} ½‖x − σ‖² + (a/2)(Σx)² for σ sorted descending, σ ≥ 0, a ≥ 0. */
export function shrinkSquaredSum(sigma: ArrayLike<number>, a: number): Float64Array {
  const n = sigma.length;
  const x = new Float64Array(n);
  let cum = 0;
  let S = 0;
  for (let m = 1; m <= n; m++) {
    cum += sigma[m - 1]!;
    const Sm = cum / (1 + a * m);
    if (sigma[m - 1]! > a * Sm) S = Sm;
    else break;
  }
  for (let i = 0; i < n; i++) x[i] = Math.max(sigma[i]! - a * S, 0);
  return x;
}

/** (μ/2)·‖W‖_*². */
export function squaredTraceValue(W: Matrix, mu: number): number {
  if (W.rows === 0 || W.cols === 0) return 0;
  const s = svd(W).s.reduce((acc, v) => acc + v, 0);
  return (mu / 2) * s * s;
}

/** prox_{step·(μ/2)‖·‖_*²}(V). */
export function squaredTraceProx(V: Matrix, step: number, mu: number): Matrix {
  const { U, s, V: Vr } = svd(V);
  const x = shrinkSquaredSum(s, step * mu);
  const m = V.rows;
  const n = V.cols;
  const r = s.length;
  const out = Matrix.zeros(m, n);
  for (let q = 0; q < r; q++) {
    const xq = x[q]!;
    if (xq === 0) continue;
    for (let i = 0; i < m; i++) {
      const u = U.data[i * r + q]! * xq;
      if (u === 0) continue;
      for (let j = 0; j < n; j++) out.data[i * n + j]! += u * Vr.data[j * r + q]!;
    }
  }
  return out;
}
