// A penalty Ω(W) on the d × T weight matrix (columns = tasks), with its weight built in: the
// factories take the weight, and value() returns exactly weight·‖…‖ with no hidden ½
// (issue 4: "ρ‖W‖₁ means exactly that").
//
// Exported API (stable; H5's structured models build on it):
//   interface Penalty {
//     name                     e.g. 'l21'
//     value(W)                 Ω(W)
//     gradient?(W, G)          smooth penalties: G ← G + ∇Ω(W) (accumulates into G in place)
//     prox?(V, step)           non-smooth: prox_{step·Ω}(V) = argmin_Z ½‖Z − V‖²_F + step·Ω(Z),
//                              a new matrix (V is not modified); treat it as read-only — a
//                              penalty may remember facts about it (trace: its nuclear norm)
//     lipschitz?               smooth penalties: the Lipschitz constant of ∇Ω
//     taskMatrix?              quadratic task-coupling penalties: M (T × T, symmetric PSD, weight
//                              included) with Ω(W) = tr(W M Wᵀ), so ∇Ω = 2 W M; the direct solver
//                              (solver/direct.ts) solves with it exactly
//     taskStructure?           the same M as a diagonal plus one constant off the diagonal
//                              (M_tt = diag[t], M_st = offDiagonal for s ≠ t: ridge, mean), so that
//                              the direct solver applies and inverts it in O(T·d) instead of O(T²·d)
//   }
// A penalty has either gradient (smooth) or prox (closed-form proximal operator), possibly both
// (the ridge term is smooth but also has prox V/(1 + 2·step·ρ)).
import type { Matrix } from '../../linalg/matrix.ts';

export interface Penalty {
  readonly name: string;
  value(W: Matrix): number;
  gradient?(W: Matrix, G: Matrix): void;
  prox?(V: Matrix, step: number): Matrix;
  readonly lipschitz?: number;
  taskMatrix?(T: number): Matrix;
  taskStructure?(T: number): TaskStructure;
  /** The same M as its diagonal plus its non-zero off-diagonal entries (graph Laplacians, ridge), so
   * that the direct solver never forms the dense T × T matrix (issue 15: O(T + edges), not O(T²)). */
  sparseTaskMatrix?(T: number): SparseTaskMatrix;
  /** Separable prox the many-small-task FISTA (solver/fista-rows.ts) fuses into its passes: 'rows' =
   * λ Σ_j ‖W_j,:‖₂ (group soft-thresholding per row), 'entries' = λ‖W‖₁; value() and prox() must be exactly these. */
  readonly separable?: { readonly kind: 'rows' | 'entries'; readonly lambda: number };
}

/** M = diag(diag) + Σ_k value_k·e_{row_k} e_{col_k}ᵀ: both orientations of a symmetric entry are
 * listed, and repeated (row, col) pairs add up. */
export interface SparseTaskMatrix {
  readonly diag: Float64Array;
  readonly row: Int32Array;
  readonly col: Int32Array;
  readonly value: Float64Array;
}

/** M = diag(diag) + offDiagonal·(11ᵀ − I): a task matrix with one constant off the diagonal. */
export interface TaskStructure {
  readonly diag: Float64Array;
  readonly offDiagonal: number;
}

/** Throws a RangeError for a negative or non-finite weight (user-facing checks happen earlier, in
 * the estimator, with OptionError naming the option). */
export function checkWeight(name: string, w: number): void {
  if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`${name}: weight must be finite and ≥ 0, got ${w}`);
}
