// Joint feature selection Ω(W) = λ‖W‖_2,1 = λ Σ_j ‖W_j,:‖₂ over the rows (features) of W
// (Argyriou, Evgeniou & Pontil 2008; Obozinski, Taskar & Jordan 2010; MALSAR Least_L21).
// prox: each row is shrunk as a group, W_j ← max(0, 1 − step·λ/‖V_j‖) V_j.
import { Matrix } from '../../linalg/matrix.ts';
import { checkWeight, type Penalty } from './types.ts';

/** Euclidean norm of each row. */
export function rowNorms(W: Matrix): Float64Array {
  const out = new Float64Array(W.rows);
  for (let j = 0; j < W.rows; j++) {
    let s = 0;
    const o = j * W.cols;
    for (let t = 0; t < W.cols; t++) s += W.data[o + t]! * W.data[o + t]!;
    out[j] = Math.sqrt(s);
  }
  return out;
}

export function l21Penalty(lambda: number): Penalty {
  checkWeight('l21', lambda);
  return {
    name: 'l21',
    value(W: Matrix): number {
      return lambda * rowNorms(W).reduce((a, b) => a + b, 0);
    },
    prox(V: Matrix, step: number): Matrix {
      const tau = step * lambda;
      const norms = rowNorms(V);
      const out = Matrix.zeros(V.rows, V.cols);
      for (let j = 0; j < V.rows; j++) {
        const nj = norms[j]!;
        if (nj <= tau) continue;
        const f = 1 - tau / nj;
        const o = j * V.cols;
        for (let t = 0; t < V.cols; t++) out.data[o + t] = f * V.data[o + t]!;
      }
      return out;
    },
  };
}
