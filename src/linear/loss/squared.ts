// Squared loss  L(W) = Σ_t c_t Σ_i s_ti ½(y_ti − x_tiᵀ w_t − b_t)²  with the intercepts eliminated.
//
// Intercept elimination (docs/objective.md): for fixed w_t the optimal b_t is the weighted mean
// residual, b_t = ȳ_t − x̄_tᵀ w_t with x̄_t = Σ_i s_ti x_ti / Σ_i s_ti (and ȳ_t likewise).
// Substituting it back gives the same loss on weighted-centred data, so every solver works on W
// alone and L(W) = min_b L(W, b) exactly. We store X̂_t = √S_t (X_t − 1x̄_tᵀ) and ŷ_t likewise,
// so that L_t(w) = ½ c_t ‖X̂_t w − ŷ_t‖².
//
// Gram cache (issue 4): when n_t > d we keep H_t = X̂_tᵀX̂_t (d × d), h_t = X̂_tᵀŷ_t and ŷ_tᵀŷ_t,
// and evaluate L_t(w) = ½ c_t (wᵀH_t w − 2 wᵀh_t + ŷᵀŷ), ∇L_t = c_t (H_t w − h_t) in O(d²)
// instead of O(n_t·d). Otherwise we keep X̂_t and use residuals.
//
// Many tasks (issue 15): the per-task products of an evaluation run as batched kernels over all
// tasks in one call each (src/linalg/batched.ts): the Gram blocks H_t are packed into one array
// (g = H w for every Gram task by one dsymvBatched), and the X̂_t of the data-path tasks are
// row-stacked with offsets (r = X̂w − ŷ and g = X̂ᵀr for every such task by one
// dresidualGradBatched, each block read once). The packed arrays stay resident in the kernel
// backend's memory (wasm) for the life of the loss. What is left in JavaScript is O(T·d) per
// evaluation: gathering w_t, the values and the scaling by c_t. When every task is on the data path
// (many small tasks) and the backend has dsqGradBatched (native, and the TypeScript reference), the
// evaluation is that one call on W and G as they are: values, c_t and the d × T layout included.
import { Matrix } from '../../linalg/matrix.ts';
import { dot, gemv, gram, xtv } from '../../linalg/ops.ts';
import { dsqGradBatched, hasSqGradBatched, residentBlocks, type BlockOperand } from '../../linalg/batched.ts';
import { taskScale } from '../problem.ts';
import type { Problem, TaskProblem } from '../types.ts';
import { perTask } from '../task-cache.ts';
import { getColumn } from './columns.ts';
import { powerIteration } from './power.ts';
import type { LossSpec } from './registry.ts';
import type { DataLoss, LossEval, LossOptions } from './types.ts';

/** ℓ(y, z) = ½(y − z)², identity link, for regression targets. */
export const squaredLoss: LossSpec = {
  name: 'squared',
  link: 'identity',
  labelKind: 'regression',
  defaultMetric: 'mse',
  quadratic: true,
  curvatureBound: 1,
  value: (y, z) => 0.5 * (y - z) ** 2,
  derivative: (y, z) => z - y,
  response: (z) => z,
  checkLabel: (y) => (Number.isFinite(y) ? null : `target ${y} is not finite`),
  create: (problem, opts) => new SquaredLoss(problem, opts),
};

interface SquaredTask {
  readonly c: number;
  readonly xbar: Float64Array; // weighted feature means (zeros without intercept)
  readonly ybar: number;
  readonly Xh: Matrix | null; // √S (X − 1x̄ᵀ), kept on the data path
  readonly yh: Float64Array | null;
  readonly H: Matrix | null; // Gram path
  readonly h: Float64Array | null;
  readonly yy: number; // ŷᵀŷ
}

