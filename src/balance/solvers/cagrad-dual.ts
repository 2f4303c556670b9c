// CAGrad's dual problem (Liu et al., "Conflict-Averse Gradient Descent", NeurIPS 2021, eq. 4 and its
// dual in §3.1 / Alg. 1): with g₀ = Σ_t p_t g_t (p: the preference, 1/T for the average) and
// ρ = c‖g₀‖,
//     min_{w ∈ Δ}  F(w) = g_wᵀ g₀ + ρ ‖g_w‖,    g_w = Σ_t w_t g_t,
// whose solution gives the update d = g₀ + ρ g_w / ‖g_w‖ (the maximiser of min_t g_tᵀd over the
// ball ‖d − g₀‖ ≤ ρ; strong duality: min_t g_tᵀd = F(w*)).
// Exact method (ours): ‖v‖ = min_{τ>0} (‖v‖²/τ + τ)/2, so min_w F = min_τ h(τ) with
//     h(τ) = min_{w∈Δ} g_wᵀg₀ + (ρ/2)(‖g_w‖²/τ + τ) = (ρ/2τ)·min_{w∈Δ} ‖g_w + (τ/ρ) g₀‖² + const(τ):
// each inner problem is a min-norm point of the hull of the shifted gradients g_t + (τ/ρ)g₀, solved
// exactly by Wolfe's algorithm on the shifted Gramian. h is convex in τ (jointly convex perspective),
// h'(τ) = (ρ/2)(1 − ‖g_{w(τ)}‖²/τ²), so the optimal τ is the root of ψ(τ) = 1 − ‖g_{w(τ)}‖²/τ²,
// bracketed by [√(min-norm²), √(max_t K_tt)] and found by the Illinois variant of regula falsi.
// When the optimum has g_w = 0 (0 in the hull and F ≥ 0 on it) the returned w has ‖g_w‖ ≈ 0 and
// the update is undefined; the aggregator then falls back to g₀ and says so.
// Certified by the KKT conditions of F on Δ: ∇F = K p + ρ K w/‖g_w‖, min_j ∇F_j = wᵀ∇F.
import { ShapeError } from '../../errors.ts';
import { Matrix } from '../../linalg/matrix.ts';
import { maxDiag, quad, symv } from '../core.ts';
import { minNormPoint } from './min-norm.ts';

export interface CagradDualResult {
  readonly weights: Float64Array;
  /** ‖g_w‖ at the solution. */
  readonly normGw: number;
  /** F(w) at the solution. */
  readonly value: number;
  /** wᵀ∇F − min_j ∇F_j (0 at the optimum; NaN when ‖g_w‖ = 0, where F is not differentiable). */
  readonly kktGap: number;
  readonly iterations: number;
}

export function cagradObjective(K: Matrix, pref: Float64Array, rho: number, w: Float64Array): number {
  const n = K.rows;
  const Kp = symv(K.data, n, pref);
  let b = 0;
  for (let i = 0; i < n; i++) b += w[i]! * Kp[i]!;
  return b + rho * Math.sqrt(Math.max(quad(K.data, n, w), 0));
}

export function solveCagradDual(K: Matrix, pref: Float64Array, rho: number, opts: { tol?: number; maxIter?: number; ridgeInner?: number } = {}): CagradDualResult {
  const n = K.rows;
  if (K.cols !== n || n === 0 || pref.length !== n) throw new ShapeError(`solveCagradDual: Gramian ${K.rows}×${K.cols} and preference of length ${pref.length}`);
  const { tol = 1e-12, maxIter = 100, ridgeInner = 1e-10 } = opts;
  const Kp = symv(K.data, n, pref); // b = G g₀
  const g0sq = Math.max(quad(K.data, n, pref), 0);
  const top = maxDiag(K.data, n);
  const shifted = Matrix.zeros(n, n);
  const inner = (tau: number): Float64Array => {
    const s = tau / rho;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) shifted.data[i * n + j] = K.data[i * n + j]! + s * (Kp[i]! + Kp[j]!) + s * s * g0sq;
    }
    return minNormPoint(shifted, { ridge: ridgeInner }).weights;
  };
  const qOf = (w: Float64Array): number => Math.max(quad(K.data, n, w), 0);
  let iterations = 0;
  let w: Float64Array;
  if (!(rho > 0) || !(top > 0)) {
    // ρ = 0: F = g_wᵀg₀ is linear; its minimum is at the vertex with the smallest (K p)_t.
    w = new Float64Array(n);
    let t = 0;
    for (let i = 1; i < n; i++) if (Kp[i]! < Kp[t]!) t = i;
    w[t] = 1;
  } else {
    const mn = minNormPoint(K);
    const floor = Math.sqrt(mn.normSq);
    let hi = Math.sqrt(top);
    const psi = (tau: number, ww: Float64Array): number => 1 - qOf(ww) / (tau * tau);
    let wHi = inner(hi);
    let fHi = psi(hi, wHi);
    w = wHi;
    if (hi - floor > 1e-15 * hi && fHi > 0) {
      // Lower end of the bracket: ψ(τ) < 0 for τ < ‖min-norm point‖; when that is (nearly) 0, walk
      // down from 1e-3·hi — below about 1e-5·hi the inner solver's ridge (1e-10·scale) swamps q(τ).
      let lo = Math.max(floor, 1e-3 * hi);
      let wLo = inner(lo);
      let fLo = psi(lo, wLo);
      while (fLo >= 0 && lo > floor && lo > 1e-9 * hi) {
        hi = lo;
        wHi = wLo;
        fHi = fLo;
        lo = Math.max(floor, lo * 1e-3);
        wLo = inner(lo);
        fLo = psi(lo, wLo);
      }
      w = fLo >= 0 ? wLo : wHi;
      if (fLo < 0) {
        // Illinois regula falsi on the monotone ψ.
        let side = 0;
        for (; iterations < maxIter; iterations++) {
          let tau = (lo * fHi - hi * fLo) / (fHi - fLo);
          if (!(tau > lo && tau < hi)) tau = 0.5 * (lo + hi);
          const wt = inner(tau);
          const ft = psi(tau, wt);
          w = wt;
          if (Math.abs(ft) <= tol || hi - lo <= 1e-14 * hi) break;
          if (ft < 0) {
            lo = tau;
            fLo = ft;
            if (side === -1) fHi /= 2;
            side = -1;
          } else {
            hi = tau;
            fHi = ft;
            if (side === 1) fLo /= 2;
            side = 1;
          }
        }
      }
    }
  }
  const normGw = Math.sqrt(qOf(w));
  let value = 0;
  for (let i = 0; i < n; i++) value += w[i]! * Kp[i]!;
  value += rho * normGw;
  let kktGap = Number.NaN;
  if (normGw > 0) {
    const Kw = symv(K.data, n, w);
    let wg = 0;
    let mnG = Infinity;
    for (let j = 0; j < n; j++) {
      const gj = Kp[j]! + (rho * Kw[j]!) / normGw;
      wg += w[j]! * gj;
      mnG = Math.min(mnG, gj);
    }
    kktGap = wg - mnG;
  }
  return { weights: w, normGw, value, kktGap, iterations };
}
