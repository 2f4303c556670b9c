// One layer of n parallel experts as ONE op (MMoE / CGC / PLE experts, Ma et al. KDD 2018 eq. 5):
//     Y[b, e, :] = act(X_e[b, :]·W_e + b_e),   e = 0 … n−1,
// where X_e is the shared input x [B, D] (first layer: every expert reads the example) or the slice
// x[:, e, :] of the previous expert layer [B, n, Din]. The output is [B, n, H] — the stacked experts
// the gates mix — written in place by n strided GEMMs (leading dimension n·H), so there is no stack
// op, no copy of the expert outputs, and the bias + activation of all experts is one pass over
// [B, n·H] (the backend's biasAct / biasActGrad kernels). The parameters stay one weight and one
// bias per expert (their names and the shared/task split of the architecture are unchanged).
import { ShapeError } from '../../errors.ts';
import type { Activation } from '../../linalg/kernels/types.ts';
import type { Tape } from '../tape.ts';
import type { Data, Tensor } from '../tensor.ts';
import { shapeStr } from '../tensor.ts';
import { gemm } from './util.ts';

/**
 * The n experts' linear layers with bias (or none) and activation `act`, on a shared input x [B, D]
 * or per-expert inputs x [B, n, Din]; weights[e] is [Din, H], biases[e] is [H].
 */
export function expertsLinear(g: Tape, x: Tensor, weights: readonly Tensor[], biases: readonly Tensor[] | null, act: Activation, slope = 0.01): Tensor {
  const n = weights.length;
  if (n === 0) throw new ShapeError('expertsLinear: no experts');
  const shared = x.shape.length === 2;
  if (!shared && !(x.shape.length === 3 && x.shape[1] === n)) {
    throw new ShapeError(`expertsLinear: input must be [B, D] (shared) or [B, ${n}, D] (one slice per expert), got ${shapeStr(x.shape)}`);
  }
  const B = x.shape[0]!, Din = x.shape[x.shape.length - 1]!;
  const H = weights[0]!.shape[1]!;
  for (let e = 0; e < n; e++) {
    const w = weights[e]!;
    if (w.shape.length !== 2 || w.shape[0] !== Din || w.shape[1] !== H) {
      throw new ShapeError(`expertsLinear: weight of expert ${e} has shape ${shapeStr(w.shape)}, expected [${Din}, ${H}]`);
    }
    const b = biases?.[e];
    if (biases && (b === undefined || b.shape.length !== 1 || b.size !== H)) {
      throw new ShapeError(`expertsLinear: bias of expert ${e} has shape ${b ? shapeStr(b.shape) : 'none'}, expected [${H}]`);
    }
  }
  const o = g.out([B, n, H], biases ? [x, ...weights, ...biases] : [x, ...weights], expertsLinearBackward);
  o.aux.push(n, biases ? 1 : 0);
  const ldx = shared ? Din : n * Din, nH = n * H;
  for (let e = 0; e < n; e++) {
    gemm(g, false, false, B, H, Din, 1, shared ? x.data : x.data.subarray(e * Din), ldx, weights[e]!.data, H, 0, o.data.subarray(e * H), nH);
  }
  // all experts' biases side by side, so bias + activation is one kernel call over [B, n·H]
  let bias: Data | null = null;
  if (biases) {
    bias = g.savedData(o, 1, nH);
    for (let e = 0; e < n; e++) bias.set(biases[e]!.data, e * H);
  }
  const needD = act !== 'identity' && o.requiresGrad;
  const d = needD ? g.savedData(o, 0, B * nH) : null;
  o.aux.push(d ? 1 : 0);
  g.k.nn.biasAct(act, B, nH, o.data, bias, slope, o.data, d);
  return o;
}

function expertsLinearBackward(g: Tape, o: Tensor, lanes: number): void {
  const n = o.aux[0]!, hasBias = o.aux[1] === 1, hasD = o.aux[2] === 1;
  const x = o.inputs[0]!;
  const B = o.shape[0]!, H = o.shape[2]!, nH = n * H, shared = x.shape.length === 2;
  const Din = x.shape[x.shape.length - 1]!, ldx = shared ? Din : n * Din;
  const d = hasD ? o.saved[0] as Data : null;
  const gx = g.gradOf(x, lanes);
  const gw = new Array<Data | null>(n), gb = new Array<Data | null>(n);
  let anyB = false;
  for (let e = 0; e < n; e++) {
    gw[e] = g.gradOf(o.inputs[1 + e]!, lanes);
    gb[e] = hasBias ? g.gradOf(o.inputs[1 + n + e]!, lanes) : null;
    if (gb[e]) anyB = true;
  }
  // t = go ⊙ act′ (the gradient of the pre-activation) and its column sums (the biases' gradients)
  const t = g.savedData(o, 2, B * nH);
  const tb = anyB ? g.savedData(o, 3, nH) : null;
  for (let l = 0; l < lanes; l++) {
    const go = lanes === 1 ? o.grad! : o.grad!.subarray(l * o.size, (l + 1) * o.size);
    t.fill(0);
    if (tb) tb.fill(0);
    g.k.nn.biasActGrad(B, nH, go, d, t, tb);
    for (let e = 0; e < n; e++) {
      const te = t.subarray(e * H);
      const w = o.inputs[1 + e]!;
      const gwe = gw[e];
      // dW_e (Din×H) += X_eᵀ·t_e;  dX_e (B×Din) += t_e·W_eᵀ
      if (gwe) gemm(g, true, false, Din, H, B, 1, shared ? x.data : x.data.subarray(e * Din), ldx, te, nH, 1, lanes === 1 ? gwe : gwe.subarray(l * w.size), H);
      if (gx) gemm(g, false, true, B, Din, H, 1, te, nH, w.data, H, 1, gx.subarray(l * x.size + (shared ? 0 : e * Din)), ldx);
      const gbe = gb[e];
      if (gbe && tb) {
        const off = lanes === 1 ? 0 : l * H;
        for (let j = 0; j < H; j++) gbe[off + j] += tb[e * H + j]!;
      }
    }
  }
}
