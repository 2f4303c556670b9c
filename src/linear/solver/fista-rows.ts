// FISTA for a quadratic smooth part and a separable row penalty on one d × T block W, with every
// d × T array owned by the solver (issue 15: many small tasks). Same algorithm as ./fista.ts —
// backtracking both ways, the full-backtracking momentum rule of Scheinberg, Goldfarb & Bai (2014,
// eq. (3.5)), adaptive restart (O'Donoghue & Candès 2015, §3.2), the quadratic extrapolation of
// f(y) and ∇f(y), the same certified stopping rule ‖∇f(x⁺) − ∇f(y) + L(y − x⁺)‖ / ‖∇f(0)‖ ≤ tol with
// the same false-certificate guard — and the same arithmetic in the same order, so its iterates are
// the generic solver's bit for bit (test/linear/solver/fista-rows.test.ts compares the traces).
//
// Why a second FISTA: at T = 10 000 tasks × 20 rows, d = 50 (bench/batched.bench.ts) the loss's one
// kernel call took ~14 ms and the generic solver's iteration ~47 ms: it makes ~12 JavaScript passes over
// the 4 MB d × T matrices per iteration (prox input, prox, group norms, penalty value, step sums,
// certificate, extrapolation of y and ∇f(y)) and allocates ~4 fresh ones. Here an iteration is three
// passes over memory:
//   A  extrapolation y = x + β(x − x_prev), ∇f(y) = ∇f(x) + β(∇f(x) − ∇f(x_prev)) (f quadratic), the
//      sums ⟨∇f(x), Δ⟩ and ⟨Δ, HΔ⟩ that give f(y), the gradient step v = y − ∇f(y)/L, the prox and the
//      penalty's value at x⁺ — one row of W at a time (a row of all tasks stays in cache between the
//      prox's norm and its scaling);
//   B  f(x⁺) and ∇f(x⁺) (smoothInto: for the squared loss one dsqGradBatched call, writing into our buffer);
//   C  the backtracking test's three sums, the certificate, the restart product and finiteness.
// A backtracking retry redoes A's prox part from the stored y, ∇f(y).
// Task-major (issue 15, session 5): for the l21 penalty, when the problem hands over the squared loss's data
// blocks (sqData) and the backend has dsqGradTasks (native, ts), W and every buffer are kept T × d (task t's
// weights contiguous, as its block wants them): the loss reads w_t and writes ∇_t in place instead of
// gathering and scattering columns of 80 kB-long rows (at T = 10 000, 1 thread, the d × T loss kernel
// took 1.23–1.27× the CPU of the task-major one, same data, load 8), and pass A makes each row's Σ v² in task order — the same sums,
// term for term, so x⁺, ∇f(x⁺), f and Ω are the d × T path's; the other sums (⟨∇f(x), Δ⟩, ⟨Δ, HΔ⟩ and pass
// C's) run in task-major order, equal to rounding. Transposed once in, once out.
// Fused (issue 15, session 6; the default where the task-major path runs and the backend has fistaFusedTasks:
// native, ts): A, B and C become ONE pass over the tasks per attempt, so an iteration streams the 80 MB of
// data blocks (T = 10 000 × 20 × 50) once, with task t's 8 kB block in L1 while its step, loss and check
// sums are formed; y and ∇f(y) are never stored. The one global dependency — the prox's row norms ‖v_j‖ over
// all tasks, needed before the pass, for a β and a step decided only after the previous pass — is met by
// having each pass also sum v² per feature for the next iteration's candidates (step 1/L' or 1/(2L'), β' of
// the momentum rule or 0 after a restart; see the loop below), with a plain pass over the four T × d arrays
// when none matches (first iteration, second retries). Same x⁺, ∇f(x⁺), f and Ω as the three calls, bit for bit.
// With `constantStep` (L = the loss's max_t c_t λ̂_max bound, no step-increase probing) an iteration is A, B,
// C once — one loss evaluation instead of the adaptive rule's ~1.3 — on different iterates from fista.ts's, to the same certified
// optimum (docs/data-at-scale.md, "Constant step and the pool"). Exported API:
//   fistaRows(problem: RowsProblem, options: FistaRowsOptions): FistaResult (./fista.ts)
//   rowsPenaltyValue(kind, lambda, w, d, T) → Ω(W), as penalty/l21.ts / lasso.ts compute it
//   rowNormsExact(d, T, beta, step, w, wp, g, gp, out) → per feature Σ_t v² of the task-major gradient step
import { progressTicker } from './hooks.ts';
import { ConvergenceError, NumericError } from '../../errors.ts';
import { Matrix } from '../../linalg/matrix.ts';
import { kernels } from '../../linalg/backend.ts';
import type { FitInfo, SolverHooks } from '../types.ts';
import { DEFAULT_MAX_ITER, DEFAULT_TOL, type FistaResult } from './fista.ts';

