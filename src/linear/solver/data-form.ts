// The squared-loss MTL objective in data form, the input of the coordinate-descent solver (./bcd.ts)
// when tasks are many and small (issue 15, "Many tasks"):
//   f(W) = Σ_t ½ c_t ‖X̂_t w_t − ŷ_t‖² + ρ‖W‖²_F + κ Σ_t ‖w_t − w_{t+1}‖²
// with X̂_t, ŷ_t the (weighted, centred when there are intercepts) data of loss/squared.ts, so f is
// the same function as the Gram form of ./gram-form.ts (½c_t(w_tᵀH_t w_t − 2h_tᵀw_t + yy_t) with
// H_t = X̂_tᵀX̂_t expands to the same value).
//
// Why a second form: the Gram form keeps H_t w_t (T × d) up to date, so a row step of the BCD costs
// d flops per task and reads row j of every d × d block H_t — O(T·d²) memory (200 MB at T = 10 000,
// d = 50) and a strided walk through it on every step. With n_t < d rows per task the residuals
// r_t = X̂_t w_t − ŷ_t are smaller than H_t w_t's maintenance: the row-j gradient is X̂_t[:,j]ᵀr_t
// and the update r_t += δ_t X̂_t[:,j], 2·n_t flops per task each, as celer and skglm do for their
// multi-task lasso (Massias, Gramfort & Salmon, ICML 2018; Bertrand et al., NeurIPS 2022). The
// columns are stored feature-major over ALL tasks (X̂c[j·N + i], N = Σ_t n_t, task t's rows at
// offsets[t] … offsets[t+1]), so one row step over all T tasks is two contiguous sweeps of one
// N-vector: a segmented dot and a segmented axpy (batched over the tasks in one loop, no per-task call).
import type { Matrix } from '../../linalg/matrix.ts';
import { centredTask } from '../loss/squared.ts';
import type { Problem } from '../types.ts';
import { isSharedDesign } from './gram-form.ts';

export interface DataForm {
  /** Row starts of each task in the stacked rows (T + 1 entries). */
  readonly offsets: Int32Array;
  /** N = offsets[T] stacked rows. */
  readonly N: number;
  /** X̂ feature-major: column j of all tasks' centred rows at [j·N, (j + 1)·N). */
  readonly Xc: Float64Array;
  /** ŷ of all tasks, stacked (N). */
  readonly yh: Float64Array;
  /** ‖X̂_t[:,j]‖² = H_t[j,j] at [t·d + j] (T × d): the row curvatures. */
  readonly diag: Float64Array;
}

/** The data form's problem: the Gram form's fields except the H_t, plus the stacked data. */
export interface DataProblem {
  readonly d: number;
  readonly T: number;
  /** h_t = X̂_tᵀŷ_t in row t (T × d). */
  readonly h: Float64Array;
  readonly c: Float64Array;
  readonly yy: Float64Array;
  readonly ridge: number;
  readonly chain: number;
  readonly shared: false;
  readonly data: DataForm;
  intercepts(W: Matrix): Float64Array;
}

/**
 * True when the data form is the cheaper input of the BCD: no shared design (that has ONE Gram
 * matrix) and on average fewer than d/2 rows per task, where a row step's 4·n_t flops (dot + axpy)
 * are fewer than the Gram form's 2·d and the stacked data (N·d) are smaller than the Grams (T·d²).
 */
export function prefersDataForm(problem: Problem): boolean {
  if (problem.loss !== 'squared' || isSharedDesign(problem)) return false;
  let N = 0;
  for (const t of problem.tasks) N += t.X.rows;
  return 2 * N <= problem.tasks.length * problem.d;
}

// Memoised per Problem object (as the Gram form): a λ path or a CV grid over one fold builds it once.
const cache = new WeakMap<Problem, Omit<DataProblem, 'ridge' | 'chain'>>();

/** The data form of a squared-loss problem (the centring and weighting of loss/squared.ts). */
export function dataProblem(problem: Problem, opts: { ridge?: number; chain?: number } = {}): DataProblem {
  if (problem.loss !== 'squared') throw new Error(`dataProblem: needs the squared loss, got "${problem.loss}"`);
  let base = cache.get(problem);
  if (!base) {
    const d = problem.d;
    const T = problem.tasks.length;
    const offsets = new Int32Array(T + 1);
    for (let t = 0; t < T; t++) offsets[t + 1] = offsets[t]! + problem.tasks[t]!.X.rows;
    const N = offsets[T]!;
    const Xc = new Float64Array(d * N);
    const yh = new Float64Array(N);
    const diag = new Float64Array(T * d);
    const h = new Float64Array(T * d);
    const c = new Float64Array(T);
    const yy = new Float64Array(T);
    const xbars: Float64Array[] = [];
    const ybars = new Float64Array(T);
    for (let t = 0; t < T; t++) {
      const k = centredTask(problem, t);
      c[t] = k.c;
      yy[t] = k.yy;
      xbars.push(k.xbar);
      ybars[t] = k.ybar;
      const r0 = offsets[t]!;
      const n = k.Xh.rows;
      yh.set(k.yh, r0);
      const X = k.Xh.data;
      for (let i = 0; i < n; i++) {
        const yi = k.yh[i]!;
        for (let j = 0; j < d; j++) {
          const x = X[i * d + j]!;
          Xc[j * N + r0 + i] = x;
          diag[t * d + j]! += x * x;
          h[t * d + j]! += x * yi;
        }
      }
    }
    const intercepts = (W: Matrix): Float64Array => {
      const b = new Float64Array(T);
      if (!problem.intercept) return b;
      for (let t = 0; t < T; t++) {
        let v = ybars[t]!;
        const xb = xbars[t]!;
        for (let j = 0; j < d; j++) v -= xb[j]! * W.data[j * T + t]!;
        b[t] = v;
      }
      return b;
    };
    base = { d, T, h, c, yy, shared: false, data: { offsets, N, Xc, yh, diag }, intercepts };
    cache.set(problem, base);
  }
  return { ...base, ridge: opts.ridge ?? 0, chain: opts.chain ?? 0 };
}
