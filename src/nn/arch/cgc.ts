// Customized Gate Control (Tang, Liu, Zhao & Gong, "Progressive Layered Extraction (PLE)", RecSys
// 2020, section 4.2, eqs. 2–4): each task k has its own experts E_k besides the shared experts E_s,
// and its gate weighs only those two groups:
//     g^k(x) = w^k(x) S^k(x),   w^k(x) = softmax(W_g^k x),   S^k(x) = [E_k,1..E_k,m_k, E_s,1..E_s,m_s],
//     y^k(x) = t^k(g^k(x)).
// The shared experts are the shared parameters (their stacked outputs [B, m_s, H] are the shared
// representation); a task's own experts, gate and tower are task-specific.
import type { Random } from '../../linalg/random.ts';
import { Linear, type Layer, type MLP } from '../module.ts';
import { softmax } from '../ops/nn.ts';
import { concat } from '../ops/shape.ts';
import type { Tape } from '../tape.ts';
import type { Param, Tensor } from '../tensor.ts';
import {
  buildEncoder, buildHead, checkCommon, checkInput, encoderInShape, encoderOutDim, flat, flatSize, mixExperts,
  positiveInt, requestedTasks, runExperts, type ArchCommon, type EncoderSpec, type GateRecord, type MtlArchitecture, type MtlOutput,
} from './common.ts';

export interface CgcOptions extends ArchCommon {
  readonly encoder: EncoderSpec;
  /** Shared experts m_s (default 2). */
  readonly sharedExperts?: number;
  /** Experts per task m_k (default 1). */
  readonly taskExperts?: number;
}

export class CGC implements MtlArchitecture {
  readonly kind = 'cgc' as const;
  readonly taskNames: readonly string[];
  readonly outDims: readonly number[];
  readonly inShape: readonly number[];
  readonly shared: Layer[][];
  readonly own: Layer[][][];
  readonly gates: Linear[];
  readonly towers: MLP[];
  private readonly gateExperts: string[][];
  constructor(o: CgcOptions, rng: Random) {
    checkCommon(o);
    const dtype = o.dtype ?? 'float32';
    const ms = positiveInt('sharedExperts', o.sharedExperts, 2), mk = positiveInt('taskExperts', o.taskExperts, 1);
    this.taskNames = [...o.taskNames];
    this.outDims = [...o.outDims];
    this.inShape = encoderInShape(o.encoder);
    this.shared = Array.from({ length: ms }, (_, i) => buildEncoder(o.encoder, `shared${i}`, rng, dtype));
    this.own = o.taskNames.map((t) => Array.from({ length: mk }, (_, i) => buildEncoder(o.encoder, `expert.${t}.${i}`, rng, dtype)));
    const D = flatSize(this.inShape), H = encoderOutDim(o.encoder);
    this.gates = o.taskNames.map((t) => new Linear(`gate.${t}`, D, mk + ms, rng, { dtype, bias: false, init: 'xavier-uniform' }));
    this.towers = o.taskNames.map((t, i) => buildHead(`tower.${t}`, H, o.headHidden ?? [], o.outDims[i]!, rng, dtype));
    this.gateExperts = o.taskNames.map((t) => [...Array.from({ length: mk }, (_, i) => `${t}${i}`), ...Array.from({ length: ms }, (_, i) => `shared${i}`)]);
  }
  forward(g: Tape, x: Tensor, tasks?: readonly number[]): MtlOutput {
    checkInput(this, x);
    const want = requestedTasks(this.taskNames.length, tasks);
    const S = runExperts(g, this.shared, x); // [B, m_s, H]
    const xf = flat(g, x);
    const gates: GateRecord[] = [];
    const outputs = this.towers.map((tw, t) => {
      if (!want[t]) return null;
      const own = runExperts(g, this.own[t]!, x);
      const w = softmax(g, this.gates[t]!.forward(g, xf));
      gates.push({ task: this.taskNames[t]!, level: 0, experts: this.gateExperts[t]!, weights: w });
      return tw.forward(g, mixExperts(g, concat(g, [own, S], 1), w));
    });
    return { outputs, features: S, aux: this.towers.map(() => null), gates };
  }
  sharedParameters(): Param[] { return this.shared.flatMap((e) => e.flatMap((s) => s.parameters())); }
  taskParameters(t: number): Param[] {
    return [...this.own[t]!.flatMap((e) => e.flatMap((s) => s.parameters())), ...this.gates[t]!.parameters(), ...this.towers[t]!.parameters()];
  }
  parameters(): Param[] { return [...this.sharedParameters(), ...this.taskNames.flatMap((_, t) => this.taskParameters(t))]; }
  structure(): Record<string, unknown> { return { gateExperts: this.gateExperts }; }
}
