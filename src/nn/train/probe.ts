// Seeing the competition during training (issue 12) and the hook that task-affinity measures
// (issue 13, src/select/neural-affinity.ts) use to look at a step.
//
// A StepProbe is called on every `every`-th step, after the step's forward pass and before its
// backward pass and optimiser update, with lazy access to (a) the raw per-task gradients of the
// shared parameters on the step's batch (unweighted: row t = ∂L_t/∂θ_s) and (b) the per-task
// losses of the same batch at parameters the probe may temporarily change (eval mode, so dropout
// does not make a before/after comparison noisy). A probe must leave every parameter as it found it.
//
// CompetitionAcc averages, over the sampled steps of an epoch, the functions of the Gramian
// K = G Gᵀ of src/balance/competition.ts.
import { Matrix } from '../../linalg/matrix.ts';
import { cosineMatrix, gradientNormRatios } from '../../balance/competition.ts';
import type { GradMode, TaskMatrix } from '../mtl.ts';
import type { Param } from '../tensor.ts';

export interface ProbeContext {
  readonly step: number;
  readonly epoch: number;
  readonly T: number;
  /** The step's training losses (training mode, before the update). */
  readonly losses: Float64Array;
  /** The shared parameters θ_s, in the order of the gradient columns. */
  readonly shared: readonly Param[];
  /** T × P raw per-task gradients of the shared parameters on this batch (computed once per step). */
  taskGradients(): TaskMatrix;
  /** Per-task losses on this step's batch at the CURRENT parameter values, eval mode (no dropout). */
  evalLosses(): Float64Array;
}

export interface StepProbe {
  /** Observe steps 0, every, 2·every, … (global step count). */
  readonly every: number;
  observe(ctx: ProbeContext): void;
}

/** Per-epoch summary of the task-gradient geometry of the shared parameters. */
export interface CompetitionRecord {
  /**
   * 'aggregator': the Gramian the aggregator's step computed anyway (every step, no extra cost,
   * seeds divided out); 'sampled': an extra Jacobian every `every` steps.
   */
  readonly source: 'aggregator' | 'sampled';
  /** How the gradients were taken (always parameter gradients: never 'rep'). */
  readonly mode: GradMode;
  readonly every: number;
  /** Steps averaged over in this epoch. */
  readonly samples: number;
  /** Mean over samples of cos(g_i, g_j), T × T row-major. */
  readonly cosine: number[];
  /** Mean over samples of the number of pairs i < j with cos(g_i, g_j) < 0. */
  readonly conflicts: number;
  /** Share of samples in which pair (i, j) conflicted, T × T row-major (diagonal 0). */
  readonly conflictRate: number[];
  /** Mean over samples of ‖g_t‖ / mean_j ‖g_j‖. */
  readonly normRatio: number[];
  /** Mean over samples of ‖g_t‖ (scale of the raw task gradients). */
  readonly norm: number[];
  /** Geometric mean over samples of max_t ‖g_t‖ / min_t ‖g_t‖ (null if some sample had a zero gradient). */
  readonly maxOverMin: number | null;
}

export class CompetitionAcc {
  private cos: Float64Array;
  private rate: Float64Array;
  private rel: Float64Array;
  private nrm: Float64Array;
  private conflicts = 0;
  private logRatio = 0;
  private infinite = false;
  private n = 0;
  private source: CompetitionRecord['source'] = 'sampled';
  private mode: GradMode = 'backward';

  constructor(readonly T: number, readonly every: number) {
    this.cos = new Float64Array(T * T);
    this.rate = new Float64Array(T * T);
    this.rel = new Float64Array(T);
    this.nrm = new Float64Array(T);
  }

  reset(): void {
    this.cos.fill(0); this.rate.fill(0); this.rel.fill(0); this.nrm.fill(0);
    this.conflicts = 0; this.logRatio = 0; this.infinite = false; this.n = 0;
  }

  /** Add one step's raw Gramian K (T × T row-major, unweighted task gradients). */
  add(K: Float64Array, source: CompetitionRecord['source'], mode: GradMode): void {
    const T = this.T;
    const Km = new Matrix(T, T, K);
    const C = cosineMatrix(Km);
    const r = gradientNormRatios(Km);
    for (let i = 0; i < T * T; i++) this.cos[i]! += C[i]!;
    for (let i = 0; i < T; i++) {
      for (let j = 0; j < T; j++) {
        if (i !== j && C[i * T + j]! < 0) {
          this.rate[i * T + j]! += 1;
          if (i < j) this.conflicts++;
        }
      }
      this.rel[i]! += r.relative[i]!;
      this.nrm[i]! += r.norms[i]!;
    }
    if (Number.isFinite(r.maxOverMin)) this.logRatio += Math.log(r.maxOverMin);
    else this.infinite = true;
    this.n++;
    this.source = source;
    this.mode = mode;
  }

  record(): CompetitionRecord | null {
    const n = this.n;
    if (n === 0) return null;
    return {
      source: this.source, mode: this.mode, every: this.every, samples: n,
      cosine: Array.from(this.cos, (v) => v / n),
      conflicts: this.conflicts / n,
      conflictRate: Array.from(this.rate, (v) => v / n),
      normRatio: Array.from(this.rel, (v) => v / n),
      norm: Array.from(this.nrm, (v) => v / n),
      maxOverMin: this.infinite ? null : Math.exp(this.logRatio / n),
    };
  }
}

/** The Gramian of the raw task gradients from that of seeded rows s_t·g_t (K_ij / (s_i s_j); 0 where a seed is 0). */
export function unseededGramian(K: Float64Array, seeds: ArrayLike<number>, T: number): Float64Array {
  const out = new Float64Array(T * T);
  for (let i = 0; i < T; i++) {
    for (let j = 0; j < T; j++) {
      const s = seeds[i]! * seeds[j]!;
      out[i * T + j] = s !== 0 ? K[i * T + j]! / s : 0;
    }
  }
  return out;
}
