// Hard parameter sharing (Caruana, "Multitask Learning", Machine Learning 28, 1997): one shared
// trunk f(x; θ_sh) and one head h_t(·; θ_t) per task, ŷ_t = h_t(f(x)). The trunk output is the
// shared representation (LibMTL's `rep` for HPS).
//
// STL (`stl`): the single-task baseline of the same size — T independent copies of the trunk, each
// with its head (Caruana's STL networks); nothing is shared, so `features` is null.
import type { Random } from '../../linalg/random.ts';
import type { Layer } from '../module.ts';
import type { MLP } from '../module.ts';
import type { Tape } from '../tape.ts';
import type { Param, Tensor } from '../tensor.ts';
import {
  buildEncoder, buildHead, checkCommon, checkInput, encoderInShape, encoderOutDim, requestedTasks,
  runStages, type ArchCommon, type EncoderSpec, type MtlArchitecture, type MtlOutput,
} from './common.ts';

export interface HpsOptions extends ArchCommon {
  readonly encoder: EncoderSpec;
}

export class HPS implements MtlArchitecture {
  readonly kind = 'hps' as const;
  readonly taskNames: readonly string[];
  readonly outDims: readonly number[];
  readonly inShape: readonly number[];
  readonly trunk: Layer[];
  readonly heads: MLP[];
  constructor(o: HpsOptions, rng: Random) {
    checkCommon(o);
    const dtype = o.dtype ?? 'float32';
    this.taskNames = [...o.taskNames];
    this.outDims = [...o.outDims];
    this.inShape = encoderInShape(o.encoder);
    this.trunk = buildEncoder(o.encoder, 'trunk', rng, dtype);
    const H = encoderOutDim(o.encoder);
    this.heads = o.taskNames.map((t, i) => buildHead(`head.${t}`, H, o.headHidden ?? [], o.outDims[i]!, rng, dtype));
  }
  forward(g: Tape, x: Tensor, tasks?: readonly number[]): MtlOutput {
    checkInput(this, x);
    const want = requestedTasks(this.taskNames.length, tasks);
    const rep = runStages(g, this.trunk, x);
    return {
      outputs: this.heads.map((h, t) => (want[t] ? h.forward(g, rep) : null)),
      features: rep,
      aux: this.heads.map(() => null),
      gates: [],
    };
  }
  sharedParameters(): Param[] { return this.trunk.flatMap((s) => s.parameters()); }
  taskParameters(t: number): Param[] { return this.heads[t]!.parameters(); }
  parameters(): Param[] { return [...this.sharedParameters(), ...this.heads.flatMap((h) => h.parameters())]; }
  structure(): Record<string, unknown> { return {}; }
}

export class STL implements MtlArchitecture {
  readonly kind = 'stl' as const;
  readonly taskNames: readonly string[];
  readonly outDims: readonly number[];
  readonly inShape: readonly number[];
  readonly trunks: Layer[][];
  readonly heads: MLP[];
  constructor(o: HpsOptions, rng: Random) {
    checkCommon(o);
    const dtype = o.dtype ?? 'float32';
    this.taskNames = [...o.taskNames];
    this.outDims = [...o.outDims];
    this.inShape = encoderInShape(o.encoder);
    const H = encoderOutDim(o.encoder);
    this.trunks = o.taskNames.map((t) => buildEncoder(o.encoder, `trunk.${t}`, rng, dtype));
    this.heads = o.taskNames.map((t, i) => buildHead(`head.${t}`, H, o.headHidden ?? [], o.outDims[i]!, rng, dtype));
  }
  forward(g: Tape, x: Tensor, tasks?: readonly number[]): MtlOutput {
    checkInput(this, x);
    const want = requestedTasks(this.taskNames.length, tasks);
    return {
      outputs: this.heads.map((h, t) => (want[t] ? h.forward(g, runStages(g, this.trunks[t]!, x)) : null)),
      features: null,
      aux: this.heads.map(() => null),
      gates: [],
    };
  }
  sharedParameters(): Param[] { return []; }
  taskParameters(t: number): Param[] { return [...this.trunks[t]!.flatMap((s) => s.parameters()), ...this.heads[t]!.parameters()]; }
  parameters(): Param[] { return this.taskNames.flatMap((_, t) => this.taskParameters(t)); }
  structure(): Record<string, unknown> { return {}; }
}
