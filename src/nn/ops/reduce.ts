// Sums and means over a set of axes. One index map (input element → output element) serves the
// forward scatter-add and the backward gather, for any set of axes.
import type { Tape } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { normAxis, sameKey } from './util.ts';

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
  // Fast path: the reduced axes form one contiguous block → out[p, j] = Σ_r x[p, r, j].
  let first = -1, last = -1, contiguous = true;
  for (let i = 0; i < r; i++) {
    if (!red[i]) continue;
    if (first < 0) first = i;
    else if (i !== last + 1) contiguous = false;
    last = i;
  }
  if (contiguous && first >= 0) {
    let R = 1, inner = 1;
    for (let i = first; i <= last; i++) R *= x.shape[i]!;
    for (let i = last + 1; i < r; i++) inner *= x.shape[i]!;
    const outer = R * inner === 0 ? 0 : n / (R * inner);
    o.aux.push(2, R, inner);
    for (let p = 0; p < outer; p++) {
      for (let q = 0; q < R; q++) {
        const src = (p * R + q) * inner, dst = p * inner;
        for (let j = 0; j < inner; j++) y[dst + j] += xd[src + j]!;
      }
    }
    if (c !== 1) for (let i = 0; i < o.size; i++) y[i]! *= c;
    return o;
  }
  o.aux.push(0);
  const map = g.savedInt(o, 0, n);
  if (sameKey(g, o, 1, [-102, ...x.shape, -1, ...red.map((b) => (b ? 1 : 0))])) {
    for (let i = 0; i < n; i++) y[map[i]!] += xd[i]! * c;
    return o;
  }
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
  if (o.aux[1] === 2) {
    const R = o.aux[2]!, inner = o.aux[3]!, outer = R * inner === 0 ? 0 : n / (R * inner);
    for (let l = 0; l < lanes; l++) {
      const ox = l * n, oo = l * no;
      for (let p = 0; p < outer; p++) {
        for (let q = 0; q < R; q++) {
          const dst = ox + (p * R + q) * inner, src = oo + p * inner;
          for (let j = 0; j < inner; j++) gx[dst + j] += go[src + j]! * c;
        }
      }
    }
    return;
  }
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
