// Neural-network ops: softmax / log-softmax over the last axis, layer norm, dropout, gather
// (embedding lookup).
import { ShapeError } from '../../errors.ts';
import type { Tape } from '../tape.ts';
import type { Tensor } from '../tensor.ts';
import { shapeStr } from '../tensor.ts';

function lastAxis(op: string, x: Tensor): [number, number] {
  if (x.shape.length < 1) throw new ShapeError(`${op}: needs at least one axis, got a scalar`);
  const D = x.shape[x.shape.length - 1]!;
  return [D === 0 ? 0 : x.size / D, D];
}

/** Softmax over the last axis (max-shifted, so large logits do not overflow). */
export function softmax(g: Tape, x: Tensor): Tensor {
  const [rows, D] = lastAxis('softmax', x);
  const o = g.out(x.shape, [x], softmaxBackward);
  g.k.nn.softmaxRows(rows, D, x.data, o.data);
  return o;
}

function softmaxBackward(g: Tape, o: Tensor, lanes: number): void {
  const x = o.inputs[0]!;
  const gx = g.gradOf(x, lanes);
  if (!gx) return;
  const D = o.shape[o.shape.length - 1]!, rows = D === 0 ? 0 : o.size / D, y = o.data, go = o.grad!;
  for (let l = 0; l < lanes; l++) {
    const lo = l * o.size;
    for (let r = 0; r < rows; r++) {
      const off = r * D;
      let dot = 0;
      for (let j = 0; j < D; j++) dot += go[lo + off + j]! * y[off + j]!;
      for (let j = 0; j < D; j++) gx[lo + off + j] += y[off + j]! * (go[lo + off + j]! - dot);
    }
  }
}

/** log(softmax(x)) over the last axis, computed as x − logsumexp(x). */
export function logSoftmax(g: Tape, x: Tensor): Tensor {
  const [rows, D] = lastAxis('logSoftmax', x);
  const o = g.out(x.shape, [x], logSoftmaxBackward);
  const xd = x.data, y = o.data;
  for (let r = 0; r < rows; r++) {
    const off = r * D;
    let m = -Infinity;
    for (let j = 0; j < D; j++) if (xd[off + j]! > m) m = xd[off + j]!;
    let s = 0;
    for (let j = 0; j < D; j++) s += Math.exp(xd[off + j]! - m);
    const lse = m + Math.log(s);
    for (let j = 0; j < D; j++) y[off + j] = xd[off + j]! - lse;
  }
  return o;
}

function logSoftmaxBackward(g: Tape, o: Tensor, lanes: number): void {
  const x = o.inputs[0]!;
  const gx = g.gradOf(x, lanes);
  if (!gx) return;
  const D = o.shape[o.shape.length - 1]!, rows = D === 0 ? 0 : o.size / D, y = o.data, go = o.grad!;
  for (let l = 0; l < lanes; l++) {
    const lo = l * o.size;
    for (let r = 0; r < rows; r++) {
      const off = r * D;
      let s = 0;
      for (let j = 0; j < D; j++) s += go[lo + off + j]!;
      for (let j = 0; j < D; j++) gx[lo + off + j] += go[lo + off + j]! - Math.exp(y[off + j]!) * s;
    }
  }
}

/**
 * Layer normalisation over the last axis (Ba, Kiros & Hinton 2016, eq. 4): (x − μ)/√(σ² + eps)·γ + β
 * with the biased variance, as PyTorch. `gamma`/`beta` (shape [D]) may be null for no affine part.
 */
