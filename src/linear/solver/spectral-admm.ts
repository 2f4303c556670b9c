// The eigen-steps of cmtl and mtrl as ADMM sees them (issue 17: "CMTL and MTRL: the same treatment for
// their eigen-steps" as the trace norm got in ./lowrank.ts). Both penalties are spectral functions of
// W (d × T), so their proxes act on the singular values of V only, with V's singular vectors:
//
//  - mtrl, Ω(W) = (μ/2)‖W‖_*² (Ω eliminated, structure/squared-trace.ts):
//      prox_{s·Ω}(V) = Σ_k x_k u_k v_kᵀ,  x = argmin_{x ≥ 0} ½‖x − σ‖² + (sμ/2)(Σx)²  (shrinkSquaredSum);
//    conjugate Ω*(G) = ‖G‖₂²/(2μ) (the conjugate of ½‖·‖² is ½‖·‖°², scaled).
//  - cmtl, Ω(W) = c·g(W), g(W) = min_{M ∈ 𝓜_k} tr(W(ηI + M)⁻¹Wᵀ) (structure/cmtl-m-step.ts): for fixed
//    M the prox of s·c·tr(WA⁻¹Wᵀ), A = ηI + M, is V·A(A + 2scI)⁻¹, and its value
//    s·c·tr(V(A + 2scI)⁻¹Vᵀ) is g at η' = η + 2sc; so (jointly convex in W and M)
//      prox_{s·Ω}(V) = V·Q diag((η + γ)/(η + γ + 2sc)) Qᵀ,  γ = cmtlOptimalEigenvalues(σ(V), k, η + 2sc),
//    Q the right singular vectors of V; and the M that minimises the joint objective at the output is
//    the same Q diag(γ) Qᵀ, so Ω(out) = c·Σ σ_i(out)²/(η + γ_i) comes with the step. Conjugate:
//    (c·tr(WA⁻¹Wᵀ))*(G) = tr(GAGᵀ)/(4c), maximised over M: Ω*(G) = (η‖G‖²_F + Σ_{i≤k} σ_i(G)²)/(4c).
//
// Only the directions the step changes non-uniformly need their eigenpairs: mtrl's kept singular
// values (x > 0; the rest map to 0), cmtl's directions with γ > 0 (every other direction of V is scaled
// by the same α = η/(η + 2sc), applied to V as a whole). As for the trace norm they come from the
// eigendecomposition of the min(d, T)² Gram matrix of V (lowrank.ts gramEigen; native eigh when the
// addon is built), with the exact one-sided Jacobi SVD as the fallback when a needed singular value is
// below 10⁻⁴·σ_max (the Gram route's relative error there is ε(σ_max/σ)² ≈ 1e-8).
import { Matrix } from '../../linalg/matrix.ts';
import { svd } from '../../linalg/decomp/svd.ts';
import { cmtlOptimalEigenvalues } from '../structure/capped-simplex.ts';
import { cmtlReduced } from '../structure/cmtl-m-step.ts';
import { shrinkSquaredSum, squaredTraceValue } from '../structure/squared-trace.ts';
import type { GramPenalty } from './admm.ts';
import { gramEigen, spectralMapT, type Spectrum } from './lowrank.ts';

/** Below this σ/σ_max a needed direction is taken from the exact SVD (see the header). */
const GRAM_ROUTE_MIN = 1e-4;


/** The same spectrum from the exact SVD of the stored-transposed V (T × d). */
function exactSpectrum(Vt: Float64Array, d: number, T: number): Spectrum {
  const { U, s, V } = svd(new Matrix(T, d, Vt)); // Vt = U diag(s) Vᵀ: U is V's T-side, V its d-side
  const left = d <= T;
  return { values: s, Q: left ? V : U, left };
}

const sumSq = (a: Float64Array): number => {
  let s = 0;
  for (const v of a) s += v * v;
  return s;
};

/** ‖·‖₂² of the stored-transposed G (the top eigenvalue of its small Gram). */
const spectralSq = (Gt: Float64Array, d: number, T: number): number => (gramEigen(Gt, d, T).values[0] ?? 0) ** 2;

// ---------------------------------------------------------------- mtrl: (μ/2)‖W‖_*²

/** The kept directions of prox_{(a/μ)·(μ/2)‖·‖_*²}, a = step·μ, on a spectrum: r and x. */
function squaredTraceKept(sp: Spectrum, a: number): { r: number; x: Float64Array } {
  const x = shrinkSquaredSum(sp.values, a);
  let r = 0;
  while (r < x.length && x[r]! > 0) r++;
  return { r, x };
}

