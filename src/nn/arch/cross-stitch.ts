// Cross-stitch networks (Misra, Shrivastava, Gupta & Hebert, CVPR 2016). One column (a copy of the
// encoder) per task; after every stage l the columns' activations are mixed by a learned T × T
// matrix α^l (eq. 1, written there for two tasks):
//     x̃_t^l = Σ_s α^l_{ts} x_s^l,
// applied identically at every location/unit of the stage (one matrix per layer, as in the paper's
// per-layer units). Initialisation (section 4.2): convex combinations with α_S on the diagonal and
// α_D off it, α_S + α_D = 1, the best being (α_S, α_D) = (0.9, 0.1); for T > 2 tasks the off-diagonal
// mass 1 − α_S is split evenly, so every row still sums to 1. The paper also scales the learning rate
// of α by 10²–10³ (section 4.2, "learning rate"); here `mixScale` c reparametrises α = c·β, which
// multiplies β's effective step by c under Adam (by c² under SGD).
//
// Task t's head reads column t after the last mixing. With all α off-diagonals at 0 the network is
// exactly T separate networks (tested). Every column parameter and every α reaches every task once
// α mixes, so all of them are shared; `features` stacks the mixed final columns [T, B·H].
import { OptionError } from '../../errors.ts';
import type { Random } from '../../linalg/random.ts';
import { makeParam, type Layer, type MLP } from '../module.ts';
import { scale } from '../ops/elementwise.ts';
import { matmul } from '../ops/matmul.ts';
import { reshape, slice, stack } from '../ops/shape.ts';
import type { Tape } from '../tape.ts';
import type { Param, Tensor } from '../tensor.ts';
import {
  buildEncoder, buildHead, checkCommon, checkInput, encoderInShape, encoderOutDim, flatSize, requestedTasks,
  stageShapes, type ArchCommon, type EncoderSpec, type MtlArchitecture, type MtlOutput,
} from './common.ts';

export interface CrossStitchOptions extends ArchCommon {
  readonly encoder: EncoderSpec;
  /** Diagonal initial value α_S (default 0.9, the paper's best); off-diagonals (1 − α_S)/(T − 1). */
  readonly alphaSelf?: number;
  /** Reparametrisation scale c (α = c·β), the paper's learning-rate boost for α (default 1). */
  readonly mixScale?: number;
}

export class CrossStitch implements MtlArchitecture {
  readonly kind = 'cross-stitch' as const;
  readonly taskNames: readonly string[];
  readonly outDims: readonly number[];
  readonly inShape: readonly number[];
  readonly columns: Layer[][];
  /** β^l [T, T] per stage (α^l = mixScale · β^l). */
  readonly mix: Param[];
  readonly heads: MLP[];
  readonly mixScale: number;
  private readonly shapes: number[][];
  constructor(o: CrossStitchOptions, rng: Random) {
    checkCommon(o);
    const dtype = o.dtype ?? 'float32';
    const T = o.taskNames.length;
    const aS = o.alphaSelf ?? 0.9;
    if (!(aS >= 0 && aS <= 1)) throw new OptionError('alphaSelf', `must be in [0, 1], got ${aS}`);
    this.mixScale = o.mixScale ?? 1;
    if (!(this.mixScale > 0) || !Number.isFinite(this.mixScale)) throw new OptionError('mixScale', `must be positive, got ${this.mixScale}`);
    this.taskNames = [...o.taskNames];
    this.outDims = [...o.outDims];
    this.inShape = encoderInShape(o.encoder);
    this.shapes = stageShapes(o.encoder);
    this.columns = o.taskNames.map((t) => buildEncoder(o.encoder, `column.${t}`, rng, dtype));
    // one task: nothing to mix with, α = 1 keeps the column unchanged
    const aD = T > 1 ? (1 - aS) / (T - 1) : 0;
    const aSelf = T > 1 ? aS : 1;
    this.mix = this.shapes.map((_, l) => makeParam(`cross-stitch.${l}`, [T, T], dtype, (d) => {
      for (let a = 0; a < T; a++) for (let b = 0; b < T; b++) d[a * T + b] = (a === b ? aSelf : aD) / this.mixScale;
    }));
    const H = encoderOutDim(o.encoder);
    this.heads = o.taskNames.map((t, i) => buildHead(`head.${t}`, H, o.headHidden ?? [], o.outDims[i]!, rng, dtype));
  }
  /** α^l as a T × T row-major array. */
  alpha(l: number): number[] {
    return Array.from(this.mix[l]!.data, (v) => v * this.mixScale);
  }
  forward(g: Tape, x: Tensor, tasks?: readonly number[]): MtlOutput {
    checkInput(this, x);
    const T = this.taskNames.length, B = x.shape[0]!;
    const want = requestedTasks(T, tasks);
    let cols: Tensor[] = this.columns.map(() => x);
    let mixed: Tensor | null = null;
    for (let l = 0; l < this.shapes.length; l++) {
      const n = B * flatSize(this.shapes[l]!);
      const z = cols.map((c, t) => reshape(g, this.columns[t]![l]!.forward(g, c), [1, n]));
      const Z = reshape(g, stack(g, z, 0), [T, n]);
      const A = this.mixScale === 1 ? this.mix[l]! : scale(g, this.mix[l]!, this.mixScale);
      mixed = matmul(g, A, Z); // [T, n]: row t = Σ_s α_ts z_s
      if (l + 1 < this.shapes.length) cols = this.columns.map((_, t) => reshape(g, slice(g, mixed!, 0, t, t + 1), [B, ...this.shapes[l]!]));
    }
    const H = this.shapes[this.shapes.length - 1]![0]!;
    return {
      outputs: this.heads.map((h, t) => (want[t] ? h.forward(g, reshape(g, slice(g, mixed!, 0, t, t + 1), [B, H])) : null)),
      features: mixed,
      aux: this.heads.map(() => null),
      gates: [],
    };
  }
  sharedParameters(): Param[] { return [...this.columns.flatMap((c) => c.flatMap((s) => s.parameters())), ...this.mix]; }
  taskParameters(t: number): Param[] { return this.heads[t]!.parameters(); }
  parameters(): Param[] { return [...this.sharedParameters(), ...this.heads.flatMap((h) => h.parameters())]; }
  structure(): Record<string, unknown> {
    return { crossStitch: this.mix.map((_, l) => ({ layer: l, tasks: this.taskNames, alpha: this.alpha(l) })) };
  }
}
