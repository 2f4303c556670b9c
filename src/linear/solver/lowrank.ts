// The trace (nuclear) norm for the squared-loss solvers (issue 17): its prox by a partial SVD, and
// the trace model's default solver, ADMM with exact per-task steps (./admm.ts: why ADMM, the dual).
//
// The prox needs only the singular values ABOVE the threshold τ and their subspace: with W d × T and
// m = min(d, T), it takes the eigendecomposition of the m × m Gram matrix C = WWᵀ (or WᵀW) =
// Q diag(σ²) Qᵀ and returns W ← Q diag(max(1 − τ/σ, 0)) Qᵀ W (right-multiplied when T < d). Every
// singular value under τ maps to 0 whatever its rounding error, so squaring the condition number
// costs nothing there; for the kept ones the relative error of f(σ) = 1 − τ/σ is ≤ ε(σ_max/τ)²/2, so
// beyond σ_max/τ = 10⁴ the exact one-sided Jacobi SVD (linalg/decomp/svd.ts) is used instead. The
// dual norm of λ‖·‖_* is ‖·‖₂/λ (spectral norm, the top eigenvalue of the same small Gram matrix).
// Measured on raw School (ρ = 200): ADMM 360 iterations against FISTA's ~6 000 (docs/solvers.md).
import { Matrix } from '../../linalg/matrix.ts';
import { gram, matmul } from '../../linalg/ops.ts';
import { eigh } from '../../linalg/decomp/eigh.ts';
import { svd } from '../../linalg/decomp/svd.ts';
import { admmGram, type AdmmOptions, type AdmmResult, type GramPenalty } from './admm.ts';
import type { GramProblem } from './gram-form.ts';

export interface TraceSolveOptions extends AdmmOptions {
  readonly lambda: number;
}

export type TraceSolveResult = AdmmResult;

/** Above this σ_max/τ the Gram-route prox hands over to the exact SVD (see the header). */
const GRAM_ROUTE_RATIO = 1e4;

// ---------------------------------------------------------------- the prox

/** Singular values of the d × T matrix stored transposed (Wt: T × d), from the min(d, T) Gram; descending; Q: the singular vectors on the smaller side (d-side when left). */
export function gramEigen(Wt: Float64Array, d: number, T: number): Spectrum {
  // left: C = WWᵀ (d × d) = Wtᵀ Wt; else C = WᵀW (T × T) = Wt Wtᵀ.
  const left = d <= T;
  const m = left ? d : T;
  let C: Matrix;
  if (left) {
    // One backend Gram kernel call (native / wasm SIMD), not a scalar loop over T·d² (issue 15: this
    // and spectralMapT were ~70 % of a trace-norm ADMM iteration at T = 10 000, d = 50).
    C = gram(new Matrix(T, d, Wt));
  } else {
    C = Matrix.zeros(m, m);
    const c = C.data;
    for (let t = 0; t < T; t++) for (let u = t; u < T; u++) {
      let s = 0;
      for (let i = 0; i < d; i++) s += Wt[t * d + i]! * Wt[u * d + i]!;
      c[t * T + u] = s;
    }
    for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) c[j * m + i] = c[i * m + j]!;
  }
  const e = eigh(C); // ascending
  const values = new Float64Array(m);
  const Q = Matrix.zeros(m, m);
  for (let k = 0; k < m; k++) {
    const src = m - 1 - k;
    values[k] = Math.sqrt(Math.max(e.values[src]!, 0));
    for (let i = 0; i < m; i++) Q.data[i * m + k] = e.vectors.data[i * m + src]!;
  }
  return { values, Q, left };
}

/** The singular values and vectors of a d × T matrix on its smaller side (gramEigen, or an exact SVD). */
export interface Spectrum {
  /** σ descending, length m = min(d, T). */
  readonly values: Float64Array;
  /** m × m: the singular vectors on the smaller side, column k (d-side when left). */
  readonly Q: Matrix;
  readonly left: boolean;
}

/**
 * out ← α·V + Σ_{k<r} (f_k − α) q_k q_kᵀ applied on V's smaller side (W·h(WᵀW) = h(WWᵀ)·W), for V
 * stored transposed (T × d). The first r directions of the spectrum carry f.
 */
