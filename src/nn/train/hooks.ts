// The task-balancing hooks of the trainer (issue 12 builds the methods in src/balance/ as pure
// functions of this shape). Two families:
//  - LossWeighting: per-task losses (and epoch history) → task weights w; the step then minimises
//    Σ_t w_t L_t. State is explicit: passed in, returned (never hidden in a closure).
//  - GradientAggregator: the T × P Jacobian of the shared parameters (or only its T × T Gramian)
//    → an update direction for the shared parameters (torchjd's Aggregator / Weighting).
// Plain EW (equal weights, weight 1 per task: LibMTL's EW sums the losses) lives here.
import type { GradMode, TaskMatrix } from '../mtl.ts';
import type { FloatArray } from '../../linalg/matrix.ts';

export interface WeightingInput {
  /** This step's per-task losses (NaN-free; 0 for a task with no observed label in the batch). */
  readonly losses: Float64Array;
  /** 0-based global step and epoch. */
  readonly step: number;
  readonly epoch: number;
  /** Mean training loss per task of each finished epoch (epochs × T, oldest first): DWA, GradNorm. */
  readonly epochLosses: readonly Float64Array[];
  /** How `jacobian` was taken (the run's grad mode), when the weighting reads task gradients. */
  readonly mode?: GradMode;
  /**
   * Raw per-task gradients (row t = ∂L_t/∂θ, unweighted) of the parameters the weighting asked for
   * (`gradients`), or of the representation in mode 'rep'; only when `needs` is not 'losses'.
   */
  readonly jacobian?: TaskMatrix;
  /** Their T × T Gramian (row-major float64), with `jacobian`. */
  readonly gramian?: Float64Array;
}

export interface LossWeighting<S = unknown> {
  readonly name: string;
  /**
   * What the weighting reads besides the losses (default 'losses'): with 'gramian' or 'jacobian' the
   * trainer takes the per-task gradients of this step (in the run's grad mode) before calling
   * `weights` (GradNorm: norms; ExcessMTL: the gradients themselves).
   */
  readonly needs?: 'losses' | 'gramian' | 'jacobian';
  /**
   * Which parameters' gradients in modes 'jacobian' / 'backward': all shared parameters (default) or
   * only the last shared layer's (GradNorm, Chen et al. 2018 §3: "W … the last shared layer").
   */
  readonly gradients?: 'shared' | 'last-shared-layer';
  /** Grad modes the weighting is defined for when it reads gradients (default: all). */
  readonly modes?: readonly GradMode[];
  /** Initial state for T tasks. */
  init(T: number, seed: number): S;
  /** Task weights (length T) for this step, and the next state. */
  weights(input: WeightingInput, state: S): { readonly weights: Float64Array; readonly state: S };
  /**
   * Called after the optimiser step with the per-task losses of the SAME batch at the new parameters
   * (FAMO's loss decrease; evaluated without dropout); returns the next state.
   */
  afterStep?(lossesAfter: Float64Array, state: S): S;
}

export interface AggregatorInput {
  readonly T: number;
  /** T × P Jacobian (absent when the aggregator declared it needs only the Gramian). */
  readonly jacobian?: TaskMatrix;
  /** T × T Gramian J·Jᵀ, row-major float64. */
  readonly gramian: Float64Array;
  /** Which way the engine computed the rows ('rep': rows are representation gradients). */
  readonly mode: GradMode;
  readonly losses: Float64Array;
  readonly step: number;
  /** Mode 'rep' only: the representation's values (same layout as a row of `jacobian`) and its batch rows (GradDrop). */
  readonly representation?: FloatArray;
  readonly batch?: number;
}

export interface AggregatorOutput<S> {
  /** Either task weights w (direction = Jᵀw, computed by the engine) ... */
  readonly weights?: Float64Array;
  /** ... or the direction itself (length P; for mode 'rep', length = representation size). */
  readonly direction?: Float64Array;
  readonly state: S;
}

export interface GradientAggregator<S = unknown> {
  readonly name: string;
  /** 'gramian' when the method is a function of K = JJᵀ only (the engine then skips passing J). */
  readonly needs: 'jacobian' | 'gramian';
  /** Grad modes the method is defined for (e.g. GradDrop: only 'rep'; PCGrad: not 'rep'). */
  readonly modes: readonly GradMode[];
  init(T: number, seed: number): S;
  aggregate(input: AggregatorInput, state: S): AggregatorOutput<S>;
}

/** EW: every task weight 1 (Σ_t L_t), as LibMTL's EW. */
export const equalWeighting: LossWeighting<null> = {
  name: 'ew',
  init: () => null,
  weights(input) {
    return { weights: new Float64Array(input.losses.length).fill(1), state: null };
  },
};

/** The plain sum of task gradients as an aggregator (= EW through the Jacobian path; a check). */
export const sumAggregator: GradientAggregator<null> = {
  name: 'sum',
  needs: 'gramian',
  modes: ['backward', 'jacobian', 'rep'],
  init: () => null,
  aggregate(input) {
    return { weights: new Float64Array(input.T).fill(1), state: null };
  },
};
