// Dynamic Weight Average (Liu, Johns & Davison, "End-to-End Multi-Task Learning with Attention",
// CVPR 2019, eq. 1): with L̄_t(e) the mean training loss of task t over epoch e,
//     r_t = L̄_t(e−1) / L̄_t(e−2),   w_t = T exp(r_t/τ) / Σ_j exp(r_j/τ),
// and w = 1 for the first two epochs. The epoch means are accumulated in the state from the losses
// of every step, so the trainer only passes the epoch number.
import { lossWeighting, positiveOption, weightedSum } from '../core.ts';

export interface DwaState {
  readonly epoch: number;
  readonly sum: Float64Array;
  readonly count: number;
  /** Means of the last two finished epochs (older first). */
  readonly means: readonly Float64Array[];
}

export function dwaWeights(prev: Float64Array, prev2: Float64Array, tau: number): Float64Array {
  const T = prev.length;
  const r = Float64Array.from(prev, (v, t) => v / prev2[t]! / tau);
  let mx = -Infinity;
  for (const v of r) mx = Math.max(mx, v);
  let s = 0;
  const e = r.map((v) => Math.exp(v - mx));
  for (const v of e) s += v;
  return e.map((v) => (T * v) / s);
}

export function dwa(opts: { tau?: number } = {}) {
  const tau = positiveOption('dwa', 'tau', opts.tau ?? 2);
  return lossWeighting<DwaState>({
    name: 'dwa',
    paper: 'Liu, Johns & Davison, CVPR 2019, eq. 1 (dynamic weight average)',
    positive: true,
    init: (T) => ({ epoch: 0, sum: new Float64Array(T), count: 0, means: [] }),
    step: (input, state) => {
      const L = input.losses;
      const T = L.length;
      let { epoch, sum, count, means } = state;
      if (input.epoch < epoch) throw new RangeError(`dwa: epoch went back from ${epoch} to ${input.epoch}`);
      if (input.epoch > epoch) {
        // Close the finished epoch (epochs without steps contribute nothing).
        if (count > 0) means = [...means, sum.map((v) => v / count)].slice(-2);
        sum = new Float64Array(T);
        count = 0;
        epoch = input.epoch;
      }
      sum = sum.map((v, t) => v + L[t]!);
      count += 1;
      const w = means.length < 2 ? new Float64Array(T).fill(1) : dwaWeights(means[1]!, means[0]!, tau);
      return { weights: w, objective: weightedSum(w, L), state: { epoch, sum, count, means } };
    },
  });
}