export type SeparableKind = 'rows' | 'entries';

export interface RowsProblem {
  readonly d: number;
  readonly T: number;
  /** f(w) for w (d × T, row-major), with ∇f(w) written into g; f must be quadratic. */
  smoothInto(w: Float64Array, g: Float64Array): number;
  /** 'rows': λ Σ_j ‖W_j,:‖₂ (l21); 'entries': λ‖W‖₁ (lasso). */
  readonly penalty: { readonly kind: SeparableKind; readonly lambda: number };
  readonly lipschitz?: number;
  readonly gradNormAtZero?: number;
  /**
   * smoothInto's loss as row-stacked data blocks (SquaredLoss.rowsData(): every task on the data path, task t
   * = rows offsets[t] … offsets[t+1]−1 of a, column t of W, scale c[t]). With it, the rows penalty and a
   * backend with dsqGradTasks (native, ts), the solver works task-major (see the file's head).
   */
  readonly sqData?: RowsSqData;
}

/** The squared loss's operands for the task-major path (see RowsProblem.sqData). */
export interface RowsSqData {
  readonly offsets: Int32Array;
  readonly a: Float64Array;
  readonly y: Float64Array;
  readonly c: Float64Array;
}

export interface FistaRowsOptions {
  /** The start, d × T row-major (copied). */
  readonly x0: Float64Array;
  readonly tol?: number;
  readonly maxIter?: number;
  readonly requireConvergence?: boolean;
  readonly accelerate?: boolean;
  readonly restart?: boolean;
  readonly stepIncrease?: boolean;
  readonly solverName?: string;
  readonly trace?: boolean;
  readonly hooks?: SolverHooks;
  /** false: the TypeScript passes even where the backend has native ones (benchmarks compare). Default true. */
  readonly nativePasses?: boolean;
  /** false: the d × T layout even where the task-major one is available (benchmarks and tests compare). Default true. */
  readonly taskMajor?: boolean;
  /**
   * Constant step 1/L with L = problem.lipschitz (required): no step-increase probing, so an iteration is
   * one loss evaluation as long as the sufficient-decrease test holds at L. The test stays as a safeguard
   * (L is the power iteration's estimate of max_t c_t λ_max(X̂_tᵀX̂_t), which approaches from below): if it
   * fails, L doubles and stays, and the certificate is the same. Iterates differ from ./fista.ts's
   * (which probes L down by 0.8 every iteration); the optimum is the same. Overrides stepIncrease. Default false.
   */
  readonly constantStep?: boolean;
  /**
   * false: the task-major path's three calls per attempt (fistaRowsStepTasks, dsqGradTasks, the check) even where
   * the backend has the fused one-pass kernel fistaFusedTasks (native, ts); benchmarks and tests compare. Default true.
   */
  readonly fused?: boolean;
}

const TINY = 1e-300;
const ETA_UP = 2;
const ETA_DOWN = 0.8;

/** Ω(W) summed exactly as penalty/l21.ts (row norms, then their sum from 0) and lasso.ts (|w| in index order). */
export function rowsPenaltyValue(kind: SeparableKind, lambda: number, w: Float64Array, d: number, T: number): number {
  let s = 0;
  if (kind === 'entries') {
    for (let i = 0; i < w.length; i++) s += Math.abs(w[i]!);
    return lambda * s;
  }
  for (let j = 0; j < d; j++) {
    let r = 0;
    for (let t = j * T; t < (j + 1) * T; t++) r += w[t]! * w[t]!;
    s += Math.sqrt(r);
  }
  return lambda * s;
}