/** Weighted means of the columns of X and of y (Σ s_i x_i / Σ s_i). */
function weightedMeans(task: TaskProblem): { xbar: Float64Array; ybar: number } {
  const { X, y, weights } = task;
  const n = X.rows;
  const d = X.cols;
  const xbar = new Float64Array(d);
  let sw = 0;
  let ybar = 0;
  for (let i = 0; i < n; i++) {
    const s = weights ? weights[i]! : 1;
    sw += s;
    ybar += s * y[i]!;
    const o = i * d;
    for (let j = 0; j < d; j++) xbar[j]! += s * X.data[o + j]!;
  }
  for (let j = 0; j < d; j++) xbar[j]! /= sw;
  return { xbar, ybar: ybar / sw };
}

/** Task t centred (and √S-weighted) as the loss sees it; also the input of the data-form BCD (solver/data-form.ts). */
export function centredTask(problem: Problem, t: number): { c: number; xbar: Float64Array; ybar: number; Xh: Matrix; yh: Float64Array; yy: number } {
  const k = prepareTask(problem, t, false);
  return { c: k.c, xbar: k.xbar, ybar: k.ybar, Xh: k.Xh!, yh: k.yh!, yy: k.yy };
}

function prepareTask(problem: Problem, t: number, useGram: boolean | 'always'): SquaredTask {
  // Shared task objects (task-cache.ts) are prepared once per (intercept, scale, path).
  const task = problem.tasks[t]!;
  return perTask(task, `squared|${problem.intercept}|${taskScale(problem, t)}|${useGram}`, () => prepareTaskNow(problem, t, useGram));
}

function prepareTaskNow(problem: Problem, t: number, useGram: boolean | 'always'): SquaredTask {
  const task = problem.tasks[t]!;
  const { X, y, weights } = task;
  const n = X.rows;
  const d = X.cols;
  const c = taskScale(problem, t);
  // Gram path with nothing to centre or weight: X̂ = X, so H and h come from X itself (the copy of X
  // was a third of building the Gram form of School, issue 17).
  if (!problem.intercept && !weights && (useGram === 'always' || (useGram && n > d))) {
    return { c, xbar: new Float64Array(d), ybar: 0, Xh: null, yh: null, H: gram(X), h: xtv(X, y), yy: dot(y, y) };
  }
  const { xbar, ybar } = problem.intercept ? weightedMeans(task) : { xbar: new Float64Array(d), ybar: 0 };
  const Xh = Matrix.zeros(n, d);
  const yh = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = weights ? Math.sqrt(weights[i]!) : 1;
    const o = i * d;
    for (let j = 0; j < d; j++) Xh.data[o + j] = r * (X.data[o + j]! - xbar[j]!);
    yh[i] = r * (y[i]! - ybar);
  }
  const yy = dot(yh, yh);
  if (useGram === 'always' || (useGram && n > d)) return { c, xbar, ybar, Xh: null, yh: null, H: gram(Xh), h: xtv(Xh, yh), yy };
  return { c, xbar, ybar, Xh, yh, H: null, h: null, yy };
}

/** The tasks split by path and packed contiguously for the batched kernels. */
interface PackedTasks {
  /** The tasks again, their H_t / X̂_t now views into the packed arrays (no second copy). */
  readonly tasks: SquaredTask[];
  /** Gram-path tasks (in task order), their d×d blocks H_t packed in one array, h_t likewise. */
  readonly gramIdx: Int32Array;
  readonly hAll: Float64Array;
  readonly gramOp: BlockOperand | null;
  /** Data-path tasks, X̂_t row-stacked (block k = rows offsets[k] … offsets[k+1]), ŷ_t likewise. */
  readonly dataIdx: Int32Array;
  readonly offsets: Int32Array;
  readonly yAll: Float64Array;
  readonly dataOp: BlockOperand | null;
  /** The row-stacked X̂_t themselves and c_t of each data-path task (the dsqGradBatched operands). */
  readonly xAll: Float64Array;
  readonly cData: Float64Array;
}

