// Progressive Layered Extraction (Tang, Liu, Zhao & Gong, RecSys 2020, section 4.3, eqs. 5–6):
// CGC extraction networks stacked in levels. At level j < N, besides one gate per task over
// [its own experts, the shared experts] (eq. 5), the SHARED branch has its own gate over ALL experts
// of the level — every task's and the shared ones (the paper: "the selected matrix of the shared
// module ... consists of all expert modules at this level") — and its output feeds the next level's
// shared experts:
//     g^{k,j}(x) = w^{k,j}(g^{k,j−1}(x)) S^{k,j}(g^{k,j−1}(x))      (task k; S = own + shared experts)
//     g^{s,j}(x) = w^{s,j}(g^{s,j−1}(x)) S^{s,j}(g^{s,j−1}(x))      (shared; S = all experts), j < N
//     y^k = t^k(g^{k,N}(x)),  g^{·,0}(x) = x.
// LibMTL's PLE omits g^{s,j} (each level's shared experts read the task's own branch); DeepCTR and
// torch-rechub keep it. Level j's experts are copies of encoder stage j, so an MLP encoder with
// hidden [h_1, h_2] gives two levels and the LeNet encoder three.
//
// The cut: the outputs of ALL last-level experts and the task branches entering the last level (the
// last task gates read them), flattened side by side. Behind it lies the
// whole extraction network except the last level's task gates: the shared-branch gates carry every
// task's lower-level experts into every task, so those are shared in fact; a lower-level task gate
// reaches only its task, and its Jacobian rows for the other tasks are exactly zero.
import type { Random } from '../../linalg/random.ts';
import { Linear, type Layer, type MLP } from '../module.ts';
import { softmax } from '../ops/nn.ts';
import { concat, reshape, slice } from '../ops/shape.ts';
import type { Tape } from '../tape.ts';
import type { Param, Tensor } from '../tensor.ts';
import {
  buildHead, buildStage, checkCommon, checkInput, encoderInShape, encoderOutDim, flat, flatSize, mixExperts,
  positiveInt, requestedTasks, runExperts, stageShapes, type ArchCommon, type EncoderSpec, type GateRecord, type MtlArchitecture, type MtlOutput,
} from './common.ts';

export interface PleOptions extends ArchCommon {
  /** Level j's experts are copies of stage j of this encoder. */
  readonly encoder: EncoderSpec;
  readonly sharedExperts?: number;
  readonly taskExperts?: number;
}

interface Level {
  readonly own: Layer[][]; // [task][expert]
  readonly shared: Layer[];
  readonly taskGates: Linear[];
  /** The shared-branch gate (absent at the last level, whose shared output nothing reads). */
  readonly sharedGate: Linear | null;
}

