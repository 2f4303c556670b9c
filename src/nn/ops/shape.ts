// Shape ops: reshape/flatten, concat, stack, slice, transpose. Each copies (buffers are arena slots
// reused step to step, so a copy costs no allocation and keeps every op's gradient buffer its own).
import { ShapeError } from '../../errors.ts';
import type { Tape } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { shapeSize, shapeStr } from '../tensor.ts';
import { normAxis } from './util.ts';

/** The same elements in a new shape (one dimension may be −1). */
export function reshape(g: Tape, x: Tensor, shape: readonly number[]): Tensor {
  let s = [...shape];
  const neg = s.indexOf(-1);
  if (neg >= 0) {
    const rest = shapeSize(s.filter((_, i) => i !== neg));
    if (rest === 0 || x.size % rest !== 0) throw new ShapeError(`reshape: cannot reshape ${shapeStr(x.shape)} to ${shapeStr(shape)}`);
    s[neg] = x.size / rest;
  }
  if (shapeSize(s) !== x.size) throw new ShapeError(`reshape: cannot reshape ${shapeStr(x.shape)} (${x.size} elements) to ${shapeStr(shape)}`);
  const o = g.out(s, [x], copyBackward);
  o.data.set(x.data.length === x.size ? x.data : x.data.subarray(0, x.size));
  s = [];
  return o;
}

function copyBackward(g: Tape, o: Tensor, lanes: number): void {
  const x = o.inputs[0]!;
  const gx = g.gradOf(x, lanes);
  if (!gx) return;
  const go = o.grad!, n = lanes * o.size;
  for (let i = 0; i < n; i++) gx[i] += go[i]!;
}

/** [N, ...] → [N, prod(...)] (axes from `startAxis` on are merged). */
export function flatten(g: Tape, x: Tensor, startAxis = 1): Tensor {
  const a = normAxis('flatten', startAxis, x.shape.length);
  const shape = x.shape.slice(0, a);
  shape.push(shapeSize(x.shape.slice(a)));
  return reshape(g, x, shape);
}

/** outer = prod(shape[:axis]), inner = prod(shape[axis+1:]). */
function split3(shape: readonly number[], axis: number): [number, number, number] {
  let outer = 1, inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  return [outer, shape[axis]!, inner];
}

/** Concatenation along `axis`; all other dimensions must agree. */
export function concat(g: Tape, xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new ShapeError('concat: no tensors');
  const r = xs[0]!.shape.length;
  const ax = normAxis('concat', axis, r);
  const shape = [...xs[0]!.shape];
  let total = 0;
  for (const x of xs) {
    if (x.shape.length !== r) throw new ShapeError(`concat: ranks differ (${shapeStr(xs[0]!.shape)} and ${shapeStr(x.shape)})`);
    for (let i = 0; i < r; i++) {
      if (i !== ax && x.shape[i] !== shape[i]) throw new ShapeError(`concat along axis ${axis}: shapes ${shapeStr(xs[0]!.shape)} and ${shapeStr(x.shape)} differ off the axis`);
    }
    total += x.shape[ax]!;
  }
  shape[ax] = total;
  const o = g.out(shape, xs, concatBackward);
  o.aux.push(ax);
  const [outer, , inner] = split3(shape, ax);
  const row = total * inner;
  let off = 0;
  for (const x of xs) {
    const w = x.shape[ax]! * inner;
    for (let p = 0; p < outer; p++) o.data.set(x.data.subarray(p * w, (p + 1) * w), p * row + off);
    off += w;
  }
  return o;
}

function concatBackward(g: Tape, o: Tensor, lanes: number): void {
  const ax = o.aux[0]!;
  const [outer, total, inner] = split3(o.shape, ax);
  const row = total * inner, go = o.grad!;
  let off = 0;
  for (const x of o.inputs) {
    const w = x.shape[ax]! * inner;
    const gx = g.gradOf(x, lanes);
    if (gx) {
      for (let l = 0; l < lanes; l++) {
        const lo = l * o.size, lx = l * x.size;
        for (let p = 0; p < outer; p++) {
          const src = lo + p * row + off, dst = lx + p * w;
          for (let j = 0; j < w; j++) gx[dst + j] += go[src + j]!;
        }
      }
    }
    off += w;
  }
}