export function layerNorm(g: Tape, x: Tensor, gamma: Tensor | null, beta: Tensor | null, eps = 1e-5): Tensor {
  const [rows, D] = lastAxis('layerNorm', x);
  for (const [p, nm] of [[gamma, 'gamma'], [beta, 'beta']] as const) {
    if (p && (p.shape.length !== 1 || p.size !== D)) throw new ShapeError(`layerNorm: ${nm} has shape ${shapeStr(p.shape)}, expected [${D}]`);
  }
  const ins: Tensor[] = [x];
  if (gamma) ins.push(gamma);
  if (beta) ins.push(beta);
  const o = g.out(x.shape, ins, layerNormBackward);
  o.aux.push(gamma ? 1 : 0, beta ? 1 : 0);
  const xhat = g.savedData(o, 0, x.size), rstd = g.savedData(o, 1, rows);
  const xd = x.data, y = o.data, gd = gamma?.data, bd = beta?.data;
  for (let r = 0; r < rows; r++) {
    const off = r * D;
    let mu = 0;
    for (let j = 0; j < D; j++) mu += xd[off + j]!;
    mu /= D;
    let v = 0;
    for (let j = 0; j < D; j++) { const c = xd[off + j]! - mu; v += c * c; }
    const rs = 1 / Math.sqrt(v / D + eps);
    rstd[r] = rs;
    for (let j = 0; j < D; j++) {
      const h = (xd[off + j]! - mu) * rs;
      xhat[off + j] = h;
      y[off + j] = (gd ? h * gd[j]! : h) + (bd ? bd[j]! : 0);
    }
  }
  return o;
}

function layerNormBackward(g: Tape, o: Tensor, lanes: number): void {
  const hasG = o.aux[0] === 1, hasB = o.aux[1] === 1;
  const x = o.inputs[0]!;
  const gamma = hasG ? o.inputs[1]! : null;
  const beta = hasB ? o.inputs[hasG ? 2 : 1]! : null;
  const D = o.shape[o.shape.length - 1]!, rows = D === 0 ? 0 : o.size / D, n = o.size;
  const xhat = o.saved[0]!, rstd = o.saved[1]!, go = o.grad!;
  const gx = g.gradOf(x, lanes);
  const gg = gamma ? g.gradOf(gamma, lanes) : null;
  const gb = beta ? g.gradOf(beta, lanes) : null;
  const gd = gamma?.data;
  for (let l = 0; l < lanes; l++) {
    const lo = l * n, lp = l * D;
    for (let r = 0; r < rows; r++) {
      const off = r * D;
      if (gg) for (let j = 0; j < D; j++) gg[lp + j] += go[lo + off + j]! * xhat[off + j]!;
      if (gb) for (let j = 0; j < D; j++) gb[lp + j] += go[lo + off + j]!;
      if (gx) {
        // dx = rstd·(dĥ − mean(dĥ) − ĥ·mean(dĥ·ĥ)), dĥ = dy·γ
        let m1 = 0, m2 = 0;
        for (let j = 0; j < D; j++) {
          const dh = gd ? go[lo + off + j]! * gd[j]! : go[lo + off + j]!;
          m1 += dh;
          m2 += dh * xhat[off + j]!;
        }
        m1 /= D;
        m2 /= D;
        const rs = rstd[r]!;
        for (let j = 0; j < D; j++) {
          const dh = gd ? go[lo + off + j]! * gd[j]! : go[lo + off + j]!;
          gx[lo + off + j] += rs * (dh - m1 - xhat[off + j]! * m2);
        }
      }
    }
  }
}

/**
 * Inverted dropout (Srivastava et al. 2014): in training, each element is zeroed with probability
 * p and the survivors scaled by 1/(1−p), drawn from the tape's seeded generator; identity otherwise.
 */
export function dropout(g: Tape, x: Tensor, p: number): Tensor {
  if (!(p >= 0 && p < 1)) throw new ShapeError(`dropout: probability must be in [0, 1), got ${p}`);
  if (!g.training || p === 0) return x;
  const o = g.out(x.shape, [x], dropoutBackward);
  const n = x.size, m = g.savedData(o, 0, n), s = 1 / (1 - p), xd = x.data, y = o.data;
  for (let i = 0; i < n; i++) {
    const keep = g.rng.uniform() >= p ? s : 0;
    m[i] = keep;
    y[i] = xd[i]! * keep;
  }
  return o;
}

function dropoutBackward(g: Tape, o: Tensor, lanes: number): void {
  const x = o.inputs[0]!;
  const gx = g.gradOf(x, lanes);
  if (!gx) return;
  const go = o.grad!, m = o.saved[0]!, n = o.size;
  for (let l = 0; l < lanes; l++) for (let i = 0; i < n; i++) gx[l * n + i] += go[l * n + i]! * m[i]!;
}

