// Matrix-level operations: shape-checked entry points over the active kernel backend, plus the
// small BLAS-1 and elementwise helpers that do not need a fast backend (they are memory-bound).
import { ShapeError } from '../errors.ts';
import { kernels } from './backend.ts';
import { Matrix, assertShapes, shapeOf, type FloatArray } from './matrix.ts';

export interface MatmulOptions<A extends FloatArray> {
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
  beta?: number;
  /** Written in place (and returned); must be m×n. Required when beta ≠ 0. */
  out?: Matrix<A>;
}

function isF32(m: Matrix<FloatArray>): m is Matrix<Float32Array> {
  return m.data instanceof Float32Array;
}

/** C = alpha·op(A)·op(B) + beta·C. Both operands must have the same precision. */
export function matmul<A extends FloatArray>(a: Matrix<A>, b: Matrix<A>, opts: MatmulOptions<A> = {}): Matrix<A> {
  const { transA = false, transB = false, alpha = 1, beta = 0 } = opts;
  const m = transA ? a.cols : a.rows;
  const k = transA ? a.rows : a.cols;
  const kb = transB ? b.cols : b.rows;
  const n = transB ? b.rows : b.cols;
  const op = `matmul(${transA ? 'Aᵀ' : 'A'}·${transB ? 'Bᵀ' : 'B'})`;
  assertShapes(k === kb, op, a, b, `inner dimensions ${k} and ${kb}`);
  if (isF32(a) !== isF32(b)) throw new ShapeError(`${op}: mixed precision (${shapeOf(a)} and ${shapeOf(b)})`);
  let out = opts.out;
  if (out) {
    if (out.rows !== m || out.cols !== n) throw new ShapeError(`${op}: out is ${shapeOf(out)}, result is ${m}×${n}`);
  } else {
    if (beta !== 0) throw new ShapeError(`${op}: beta ≠ 0 needs an out matrix`);
    out = new Matrix(m, n, new (a.data.constructor as { new (n: number): A })(m * n));
  }
  if (isF32(a)) {
    kernels().sgemm(transA, transB, m, n, k, alpha, a.data as Float32Array, a.cols, b.data as Float32Array, b.cols, beta, out.data as Float32Array, n);
  } else {
    kernels().dgemm(transA, transB, m, n, k, alpha, a.data as Float64Array, a.cols, b.data as Float64Array, b.cols, beta, out.data as Float64Array, n);
  }
  return out;
}

/** y = alpha·op(A)·x + beta·y. */
export function gemv<A extends FloatArray>(a: Matrix<A>, x: A, opts: { trans?: boolean; alpha?: number; beta?: number; out?: A } = {}): A {
  const { trans = false, alpha = 1, beta = 0 } = opts;
  const xlen = trans ? a.rows : a.cols;
  const ylen = trans ? a.cols : a.rows;
  if (x.length !== xlen) throw new ShapeError(`gemv(${trans ? 'Aᵀ' : 'A'}·x): matrix ${shapeOf(a)} and vector of length ${x.length}`);
  let y = opts.out;
  if (y) {
    if (y.length !== ylen) throw new ShapeError(`gemv: out has length ${y.length}, result has ${ylen}`);
  } else {
    if (beta !== 0) throw new ShapeError('gemv: beta ≠ 0 needs an out vector');
    y = new (a.data.constructor as { new (n: number): A })(ylen);
  }
  if (a.data instanceof Float32Array) kernels().sgemv(trans, a.rows, a.cols, alpha, a.data, a.cols, x as Float32Array, beta, y as Float32Array);
  else kernels().dgemv(trans, a.rows, a.cols, alpha, a.data as Float64Array, a.cols, x as Float64Array, beta, y as Float64Array);
  return y;
}

/** XᵀX (d×d), computed on one triangle and mirrored. */
export function gram<A extends FloatArray>(x: Matrix<A>, opts: { alpha?: number; beta?: number; out?: Matrix<A> } = {}): Matrix<A> {
  const { alpha = 1, beta = 0 } = opts;
  const d = x.cols;
  let out = opts.out;
  if (out) {
    if (out.rows !== d || out.cols !== d) throw new ShapeError(`gram(XᵀX): X is ${shapeOf(x)}, out is ${shapeOf(out)}`);
  } else {
    if (beta !== 0) throw new ShapeError('gram: beta ≠ 0 needs an out matrix');
    out = new Matrix(d, d, new (x.data.constructor as { new (n: number): A })(d * d));
  }
  if (x.data instanceof Float32Array) kernels().sgram(x.rows, d, alpha, x.data, d, beta, out.data as Float32Array, d);
  else kernels().dgram(x.rows, d, alpha, x.data as Float64Array, d, beta, out.data as Float64Array, d);
  return out;
}

