// The squared-loss MTL objective in Gram form, the explicit input of the coordinate-descent solvers
// (./bcd.ts):
//   f(W) = Σ_t c_t (½ w_tᵀH_t w_t − h_tᵀw_t + ½ yy_t) + ρ‖W‖²_F + κ Σ_t ‖w_t − w_{t+1}‖²
// with H_t = X̂_tᵀX̂_t, h_t = X̂_tᵀŷ_t, yy_t = ŷ_tᵀŷ_t on the (weighted, centred when there are
// intercepts) data of loss/squared.ts, so f is exactly the objective of docs/objective.md with the
// intercepts eliminated.
//
// Shared designs (issue 17): when every task has the same X (multi-output data, scikit-learn's
// MultiTask* estimators) and no sample weights, the centring is the same for all tasks, so one Gram
// matrix H = X̂ᵀX̂ serves every task (the same Float64Array in every slot of `H`, never T copies) and
// the linear terms come from one product X̂ᵀŶ.
import { Matrix } from '../../linalg/matrix.ts';
import { matmul, gram, gemv } from '../../linalg/ops.ts';
import { SquaredLoss } from '../loss/squared.ts';
import { createLoss } from '../loss/index.ts';
import { taskScale } from '../problem.ts';
import type { Problem } from '../types.ts';

export interface GramProblem {
  readonly d: number;
  readonly T: number;
  /** H_t (d × d, row-major) per task; a shared design repeats ONE array in every slot. */
  readonly H: readonly Float64Array[];
  /** h_t in row t (T × d, row-major). */
  readonly h: Float64Array;
  readonly c: Float64Array;
  readonly yy: Float64Array;
  /** ρ of ρ‖W‖²_F. */
  readonly ridge: number;
  /** κ of κ Σ_t ‖w_t − w_{t+1}‖² (temporal smoothness, tgl). */
  readonly chain: number;
  /** True when all tasks share one Gram matrix. */
  readonly shared: boolean;
  /** The intercepts that go with W (b_t = ȳ_t − x̄_tᵀw_t with intercepts, zeros without). */
  intercepts(W: Matrix): Float64Array;
}

/** True when every task has the same design matrix (same object or same values) and no sample weights. */
export function isSharedDesign(problem: Problem): boolean {
  const first = problem.tasks[0]!;
  if (problem.tasks.length < 2) return false;
  for (const t of problem.tasks) {
    if (t.weights) return false;
    if (t.X === first.X) continue;
    if (t.X.rows !== first.X.rows) return false;
    const a = t.X.data;
    const b = first.X.data;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  }
  return true;
}

/** out = X − 1x̄ᵀ (row-major n × d). A small function of its own: V8 optimises its loop at once. */
function centredCopy(x: Float64Array, n: number, d: number, xbar: Float64Array): Float64Array {
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) out[o + j] = x[o + j]! - xbar[j]!;
  }
  return out;
}

/** Column mean squares of the first `rows` rows of a row-major · × d array. */
function sampleMeanSquares(x: Float64Array, rows: number, d: number): Float64Array {
  const out = new Float64Array(d);
  for (let i = 0; i < rows; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) out[j]! += x[o + j]! * x[o + j]!;
  }
  for (let j = 0; j < d; j++) out[j]! /= Math.max(rows, 1);
  return out;
}