/** Stack equal-shaped tensors along a new axis. */
export function stack(g: Tape, xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new ShapeError('stack: no tensors');
  const s0 = xs[0]!.shape;
  for (const x of xs) {
    if (x.shape.length !== s0.length || x.shape.some((d, i) => d !== s0[i])) {
      throw new ShapeError(`stack: shapes ${shapeStr(s0)} and ${shapeStr(x.shape)} differ`);
    }
  }
  const ax = normAxis('stack', axis, s0.length + 1);
  const shape = [...s0.slice(0, ax), xs.length, ...s0.slice(ax)];
  const o = g.out(shape, xs, stackBackward);
  o.aux.push(ax);
  const [outer, , inner] = split3(shape, ax);
  const K = xs.length;
  for (let k = 0; k < K; k++) {
    const xd = xs[k]!.data;
    for (let p = 0; p < outer; p++) o.data.set(xd.subarray(p * inner, (p + 1) * inner), (p * K + k) * inner);
  }
  return o;
}

function stackBackward(g: Tape, o: Tensor, lanes: number): void {
  const ax = o.aux[0]!;
  const [outer, K, inner] = split3(o.shape, ax);
  const go = o.grad!;
  for (let k = 0; k < K; k++) {
    const x = o.inputs[k]!;
    const gx = g.gradOf(x, lanes);
    if (!gx) continue;
    for (let l = 0; l < lanes; l++) {
      const lo = l * o.size, lx = l * x.size;
      for (let p = 0; p < outer; p++) {
        const src = lo + (p * K + k) * inner, dst = lx + p * inner;
        for (let j = 0; j < inner; j++) gx[dst + j] += go[src + j]!;
      }
    }
  }
}

/** x[..., start:end, ...] along `axis` (end exclusive). */
export function slice(g: Tape, x: Tensor, axis: number, start: number, end: number): Tensor {
  const ax = normAxis('slice', axis, x.shape.length);
  const d = x.shape[ax]!;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > d || start > end) {
    throw new ShapeError(`slice: range [${start}, ${end}) is outside axis ${axis} of size ${d} (shape ${shapeStr(x.shape)})`);
  }
  const shape = [...x.shape];
  shape[ax] = end - start;
  const o = g.out(shape, [x], sliceBackward);
  o.aux.push(ax, start);
  const [outer, , inner] = split3(x.shape, ax);
  const w = (end - start) * inner, row = d * inner;
  for (let p = 0; p < outer; p++) o.data.set(x.data.subarray(p * row + start * inner, p * row + start * inner + w), p * w);
  return o;
}

function sliceBackward(g: Tape, o: Tensor, lanes: number): void {
  const x = o.inputs[0]!;
  const gx = g.gradOf(x, lanes);
  if (!gx) return;
  const ax = o.aux[0]!, start = o.aux[1]!;
  const [outer, d, inner] = split3(x.shape, ax);
  const w = o.shape[ax]! * inner, row = d * inner, go = o.grad!;
  for (let l = 0; l < lanes; l++) {
    const lo = l * o.size, lx = l * x.size;
    for (let p = 0; p < outer; p++) {
      const src = lo + p * w, dst = lx + p * row + start * inner;
      for (let j = 0; j < w; j++) gx[dst + j] += go[src + j]!;
    }
  }
}

/** Transpose of a 2-D tensor. */
export function transpose(g: Tape, x: Tensor): Tensor {
  if (x.shape.length !== 2) throw new ShapeError(`transpose: expected a 2-D tensor, got ${shapeStr(x.shape)}`);
  const [m, n] = x.shape as [number, number];
  const o = g.out([n, m], [x], transposeBackward);
  const xd = x.data, y = o.data;
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) y[j * m + i] = xd[i * n + j]!;
  return o;
}

function transposeBackward(g: Tape, o: Tensor, lanes: number): void {
  const x = o.inputs[0]!;
  const gx = g.gradOf(x, lanes);
  if (!gx) return;
  const [m, n] = x.shape as [number, number];
  const go = o.grad!;
  for (let l = 0; l < lanes; l++) {
    const off = l * m * n;
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) gx[off + i * n + j] += go[off + j * m + i]!;
  }
}
