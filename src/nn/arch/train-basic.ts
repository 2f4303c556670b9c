// A minimal mini-batch loop (Adam on Σ_t L_t + aux_t, equal weights) used by the architecture tests,
// the estimator and the bench until the engine's trainer (src/nn/train/, issue 11 "Trainer") is
// available; it has no validation, logging or checkpoints on purpose.
import { Random } from '../../linalg/random.ts';
import { adam } from '../optim/adam.ts';
import { applyUpdates } from '../optim/transform.ts';
import { add } from '../ops/elementwise.ts';
import { bceWithLogitsLoss, mseLoss, softmaxCrossEntropy } from '../ops/loss.ts';
import { Tape } from '../tape.ts';
import { makeData, zeroGrad, type Data, type Tensor } from '../tensor.ts';
import { flatSize, type MtlArchitecture } from './common.ts';

export type TaskLoss = 'mse' | 'bce' | 'ce';

export interface TaskTargets {
  readonly loss: TaskLoss;
  /** n values (mse/bce: n × outDim; ce: n class indices). */
  readonly y: ArrayLike<number>;
  /** 1 = observed, 0 = missing; absent = all observed. */
  readonly mask?: Uint8Array;
}

export interface BasicTrainOptions {
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly seed: number;
  readonly weightDecay?: number;
  /** Called after every epoch with the mean total training loss. */
  readonly onEpoch?: (epoch: number, loss: number) => void;
}

/** Task t's loss on a forward output (rows `idx` of the data). */
export function taskLoss(g: Tape, out: Tensor, tt: TaskTargets, idx: ArrayLike<number>, K: number, ybuf: Data, mbuf: Uint8Array): Tensor {
  const B = idx.length;
  for (let i = 0; i < B; i++) {
    const r = idx[i]!;
    mbuf[i] = tt.mask ? tt.mask[r]! : 1;
    if (tt.loss === 'ce') ybuf[i] = mbuf[i] ? tt.y[r]! : 0;
    else for (let k = 0; k < K; k++) ybuf[i * K + k] = mbuf[i] ? tt.y[r * K + k]! : 0;
  }
  const y = tt.loss === 'ce' ? ybuf.subarray(0, B) : ybuf.subarray(0, B * K);
  const opts = { mask: tt.mask ? mbuf.subarray(0, B) : null };
  if (tt.loss === 'mse') return mseLoss(g, out, y, opts);
  if (tt.loss === 'bce') return bceWithLogitsLoss(g, out, y, opts);
  return softmaxCrossEntropy(g, out, y, opts);
}

/** Trains `arch` in place on shared inputs X (n × inShape) with one target set per task. */
export function trainBasic(arch: MtlArchitecture, X: Data, n: number, targets: readonly TaskTargets[], o: BasicTrainOptions): number[] {
  const dtype = X instanceof Float32Array ? 'float32' : 'float64';
  const g = new Tape(dtype, o.seed);
  const rng = new Random(o.seed);
  const params = arch.parameters();
  const opt = adam({ lr: o.lr, weightDecay: o.weightDecay });
  const state = opt.init(params);
  const per = flatSize(arch.inShape);
  const B = Math.min(o.batchSize, n);
  const xb = makeData(dtype, B * per);
  const ybuf = makeData(dtype, B * Math.max(...arch.outDims));
  const mbuf = new Uint8Array(B);
  const grads: Data[] = params.map((p) => p.grad!);
  const history: number[] = [];
  for (let e = 0; e < o.epochs; e++) {
    const perm = rng.permutation(n);
    let total = 0, batches = 0;
    for (let s = 0; s + B <= n; s += B) {
      const idx = perm.subarray(s, s + B);
      for (let i = 0; i < B; i++) xb.set(X.subarray(idx[i]! * per, (idx[i]! + 1) * per), i * per);
      g.reset();
      const out = arch.forward(g, g.input(xb, [B, ...arch.inShape]));
      let L: Tensor | null = null;
      out.outputs.forEach((z, t) => {
        if (!z) return;
        let lt = taskLoss(g, z, targets[t]!, idx, arch.outDims[t]!, ybuf, mbuf);
        const aux = out.aux[t];
        if (aux) lt = add(g, lt, aux);
        L = L === null ? lt : add(g, L, lt);
      });
      zeroGrad(params);
      g.backward(L!);
      total += (L as unknown as Tensor).item();
      batches++;
      opt.update(grads, state, params);
      applyUpdates(params, grads);
    }
    const mean = total / Math.max(1, batches);
    history.push(mean);
    o.onEpoch?.(e, mean);
  }
  return history;
}

/** Forward in inference mode over X in batches; returns per-task outputs (n × outDim each). */
export function predictAll(arch: MtlArchitecture, X: Data, n: number, batch = 512): Data[] {
  const dtype = X instanceof Float32Array ? 'float32' : 'float64';
  const g = new Tape(dtype, 0);
  g.training = false;
  const per = flatSize(arch.inShape);
  const outs = arch.outDims.map((K) => makeData(dtype, n * K));
  for (let s = 0; s < n; s += batch) {
    const b = Math.min(batch, n - s);
    g.reset();
    const out = arch.forward(g, g.input(X.subarray(s * per, (s + b) * per), [b, ...arch.inShape]));
    out.outputs.forEach((z, t) => { if (z) outs[t]!.set(z.data.subarray(0, b * arch.outDims[t]!), s * arch.outDims[t]!); });
  }
  return outs;
}
