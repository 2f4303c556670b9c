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

/**
 * The expert mixtures of T gates at once: out[t, b, :] = Σ_e w_t[b, e] · x[b, e, :] for stacked experts
 * x [B, n, K] and T gate outputs w_t [B, n] → [T, B, K] (MMoE, Ma et al. 2018 eq. 5, all tasks). Per
 * example it is ONE T×n by n×K product (the backend's bmm), so the experts are read once per pass
 * instead of once per task (T weightedSum ops): forward, dx and the gates' gradients are one bmm each.
 * Task t's mixture is `taskRow(g, out, t)`.
 */
export function weightedSums(g: Tape, x: Tensor, ws: readonly Tensor[]): Tensor {
  const T = ws.length;
  if (T === 0) throw new ShapeError('weightedSums: no gates');
  if (x.shape.length !== 3) throw new ShapeError(`weightedSums: experts must be [B, n, K], got ${shapeStr(x.shape)}`);
  const [B, n, K] = x.shape as [number, number, number];
  for (let t = 0; t < T; t++) {
    const w = ws[t]!;
    if (w.shape.length !== 2 || w.shape[0] !== B || w.shape[1] !== n) {
      throw new ShapeError(`weightedSums: gate ${t} has shape ${shapeStr(w.shape)}, expected [${B}, ${n}]`);
    }
  }
  const o = g.out([T, B, K], [x, ...ws], weightedSumsBackward);
  // the gates side by side per example, [B, T, n]: example b's T×n matrix is contiguous
  const W = g.savedData(o, 0, B * T * n);
  for (let t = 0; t < T; t++) {
    const wd = ws[t]!.data;
    for (let b = 0; b < B; b++) for (let e = 0; e < n; e++) W[(b * T + t) * n + e] = wd[b * n + e]!;
  }
  // C_b (T×K, rows B·K apart) = W_b (T×n) · X_b (n×K)
  g.k.nn.bmm(false, false, B, T, K, n, W, T * n, n, x.data, n * K, K, 0, o.data, K, B * K);
  return o;
}

function weightedSumsBackward(g: Tape, o: Tensor, lanes: number): void {
  const x = o.inputs[0]!;
  const [B, n, K] = x.shape as [number, number, number];
  const T = o.inputs.length - 1;
  const W = o.saved[0] as Data;
  const gx = g.gradOf(x, lanes);
  const gws = o.inputs.slice(1).map((w) => g.gradOf(w, lanes));
  const anyW = gws.some((gw) => gw !== null);
  const GW = anyW ? g.savedData(o, 1, B * T * n) : null;
  for (let l = 0; l < lanes; l++) {
    const go = lanes === 1 ? o.grad! : o.grad!.subarray(l * o.size, (l + 1) * o.size);
    // dX_b (n×K) += W_bᵀ · dC_b
    if (gx) g.k.nn.bmm(true, false, B, n, K, T, W, T * n, n, go, K, B * K, 1, lanes === 1 ? gx : gx.subarray(l * x.size, (l + 1) * x.size), n * K, K);
    if (GW) {
      // dW_b (T×n) = dC_b · X_bᵀ, then back to each gate's [B, n]
      g.k.nn.bmm(false, true, B, T, n, K, go, K, B * K, x.data, n * K, K, 0, GW, T * n, n);
      for (let t = 0; t < T; t++) {
        const gw = gws[t];
        if (!gw) continue;
        const off = l * B * n;
        for (let b = 0; b < B; b++) for (let e = 0; e < n; e++) gw[off + b * n + e] += GW[(b * T + t) * n + e]!;
      }
    }
  }
}

/** x[t] for x [T, ...] → [...] (task t's row of weightedSums), one contiguous copy. */
export function taskRow(g: Tape, x: Tensor, t: number): Tensor {
  if (x.shape.length < 1 || !Number.isInteger(t) || t < 0 || t >= x.shape[0]!) {
    throw new ShapeError(`taskRow: index ${t} is outside the first axis of ${shapeStr(x.shape)}`);
  }
  const o = g.out(x.shape.slice(1), [x], taskRowBackward);
  o.aux.push(t);
  o.data.set(x.data.subarray(t * o.size, (t + 1) * o.size));
  return o;
}

function taskRowBackward(g: Tape, o: Tensor, lanes: number): void {
  const x = o.inputs[0]!;
  const gx = g.gradOf(x, lanes);
  if (!gx) return;
  const t = o.aux[0]!, n = o.size;
  for (let l = 0; l < lanes; l++) {
    g.k.nn.mulAcc(n, lanes === 1 ? o.grad! : o.grad!.subarray(l * n, (l + 1) * n), null, gx.subarray(l * x.size + t * n, l * x.size + (t + 1) * n));
  }
}
