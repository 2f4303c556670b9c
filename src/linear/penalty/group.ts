// Group norms over the rows or the columns of W, and their prox (group soft-thresholding), shared by
// the row-group norm ‖W‖_2,1 (l21.ts: features) and the column-group norm ‖Q‖_1,2 (l12.ts: tasks).
// The prox of τ Σ_g ‖V_g‖₂ shrinks each group as a whole (block soft-thresholding, e.g. Bach, Jenatton,
// Mairal & Obozinski, "Optimization with sparsity-inducing penalties", 2012, §3.3):
//   V_g ← max(0, 1 − τ/‖V_g‖₂) V_g.
import { Matrix } from '../../linalg/matrix.ts';

/** 'rows': one group per row of W (a feature); 'cols': one group per column (a task). */
export type GroupAxis = 'rows' | 'cols';

/** Euclidean norm of each row (axis 'rows') or each column (axis 'cols') of W. */
export function groupNorms(W: Matrix, axis: GroupAxis): Float64Array {
  const byRow = axis === 'rows';
  const sq = new Float64Array(byRow ? W.rows : W.cols);
  // Row-major sweep for both axes (contiguous reads); each group still sums its entries in index order.
  for (let j = 0; j < W.rows; j++) {
    const o = j * W.cols;
    for (let t = 0; t < W.cols; t++) sq[byRow ? j : t]! += W.data[o + t]! * W.data[o + t]!;
  }
  return sq.map(Math.sqrt);
}

/** prox of τ Σ_g ‖V_g‖₂ over the groups of `axis`: each group scaled by max(0, 1 − τ/‖V_g‖₂); a new matrix. */
export function groupSoftThreshold(V: Matrix, tau: number, axis: GroupAxis): Matrix {
  const byRow = axis === 'rows';
  const factor = groupNorms(V, axis).map((n) => (n <= tau ? 0 : 1 - tau / n));
  const out = Matrix.zeros(V.rows, V.cols);
  for (let j = 0; j < V.rows; j++) {
    const o = j * V.cols;
    for (let t = 0; t < V.cols; t++) {
      const f = factor[byRow ? j : t]!;
      if (f !== 0) out.data[o + t] = f * V.data[o + t]!; // a zeroed group stays +0
    }
  }
  return out;
}