function packTasks(tasks: SquaredTask[], d: number): PackedTasks {
  const gram: number[] = [];
  const data: number[] = [];
  tasks.forEach((k, t) => (k.H ? gram : data).push(t));
  const Hall = new Float64Array(gram.length * d * d);
  const hAll = new Float64Array(gram.length * d);
  const out = tasks.slice();
  gram.forEach((t, k) => {
    const task = tasks[t]!;
    Hall.set(task.H!.data, k * d * d);
    hAll.set(task.h!, k * d);
    out[t] = { ...task, H: new Matrix(d, d, Hall.subarray(k * d * d, (k + 1) * d * d)), h: hAll.subarray(k * d, (k + 1) * d) };
  });
  const offsets = new Int32Array(data.length + 1);
  data.forEach((t, k) => (offsets[k + 1] = offsets[k]! + tasks[t]!.Xh!.rows));
  const rows = offsets[data.length]!;
  const Xall = new Float64Array(rows * d);
  const yAll = new Float64Array(rows);
  data.forEach((t, k) => {
    const task = tasks[t]!;
    const r0 = offsets[k]!;
    const n = task.Xh!.rows;
    Xall.set(task.Xh!.data, r0 * d);
    yAll.set(task.yh!, r0);
    out[t] = { ...task, Xh: new Matrix(n, d, Xall.subarray(r0 * d, (r0 + n) * d)), yh: yAll.subarray(r0, r0 + n) };
  });
  return {
    tasks: out,
    gramIdx: Int32Array.from(gram),
    hAll,
    gramOp: gram.length > 0 ? residentBlocks(Hall) : null,
    dataIdx: Int32Array.from(data),
    offsets,
    yAll,
    dataOp: data.length > 0 ? residentBlocks(Xall) : null,
    xAll: Xall,
    cData: Float64Array.from(data, (t) => tasks[t]!.c),
  };
}

/** Rows idx[k] of a row-major (·× d) array packed into out (the array itself when idx is 0, 1, …, all rows). */
function gatherRows(a: Float64Array, idx: Int32Array, d: number, out: Float64Array): Float64Array {
  if (idx.length * d === a.length) return a; // every task on this path, in order
  for (let k = 0; k < idx.length; k++) out.set(a.subarray(idx[k]! * d, (idx[k]! + 1) * d), k * d);
  return out;
}

/** out (c × r) = transpose of a (r × c, row-major), in 32 × 32 tiles so both sides stay in cache. */
function transposeInto(a: Float64Array, r: number, c: number, out: Float64Array): void {
  const B = 32;
  for (let i0 = 0; i0 < r; i0 += B) {
    const iMax = Math.min(i0 + B, r);
    for (let j0 = 0; j0 < c; j0 += B) {
      const jMax = Math.min(j0 + B, c);
      for (let i = i0; i < iMax; i++) for (let j = j0; j < jMax; j++) out[j * r + i] = a[i * c + j]!;
    }
  }
}

export class SquaredLoss implements DataLoss {
  readonly name = squaredLoss.name;
  readonly spec = squaredLoss;
  readonly d: number;
  readonly T: number;
  readonly explicitIntercept = false;
  private readonly tasks: SquaredTask[];
  private readonly hasIntercept: boolean;
  private readonly fusedAllowed: boolean;
  private lip: number | null = null;

  constructor(problem: Problem, opts: LossOptions = {}) {
    if (problem.loss !== squaredLoss.name) throw new Error(`SquaredLoss: problem has loss "${problem.loss}"`);
    this.d = problem.d;
    this.T = problem.tasks.length;
    this.hasIntercept = problem.intercept;
    const useGram = opts.gram ?? true;
    this.sources = problem.tasks;
    this.prefix = `${problem.intercept}|${problem.scale}`;
    this.fusedAllowed = opts.fused ?? true;
    const tasks = problem.tasks.map((_, t) => prepareTask(problem, t, useGram));
    this.batch = packTasks(tasks, this.d);
    this.tasks = this.batch.tasks;
  }

  /** The packed operands of the batched kernels (created in the constructor). */
  private readonly batch: PackedTasks;

  /** Per-task cached quantities for the direct solver: H_t = X̂ᵀX̂ and h_t = X̂ᵀŷ (computed when absent). */
  normalEquations(t: number): { H: Matrix; h: Float64Array; c: number; yy: number } {
    const k = this.tasks[t]!;
    if (k.H && k.h) return { H: k.H, h: k.h, c: k.c, yy: k.yy };
    const { H, h } = perTask(this.sources[t]!, `normal|${this.prefix}|${k.c}`, () => ({ H: gram(k.Xh!), h: xtv(k.Xh!, k.yh!) }));
    return { H, h, c: k.c, yy: k.yy };
  }