export function spectralMapT(Vt: Float64Array, d: number, T: number, sp: Spectrum, r: number, f: Float64Array, alphaIn: number, out: Float64Array): void {
  const m = sp.values.length;
  const q = sp.Q.data;
  // r = m: the r directions span the whole smaller side (Σ q_k q_kᵀ = I), so α cancels exactly; leave
  // it out rather than add and subtract it (cmtl's α = 2c/η can exceed the other factors by 1/η).
  const alpha = r === m ? 0 : alphaIn;
  for (let i = 0; i < Vt.length; i++) out[i] = alpha * Vt[i]!;
  if (r === 0) return;
  if (sp.left) {
    // out += Vt · S, S = Q_r diag(f − α) Q_rᵀ (d × d).
    const S = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = i; j < d; j++) {
      let s = 0;
      for (let k = 0; k < r; k++) s += q[i * m + k]! * (f[k]! - alpha) * q[j * m + k]!;
      S[i * d + j] = s;
      S[j * d + i] = s;
    }
    // out (T × d) += Vt · S: one backend GEMM.
    matmul(new Matrix(T, d, Vt), new Matrix(d, d, S), { beta: 1, out: new Matrix(T, d, out) });
  } else {
    // out += S · Vt, S (T × T) = Q_r diag(f − α) Q_rᵀ, through Z = diag(f − α) Q_rᵀ Vt (r × d).
    const Z = new Float64Array(r * d);
    for (let k = 0; k < r; k++) for (let t = 0; t < T; t++) {
      const a = q[t * m + k]! * (f[k]! - alpha);
      if (a === 0) continue;
      for (let i = 0; i < d; i++) Z[k * d + i]! += a * Vt[t * d + i]!;
    }
    for (let t = 0; t < T; t++) for (let k = 0; k < r; k++) {
      const a = q[t * m + k]!;
      for (let i = 0; i < d; i++) out[t * d + i]! += a * Z[k * d + i]!;
    }
  }
}

/**
 * prox_{τ‖·‖_*} of the d × T matrix V stored transposed (Vt: T × d), written into out (T × d);
 * returns the nuclear norm of the result (Σ max(σ − τ, 0)).
 */
export function traceProxT(Vt: Float64Array, d: number, T: number, tau: number, out: Float64Array): number {
  const { values, Q, left } = gramEigen(Vt, d, T);
  const smax = values[0] ?? 0;
  out.fill(0);
  if (!(smax > tau)) return 0;
  if (smax > GRAM_ROUTE_RATIO * tau) return exactProxT(Vt, d, T, tau, out);
  const m = values.length;
  let r = 0;
  while (r < m && values[r]! > tau) r++;
  let nuc = 0;
  const f = new Float64Array(r);
  for (let k = 0; k < r; k++) {
    f[k] = 1 - tau / values[k]!;
    nuc += values[k]! - tau;
  }
  spectralMapT(Vt, d, T, { values, Q, left }, r, f, 0, out); // out = Σ_{k<r} f_k q_k q_kᵀ applied on the smaller side
  return nuc;
}

/** The same prox by the exact (one-sided Jacobi) SVD: the fallback for σ_max/τ beyond the Gram route's accuracy. */
function exactProxT(Vt: Float64Array, d: number, T: number, tau: number, out: Float64Array): number {
  const { U, s, V } = svd(new Matrix(T, d, Vt)); // Vt = U diag(s) Vᵀ
  const r = s.length;
  out.fill(0);
  let nuc = 0;
  for (let k = 0; k < r; k++) {
    const sk = s[k]! - tau;
    if (sk <= 0) break;
    nuc += sk;
    for (let t = 0; t < T; t++) {
      const a = U.data[t * r + k]! * sk;
      if (a === 0) continue;
      for (let i = 0; i < d; i++) out[t * d + i]! += a * V.data[i * r + k]!;
    }
  }
  return nuc;
}

/** ‖W‖_* of the matrix stored transposed (Gram route; exact SVD when the spread of σ is too wide). */
function nuclearT(Wt: Float64Array, d: number, T: number): number {
  const { values } = gramEigen(Wt, d, T);
  const smax = values[0] ?? 0;
  if (smax === 0) return 0;
  // Tiny singular values come out of the Gram route as ~√ε·σ_max: take the exact SVD when any is
  // small enough for that to matter at a relative accuracy of 1e-12 of the sum.
  let sum = 0;
  let small = false;
  for (const v of values) {
    sum += v;
    if (v > 0 && v < 1e-4 * smax) small = true;
  }
  if (!small) return sum;
  return svd(new Matrix(T, d, Wt)).s.reduce((a, b) => a + b, 0);
}

/** ‖G‖₂ (spectral norm) of the d × T matrix stored transposed. */
function spectralNormT(Gt: Float64Array, d: number, T: number): number {
  return gramEigen(Gt, d, T).values[0] ?? 0;
}

/** λ‖·‖_* as ADMM sees it. */
export function traceGramPenalty(lambda: number): GramPenalty {
  if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new RangeError(`trace: lambda must be finite and ≥ 0, got ${lambda}`);
  return {
    name: 'trace',
    proxT: (Vt, d, T, step, out) => lambda * traceProxT(Vt, d, T, step * lambda, out),
    valueT: (Wt, d, T) => lambda * nuclearT(Wt, d, T),
    dualRatioT: (Gt, d, T) => spectralNormT(Gt, d, T) / lambda,
    exactValue: (W) => (W.rows && W.cols ? lambda * svd(W).s.reduce((a, b) => a + b, 0) : 0),
  };
}

/** The trace model's squared-loss solver: ADMM (./admm.ts) with the trace norm's partial-SVD prox. */
export function traceAdmm(gp: GramProblem, opts: TraceSolveOptions): TraceSolveResult {
  return admmGram(gp, traceGramPenalty(opts.lambda), opts);
}
