// Task affinity measured during ONE training run of all tasks (issue 13, neural half), averaged
// over the sampled steps. Two measures:
//
//  - 'gradient-cosine': A_ij = cos(g_i, g_j), g_t = ∂L_t/∂θ_s the task gradients of the shared
//    parameters on the step's batch (symmetric; the "gradient similarity" of Fifty et al. 2021, §5,
//    and Yu et al. 2020's conflict measure).
//  - 'tag-lookahead': TAG's inter-task affinity (Fifty et al. 2021, "Efficiently Identifying Task
//    Groupings for Multi-Task Learning", eq. 3):
//        Z_{i→j} = 1 − L_j(X, θ_s^{t+1|i}) / L_j(X, θ_s^t),   θ_s^{t+1|i} = θ_s^t − η ∇_{θ_s} L_i(X, θ_s^t),
//    the relative decrease of task j's loss on the same batch X after an SGD look-ahead step of
//    the shared parameters on task i's gradient alone (task heads held fixed). Positive: i's step
//    helps j. Not symmetric. Losses are taken in eval mode (no dropout) both before and after, so
//    the ratio measures the step and not the dropout noise.
//
// Orientation (the grouping code's GainMatrix, src/select/hoa.ts on the `select` branch):
// gain[i·T + j] = effect ON task i OF task j, i.e. gain[i·T + j] = Z_{j→i} for TAG, cos(g_i, g_j)
// for the cosine. The diagonal (a task's effect on itself) is kept; grouping ignores it.
// se[i·T + j] = standard deviation over the sampled steps / √samples (NaN with fewer than 2).
//
// Cost per sampled step (on top of the training step): cosine — one Jacobian of the shared
// parameters (one lanes pass through the trunk when the network exposes `features`, else T
// backward passes); TAG — the same Jacobian plus (T + 1) eval forwards of the batch and T
// parameter copies. `cost` in the result holds the measured time of the sampled steps.
import type { MultiTaskDataset } from '../data/dataset.ts';
import type { FitContext, Options } from '../estimator/contract.ts';
import { getModel } from '../estimator/registry.ts';
import { OptionError } from '../errors.ts';
import { NeuralEstimator } from '../nn/estimator.ts';
import { train } from '../nn/train/trainer.ts';
import type { ProbeContext, StepProbe } from '../nn/train/probe.ts';
import type { MTLNetwork, TrainConfig, TrainData, TrainResult } from '../nn/train/types.ts';
import type { TaskMatrix } from '../nn/mtl.ts';

export type NeuralAffinityMeasure = 'gradient-cosine' | 'tag-lookahead';
export const NEURAL_AFFINITY_MEASURES: readonly NeuralAffinityMeasure[] = ['gradient-cosine', 'tag-lookahead'];

export interface NeuralAffinityOptions {
  readonly measure: NeuralAffinityMeasure;
  /** Measure on steps 0, every, 2·every, … (default 1: every step). */
  readonly every?: number;
  /**
   * TAG look-ahead learning rate η. Default: the run's learning rate at that step
   * (TrainConfig.lrSchedule); an error if neither is given.
   */
  readonly lookaheadLr?: number;
}

/** A T × T affinity matrix in the shape of the linear affinity (GainMatrix + uncertainty + provenance). */
export interface NeuralAffinity {
  readonly T: number;
  /** gain[i·T + j]: affinity of task j for task i (effect on i of j; see the header). */
  readonly gain: Float64Array;
  readonly se: Float64Array;
  readonly tasks: readonly string[];
  /** 'gradient-cosine' or 'tag-lookahead' (with η for TAG, e.g. 'tag-lookahead(lr=0.01)'). */
  readonly measure: string;
  readonly model: string;
  readonly every: number;
  /** Sampled steps averaged over (per entry, NaN values — a zero loss in TAG's ratio — are skipped). */
  readonly samples: number;
  readonly cost: AffinityCost;
  readonly seconds: number;
}

export interface AffinityCost {
  /** Training steps of the run. */
  readonly steps: number;
  /** Wall time of the whole run (training + measuring). */
  readonly trainSeconds: number;
  /** Wall time spent inside the measurements (Jacobian, look-aheads). */
  readonly measureSeconds: number;
  /** measureSeconds / samples, in milliseconds. */
  readonly msPerSample: number;
}

