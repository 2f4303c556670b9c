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
  const a = W.data;
  const n = W.cols;
  // Row-major sweep for both axes (contiguous reads); each group still sums its entries in index order.
  for (let j = 0; j < W.rows; j++) {
    const o = j * n;
    if (byRow) {
      let s = 0; // the row's sum in a register (a d × 10 000 W is read on every FISTA iteration)
      for (let t = 0; t < n; t++) s += a[o + t]! * a[o + t]!;
      sq[j] = s;
    } else for (let t = 0; t < n; t++) sq[t]! += a[o + t]! * a[o + t]!;
  }
  return sq.map(Math.sqrt);
}

/** prox of τ Σ_g ‖V_g‖₂ over the groups of `axis`: each group scaled by max(0, 1 − τ/‖V_g‖₂); a new matrix. */
export function groupSoftThreshold(V: Matrix, tau: number, axis: GroupAxis): Matrix {
  const byRow = axis === 'rows';
  const factor = groupNorms(V, axis).map((n) => (n <= tau ? 0 : 1 - tau / n));
  const out = Matrix.zeros(V.rows, V.cols);
  const v = V.data;
  const o2 = out.data;
  const n = V.cols;
  for (let j = 0; j < V.rows; j++) {
    const o = j * n;
    if (byRow) {
      const f = factor[j]!;
      if (f !== 0) for (let t = 0; t < n; t++) o2[o + t] = f * v[o + t]!; // a zeroed group stays +0
      continue;
    }
    for (let t = 0; t < n; t++) {
      const f = factor[t]!;
      if (f !== 0) o2[o + t] = f * v[o + t]!;
    }
  }
  return out;
}
