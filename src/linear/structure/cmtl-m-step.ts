// The M-block of clustered MTL, convex relaxation (Zhou, Chen & Ye, "Clustered multi-task learning
// via alternating structure optimization", NIPS 2011; MALSAR's Least_CMTL):
//
//   pen(W, M) = c · tr( W (ηI + M)⁻¹ Wᵀ ),   η = ρ2/ρ1,  c = ρ1·η(1 + η),
//   M ∈ 𝓜_k = { M = Mᵀ : tr M = k, 0 ⪯ M ⪯ I }   (M is T × T, W is d × T).
//
// Everything here is a pure function of (W, M): the value, both gradients (the M-gradient is the
// correct symmetric one, −c·A⁻¹WᵀWA⁻¹ with A = ηI + M; MALSAR and RMTL use −c·WᵀWA⁻², see
// shared/notes/linear-mtl.md), the Euclidean projection onto 𝓜_k, and the closed-form minimiser in
// M for fixed W, which turns the joint problem into a smooth problem in W alone (see cmtl.ts).
import { OptionError, ShapeError } from '../../errors.ts';
import { Matrix, shapeOf } from '../../linalg/matrix.ts';
import { matmul, symmetrize, trace } from '../../linalg/ops.ts';
import { eigh, fromEigen } from '../../linalg/decomp/eigh.ts';
import { cholesky, choleskySolve } from '../../linalg/decomp/cholesky.ts';
import { cmtlOptimalEigenvalues, projectCappedSimplex } from './capped-simplex.ts';
import { fromTaskSpectrum, taskSpectrum, useThinTaskSpectrum, type TaskSpectrum } from './task-spectrum.ts';

export interface CmtlConstants {
  readonly eta: number;
  readonly c: number;
}

/** η = ρ2/ρ1 and c = ρ1·η(1 + η), exactly as MALSAR's Least_CMTL(ρ1, ρ2, k) defines them. */
export function cmtlConstants(rho1: number, rho2: number): CmtlConstants {
  if (!(rho1 > 0) || !Number.isFinite(rho1)) throw new OptionError('lambda', `CMTL needs ρ1 > 0 (finite), got ${rho1}`);
  if (!(rho2 > 0) || !Number.isFinite(rho2)) throw new OptionError('rho2', `CMTL needs ρ2 > 0 (finite), got ${rho2}`);
  const eta = rho2 / rho1;
  return { eta, c: rho1 * eta * (1 + eta) };
}

function checkWM(W: Matrix, M: Matrix, op: string): void {
  if (M.rows !== M.cols || M.rows !== W.cols) {
    throw new ShapeError(`${op}: W is ${shapeOf(W)} (d × T), M is ${shapeOf(M)}; M must be T × T`);
  }
}

/** A = ηI + M (a copy). */
function shifted(M: Matrix, eta: number): Matrix {
  const A = M.clone();
  for (let i = 0; i < A.rows; i++) A.data[i * A.cols + i]! += eta;
  return A;
}

/** c·tr(W (ηI + M)⁻¹ Wᵀ) = c·tr((ηI + M)⁻¹ WᵀW). */
export function cmtlPenaltyValue(W: Matrix, M: Matrix, k: CmtlConstants): number {
  checkWM(W, M, 'cmtlPenaltyValue');
  const L = cholesky(shifted(M, k.eta));
  const G = matmul(W, W, { transA: true });
  return k.c * trace(choleskySolve(L, G));
}

/** ∇_W pen = 2c·W (ηI + M)⁻¹ (M symmetric). */
export function cmtlGradW(W: Matrix, M: Matrix, k: CmtlConstants): Matrix {
  checkWM(W, M, 'cmtlGradW');
  const L = cholesky(shifted(M, k.eta));
  // (A⁻¹ Wᵀ)ᵀ = W A⁻¹ since A is symmetric.
  const AinvWt = choleskySolve(L, W.transpose());
  const g = AinvWt.transpose();
  for (let i = 0; i < g.data.length; i++) g.data[i]! *= 2 * k.c;
  return g;
}

/**
 * ∇_M pen = −c·A⁻¹ WᵀW A⁻¹, A = ηI + M: the derivative of tr(A⁻¹G) along any direction E is
 * −tr(A⁻¹ E A⁻¹ G) = ⟨−A⁻¹GA⁻¹, E⟩ (A, G symmetric). This is the correct, symmetric gradient.
 */
