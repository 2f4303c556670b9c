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
//
// Finish on a support (ours): once the inner solutions' support S is the optimal one, the KKT system
// on S has a closed form. With b = Kp, ν = ‖g_w‖, the conditions ∇F_S = λ1, Σw = 1, ν² = w_SᵀK_SS w_S
// give, for a = K_SS⁻¹1, c = K_SS⁻¹b_S, α = 1ᵀa, β = 1ᵀc, γ = b_Sᵀc:
//     w_S = (ν/ρ)(λa − c),   (ν/ρ)(λα − β) = 1,   ρ² = αλ² − 2βλ + γ,
// so λ = (β + √D)/α and w_S = (λa − c)/√D with D = β² − α(γ − ρ²) (the root with ν > 0). After
// each inner solve whose support is new, this candidate (one Cholesky of K_SS) is tried and returned
// when it is positive and its KKT gap is at most finishTol·max K_jj — which ends the root search after
// a few steps instead of ~13 (T = 128); otherwise the search goes on, so the result is certified either way.
import { ShapeError } from '../../errors.ts';
import { Matrix } from '../../linalg/matrix.ts';
import { maxDiag, quad, symv } from '../core.ts';
import { minNormPoint } from './min-norm.ts';
import { denseCholesky, denseCholeskySolve } from './nnqp.ts';
import { nativeDecomp } from '../../linalg/backend.ts';

export interface CagradDualResult {
  readonly weights: Float64Array;
  /** ‖g_w‖ at the solution. */
  readonly normGw: number;
  /** F(w) at the solution. */
  readonly value: number;
  /** wᵀ∇F − min_j ∇F_j (0 at the optimum; NaN when ‖g_w‖ = 0, where F is not differentiable). */
  readonly kktGap: number;
  readonly iterations: number;
  /** true when the closed form on the inner solutions' support ended the search (see above). */
  readonly onSupport: boolean;
}

/** The closed-form KKT point of F on the support S (see above), or null (singular K_SS, D ≤ 0, or a weight ≤ 0). */
export function cagradOnSupport(K: Float64Array, n: number, b: Float64Array, rho: number, S: readonly number[]): Float64Array | null {
  const s = S.length;
  if (s === 0 || !(rho > 0)) return null;
  const M = new Float64Array(s * s);
  for (let i = 0; i < s; i++) for (let j = 0; j < s; j++) M[i * s + j] = K[S[i]! * n + S[j]!]!;
  const floor = 1e-14 * maxDiag(K, n);
  let L = M;
  const nat = nativeDecomp();
  if (nat && s >= 24) {
    L = new Float64Array(s * s);
    if (nat.cholesky(s, M, L)) return null;
    for (let i = 0; i < s; i++) if (!(L[i * s + i]! * L[i * s + i]! > floor)) return null;
  } else if (!denseCholesky(M, s, floor)) return null;
  const a = new Float64Array(s).fill(1);
  const c = Float64Array.from(S, (j) => b[j]!);
  denseCholeskySolve(L, s, a);
  denseCholeskySolve(L, s, c);
  let alpha = 0, beta = 0, gamma = 0;
  for (let i = 0; i < s; i++) {
    alpha += a[i]!;
    beta += c[i]!;
    gamma += b[S[i]!]! * c[i]!;
  }
  const D = beta * beta - alpha * (gamma - rho * rho);
  if (!(D > 0) || !(alpha > 0)) return null;
  const sq = Math.sqrt(D);
  const lambda = (beta + sq) / alpha;
  const w = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < s; i++) {
    const v = (lambda * a[i]! - c[i]!) / sq;
    if (!(v > 0)) return null;
    w[S[i]!] = v;
    sum += v;
  }
  // Σw = 1 in exact arithmetic; renormalise the rounding away
  for (let i = 0; i < s; i++) w[S[i]!]! /= sum;
  return w;
}

/** wᵀ∇F − min_j ∇F_j for F(w) = bᵀw + ρ‖g_w‖ (NaN when ‖g_w‖ = 0). */
function cagradKktGap(K: Float64Array, n: number, b: Float64Array, rho: number, w: Float64Array): number {
  const Kw = symv(K, n, w);
  let q = 0;
  for (let j = 0; j < n; j++) q += w[j]! * Kw[j]!;
  const normGw = Math.sqrt(Math.max(q, 0));
  if (!(normGw > 0)) return Number.NaN;
  let wg = 0;
  let mnG = Infinity;
  for (let j = 0; j < n; j++) {
    const gj = b[j]! + (rho * Kw[j]!) / normGw;
    wg += w[j]! * gj;
    mnG = Math.min(mnG, gj);
  }
  return wg - mnG;
}