/**
 * FISTA's extrapolation at entry i (Beck & Teboulle 2009): y = x + β(x − x_prev) and, f being
 * quadratic, ∇f(y) = ∇f(x) + β(∇f(x) − ∇f(x_prev)) into y[i], g[i]; adds entry i's terms of ⟨∇f(x), Δ⟩ and
 * ⟨Δ, HΔ⟩ (Δ = x − x_prev) to sums[0], sums[1]; returns the gradient step v = y − step·∇f(y). passA and
 * passATasks share it, so their arithmetic is the same to the bit.
 */
function extrapolateAt(i: number, beta: number, x: Float64Array, xPrev: Float64Array, gx: Float64Array, gPrev: Float64Array,
  y: Float64Array, g: Float64Array, step: number, sums: Float64Array): number {
  const xi = x[i]!;
  const gi = gx[i]!;
  const dl = xi - xPrev[i]!;
  const hd = gi - gPrev[i]!;
  const yv = xi + beta * dl;
  const gv = gi + beta * hd;
  y[i] = yv;
  g[i] = gv;
  sums[0]! += gi * dl;
  sums[1]! += dl * hd;
  return yv - step * gv;
}

/**
 * x⁺ = prox_{τΩ/λ}(y − step·g) into xn, one row at a time; returns Σ of the penalty's unweighted terms
 * at x⁺ (Σ_j ‖x⁺_j‖ or Σ|x⁺|). With beta ≠ 0, y and g are first made by extrapolation from (x, xPrev)
 * and (gx, gPrev) and stored in y and g; sums[0] = ⟨∇f(x), Δ⟩, sums[1] = ⟨Δ, HΔ⟩ (Δ = x − x_prev).
 * Each sum runs in index order, as the generic solver's separate loops do.
 */
export function passA(kind: SeparableKind, d: number, T: number, beta: number, x: Float64Array, xPrev: Float64Array, gx: Float64Array, gPrev: Float64Array,
  y: Float64Array, g: Float64Array, xn: Float64Array, step: number, tau: number, sums: Float64Array): number {
  const extrapolate = beta !== 0;
  sums[0] = 0; // ⟨∇f(x), Δ⟩ and ⟨Δ, HΔ⟩, summed by extrapolateAt in index order
  sums[1] = 0;
  let pen = 0;
  for (let j = 0; j < d; j++) {
    const o = j * T;
    const e = o + T;
    // The gradient step v = y − step·g into xn (with y, g extrapolated first when beta ≠ 0), and ‖v‖².
    let s = 0;
    if (extrapolate) {
      for (let i = o; i < e; i++) {
        const v = extrapolateAt(i, beta, x, xPrev, gx, gPrev, y, g, step, sums);
        xn[i] = v;
        s += v * v;
      }
    } else {
      for (let i = o; i < e; i++) {
        const v = y[i]! - step * g[i]!;
        xn[i] = v;
        s += v * v;
      }
    }
    if (kind === 'rows') {
      // Group soft-thresholding (penalty/group.ts): the row scaled by max(0, 1 − τ/‖v‖), zero rows exactly 0.
      const n = Math.sqrt(s);
      const f = n <= tau ? 0 : 1 - tau / n;
      let r = 0;
      if (f === 0) xn.fill(0, o, e);
      else {
        for (let i = o; i < e; i++) {
          const z = f * xn[i]!;
          xn[i] = z;
          r += z * z;
        }
      }
      pen += Math.sqrt(r);
    } else {
      for (let i = o; i < e; i++) {
        const v = xn[i]!;
        const z = v > tau ? v - tau : v < -tau ? v + tau : 0; // soft thresholding (penalty/lasso.ts)
        xn[i] = z;
        pen += Math.abs(z);
      }
    }
  }
  return pen;
}

