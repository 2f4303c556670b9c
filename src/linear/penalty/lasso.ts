// Lasso Ω(W) = λ‖W‖₁ = λ Σ_jt |W_jt|; prox = entrywise soft thresholding at step·λ
// (Tibshirani 1996; MALSAR Least_Lasso).
import { Matrix } from '../../linalg/matrix.ts';
import { checkWeight, type Penalty } from './types.ts';

export function softThreshold(v: number, tau: number): number {
  return v > tau ? v - tau : v < -tau ? v + tau : 0;
}

export function lassoPenalty(lambda: number): Penalty {
  checkWeight('lasso', lambda);
  return {
    name: 'lasso',
    separable: { kind: 'entries', lambda },
    value(W: Matrix): number {
      let s = 0;
      for (let i = 0; i < W.data.length; i++) s += Math.abs(W.data[i]!);
      return lambda * s;
    },
    prox(V: Matrix, step: number): Matrix {
      const tau = step * lambda;
      return new Matrix(V.rows, V.cols, V.data.map((v) => softThreshold(v, tau)));
    },
  };
}
