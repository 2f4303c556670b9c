// Two exact one-dimensional root-finding problems over the "capped simplex"
//   C_k = { γ ∈ Rⁿ : 0 ≤ γ_i ≤ 1, Σ_i γ_i = k },   0 ≤ k ≤ n,
// the set of eigenvalue vectors of the CMTL constraint set { M : tr M = k, 0 ⪯ M ⪯ I }
// (Zhou, Chen & Ye, NIPS 2011, the convex relaxation of clustered MTL).
//
// Both are solved exactly (no bisection tolerance): the constraint Σ clip(·) = k is a monotone,
// piecewise-linear function of one scalar, so we locate the linear piece that contains the root
// among the sorted breakpoints and solve the linear equation on it.
import { OptionError } from '../../errors.ts';

function checkK(n: number, k: number, what: string): void {
  if (!Number.isFinite(k) || k < 0 || k > n) {
    throw new OptionError('clusters', `${what}: k must lie in [0, ${n}] (the number of tasks), got ${k}`);
  }
}

const clip01 = (v: number): number => (v <= 0 ? 0 : v >= 1 ? 1 : v);

/**
 * Root of a non-decreasing, continuous, piecewise-linear s(t) = k whose kinks lie in `breaks`.
 * `s` must be exactly linear between consecutive breakpoints. Returns t with s(t) = k.
 */
function piecewiseLinearRoot(s: (t: number) => number, breaks: Float64Array, k: number): number {
  const b = Float64Array.from(breaks).sort();
  const m = b.length;
  // Smallest index i with s(b[i]) ≥ k (s is non-decreasing), by binary search.
  let lo = 0;
  let hi = m - 1;
  if (s(b[hi]!) < k) return b[hi]!; // only reachable through rounding: the caller guarantees s(max) ≥ k
  if (s(b[0]!) >= k) return b[0]!;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (s(b[mid]!) >= k) hi = mid;
    else lo = mid;
  }
  const t0 = b[lo]!;
  const t1 = b[hi]!;
  const s0 = s(t0);
  const s1 = s(t1);
  if (s1 === s0) return t1;
  return t0 + ((k - s0) * (t1 - t0)) / (s1 - s0);
}

/**
 * Euclidean projection of v onto C_k: argmin_{γ ∈ C_k} ‖γ − v‖². By the KKT conditions the answer is
 * γ_i = clip(v_i − θ, 0, 1) with the shift θ chosen so that Σγ = k.
 */
export function projectCappedSimplex(v: ArrayLike<number>, k: number): Float64Array {
  const n = v.length;
  checkK(n, k, 'projectCappedSimplex');
  const out = new Float64Array(n);
  if (n === 0) return out;
  // s(θ) = Σ clip(v_i − θ, 0, 1) is non-increasing in θ; use t = −θ so that it is non-decreasing.
  const s = (t: number): number => {
    let acc = 0;
    for (let i = 0; i < n; i++) acc += clip01(v[i]! + t);
    return acc;
  };
  const breaks = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    breaks[2 * i] = -v[i]!; // v_i + t = 0
    breaks[2 * i + 1] = 1 - v[i]!; // v_i + t = 1
  }
  const t = piecewiseLinearRoot(s, breaks, k);
  for (let i = 0; i < n; i++) out[i] = clip01(v[i]! + t);
  return out;
}

/**
 * The eigenvalues γ of the optimal M for fixed W in the CMTL relaxation:
 *   argmin_{γ ∈ C_k} Σ_i σ_i² / (η + γ_i),   σ_i ≥ 0 the singular values of W (padded with zeros to n = T).
 * KKT (with multiplier μ > 0 for Σγ = k): σ_i²/(η + γ_i)² = μ on the free coordinates, so
 *   γ_i = clip(σ_i·ν − η, 0, 1),  ν = 1/√μ,
 * and ν is the root of the non-decreasing piecewise-linear Σ_i clip(σ_i ν − η, 0, 1) = k.
 * When fewer than k singular values are positive, the positive ones take γ = 1 and the remaining
 * mass k − p is spread evenly over the zero ones (any split is optimal: they do not enter the sum).
 */
export function cmtlOptimalEigenvalues(sigma: ArrayLike<number>, k: number, eta: number): Float64Array {
  const n = sigma.length;
  checkK(n, k, 'cmtlOptimalEigenvalues');
  if (!(eta > 0) || !Number.isFinite(eta)) throw new OptionError('rho2', `CMTL needs η = ρ2/ρ1 > 0 and finite, got ${eta}`);
  const out = new Float64Array(n);
  let positive = 0;
  for (let i = 0; i < n; i++) {
    const si = sigma[i]!;
    if (!(si >= 0) || !Number.isFinite(si)) throw new OptionError('W', `cmtlOptimalEigenvalues: singular value ${i} is ${si}`);
    if (si > 0) positive++;
  }
  if (positive <= k) {
    // Every positive σ gets the cap; the rest of the trace goes evenly to the null directions.
    const rest = positive < n ? (k - positive) / (n - positive) : 0;
    for (let i = 0; i < n; i++) out[i] = sigma[i]! > 0 ? 1 : rest;
    return out;
  }
  const s = (nu: number): number => {
    let acc = 0;
    for (let i = 0; i < n; i++) acc += clip01(sigma[i]! * nu - eta);
    return acc;
  };
  const breaks: number[] = [0];
  for (let i = 0; i < n; i++) {
    const si = sigma[i]!;
    if (si > 0) breaks.push(eta / si, (eta + 1) / si);
  }
  const nu = piecewiseLinearRoot(s, Float64Array.from(breaks), k);
  for (let i = 0; i < n; i++) out[i] = clip01(sigma[i]! * nu - eta);
  return out;
}