export function cmtlGradM(W: Matrix, M: Matrix, k: CmtlConstants): Matrix {
  checkWM(W, M, 'cmtlGradM');
  const L = cholesky(shifted(M, k.eta));
  const G = matmul(W, W, { transA: true });
  const AinvG = choleskySolve(L, G); // A⁻¹G
  const AinvGAinv = choleskySolve(L, AinvG.transpose()).transpose(); // (A⁻¹ (A⁻¹G)ᵀ)ᵀ = A⁻¹GA⁻¹
  const out = AinvGAinv;
  for (let i = 0; i < out.data.length; i++) out.data[i]! *= -k.c;
  return symmetrize(out); // remove rounding asymmetry
}

/** The asymmetric "gradient" −c·WᵀW A⁻² used by MALSAR/RMTL (kept only so tests can show it is wrong). */
export function cmtlGradMMalsar(W: Matrix, M: Matrix, k: CmtlConstants): Matrix {
  checkWM(W, M, 'cmtlGradMMalsar');
  const L = cholesky(shifted(M, k.eta));
  const G = matmul(W, W, { transA: true });
  const Ainv2 = choleskySolve(L, choleskySolve(L, Matrix.identity(M.rows)));
  const out = matmul(G, Ainv2);
  for (let i = 0; i < out.data.length; i++) out.data[i]! *= -k.c;
  return out;
}

/**
 * Euclidean (Frobenius) projection of a symmetric matrix onto 𝓜_k: project its eigenvalues onto the
 * capped simplex { 0 ≤ σ ≤ 1, Σσ = k } and keep its eigenvectors (the step of MALSAR's projected
 * gradient; exact because 𝓜_k is a spectral set and the Frobenius norm is unitarily invariant).
 */
export function projectM(M: Matrix, k: number): Matrix {
  if (M.rows !== M.cols) throw new ShapeError(`projectM: M is ${shapeOf(M)}, must be square`);
  const e = eigh(M);
  return fromEigen(e.vectors, projectCappedSimplex(e.values, k));
}

export interface CmtlReduced {
  /** g(W) = min_{M ∈ 𝓜_k} tr(W (ηI + M)⁻¹ Wᵀ)  (without the factor c). */
  readonly value: number;
  /** ∇g = 2 W (ηI + M*)⁻¹  (without the factor c). */
  readonly gradient: Matrix;
}

/**
 * The partial minimum over M for fixed W, and its gradient. The minimiser is M* = V diag(γ) Vᵀ with
 * V the right singular vectors of W and γ = cmtlOptimalEigenvalues(σ(W), k, η); then
 * g(W) = Σ σ_i²/(η + γ_i). g is convex (partial minimum of a jointly convex function) and, being a
 * minimum of quadratics with Hessian ⪯ (2/η)I, (2/η)-smooth; by Danskin's theorem ∇g = 2W(ηI + M*)⁻¹.
 * We decompose the smaller of WWᵀ (d × d) and WᵀW (T × T).
 */
export function cmtlReduced(W: Matrix, k: number, eta: number): CmtlReduced {
  const d = W.rows;
  const T = W.cols;
  if (d < T) {
    // WWᵀ = U diag(σ²) Uᵀ; W(ηI + M*)⁻¹ = U diag(1/(η + γ)) Uᵀ W on the row space of W (the rest is 0).
    const e = eigh(matmul(W, W, { transB: true }));
    const sigma = new Float64Array(T); // padded with T − d zeros
    for (let i = 0; i < d; i++) sigma[i] = Math.sqrt(Math.max(0, e.values[i]!));
    const gamma = cmtlOptimalEigenvalues(sigma, k, eta);
    let value = 0;
    const f = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      value += (sigma[i]! * sigma[i]!) / (eta + gamma[i]!);
      f[i] = 2 / (eta + gamma[i]!);
    }
    return { value, gradient: matmul(fromEigen(e.vectors, f), W) };
  }
  const e = eigh(matmul(W, W, { transA: true }));
  const sigma = e.values.map((v) => Math.sqrt(Math.max(0, v)));
  const gamma = cmtlOptimalEigenvalues(sigma, k, eta);
  let value = 0;
  const f = new Float64Array(T);
  for (let i = 0; i < T; i++) {
    value += (sigma[i]! * sigma[i]!) / (eta + gamma[i]!);
    f[i] = 2 / (eta + gamma[i]!);
  }
  return { value, gradient: matmul(W, fromEigen(e.vectors, f)) };
}