/** Rows of `table` ([V, D]) at `indices` → [indices.length, D] (embedding lookup). */
export function gather(g: Tape, table: Tensor, indices: Int32Array | readonly number[]): Tensor {
  if (table.shape.length !== 2) throw new ShapeError(`gather: table must be 2-D, got ${shapeStr(table.shape)}`);
  const [V, D] = table.shape as [number, number];
  const n = indices.length;
  const o = g.out([n, D], [table], gatherBackward);
  const idx = g.savedInt(o, 0, n), td = table.data, y = o.data;
  for (let i = 0; i < n; i++) {
    const k = indices[i]!;
    if (!Number.isInteger(k) || k < 0 || k >= V) throw new ShapeError(`gather: index ${k} at position ${i} is outside the table of ${V} rows`);
    idx[i] = k;
    for (let j = 0; j < D; j++) y[i * D + j] = td[k * D + j]!;
  }
  return o;
}

function gatherBackward(g: Tape, o: Tensor, lanes: number): void {
  const table = o.inputs[0]!;
  const gt = g.gradOf(table, lanes);
  if (!gt) return;
  const idx = o.saved[0] as Int32Array, D = table.shape[1]!, n = idx.length, go = o.grad!;
  for (let l = 0; l < lanes; l++) {
    const lo = l * o.size, lt = l * table.size;
    for (let i = 0; i < n; i++) {
      const k = idx[i]!;
      for (let j = 0; j < D; j++) gt[lt + k * D + j] += go[lo + i * D + j]!;
    }
  }
}

/**
 * Σ_e w[b, e] · x[b, e, ...] for x [B, n, ...] and weights w [B, n] → [B, ...]: the expert mixture of
 * MMoE/CGC/PLE gates (Ma et al. 2018, eq. 5) as ONE op, instead of mul(x, reshape(w)) + sum(axis 1),
 * which writes and re-reads a [B, n, ...] intermediate (per task). Per example it is a 1×n by n×K
 * product, so forward and both gradients are one strided batched GEMM each (the backend's bmm):
 *   y_b = w_b·X_b,   dX_b += w_bᵀ·dy_b,   dw_b += dy_b·X_bᵀ.
 */
export function weightedSum(g: Tape, x: Tensor, w: Tensor): Tensor {
  if (x.shape.length < 2 || w.shape.length !== 2 || w.shape[0] !== x.shape[0] || w.shape[1] !== x.shape[1]) {
    throw new ShapeError(`weightedSum: weights ${shapeStr(w.shape)} must be [B, n] for x ${shapeStr(x.shape)} = [B, n, ...]`);
  }
  const B = x.shape[0]!, n = x.shape[1]!;
  const shape = [B, ...x.shape.slice(2)];
  const o = g.out(shape, [x, w], weightedSumBackward);
  const K = B * n === 0 ? 0 : x.size / (B * n);
  g.k.nn.bmm(false, false, B, 1, K, n, w.data, n, n, x.data, n * K, K, 0, o.data, K, K);
  return o;
}

function weightedSumBackward(g: Tape, o: Tensor, lanes: number): void {
  const [x, w] = o.inputs as [Tensor, Tensor];
  const B = x.shape[0]!, n = x.shape[1]!, K = B * n === 0 ? 0 : x.size / (B * n);
  const gx = g.gradOf(x, lanes), gw = g.gradOf(w, lanes);
  const go = o.grad!;
  for (let l = 0; l < lanes; l++) {
    const gol = lanes === 1 ? go : go.subarray(l * o.size, (l + 1) * o.size);
    if (gx) {
      const gxl = lanes === 1 ? gx : gx.subarray(l * x.size, (l + 1) * x.size);
      g.k.nn.bmm(true, false, B, n, K, 1, w.data, n, n, gol, K, K, 1, gxl, n * K, K);
    }
    if (gw) {
      const gwl = lanes === 1 ? gw : gw.subarray(l * w.size, (l + 1) * w.size);
      g.k.nn.bmm(false, true, B, 1, n, K, gol, K, K, x.data, n * K, K, 1, gwl, n, n);
    }
  }
}
