// The Ω-step of MTRL (Zhang & Yeung, "A convex formulation for learning task relationships in
// multi-task learning", UAI 2010): for fixed W,
//   min_Ω tr(W Ω⁻¹ Wᵀ)  s.t.  Ω ⪰ 0, tr Ω = 1   has the solution  Ω = (WᵀW)^½ / tr((WᵀW)^½).
// WᵀW is singular whenever d < T or W has a zero column, and then Ω⁻¹ does not exist. We therefore
// minimise the perturbed term tr(Ω⁻¹ (WᵀW + εI)) = tr(W Ω⁻¹ Wᵀ) + ε·tr(Ω⁻¹), whose exact minimiser
// is Ω_ε = (WᵀW + εI)^½ / tr((WᵀW + εI)^½) (same derivation: by Cauchy–Schwarz,
// tr(Ω⁻¹A)·tr(Ω) ≥ (tr A^½)², with equality iff Ω ∝ A^½), and its minimum value is (tr A^½)².
// ε > 0 keeps Ω_ε ≻ 0; the models report the ε-objective they actually minimise.
import { OptionError } from '../../errors.ts';
import { Matrix } from '../../linalg/matrix.ts';
import { matmul } from '../../linalg/ops.ts';
import { eigh, fromEigen } from '../../linalg/decomp/eigh.ts';
import { fromTaskSpectrum, taskSpectrum, useThinTaskSpectrum } from './task-spectrum.ts';

export interface OmegaStep {
  /** Ω_ε (T × T, trace 1, positive definite). */
  readonly omega: Matrix;
  /** Eigenvectors V of Ω_ε (columns) and its eigenvalues ω (ascending), for Ω⁻¹, Ω^½, Ω^-½. */
  readonly vectors: Matrix;
  readonly values: Float64Array;
  /** min over Ω of tr(Ω⁻¹(WᵀW + εI)) = (tr (WᵀW + εI)^½)². */
  readonly value: number;
}

/** The closed-form Ω step with the εI regularisation described above. */
export function mtrlOmegaStep(W: Matrix, epsilon: number): OmegaStep {
  if (!(epsilon > 0) || !Number.isFinite(epsilon)) throw new OptionError('epsilon', `MTRL's Ω step needs ε > 0, got ${epsilon}`);
  const A = matmul(W, W, { transA: true });
  for (let i = 0; i < A.rows; i++) A.data[i * A.cols + i]! += epsilon;
  const e = eigh(A);
  // Eigenvalues of WᵀW + εI are ≥ ε in exact arithmetic; clip rounding below it.
  const root = e.values.map((a) => Math.sqrt(Math.max(a, epsilon)));
  let s = 0;
  for (const r of root) s += r;
  const values = root.map((r) => r / s);
  return { omega: fromEigen(e.vectors, values), vectors: e.vectors, values, value: s * s };
}

/** Ω^p from its eigen-decomposition (p = −1, ½, −½, ...). */
export function omegaPower(step: Pick<OmegaStep, 'vectors' | 'values'>, p: number): Matrix {
  return fromEigen(step.vectors, step.values.map((w) => Math.pow(w, p)));
}

/** tr(W Ω⁻¹ Wᵀ) for a positive-definite Ω given by its eigen-decomposition. */
export function traceWOmegaInvWt(W: Matrix, step: Pick<OmegaStep, 'vectors' | 'values'>): number {
  // tr(W V diag(1/ω) Vᵀ Wᵀ) = Σ_q ‖W v_q‖² / ω_q
  const WV = matmul(W, step.vectors);
  const T = step.values.length;
  let s = 0;
  for (let q = 0; q < T; q++) {
    let c = 0;
    for (let i = 0; i < WV.rows; i++) c += WV.data[i * T + q]! ** 2;
    s += c / step.values[q]!;
  }
  return s;
}

/** Correlation matrix of a covariance: C_ij = Ω_ij / √(Ω_ii Ω_jj) (a zero variance gives a zero row). */
export function covarianceToCorrelation(omega: Matrix): Matrix {
  const n = omega.rows;
  const out = Matrix.zeros(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const den = Math.sqrt(omega.data[i * n + i]! * omega.data[j * n + j]!);
      out.data[i * n + j] = den > 0 ? omega.data[i * n + j]! / den : 0;
    }
  }
  return out;
}

/** The ε = 0 Ω step, Ω = (WᵀW)^½ / tr((WᵀW)^½) (possibly singular); Ω = I/T when W = 0 (no information). */
export function mtrlOmegaExact(W: Matrix): Matrix {
  const T = W.cols;
  if (useThinTaskSpectrum(W)) {
    // d < T: (WᵀW)^½ = V diag(σ) Vᵀ from the thin SVD, O(T·d² + T²·d) instead of ~9T³ (./task-spectrum.ts).
    const sp = taskSpectrum(W);
    let s = 0;
    for (const v of sp.sigma) s += v;
    if (!(s > 0)) return Matrix.diag(new Float64Array(T).fill(1 / T));
    return fromTaskSpectrum(sp, sp.sigma.map((v) => v / s), 0);
  }
  const e = eigh(matmul(W, W, { transA: true }));
  const root = e.values.map((a) => Math.sqrt(Math.max(a, 0)));
  let s = 0;
  for (const r of root) s += r;
  if (!(s > 0)) return Matrix.diag(new Float64Array(T).fill(1 / T));
  return fromEigen(e.vectors, root.map((r) => r / s));
}
