// Column-group norm Ω(Q) = λ‖Q‖_1,2 = λ Σ_t ‖Q_:,t‖₂ over the columns (tasks): a whole task's
// column is zero or not, which marks outlier tasks in robust MTL (Chen, Zhou & Ye, KDD 2011) and
// rMTFL (Gong, Ye & Zhang, KDD 2012). prox: each column shrunk as a group (./group.ts).
import { Matrix } from '../../linalg/matrix.ts';
import { groupNorms, groupSoftThreshold } from './group.ts';
import { checkWeight, type Penalty } from './types.ts';

/** Euclidean norm of each column. */
export function colNorms(W: Matrix): Float64Array {
  return groupNorms(W, 'cols');
}

export function l12ColumnsPenalty(lambda: number): Penalty {
  checkWeight('l12', lambda);
  return {
    name: 'l12',
    value(W: Matrix): number {
      return lambda * colNorms(W).reduce((a, b) => a + b, 0);
    },
    prox(V: Matrix, step: number): Matrix {
      return groupSoftThreshold(V, step * lambda, 'cols');
    },
  };
}
