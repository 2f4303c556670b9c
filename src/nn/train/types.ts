// What the trainer trains and on which data. An architecture (src/nn/arch/*) implements
// MTLNetwork; the trainer never looks inside it beyond these members.
import type { Module } from '../module.ts';
import type { GradMode } from '../mtl.ts';
import type { Tape } from '../tape.ts';
import type { Param, Tensor } from '../tensor.ts';
import type { CompetitionRecord, StepProbe } from './probe.ts';
import type { GradientAggregator, LossWeighting } from './hooks.ts';
import type { GradientTransformation } from '../optim/transform.ts';
import type { FitProgress } from '../../estimator/contract.ts';

export interface NetworkOutput {
  /** One prediction per task, each with one row per input row: [B] / [B, 1] (regression, binary
   * logit) or [B, C] (multiclass logits). The trainer needs every task's output (null is refused). */
  readonly outputs: readonly (Tensor | null)[];
  /**
   * The shared representation the task heads read (LibMTL's `rep`, torchjd's `features`): every
   * path from the shared parameters to a task output must pass through it. Needed by the
   * 'jacobian' and 'rep' gradient modes; null when the architecture has no single one.
   * For MMoE-like models, the stacked expert outputs.
   */
  readonly features: Tensor | null;
  /** Per-task extra loss terms (scalars) the architecture adds (e.g. DSelect-k's regulariser). */
  readonly aux?: readonly (Tensor | null)[];
}

/**
 * What the trainer trains. src/nn/arch's MtlArchitecture satisfies it structurally (same member
 * names), so architectures are passed as they are.
 */
export interface MTLNetwork extends Module {
  readonly taskNames: readonly string[];
  /** Shape of one input example ([d], or [C, H, W] for CNNs); its product must equal the data's d. */
  readonly inShape: readonly number[];
  /** The shared parameters θ_s (per-task gradients and aggregators act on these). */
  sharedParameters(): Param[];
  /**
   * `tasks` (optional to implement): compute only these tasks' outputs (others may be null). The
   * trainer uses it for multi-input data without an aggregator: one forward per task on its rows.
   */
  forward(g: Tape, x: Tensor, tasks?: readonly number[]): NetworkOutput;
  /**
   * Optional: the trainer calls it before every step with the fraction of training done
   * ((epoch + batch/batches) / epochs, so a resumed run replays it exactly), and with 1 when training
   * ends, the state in which the network predicts. For hyper-parameters the architecture anneals
   * (DSelect-k's smooth-step width).
   */
  setProgress?(fraction: number): void;
}

/** Kind of a task's target and hence its loss and metric. */
export type NnTaskKind = 'regression' | 'binary' | 'multiclass';

export interface TaskSpec {
  readonly name: string;
  readonly kind: NnTaskKind;
  /** Number of classes (multiclass only). */
  readonly classes?: number;
}

/**
 * Shared inputs, one target per task (multi-output). NaN target = missing label for that task
 * (masked out of its loss). Targets: regression values, binary 0/1, multiclass class index.
 */
export interface MultiOutputData {
  readonly layout: 'multi-output';
  readonly X: Float32Array;
  readonly n: number;
  readonly d: number;
  readonly targets: readonly Float32Array[];
  /** Per-task sample weights (optional, length n each). */
  readonly weights?: readonly (Float32Array | null)[];
}

/** One data set per task (LibMTL multi_input): each step draws a batch of every task. */
export interface MultiInputData {
  readonly layout: 'multi-input';
  readonly d: number;
  readonly tasks: readonly { readonly X: Float32Array; readonly n: number; readonly y: Float32Array; readonly weights?: Float32Array | null }[];
}

export type TrainData = MultiOutputData | MultiInputData;

export interface EpochRecord {
  readonly epoch: number;
  readonly seconds: number;
  readonly steps: number;
  /** Learning rate at the epoch's last step (when the config names the schedule), else null. */
  readonly lr: number | null;
  readonly train: { readonly loss: number[]; readonly metric: number[] };
  readonly val: { readonly loss: number[]; readonly metric: number[] } | null;
  /** Mean task weights over the epoch's steps (loss weighting, or aggregator weights when given). */
  readonly weights: number[];
  readonly metricName: string[];
  /**
   * Task competition over the epoch (issue 12, src/nn/train/probe.ts): mean task-gradient cosine
   * matrix of the shared parameters, conflicting pairs, gradient-norm ratios. null when switched
   * off (`logConflictEvery: 0`) or no step was sampled.
   */
  readonly competition?: CompetitionRecord | null;
  /** Whether this epoch is the best so far on the validation loss (model selection). */
  readonly best: boolean;
  /**
   * Which per-task gradients the balancing used (issue 12: the run records its grad mode): the mode
   * and, for the aggregator and for a weighting that reads gradients, what they were taken of
   * ('shared parameters', 'representation', 'last shared layer (trunk.1.weight, …)'). null when
   * neither reads per-task gradients (plain loss weighting).
   */
  readonly gradients?: GradientsUsed | null;
}

export interface GradientsUsed {
  readonly mode: GradMode;
  readonly aggregator: string | null;
  readonly weighting: string | null;
}

export interface TrainConfig {
  readonly tasks: readonly TaskSpec[];
  readonly epochs: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly optimizer: GradientTransformation;
  /** The optimiser's learning-rate schedule, when it has one: only read to log `lr` per epoch. */
  readonly lrSchedule?: (step: number) => number;
  readonly weighting?: LossWeighting;
  readonly aggregator?: GradientAggregator;
  /** How per-task gradients are taken when an aggregator is set (default 'jacobian'). */
  readonly gradMode?: GradMode;
  /**
   * Log task competition (EpochRecord.competition) every this many steps (default 10; 0: off).
   * With an aggregator in 'backward'/'jacobian' mode the step's Gramian is reused on every step at
   * no extra cost; otherwise each sampled step costs one extra Jacobian of the shared parameters.
   */
  readonly logConflictEvery?: number;
  /** A per-step observer of the task gradients and losses (e.g. src/select/neural-affinity.ts). */
  readonly probe?: StepProbe;
  /** Validation data (never the test split). When absent and valRatio > 0, split from train. */
  readonly val?: TrainData;
  readonly valRatio?: number;
  /** Stop after this many epochs without validation improvement (0 or absent: never). */
  readonly patience?: number;
  /** Restore the parameters of the best validation epoch at the end (default true when validating). */
  readonly restoreBest?: boolean;
  /** Write a checkpoint every N epochs to `checkpointPath` (atomic). */
  readonly checkpointEvery?: number;
  readonly checkpointPath?: string;
  /** Resume from this checkpoint (continues bit-identically). */
  readonly resumeFrom?: string;
  /** Called after every epoch with its record (e.g. a JSON-lines writer). */
  readonly onEpoch?: (r: EpochRecord) => void;
  readonly onProgress?: (p: FitProgress) => void;
  readonly signal?: AbortSignal;
}

export interface TrainResult {
  readonly history: EpochRecord[];
  readonly bestEpoch: number;
  readonly stoppedEarly: boolean;
  readonly seconds: number;
  readonly steps: number;
}