/**
 * passA for the rows penalty on T × d arrays (task t's d weights at t·d; the task-major layout of fistaRows):
 * a sweep making y, g (beta ≠ 0), v = y − step·g into xn and each row's Σ v² — row j's terms in task order,
 * the sum passA forms — then one scaling each row by max(0, 1 − τ/‖v_j‖) with Σ x⁺² per row likewise; returns
 * Σ_j ‖x⁺_j‖. sums = [⟨∇f(x), Δ⟩, ⟨Δ, HΔ⟩] in this layout's index order. The definition native/fista_rows.cc's
 * fistaRowsStepTasks follows.
 */
export function passATasks(d: number, T: number, beta: number, x: Float64Array, xPrev: Float64Array, gx: Float64Array, gPrev: Float64Array,
  y: Float64Array, g: Float64Array, xn: Float64Array, step: number, tau: number, sums: Float64Array): number {
  const extrapolate = beta !== 0;
  const s = new Float64Array(d);
  sums[0] = 0; // ⟨∇f(x), Δ⟩ and ⟨Δ, HΔ⟩, summed by extrapolateAt in index order
  sums[1] = 0;
  for (let t = 0; t < T; t++) {
    const o = t * d;
    for (let j = 0; j < d; j++) {
      const i = o + j;
      const v = extrapolate ? extrapolateAt(i, beta, x, xPrev, gx, gPrev, y, g, step, sums) : y[i]! - step * g[i]!;
      xn[i] = v;
      s[j]! += v * v;
    }
  }
  const fac = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const n = Math.sqrt(s[j]!);
    fac[j] = n <= tau ? 0 : 1 - tau / n;
  }
  const r = new Float64Array(d);
  for (let t = 0; t < T; t++) {
    const o = t * d;
    for (let j = 0; j < d; j++) {
      const f = fac[j]!;
      const z = f === 0 ? 0 : f * xn[o + j]!;
      xn[o + j] = z;
      r[j]! += z * z;
    }
  }
  let pen = 0;
  for (let j = 0; j < d; j++) pen += Math.sqrt(r[j]!);
  return pen;
}

/**
 * Σ_t v² per feature j (T × d arrays) for v = z − step·gz, z = w + β(w − wp), gz = g + β(g − gp), each row's terms
 * in task order — passATasks's row sums, without its writes. The fused path's fallback when the previous pass
 * did not form the row sums for the (β, step) an attempt turns out to need (see fistaRows).
 */
export function rowNormsExact(d: number, T: number, beta: number, step: number, w: Float64Array, wp: Float64Array, g: Float64Array, gp: Float64Array,
  out: Float64Array): void {
  out.fill(0, 0, d);
  for (let t = 0; t < T; t++) {
    const o = t * d;
    for (let j = 0; j < d; j++) {
      const i = o + j;
      const wi = w[i]!;
      const gi = g[i]!;
      const zv = wi + beta * (wi - wp[i]!);
      const gv = gi + beta * (gi - gp[i]!);
      const v = zv - step * gv;
      out[j]! += v * v;
    }
  }
}

/** The transpose of a (r × c, row-major) as a new c × r array. */
function transpose(a: Float64Array, r: number, c: number): Float64Array {
  const out = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = a[i * c + j]!;
  return out;
}

/**
 * Pass C over x⁺, y, ∇f(y), ∇f(x⁺), x: out = [‖x⁺ − y‖², ⟨∇f(y), x⁺ − y⟩, ⟨∇f(x⁺) − ∇f(y), x⁺ − y⟩,
 * ‖∇f(x⁺) − ∇f(y) + L(y − x⁺)‖², ⟨y − x⁺, x⁺ − x⟩]; returns whether x⁺ is finite.
 */