/** (μ/2)‖·‖_*² as ADMM sees it (mtrl with Ω eliminated). */
export function squaredTraceGramPenalty(mu: number): GramPenalty {
  if (!(mu > 0) || !Number.isFinite(mu)) throw new RangeError(`mtrl: λ2 must be finite and > 0, got ${mu}`);
  return {
    name: 'squared-trace',
    proxT(Vt, d, T, step, out) {
      const a = step * mu;
      let sp: Spectrum = gramEigen(Vt, d, T);
      const smax = sp.values[0] ?? 0;
      if (!(smax > 0)) {
        out.fill(0);
        return 0;
      }
      let kept = squaredTraceKept(sp, a);
      // The threshold a·S (S = Σx): kept σ above it; as for the trace norm, the Gram route's error in
      // f = x/σ = 1 − aS/σ is ≤ ε(σ_max/(aS))²/2.
      const tau = smax - kept.x[0]!;
      if (smax > tau / GRAM_ROUTE_MIN) {
        sp = exactSpectrum(Vt, d, T);
        kept = squaredTraceKept(sp, a);
      }
      const f = new Float64Array(kept.r);
      let S = 0;
      for (let k = 0; k < kept.r; k++) {
        f[k] = kept.x[k]! / sp.values[k]!;
        S += kept.x[k]!;
      }
      spectralMapT(Vt, d, T, sp, kept.r, f, 0, out);
      return (mu / 2) * S * S;
    },
    valueT(Wt, d, T) {
      // Σσ: exact SVD when small singular values would carry the Gram route's √ε·σ_max noise.
      let sp: Spectrum = gramEigen(Wt, d, T);
      const smax = sp.values[0] ?? 0;
      if (sp.values.some((v) => v > 0 && v < GRAM_ROUTE_MIN * smax)) sp = exactSpectrum(Wt, d, T);
      const s = sp.values.reduce((acc, v) => acc + v, 0);
      return (mu / 2) * s * s;
    },
    conjugateT: (Gt, d, T) => spectralSq(Gt, d, T) / (2 * mu),
    curvature: mu,
    exactValue: (W) => squaredTraceValue(W, mu),
  };
}

// ---------------------------------------------------------------- cmtl: c·min_M tr(W(ηI + M)⁻¹Wᵀ)

/** γ on a spectrum padded with zeros to T (k ≤ T), and the number r of leading directions with γ > 0. */
function cmtlGamma(sp: Spectrum, T: number, k: number, eta: number): { gamma: Float64Array; r: number } {
  const sigma = new Float64Array(T);
  sigma.set(sp.values);
  const gamma = cmtlOptimalEigenvalues(sigma, k, eta);
  let r = 0;
  for (let i = 0; i < sp.values.length; i++) if (gamma[i]! > 0) r = i + 1;
  return { gamma, r };
}

/** True when a needed direction (one of the first r) is below the Gram route's accuracy. */
const needsExact = (sp: Spectrum, r: number): boolean => r > 0 && sp.values[r - 1]! < GRAM_ROUTE_MIN * sp.values[0]!;

/** c·g(W) with η and k as ADMM sees it (cmtl with M eliminated; c, η from cmtlConstants). */
export function cmtlGramPenalty(c: number, eta: number, k: number): GramPenalty {
  if (!(c > 0) || !(eta > 0)) throw new RangeError(`cmtl: c and η must be > 0, got ${c}, ${eta}`);
  return {
    name: 'cmtl',
    proxT(Vt, d, T, step, out) {
      const e2 = eta + 2 * step * c;
      let sp: Spectrum = gramEigen(Vt, d, T);
      let g = cmtlGamma(sp, T, k, e2);
      if (needsExact(sp, g.r)) {
        sp = exactSpectrum(Vt, d, T);
        g = cmtlGamma(sp, T, k, e2);
      }
      const alpha = eta / e2;
      const f = new Float64Array(g.r);
      // Ω(out) = c·Σσ_i²(η + γ_i)/(η + γ_i + 2sc)² over the whole spectrum (as cmtlReduced sums it).
      let value = 0;
      for (let i = 0; i < sp.values.length; i++) {
        const gi = g.gamma[i]!;
        if (i < g.r) f[i] = (eta + gi) / (e2 + gi);
        value += (sp.values[i]! ** 2 * (eta + gi)) / (e2 + gi) ** 2;
      }
      spectralMapT(Vt, d, T, sp, g.r, f, alpha, out);
      return c * value;
    },
    valueT(Wt, d, T) {
      // g(W) = Σ σ_i²/(η + γ_i) (the padded zeros add nothing).
      let sp: Spectrum = gramEigen(Wt, d, T);
      let g = cmtlGamma(sp, T, k, eta);
      if (needsExact(sp, g.r)) {
        sp = exactSpectrum(Wt, d, T);
        g = cmtlGamma(sp, T, k, eta);
      }
      let v = 0;
      for (let i = 0; i < sp.values.length; i++) v += sp.values[i]! ** 2 / (eta + g.gamma[i]!);
      return c * v;
    },
    gradientT(Wt, d, T, out) {
      // ∇(c·g) = 2c·W(ηI + M*)⁻¹ (Danskin): 2c/η on the γ = 0 directions, 2c/(η + γ_i) on the others.
      let sp: Spectrum = gramEigen(Wt, d, T);
      let g = cmtlGamma(sp, T, k, eta);
      if (needsExact(sp, g.r)) {
        sp = exactSpectrum(Wt, d, T);
        g = cmtlGamma(sp, T, k, eta);
      }
      const f = new Float64Array(g.r);
      for (let i = 0; i < g.r; i++) f[i] = (2 * c) / (eta + g.gamma[i]!);
      spectralMapT(Wt, d, T, sp, g.r, f, (2 * c) / eta, out);
    },
    conjugateT(Gt, d, T) {
      const vals = gramEigen(Gt, d, T).values;
      let top = 0;
      for (let i = 0; i < Math.min(k, vals.length); i++) top += vals[i]! ** 2;
      return (eta * sumSq(Gt) + top) / (4 * c);
    },
    exactValue: (W) => (W.rows && W.cols ? c * cmtlReduced(W, k, eta).value : 0),
  };
}