  /** The problem's task objects (keys of the per-task cache, task-cache.ts) and the data options. */
  private readonly sources: Problem['tasks'];
  private readonly prefix: string;

  /** Work arrays reused by every evaluation (allocating ~5 arrays of T·d per call cost more GC than arithmetic at T = 10 000). */
  private work: { wT: Float64Array; gT: Float64Array; wG: Float64Array; hw: Float64Array; wD: Float64Array; r: Float64Array; g: Float64Array } | null = null;

  /** Per-task values of the data-path tasks and a gradient scratch for value-only calls (fused path). */
  private fused: { f: Float64Array; gScratch: Float64Array | null } | null = null;

  /**
   * Every task on the data path and a backend with dsqGradBatched (native, ts): the whole evaluation
   * is one kernel call on W and G as they are (d × T), no transposes, gathers or per-row loops in
   * JavaScript — at T = 10 000 those cost as much as the kernel (bench/batched.bench.ts).
   */
  private runFused(W: Matrix, wantGrad: boolean): LossEval {
    const { d, T } = this;
    const P = this.batch;
    const nD = P.dataIdx.length;
    const fz = (this.fused ??= { f: new Float64Array(nD), gScratch: null });
    const G = wantGrad ? Matrix.zeros(d, T) : new Matrix(d, T, (fz.gScratch ??= new Float64Array(d * T)));
    dsqGradBatched(nD, P.offsets, d, P.xAll, P.dataIdx, W.data, T, P.yAll, P.cData, G.data, fz.f);
    let value = 0;
    for (let k = 0; k < nD; k++) value += fz.f[k]!;
    return { value, G, gIntercept: new Float64Array(T) };
  }

  private run(W: Matrix, wantGrad: boolean): LossEval {
    const { d, T } = this;
    const P = this.batch;
    if (this.fusedAllowed && P.gramIdx.length === 0 && T > 0 && hasSqGradBatched()) return this.runFused(W, wantGrad);
    const nG = P.gramIdx.length;
    const nD = P.dataIdx.length;
    const rows = P.offsets[nD]!;
    const wk = (this.work ??= {
      wT: new Float64Array(T * d),
      gT: new Float64Array(T * d),
      wG: nG === T ? new Float64Array(0) : new Float64Array(nG * d),
      hw: new Float64Array(nG * d),
      wD: nD === T ? new Float64Array(0) : new Float64Array(nD * d),
      r: new Float64Array(rows),
      g: new Float64Array(nD * d),
    });
    // Work on Wᵀ (T × d) so that each task's w_t and gradient row are contiguous: strided column
    // access of a large d × T matrix misses the cache once per entry (bench: T = 10 000).
    transposeInto(W.data, d, T, wk.wT);
    const gT = wk.gT;
    let value = 0;
    if (nG > 0) {
      const w = gatherRows(wk.wT, P.gramIdx, d, wk.wG);
      const hw = wk.hw;
      P.gramOp!.symvBatched(nG, d, 1, w, 0, hw); // H_t w_t for every Gram task, one call
      for (let k = 0; k < nG; k++) {
        const t = P.gramIdx[k]!;
        const task = this.tasks[t]!;
        const o = k * d;
        let wHw = 0;
        let wh = 0;
        for (let j = 0; j < d; j++) {
          wHw += w[o + j]! * hw[o + j]!;
          wh += w[o + j]! * P.hAll[o + j]!;
        }
        value += 0.5 * task.c * (wHw - 2 * wh + task.yy);
        if (wantGrad) for (let j = 0; j < d; j++) gT[t * d + j] = task.c * (hw[o + j]! - P.hAll[o + j]!);
      }
    }
    if (nD > 0) {
      const w = gatherRows(wk.wT, P.dataIdx, d, wk.wD);
      const { r, g } = wk;
      if (wantGrad) P.dataOp!.residualGradBatched(nD, P.offsets, d, w, P.yAll, r, g); // r = X̂w − ŷ, g = X̂ᵀr
      else {
        r.set(P.yAll);
        P.dataOp!.gemvBatched(false, nD, P.offsets, d, 1, w, -1, r);
      }
      for (let k = 0; k < nD; k++) {
        const t = P.dataIdx[k]!;
        const c = this.tasks[t]!.c;
        let rr = 0;
        for (let i = P.offsets[k]!; i < P.offsets[k + 1]!; i++) rr += r[i]! * r[i]!;
        value += 0.5 * c * rr;
        if (wantGrad) for (let j = 0; j < d; j++) gT[t * d + j] = c * g[k * d + j]!;
      }
    }
    const G = Matrix.zeros(d, T);
    if (wantGrad) transposeInto(gT, T, d, G.data);
    return { value, G, gIntercept: new Float64Array(T) };
  }