export function passC(xn: Float64Array, y: Float64Array, gy: Float64Array, gn: Float64Array, x: Float64Array, L: number, out: Float64Array): boolean {
  let dd = 0;
  let gd = 0;
  let gdiff = 0;
  let r2 = 0;
  let up = 0;
  let finite = true;
  for (let i = 0; i < xn.length; i++) {
    const xj = xn[i]!;
    const yj = y[i]!;
    const gyj = gy[i]!;
    const gnj = gn[i]!;
    const di = xj - yj;
    dd += di * di;
    gd += gyj * di;
    gdiff += (gnj - gyj) * di;
    if (xj - xj !== 0) finite = false; // ±Infinity or NaN
    const v = gnj - gyj + L * (yj - xj);
    r2 += v * v;
    up += (yj - xj) * (xj - x[i]!);
  }
  out[0] = dd;
  out[1] = gd;
  out[2] = gdiff;
  out[3] = r2;
  out[4] = up;
  return finite;
}

export function fistaRows(prob: RowsProblem, opts: FistaRowsOptions): FistaResult {
  const started = performance.now();
  const { d, T } = prob;
  const { kind, lambda } = prob.penalty;
  const size = d * T;
  if (opts.x0.length !== size) throw new RangeError(`fistaRows: x0 has ${opts.x0.length} entries, expected d × T = ${size}`);
  const tol = opts.tol ?? DEFAULT_TOL;
  const maxIter = opts.maxIter ?? DEFAULT_MAX_ITER;
  const accelerate = opts.accelerate ?? true;
  const restart = opts.restart ?? accelerate;
  const constantStep = opts.constantStep ?? false;
  if (constantStep && !(prob.lipschitz !== undefined && prob.lipschitz > 0 && Number.isFinite(prob.lipschitz))) {
    throw new RangeError(`fistaRows: constantStep needs problem.lipschitz > 0 and finite (got ${prob.lipschitz})`);
  }
  const stepIncrease = constantStep ? false : (opts.stepIncrease ?? true);
  const solver = opts.solverName ?? (accelerate ? 'fista' : 'ista');
  const keepTrace = opts.trace ?? true;

  // Task-major (see the file's head) for the rows penalty when the loss's blocks and dsqGradTasks are there
  // (native, ts; on wasm the loss runs on the wasm kernels through smoothInto).
  const kn = opts.nativePasses === false ? {} as Partial<ReturnType<typeof kernels>> : kernels();
  const rowsKind = kind === 'rows';
  const sq = prob.sqData;
  const lossT = opts.taskMajor === false || !rowsKind || sq === undefined ? undefined : kn.dsqGradTasks;
  if (sq && lossT && (sq.offsets.length !== T + 1 || sq.c.length !== T)) throw new RangeError(`fistaRows: sqData has ${sq.offsets.length} offsets and ${sq.c.length} scales for T = ${T} tasks`);
  const fVals = new Float64Array(lossT ? T : 0);
  // f(w) and ∇f(w) into g, in this solver's layout: task-major, the per-task values summed in task order as
  // SquaredLoss.evaluateInto does (and the same products), so f and ∇f equal it.
  const smooth = lossT
    ? (w: Float64Array, g: Float64Array): number => {
      lossT(T, sq!.offsets, d, sq!.a, w, sq!.y, sq!.c, g, fVals);
      let v = 0;
      for (let m = 0; m < T; m++) v += fVals[m]!;
      return v;
    }
    : (w: Float64Array, g: Float64Array): number => prob.smoothInto(w, g);

  // The solver's buffers, allocated once and rotated (no d × T allocation per iteration).
  let x: Float64Array = lossT ? transpose(opts.x0, d, T) : Float64Array.from(opts.x0);
  let gx = new Float64Array(size);
  let xPrev: Float64Array = new Float64Array(size);
  let gPrev = new Float64Array(size);
  let xn: Float64Array = new Float64Array(size);
  let gn = new Float64Array(size);
  const sumsA = new Float64Array(2);
  const sumsC = new Float64Array(5);

  let scale = prob.gradNormAtZero;
  if (scale === undefined) {
    // ‖∇f(0)‖ (gn and xn as scratch: xn is all zeros here).
    smooth(xn, gn);
    let s = 0;
    for (let i = 0; i < size; i++) s += gn[i]! * gn[i]!;
    scale = Math.sqrt(s);
  }
  scale = Math.max(scale, TINY);
  const tick = progressTicker(opts.hooks, solver);
  // The two passes in native code where the backend has them (native/fista_rows.cc: same operations in the
  // same order, no FMA), else the TypeScript reference below (wasm, ts). Pass C does not depend on the layout.
  const nStep = kn.fistaRowsStep;
  const nStepT = kn.fistaRowsStepTasks;
  const nCheck = kn.fistaRowsCheck;
  const stepPass = lossT
    ? (nStepT
      ? (b: number, yy: Float64Array, gg: Float64Array, step: number, tau: number): number => nStepT(d, T, b, x, xPrev, gx, gPrev, yy, gg, xn, step, tau, sumsA)
      : (b: number, yy: Float64Array, gg: Float64Array, step: number, tau: number): number => passATasks(d, T, b, x, xPrev, gx, gPrev, yy, gg, xn, step, tau, sumsA))
    : nStep
      ? (b: number, yy: Float64Array, gg: Float64Array, step: number, tau: number): number => nStep(rowsKind, d, T, b, x, xPrev, gx, gPrev, yy, gg, xn, step, tau, sumsA)
      : (b: number, yy: Float64Array, gg: Float64Array, step: number, tau: number): number => passA(kind, d, T, b, x, xPrev, gx, gPrev, yy, gg, xn, step, tau, sumsA);
  const checkPass = nCheck
    ? (yy: Float64Array, gg: Float64Array, L: number): boolean => nCheck(size, xn, yy, gg, gn, x, L, sumsC)
    : (yy: Float64Array, gg: Float64Array, L: number): boolean => passC(xn, yy, gg, gn, x, L, sumsC);

  let fx = smooth(x, gx);
  let F = fx + rowsPenaltyValue(kind, lambda, opts.x0, d, T);
  if (!Number.isFinite(F)) throw new NumericError(`${solver}: objective is not finite at the starting point`);
  let L = prob.lipschitz && prob.lipschitz > 0 && Number.isFinite(prob.lipschitz) ? prob.lipschitz : 1;
  const L0 = L;
  let t = 1;
  let beta = 0; // the pending extrapolation: y = x + β(x − x_prev), made in the next iteration's step
  const trace: number[] = keepTrace ? [F] : [];
  let optimality = Infinity;
  let converged = false;
  let iterations = 0;
  let restarts = 0;
  let evaluations = 0;

  // One attempt of an iteration at step 1/L (from the pending extrapolation β): x⁺ into xn, ∇f(x⁺) into gn,
  // the check sums into sumsC; sets aFn = f(x⁺), aPen = Ω(x⁺)/λ, aFy = f(y); returns x⁺ finite.
  let aFn = 0;
  let aPen = 0;
  let aFy = 0;
  let attempt: (b: number, L: number, bt: number) => boolean;
  // Fused (issue 15, session 6): one pass over the tasks per attempt, so the data are streamed once per iteration
  // (kernel fistaFusedTasks, native/fista_rows.cc; reference in reference.ts). y and ∇f(y) are never stored: the
  // kernel forms them per task from x, x_prev and their gradients, as passATasks does. The prox needs each row's
  // ‖v_j‖² over all tasks before the pass, and v depends on β and the step, which the restart test and the
  // backtracking decide only after the previous pass; so each pass also sums, per feature, v² of the next
  // iteration's first attempt for the candidates it can be — step 1/L' or 1/(2L') (L' = the L to try next),
  // β' from the momentum rule or 0 (a restart) — formed exactly as that attempt will form v. When the attempt
  // needs another (β, step) (a second retry, the false-certificate guard, the first iteration), rowNormsExact
  // sums them in a pass over the four T × d arrays. x⁺ is then passATasks's bit for bit (reference, one part).
  // Applies where the task-major path does and the backend has the kernel (native, ts); elsewhere (wasm, lasso,
  // tasks on the Gram path) the passes below.
  const fusedK = lossT && opts.fused !== false ? kn.fistaFusedTasks : undefined;
  let rowsIn = new Float64Array(fusedK ? 5 * d : 0); // the accepted pass's row sums: Σ wn², then its 4 candidates'
  let rowsOut = new Float64Array(fusedK ? 5 * d : 0);
  let specIn = new Float64Array(3).fill(NaN); // [β', s₁, s₂] of rowsIn's candidates (NaN: none yet)
  let specOut = new Float64Array(3);
  let Lstart = L; // L at the start of the current iteration (before the step-increase probe)
  let extraSweeps = 0;
  if (fusedK) {
    const fac = new Float64Array(d);
    const sumsF = new Float64Array(8);
    // x_prev = x and ∇f(x_prev) = ∇f(x) at the start (β = 0 until the first momentum step: Δ = 0 exactly).
    xPrev.set(x);
    gPrev.set(gx);
    attempt = (b, Lc) => {
      const step = 1 / Lc;
      const tau = step * lambda;
      const cand = b === specIn[0] && step === specIn[1] ? 1 : b === 0 && step === specIn[1] ? 2 : b === specIn[0] && step === specIn[2] ? 3 : b === 0 && step === specIn[2] ? 4 : 0;
      if (cand > 0) fac.set(rowsIn.subarray(cand * d, (cand + 1) * d));
      else {
        rowNormsExact(d, T, b, step, x, xPrev, gx, gPrev, fac);
        extraSweeps++;
      }
      for (let j = 0; j < d; j++) {
        const n = Math.sqrt(fac[j]!);
        fac[j] = n <= tau ? 0 : 1 - tau / n; // group soft-thresholding's factor (penalty/group.ts)
      }
      // The next iteration's candidates if this attempt is accepted (the loop's own expressions, so equal to the bit).
      const Ln = stepIncrease ? Lc * ETA_DOWN : Lc;
      const theta = Lc / Lstart;
      specOut[0] = accelerate ? (t - 1) / ((1 + Math.sqrt(1 + 4 * theta * t * t)) / 2) : 0;
      specOut[1] = 1 / Ln;
      specOut[2] = 1 / (Ln * ETA_UP);
      const finite = fusedK(T, sq!.offsets, d, sq!.a, sq!.y, sq!.c, b, step, Lc, fac, specOut, x, xPrev, gx, gPrev, xn, gn, fVals, rowsOut, sumsF);
      aFn = sumsF[0]!;
      aFy = b !== 0 ? fx + b * sumsF[1]! + 0.5 * b * b * sumsF[2]! : fx;
      for (let k = 0; k < 5; k++) sumsC[k] = sumsF[k + 3]!;
      let p = 0;
      for (let j = 0; j < d; j++) p += Math.sqrt(rowsOut[j]!); // Σ_j ‖x⁺_j‖, each row summed in task order
      aPen = p;
      return finite;
    };
  } else {
    // y and ∇f(y) are stored on this path (the fused one forms them per task and needs no buffers for them).
    const yBuf = new Float64Array(size);
    const gyBuf = new Float64Array(size);
    let y = x;
    let gy = gx;
    attempt = (b, Lc, bt) => {
      const step = 1 / Lc;
      const tau = step * lambda;
      if (bt === 0) {
        y = x;
        gy = gx;
        aFy = fx;
      }
      if (bt === 0 && b !== 0) {
        aPen = stepPass(b, yBuf, gyBuf, step, tau);
        y = yBuf;
        gy = gyBuf;
        aFy = fx + b * sumsA[0]! + 0.5 * b * b * sumsA[1]!;
      } else aPen = stepPass(0, y, gy, step, tau);
      aFn = smooth(xn, gn);
      return checkPass(y, gy, Lc);
    };
  }

  for (let k = 1; k <= maxIter; k++) {
    iterations = k;
    const Lprev = L;
    Lstart = L;
    if (stepIncrease) L *= ETA_DOWN;
    for (let bt = 0; ; bt++) {
      const finite = attempt(beta, L, bt);
      evaluations++;
      const fn = aFn;
      const dNormSq = sumsC[0]!;
      let ok: boolean;
      if (0.5 * L * dNormSq > 1e-8 * Math.abs(aFy)) ok = fn <= aFy + sumsC[1]! + 0.5 * L * dNormSq;
      else ok = sumsC[2]! <= L * dNormSq; // the gradient form near rounding (TFOCS §5.3; see ./fista.ts)
      if (ok && Number.isFinite(fn)) {
        if (!finite) throw new NumericError(`${solver}: non-finite iterate at iteration ${k}`);
        break;
      }
      if (bt >= 100 || !Number.isFinite(L)) {
        throw new NumericError(`${solver}: backtracking failed at iteration ${k} (L = ${L}); the smooth part may not be differentiable or the data contain extreme values`);
      }
      L *= ETA_UP;
    }
    const fn = aFn;
    const Fn = fn + lambda * aPen;
    if (!Number.isFinite(Fn)) throw new NumericError(`${solver}: non-finite iterate at iteration ${k}`);
    optimality = Math.sqrt(sumsC[3]!) / scale;
    tick(k, optimality);
    if (keepTrace) trace.push(Fn);
    if (optimality <= tol) {
      // The false-certificate guard of ./fista.ts: re-test at L0 when L has grown far above it.
      if (L > 10 * L0 && residualAt(kind, lambda, lossT ? transpose(xn, T, d) : xn, lossT ? transpose(gn, T, d) : gn, L0, d, T) / scale > tol) {
        L = L0;
      } else {
        x = xn;
        F = Fn;
        converged = true;
        break;
      }
    }
    let nextBeta = 0;
    if (accelerate) {
      if (restart && (sumsC[4]! > 0 || Fn > F)) {
        t = 1;
        restarts++;
      } else {
        const theta = L / Lprev;
        const tn = (1 + Math.sqrt(1 + 4 * theta * t * t)) / 2;
        nextBeta = (t - 1) / tn;
        t = tn;
      }
    }
    // Rotate: x_prev ← x, x ← x⁺ (and their gradients); the old x_prev buffers take the next x⁺. The fused
    // path's row sums of the accepted pass (and their candidates) become the next iteration's.
    const xf = xPrev;
    xPrev = x;
    x = xn;
    xn = xf;
    const gf = gPrev;
    gPrev = gx;
    gx = gn;
    gn = gf;
    const rr = rowsIn;
    rowsIn = rowsOut;
    rowsOut = rr;
    const sp = specIn;
    specIn = specOut;
    specOut = sp;
    fx = fn;
    F = Fn;
    beta = nextBeta;
  }

  const seconds = (performance.now() - started) / 1000;
  const message = converged
    ? `converged: relative optimality ${optimality.toExponential(2)} ≤ tol ${tol} after ${iterations} iterations (${restarts} restarts, ${evaluations} loss evaluations${fusedK ? `, fused, ${extraSweeps} row-norm passes` : ''})`
    : `NOT converged: stopped at the iteration cap maxIter = ${maxIter} with relative optimality ${optimality.toExponential(2)} > tol ${tol} (${evaluations} loss evaluations${fusedK ? `, fused, ${extraSweeps} row-norm passes` : ''}); raise maxIter or loosen tol`;
  if (!converged && opts.requireConvergence) throw new ConvergenceError(`${solver}: ${message}`);
  const info: FitInfo = { solver, iterations, converged, optimality, objective: F, objectiveTrace: trace, seconds, message };
  return { x: [new Matrix(d, T, lossT ? transpose(x, T, d) : x)], info, lipschitz: L };
}

/** ‖G_L(x)‖ = L‖x − prox(x − ∇f(x)/L)‖ with g = ∇f(x) given (the rare guard path; allocates). */
function residualAt(kind: SeparableKind, lambda: number, x: Float64Array, g: Float64Array, L: number, d: number, T: number): number {
  const p = new Float64Array(x.length);
  const step = 1 / L;
  passA(kind, d, T, 0, x, x, g, g, x, g, p, step, step * lambda, new Float64Array(2));
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (L * (x[i]! - p[i]!)) ** 2;
  return Math.sqrt(s);
}