/** Xᵀr (length d) for X n×d and r of length n. */
export function xtv<A extends FloatArray>(x: Matrix<A>, r: A, out?: A): A {
  return gemv(x, r, out ? { trans: true, out } : { trans: true });
}

// ---- BLAS-1 and elementwise helpers (memory-bound: plain loops are as fast as anything) ----

export function dot(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) throw new ShapeError(`dot: lengths ${x.length} and ${y.length}`);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * y[i]!;
  return s;
}

/** y ← a·x + y */
export function axpy(a: number, x: ArrayLike<number>, y: FloatArray): void {
  if (x.length !== y.length) throw new ShapeError(`axpy: lengths ${x.length} and ${y.length}`);
  for (let i = 0; i < x.length; i++) y[i]! += a * x[i]!;
}

/** x ← a·x */
export function scal(a: number, x: FloatArray): void {
  for (let i = 0; i < x.length; i++) x[i]! *= a;
}

/** Euclidean norm, scaled to avoid overflow and underflow. */
export function norm2(x: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < x.length; i++) scale = Math.max(scale, Math.abs(x[i]!));
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]! / scale;
    s += v * v;
  }
  return scale * Math.sqrt(s);
}

export function norm1(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.abs(x[i]!);
  return s;
}

export function normInf(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s = Math.max(s, Math.abs(x[i]!));
  return s;
}

export function normFro(m: Matrix<FloatArray>): number {
  return norm2(m.data);
}

/** Sum of each row (length rows). */
export function rowSums(m: Matrix<FloatArray>): Float64Array {
  const out = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) {
    let s = 0;
    const o = i * m.cols;
    for (let j = 0; j < m.cols; j++) s += m.data[o + j]!;
    out[i] = s;
  }
  return out;
}

/** Sum of each column (length cols). */
export function colSums(m: Matrix<FloatArray>): Float64Array {
  const out = new Float64Array(m.cols);
  for (let i = 0; i < m.rows; i++) {
    const o = i * m.cols;
    for (let j = 0; j < m.cols; j++) out[j]! += m.data[o + j]!;
  }
  return out;
}

export function map<A extends FloatArray>(m: Matrix<A>, f: (v: number, i: number, j: number) => number): Matrix<A> {
  const out = m.clone();
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) out.data[i * m.cols + j] = f(m.data[i * m.cols + j]!, i, j);
  return out;
}

function sameShape(op: string, a: Matrix<FloatArray>, b: Matrix<FloatArray>): void {
  assertShapes(a.rows === b.rows && a.cols === b.cols, op, a, b);
}

export function add<A extends FloatArray>(a: Matrix<A>, b: Matrix<A>): Matrix<A> {
  sameShape('add', a, b);
  const out = a.clone();
  for (let i = 0; i < out.data.length; i++) out.data[i]! += b.data[i]!;
  return out;
}

export function sub<A extends FloatArray>(a: Matrix<A>, b: Matrix<A>): Matrix<A> {
  sameShape('sub', a, b);
  const out = a.clone();
  for (let i = 0; i < out.data.length; i++) out.data[i]! -= b.data[i]!;
  return out;
}

export function scale<A extends FloatArray>(a: Matrix<A>, s: number): Matrix<A> {
  const out = a.clone();
  scal(s, out.data);
  return out;
}

/** Elementwise (Hadamard) product. */
export function hadamard<A extends FloatArray>(a: Matrix<A>, b: Matrix<A>): Matrix<A> {
  sameShape('hadamard', a, b);
  const out = a.clone();
  for (let i = 0; i < out.data.length; i++) out.data[i]! *= b.data[i]!;
  return out;
}

export function trace(a: Matrix<FloatArray>): number {
  if (a.rows !== a.cols) throw new ShapeError(`trace: matrix ${shapeOf(a)} is not square`);
  let s = 0;
  for (let i = 0; i < a.rows; i++) s += a.data[i * a.cols + i]!;
  return s;
}

/** (A + Aᵀ)/2, to remove rounding asymmetry before a symmetric decomposition. */
export function symmetrize(a: Matrix): Matrix {
  if (a.rows !== a.cols) throw new ShapeError(`symmetrize: matrix ${shapeOf(a)} is not square`);
  const n = a.rows;
  const out = a.clone();
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = 0.5 * (a.data[i * n + j]! + a.data[j * n + i]!);
      out.data[i * n + j] = v;
      out.data[j * n + i] = v;
    }
  }
  return out;
}

/** True when every entry is finite. */
export function allFinite(x: ArrayLike<number>): boolean {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i]!)) return false;
  return true;
}
