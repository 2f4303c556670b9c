// Sums and means over a set of axes. One index map (input element → output element) serves the
// forward scatter-add and the backward gather, for any set of axes.
import type { Tape } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { normAxis } from './util.ts';

function reduce(g: Tape, name: string, x: Tensor, axes: readonly number[] | undefined, keepDims: boolean, mean: boolean): Tensor {
  const r = x.shape.length;
  const red = new Array<boolean>(r).fill(axes === undefined);
  if (axes !== undefined) for (const a of axes) red[normAxis(name, a, r)] = true;
  const shape: number[] = [];
  let count = 1;
  for (let i = 0; i < r; i++) {
    if (red[i]) { count *= x.shape[i]!; if (keepDims) shape.push(1); } else shape.push(x.shape[i]!);
  }
  const o = g.out(shape, [x], reduceBackward);
  const c = mean ? (count === 0 ? NaN : 1 / count) : 1;
  o.aux.push(c);
  const n = x.size, y = o.data, xd = x.data;
  y.fill(0);
  if (o.size === 1) {
    // full reduction: no map needed
    let s = 0;
    for (let i = 0; i < n; i++) s += xd[i]!;
    y[0] = s * c;
    o.aux.push(1);
    return o;
  }
  o.aux.push(0);
  const map = g.savedInt(o, 0, n);
  // output strides in input index space
  const os = new Array<number>(r).fill(0);
  let s = 1;
  for (let i = r - 1; i >= 0; i--) { if (!red[i]) { os[i] = s; s *= x.shape[i]!; } }
  const idx = new Array<number>(r).fill(0);
  let oi = 0;
  for (let i = 0; i < n; i++) {
    map[i] = oi;
    y[oi] += xd[i]! * c;
    for (let d = r - 1; d >= 0; d--) {
      idx[d]!++;
      oi += os[d]!;
      if (idx[d]! < x.shape[d]!) break;
      oi -= os[d]! * x.shape[d]!;
      idx[d] = 0;
    }
  }
  return o;
}

function reduceBackward(g: Tape, o: Tensor, lanes: number): void {
  const x = o.inputs[0]!;
  const gx = g.gradOf(x, lanes);
  if (!gx) return;
  const c = o.aux[0]!, full = o.aux[1] === 1, go = o.grad!, n = x.size, no = o.size;
  for (let l = 0; l < lanes; l++) {
    const ox = l * n, oo = l * no;
    if (full) {
      const v = go[oo]! * c;
      for (let i = 0; i < n; i++) gx[ox + i] += v;
    } else {
      const map = o.saved[0] as Int32Array;
      for (let i = 0; i < n; i++) gx[ox + i] += go[oo + map[i]!]! * c;
    }
  }
}

/** Sum over `axes` (all axes when omitted); `keepDims` keeps reduced axes with size 1. */
export function sum(g: Tape, x: Tensor, axes?: readonly number[], keepDims = false): Tensor {
  return reduce(g, 'sum', x, axes, keepDims, false);
}

/** Mean over `axes` (all axes when omitted). */
export function mean(g: Tape, x: Tensor, axes?: readonly number[], keepDims = false): Tensor {
  return reduce(g, 'mean', x, axes, keepDims, true);
}
