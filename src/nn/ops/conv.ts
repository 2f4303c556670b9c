// 2-D convolution by im2col + GEMM (Chellapilla et al. 2006), and max pooling, NCHW as PyTorch.
// Each example's column matrix is K × P (K = C·kh·kw taps, P = Ho·Wo positions), so its output
// W·cols_n is already its NCHW block and dY_n is read in place by the backward products: no
// layout transposes (NnKernels.conv2d / conv2dGrad: one kernel call per op, per example GEMMs on
// the native backend's packed GEMM).
import { ShapeError } from '../../errors.ts';
import type { Tape } from '../tape.ts';
import type { Data, Tensor } from '../tensor.ts';
import { shapeStr } from '../tensor.ts';

/** conv2d(x [N,C,H,W], w [O,C,kh,kw], b [O] | null) with stride and zero padding (cross-correlation, as PyTorch). */
export function conv2d(g: Tape, x: Tensor, w: Tensor, b: Tensor | null, stride = 1, padding = 0): Tensor {
  if (x.shape.length !== 4 || w.shape.length !== 4) {
    throw new ShapeError(`conv2d: input must be [N, C, H, W] and weight [O, C, kh, kw], got ${shapeStr(x.shape)} and ${shapeStr(w.shape)}`);
  }
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [O, C2, kh, kw] = w.shape as [number, number, number, number];
  if (C !== C2) throw new ShapeError(`conv2d: input has ${C} channels but the weight expects ${C2}`);
  if (b && (b.shape.length !== 1 || b.size !== O)) throw new ShapeError(`conv2d: bias has shape ${shapeStr(b.shape)}, expected [${O}]`);
  if (!(Number.isInteger(stride) && stride >= 1 && Number.isInteger(padding) && padding >= 0)) {
    throw new ShapeError(`conv2d: stride must be a positive integer and padding a non-negative integer (got ${stride}, ${padding})`);
  }
  const Ho = Math.floor((H + 2 * padding - kh) / stride) + 1;
  const Wo = Math.floor((W + 2 * padding - kw) / stride) + 1;
  if (Ho < 1 || Wo < 1) throw new ShapeError(`conv2d: kernel ${kh}×${kw} does not fit input ${H}×${W} with padding ${padding}`);
  const ins = b ? [x, w, b] : [x, w];
  const o = g.out([N, O, Ho, Wo], ins, conv2dBackward);
  o.aux.push(stride, padding, Ho, Wo);
  const K = C * kh * kw;
  // one kernel call: per example, cols_n (K × P) and y_n = W·cols_n + b straight into NCHW
  const cols = g.savedData(o, 0, N * K * Ho * Wo);
  g.k.nn.conv2d(N, C, H, W, O, kh, kw, stride, padding, x.data, w.data, b ? b.data : null, cols, o.data);
  return o;
}

function conv2dBackward(g: Tape, o: Tensor, lanes: number): void {
  const x = o.inputs[0]!, w = o.inputs[1]!, b = o.inputs.length > 2 ? o.inputs[2]! : null;
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [O, , kh, kw] = w.shape as [number, number, number, number];
  const stride = o.aux[0]!, padding = o.aux[1]!, Ho = o.aux[2]!, Wo = o.aux[3]!;
  const K = C * kh * kw;
  const cols = o.saved[0] as Data, go = o.grad!;
  const gx = g.gradOf(x, lanes), gw = g.gradOf(w, lanes), gb = b ? g.gradOf(b, lanes) : null;
  const dcols = gx ? g.savedData(o, 1, K * Ho * Wo) : null;
  if (lanes === 1) {
    g.k.nn.conv2dGrad(N, C, H, W, O, kh, kw, stride, padding, cols, w.data, go, gw, gb, gx, dcols);
    return;
  }
  // lanes: lane l's cotangent and gradients are the l-th blocks of each buffer
  const lane = (a: Data | null, l: number, n: number): Data | null => (a ? a.subarray(l * n, (l + 1) * n) : null);
  for (let l = 0; l < lanes; l++) {
    g.k.nn.conv2dGrad(N, C, H, W, O, kh, kw, stride, padding, cols, w.data, lane(go, l, o.size)!, lane(gw, l, w.size), lane(gb, l, O), lane(gx, l, x.size), dcols);
  }
}

/** Max pooling over k×k windows with the given stride (default k), NCHW, no padding. */
export function maxPool2d(g: Tape, x: Tensor, k: number, stride = k): Tensor {
  if (x.shape.length !== 4) throw new ShapeError(`maxPool2d: input must be [N, C, H, W], got ${shapeStr(x.shape)}`);
  if (!(Number.isInteger(k) && k >= 1 && Number.isInteger(stride) && stride >= 1)) {
    throw new ShapeError(`maxPool2d: kernel and stride must be positive integers (got ${k}, ${stride})`);
  }
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const Ho = Math.floor((H - k) / stride) + 1, Wo = Math.floor((W - k) / stride) + 1;
  if (Ho < 1 || Wo < 1) throw new ShapeError(`maxPool2d: window ${k} does not fit input ${H}×${W}`);
  const o = g.out([N, C, Ho, Wo], [x], maxPoolBackward);
  g.k.nn.maxPool(N * C, H, W, k, stride, x.data, o.data, g.savedInt(o, 0, o.size));
  return o;
}

function maxPoolBackward(g: Tape, o: Tensor, lanes: number): void {
  const x = o.inputs[0]!;
  const gx = g.gradOf(x, lanes);
  if (!gx) return;
  const arg = o.saved[0] as Int32Array, go = o.grad!, n = o.size;
  if (lanes === 1) g.k.nn.maxPoolGrad(n, arg, go, gx);
  else for (let l = 0; l < lanes; l++) g.k.nn.maxPoolGrad(n, arg, go.subarray(l * n, (l + 1) * n), gx.subarray(l * x.size, (l + 1) * x.size));
}
