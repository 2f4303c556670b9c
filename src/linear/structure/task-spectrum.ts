// The task-side spectrum of W (d × T) when there are more tasks than features (issue 15: "a fit's
// cost grows linearly in T"). The task matrices of mtrl (Ω = (WᵀW)^½/tr) and cmtl (M* = V diag(γ) Vᵀ)
// are spectral functions of WᵀW, a T × T matrix of rank r ≤ d. Decomposing WᵀW itself costs ~9T³ flops
// (T = 10 000: ~10¹³, hours); the thin SVD of Wᵀ (T × d, one-sided Jacobi, linalg/decomp/svd.ts) gives
// the same r eigenpairs in O(T·d²) and to full accuracy (no squared condition number), and the dense
// T × T result is one GEMM, O(T²·r). Every direction outside the row space of W has the eigenvalue 0
// of WᵀW, so f(WᵀW) = V diag(f(σ²) − f(0)) Vᵀ + f(0)·I.
import { Matrix } from '../../linalg/matrix.ts';
import { matmul } from '../../linalg/ops.ts';
import { svd } from '../../linalg/decomp/svd.ts';

export interface TaskSpectrum {
  /** Singular values of W, descending, length r = min(d, T). */
  readonly sigma: Float64Array;
  /** T × r: the right singular vectors of W (orthonormal columns). */
  readonly V: Matrix;
}

/** True when the thin route is the cheaper one (fewer features than tasks). */
export const useThinTaskSpectrum = (W: Matrix): boolean => W.rows < W.cols;

/** The thin task-side spectrum of W (d × T) from the SVD of Wᵀ: O(T·d²). */
export function taskSpectrum(W: Matrix): TaskSpectrum {
  const { U, s } = svd(W.transpose()); // Wᵀ = U diag(s) V_dᵀ: U (T × r) is W's task side
  // The SVD returns s descending; keep that order (callers index the leading directions).
  return { sigma: s, V: U };
}

/** V diag(f − base) Vᵀ + base·I (T × T), one GEMM. f has one entry per column of V. */
export function fromTaskSpectrum(sp: TaskSpectrum, f: ArrayLike<number>, base: number): Matrix {
  const T = sp.V.rows;
  const r = sp.V.cols;
  const scaled = Matrix.zeros(T, r);
  const v = sp.V.data;
  for (let t = 0; t < T; t++) for (let k = 0; k < r; k++) scaled.data[t * r + k] = v[t * r + k]! * (f[k]! - base);
  const out = matmul(scaled, sp.V, { transB: true });
  const o = out.data;
  // Symmetric by construction up to rounding in the GEMM's summation order: make it exact.
  for (let i = 0; i < T; i++) {
    o[i * T + i]! += base;
    for (let j = i + 1; j < T; j++) {
      const a = 0.5 * (o[i * T + j]! + o[j * T + i]!);
      o[i * T + j] = a;
      o[j * T + i] = a;
    }
  }
  return out as Matrix;
}
