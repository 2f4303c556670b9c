// The R-step of the relation model: for fixed W (d × T),
//   min_R  α‖W − WR‖²_F + β‖R‖²_F   s.t. diag(R) = 0,
// separates over the columns of R: column t solves the ridge regression of w_t on the other tasks'
// weights,  r_{−t} = (W_{−t}ᵀW_{−t} + (β/α) I)⁻¹ W_{−t}ᵀ w_t.
// All T solves come from one inverse: with A = WᵀW + (β/α)I and B = A⁻¹, the block-inverse
// (Schur complement) identity gives A_{−t,−t}⁻¹ A_{−t,t} = −B_{−t,t} / B_{tt}, and A_{−t,t} = W_{−t}ᵀw_t
// because the ridge only touches the diagonal. So R_st = −B_st / B_tt (s ≠ t): O(T³) instead of O(T⁴).
import { OptionError } from '../../errors.ts';
import { Matrix } from '../../linalg/matrix.ts';
import { matmul } from '../../linalg/ops.ts';
import { cholesky, choleskySolve } from '../../linalg/decomp/cholesky.ts';

export function relationRStep(W: Matrix, alpha: number, beta: number): Matrix {
  if (!(alpha > 0) || !Number.isFinite(alpha)) throw new OptionError('lambda', `relation model needs α > 0, got ${alpha}`);
  if (!(beta > 0) || !Number.isFinite(beta)) throw new OptionError('beta', `relation model needs β > 0 (it keeps the R-step well posed), got ${beta}`);
  const T = W.cols;
  const A = matmul(W, W, { transA: true });
  for (let i = 0; i < T; i++) A.data[i * T + i]! += beta / alpha;
  const B = choleskySolve(cholesky(A), Matrix.identity(T));
  const R = Matrix.zeros(T, T);
  for (let t = 0; t < T; t++) {
    const btt = B.data[t * T + t]!;
    for (let s = 0; s < T; s++) if (s !== t) R.data[s * T + t] = -B.data[s * T + t]! / btt;
  }
  return R;
}

/** α‖W − WR‖²_F + β‖R‖²_F. */
export function relationPenaltyValue(W: Matrix, R: Matrix, alpha: number, beta: number): number {
  const E = matmul(W, R);
  let a = 0;
  for (let i = 0; i < E.data.length; i++) a += (W.data[i]! - E.data[i]!) ** 2;
  let b = 0;
  for (let i = 0; i < R.data.length; i++) b += R.data[i]! ** 2;
  return alpha * a + beta * b;
}

/** I − R and K = (I − R)(I − R)ᵀ, the task matrix of the coupling ‖W(I − R)‖²_F = tr(W K Wᵀ). */
export function relationTaskMatrix(R: Matrix): { IR: Matrix; K: Matrix } {
  const IR = Matrix.identity(R.rows);
  for (let i = 0; i < IR.data.length; i++) IR.data[i]! -= R.data[i]!;
  return { IR, K: matmul(IR, IR, { transB: true }) };
}

/** ∇_W α‖W(I − R)‖²_F = 2α·W(I − R)(I − R)ᵀ. */
export function relationGradW(W: Matrix, R: Matrix, alpha: number): Matrix {
  const { K } = relationTaskMatrix(R);
  const g = matmul(W, K);
  for (let i = 0; i < g.data.length; i++) g.data[i]! *= 2 * alpha;
  return g;
}