/** One Gram matrix and one X̂ᵀŶ for a shared design. */
function sharedForm(problem: Problem): { H: Float64Array; h: Float64Array; yy: Float64Array; xbar: Float64Array; ybar: Float64Array } {
  const X = problem.tasks[0]!.X as Matrix<Float64Array>;
  const n = X.rows;
  const d = X.cols;
  const T = problem.tasks.length;
  const Y = Matrix.zeros(n, T);
  const ybars = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    const y = problem.tasks[t]!.y;
    let ybar = 0;
    if (problem.intercept) {
      for (let i = 0; i < n; i++) ybar += y[i]!;
      ybar /= n;
    }
    ybars[t] = ybar;
    for (let i = 0; i < n; i++) Y.data[i * T + t] = y[i]! - ybar;
  }
  // With intercepts: the Gram of the centred X. When no column's mean dwarfs its spread (x̄_j² ≤ var_j,
  // checked below), H = XᵀX − n·x̄x̄ᵀ loses at most a factor 2 in accuracy against centring
  // explicitly (entry errors ~ε·n·rms_j·rms_k with rms² = var + x̄² ≤ 2·var) and saves the n × d
  // centred copy; otherwise (raw features with large offsets) the copy is made and its Gram taken.
  // Measured on the shared design of
  // bench/linear.bench.ts (n = 5 000, d = 500): the copy, the means and the centring in JavaScript
  // were ~30 ms of a ~150 ms fit.
  let xbar: Float64Array = new Float64Array(d);
  let H: Float64Array | undefined;
  let Xh = X;
  if (!problem.intercept) H = gram(X).data;
  else {
    // The means by one kernel call (Xᵀ1/n). Whether they are small is decided exactly from the
    // uncentred Gram's diagonal (Σ_i x_ij² = n·(var_j + x̄_j²)); a sample of rows first routes data
    // with clearly large offsets straight to the centred copy, so that it does not pay two Grams.
    xbar = gemv(X, new Float64Array(n).fill(1 / n), { trans: true });
    const sample = sampleMeanSquares(X.data, Math.min(n, 1024), d);
    let likely = true;
    for (let j = 0; j < d && likely; j++) likely = 4 * xbar[j]! * xbar[j]! <= sample[j]!;
    if (likely) {
      const G = gram(X).data;
      let small = true;
      for (let j = 0; j < d && small; j++) small = 2 * xbar[j]! * xbar[j]! <= G[j * d + j]! / n;
      if (small) {
        for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) G[j * d + k]! -= n * xbar[j]! * xbar[k]!;
        H = G;
      }
    }
    if (!H) {
      Xh = new Matrix(n, d, centredCopy(X.data, n, d, xbar));
      H = gram(Xh).data;
    }
  }
  // X̂ᵀŶ: with large means from the centred copy (Σ_i Ŷ_it = 0 only to rounding, which XᵀŶ would
  // multiply by the means).
  const XtY = matmul(Xh, Y, { transA: true }); // d × T
  const h = new Float64Array(T * d);
  for (let j = 0; j < d; j++) for (let t = 0; t < T; t++) h[t * d + j] = XtY.data[j * T + t]!;
  const yy = new Float64Array(T);
  for (let i = 0; i < n; i++) for (let t = 0; t < T; t++) yy[t]! += Y.data[i * T + t]! ** 2;
  return { H, h, yy, xbar, ybar: ybars };
}

type BaseForm = Omit<GramProblem, 'ridge' | 'chain'>;

// Memoised per Problem object (as createLoss): a λ path or a CV grid over one fold builds it once.
const cache = new WeakMap<Problem, BaseForm>();

function baseForm(problem: Problem): BaseForm {
  const hit = cache.get(problem);
  if (hit) return hit;
  const d = problem.d;
  const T = problem.tasks.length;
  const c = Float64Array.from({ length: T }, (_, t) => taskScale(problem, t));
  let out: BaseForm;
  if (isSharedDesign(problem)) {
    const s = sharedForm(problem);
    const intercepts = (W: Matrix): Float64Array => {
      const b = new Float64Array(T);
      if (!problem.intercept) return b;
      for (let t = 0; t < T; t++) {
        let v = s.ybar[t]!;
        for (let j = 0; j < d; j++) v -= s.xbar[j]! * W.data[j * T + t]!;
        b[t] = v;
      }
      return b;
    };
    out = { d, T, H: Array.from({ length: T }, () => s.H), h: s.h, c, yy: s.yy, shared: true, intercepts };
  } else {
    const loss = createLoss(problem) as SquaredLoss;
    const H: Float64Array[] = [];
    const h = new Float64Array(T * d);
    const yy = new Float64Array(T);
    for (let t = 0; t < T; t++) {
      const ne = loss.normalEquations(t);
      H.push(ne.H.data);
      h.set(ne.h, t * d);
      yy[t] = ne.yy;
    }
    out = { d, T, H, h, c, yy, shared: false, intercepts: (W) => loss.intercepts(W) };
  }
  cache.set(problem, out);
  return out;
}

/** The Gram form of a squared-loss problem (per-task Grams from the loss cache, or one shared Gram). */
export function gramProblem(problem: Problem, opts: { ridge?: number; chain?: number } = {}): GramProblem {
  if (problem.loss !== 'squared') throw new Error(`gramProblem: needs the squared loss, got "${problem.loss}"`);
  return { ...baseForm(problem), ridge: opts.ridge ?? 0, chain: opts.chain ?? 0 };
}