export function cagradObjective(K: Matrix, pref: Float64Array, rho: number, w: Float64Array): number {
  const n = K.rows;
  const Kp = symv(K.data, n, pref);
  let b = 0;
  for (let i = 0; i < n; i++) b += w[i]! * Kp[i]!;
  return b + rho * Math.sqrt(Math.max(quad(K.data, n, w), 0));
}

export function solveCagradDual(K: Matrix, pref: Float64Array, rho: number, opts: { tol?: number; maxIter?: number; ridgeInner?: number; finish?: boolean; finishTol?: number } = {}): CagradDualResult {
  const n = K.rows;
  if (K.cols !== n || n === 0 || pref.length !== n) throw new ShapeError(`solveCagradDual: Gramian ${K.rows}×${K.cols} and preference of length ${pref.length}`);
  const { tol = 1e-12, maxIter = 100, ridgeInner = 1e-10, finish = true, finishTol = 1e-12 } = opts;
  const Kp = symv(K.data, n, pref); // b = G g₀
  const g0sq = Math.max(quad(K.data, n, pref), 0);
  const top = maxDiag(K.data, n);
  const shifted = Matrix.zeros(n, n);
  // The closed form on each new support of an inner solution; `finished` holds the first certified one.
  let finished: Float64Array | null = null;
  let tried = '';
  const gapTol = finishTol * top;
  const tryFinish = (w: Float64Array): void => {
    if (!finish || finished) return;
    const S: number[] = [];
    for (let j = 0; j < n; j++) if (w[j]! > 0) S.push(j);
    const key = S.join(',');
    if (key === tried) return;
    tried = key;
    const c = cagradOnSupport(K.data, n, Kp, rho, S);
    if (c && cagradKktGap(K.data, n, Kp, rho, c) <= gapTol) finished = c;
  };
  let prevSupport: number[] = [];
  const inner = (tau: number): Float64Array => {
    const s = tau / rho;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) shifted.data[i * n + j] = K.data[i * n + j]! + s * (Kp[i]! + Kp[j]!) + s * s * g0sq;
    }
    // warm start: the previous inner solution's support (τ moves little between root steps)
    const w = minNormPoint(shifted, { ridge: ridgeInner, ...(prevSupport.length > 0 ? { nnqpStart: prevSupport } : {}) }).weights;
    prevSupport = [];
    for (let j = 0; j < n; j++) if (w[j]! > 0) prevSupport.push(j);
    tryFinish(w);
    return w;
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
    search: if (!finished && hi - floor > 1e-15 * hi && fHi > 0) {
      // Lower end of the bracket: ψ(τ) < 0 for τ < ‖min-norm point‖; when that is (nearly) 0, walk
      // down from 1e-3·hi — below about 1e-5·hi the inner solver's ridge (1e-10·scale) swamps q(τ).
      let lo = Math.max(floor, 1e-3 * hi);
      let wLo = inner(lo);
      let fLo = psi(lo, wLo);
      while (!finished && fLo >= 0 && lo > floor && lo > 1e-9 * hi) {
        hi = lo;
        wHi = wLo;
        fHi = fLo;
        lo = Math.max(floor, lo * 1e-3);
        wLo = inner(lo);
        fLo = psi(lo, wLo);
      }
      w = fLo >= 0 ? wLo : wHi;
      if (finished) break search;
      if (fLo < 0) {
        // Illinois regula falsi on the monotone ψ.
        let side = 0;
        for (; iterations < maxIter; iterations++) {
          let tau = (lo * fHi - hi * fLo) / (fHi - fLo);
          if (!(tau > lo && tau < hi)) tau = 0.5 * (lo + hi);
          const wt = inner(tau);
          const ft = psi(tau, wt);
          w = wt;
          if (finished) { iterations++; break; }
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
  if (finished) w = finished;
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
  return { weights: w, normGw, value, kktGap, iterations, onSupport: finished !== null };
}
