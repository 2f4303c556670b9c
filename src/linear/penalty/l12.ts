// Column-group norm Ω(Q) = λ‖Q‖_1,2 = λ Σ_t ‖Q_:,t‖₂ over the columns (tasks): a whole task's
// column is zero or not, which marks outlier tasks in robust MTL (Chen, Zhou & Ye, KDD 2011) and
// rMTFL (Gong, Ye & Zhang, KDD 2012). prox: each column shrunk as a group.
import { Matrix } from '../../linalg/matrix.ts';
import { checkWeight, type Penalty } from './types.ts';

export function colNorms(W: Matrix): Float64Array {
  const out = new Float64Array(W.cols);
  for (let j = 0; j < W.rows; j++) {
    const o = j * W.cols;
    for (let t = 0; t < W.cols; t++) out[t]! += W.data[o + t]! * W.data[o + t]!;
  }
  for (let t = 0; t < W.cols; t++) out[t] = Math.sqrt(out[t]!);
  return out;
}

export function l12ColumnsPenalty(lambda: number): Penalty {
  checkWeight('l12', lambda);
  return {
    name: 'l12',
    value(W: Matrix): number {
      return lambda * colNorms(W).reduce((a, b) => a + b, 0);
    },
    prox(V: Matrix, step: number): Matrix {
      const tau = step * lambda;
      const norms = colNorms(V);
      const f = norms.map((n) => (n <= tau ? 0 : 1 - tau / n));
      const out = Matrix.zeros(V.rows, V.cols);
      for (let j = 0; j < V.rows; j++) {
        const o = j * V.cols;
        for (let t = 0; t < V.cols; t++) out.data[o + t] = f[t]! * V.data[o + t]!;
      }
      return out;
    },
  };
}
