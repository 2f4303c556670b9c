// Multi-gate Mixture-of-Experts (Ma, Zhao, Yi, Chen, Hong & Chi, KDD 2018), eqs. 5–6:
//     y_k = h^k(f^k(x)),   f^k(x) = Σ_{i=1..n} g^k(x)_i f_i(x),   g^k(x) = softmax(W_{gk} x),
// n shared experts f_i (copies of the encoder), one linear softmax gate per task (no bias, as
// eq. 6 writes it), one tower h^k per task. The experts are the shared parameters and their stacked
// outputs [B, n, H] are the shared representation; gates and towers are task-specific (a gate reads
// x directly, not through the experts).
import type { Random } from '../../linalg/random.ts';
import { Linear, type Layer, type MLP } from '../module.ts';
import { softmax } from '../ops/nn.ts';
import { taskRow, weightedSums } from '../ops/experts.ts';
import type { Tape } from '../tape.ts';
import type { Param, Tensor } from '../tensor.ts';
import {
  buildEncoder, buildHead, checkCommon, checkInput, encoderInShape, encoderOutDim, flat, flatSize, mixExperts,
  positiveInt, requestedTasks, runExperts, type ArchCommon, type EncoderSpec, type GateRecord, type MtlArchitecture, type MtlOutput,
} from './common.ts';

export interface MmoeOptions extends ArchCommon {
  /** Each expert is one copy of this encoder. */
  readonly encoder: EncoderSpec;
  /** Number of experts n (default 4). */
  readonly experts?: number;
}

export class MMoE implements MtlArchitecture {
  readonly kind = 'mmoe' as const;
  readonly taskNames: readonly string[];
  readonly outDims: readonly number[];
  readonly inShape: readonly number[];
  readonly experts: Layer[][];
  readonly gates: Linear[];
  readonly towers: MLP[];
  readonly expertNames: string[];
  constructor(o: MmoeOptions, rng: Random) {
    checkCommon(o);
    const dtype = o.dtype ?? 'float32';
    const n = positiveInt('experts', o.experts, 4);
    this.taskNames = [...o.taskNames];
    this.outDims = [...o.outDims];
    this.inShape = encoderInShape(o.encoder);
    this.expertNames = Array.from({ length: n }, (_, i) => `expert${i}`);
    this.experts = this.expertNames.map((e) => buildEncoder(o.encoder, e, rng, dtype));
    const D = flatSize(this.inShape), H = encoderOutDim(o.encoder);
    this.gates = o.taskNames.map((t) => new Linear(`gate.${t}`, D, n, rng, { dtype, bias: false, init: 'xavier-uniform' }));
    this.towers = o.taskNames.map((t, i) => buildHead(`tower.${t}`, H, o.headHidden ?? [], o.outDims[i]!, rng, dtype));
  }
  forward(g: Tape, x: Tensor, tasks?: readonly number[]): MtlOutput {
    checkInput(this, x);
    const want = requestedTasks(this.taskNames.length, tasks);
    const E = runExperts(g, this.experts, x); // [B, n, H]
    const xf = flat(g, x);
    const gates: GateRecord[] = [];
    const ws: Tensor[] = [];
    this.towers.forEach((_, t) => {
      if (!want[t]) return;
      const w = softmax(g, this.gates[t]!.forward(g, xf));
      gates.push({ task: this.taskNames[t]!, level: 0, experts: this.expertNames, weights: w });
      ws.push(w);
    });
    // all requested tasks' mixtures in one op (the experts are read once, not once per task)
    const M = E.shape.length === 3 && ws.length > 1 ? weightedSums(g, E, ws) : null;
    let k = 0;
    const outputs = this.towers.map((tw, t) => {
      if (!want[t]) return null;
      const i = k++;
      return tw.forward(g, M ? taskRow(g, M, i) : mixExperts(g, E, ws[i]!));
    });
    return { outputs, features: E, aux: this.towers.map(() => null), gates };
  }
  sharedParameters(): Param[] { return this.experts.flatMap((e) => e.flatMap((s) => s.parameters())); }
  taskParameters(t: number): Param[] { return [...this.gates[t]!.parameters(), ...this.towers[t]!.parameters()]; }
  parameters(): Param[] { return [...this.sharedParameters(), ...this.taskNames.flatMap((_, t) => this.taskParameters(t))]; }
  structure(): Record<string, unknown> { return { experts: this.expertNames }; }
}
