// Positive solution of  K x = x^(−p)  (elementwise power), p > 0:
//   - Nash-MTL's bargaining condition K α = 1/α  (Navon et al., ICML 2022, eq. 3 / Claim 3.1): p = 1;
//   - FairGrad's condition K w = w^(−1/α)  (Ban & Ji, ICML 2024, eq. 9):                         p = 1/α.
// Both are the stationarity condition of the strictly convex function on x > 0
//     f(x) = ½ xᵀKx − Σ_t h(x_t),   h(x) = log x (p = 1),  h(x) = x^(1−p)/(1−p) (p ≠ 1),
// since h'(x) = x^(−p) and h is strictly concave. We minimise f by damped Newton's method
// (Hessian K + p·diag(x^(−p−1)), positive definite), with the step cut to stay inside x > 0 and an
// Armijo backtracking line search — an exact solver with a quadratic final rate, where Nash-MTL's
// reference code runs 20 sequential convex approximations through cvxpy and FairGrad's calls
// scipy's least_squares. Converged when max_t |(Kx)_t·x_t^p − 1| ≤ tol.
// A solution exists iff f is bounded below, which fails e.g. when a task gradient is zero or when
// the gradients positively combine to zero (K v = 0 for some v ≥ 0, v ≠ 0); `ridge` adds ρ·I to K
// (then (K+ρI)x = x^(−p) is solved exactly) and is reported.
import { NumericError, ShapeError } from '../../errors.ts';
import type { Matrix } from '../../linalg/matrix.ts';
import { choleskyInPlace, choleskySolveInPlace, spdSolveInPlace } from '../core.ts';
import { kernels } from '../../linalg/backend.ts';

export interface PowerEquationOptions {
  /** Absolute ridge ρ added to K's diagonal. Default 0. */
  readonly ridge?: number;
  readonly tol?: number;
  readonly maxIter?: number;
  /** Starting point (warm start from the previous step); default diag(K)^(−1/(1+p)). */
  readonly x0?: Float64Array;
  /** true: the previous Newton loop evaluating f afresh at every line-search trial (reference, benchmarks). */
  readonly evaluate?: boolean;
  /** false: the Newton systems in TypeScript even with the addon (tests of the fallback). */
  readonly native?: boolean;
}

export interface PowerEquationResult {
  readonly x: Float64Array;
  /** max_t |((K+ρI)x)_t·x_t^p − 1|. */
  readonly residual: number;
  readonly iterations: number;
  readonly converged: boolean;
}

export function powerEquationResidual(K: Matrix, p: number, x: ArrayLike<number>, ridge = 0): number {
  const n = K.rows;
  let r = 0;
  for (let i = 0; i < n; i++) {
    let s = ridge * x[i]!;
    for (let j = 0; j < n; j++) s += K.data[i * n + j]! * x[j]!;
    r = Math.max(r, Math.abs(s * x[i]! ** p - 1));
  }
  return r;
}

export function solvePowerEquation(K: Matrix, p: number, opts: PowerEquationOptions = {}): PowerEquationResult {
  const n = K.rows;
  if (K.cols !== n || n === 0) throw new ShapeError(`solvePowerEquation: need a non-empty square Gramian, got ${K.rows}×${K.cols}`);
  if (!(p > 0) || !Number.isFinite(p)) throw new NumericError(`solvePowerEquation: exponent must be positive, got ${p}`);
  const { ridge = 0, tol = 1e-10, maxIter = 100 } = opts;
  const A = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) A[i] = K.data[i]!;
  for (let i = 0; i < n; i++) A[i * n + i]! += ridge;
  for (let i = 0; i < n; i++) {
    if (!(A[i * n + i]! > 0)) {
      throw new NumericError(`solvePowerEquation: task ${i} has a zero gradient, so K x = x^(−p) has no positive solution (set a ridge)`);
    }
  }
  const h = p === 1 ? (v: number) => Math.log(v) : (v: number) => v ** (1 - p) / (1 - p);
  let x: Float64Array;
  if (opts.x0 && opts.x0.length === n && opts.x0.every((v) => v > 0 && Number.isFinite(v))) x = Float64Array.from(opts.x0);
  else x = Float64Array.from({ length: n }, (_, i) => A[i * n + i]! ** (-1 / (1 + p)));
  return opts.evaluate ? newtonByEvaluation(A, n, p, h, x, tol, maxIter) : newtonQuadratic(A, n, p, h, x, tol, maxIter, opts.native !== false);
}

/**
 * Damped Newton, each iteration one product Kd (the addon's GEMV when native) besides the factorisation:
 * f's quadratic part along d is exact, f(x + td) = ½xᵀKx + t·dᵀKx + ½t²·dᵀKd − Σ h(x_i + t d_i), so every
 * Armijo trial costs O(T) and Kx is carried as Kx + t·Kd. Convergence is declared only on an exactly
 * recomputed Kx (the carried one differs by rounding), so the certificate is the same as the
 * evaluating version below (kept as the reference: `evaluate: true`).
 */