export class PLE implements MtlArchitecture {
  readonly kind = 'ple' as const;
  readonly taskNames: readonly string[];
  readonly outDims: readonly number[];
  readonly inShape: readonly number[];
  readonly levels: Level[];
  readonly towers: MLP[];
  readonly ms: number;
  readonly mk: number;
  constructor(o: PleOptions, rng: Random) {
    checkCommon(o);
    const dtype = o.dtype ?? 'float32';
    this.ms = positiveInt('sharedExperts', o.sharedExperts, 2);
    this.mk = positiveInt('taskExperts', o.taskExperts, 1);
    this.taskNames = [...o.taskNames];
    this.outDims = [...o.outDims];
    this.inShape = encoderInShape(o.encoder);
    const shapes = stageShapes(o.encoder);
    const T = o.taskNames.length, N = shapes.length;
    this.levels = shapes.map((_, j) => {
      const D = flatSize(j === 0 ? this.inShape : shapes[j - 1]!);
      return {
        own: o.taskNames.map((t) => Array.from({ length: this.mk }, (_, i) => buildStage(o.encoder, j, `level${j}.expert.${t}.${i}`, rng, dtype))),
        shared: Array.from({ length: this.ms }, (_, i) => buildStage(o.encoder, j, `level${j}.shared${i}`, rng, dtype)),
        taskGates: o.taskNames.map((t) => new Linear(`level${j}.gate.${t}`, D, this.mk + this.ms, rng, { dtype, bias: false, init: 'xavier-uniform' })),
        sharedGate: j + 1 < N ? new Linear(`level${j}.gate.shared`, D, T * this.mk + this.ms, rng, { dtype, bias: false, init: 'xavier-uniform' }) : null,
      };
    });
    const H = encoderOutDim(o.encoder);
    this.towers = o.taskNames.map((t, i) => buildHead(`tower.${t}`, H, o.headHidden ?? [], o.outDims[i]!, rng, dtype));
  }
  private names(t: number | null): string[] {
    const sh = Array.from({ length: this.ms }, (_, i) => `shared${i}`);
    const own = (k: number) => Array.from({ length: this.mk }, (_, i) => `${this.taskNames[k]}${i}`);
    return t === null ? [...this.taskNames.flatMap((_, k) => own(k)), ...sh] : [...own(t), ...sh];
  }
  forward(g: Tape, x: Tensor, tasks?: readonly number[]): MtlOutput {
    checkInput(this, x);
    const T = this.taskNames.length, N = this.levels.length, mk = this.mk, ms = this.ms;
    const want = requestedTasks(T, tasks);
    const gates: GateRecord[] = [];
    let inTask: Tensor[] = this.taskNames.map(() => x);
    let inShared = x;
    for (let j = 0; j < N - 1; j++) {
      const L = this.levels[j]!;
      const own = L.own.map((es, t) => runExperts(g, es.map((e) => [e]), inTask[t]!));
      const sh = runExperts(g, L.shared.map((e) => [e]), inShared);
      const nextTask = this.taskNames.map((name, t) => {
        const w = softmax(g, L.taskGates[t]!.forward(g, flat(g, inTask[t]!)));
        gates.push({ task: name, level: j, experts: this.names(t), weights: w });
        return mixExperts(g, concat(g, [own[t]!, sh], 1), w);
      });
      const ws = softmax(g, L.sharedGate!.forward(g, flat(g, inShared)));
      gates.push({ task: null, level: j, experts: this.names(null), weights: ws });
      inShared = mixExperts(g, concat(g, [...own, sh], 1), ws);
      inTask = nextTask;
    }
    const last = this.levels[N - 1]!;
    const experts = concat(g, [
      ...last.own.map((es, t) => runExperts(g, es.map((e) => [e]), inTask[t]!)),
      runExperts(g, last.shared.map((e) => [e]), inShared),
    ], 1); // [B, T·m_k + m_s, ...]
    // The last task gates read the task branches, which depend on lower levels: the branches go into
    // the representation too, so that the gates stay after the cut.
    const B = x.shape[0]!, nE = T * mk + ms, eShape = experts.shape.slice(1), eSize = flatSize(eShape);
    const branches = inTask.map((b) => flat(g, b));
    const features = concat(g, [reshape(g, experts, [B, eSize]), ...branches], 1);
    const expertsR = reshape(g, slice(g, features, 1, 0, eSize), [B, ...eShape]);
    const sharedPart = slice(g, expertsR, 1, T * mk, nE);
    let off = eSize;
    const gateIn = branches.map((b) => { const F = b.shape[1]!; const s = slice(g, features, 1, off, off + F); off += F; return s; });
    const outputs = this.towers.map((tw, t) => {
      if (!want[t]) return null;
      const w = softmax(g, last.taskGates[t]!.forward(g, gateIn[t]!));
      gates.push({ task: this.taskNames[t]!, level: N - 1, experts: this.names(t), weights: w });
      const sel = concat(g, [slice(g, expertsR, 1, t * mk, (t + 1) * mk), sharedPart], 1);
      return tw.forward(g, mixExperts(g, sel, w));
    });
    return { outputs, features, aux: this.towers.map(() => null), gates };
  }
  sharedParameters(): Param[] {
    const N = this.levels.length;
    return this.levels.flatMap((L, j) => [
      ...L.own.flatMap((es) => es.flatMap((e) => e.parameters())),
      ...L.shared.flatMap((e) => e.parameters()),
      ...(j + 1 < N ? L.taskGates.flatMap((gt) => gt.parameters()) : []),
      ...(L.sharedGate ? L.sharedGate.parameters() : []),
    ]);
  }
  taskParameters(t: number): Param[] {
    return [...this.levels[this.levels.length - 1]!.taskGates[t]!.parameters(), ...this.towers[t]!.parameters()];
  }
  parameters(): Param[] { return [...this.sharedParameters(), ...this.taskNames.flatMap((_, t) => this.taskParameters(t))]; }
  structure(): Record<string, unknown> {
    return { levels: this.levels.length, sharedGates: this.levels.filter((L) => L.sharedGate !== null).length, gateExperts: { shared: this.names(null), ...Object.fromEntries(this.taskNames.map((n, t) => [n, this.names(t)])) } };
  }
}
