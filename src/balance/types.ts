// The two contracts of task balancing, engine-independent (optax / torchjd style: plain arrays and
// explicit state in, weights or a direction and the new state out). The trainer owns the network; a
// balancing method only ever sees per-task losses, the T × P Jacobian G of the shared parameters (or
// of the shared representation), or the T × T Gramian K = G Gᵀ.
import type { FloatArray, Matrix } from '../linalg/matrix.ts';

/**
 * How the trainer obtained the per-task gradients:
 * - 'jacobian': one batched backward of the T losses (torchjd's `mtl_backward`);
 * - 'backward': T separate backward passes (LibMTL's default);
 * - 'rep': gradients with respect to the shared representation, not the parameters (LibMTL's
 *   `rep_grad`): the trainer then back-propagates Σ_t w_t ∂L_t/∂rep (or the returned direction)
 *   through the encoder once. Rows of G are then flattened batch × feature blocks.
 * 'jacobian' and 'backward' give the same G; the distinction is recorded so that a run says which.
 */
export type GradMode = 'jacobian' | 'backward' | 'rep';
export const GRAD_MODES: readonly GradMode[] = ['jacobian', 'backward', 'rep'];
export const PARAM_MODES: readonly GradMode[] = ['jacobian', 'backward'];

export interface AggregatorInput {
  readonly mode: GradMode;
  /** T × P, row t = ∂L_t/∂θ_shared (or ∂L_t/∂rep in 'rep' mode). Required when `needs` is 'jacobian'. */
  readonly jacobian?: Matrix<FloatArray>;
  /** T × T Gramian K = G Gᵀ; computed from `jacobian` when absent. */
  readonly gramian?: Matrix;
  /** Per-task losses (MGDA's loss normalisation, DB-MTL, MoCo). */
  readonly losses?: Float64Array;
  /** GradDrop only: the representation values, laid out like one row of the Jacobian (batch-major). */
  readonly representation?: FloatArray;
  /** GradDrop only: number of samples in the batch (rows of G are `batch` blocks of P / batch features). */
  readonly batch?: number;
}

/** Combination weights over tasks (direction d = wᵀG) or a direction in the gradient space. */
export type AggregatorOutput<S> =
  | { readonly kind: 'weights'; readonly weights: Float64Array; readonly state: S; readonly mode: GradMode; readonly info?: Readonly<Record<string, number>> }
  | { readonly kind: 'direction'; readonly direction: Float64Array; readonly state: S; readonly mode: GradMode; readonly info?: Readonly<Record<string, number>> };

export interface Aggregator<S = unknown> {
  /** Registry name (CLI `--aggregator`). */
  readonly name: string;
  /** Paper and equation implemented. */
  readonly paper: string;
  /** Gradient modes the method is defined for; others are refused by `aggregate`. */
  readonly modes: readonly GradMode[];
  /** Why the missing modes are refused (shown in the error). */
  readonly modeNote?: string;
  /** 'gramian': a function of K only (the trainer may pass K alone); 'jacobian': needs G itself. */
  readonly needs: 'gramian' | 'jacobian';
  init(tasks: number): S;
  aggregate(input: AggregatorInput, state: S): AggregatorOutput<S>;
}

export interface WeightingInput {
  readonly mode: GradMode;
  /** Per-task training losses of this step (the values whose weighted sum the trainer backpropagates). */
  readonly losses: Float64Array;
  /** 0-based epoch of this step (DWA, STCH and GradNorm work per epoch). */
  readonly epoch: number;
  /** Jacobian (ExcessMTL) or Gramian (GradNorm) of the shared parameters, when `needs` says so. */
  readonly jacobian?: Matrix<FloatArray>;
  readonly gramian?: Matrix;
}

export interface WeightingOutput<S> {
  /**
   * w_t = ∂objective/∂L_t at this step: the trainer backpropagates Σ_t w_t L_t (w treated as constant),
   * which has the gradient of the weighting's objective with respect to the network.
   */
  readonly weights: Float64Array;
  /** The value of the weighting's own objective (for logging; includes regularisers such as UW's log σ). */
  readonly objective: number;
  readonly state: S;
  readonly mode: GradMode;
  readonly info?: Readonly<Record<string, number>>;
}

export interface Weighting<S = unknown> {
  readonly name: string;
  readonly paper: string;
  readonly modes: readonly GradMode[];
  readonly modeNote?: string;
  /** What the method reads besides the losses. */
  readonly needs: 'losses' | 'gramian' | 'jacobian';
  init(tasks: number): S;
  weigh(input: WeightingInput, state: S): WeightingOutput<S>;
  /** FAMO: called after the optimiser step with the losses of the same batch under the new parameters. */
  afterStep?(lossesAfter: Float64Array, state: S): S;
}
