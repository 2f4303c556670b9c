// Column access for the d × T weight matrix (row-major): tasks are columns, so each task's w_t is
// a strided column. These helpers copy it out and add into it, so per-task kernels get
// contiguous vectors.
import type { Matrix } from '../../linalg/matrix.ts';

/** out ← W[:, t] */
export function getColumn(W: Matrix, t: number, out: Float64Array): Float64Array {
  const T = W.cols;
  for (let j = 0; j < W.rows; j++) out[j] = W.data[j * T + t]!;
  return out;
}

/** G[:, t] ← alpha·v */
export function setColumn(G: Matrix, t: number, v: ArrayLike<number>, alpha = 1): void {
  const T = G.cols;
  for (let j = 0; j < G.rows; j++) G.data[j * T + t] = alpha * v[j]!;
}