  /**
   * L(W) with ∇L(W) written into g (d × T, row-major like W), no allocation on the fused path: the form
   * of the many-small-task FISTA (solver/fista-rows.ts), which owns its buffers. Other paths evaluate
   * and copy (same numbers as evaluate()).
   */
  evaluateInto(w: Float64Array, g: Float64Array): number {
    const { d, T } = this;
    if (w.length !== d * T || g.length !== d * T) throw new RangeError(`SquaredLoss.evaluateInto: need ${d}×${T} arrays, got ${w.length} and ${g.length} entries`);
    const P = this.batch;
    if (this.fusedAllowed && P.gramIdx.length === 0 && T > 0 && hasSqGradBatched()) {
      const nD = P.dataIdx.length;
      const fz = (this.fused ??= { f: new Float64Array(nD), gScratch: null });
      dsqGradBatched(nD, P.offsets, d, P.xAll, P.dataIdx, w, T, P.yAll, P.cData, g, fz.f);
      let value = 0;
      for (let k = 0; k < nD; k++) value += fz.f[k]!;
      return value;
    }
    const e = this.run(new Matrix(d, T, w), true);
    g.set(e.G.data);
    return e.value;
  }

  /**
   * The row-stacked X̂_t, ŷ_t and c_t when every task is on the data path (task t = block t, in order) and
   * the fused evaluation is allowed: the operands of fistaRows' task-major path (solver/fista-rows.ts
   * sqData: its task-major path calls dsqGradTasks on them, which computes what evaluateInto does). Else null.
   */
  rowsData(): { offsets: Int32Array; a: Float64Array; y: Float64Array; c: Float64Array } | null {
    const P = this.batch;
    if (!this.fusedAllowed || P.gramIdx.length !== 0 || this.T === 0) return null;
    return { offsets: P.offsets, a: P.xAll, y: P.yAll, c: P.cData };
  }

  evaluate(W: Matrix, _b?: Float64Array): LossEval {
    return this.run(W, true);
  }

  value(W: Matrix, _b?: Float64Array): number {
    return this.run(W, false).value;
  }

  intercepts(W: Matrix, _b?: Float64Array): Float64Array {
    const out = new Float64Array(this.T);
    if (!this.hasIntercept) return out;
    const w = new Float64Array(this.d);
    for (let t = 0; t < this.T; t++) {
      const k = this.tasks[t]!;
      out[t] = k.ybar - dot(k.xbar, getColumn(W, t, w));
    }
    return out;
  }

  zeroIntercepts(): Float64Array {
    return this.intercepts(Matrix.zeros(this.d, this.T));
  }

  /** max_t c_t λ_max(X̂_tᵀX̂_t): the Hessian is block diagonal over tasks. */
  lipschitz(): number {
    if (this.lip !== null) return this.lip;
    let L = 0;
    const d = this.d;
    for (const k of this.tasks) {
      const apply = k.H
        ? (v: Float64Array, out: Float64Array) => void gemv(k.H!, v, { out })
        : (v: Float64Array, out: Float64Array) => void xtv(k.Xh!, gemv(k.Xh!, v), out);
      L = Math.max(L, k.c * powerIteration(apply, d));
    }
    this.lip = L;
    return L;
  }
}