function newtonQuadratic(A: Float64Array, n: number, p: number, h: (v: number) => number, x: Float64Array, tol: number, maxIter: number, native = true): PowerEquationResult {
  const k = kernels();
  const Kx = new Float64Array(n);
  const Kd = new Float64Array(n);
  const g = new Float64Array(n);
  const d = new Float64Array(n);
  const H = new Float64Array(n * n);
  const mv = (v: Float64Array, out: Float64Array): void => k.dgemv(false, n, n, 1, A, n, v, 0, out);
  mv(x, Kx);
  let exact = true;
  let quad = 0;
  let hs = 0;
  for (let i = 0; i < n; i++) { quad += 0.5 * x[i]! * Kx[i]!; hs += h(x[i]!); }
  let fx = quad - hs;
  let it = 0;
  let residual = Infinity;
  for (; it <= maxIter; it++) {
    residual = 0;
    for (let i = 0; i < n; i++) {
      const xp = x[i]! ** -p;
      g[i] = Kx[i]! - xp;
      residual = Math.max(residual, Math.abs(Kx[i]! / xp - 1));
    }
    if (residual <= tol && !exact) {
      // confirm on the exact product (the carried Kx has rounding from the updates)
      mv(x, Kx);
      exact = true;
      it--;
      continue;
    }
    if (residual <= tol || it === maxIter) break;
    H.set(A);
    for (let i = 0; i < n; i++) H[i * n + i]! += p * x[i]! ** (-p - 1);
    // one factorisation and solve per Newton step: native from T = 24 (spdSolveInPlace; at T = 128 it
    // was ~0.25 ms through the general Cholesky plus TypeScript substitutions, most of a Nash-MTL call)
    for (let i = 0; i < n; i++) d[i] = -g[i]!;
    if (!spdSolveInPlace(H, n, d, { native })) break;
    mv(d, Kd);
    let gd = 0, dKx = 0, dKd = 0;
    let step = 1;
    for (let i = 0; i < n; i++) {
      gd += g[i]! * d[i]!;
      dKx += d[i]! * Kx[i]!;
      dKd += d[i]! * Kd[i]!;
      if (d[i]! < 0) step = Math.min(step, (-0.99 * x[i]!) / d[i]!);
    }
    const fAt = (t: number): number => {
      let hsum = 0;
      for (let i = 0; i < n; i++) hsum += h(x[i]! + t * d[i]!);
      return quad + t * dKx + 0.5 * t * t * dKd - hsum;
    };
    // Full Newton steps once the decrement λ² = −gᵀd < 1/16 (as in the evaluating version below).
    let ok = -gd < 0.0625 && step === 1;
    let fn = ok ? fAt(1) : fx;
    for (let q = 0; !ok && q < 60; q++) {
      fn = fAt(step);
      if (fn <= fx + 1e-4 * step * gd || (Math.abs(fn - fx) <= 1e-15 * Math.abs(fx) && step < 1e-8)) ok = true;
      else step *= 0.5;
    }
    if (!ok) break;
    for (let i = 0; i < n; i++) { x[i]! += step * d[i]!; Kx[i]! += step * Kd[i]!; }
    quad += step * dKx + 0.5 * step * step * dKd;
    fx = fn;
    exact = false;
    let big = 0;
    for (let i = 0; i < n; i++) big = Math.max(big, x[i]!);
    if (!(big < 1e150)) break;
  }
  if (!exact) {
    mv(x, Kx);
    residual = 0;
    for (let i = 0; i < n; i++) residual = Math.max(residual, Math.abs(Kx[i]! * x[i]! ** p - 1));
  }
  return { x, residual, iterations: it, converged: residual <= tol };
}

/** The previous version: f evaluated afresh (O(T²)) at every Armijo trial. */
function newtonByEvaluation(A: Float64Array, n: number, p: number, h: (v: number) => number, x: Float64Array, tol: number, maxIter: number): PowerEquationResult {
  const f = (x: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let j = 0; j < n; j++) r += A[i * n + j]! * x[j]!;
      s += 0.5 * x[i]! * r - h(x[i]!);
    }
    return s;
  };
  const g = new Float64Array(n);
  const H = new Float64Array(n * n);
  const xn = new Float64Array(n);
  let fx = f(x);
  let it = 0;
  let residual = Infinity;
  for (; it <= maxIter; it++) {
    residual = 0;
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let j = 0; j < n; j++) r += A[i * n + j]! * x[j]!;
      const xp = x[i]! ** -p;
      g[i] = r - xp;
      residual = Math.max(residual, Math.abs(r / xp - 1));
    }
    if (residual <= tol || it === maxIter) break;
    for (let i = 0; i < n * n; i++) H[i] = A[i]!;
    for (let i = 0; i < n; i++) H[i * n + i]! += p * x[i]! ** (-p - 1);
    // Not positive definite only through rounding when x has run off to huge values (no solution).
    if (!choleskyInPlace(H, n)) break;
    const d = Float64Array.from(g, (v) => -v);
    choleskySolveInPlace(H, n, d);
    let gd = 0;
    let step = 1;
    for (let i = 0; i < n; i++) {
      gd += g[i]! * d[i]!;
      if (d[i]! < 0) step = Math.min(step, (-0.99 * x[i]!) / d[i]!);
    }
    // Close to the solution (Newton decrement λ² = −gᵀd small) the full step is taken: for p = 1, f
    // is self-concordant and λ < ¼ guarantees quadratic convergence (Boyd & Vandenberghe §9.6.4);
    // there rounding in f would otherwise stall the Armijo test.
    if (-gd < 0.0625 && step === 1) {
      for (let i = 0; i < n; i++) x[i]! += d[i]!;
      fx = f(x);
      continue;
    }
    let ok = false;
    for (let k = 0; k < 60; k++) {
      for (let i = 0; i < n; i++) xn[i] = x[i]! + step * d[i]!;
      const fn = f(xn);
      if (fn <= fx + 1e-4 * step * gd || (Math.abs(fn - fx) <= 1e-15 * Math.abs(fx) && step < 1e-8)) {
        fx = fn;
        ok = true;
        break;
      }
      step *= 0.5;
    }
    if (!ok) break;
    x.set(xn);
    // Unbounded below: the iterates run off to infinity.
    let big = 0;
    for (let i = 0; i < n; i++) big = Math.max(big, x[i]!);
    if (!(big < 1e150)) break;
  }
  return { x, residual, iterations: it, converged: residual <= tol };
}
