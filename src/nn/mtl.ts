// Per-task gradients of the shared parameters, three ways (issue 11; consumed by src/balance):
//
//  1. 'backward'  — T reverse passes, one per task loss (LibMTL `_compute_grad(mode='backward')`).
//  2. 'jacobian'  — T cheap passes from the losses to the shared representation `features`, then ONE
//                   reverse pass from `features` with T stacked cotangents (lanes) through the shared
//                   trunk: the T × P Jacobian (torchjd `mtl_backward`).
//  3. 'rep'       — only the T gradients with respect to `features` (LibMTL `rep_grad`), followed,
//                   once the balancer has combined them, by one trunk pass (`backwardShared`).
//
// All three leave each task-specific (head) parameter with the gradient of its own task's loss
// (times the task's seed); the shared parameters' `grad` is left untouched — the caller writes the
// aggregated direction there (`writeSharedGrad`) or backpropagates a combined rep cotangent.
import { ShapeError } from '../errors.ts';
import type { Tape } from './tape.ts';
import { makeData } from './tensor.ts';
import type { Data, Param, Tensor } from './tensor.ts';

/** A dense row-major matrix of per-task rows (T × cols). */
export interface TaskMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Data;
}

export type GradMode = 'backward' | 'jacobian' | 'rep';
export const GRAD_MODES: readonly GradMode[] = ['backward', 'jacobian', 'rep'];

function totalSize(ps: readonly Param[]): number {
  let n = 0;
  for (const p of ps) n += p.size;
  return n;
}

function alloc(g: Tape, out: Data | undefined, n: number): Data {
  if (out && out.length === n) return out;
  return makeData(g.dtype, n);
}

/**
 * Way 1: T separate reverse passes. Row t = seeds[t]·∂L_t/∂θ_shared (seeds default 1). The shared
 * parameters' `grad` is restored to what it was before the call; head parameters accumulate.
 */
export function jacobianByBackward(g: Tape, losses: readonly Tensor[], shared: readonly Param[], seeds?: readonly number[], out?: Data): TaskMatrix {
  const T = losses.length, P = totalSize(shared);
  const J = alloc(g, out, T * P);
  // Save the shared grads (the caller may have accumulated something) and zero them.
  const saved = shared.map((p) => Float64Array.from(p.grad!));
  for (const p of shared) p.grad!.fill(0);
  const one = [0];
  for (let t = 0; t < T; t++) {
    one[0] = seeds ? seeds[t]! : 1;
    g.backward(losses[t]!, { seeds: one });
    let off = t * P;
    for (const p of shared) {
      const gr = p.grad!;
      for (let i = 0; i < p.size; i++) J[off + i] = gr[i]!;
      gr.fill(0);
      off += p.size;
    }
  }
  shared.forEach((p, i) => p.grad!.set(saved[i]!));
  return { rows: T, cols: P, data: J };
}

/**
 * Gradients of each loss with respect to the shared representation `features` (way 3, and the
 * first half of way 2): row t = seeds[t]·∂L_t/∂features, T × features.size. Each pass stops at
 * `features`, so only the heads are traversed; head parameters accumulate their own task's gradient.
 */
export function repGradients(g: Tape, losses: readonly Tensor[], features: Tensor, seeds?: readonly number[], out?: Data): TaskMatrix {
  const T = losses.length, F = features.size;
  if (features.index < 0) throw new ShapeError('repGradients: `features` must be an op output on this tape (the shared representation)');
  const R = alloc(g, out, T * F);
  const one = [0];
  for (let t = 0; t < T; t++) {
    const L = losses[t]!;
    if (L.index <= features.index) throw new ShapeError(`repGradients: loss ${t} was recorded before the representation; it cannot depend on it`);
    one[0] = seeds ? seeds[t]! : 1;
    g.backward(L, { seeds: one, stopAt: features });
    const gr = g.hasGrad(features) ? features.grad! : null;
    for (let i = 0; i < F; i++) R[t * F + i] = gr ? gr[i]! : 0;
  }
  return { rows: T, cols: F, data: R };
}

/**
 * Way 2 (torchjd mtl_backward): the T × P Jacobian of the shared parameters from T head passes and
 * ONE lanes pass through the trunk. Parameters reached by the trunk pass that are not listed in
 * `shared` are ignored (their `jac` is filled but not returned).
 */
export function jacobianByLanes(g: Tape, losses: readonly Tensor[], features: Tensor, shared: readonly Param[], seeds?: readonly number[], out?: Data, repScratch?: Data): TaskMatrix {
  const T = losses.length, P = totalSize(shared);
  // the representation gradients are scratch: the caller's buffer when it fits, else the tape's
  // (sized to the largest batch seen, so batches of varying size allocate nothing)
  const n = T * features.size;
  const R = repGradients(g, losses, features, seeds, repScratch !== undefined && repScratch.length === n ? repScratch : g.scratch(0, n));
  g.backwardFrom(features, R.data, T);
  const J = alloc(g, out, T * P);
  let off = 0;
  for (const p of shared) {
    const jac = p.jac;
    const fresh = jac !== null && jac.length === T * p.size && g.hasJac(p);
    for (let t = 0; t < T; t++) {
      const row = t * P + off;
      if (fresh) for (let i = 0; i < p.size; i++) J[row + i] = jac[t * p.size + i]!;
      else for (let i = 0; i < p.size; i++) J[row + i] = 0;
    }
    off += p.size;
  }
  return { rows: T, cols: P, data: J };
}

/** One trunk pass from `features` with a combined cotangent (e.g. Σ_t w_t ∂L_t/∂features): accumulates shared grads. */
export function backwardShared(g: Tape, features: Tensor, cotangent: Data): void {
  g.backwardFrom(features, cotangent, 1);
}

/** Write a P-vector (an aggregated direction) into the shared parameters' `grad`, in their order. */
export function writeSharedGrad(shared: readonly Param[], direction: ArrayLike<number>): void {
  const P = totalSize(shared);
  if (direction.length !== P) throw new ShapeError(`writeSharedGrad: direction has ${direction.length} values for ${P} shared parameters`);
  let off = 0;
  for (const p of shared) {
    const gr = p.grad!;
    for (let i = 0; i < p.size; i++) gr[i] = direction[off + i]!;
    off += p.size;
  }
}

/** The Gramian K = J·Jᵀ (T × T, float64) of a task matrix. */
export function gramian(J: TaskMatrix): Float64Array {
  const T = J.rows, P = J.cols, K = new Float64Array(T * T), d = J.data;
  for (let a = 0; a < T; a++) {
    for (let b = a; b < T; b++) {
      let s = 0;
      for (let i = 0; i < P; i++) s += d[a * P + i]! * d[b * P + i]!;
      K[a * T + b] = s;
      K[b * T + a] = s;
    }
  }
  return K;
}