/**
 * M* of cmtlOptimalM in the thin form of ./task-spectrum.ts (d < T): the right singular vectors V
 * (T × r) of W, γ on them (length r, non-increasing since σ is descending), and the common γ of every
 * direction outside W's row space (σ = 0 there; cmtlOptimalEigenvalues gives them one value).
 */
export interface CmtlThinM {
  readonly spectrum: TaskSpectrum;
  readonly gamma: Float64Array;
  readonly gammaRest: number;
  /** T */
  readonly tasks: number;
}

/** M* for fixed W from the thin SVD: O(T·d²) (./task-spectrum.ts). */
export function cmtlOptimalThin(W: Matrix, k: number, eta: number): CmtlThinM {
  const T = W.cols;
  const spectrum = taskSpectrum(W);
  const r = spectrum.sigma.length;
  const padded = new Float64Array(T);
  padded.set(spectrum.sigma);
  const all = cmtlOptimalEigenvalues(padded, k, eta);
  return { spectrum, gamma: all.slice(0, r), gammaRest: r < T ? all[r]! : 0, tasks: T };
}

/** The dense T × T M of a thin M* (one GEMM, O(T²·r)). */
export function thinMMatrix(m: CmtlThinM): Matrix {
  return fromTaskSpectrum(m.spectrum, m.gamma, m.gammaRest);
}

/**
 * cmtlMResidual at M = M*(W) in the thin form, O(T log T) after the SVD: M*, A = ηI + M* and
 * G = WᵀW share their eigenvectors, so ∇_M = −c·A⁻¹GA⁻¹ has the eigenvalues −cσ_i²/(η + γ_i)² on V
 * (0 elsewhere), the step M − ∇/‖∇‖_F stays in that basis, and projectM acts on its eigenvalues.
 * The same number as the dense cmtlMResidual(W, thinMMatrix(m), k, consts) (tested to 1e-10).
 */
export function cmtlMResidualThin(m: CmtlThinM, k: number, consts: CmtlConstants): number {
  const { sigma } = m.spectrum;
  const r = sigma.length;
  const T = m.tasks;
  let gn = 0;
  const g = new Float64Array(r);
  for (let i = 0; i < r; i++) {
    g[i] = (-consts.c * sigma[i]! * sigma[i]!) / (consts.eta + m.gamma[i]!) ** 2;
    gn += g[i]! * g[i]!;
  }
  gn = Math.sqrt(gn);
  if (gn === 0) return 0;
  const step = new Float64Array(T).fill(m.gammaRest);
  for (let i = 0; i < r; i++) step[i] = m.gamma[i]! - g[i]! / gn;
  const P = projectCappedSimplex(step, k);
  let res = 0;
  for (let i = 0; i < T; i++) res += ((i < r ? m.gamma[i]! : m.gammaRest) - P[i]!) ** 2;
  return Math.sqrt(res);
}

/** The minimiser M* ∈ 𝓜_k of tr(W(ηI + M)⁻¹Wᵀ) for fixed W (T × T). */
export function cmtlOptimalM(W: Matrix, k: number, eta: number): Matrix {
  if (useThinTaskSpectrum(W)) return thinMMatrix(cmtlOptimalThin(W, k, eta));
  const e = eigh(matmul(W, W, { transA: true }));
  const sigma = e.values.map((v) => Math.sqrt(Math.max(0, v)));
  return fromEigen(e.vectors, cmtlOptimalEigenvalues(sigma, k, eta));
}

/**
 * Scale-free stationarity of M for min_{M ∈ 𝓜_k} pen(W, M): ‖M − Π(M − ∇/‖∇‖_F)‖_F with ∇ = ∇_M pen.
 * Zero exactly at the minimiser (the projection fixed point holds for every step > 0); at most
 * about 1 (one unit step), so it is comparable across data scales.
 */
export function cmtlMResidual(W: Matrix, M: Matrix, k: number, consts: CmtlConstants): number {
  const g = cmtlGradM(W, M, consts);
  let gn = 0;
  for (let i = 0; i < g.data.length; i++) gn += g.data[i]! * g.data[i]!;
  gn = Math.sqrt(gn);
  if (gn === 0) return 0;
  const step = M.clone();
  for (let i = 0; i < step.data.length; i++) step.data[i]! -= g.data[i]! / gn;
  const P = projectM(step, k);
  let r = 0;
  for (let i = 0; i < P.data.length; i++) r += (M.data[i]! - P.data[i]!) ** 2;
  return Math.sqrt(r);
}
