// Losses with per-sample weights and a missing-label mask, each a scalar:
//   L = Σ_i w_i m_i ℓ_i / Σ_i w_i m_i      (w_i = 1, m_i = 1 when not given: the plain mean, as PyTorch)
// m_i = 0 marks a missing label (partial supervision, LibMTL#11/#63): the row contributes nothing.
// A batch with no observed row gives L = 0 and a zero gradient (the task is absent from the batch).
// ℓ_i averages over the row's K outputs for [B, K] predictions. The derivative is stored in forward.
import { DataError, ShapeError } from '../../errors.ts';
import type { Tape } from '../tape.ts';
import type { Data, Tensor } from '../tensor.ts';
import { shapeStr } from '../tensor.ts';

export interface LossOptions {
  /** Per-sample weights w_i ≥ 0, one per row of the prediction. */
  readonly weights?: Data | readonly number[] | null;
  /** Missing-label mask, one per row: 1 = observed, 0 = missing (its target is ignored, may be NaN). */
  readonly mask?: Uint8Array | null;
}

function rowsOf(op: string, pred: Tensor): [number, number] {
  if (pred.shape.length < 1 || pred.shape.length > 2) throw new ShapeError(`${op}: prediction must be [B] or [B, K], got ${shapeStr(pred.shape)}`);
  const B = pred.shape[0]!;
  return [B, pred.shape.length === 2 ? pred.shape[1]! : 1];
}

/** Row coefficients c_i = w_i m_i / Σ w m into `c`; returns false when no row is observed. */
function rowCoefficients(op: string, B: number, opts: LossOptions, c: Data): boolean {
  const w = opts.weights ?? null, m = opts.mask ?? null;
  if (w && w.length !== B) throw new ShapeError(`${op}: ${w.length} sample weights for ${B} rows`);
  if (m && m.length !== B) throw new ShapeError(`${op}: mask of length ${m.length} for ${B} rows`);
  let s = 0;
  for (let i = 0; i < B; i++) {
    const wi = w ? w[i]! : 1;
    if (!(wi >= 0) || !Number.isFinite(wi)) throw new DataError(`${op}: sample weight ${wi} at row ${i} must be finite and ≥ 0`);
    const v = (m ? (m[i] ? 1 : 0) : 1) * wi;
    c[i] = v;
    s += v;
  }
  if (s === 0) { c.fill(0); return false; }
  for (let i = 0; i < B; i++) c[i]! /= s;
  return true;
}

function lossBackward(g: Tape, o: Tensor, lanes: number): void {
  const x = o.inputs[0]!;
  const gx = g.gradOf(x, lanes);
  if (!gx) return;
  const d = o.saved[0]!, go = o.grad!, n = x.size;
  for (let l = 0; l < lanes; l++) {
    const s = go[l]!;
    for (let i = 0; i < n; i++) gx[l * n + i] += s * d[i]!;
  }
}

function checkTarget(op: string, target: ArrayLike<number>, n: number): void {
  if (target.length !== n) throw new ShapeError(`${op}: ${target.length} targets for ${n} predictions`);
}

/** Mean squared error ℓ_i = mean_k (p_ik − y_ik)². */
export function mseLoss(g: Tape, pred: Tensor, target: ArrayLike<number>, opts: LossOptions = {}): Tensor {
  const [B, K] = rowsOf('mseLoss', pred);
  checkTarget('mseLoss', target, pred.size);
  const o = g.out([], [pred], lossBackward);
  const c = g.savedData(o, 1, B), d = g.savedData(o, 0, pred.size);
  const any = rowCoefficients('mseLoss', B, opts, c);
  let L = 0;
  const p = pred.data;
  for (let i = 0; i < B; i++) {
    const ci = c[i]!;
    for (let k = 0; k < K; k++) {
      const j = i * K + k;
      if (ci === 0) { d[j] = 0; continue; }
      const y = target[j]!;
      if (Number.isNaN(y)) throw new DataError(`mseLoss: target at row ${i} is NaN but the row is not masked as missing`);
      const r = p[j]! - y;
      L += ci * r * r / K;
      d[j] = 2 * ci * r / K;
    }
  }
  o.data[0] = any ? L : 0;
  return o;
}

/** Binary cross-entropy on logits z: ℓ = max(z,0) − z·y + log(1 + e^{−|z|}) (stable), y ∈ [0, 1]. */
export function bceWithLogitsLoss(g: Tape, logits: Tensor, target: ArrayLike<number>, opts: LossOptions = {}): Tensor {
  const [B, K] = rowsOf('bceWithLogitsLoss', logits);
  checkTarget('bceWithLogitsLoss', target, logits.size);
  const o = g.out([], [logits], lossBackward);
  const c = g.savedData(o, 1, B), d = g.savedData(o, 0, logits.size);
  const any = rowCoefficients('bceWithLogitsLoss', B, opts, c);
  let L = 0;
  const z = logits.data;
  for (let i = 0; i < B; i++) {
    const ci = c[i]!;
    for (let k = 0; k < K; k++) {
      const j = i * K + k;
      if (ci === 0) { d[j] = 0; continue; }
      const y = target[j]!;
      if (!(y >= 0 && y <= 1)) throw new DataError(`bceWithLogitsLoss: target ${y} at row ${i} must be in [0, 1] (or the row masked as missing)`);
      const v = z[j]!;
      L += ci * (Math.max(v, 0) - v * y + Math.log1p(Math.exp(-Math.abs(v)))) / K;
      const s = v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
      d[j] = ci * (s - y) / K;
    }
  }
  o.data[0] = any ? L : 0;
  return o;
}

/** Softmax cross-entropy of logits [B, C] against class indices (ℓ_i = −log softmax(z_i)[y_i]). */
export function softmaxCrossEntropy(g: Tape, logits: Tensor, labels: ArrayLike<number>, opts: LossOptions = {}): Tensor {
  if (logits.shape.length !== 2) throw new ShapeError(`softmaxCrossEntropy: logits must be [B, C], got ${shapeStr(logits.shape)}`);
  const [B, C] = logits.shape as [number, number];
  if (labels.length !== B) throw new ShapeError(`softmaxCrossEntropy: ${labels.length} labels for ${B} rows`);
  const o = g.out([], [logits], lossBackward);
  const c = g.savedData(o, 1, B), d = g.savedData(o, 0, logits.size);
  const any = rowCoefficients('softmaxCrossEntropy', B, opts, c);
  let L = 0;
  const z = logits.data;
  for (let i = 0; i < B; i++) {
    const ci = c[i]!, off = i * C;
    if (ci === 0) { for (let j = 0; j < C; j++) d[off + j] = 0; continue; }
    const y = labels[i]!;
    if (!Number.isInteger(y) || y < 0 || y >= C) throw new DataError(`softmaxCrossEntropy: label ${y} at row ${i} is not a class in 0..${C - 1} (or the row masked as missing)`);
    let m = -Infinity;
    for (let j = 0; j < C; j++) if (z[off + j]! > m) m = z[off + j]!;
    let s = 0;
    for (let j = 0; j < C; j++) s += Math.exp(z[off + j]! - m);
    const lse = m + Math.log(s);
    L += ci * (lse - z[off + y]!);
    for (let j = 0; j < C; j++) d[off + j] = ci * (Math.exp(z[off + j]! - lse) - (j === y ? 1 : 0));
  }
  o.data[0] = any ? L : 0;
  return o;
}
