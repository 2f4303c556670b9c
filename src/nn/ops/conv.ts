// 2-D convolution by im2col + one GEMM (Chellapilla et al. 2006), and max pooling.
// Layout NCHW as PyTorch. The column matrix has one ROW per output position (N·Ho·Wo rows of
// C·kh·kw), so forward, dW and dcols are each ONE GEMM for the whole batch (no per-sample calls).
import { ShapeError } from '../../errors.ts';
import type { Tape } from '../tape.ts';
import type { Data, Tensor } from '../tensor.ts';
import { shapeStr } from '../tensor.ts';
import { gemm } from './util.ts';

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
  const P = Ho * Wo, K = C * kh * kw, rows = N * P;
  const cols = g.savedData(o, 0, rows * K);
  g.k.nn.im2col(N, C, H, W, kh, kw, stride, padding, x.data, cols);
  const tmp = g.savedData(o, 1, rows * O);
  gemm(g, false, true, rows, O, K, 1, cols, K, w.data, K, 0, tmp, O);
  const y = o.data, bd = b?.data;
  for (let n = 0; n < N; n++) {
    for (let oc = 0; oc < O; oc++) {
      const bv = bd ? bd[oc]! : 0;
      const dst = (n * O + oc) * P;
      for (let p = 0; p < P; p++) y[dst + p] = tmp[(n * P + p) * O + oc]! + bv;
    }
  }
  return o;
}

function conv2dBackward(g: Tape, o: Tensor, lanes: number): void {
  const x = o.inputs[0]!, w = o.inputs[1]!, b = o.inputs.length > 2 ? o.inputs[2]! : null;
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [O, , kh, kw] = w.shape as [number, number, number, number];
  const stride = o.aux[0]!, padding = o.aux[1]!, Ho = o.aux[2]!, Wo = o.aux[3]!;
  const P = Ho * Wo, K = C * kh * kw, rows = N * P;
  const cols = o.saved[0] as Data, go = o.grad!;
  const gx = g.gradOf(x, lanes), gw = g.gradOf(w, lanes), gb = b ? g.gradOf(b, lanes) : null;
  const d2 = g.savedData(o, 2, rows * O);
  const dcols = gx ? g.savedData(o, 3, rows * K) : null;
  const dwl = gw && lanes > 1 ? g.savedData(o, 4, O * K) : null;
  for (let l = 0; l < lanes; l++) {
    const lo = l * o.size;
    // d2[(n·P + p), oc] = dY[n, oc, p]
    for (let n = 0; n < N; n++) {
      for (let oc = 0; oc < O; oc++) {
        const src = lo + (n * O + oc) * P;
        for (let p = 0; p < P; p++) d2[(n * P + p) * O + oc] = go[src + p]!;
      }
    }
    if (gb) g.k.nn.colSums(rows, O, d2, 1, lanes === 1 ? gb : gb.subarray(l * O, (l + 1) * O));
    if (gw) {
      // dW (O×K) += d2ᵀ·cols
      if (lanes === 1) gemm(g, true, false, O, K, rows, 1, d2, O, cols, K, 1, gw, K);
      else {
        gemm(g, true, false, O, K, rows, 1, d2, O, cols, K, 0, dwl!, K);
        const off = l * O * K;
        for (let i = 0; i < O * K; i++) gw[off + i] += dwl![i]!;
      }
    }
    if (gx && dcols) {
      gemm(g, false, false, rows, K, O, 1, d2, O, w.data, K, 0, dcols, K);
      // col2im: scatter-add back into the input gradient (the adjoint of im2col)
      g.k.nn.col2im(N, C, H, W, kh, kw, stride, padding, dcols, lanes === 1 ? gx : gx.subarray(l * x.size, (l + 1) * x.size));
    }
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
  const arg = g.savedInt(o, 0, o.size), xd = x.data, y = o.data;
  let q = 0;
  for (let nc = 0; nc < N * C; nc++) {
    const base = nc * H * W;
    for (let ho = 0; ho < Ho; ho++) {
      for (let wo = 0; wo < Wo; wo++) {
        let best = -Infinity, bi = base + ho * stride * W + wo * stride;
        for (let i = 0; i < k; i++) {
          const row = base + (ho * stride + i) * W + wo * stride;
          for (let j = 0; j < k; j++) {
            const v = xd[row + j]!;
            if (v > best) { best = v; bi = row + j; }
          }
        }
        y[q] = xd[bi]!;
        arg[q++] = bi;
      }
    }
  }
  return o;
}

function maxPoolBackward(g: Tape, o: Tensor, lanes: number): void {
  const x = o.inputs[0]!;
  const gx = g.gradOf(x, lanes);
  if (!gx) return;
  const arg = o.saved[0] as Int32Array, go = o.grad!, n = o.size;
  for (let l = 0; l < lanes; l++) for (let i = 0; i < n; i++) gx[l * x.size + arg[i]!] += go[l * n + i]!;
}
