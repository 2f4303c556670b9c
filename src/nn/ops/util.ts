// Shared helpers of the ops: GEMM by dtype through the kernel backend, and numpy broadcasting.
import { ShapeError } from '../../errors.ts';
import type { Tape } from '../tape.ts';
import type { Data, Tensor } from '../tensor.ts';
import { shapeStr } from '../tensor.ts';

/** C = alpha·op(A)·op(B) + beta·C through the active kernel backend (sgemm or dgemm by dtype). */
export function gemm(g: Tape, transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  a: Data, lda: number, b: Data, ldb: number, beta: number, c: Data, ldc: number): void {
  if (m === 0 || n === 0) return;
  if (k === 0) { if (beta === 0) c.fill(0, 0, m * ldc); else if (beta !== 1) for (let i = 0; i < m * ldc; i++) c[i]! *= beta; return; }
  if (c instanceof Float32Array) g.k.sgemm(transA, transB, m, n, k, alpha, a as Float32Array, lda, b as Float32Array, ldb, beta, c, ldc);
  else g.k.dgemm(transA, transB, m, n, k, alpha, a as Float64Array, lda, b as Float64Array, ldb, beta, c as Float64Array, ldc);
}

/** numpy broadcasting of two shapes; throws a ShapeError naming the op. */
export function broadcastShape(op: string, a: readonly number[], b: readonly number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out = new Array<number>(r);
  for (let i = 0; i < r; i++) {
    const da = i < r - a.length ? 1 : a[i - (r - a.length)]!;
    const db = i < r - b.length ? 1 : b[i - (r - b.length)]!;
    if (da !== db && da !== 1 && db !== 1) throw new ShapeError(`${op}: shapes ${shapeStr(a)} and ${shapeStr(b)} do not broadcast`);
    out[i] = da === 1 ? db : da;
  }
  return out;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * For every element of `out` (row-major), the index of the element of `x` it reads under
 * broadcasting (x's shape right-aligned; size-1 dims repeat). Written into `map` (length out size).
 */
export function broadcastMap(x: readonly number[], out: readonly number[], map: Int32Array): void {
  const r = out.length;
  const off = r - x.length;
  // strides of x in out's index space (0 on broadcast dims)
  let n = 1;
  for (const d of out) n *= d;
  if (n === 0) return;
  const xs: number[] = new Array<number>(r).fill(0);
  let s = 1;
  for (let i = x.length - 1; i >= 0; i--) {
    xs[i + off] = x[i] === 1 ? 0 : s;
    s *= x[i]!;
  }
  const idx: number[] = new Array<number>(r).fill(0);
  let xi = 0;
  for (let i = 0; i < n; i++) {
    map[i] = xi;
    // increment the multi-index
    for (let d = r - 1; d >= 0; d--) {
      idx[d]!++;
      xi += xs[d]!;
      if (idx[d]! < out[d]!) break;
      xi -= xs[d]! * out[d]!;
      idx[d] = 0;
    }
  }
}

/** Normalise an axis (negative counts from the end). */
export function normAxis(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new ShapeError(`${op}: axis ${axis} is out of range for rank ${rank}`);
  return a;
}

export function requireRank(op: string, t: Tensor, rank: number, what = 'input'): void {
  if (t.shape.length !== rank) throw new ShapeError(`${op}: ${what} must have rank ${rank}, got shape ${shapeStr(t.shape)}`);
}

/**
 * Whether the index maps saved in slot `slot` of `t` were built for this exact key (shapes, axes);
 * if not, records the key and returns false. Lets broadcast and reduce ops rebuild their maps only
 * when shapes change (in a training loop: once), not on every step.
 */
export function sameKey(g: Tape, t: Tensor, slot: number, key: readonly number[]): boolean {
  const k = g.savedInt(t, slot, key.length);
  let same = k.length === key.length;
  if (same) for (let i = 0; i < key.length; i++) if (k[i] !== key[i]) { same = false; break; }
  // callers start keys with a negative op tag, so a fresh (all-zero) buffer never matches
  if (!same) for (let i = 0; i < key.length; i++) k[i] = key[i]!;
  return same;
}