/** Cosine affinity of one step's task gradients: A_ij = cos(g_i, g_j) (0 where a gradient is zero). */
export function cosineAffinity(J: TaskMatrix): Float64Array {
  const T = J.rows, P = J.cols, d = J.data;
  const K = new Float64Array(T * T);
  for (let a = 0; a < T; a++) {
    for (let b = a; b < T; b++) {
      let s = 0;
      for (let k = 0; k < P; k++) s += d[a * P + k]! * d[b * P + k]!;
      K[a * T + b] = s;
      K[b * T + a] = s;
    }
  }
  const A = new Float64Array(T * T);
  for (let i = 0; i < T; i++) {
    for (let j = 0; j < T; j++) {
      const n = Math.sqrt(K[i * T + i]! * K[j * T + j]!);
      A[i * T + j] = n > 0 ? Math.max(-1, Math.min(1, K[i * T + j]! / n)) : 0;
    }
  }
  return A;
}

/**
 * TAG look-ahead affinity of one step (Fifty et al. 2021, eq. 3), in GainMatrix orientation:
 * out[j·T + i] = Z_{i→j} = 1 − L_j(θ_s − η g_i) / L_j(θ_s). Every shared parameter is restored
 * exactly (from a copy) after each look-ahead. NaN where L_j(θ_s) = 0.
 */
export function tagLookahead(ctx: ProbeContext, lr: number): Float64Array {
  if (!(lr > 0 && Number.isFinite(lr))) throw new OptionError('lookahead-lr', `TAG look-ahead learning rate must be a positive number, got ${lr}`);
  const T = ctx.T;
  const J = ctx.taskGradients();
  const P = J.cols;
  const before = ctx.evalLosses();
  const saved = ctx.shared.map((p) => p.data.slice());
  const out = new Float64Array(T * T);
  for (let i = 0; i < T; i++) {
    let off = i * P;
    for (const p of ctx.shared) {
      const d = p.data;
      for (let k = 0; k < p.size; k++) d[k] = d[k]! - lr * J.data[off + k]!;
      off += p.size;
    }
    const after = ctx.evalLosses();
    ctx.shared.forEach((p, k) => p.data.set(saved[k]!));
    for (let j = 0; j < T; j++) out[j * T + i] = before[j]! > 0 ? 1 - after[j]! / before[j]! : NaN;
  }
  return out;
}

/** Running mean and standard error of T × T matrices (NaN entries skipped per entry). */
class MatrixMean {
  readonly sum: Float64Array;
  readonly sq: Float64Array;
  readonly n: Float64Array;
  samples = 0;
  constructor(readonly T: number) {
    this.sum = new Float64Array(T * T);
    this.sq = new Float64Array(T * T);
    this.n = new Float64Array(T * T);
  }
  add(A: Float64Array): void {
    for (let k = 0; k < A.length; k++) {
      const v = A[k]!;
      if (Number.isNaN(v)) continue;
      this.sum[k]! += v;
      this.sq[k]! += v * v;
      this.n[k]! += 1;
    }
    this.samples++;
  }
  mean(): Float64Array {
    return this.sum.map((s, k) => (this.n[k]! > 0 ? s / this.n[k]! : NaN));
  }
  se(): Float64Array {
    return this.sum.map((s, k) => {
      const n = this.n[k]!;
      if (n < 2) return NaN;
      const m = s / n;
      const v = Math.max(0, (this.sq[k]! - n * m * m) / (n - 1));
      return Math.sqrt(v / n);
    });
  }
}

