// Multi-Task Attention Network (Liu, Johns & Davison, "End-to-End Multi-Task Learning with
// Attention", CVPR 2019, section 3.1): one shared network of global features, and per task a soft
// attention mask at every block j, applied element-wise to the block's shared output p_j:
//     a_j^t = g_j^t([u_j ; f_j^t(â_{j−1}^t)]),   â_j^t = a_j^t ⊙ p_j,
// where g is a small sigmoid-terminated network (1×1 conv → ReLU → 1×1 conv → sigmoid in the CNN
// form; linear → ReLU → linear → sigmoid in the MLP form), and f_j^t brings the task's previous
// attended features to block j's shape (in the paper a 3×3 conv and pooling; here the task's own copy
// of encoder stage j, which is exactly the map between those shapes). At the first block the mask
// reads u_1 alone. We take u_j = p_j (the block output), the paper's intermediate feature u_j being
// a detail of its SegNet blocks. Task t's head reads â_L^t.
//
// The shared network never reads the masks, so it is run first, and its block outputs, flattened and
// concatenated, are the shared representation [B, Σ_j |p_j|]: every mask and head reads slices of it.
// Shared: the encoder stages. Task t: its masks, its f's and its head.
import type { Random } from '../../linalg/random.ts';
import { Conv2d, Linear, type Layer, type MLP } from '../module.ts';
import { mul, relu, sigmoid } from '../ops/elementwise.ts';
import { concat, flatten, reshape, slice } from '../ops/shape.ts';
import type { Tape } from '../tape.ts';
import type { DType, Param, Tensor } from '../tensor.ts';
import {
  buildEncoder, buildHead, buildStage, checkCommon, checkInput, encoderInShape, encoderOutDim, flatSize, requestedTasks,
  stageShapes, type ArchCommon, type EncoderSpec, type MtlArchitecture, type MtlOutput,
} from './common.ts';

export interface MtanOptions extends ArchCommon {
  readonly encoder: EncoderSpec;
}

/** g: 1×1 conv (or linear) → ReLU → 1×1 conv (or linear) → sigmoid, C_in → C → C. */
class AttentionMask implements Layer {
  private readonly a: Conv2d | Linear;
  private readonly b: Conv2d | Linear;
  constructor(name: string, cin: number, c: number, spatial: boolean, rng: Random, dtype: DType) {
    this.a = spatial ? new Conv2d(`${name}.0`, cin, c, 1, rng, { dtype }) : new Linear(`${name}.0`, cin, c, rng, { dtype });
    this.b = spatial ? new Conv2d(`${name}.1`, c, c, 1, rng, { dtype, init: 'xavier-uniform' }) : new Linear(`${name}.1`, c, c, rng, { dtype, init: 'xavier-uniform' });
  }
  parameters(): Param[] { return [...this.a.parameters(), ...this.b.parameters()]; }
  forward(g: Tape, x: Tensor): Tensor { return sigmoid(g, this.b.forward(g, relu(g, this.a.forward(g, x)))); }
}

export class MTAN implements MtlArchitecture {
  readonly kind = 'mtan' as const;
  readonly taskNames: readonly string[];
  readonly outDims: readonly number[];
  readonly inShape: readonly number[];
  readonly shared: Layer[];
  /** masks[t][j] */
  readonly masks: AttentionMask[][];
  /** fs[t][j] for j ≥ 1 (index j − 1). */
  readonly fs: Layer[][];
  readonly heads: MLP[];
  private readonly shapes: number[][];
  constructor(o: MtanOptions, rng: Random) {
    checkCommon(o);
    const dtype = o.dtype ?? 'float32';
    this.taskNames = [...o.taskNames];
    this.outDims = [...o.outDims];
    this.inShape = encoderInShape(o.encoder);
    this.shapes = stageShapes(o.encoder);
    this.shared = buildEncoder(o.encoder, 'shared', rng, dtype);
    this.masks = o.taskNames.map((t) => this.shapes.map((s, j) => {
      const c = s[0]!;
      return new AttentionMask(`attention.${t}.${j}`, j === 0 ? c : 2 * c, c, s.length === 3, rng, dtype);
    }));
    this.fs = o.taskNames.map((t) => this.shapes.slice(1).map((_, i) => buildStage(o.encoder, i + 1, `attention.${t}.f${i + 1}`, rng, dtype)));
    const H = encoderOutDim(o.encoder);
    this.heads = o.taskNames.map((t, i) => buildHead(`head.${t}`, H, o.headHidden ?? [], o.outDims[i]!, rng, dtype));
  }
  /** Runs the shared network and returns its representation plus each block's output read back from it. */
  private sharedBlocks(g: Tape, x: Tensor): { features: Tensor; blocks: Tensor[] } {
    const B = x.shape[0]!;
    const ps: Tensor[] = [];
    let h = x;
    for (const s of this.shared) { h = s.forward(g, h); ps.push(h.shape.length === 2 ? h : flatten(g, h)); }
    const features = concat(g, ps, 1);
    let off = 0;
    const blocks = this.shapes.map((s) => {
      const F = flatSize(s);
      const b = reshape(g, slice(g, features, 1, off, off + F), [B, ...s]);
      off += F;
      return b;
    });
    return { features, blocks };
  }
  forward(g: Tape, x: Tensor, tasks?: readonly number[]): MtlOutput {
    checkInput(this, x);
    const want = requestedTasks(this.taskNames.length, tasks);
    const { features, blocks } = this.sharedBlocks(g, x);
    const outputs = this.heads.map((head, t) => {
      if (!want[t]) return null;
      let att: Tensor | null = null;
      for (let j = 0; j < blocks.length; j++) {
        const p = blocks[j]!;
        const inp = att === null ? p : concat(g, [p, this.fs[t]![j - 1]!.forward(g, att)], 1);
        att = mul(g, this.masks[t]![j]!.forward(g, inp), p);
      }
      return head.forward(g, att!);
    });
    return { outputs, features, aux: this.heads.map(() => null), gates: [] };
  }
  /** Mean attention mask per task and block on a batch (inference helper for the report). */
  attentionMeans(g: Tape, x: Tensor): number[][] {
    const { blocks } = this.sharedBlocks(g, x);
    return this.taskNames.map((_, t) => {
      let att: Tensor | null = null;
      return blocks.map((p, j) => {
        const inp = att === null ? p : concat(g, [p, this.fs[t]![j - 1]!.forward(g, att)], 1);
        const a = this.masks[t]![j]!.forward(g, inp);
        att = mul(g, a, p);
        let s = 0;
        for (let i = 0; i < a.size; i++) s += a.data[i]!;
        return s / a.size;
      });
    });
  }
  sharedParameters(): Param[] { return this.shared.flatMap((s) => s.parameters()); }
  taskParameters(t: number): Param[] {
    return [...this.masks[t]!.flatMap((m) => m.parameters()), ...this.fs[t]!.flatMap((f) => f.parameters()), ...this.heads[t]!.parameters()];
  }
  parameters(): Param[] { return [...this.sharedParameters(), ...this.taskNames.flatMap((_, t) => this.taskParameters(t))]; }
  structure(): Record<string, unknown> { return { blocks: this.shapes.length }; }
}
