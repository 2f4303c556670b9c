// Joint feature selection Ω(W) = λ‖W‖_2,1 = λ Σ_j ‖W_j,:‖₂ over the rows (features) of W
// (Argyriou, Evgeniou & Pontil 2008; Obozinski, Taskar & Jordan 2010; MALSAR Least_L21).
// prox: each row is shrunk as a group, W_j ← max(0, 1 − step·λ/‖V_j‖) V_j (./group.ts).
import { Matrix } from '../../linalg/matrix.ts';
import { groupNorms, groupSoftThreshold } from './group.ts';
import { checkWeight, type Penalty } from './types.ts';

/** Euclidean norm of each row. */
export function rowNorms(W: Matrix): Float64Array {
  return groupNorms(W, 'rows');
}

export function l21Penalty(lambda: number): Penalty {
  checkWeight('l21', lambda);
  return {
    name: 'l21',
    separable: { kind: 'rows', lambda },
    value(W: Matrix): number {
      return lambda * rowNorms(W).reduce((a, b) => a + b, 0);
    },
    prox(V: Matrix, step: number): Matrix {
      return groupSoftThreshold(V, step * lambda, 'rows');
    },
  };
}