/** A StepProbe that accumulates one affinity measure; compose it with any trainer run. */
export function affinityProbe(T: number, opts: NeuralAffinityOptions, lrAt?: (step: number) => number): {
  readonly probe: StepProbe;
  result(): { gain: Float64Array; se: Float64Array; samples: number; measureSeconds: number; lr: number | null };
} {
  if (!NEURAL_AFFINITY_MEASURES.includes(opts.measure)) throw new OptionError('measure', `unknown neural affinity measure "${String(opts.measure)}" (known: ${NEURAL_AFFINITY_MEASURES.join(', ')})`);
  const every = opts.every ?? 1;
  if (!(Number.isInteger(every) && every >= 1)) throw new OptionError('every', `must be a positive integer, got ${every}`);
  if (opts.lookaheadLr !== undefined && !(opts.lookaheadLr > 0 && Number.isFinite(opts.lookaheadLr))) throw new OptionError('lookahead-lr', `must be a positive number, got ${opts.lookaheadLr}`);
  if (opts.measure === 'tag-lookahead' && opts.lookaheadLr === undefined && !lrAt) {
    throw new OptionError('lookahead-lr', 'TAG needs a look-ahead learning rate: give lookaheadLr or a training config with lrSchedule');
  }
  const acc = new MatrixMean(T);
  let seconds = 0;
  let lastLr: number | null = null;
  const probe: StepProbe = {
    every,
    observe(ctx) {
      if (ctx.T !== T) throw new OptionError('tasks', `affinity probe built for ${T} tasks observed a step with ${ctx.T}`);
      const t0 = performance.now();
      if (opts.measure === 'gradient-cosine') acc.add(cosineAffinity(ctx.taskGradients()));
      else {
        const lr = opts.lookaheadLr ?? lrAt!(ctx.step);
        lastLr = lr;
        acc.add(tagLookahead(ctx, lr));
      }
      seconds += (performance.now() - t0) / 1000;
    },
  };
  return { probe, result: () => ({ gain: acc.mean(), se: acc.se(), samples: acc.samples, measureSeconds: seconds, lr: lastLr }) };
}

/**
 * Train `net` on all tasks once (config `cfg`, unchanged otherwise) and measure the affinity on
 * every `every`-th step. Returns the affinity and the training result (the network is trained).
 */
export function neuralAffinity(net: MTLNetwork, data: TrainData, cfg: TrainConfig, opts: NeuralAffinityOptions & { readonly model?: string }): { affinity: NeuralAffinity; train: TrainResult } {
  const T = cfg.tasks.length;
  if (cfg.probe) throw new OptionError('probe', 'neuralAffinity installs its own step probe; the training config must not have one');
  const lrAt = cfg.lrSchedule;
  const ap = affinityProbe(T, opts, lrAt);
  const t0 = performance.now();
  const r = train(net, data, { ...cfg, probe: ap.probe });
  const seconds = (performance.now() - t0) / 1000;
  const res = ap.result();
  const every = opts.every ?? 1;
  const measure = opts.measure === 'tag-lookahead'
    ? `tag-lookahead(lr=${opts.lookaheadLr ?? 'run schedule'})`
    : 'gradient-cosine';
  return {
    affinity: {
      T, gain: res.gain, se: res.se, tasks: cfg.tasks.map((t) => t.name), measure, model: opts.model ?? 'nn', every,
      samples: res.samples,
      cost: { steps: r.steps, trainSeconds: seconds, measureSeconds: res.measureSeconds, msPerSample: res.samples > 0 ? (1000 * res.measureSeconds) / res.samples : NaN },
      seconds,
    },
    train: r,
  };
}

/**
 * The affinity of a registered neural model (engine `nn`) on a data set: one training run of all
 * tasks with the affinity probe attached, through the estimator (so the model's declared options,
 * standardisation and trainer are exactly those of `fit`). TAG's lookahead uses the model's `lr`.
 */
export function estimatorAffinity(
  ds: MultiTaskDataset,
  model: string,
  options: Options,
  opts: { readonly measure: NeuralAffinityMeasure; readonly every?: number; readonly onProgress?: FitContext['onProgress'] },
): NeuralAffinity {
  const est = getModel(model).make(options);
  if (!(est instanceof NeuralEstimator)) throw new OptionError('model', `"${model}" is not a neural model; its affinity is measured by fits (pairs or leave-one-out)`);
  const T = ds.tasks.length;
  const lr = est.options['lr'];
  const ap = affinityProbe(T, { measure: opts.measure, every: opts.every ?? 1, ...(typeof lr === 'number' ? { lookaheadLr: lr } : {}) });
  const t0 = performance.now();
  est.fitWith(ds, opts.onProgress ? { onProgress: opts.onProgress } : {}, { probe: ap.probe });
  const seconds = (performance.now() - t0) / 1000;
  const res = ap.result();
  return {
    T,
    gain: res.gain,
    se: res.se,
    tasks: ds.tasks.map((t) => t.name),
    measure: opts.measure === 'tag-lookahead' ? `tag-lookahead(lr=${String(lr)})` : 'gradient-cosine',
    model,
    every: opts.every ?? 1,
    samples: res.samples,
    cost: { steps: NaN, trainSeconds: seconds, measureSeconds: res.measureSeconds, msPerSample: res.samples > 0 ? (1000 * res.measureSeconds) / res.samples : NaN },
    seconds,
  };
}
